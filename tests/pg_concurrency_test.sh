#!/bin/sh
# pg_concurrency_test.sh - ten prm processes, as ten users, write at once to
# one team database (1,000 commands each) while a viewer reads metrics:
# nothing is lost, no command fails, and every read is consistent.
#
#   pg_concurrency_test.sh PRM PG_DIR
set -u
prm=$1 pgdir=$2
base=$(cat "$pgdir/uri") || exit 1
export PGOPTIONS='--client-min-messages=warning'
db=concurrency_test writers=10 pairs=500
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
uri() { echo "$base" | sed "s|:///postgres?|:///$db?|; s|user=[^&]*|user=$1|"; }
admin=$(echo "$base" | sed "s|:///postgres?|:///$db?|")
users=
for i in $(seq 1 $writers); do
    psql -qX "$base" -c "DROP ROLE IF EXISTS writer$i" >/dev/null
    "$prm" --db "$admin" user add writer$i role=manager >/dev/null || exit 1
    users="$users writer$i"
done
psql -qX "$base" -c "DROP ROLE IF EXISTS reader" >/dev/null
"$prm" --db "$admin" user add reader role=viewer >/dev/null || exit 1

# Each writer: a partner, then a communication with it, 500 times.
for i in $(seq 1 $writers); do
    awk -v w="$i" -v n=$pairs 'BEGIN { for (k = 1; k <= n; k++) {
        printf "partner add name=w%d_%d region=R%d\n", w, k, w % 3
        printf "comm add partner=w%d_%d method=email content=\"note %d\"\n", w, k, k } }' \
        >"$tmp/in$i"
    "$prm" --db "$(uri writer$i)" <"$tmp/in$i" >"$tmp/out$i" 2>"$tmp/err$i" &
    pids="${pids:-} $!"
done
running() { for p in $pids; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
# The reader: one snapshot per metrics, so a communication never shows
# without its partner, and counts never go back.
reads=0 bad=0 last=0
while running; do
    line=$("$prm" --db "$(uri reader)" --json metrics)
    p=$(echo "$line" | sed -n 's/.*"partners":\([0-9]*\).*/\1/p')
    c=$(echo "$line" | sed -n 's/.*"communications":\([0-9]*\).*/\1/p')
    reads=$((reads + 1))
    if [ -z "$p" ] || [ "$c" -gt "$p" ] || [ "$p" -lt "$last" ]; then
        echo "inconsistent read: $line (previous partners $last)"
        bad=$((bad + 1))
    fi
    last=${p:-$last}
done
wait
fails=0
for i in $(seq 1 $writers); do
    if [ -s "$tmp/err$i" ]; then
        echo "writer $i failed:"; head -n 5 "$tmp/err$i"; fails=$((fails + 1))
    fi
done
final=$("$prm" --db "$(uri reader)" --json metrics)
want=$((writers * pairs))
echo "$final" | grep -q "\"partners\":$want,.*\"communications\":$want," ||
    { echo "lost writes: $final (want $want of each)"; fails=$((fails + 1)); }
owned=$("$prm" --db "$admin" --json user list | grep -o '"partners":500' | wc -l)
[ "$owned" -eq $writers ] || { echo "owners: $owned writers own 500"; fails=$((fails + 1)); }
psql -qX "$base" -c "DROP DATABASE $db" >/dev/null
for u in $users reader; do psql -qX "$base" -c "DROP ROLE $u" >/dev/null; done
echo "$writers writers x $((2 * pairs)) commands, $reads consistent reads checked, $bad inconsistent, $fails failures"
[ $bad -eq 0 ] && [ $fails -eq 0 ]
