#!/usr/bin/env python3
"""bench/delay_proxy.py - a TCP proxy that holds every chunk it forwards
for DELAY_MS milliseconds, each way, in order: a server across a network
(a round trip of twice DELAY_MS) for benchmarks on one machine, where
tc's netem is not at hand.

    python3 bench/delay_proxy.py DELAY_MS LISTEN_PORT SERVER_PORT
    # then connect to 127.0.0.1:LISTEN_PORT (sslmode=disable)
"""
import asyncio
import sys


async def forward(reader, writer, delay):
    """Copy reader to writer, each chunk sent delay seconds after it came."""
    loop = asyncio.get_running_loop()
    chunks = asyncio.Queue()

    async def send():
        while True:
            due, data = await chunks.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    while True:
        data = await reader.read(65536)
        await chunks.put((loop.time() + delay, data or None))
        if not data:
            break
    await sender


async def main(delay, listen_port, server_port):
    async def connection(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", server_port)
        await asyncio.gather(
            forward(client_reader, server_writer, delay),
            forward(server_reader, client_writer, delay),
            return_exceptions=True)

    server = await asyncio.start_server(connection, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-2].strip())
    asyncio.run(main(float(sys.argv[1]) / 1000.0, int(sys.argv[2]),
                     int(sys.argv[3])))
