#!/bin/sh
# pg_money_race_test.sh - money never overdraws, even at the same moment
# on a team database, 50 times each: two admins approve two requests of
# 60 from a fund of 100 at once (exactly one is approved, the other
# refused with conflict); the manager of a partner, in two sessions, adds
# two claims of 60 against a request approved for 100 at once (exactly
# one is added).  Then check finds nothing overdrawn.
#
#   pg_money_race_test.sh PRM PG_DIR
set -u
prm=$1 pgdir=$2
base=$(cat "$pgdir/uri") || exit 1
export PGOPTIONS='--client-min-messages=warning'
db=money_race_test rounds=50
tmp=$(mktemp -d) || exit 1
cleanup() {
    rm -rf "$tmp"
    psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" \
        -c "DROP ROLE IF EXISTS money_ann, money_bob, money_cara" >/dev/null 2>&1
}
trap cleanup EXIT
psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -qX "$base" -c "DROP ROLE IF EXISTS money_ann, money_bob, money_cara" >/dev/null
uri() { echo "$base" | sed "s|:///postgres?|:///$db?|; s|user=[^&]*|user=$1|"; }
admin=$(echo "$base" | sed "s|:///postgres?|:///$db?|")
"$prm" --db "$admin" user add money_ann role=admin >/dev/null || exit 1
"$prm" --db "$admin" user add money_bob role=admin >/dev/null || exit 1
"$prm" --db "$admin" user add money_cara role=manager >/dev/null || exit 1

# Requests 2r - 1 and 2r ask fund "F r" (100) for 60 each; request
# 2 * rounds + r is approved for 100 from fund Big, for the claims.
awk -v n=$rounds 'BEGIN {
    print "partner add name=Acme owner=money_cara"
    for (r = 1; r <= n; r++) {
        printf "fund add name=\"F %d\" amount=100\n", r
        printf "request add fund=\"F %d\" partner=Acme activity=a amount=60\n", r
        printf "request add fund=\"F %d\" partner=Acme activity=b amount=60\n", r }
    print "fund add name=Big amount=1000000"
    for (r = 1; r <= n; r++) {
        printf "request add fund=Big partner=Acme activity=\"c %d\" amount=100\n", r
        printf "request approve %d\n", 2 * n + r } }' |
    "$prm" --bail --db "$admin" >/dev/null || exit 1

# Both commands of a round at once: exactly one succeeds, the other is a
# conflict.
race() { # race ROUND WHAT USER1 ARGS1 USER2 ARGS2
    r=$1 what=$2
    eval "\"\$prm\" --db \"\$(uri $3)\" --json $4" >"$tmp/a" 2>&1 &
    pa=$!
    eval "\"\$prm\" --db \"\$(uri $5)\" --json $6" >"$tmp/b" 2>&1 &
    pb=$!
    wait $pa $pb
    ok=$(cat "$tmp/a" "$tmp/b" | grep -c '"ok":true')
    refused=$(cat "$tmp/a" "$tmp/b" | grep -c '"code":"conflict"')
    if [ "$ok" -ne 1 ] || [ "$refused" -ne 1 ]; then
        echo "round $r, $what: $ok succeeded, $refused refused"
        cat "$tmp/a" "$tmp/b"
        fails=$((fails + 1))
    fi
}
fails=0
for r in $(seq 1 $rounds); do
    race $r approvals money_ann "request approve $((2 * r - 1))" \
        money_bob "request approve $((2 * r))"
    c=$((2 * rounds + r))
    race $r claims money_cara "claim add request=$c amount=60" \
        money_cara "claim add request=$c amount=60"
done
# The database agrees: one approved request a fund, one claim a request,
# and check finds nothing overdrawn or over-claimed.
approved=$("$prm" --db "$admin" --json request list status=approved | grep -o '"activity":"[ab]"' | wc -l)
claims=$("$prm" --db "$admin" --json claim list | grep -o '"id":' | wc -l)
if [ "$approved" -ne $rounds ] || [ "$claims" -ne $rounds ]; then
    echo "$approved requests approved and $claims claims, not $rounds each"
    fails=$((fails + 1))
fi
if ! "$prm" --db "$admin" check >"$tmp/check" 2>&1; then
    echo "check found a problem:"
    cat "$tmp/check"
    fails=$((fails + 1))
fi
echo "$rounds rounds of approvals and of claims, $fails failed"
[ $fails -eq 0 ]
