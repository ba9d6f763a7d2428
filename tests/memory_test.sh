#!/bin/sh
# memory_test.sh - memory stays flat as input and database grow: SQLite's
# page cache is 64 MiB, on a new database as on an old one, and a long
# text table does not hold its rows in memory.  Peak RSS (GNU time's %M)
# of piping 300,000 adds into a new database (about 120 MB of pages), then
# of listing them as text and as JSON, must stay under 90 MB; with the
# cache at four times its size (as it was on a new database) the load
# took 130 MB, and the text list 103 MB when it held its rows.  Not run
# under the sanitizers, whose own memory would be counted.
#   memory_test.sh PRM
set -u
prm=$1
limit_kb=90000
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "no /usr/bin/time (Debian: time)"; exit 1; }
passed=0 failed=0
# peak NAME COMMAND...: the command's peak RSS in KB, within the limit
peak() {
    name=$1
    shift
    /usr/bin/time -o "$tmp/rss" -f %M "$@" >/dev/null 2>"$tmp/err" || {
        failed=$((failed + 1)); echo "FAIL: $name: exit status $?"; cat "$tmp/err"; return; }
    kb=$(tail -n 1 "$tmp/rss")
    if [ "$kb" -le "$limit_kb" ]; then
        passed=$((passed + 1)); echo "$name: $kb KB"
    else
        failed=$((failed + 1)); echo "FAIL: $name: $kb KB, over $limit_kb KB"
    fi
}
awk 'BEGIN { for (i = 1; i <= 300000; i++)
    printf "partner add name=\"Partner %06d\" type=reseller region=EMEA tier=gold\n", i }' >"$tmp/load.prm"
peak "piping 300,000 adds into a new database" \
    "$prm" --db "$tmp/m.db" -f "$tmp/load.prm"
peak "partner list of 300,000, as text" "$prm" --db "$tmp/m.db" partner list
peak "partner list of 300,000, as JSON" "$prm" --db "$tmp/m.db" --json partner list
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
