#!/bin/sh
# tallies_test.sh - the counts a file keeps for metrics stay exact under
# every path that changes records: adds, status changes, the deal verbs,
# deletes with cascade, undo, import, restore with force=yes, the sqlite3
# shell, and the migration that first counts them.  After each step check
# passes (it recounts) and an unfiltered metrics, which reads the kept
# counts, equals the same metrics counted from the records (since= a date
# before any: every record, counted the slow way).  Then a count changed
# by hand: check fails naming it, and check repair=yes puts it right.
#   tallies_test.sh PRM FIXTURES_DIR
set -u
prm=$1
fixtures=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 700 "$tmp"
export PRM_NOW=2026-07-01T00:00:00Z NO_COLOR=1
db="$tmp/t.db"
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# exact DB STEP: check passes and the kept counts give the counted metrics
exact() {
    if out=$("$prm" --db "$1" check 2>&1); then :; else
        fail "$2: check: $out"
        return
    fi
    kept=$("$prm" --db "$1" --json metrics)
    counted=$("$prm" --db "$1" --json metrics since=1900-01-01)
    if [ "$kept" = "$counted" ]; then
        passed=$((passed + 1))
    else
        fail "$2: metrics from the kept counts differ from a count"
        echo "  kept:    $kept"
        echo "  counted: $counted"
    fi
}

run() { # STEP: the commands on stdin, into $db
    "$prm" --db "$db" >/dev/null 2>"$tmp/err" || {
        fail "$1: $(cat "$tmp/err")"
        return
    }
    exact "$db" "$1"
}

run "adds" <<'EOF'
partner add name=Acme type=reseller region=EMEA
partner add name=Beta type=distributor region=APAC
partner add name=Gamma type=technology region=AMER
project add name=P1 partner=Acme status=active
project add name=P2 partner=Beta status=planned
project add name=P3 partner=Gamma status=succeeded
comm add partner=Acme method=email content=hello
comm add partner=Beta method=phone content=call
resource add partner=Acme project=P1 kind=people amount=3
outcome add project=P3 description=won
deal add partner=Acme customer=Foo amount=1000.50 close=2026-08-01
deal add partner=Beta customer=Bar amount=200 close=2026-09-01
deal add partner=Gamma customer=Baz amount=75.25
EOF
run "status changes and deal verbs" <<'EOF'
project update P1 status=succeeded
project update P2 status=failed
project update P2 status=active
deal approve 1
deal approve 2 days=10
deal won 1 amount=1500
deal lost 2 reason=price
deal update 3 amount=80
deal reject 3 reason=duplicate
EOF
run "undo" <<'EOF'
undo
undo 2
EOF
run "delete with cascade" <<'EOF'
partner delete Acme --cascade
EOF
run "undo of a cascade" <<'EOF'
undo
EOF
"$prm" --db "$db" --json export jsonl "$tmp/all.jsonl" >/dev/null ||
    fail "export"
"$prm" --db "$db" backup "$tmp/backup.db" >/dev/null || fail "backup"
run "more deals" <<'EOF'
deal add partner=Beta customer=Qux amount=10
deal approve 4
deal cancel 4
EOF

# import into a new database, and restore over one that has records
db="$tmp/imported.db"
"$prm" --db "$db" import jsonl "$tmp/all.jsonl" >/dev/null 2>"$tmp/err" ||
    fail "import: $(cat "$tmp/err")"
exact "$db" "import"
db="$tmp/t.db"
"$prm" --db "$db" restore "$tmp/backup.db" force=yes >/dev/null 2>"$tmp/err" ||
    fail "restore: $(cat "$tmp/err")"
exact "$db" "restore force=yes"

# the sqlite3 shell: the triggers are in the file, so they count too
if command -v sqlite3 >/dev/null; then
    sqlite3 "$db" "DELETE FROM outcomes; UPDATE projects SET status = 'cancelled' WHERE id = 2; UPDATE deals SET amount = amount + 1;" ||
        fail "sqlite3"
    exact "$db" "changes made in the sqlite3 shell"
fi

# an older database with records: the migration counts them
for v in "$fixtures"/v*.sql; do
    old="$tmp/$(basename "$v" .sql).db"
    sqlite3 "$old" <"$v" || { fail "fixture $v"; continue; }
    chmod 600 "$old"
    exact "$old" "migrated from $(basename "$v")"
done

# a count changed by hand: check says which, repair=yes counts again
sqlite3 "$db" "UPDATE prm_tallies SET n = n + 7 WHERE name = 'communications'"
if out=$("$prm" --db "$db" check 2>&1); then
    fail "check passed with a wrong count"
else
    case $out in
    *"differ from a recount (communications: "*" kept, "*" counted)"*)
        passed=$((passed + 1)) ;;
    *) fail "check's message: $out" ;;
    esac
fi
"$prm" --db "$db" check repair=yes >/dev/null 2>"$tmp/err" ||
    fail "check repair=yes: $(cat "$tmp/err")"
exact "$db" "after check repair=yes"

echo "tallies: $passed passed, $failed failed"
[ $failed -eq 0 ]
