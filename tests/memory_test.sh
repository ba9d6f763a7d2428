#!/bin/sh
# memory_test.sh - memory stays flat as input and database grow: SQLite's
# page cache is 64 MiB, on a new database as on an old one, and a long
# text table does not hold its rows in memory, nor import json a whole
# document.  Peak RSS (GNU time's %M) of piping 300,000 adds into a new
# database (about 120 MB of pages), of exporting them as JSON and
# importing that into a new database, and of listing them as text and as
# JSON, must stay under 90 MB; with the
# cache at four times its size (as it was on a new database) the load
# took 130 MB, the text list 103 MB when it held its rows, and import json
# 587 MB when it parsed the whole document first.  Not run
# under the sanitizers, whose own memory would be counted.
# With PG_DIR (a cluster of tests/pg_cluster.sh) the same on a team
# database of 300,000 partners instead, under 40 MB: a list and an export
# read the rows as they come (libpq's single-row mode), where holding the
# whole result took 95 MB.
#   memory_test.sh PRM [PG_DIR]
set -u
prm=$1 pgdir=${2:-}
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
if [ -z "$pgdir" ]; then
    db=$tmp/m.db
    awk 'BEGIN { for (i = 1; i <= 300000; i++)
        printf "partner add name=\"Partner %06d\" type=reseller region=EMEA tier=gold\n", i }' >"$tmp/load.prm"
    peak "piping 300,000 adds into a new database" \
        "$prm" --db "$db" -f "$tmp/load.prm"
    peak "export json of 300,000" "$prm" --db "$db" export json "$tmp/all.json"
    peak "import json of 300,000 into a new database" \
        "$prm" --db "$tmp/copy.db" import json "$tmp/all.json"
else
    # The rows are made by the server itself, in a second: only reading
    # them back is measured.
    limit_kb=40000
    base=$(cat "$pgdir/uri") || exit 1
    export PGOPTIONS='--client-min-messages=warning'
    psql -qX "$base" -c "DROP DATABASE IF EXISTS memory_test" \
        -c "CREATE DATABASE memory_test" >/dev/null || exit 1
    db=$(echo "$base" | sed "s|:///postgres?|:///memory_test?|")
    "$prm" --db "$db" metrics >/dev/null || exit 1
    # (as the cluster's superuser, without the audit triggers)
    psql -qX "$db" -c "SET session_replication_role = replica" \
        -c "INSERT INTO partners (id, name, type, region,
        created_at, updated_at) SELECT g, 'Partner ' || g, 'reseller', 'EMEA',
        '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'
        FROM generate_series(1, 300000) AS g" >/dev/null || exit 1
    peak "export jsonl of 300,000" "$prm" --db "$db" export jsonl "$tmp/x.jsonl"
fi
peak "partner list of 300,000, as text" "$prm" --db "$db" partner list
peak "partner list of 300,000, as JSON" "$prm" --db "$db" --json partner list
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
