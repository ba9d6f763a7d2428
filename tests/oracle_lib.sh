# oracle_lib.sh - what the tests that check prm against an oracle share: a
# private directory, a fixed clock, the counts of checks, and new team
# databases (team_db) on the cluster of a PG_DIR of pg_cluster.sh, each
# dropped at the end.  Sourced with pgdir set (empty: files only); with
# name set too, db is the test's database: a file, or a team database of
# that name when pgdir is given.
tmp=$(mktemp -d) || exit 1
chmod 700 "$tmp"
export PRM_NOW=2026-07-01T00:00:00Z NO_COLOR=1
export PGOPTIONS='--client-min-messages=warning'
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

: >"$tmp/team_dbs"
cleanup() {
    while read -r team; do
        psql -qX "$base" -c "DROP DATABASE IF EXISTS $team" >/dev/null
    done <"$tmp/team_dbs"
    rm -rf "$tmp"
}
trap cleanup EXIT

# team_db NAME: the URI of a new, empty team database
team_db() {
    psql -qX "$base" -c "DROP DATABASE IF EXISTS $1" \
        -c "CREATE DATABASE $1" >/dev/null || exit 1
    echo "$1" >>"$tmp/team_dbs"
    echo "$base" | sed "s|:///postgres?|:///$1?|"
}

if [ -n "$pgdir" ]; then
    base=$(cat "$pgdir/uri") || exit 1
fi
if [ -n "${name:-}" ]; then
    if [ -n "$pgdir" ]; then db=$(team_db "$name"); else db="$tmp/$name.db"; fi
fi

# The summary line; the test's exit status.
finish() {
    echo "$name: $passed passed, $failed failed"
    [ $failed -eq 0 ]
}
