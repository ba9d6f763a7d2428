# oracle_lib.sh - what the tests that check a query against an oracle
# share: a private directory, a fixed clock, the counts of checks, and the
# database to load: a file, or with a PG_DIR of pg_cluster.sh a new
# database of the test cluster, dropped at the end.
#   . oracle_lib.sh   (with name, and pgdir empty or set, beforehand)
tmp=$(mktemp -d) || exit 1
chmod 700 "$tmp"
export PRM_NOW=2026-07-01T00:00:00Z NO_COLOR=1
export PGOPTIONS='--client-min-messages=warning'
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

if [ -n "$pgdir" ]; then
    base=$(cat "$pgdir/uri") || exit 1
    psql -qX "$base" -c "DROP DATABASE IF EXISTS $name" \
        -c "CREATE DATABASE $name" >/dev/null || exit 1
    db=$(echo "$base" | sed "s|:///postgres?|:///$name?|")
    trap 'rm -rf "$tmp"; psql -qX "$base" -c "DROP DATABASE $name" >/dev/null' EXIT
else
    db="$tmp/$name.db"
    trap 'rm -rf "$tmp"' EXIT
fi

# The summary line; the test's exit status.
finish() {
    echo "$name: $passed passed, $failed failed"
    [ $failed -eq 0 ]
}
