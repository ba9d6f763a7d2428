#!/bin/sh
# tallies_test.sh - the counts kept for metrics stay exact under every path
# that changes records: adds, status changes, the deal verbs, deletes with
# cascade, undo, import, restore with force=yes, changes made around prm
# (the sqlite3 shell on a file; psql, as a manager, on a team database),
# and the migration that first counts them.  After each step check passes
# (it recounts) and an unfiltered metrics, which reads the kept counts,
# equals the same metrics over dates (since= a date before any: the
# counts kept by day), metrics over windows that cut days equal a count
# by hand (the whole days kept summed, the edge days counted), and so
# does metrics of a region, a status and a type, and report partners
# (each partner's figures are kept too), and the dormant and expand
# partners that insights reads (on a team database, in order from the
# kept figures) equal the first of all of them worked out from every
# partner's (limit=0).  On a team database also
# writers at once.  Then a count changed by hand: check fails naming it,
# and check repair=yes (an admin's) puts it right.
#   tallies_test.sh PRM FIXTURES_DIR [PG_DIR]   (PG_DIR: a team database
#                                                of pg_cluster.sh)
set -u
prm=$1
fixtures=$2
pgdir=${3:-}
. "$(dirname "$0")/oracle_lib.sh"

if [ -n "$pgdir" ]; then
    db=$(team_db tallies_test)
    imported=$(team_db tallies_import)
    psql -qX "$base" -c "DROP ROLE IF EXISTS tally_tim" >/dev/null
    "$prm" --db "$db" user add tally_tim role=manager >/dev/null ||
        fail "user add"
    as_tim=$(echo "$db" | sed "s|user=[^&]*|user=tally_tim|")
    outside() { psql -qX -v ON_ERROR_STOP=1 "$as_tim" -c "$1" >/dev/null; }
    by_hand() { psql -qX -v ON_ERROR_STOP=1 "$db" -c "$1" >/dev/null; }
else
    db="$tmp/t.db"
    imported="$tmp/imported.db"
    outside() { sqlite3 "$db" "$1"; }
    by_hand() { sqlite3 "$db" "$1"; }
fi

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
    # a scope's communications and resources, summed from the partners'
    # kept figures, against a count of the rows
    for scope in region=EMEA status=active type=distributor; do
        kept=$("$prm" --db "$1" --json metrics $scope)
        counted=$("$prm" --db "$1" --json metrics $scope since=1900-01-01)
        [ "$kept" = "$counted" ] ||
            fail "$2: metrics $scope from the kept figures differ from a count"
    done
    # windows that cut days, and whole ones
    window "$1" "$2" 2026-06-30T12:00:00Z ""
    window "$1" "$2" "" 2026-07-01T06:00:00Z
    window "$1" "$2" 2026-06-29T00:00:00Z 2026-06-30T23:59:59Z
    window "$1" "$2" 2026-07-01T00:00:00Z 2026-07-01T23:00:00Z
    # each partner's figures, kept, against their count
    kept=$("$prm" --db "$1" --json report partners)
    counted=$("$prm" --db "$1" --json report partners since=1900-01-01)
    [ "$kept" = "$counted" ] ||
        fail "$2: report partners from the kept figures differs from a count"
    # the dormant and expand partners read in order from the kept figures
    # (the first ten) against all of them worked out from every partner's
    for rule in dormant_partner expand_partner; do
        found "$1" 10 $rule >"$tmp/walked" && found "$1" 0 $rule >"$tmp/all" ||
            fail "$2: insights"
        head -n 10 "$tmp/all" | cmp -s - "$tmp/walked" ||
            fail "$2: $rule read in order differs from a count"
    done
}

# ask DB SQL: the answer's rows, values separated by spaces
ask() {
    if [ -n "$pgdir" ]; then
        psql -qXtA -F' ' -v ON_ERROR_STOP=1 "$1" -c "$2"
    else
        sqlite3 -separator ' ' "$1" "$2"
    fi
}

# window DB STEP SINCE UNTIL: metrics over the window (full timestamps,
# either may be empty), which a team database reads from the counts kept
# by day, equal the same counted by hand
window() {
    w="TRUE" args="" asof=$PRM_NOW
    [ -n "$3" ] && w="$w AND COL >= '$3'" args="since=$3"
    [ -n "$4" ] && w="$w AND COL <= '$4'" args="$args until=$4" asof=$4
    live="(status = 'submitted' OR (status = 'approved' AND (expires IS NULL OR expires > '$asof')))"
    at=$(echo "$w" | sed 's/COL/at/g')
    started=$(echo "$w" | sed 's/COL/coalesce(start, created_at)/g')
    made=$(echo "$w" | sed 's/COL/created_at/g')
    want=$(ask "$1" "SELECT (SELECT count(*) FROM communications WHERE $at), (SELECT count(*) FROM resources WHERE $at), (SELECT count(*) FROM outcomes WHERE $at), (SELECT count(*) FROM projects WHERE $started), (SELECT count(*) FROM projects WHERE $started AND status = 'succeeded'), (SELECT count(*) FROM projects WHERE $started AND status = 'failed'), (SELECT count(*) FROM deals WHERE $made), (SELECT count(*) FROM deals WHERE $made AND status = 'won'), (SELECT count(*) FROM deals WHERE $made AND status = 'lost'), (SELECT count(*) FROM deals WHERE $made AND $live), (SELECT coalesce(sum(amount), 0) FROM deals WHERE $made AND status = 'approved' AND $live), (SELECT coalesce(sum(amount), 0) FROM deals WHERE $made AND status = 'won')") ||
        { fail "$2: counting $args by hand"; return; }
    got=$("$prm" --db "$1" --json metrics $args | python3 -c 'import json, sys
m = json.load(sys.stdin)["metrics"]
keys = ["communications", "resources", "outcomes", "projects", "succeeded",
        "failed", "deals", "deals_won", "deals_lost", "deals_active"]
print(" ".join([str(m[k]) for k in keys] +
               [str(round(float(m[k]) * 100)) for k in ("pipeline_value", "won_value")]))')
    if [ "$got" = "$want" ]; then
        passed=$((passed + 1))
    else
        fail "$2: metrics $args differ from a count by hand"
        echo "  prm:     $got"
        echo "  by hand: $want"
    fi
}

# found DB LIMIT RULE: the findings of RULE in insights limit=LIMIT, a line
# each (thresholds that most partners of these tests meet)
found() {
    "$prm" --db "$1" --json insights "limit=$2" dormant_days=30 \
        expand_rate=0 expand_max_projects=5 |
        python3 -c 'import json, sys
for i in json.load(sys.stdin)["insights"]:
    if i["rule"] == sys.argv[1]:
        print(json.dumps({k: v for k, v in i.items() if k != "rank"}))' "$3"
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
run "dated records, on days the windows cut" <<'EOF'
comm add partner=Acme method=email content=early at=2026-06-29T08:00:00Z
comm add partner=Acme method=email content=noon at=2026-06-30T12:00:00Z
comm add partner=Beta method=phone content=late at=2026-06-30T18:30:00Z
comm add partner=Beta method=chat content=dawn at=2026-07-01T05:00:00Z
comm add partner=Gamma method=chat content=day at=2026-07-01T09:00:00Z
resource add partner=Beta kind=people amount=1 at=2026-06-30T06:00:00Z
outcome add project=P1 description=lead at=2026-06-30T20:00:00Z
project add name=P4 partner=Beta status=failed start=2026-06-30
project add name=P5 partner=Gamma status=succeeded start=2026-07-01
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
run "records moved to other days" <<'EOF'
outcome update 2 at=2026-06-29T10:00:00Z
resource update 2 at=2026-07-01T07:00:00Z
comm update 3 at=2026-07-01T01:00:00Z
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
"$prm" --db "$imported" import jsonl "$tmp/all.jsonl" >/dev/null 2>"$tmp/err" ||
    fail "import: $(cat "$tmp/err")"
exact "$imported" "import"
"$prm" --db "$db" restore "$tmp/backup.db" force=yes >/dev/null 2>"$tmp/err" ||
    fail "restore: $(cat "$tmp/err")"
exact "$db" "restore force=yes"

# around prm: the triggers are in the database, so they count too (on a
# file, rows inserted around prm are not counted: check repair=yes)
outside "DELETE FROM outcomes" || fail "deleting around prm"
outside "UPDATE projects SET status = 'cancelled' WHERE id = 2" ||
    fail "updating around prm"
outside "UPDATE deals SET amount = amount + 1" || fail "updating deals"
if [ -n "$pgdir" ]; then
    "$prm" --db "$as_tim" partner add name=Tims >/dev/null ||
        fail "a manager's partner"
    outside "INSERT INTO communications (partner_id, method, at, content) SELECT id, 'email', '2026-06-01T00:00:00Z', 'by psql' FROM partners WHERE name = 'Tims'" ||
        fail "inserting with psql"
fi
# moves (the last contact read again where the latest may have gone),
# last, so that on a team database no prm commit folds them before the
# reads: what is read adds up the changes not yet folded
by_hand "UPDATE communications SET partner_id = 3, at = '2020-01-01T00:00:00Z' WHERE id = (SELECT max(id) FROM communications WHERE partner_id = 2)" ||
    fail "moving a communication"
by_hand "UPDATE resources SET partner_id = 2 WHERE partner_id = 1" ||
    fail "moving a resource"
by_hand "UPDATE deals SET partner_id = 3 WHERE id = 2" || fail "moving a deal"
by_hand "UPDATE deals SET created_at = '2026-06-30T13:00:00Z' WHERE id = 1" ||
    fail "moving a deal to another day"
by_hand "UPDATE communications SET at = '2026-06-29T23:00:00Z' WHERE content = 'dawn'" ||
    fail "moving a communication to another day"
by_hand "UPDATE projects SET start = '2026-06-29' WHERE name = 'P4'" ||
    fail "moving a project to another day"
by_hand "DELETE FROM communications WHERE id = (SELECT min(id) FROM communications WHERE partner_id = 1)" ||
    fail "deleting a communication"
exact "$db" "changes made around prm"

if [ -n "$pgdir" ]; then
    # writers at once: each folds the changes of those before it
    for w in 1 2 3; do
        awk -v w=$w 'BEGIN { for (i = 0; i < 300; i++) {
            printf "partner add name=W%d_%d\n", w, i
            printf "comm add partner=W%d_%d method=email content=c\n", w, i
            if (i % 3 == 0) printf "deal add partner=W%d_%d customer=C%d_%d amount=5\n", w, i, w, i
        } }' >"$tmp/w$w.prm"
        "$prm" --db "$db" -f "$tmp/w$w.prm" >/dev/null 2>"$tmp/w$w.err" &
    done
    wait
    for w in 1 2 3; do
        [ -s "$tmp/w$w.err" ] && fail "writer $w: $(head -n 1 "$tmp/w$w.err")"
    done
    exact "$db" "three writers at once"
    # a transaction marked as a bulk load, as an import marks its own:
    # its inserts add no changes, every partner's figures are counted as
    # it commits, whoever marked it, and the mark goes with it
    outside "BEGIN; SELECT prm_partner_tally_bulk(); INSERT INTO communications (partner_id, method, at, content) SELECT id, 'chat', '2026-06-03T00:00:00Z', 'marked' FROM partners WHERE name = 'Tims'; INSERT INTO resources (partner_id, kind, amount, at) SELECT id, 'people', 2, '2026-06-03T00:00:00Z' FROM partners WHERE name = 'Tims'; COMMIT" ||
        fail "a transaction marked as a bulk load"
    left=$(psql -qXtA "$db" -c "SELECT (SELECT count(*) FROM prm_partner_tally_bulk) + (SELECT count(*) FROM prm_partner_tally_changes)")
    [ "$left" = 0 ] ||
        fail "a bulk load's mark or changes outlived it ($left rows)"
    exact "$db" "a transaction marked as a bulk load"
    # a manager may not count again
    if "$prm" --db "$as_tim" check repair=yes >/dev/null 2>&1; then
        fail "a manager's check repair=yes"
    else
        passed=$((passed + 1))
    fi
else
    # an older file with records: the migration counts them
    for v in "$fixtures"/v*.sql; do
        old="$tmp/$(basename "$v" .sql).db"
        sqlite3 "$old" <"$v" || { fail "fixture $v"; continue; }
        chmod 600 "$old"
        exact "$old" "migrated from $(basename "$v")"
    done
fi

# miscounted SQL MESSAGE: after SQL by hand, check fails saying MESSAGE,
# and check repair=yes counts again
miscounted() {
    by_hand "$1"
    if out=$("$prm" --db "$db" check 2>&1); then
        fail "check passed with a wrong count ($1)"
    else
        case $out in
        *"$2"*) passed=$((passed + 1)) ;;
        *) fail "check's message: $out" ;;
        esac
    fi
    "$prm" --db "$db" check repair=yes >/dev/null 2>"$tmp/err" ||
        fail "check repair=yes: $(cat "$tmp/err")"
    exact "$db" "after check repair=yes ($1)"
}
miscounted "UPDATE prm_tallies SET n = n + 7 WHERE name = 'communications'" \
    "differ from a recount (communications: "
if [ -n "$pgdir" ]; then # a count by day: check names the day
    miscounted "UPDATE prm_day_tallies SET n = n + 1 WHERE name = 'communications' AND day = '2026-06-30'" \
        "differ from a recount (communications on 2026-06-30: "
fi

# a partner's figure changed by hand, a communication counted that is not
# there (on a file: inserted around prm, which is not counted; on a team
# database: a change by hand), a partner's row deleted: check names the
# partner and the figure, repair=yes counts again
if [ -n "$pgdir" ]; then
    uncounted="INSERT INTO prm_partner_tally_changes (partner_id, communications) VALUES (2, 1)"
else
    uncounted="INSERT INTO communications (partner_id, method, at, content) VALUES (2, 'email', '2026-06-01T00:00:00Z', 'by the shell')"
fi
for edit in "UPDATE prm_partner_tallies SET outcomes = outcomes + 2 WHERE partner_id = 2|partner 2 differ from a recount (outcomes: " \
    "$uncounted|partner 2 differ from a recount (communications: " \
    "DELETE FROM prm_partner_tallies WHERE partner_id = 2|partner 2 differ from a recount (projects: 0 kept, "; do
    miscounted "${edit%%|*}" "the figures kept for ${edit#*|}"
done

if [ -n "$pgdir" ]; then # (the role goes once nothing of it is left)
    psql -qX "$base" -c "DROP DATABASE tallies_test" \
        -c "DROP DATABASE tallies_import" -c "DROP ROLE tally_tim" >/dev/null
fi
name=tallies
finish
