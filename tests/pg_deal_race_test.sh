#!/bin/sh
# pg_deal_race_test.sh - two admins approve two conflicting deals at the
# same moment, 50 times: each time exactly one approval succeeds and the
# other is refused with conflict (first approved, first protected).
#
#   pg_deal_race_test.sh PRM PG_DIR
set -u
prm=$1 pgdir=$2
base=$(cat "$pgdir/uri") || exit 1
export PGOPTIONS='--client-min-messages=warning'
db=deal_race_test rounds=50
tmp=$(mktemp -d) || exit 1
# Roles are the cluster's: gone with the database, so that other tests'
# user lists do not see them.
cleanup() {
    rm -rf "$tmp"
    psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" \
        -c "DROP ROLE IF EXISTS race_ann, race_bob" >/dev/null 2>&1
}
trap cleanup EXIT
psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -qX "$base" -c "DROP ROLE IF EXISTS race_ann, race_bob" >/dev/null
uri() { echo "$base" | sed "s|:///postgres?|:///$db?|; s|user=[^&]*|user=$1|"; }
admin=$(echo "$base" | sed "s|:///postgres?|:///$db?|")
"$prm" --db "$admin" user add race_ann role=admin >/dev/null || exit 1
"$prm" --db "$admin" user add race_bob role=admin >/dev/null || exit 1
"$prm" --db "$admin" partner add name=Acme >/dev/null || exit 1
"$prm" --db "$admin" partner add name=Initech >/dev/null || exit 1

# Round r's deals: 2r - 1 of Acme and 2r of Initech, the same customer.
awk -v n=$rounds 'BEGIN { for (r = 1; r <= n; r++) {
    printf "deal add partner=Acme customer=\"Round %d\"\n", r
    printf "deal add partner=Initech customer=\"round %d inc\"\n", r } }' |
    "$prm" --db "$admin" >/dev/null || exit 1
fails=0
for r in $(seq 1 $rounds); do
    "$prm" --db "$(uri race_ann)" --json deal approve $((2 * r - 1)) >"$tmp/a" 2>&1 &
    pa=$!
    "$prm" --db "$(uri race_bob)" --json deal approve $((2 * r)) >"$tmp/b" 2>&1 &
    pb=$!
    wait $pa $pb
    ok=$(cat "$tmp/a" "$tmp/b" | grep -c '"ok":true')
    refused=$(cat "$tmp/a" "$tmp/b" | grep -c '"code":"conflict"')
    if [ "$ok" -ne 1 ] || [ "$refused" -ne 1 ]; then
        echo "round $r: $ok approved, $refused refused"
        cat "$tmp/a" "$tmp/b"
        fails=$((fails + 1))
    fi
done
# The database agrees: one approved deal a round.
approved=$("$prm" --db "$admin" --json deal list status=approved | grep -o '"id":' | wc -l)
if [ "$approved" -ne $rounds ]; then
    echo "$approved approved deals in the database, not $rounds"
    fails=$((fails + 1))
fi
echo "$rounds rounds, $fails failed"
[ $fails -eq 0 ]
