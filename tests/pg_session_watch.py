#!/usr/bin/env python3
"""pg_session_watch.py - a PostgreSQL proxy on a unix socket that reads the
protocol both ways and writes, for each client session, how the client
left: "idle" when it said goodbye (Terminate) with every query answered and
no transaction open, as a connection pooler needs to hand the server
connection to its next client; else what was still open.

    pg_session_watch.py LISTEN_DIR SERVER_DIR LOG
    # listens on LISTEN_DIR/.s.PGSQL.5432, forwards to
    # SERVER_DIR/.s.PGSQL.5432, appends one line a session to LOG

A session's line is "idle", or "open status=S unanswered=N goodbye=yes|no":
S the transaction status of the server's last ReadyForQuery (I idle,
T in a transaction, E in a failed one), N the queries and syncs sent
that no ReadyForQuery has answered yet.
"""
import asyncio
import os
import struct
import sys

CANCEL_CODE = 80877102


class Session:
    """What one client session has asked and been answered."""

    def __init__(self):
        self.asked = 0      # simple queries and syncs sent
        self.answered = -1  # ReadyForQuery seen, less the one after login
        self.status = b"?"
        self.goodbye = None  # (unanswered, status) when the client left
        self.cancel = False

    def leave(self):
        self.goodbye = (self.asked - self.answered, self.status)

    def verdict(self):
        """How the client left: what an answer given after its goodbye
        cannot change, as the pooler would have dropped the connection."""
        if self.goodbye is None:
            return "open status=%s unanswered=%d goodbye=no" % (
                self.status.decode(), self.asked - self.answered)
        unanswered, status = self.goodbye
        if unanswered == 0 and status == b"I":
            return "idle"
        return "open status=%s unanswered=%d goodbye=yes" % (
            status.decode(), unanswered)


async def read_exactly(reader, n):
    try:
        return await reader.readexactly(n)
    except asyncio.IncompleteReadError:
        return None


async def messages(reader):
    """The protocol's messages after the first, each its type and whole
    text (type, length, body), until the stream ends."""
    while True:
        head = await read_exactly(reader, 5)
        if head is None:
            return
        body = await read_exactly(reader, struct.unpack("!i", head[1:])[0] - 4)
        if body is None:
            return
        yield head[:1], head + body


async def client_to_server(reader, writer, session):
    head = await read_exactly(reader, 8)
    if head is None:
        return
    length, code = struct.unpack("!ii", head)
    rest = await read_exactly(reader, length - 8)
    if rest is None:
        return
    session.cancel = code == CANCEL_CODE
    writer.write(head + rest)
    async for kind, message in messages(reader):
        if kind in (b"Q", b"S"):
            session.asked += 1
        elif kind == b"X":
            session.leave()
        writer.write(message)
        await writer.drain()


async def server_to_client(reader, writer, session):
    async for kind, message in messages(reader):
        if kind == b"Z":
            session.answered += 1
            session.status = message[5:6]
        writer.write(message)
        await writer.drain()


async def relay(pump, reader, writer, session):
    try:
        await pump(reader, writer, session)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def serve(server_path, log, client_reader, client_writer):
    session = Session()
    server_reader, server_writer = await asyncio.open_unix_connection(
        server_path)
    await asyncio.gather(
        relay(client_to_server, client_reader, server_writer, session),
        relay(server_to_client, server_reader, client_writer, session))
    if session.cancel:
        return
    with open(log, "a") as out:
        out.write(session.verdict() + "\n")


async def main(listen_dir, server_dir, log):
    server_path = os.path.join(server_dir, ".s.PGSQL.5432")
    listen_path = os.path.join(listen_dir, ".s.PGSQL.5432")
    server = await asyncio.start_unix_server(
        lambda r, w: serve(server_path, log, r, w), listen_path)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: pg_session_watch.py LISTEN_DIR SERVER_DIR LOG")
    asyncio.run(main(*sys.argv[1:]))
