"""csv_output_check.py - prm's --csv read by an independent CSV reader.

    csv_output_check.py PRM DB COMMAND...

Runs the command with --json and with --csv and requires, reading the CSV
with Python's csv module: CRLF line ends, a header of the JSON rows' keys,
and row for row the JSON's values (null an empty cell, true/false as
such, numbers equal, an array its items joined by commas, a nested
object its JSON, text the same but for a leading ' before a character a
spreadsheet would run as a formula).
"""
import csv
import io
import json
import subprocess
import sys


def fail(msg):
    print("FAIL: %s: %s" % (" ".join(sys.argv[3:]), msg))
    sys.exit(1)


def cell_of(value):
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def main():
    prm, db, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    run = lambda *opt: subprocess.run([prm, "--db", db, *opt, *cmd], capture_output=True, check=True).stdout
    answer = json.loads(run("--json"))
    table = next(v for k, v in answer.items() if k != "ok")
    if isinstance(table, dict):  # metrics: one row; a trend: its periods
        table = table.get("periods", [table])
    rows = table
    raw = run("--csv")
    text = raw.decode("utf-8")
    if text and not text.endswith("\r\n"):
        fail("the last line does not end in CRLF")
    if "\n" in text.replace("\r\n", "") and not any('"' in line for line in text.split("\r\n")):
        fail("a bare LF outside a quoted cell")
    table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not table:
        fail("no header")
    header, body = table[0], table[1:]
    if len(body) != len(rows):
        fail("%d CSV rows for %d JSON rows" % (len(body), len(rows)))
    for n, (cells, obj) in enumerate(zip(body, rows), 1):
        if header != list(obj.keys()):
            fail("header %s, JSON keys %s" % (header, list(obj.keys())))
        for key, cell in zip(header, cells):
            want = cell_of(obj[key])
            if isinstance(want, dict):  # a nested object: its JSON
                if json.loads(cell) != want:
                    fail("row %d, %s: %r, JSON %r" % (n, key, cell, want))
            elif isinstance(want, (int, float)):
                if cell == "" or float(cell) != float(want):
                    fail("row %d, %s: %r, JSON %r" % (n, key, cell, want))
            elif cell != want:
                fail("row %d, %s: %r, JSON %r" % (n, key, cell, want))
    print("%s: %d rows agree" % (" ".join(cmd), len(rows)))


main()
