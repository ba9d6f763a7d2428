#!/bin/sh
# json_suite_test.sh - import json on every parsing case of JSONTestSuite
# (tests/testdata/json-test-suite/test_parsing, see its README): each
# file is refused with a clear error (n_*: not valid JSON; y_* and i_*:
# valid or not, never a prm export), prm never crashes, and the database
# is left as it was.
#   json_suite_test.sh PRM SUITE_DIR
set -u
prm=$1 suite=$2
[ -d "$suite" ] || { echo "missing test data: $suite"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
db="$tmp/db"
"$prm" --db "$db" partner add name=Keep >/dev/null
"$prm" --db "$db" export json "$tmp/before.json" >/dev/null
passed=0 failed=0
for f in "$suite"/*.json; do
    out=$("$prm" --db "$db" --json import json "$f" 2>/dev/null)
    code=$?
    name=$(basename "$f")
    case "$out" in
    '{"ok":false,"error":{"code":"invalid_value","message":'*) ok=yes ;;
    *) ok=no ;;
    esac
    case "$name" in
    n_*) echo "$out" | grep -q 'not valid JSON\|not a prm export' || ok=no ;;
    y_*) echo "$out" | grep -q 'not a prm export' || ok=no ;;
    esac
    if [ "$code" = 1 ] && [ $ok = yes ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name: exit $code: $out"
    fi
done
"$prm" --db "$db" export json "$tmp/after.json" >/dev/null
if cmp -s "$tmp/before.json" "$tmp/after.json"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: the database changed"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
