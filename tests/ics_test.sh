#!/bin/sh
# ics_test.sh - agenda ics writes RFC 5545: the file equals the golden file
# tests/data/agenda.ics (PRM_UPDATE=1 writes it anew), and an independent
# parser (python3-icalendar) reads every item back as prm's --json agenda
# has it: awkward text (CJK, emoji, quotes, ; , \ and line breaks, lines
# far past 75 octets) round-trips, folded only between characters.
#
#   ics_test.sh PRM SOURCE_DIR
set -u
prm=$1 src=$2
python=/usr/bin/python3 # Debian's, which python3-icalendar is for
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
export PRM_NOW=2026-03-01T12:00:00Z

cat >"$tmp/setup.prm" <<'PRM'
partner add name="Acme Corp" region=EMEA
partner add name="北京环球有限公司"
partner add name="Quote \"Q\" & Co; Ltd, Inc"
project add name="Alpha, phase 1; \"pilot\"" partner="Acme Corp" status=active due=2026-03-03
project add name=Beta partner="北京环球有限公司" status=planned due=2026-02-10
deal add partner="Acme Corp" customer="Globex, Inc." close=2026-03-05
deal approve 1 days=5
task add title="Send the price list" partner="Acme Corp" due=2026-03-06
task add title="Résumé 北京环球 😀 — a very long title that goes on and on, well past seventy-five octets; with \\ a backslash, commas, and \"quotes\"" partner="北京环球有限公司" due=2026-03-02
task add title="Line one\nline two" partner="Quote \"Q\" & Co; Ltd, Inc" due=2026-02-27
task add title="日本語のとても長いタスクの題名が七十五オクテットを超えて折り返されるかどうかを確かめるための文章です" due=2026-03-04
comm add partner="Acme Corp" method=phone content=x at=2025-10-01
PRM
"$prm" --db "$tmp/db" -f "$tmp/setup.prm" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: setup"; cat "$tmp/err"; exit 1; }
"$prm" --db "$tmp/db" agenda ics "$tmp/agenda.ics" >"$tmp/out" 2>&1 ||
    { echo "FAIL: agenda ics"; cat "$tmp/out"; exit 1; }
"$prm" --db "$tmp/db" --json agenda >"$tmp/agenda.json"

golden=$src/tests/data/agenda.ics
if [ "${PRM_UPDATE:-}" = 1 ]; then
    cp "$tmp/agenda.ics" "$golden"
elif ! cmp -s "$golden" "$tmp/agenda.ics"; then
    echo "FAIL: the calendar differs from tests/data/agenda.ics:"
    diff "$golden" "$tmp/agenda.ics" | head -20
    fails=$((fails + 1))
fi
"$python" "$src/tests/ics_check.py" "$tmp/agenda.ics" "$tmp/agenda.json" ||
    fails=$((fails + 1))

# The same file to stdout, and again: the UIDs stay, so a calendar that
# imports it twice updates its items.
"$prm" --db "$tmp/db" agenda ics >"$tmp/stdout.ics"
cmp -s "$tmp/stdout.ics" "$tmp/agenda.ics" ||
    { echo "FAIL: agenda ics to stdout differs from the file"; fails=$((fails + 1)); }
new=$("$prm" --db "$tmp/db" task add title=New due=2026-03-02 | sed 's/^added task //')
"$prm" --db "$tmp/db" agenda ics "$tmp/again.ics" >/dev/null
grep -a '^UID:' "$tmp/agenda.ics" >"$tmp/uids1"
grep -a '^UID:' "$tmp/again.ics" | grep -v "^UID:task-$new@prm" >"$tmp/uids2"
cmp -s "$tmp/uids1" "$tmp/uids2" ||
    { echo "FAIL: a second calendar changed the items' UIDs"; fails=$((fails + 1)); }

echo "$fails failures"
[ "$fails" -eq 0 ]
