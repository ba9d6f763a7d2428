#!/bin/sh
# pg_repl_test.sh - the prompt on a team database (tmux): while prm waits
# for the next line, its connection holds no transaction open, after a
# read as after a write (a read's COMMIT goes as prm starts waiting, not
# after each command), and the commands after it see what others wrote.
#   pg_repl_test.sh PRM URI      (URI: a new, empty team database)
set -u
prm=$1 uri=$2
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
tmp=$(mktemp -d) || exit 1
sock="$tmp/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export PGOPTIONS='--client-min-messages=warning'
passed=0 failed=0

. "$(dirname "$0")/tmux_lib.sh"
fail() { # fail NAME EXPECTED ACTUAL, with the screen
    failed=$((failed + 1))
    printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    screen | sed 's/^/  | /'
}
check() { # check NAME EXPECTED ACTUAL
    [ "$2" = "$3" ] && passed=$((passed + 1)) || fail "$@"
}
shows() { # shows NAME TEXT: the screen shows TEXT
    wait_for "$2" && passed=$((passed + 1)) || fail "$1" "$2" "(not shown)"
}
# The state of prm's connection, as the server sees it (psql's own left out).
state() {
    psql -qtAX "$uri" -c "SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
}
# The state once prm has settled at the prompt (up to 5 s).
settled_state() {
    i=0
    while [ $i -lt 50 ]; do
        s=$(state)
        [ "$s" = idle ] && break
        sleep 0.1
        i=$((i + 1))
    done
    echo "$s"
}

"$prm" --db "$uri" partner add name=Acme region=EMEA >/dev/null || exit 1
tmux -S "$sock" new-session -d -x 150 -y 40 \
    "env HOME=$tmp TERM=xterm PRM_NOW=2026-03-01T12:00:00Z $prm --db '$uri'; sleep 60"
wait_for 'prm>' || { echo "no prompt"; exit 1; }

keys 'partner show Acme' Enter
shows "a read at the prompt" "region       EMEA"
check "after a read, nothing held open" idle "$(settled_state)"

keys 'partner add name=Beta' Enter
shows "a write at the prompt" "added partner 2"
check "after a write, nothing held open" idle "$(settled_state)"

# A read, then another's write: the next read sees it.
keys 'metrics' Enter
shows "metrics" "partners                        2"
"$prm" --db "$uri" partner add name=Gamma >/dev/null
keys 'metrics' Enter
shows "another's write seen" "partners                        3"
check "after metrics, nothing held open" idle "$(settled_state)"

keys 'quit' Enter
sleep 0.3
check "quit leaves no connection" "" "$(state)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
