#!/bin/sh
# agenda_kept_test.sh - the agenda a file keeps (prm_agenda) stays the
# agenda of the records under every path that changes them: adds, updates
# of every field an item is made of, the task and deal verbs, links of a
# project to its partners, a partner's last contact coming and going,
# deletes with cascade, undo, import, restore with force=yes, changes made
# around prm in the sqlite3 shell, and the migration that first keeps it.
# After each step check passes (it compares what is kept with the
# records) and prm's agenda, which reads what is kept, equals the same
# items worked out by hand in SQL from the records alone, for the week,
# today and a quarter.  Then an item changed by hand: check fails naming
# it, and check repair=yes makes the agenda again.
#   agenda_kept_test.sh PRM FIXTURES_DIR
set -u
prm=$1
fixtures=$2
pgdir=
. "$(dirname "$0")/oracle_lib.sh"
db="$tmp/a.db"

# by_hand DB DAYS: the agenda of DAYS days from PRM_NOW, a line an item
# (kind, date, id, partner, text), worked out from the records alone
by_hand() {
    sqlite3 -separator '|' "$1" "
WITH c(now, until, quiet_before) AS (SELECT '$PRM_NOW',
    date('$PRM_NOW', '+$2 days') || 'T23:59:59Z',
    strftime('%Y-%m-%dT%H:%M:%SZ', '$PRM_NOW', '-90 days'))
SELECT kind, date, id, coalesce(partner, 'null'), text FROM (
SELECT 'task' AS kind, t.due AS date, t.id, coalesce(t.partner_id,
    (SELECT d.partner_id FROM deals d WHERE d.id = t.deal_id),
    (SELECT min(pp.partner_id) FROM project_partners pp
     WHERE pp.project_id = t.project_id)) AS partner, t.title AS text
  FROM tasks t, c WHERE t.status = 'open' AND t.due <= c.until
UNION ALL SELECT 'deal_expiring', d.expires, d.id, d.partner_id,
    'deal ' || d.id || ' for ' || d.customer || ' expires'
  FROM deals d, c WHERE d.status = 'approved' AND d.expires > c.now
    AND d.expires <= c.until
UNION ALL SELECT 'deal_close', d.close, d.id, d.partner_id,
    'deal ' || d.id || ' for ' || d.customer || ' is due to close'
  FROM deals d, c WHERE d.status = 'approved'
    AND (d.expires IS NULL OR d.expires > c.now) AND d.close <= c.until
UNION ALL SELECT 'project_due', p.due, p.id,
    (SELECT min(pp.partner_id) FROM project_partners pp
     WHERE pp.project_id = p.id), 'project ' || p.name || ' is due'
  FROM projects p, c WHERE p.status IN ('planned', 'active')
    AND p.due <= c.until
UNION ALL SELECT 'partner_quiet',
    strftime('%Y-%m-%dT%H:%M:%SZ', q.last, '+90 days'), q.id, q.id,
    'no contact with ' || q.name || ' since ' || substr(q.last, 1, 10)
  FROM (SELECT p.id, p.name, coalesce((SELECT max(m.at) FROM communications m
                                       WHERE m.partner_id = p.id),
                                      p.created_at) AS last
        FROM partners p, c WHERE p.status = 'active' AND (
          p.id IN (SELECT pp.partner_id FROM project_partners pp
                   JOIN projects j ON j.id = pp.project_id
                   WHERE j.status = 'active')
          OR p.id IN (SELECT partner_id FROM deals WHERE status = 'submitted'
                      OR status = 'approved' AND (expires IS NULL OR
                                                  expires > c.now)))) AS q, c
  WHERE q.last < c.quiet_before
) ORDER BY date, kind, id;"
}

# kept DB DAYS: prm's agenda, the same way
kept() {
    "$prm" --db "$1" --json agenda "days=$2" | python3 -c 'import json, sys
for i in json.load(sys.stdin)["agenda"]:
    p = "null" if i["partner"] is None else i["partner"]
    print("|".join(str(v) for v in (i["kind"], i["date"], i["id"], p,
                                    i["text"])))'
}

# exact DB STEP: check passes, and the agenda kept is the records'
exact() {
    if out=$("$prm" --db "$1" check 2>&1); then :; else
        fail "$2: check: $out"
        return
    fi
    for days in 7 0 90; do
        by_hand "$1" $days >"$tmp/want" || { fail "$2: by hand"; return; }
        kept "$1" $days >"$tmp/got" || { fail "$2: agenda"; return; }
        if cmp -s "$tmp/want" "$tmp/got"; then
            passed=$((passed + 1))
        else
            fail "$2: agenda days=$days differs from the records'"
            diff "$tmp/want" "$tmp/got" | head -n 10
        fi
    done
}

run() { # STEP: the commands on stdin, into $db
    "$prm" --db "$db" >/dev/null 2>"$tmp/err" || {
        fail "$1: $(cat "$tmp/err")"
        return
    }
    exact "$db" "$1"
}

# (PRM_NOW is 2026-07-01: records made now are not quiet; those contacted
# or made before 2026-04-02 are)
PRM_NOW=2025-01-01T00:00:00Z "$prm" --db "$db" >/dev/null <<'EOF' ||
partner add name=Acme
partner add name=Beta
partner add name=Delta status=inactive
partner add name=Idle
partner add name=Solo
partner add name=Lone
EOF
    fail "partners made long ago"
run "adds" <<'EOF'
partner add name=Gamma
project add name=P1 partner=Acme status=active due=2026-07-03
project add name=P2 partners=Beta,Gamma status=planned due=2026-06-20
project add name=P3 partner=Delta status=active due=2026-07-05
project add name=P4 partner=Idle status=succeeded due=2026-07-02
deal add partner=Beta customer=Foo close=2026-07-04
deal approve 1 days=5
deal add partner=Gamma customer=Bar close=2026-09-01
deal approve 2 days=200
deal add partner=Gamma customer=Baz
deal add partner=Idle customer=Old close=2026-07-02
deal add partner=Acme customer=Pending
task add title=Call partner=Acme due=2026-07-02
task add title="Via the deal" deal=1 due=2026-06-30
task add title="Via the project" project=P2 due=2026-07-06
task add title=Undated partner=Beta
task add title=Later partner=Gamma due=2026-09-15
comm add partner=Acme method=email content=a at=2026-03-01
comm add partner=Beta method=phone content=b at=2026-05-01
deal add partner=Solo customer=Only
project add name=P5 partner=Lone status=planned
task add title="Lone's" project=P5 due=2026-07-02
EOF
run "updates of what items are made of" <<'EOF'
project update P1 due=2026-07-01 name=P1b
project update P2 status=active
project update P4 status=active
project update P3 partners=Acme
deal update 2 close=2026-07-07 customer=Barr
deal approve 3 days=30
task update 1 title="Call again" due=2026-07-08
task update 4 due=2026-07-03
task update 5 partner=Acme
partner update Beta name=Betamax
partner update Idle status=inactive
project update P5 status=active
EOF
run "contacts come and go" <<'EOF'
comm add partner=Acme method=email content=c at=2026-06-30
comm add partner=Gamma method=email content=d at=2025-01-01
comm add partner=Betamax method=email content=e at=2026-01-10
comm update 3 at=2026-01-01
comm delete 1
comm add partner=Lone method=email content=edge at=2026-04-02T00:00:00Z
comm add partner=Solo method=email content=edge at=2026-04-01T23:59:59Z
EOF
run "task and deal verbs" <<'EOF'
task done 2
deal reject 4 reason=dup
deal won 1
deal extend 2 days=1
deal cancel 3
EOF
run "undo" <<'EOF'
undo
undo 3
EOF
run "deletes with cascade" <<'EOF'
task delete 1
project delete P2 --cascade
deal delete 2 --cascade
EOF
run "undo of a cascade" <<'EOF'
undo
EOF
run "a partner deleted with its work" <<'EOF'
partner delete Acme --cascade
EOF
run "undo of a partner's delete" <<'EOF'
undo
EOF
run "the partner deleted again" <<'EOF'
partner delete Acme --cascade
EOF
"$prm" --db "$db" --json export jsonl "$tmp/all.jsonl" >/dev/null ||
    fail "export"
"$prm" --db "$db" backup "$tmp/backup.db" >/dev/null || fail "backup"
run "more" <<'EOF'
partner add name=Echo
deal add partner=Echo customer=New close=2026-07-02
task add title=Echo partner=Echo due=2026-07-01
EOF
"$prm" --db "$tmp/imported.db" import jsonl "$tmp/all.jsonl" >/dev/null \
    2>"$tmp/err" || fail "import: $(cat "$tmp/err")"
exact "$tmp/imported.db" "import"
"$prm" --db "$db" restore "$tmp/backup.db" force=yes >/dev/null \
    2>"$tmp/err" || fail "restore: $(cat "$tmp/err")"
exact "$db" "restore force=yes"

# around prm: the triggers are in the database
shell() { sqlite3 "$db" "$1" || fail "in the shell: $1"; }
pid() { sqlite3 "$db" "SELECT id FROM $1 WHERE name = '$2'"; }
idle=$(pid partners Idle) lone=$(pid partners Lone) p5=$(pid projects P5)
shell "UPDATE tasks SET due = '2026-07-02T09:00:00Z' WHERE title = 'Later'"
shell "UPDATE deals SET partner_id = $(pid partners Delta) WHERE customer = 'Only'"
shell "UPDATE deals SET expires = '2026-06-30T00:00:00Z' WHERE status = 'approved'"
shell "UPDATE partners SET status = 'active' WHERE id = $idle"
shell "INSERT INTO project_partners (project_id, partner_id) VALUES ($p5, $idle)"
shell "UPDATE partners SET created_at = '2024-06-01T00:00:00Z' WHERE id = $idle"
shell "DELETE FROM communications WHERE partner_id = $lone"
exact "$db" "changes made around prm"
shell "DELETE FROM project_partners WHERE project_id = $p5 AND partner_id = $idle"
shell "UPDATE projects SET status = 'failed' WHERE id = $p5"
exact "$db" "more changes made around prm"

# an older file with records: the migration keeps its agenda
for v in "$fixtures"/v*.sql; do
    old="$tmp/$(basename "$v" .sql).db"
    sqlite3 "$old" <"$v" || { fail "fixture $v"; continue; }
    chmod 600 "$old"
    exact "$old" "migrated from $(basename "$v")"
done

# misplaced SQL: after SQL by hand, check fails naming an item, and check
# repair=yes makes the agenda again
misplaced() {
    sqlite3 "$db" "$1" || fail "by hand: $1"
    if out=$("$prm" --db "$db" check 2>&1); then
        fail "check passed with the agenda changed by hand ($1)"
    else
        case $out in
        *"the agenda kept differs from the records ("*) passed=$((passed + 1)) ;;
        *) fail "check's message: $out" ;;
        esac
    fi
    "$prm" --db "$db" check repair=yes >/dev/null 2>"$tmp/err" ||
        fail "check repair=yes: $(cat "$tmp/err")"
    exact "$db" "after check repair=yes ($1)"
}
misplaced "UPDATE prm_agenda SET date = '2026-07-02T00:00:00Z' WHERE kind = 'task'"
misplaced "DELETE FROM prm_agenda WHERE kind = 'partner_quiet'"
misplaced "INSERT INTO prm_agenda (date, kind, id) VALUES ('2026-07-01', 'task', 99)"

name=agenda_kept
finish
