#!/bin/sh
# concurrency_test.sh - several prm processes writing one database at once
# (10,000 commands each) all succeed, with nothing lost and no "database is
# locked"; a reader running metrics meanwhile always sees a consistent
# state: each writer alternates a partner and a communication with it, so
# in any committed state partners - communications is between 0 and the
# number of writers.
#   concurrency_test.sh PRM
set -u
prm=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
db="$tmp/shared.db"
writers=3
"$prm" --db "$db" metrics >/dev/null
w=1
while [ $w -le $writers ]; do
    awk -v w=$w 'BEGIN { for (i = 0; i < 5000; i++) {
        printf "partner add name=W%d-%d\n", w, i
        printf "comm add partner=W%d-%d method=email content=x\n", w, i } }' >"$tmp/w$w.prm"
    w=$((w + 1))
done
w=1
while [ $w -le $writers ]; do
    "$prm" --db "$db" -f "$tmp/w$w.prm" >/dev/null 2>"$tmp/w$w.err" &
    echo $! >"$tmp/w$w.pid"
    w=$((w + 1))
done
passed=0 failed=0 reads=0
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
# read while they write
while [ $reads -lt 400 ]; do
    out=$("$prm" --db "$db" --json metrics 2>&1) || { fail "metrics failed: $out"; break; }
    p=$(echo "$out" | sed 's/.*"partners":\([0-9]*\).*/\1/')
    c=$(echo "$out" | sed 's/.*"communications":\([0-9]*\).*/\1/')
    d=$((p - c))
    if [ $d -lt 0 ] || [ $d -gt $writers ]; then
        fail "inconsistent read: $p partners, $c communications"
        break
    fi
    reads=$((reads + 1))
    [ "$p" = $((writers * 5000)) ] && [ "$c" = $((writers * 5000)) ] && break
done
w=1
while [ $w -le $writers ]; do
    wait "$(cat "$tmp/w$w.pid")" && passed=$((passed + 1)) ||
        fail "writer $w failed: $(head -3 "$tmp/w$w.err")"
    grep -qi "locked\|busy" "$tmp/w$w.err" && fail "writer $w saw a locked database"
    w=$((w + 1))
done
out=$("$prm" --db "$db" --json metrics)
echo "$out" | grep -q "\"partners\":$((writers * 5000)),.*\"communications\":$((writers * 5000))," &&
    passed=$((passed + 1)) || fail "lost commands: $out"
"$prm" --db "$db" check >/dev/null && passed=$((passed + 1)) || fail "check failed"
echo "$reads consistent reads while $writers writers ran"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
