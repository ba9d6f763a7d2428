#!/bin/sh
# pg_pool_test.sh - prm leaves a team database's connection idle: every
# query answered and no transaction open when it says goodbye, whatever
# the command did (read, wrote, failed, ran a script).  A connection
# pooler (PgBouncer) gives such a server connection, its caches warm, to
# the next prm started; one left mid-transaction it closes.  The sessions
# are watched by tests/pg_session_watch.py, a proxy that reads the
# protocol.
#   pg_pool_test.sh PRM URI   (URI: an empty database, pg_fresh_db.sh)
set -u
prm=$1 uri=$2
here=$(dirname "$0")
tmp=$(mktemp -d)
watch_pid=
trap '[ -n "$watch_pid" ] && kill $watch_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

server_dir=$(echo "$uri" | sed 's/.*[?&]host=\([^&]*\).*/\1/')
mkdir "$tmp/sock"
log=$tmp/sessions
: >"$log"
python3 "$here/pg_session_watch.py" "$tmp/sock" "$server_dir" "$log" &
watch_pid=$!
i=0
while [ ! -S "$tmp/sock/.s.PGSQL.5432" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "the watching proxy did not start"
    sleep 0.1
done
watched=$(echo "$uri" | sed "s|host=[^&]*|host=$tmp/sock|")

export PRM_NOW=2026-03-01T09:00:00Z
runs=0
# run EXPECTED_EXIT DESCRIPTION PRM_ARGS... (stdin passed on)
run() {
    want=$1 what=$2
    shift 2
    got=0
    "$prm" --db "$watched" "$@" >"$tmp/out" 2>&1 || got=$?
    [ "$got" -eq "$want" ] || { cat "$tmp/out" >&2; fail "$what: exit $got, not $want"; }
    runs=$((runs + 1))
    # the session's line is written once the proxy has seen it close
    i=0
    while [ "$(wc -l <"$log")" -lt $runs ]; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "$what: the session was not seen to end"
        sleep 0.05
    done
    last=$(tail -n 1 "$log")
    [ "$last" = idle ] || fail "$what: prm left the connection $last"
}

run 0 "a first write (creates the schema)" partner add name=Acme region=EMEA </dev/null
run 0 "a read" partner list </dev/null
run 0 "a report" report partners limit=20 </dev/null
run 0 "metrics in JSON" --json metrics </dev/null
run 0 "a write" partner update Acme region=APAC </dev/null
run 1 "a read that fails" partner show Nobody </dev/null
run 1 "a write that fails" partner add name=Acme </dev/null
printf 'partner add name=Beta\npartner list\npartner add name=Beta\npartner show Beta\n' >"$tmp/script.prm"
run 1 "a script with a failed line" -f "$tmp/script.prm" </dev/null
run 0 "piped reads" <<'EOF'
partner list
metrics
EOF
run 0 "an undo" undo </dev/null
echo "ok: $runs sessions, each left idle"
