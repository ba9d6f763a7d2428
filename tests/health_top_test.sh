#!/bin/sh
# health_top_test.sh - report partners limit=N sort=health looks for the
# healthiest partners among those contacted in the last 90 days first,
# and counts the others only when it must: whatever N and the scope, its
# rows must be the first N of the whole report sorted by health (which
# counts every partner).  300 partners, a third contacted lately, some
# with a contact dated after the report's date, some never contacted,
# with projects that succeeded or failed, resources and outcomes.
#   health_top_test.sh PRM [PG_DIR]   (PG_DIR: a team database of
#                                      pg_cluster.sh)
set -u
prm=$1
pgdir=${2:-}
name=health_top
. "$(dirname "$0")/oracle_lib.sh"

# Partner i: contacted (i % 9) * 20 days before the report's date, twice
# when i % 4 = 0; i % 31 = 0 also after it; i % 13 = 0 never; a project
# for most, succeeded or failed by i; resources and outcomes for some.
awk 'BEGIN {
    split("EMEA APAC AMER", region, " ")
    for (i = 1; i <= 300; i++) {
        printf "partner add name=P%03d region=%s status=%s\n", i,
            region[i % 3 + 1], i % 7 == 0 ? "prospect" : "active"
        if (i % 13 != 0) {
            d = (i % 9) * 20
            printf "comm add partner=P%03d method=email content=c at=%s\n",
                i, strftime_days(d)
            if (i % 4 == 0)
                printf "comm add partner=P%03d method=phone content=c at=%s\n",
                    i, strftime_days(d + 3)
        }
        if (i % 31 == 0)
            printf "comm add partner=P%03d method=email content=later at=2026-08-01\n", i
        if (i % 5 != 0) {
            printf "project add name=J%03d partner=P%03d status=%s\n", i, i,
                i % 3 == 0 ? "failed" : "succeeded"
            if (i % 2 == 0) {
                printf "resource add partner=P%03d project=J%03d kind=people amount=1\n", i, i
                if (i % 6 != 0)
                    printf "outcome add project=J%03d description=o\n", i
            }
        }
    }
}
# the date d days before 2026-07-01 (day arithmetic on a 365-day year
# is enough here: the dates only need to fall on either side of 90 days)
function strftime_days(d,    y, m, day, n) {
    n = 182 - d   # 2026-07-01 is day 182 of 2026
    y = 2026
    while (n < 1) { n += 365; y-- }
    split("31 28 31 30 31 30 31 31 30 31 30 31", len, " ")
    for (m = 1; m <= 12 && n > len[m]; m++) n -= len[m]
    return sprintf("%d-%02d-%02d", y, m, n)
}' >"$tmp/load.prm"
# In LATAM, a tie the ranking must not cut short.  O, added first, was
# contacted once on the report's date: its most possible health is its
# health, 83.  H1-H4 were contacted six times that day (they could reach
# 100), but each has six resources for one outcome: 83 too.  With
# limit=1 the ranking looks at the four with the highest bounds first
# (the H), and O, left out, ties their best with a smaller id: it must
# still come first.
{
    for p in O H1 H2 H3 H4; do
        echo "partner add name=$p region=LATAM status=active"
        echo "project add name=J$p partner=$p status=succeeded"
        echo "outcome add project=J$p description=o"
        n=1
        case $p in H*) n=6 ;; esac
        i=0
        while [ $i -lt $n ]; do
            echo "comm add partner=$p method=email content=c at=2026-07-01"
            echo "resource add partner=$p project=J$p kind=people amount=1"
            i=$((i + 1))
        done
    done
} >>"$tmp/load.prm"
"$prm" --db "$db" -f "$tmp/load.prm" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: loading: $(head -n 3 "$tmp/err")"; exit 1; }

# same N ARGS...: the first N rows of the whole sorted report
same() {
    n=$1
    shift
    "$prm" --db "$db" --csv report partners sort=health "$@" >"$tmp/all" ||
        { fail "report $*"; return; }
    head -n $((n + 1)) "$tmp/all" >"$tmp/want"
    "$prm" --db "$db" --csv report partners sort=health limit="$n" "$@" \
        >"$tmp/got" || { fail "report limit=$n $*"; return; }
    if cmp -s "$tmp/want" "$tmp/got"; then
        passed=$((passed + 1))
    else
        fail "limit=$n $*: not the first $n of the whole report"
        diff "$tmp/want" "$tmp/got" | head -n 6
    fi
}
# (a few: the contacted alone are enough; many: the others count too)
for n in 1 5 20 60 150 299 300 400; do
    same $n
done
same 10 region=EMEA
same 120 region=APAC
same 15 status=prospect
same 40 status=active type=reseller
same 1 region=LATAM
same 2 region=LATAM

finish
