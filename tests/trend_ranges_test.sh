#!/bin/sh
# trend_ranges_test.sh - report trend over every record and all time
# counts each period's rows in ranges of the date indexes on a file; over
# a window (since=) it groups every row by its period.  The two must give
# the same periods and counts: partners added at the first and the last
# second of months (across quarters and years), communications,
# resources and outcomes dated on the edges, projects dated by a bare
# start date or by when they were added, months with nothing in them,
# and then a date far in the past (a thousand years of months: grouped
# instead, by=year still counted in ranges).
#   trend_ranges_test.sh PRM
set -u
prm=$1
pgdir=
name=trend_ranges
. "$(dirname "$0")/oracle_lib.sh"

# add AT LINE...: run the lines with the clock at AT
add() {
    at=$1
    shift
    printf '%s\n' "$@" | PRM_NOW=$at "$prm" --db "$db" >/dev/null 2>"$tmp/err" ||
        fail "adding at $at: $(head -n 1 "$tmp/err")"
}
i=0
for at in 2024-11-01T00:00:00Z 2024-12-31T23:59:59Z 2025-01-01T00:00:00Z \
          2025-03-31T23:59:59Z 2025-04-01T00:00:00Z 2025-06-15T12:00:00Z \
          2025-10-01T00:00:00Z 2025-12-31T23:59:59Z 2026-02-28T23:59:59Z; do
    i=$((i + 1))
    add "$at" "partner add name=P$i" \
        "project add name=J$i partner=P$i status=succeeded" \
        "project add name=K$i partner=P$i status=failed start=$(echo "$at" | cut -c1-10)"
done
add 2026-03-01T00:00:00Z \
    "comm add partner=P1 method=email content=a at=2025-03-31T23:59:59Z" \
    "comm add partner=P1 method=email content=b at=2025-04-01T00:00:00Z" \
    "comm add partner=P2 method=phone content=c at=2025-12-31T23:59:59Z" \
    "comm add partner=P2 method=phone content=d at=2026-01-01" \
    "project add name=S1 partner=P3 status=active start=2025-07-01" \
    "resource add partner=P3 kind=people amount=1 at=2024-12-31T23:59:59Z" \
    "resource add partner=P4 kind=funding amount=5 at=2025-09-30" \
    "outcome add project=J1 description=won value=3 at=2025-06-30T23:59:59Z" \
    "outcome add project=J2 description=won value=4 at=2025-07-01T00:00:00Z"

# same BY: the trend over all time equals the one over a window that
# takes everything in
same() {
    "$prm" --db "$db" --json report trend by="$1" >"$tmp/ranges" ||
        { fail "trend by=$1"; return; }
    "$prm" --db "$db" --json report trend by="$1" since=0001-01-01 \
        >"$tmp/grouped" || { fail "trend by=$1 since="; return; }
    if cmp -s "$tmp/ranges" "$tmp/grouped"; then
        passed=$((passed + 1))
    else
        fail "by=$1: the trend over all time differs from the grouped one"
        diff "$tmp/grouped" "$tmp/ranges" | cut -c1-240 | head -n 6
    fi
}
for by in month quarter year; do
    same "$by"
done
# the periods themselves: a quarter's partners, counted on its edges
"$prm" --db "$db" --csv report trend by=quarter >"$tmp/q.csv"
grep -q '^2025-Q1,2,' "$tmp/q.csv" && grep -q '^2025-Q2,2,' "$tmp/q.csv" &&
    passed=$((passed + 1)) || fail "2025-Q1 and Q2 should add 2 partners each"

add 2026-03-01T00:00:00Z \
    "comm add partner=P5 method=email content=old at=0999-06-01"
for by in month quarter year; do
    same "$by"
done
finish
