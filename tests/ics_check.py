"""ics_check.py - an independent reading of prm's calendar file.

    ics_check.py CALENDAR.ics AGENDA.json

Parses the file with python3-icalendar (Debian's), and requires: CRLF line
ends, no line over 75 octets, no line that is not whole UTF-8 (a fold
inside a character), one VTODO per agenda item of prm's --json agenda, in
its order, with UID KIND-ID@prm, DUE the item's day as a DATE, SUMMARY the
item's text exactly (after unescaping), and a DTSTAMP.
"""
import datetime
import json
import sys

import icalendar


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    raw = open(sys.argv[1], "rb").read()
    agenda = json.load(open(sys.argv[2], encoding="utf-8"))["agenda"]
    if not raw.endswith(b"\r\n"):
        fail("the file does not end with CRLF")
    lines = raw[:-2].split(b"\r\n")
    for n, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            fail("line %d has a bare CR or LF" % n)
        if len(line) > 75:
            fail("line %d is %d octets long" % (n, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail("line %d is not whole UTF-8 (folded inside a character)" % n)
    cal = icalendar.Calendar.from_ical(raw)
    todos = [c for c in cal.walk() if c.name == "VTODO"]
    if len(todos) != len(agenda):
        fail("%d VTODOs for %d agenda items" % (len(todos), len(agenda)))
    uids = set()
    for todo, item in zip(todos, agenda):
        uid = "%s-%d@prm" % (item["kind"], item["id"])
        if str(todo["UID"]) != uid:
            fail("UID %s, want %s" % (todo["UID"], uid))
        uids.add(uid)
        if str(todo["SUMMARY"]) != item["text"]:
            fail("SUMMARY %r, want %r" % (str(todo["SUMMARY"]), item["text"]))
        due = todo["DUE"].dt
        if isinstance(due, datetime.datetime) or due.isoformat() != item["date"][:10]:
            fail("DUE %r, want the date %s" % (due, item["date"][:10]))
        if "DTSTAMP" not in todo or "DESCRIPTION" not in todo:
            fail("VTODO %s lacks DTSTAMP or DESCRIPTION" % uid)
    if len(uids) != len(todos):
        fail("two VTODOs share a UID")
    print("%d VTODOs, %d lines, read back as prm wrote them" % (len(todos), len(lines)))


main()
