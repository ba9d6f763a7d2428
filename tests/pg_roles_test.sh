#!/bin/sh
# pg_roles_test.sh - roles on a team database: what prm refuses, and that
# the database itself refuses the same through psql.
#
#   pg_roles_test.sh PRM PG_DIR      (PG_DIR: a cluster of pg_cluster.sh)
set -u
# The newest schema version: the highest NNN of migrations/NNN_*.sql.
newest=$(ls "$(dirname "$0")/../migrations" | sed -n 's/^\([0-9][0-9]*\)_.*\.sql$/\1/p' |
    sort -n | tail -n 1 | sed 's/^0*//')
prm=$1 pgdir=$2
base=$(cat "$pgdir/uri") || exit 1
export PGOPTIONS='--client-min-messages=warning'
fails=0 checks=0
db=roles_test
psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -qX "$base" -c "DROP ROLE IF EXISTS ann, mia, max, val, zed, nob" >/dev/null
uri() { echo "$base" | sed "s|:///postgres?|:///$db?|; s|user=[^&]*|user=$1|"; }
admin=$(echo "$base" | sed "s|:///postgres?|:///$db?|")
as() { who=$1; shift; "$prm" --db "$(uri "$who")" "$@"; }
check() { # NAME EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"
        fails=$((fails + 1))
    fi
}
code() { sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p' | head -n 1; }
sqlstate() { # USER SQL: the outcome of SQL run by USER with psql
    psql -qtAX "$(uri "$1")" -c "$2" 2>&1 | sed -n '1p'
}

# The cluster's superuser creates the schema and the users.
"$prm" --db "$admin" user add ann role=admin >/dev/null
for u in mia max; do "$prm" --db "$admin" user add $u role=manager >/dev/null; done
"$prm" --db "$admin" user add val role=viewer >/dev/null
check "user list" 'ann admin 0|max manager 0|mia manager 0|val viewer 0' \
    "$(as ann --json user list | tr '{' '\n' | sed -n 's/"name":"\([a-z]*\)","role":"\([a-z]*\)","partners":\([0-9]*\).*/\1 \2 \3/p' | grep -v "^$(id -un) " | paste -sd'|')"
check "user list as CSV" 'name,role,partners|ann,admin,0|max,manager,0' \
    "$(as ann --csv user list | tr -d '\r' | grep -E '^(name|ann|max),' | paste -sd'|')"
check "user list as a table" 'name  role     partners|ann   admin           0|max   manager         0' \
    "$(as ann user list | grep -E '^(name|ann|max) ' | paste -sd'|')"

# A manager adds partners and what belongs to them.
check "manager adds" "added partner 1" "$(as mia partner add name=MiaCo region=EMEA)"
check "manager comm" "added communication 1" "$(as mia comm add partner=MiaCo method=email content=hi)"
check "second manager adds" "added partner 2" "$(as max partner add name=MaxCo)"
check "joint project" "added project 1" "$(as max project add name=Joint partners=MiaCo,MaxCo)"

# ... and may not change another's.
check "other's partner" forbidden "$(as max --json partner update MiaCo tier=gold | code)"
check "other's partner, to what it holds" forbidden "$(as max --json partner update MiaCo region=EMEA | code)"
check "own partner, to what it holds" "unchanged partner 1" "$(as mia partner update MiaCo region=EMEA)"
check "other's comm" forbidden "$(as max --json comm add partner=MiaCo method=phone content=x | code)"
check "other's delete" forbidden "$(as max --json partner delete MiaCo --cascade | code)"
check "project of nobody's" forbidden "$(as max --json project add name=Theirs partners=MiaCo | code)"
check "unchanged" "null 1" "$(as val --json partner show MiaCo | sed -n 's/.*"tier":\([a-z"]*\).*/\1/p') $(as val --json comm list | grep -o '"id":' | wc -l)"
as max partner update MiaCo tier=gold >/dev/null 2>&1
check "exit status of a refusal" 1 "$?"

# A viewer reads and reports, and writes nothing.
check "viewer reads" 2 "$(as val --json metrics | sed -n 's/.*"partners":\([0-9]*\).*/\1/p')"
check "viewer sets what is set" forbidden "$(as val --json partner update MiaCo region=EMEA | code)"
check "viewer adds" forbidden "$(as val --json partner add name=ValCo | code)"
check "viewer user add" forbidden "$(as val --json user add eve role=admin | code)"
check "manager user add" forbidden "$(as max --json user add eve role=admin | code)"

# The database refuses the same to psql.
check "psql viewer insert" "ERROR:  permission denied for table partners" \
    "$(sqlstate val "INSERT INTO partners (name, created_at, updated_at) VALUES ('x', 'a', 'b')")"
check "psql viewer audit" "ERROR:  permission denied for table audit" \
    "$(sqlstate val "DELETE FROM audit")"
check "psql manager audit update" "ERROR:  permission denied for table audit" \
    "$(sqlstate max "UPDATE audit SET command = 'forged'")"
check "psql manager audit insert" "ERROR:  permission denied for table audit" \
    "$(sqlstate max "INSERT INTO audit (change, at, \"user\", command, action, kind, record) VALUES (1, 'a', 'b', 'c', 'add', 'partner', 1)")"
check "psql manager other's partner" "UPDATE 0" \
    "$(psql -X "$(uri max)" -c "UPDATE partners SET tier = 'x' WHERE name = 'MiaCo'" 2>&1 | head -n 1)"
check "psql manager takes a partner" "ERROR:  new row violates row-level security policy for table \"partners\"" \
    "$(sqlstate max "UPDATE partners SET owner = 'mia' WHERE name = 'MaxCo'")"
check "psql manager id counter" "ERROR:  permission denied for table prm_ids" \
    "$(sqlstate max "UPDATE prm_ids SET last = 0")"

# An admin (not a superuser) hands a partner over and manages users.
# Deals: a manager registers and closes the deals of the partners they
# own; only an admin approves, rejects or extends; the database refuses
# the rest through psql too.
check "manager registers a deal" "added deal 1" "$(as mia deal add partner=MiaCo customer=Globex domain=globex.com)"
check "manager, other's partner's deal" forbidden "$(as max --json deal add partner=MiaCo customer=Initech | code)"
check "viewer registers" forbidden "$(as val --json deal add partner=MiaCo customer=Initech | code)"
check "manager approves" forbidden "$(as mia --json deal approve 1 | code)"
check "manager approves: nothing changed" submitted "$(as val --json deal show 1 | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')"
check "psql manager approves" "ERROR:  only an admin approves, rejects or extends a deal" \
    "$(sqlstate mia "UPDATE deals SET status = 'approved' WHERE id = 1")"
check "psql manager extends" "ERROR:  only an admin approves, rejects or extends a deal" \
    "$(sqlstate mia "UPDATE deals SET expires = '2099-01-01T00:00:00Z' WHERE id = 1")"
check "psql manager, other's deal" "UPDATE 0" \
    "$(psql -X "$(uri max)" -c "UPDATE deals SET notes = 'x' WHERE id = 1" 2>&1 | head -n 1)"
check "admin approves" "approved deal 1" "$(as ann deal approve 1 days=30)"
check "manager updates own deal" "updated deal 1" "$(as mia deal update 1 amount=5000.25)"
check "manager extends" forbidden "$(as mia --json deal extend 1 days=5 | code)"
check "other manager closes it" forbidden "$(as max --json deal won 1 | code)"
check "manager closes own deal" "won deal 1" "$(as mia deal won 1)"
check "psql registers a deal" "INSERT 0 1" \
    "$(psql -X "$(uri mia)" -c "INSERT INTO deals (partner_id, customer, created_at, updated_at) SELECT id, 'Initech Inc', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM partners WHERE name = 'MiaCo'" 2>&1 | head -n 1)"
check "its keys follow it: a conflict found" "added deal 3 (conflicts with deal 2 of MiaCo)" \
    "$(as max deal add partner=MaxCo customer=INITECH)"
check "deal amount exact on a team database" '"amount":5000.25' "$(as val --json deal show 1 | grep -o '"amount":[0-9.]*')"

check "admin owner" "updated partner 1" "$(as ann partner update MiaCo owner=max)"
check "new owner changes" "updated partner 1" "$(as max partner update MiaCo tier=gold)"
audit_rows() { as ann --json audit list | grep -o '"change":' | wc -l; }
before=$(audit_rows)
check "owner it has" "unchanged partner 1" "$(as ann partner update MiaCo owner=max tier=gold)"
check "owner it has, no audit entry" "$before" "$(audit_rows)"
check "owner it has, another's partner" forbidden "$(as mia --json partner update MiaCo owner=max | code)"
check "old owner refused" forbidden "$(as mia --json partner update MiaCo tier=silver | code)"
check "owner must be a user" invalid_value "$(as ann --json partner update MiaCo owner=nobody | code)"
check "admin adds user" "added user zed (viewer)" "$(as ann user add zed role=viewer)"
check "admin changes role" "changed user zed (manager)" "$(as ann user role zed role=manager)"
check "zed now writes" "added partner 3" "$(as zed partner add name=ZedCo)"
check "owners in user list" "2 1" \
    "$(as ann --json user list | grep -o '"name":"max","role":"manager","partners":[0-9]*' | sed 's/.*://') $(as ann --json user list | grep -o '"name":"zed","role":"manager","partners":[0-9]*' | sed 's/.*://')"

# Owners chosen on add, and listed.
check "admin adds for a manager" "added partner 4" "$(as ann partner add name=ForMia owner=mia)"
check "manager may not add for another" forbidden "$(as max --json partner add name=NotMine owner=mia | code)"
check "nothing half added" "no partner with id or name 'NotMine'" "$(as val partner show NotMine 2>&1 | sed 's/^prm: [0-9]*: error: //')"
check "list by owner" "ForMia" "$(as val partner list owner=mia | awk 'NR > 1 { print $2 }' | paste -sd' ')"
check "list by owner, JSON" 2 "$(as val --json partner list owner=max | grep -o '"id":' | wc -l)"

# A backup of a team database is a prm file of its records.
tmp=$(mktemp -d)
check "backup" "backed up to $tmp/copy.db" "$(as val backup "$tmp/copy.db")"
check "backup holds the records" \
    "$(as val --json partner list)" "$("$prm" --db "$tmp/copy.db" --json partner list)"
check "backup file mode" 600 "$(stat -c %a "$tmp/copy.db")"
rm -rf "$tmp"

# The audit log names the database user of each change.
check "audit users" "mia mia max max mia ann mia mia mia max ann max zed ann ann" \
    "$(as val --json audit | grep -o '"user":"[a-z]*","command":"[^"]*","action":"[a-z]*","kind":"[a-z]*"' | grep -v project_partner | sed 's/"user":"\([a-z]*\)".*/\1/' | paste -sd' ')"
# Tasks: a task is its owner's; a manager sees and changes their own and
# those of the partners they own, a viewer reads them all.
check "manager adds a task" "added task 1" "$(as mia task add title="Call ForMia" partner=ForMia due=2026-01-02)"
check "manager's own task" "added task 2" "$(as max task add title="Max alone" due=2026-01-03)"
check "a task about another's partner" "added task 3" "$(as max task add title="Ask Mia" partner=ForMia due=2026-01-04)"
ids() { grep -o '"id":[0-9]*' | sed 's/"id"://' | paste -sd' '; }
check "manager sees own and own partners' tasks" "1 3" "$(as mia --json task list | ids)"
check "other manager sees own" "2 3" "$(as max --json task list | ids)"
check "viewer reads every task" "1 2 3" "$(as val --json task list | ids)"
check "admin sees every task" "1 2 3" "$(as ann --json task list | ids)"
check "manager, another's task" not_found "$(as max --json task done 1 | code)"
check "psql manager, another's task" "UPDATE 0" \
    "$(psql -X "$(uri max)" -c "UPDATE tasks SET status = 'done' WHERE id = 1" 2>&1 | head -n 1)"
check "psql manager reads own" 2 "$(psql -qtAX "$(uri max)" -c "SELECT count(*) FROM tasks")"
check "psql manager adds for another" "ERROR:  new row violates row-level security policy for table \"tasks\"" \
    "$(sqlstate max "INSERT INTO tasks (title, owner, created_at, updated_at) VALUES ('x', 'mia', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")"
check "manager, a task on own partner" "done task 3" "$(as mia task done 3)"
check "viewer adds a task" forbidden "$(as val --json task add title=x | code)"
check "admin adds for a manager" "added task 4" "$(as ann task add title="For Mia" owner=mia)"
check "...which is hers" "1 3 4" "$(as mia --json task list | ids)"
check "task list owner=" "2 3" "$(as val --json task list owner=max | ids)"
check "a task's owner in its JSON" '"owner":"mia"' "$(as val --json task show 4 | grep -o '"owner":"[a-z]*"')"
check "...and in show" "owner        mia" "$(as val task show 4 | grep '^owner')"
check "an export leaves it out" 0 "$(as ann export jsonl | grep '"task"' | grep -c '"owner"')"
check "agenda owner=" "task 2" "$(as val --json agenda owner=max days=0 | grep -o '"kind":"task","date":"[^"]*","overdue":[a-z]*,"id":[0-9]*' | sed 's/"kind":"\([a-z]*\)".*"id":\([0-9]*\)/\1 \2/' | paste -sd' ')"
check "manager's agenda hides others' tasks" "task 1" "$(as mia --json agenda days=0 | grep -o '"kind":"task","date":"[^"]*","overdue":[a-z]*,"id":[0-9]*' | sed 's/"kind":"\([a-z]*\)".*"id":\([0-9]*\)/\1 \2/' | paste -sd' ')"
check "owner= of a task on a file" unknown_field \
    "$("$prm" --db "$(mktemp -d)/f.db" --json agenda owner=x | code)"

check "owner is not a field of a file" unknown_field \
    "$("$prm" --db "$(mktemp -d)/f.db" --json partner update 1 owner=x | code)"

# Money: funds and tiers are the admins'; managers request and claim for
# the partners they own; only admins approve, reject and pay.
check "manager creates a fund" forbidden "$(as mia --json fund add name=MDF amount=100 | code)"
check "psql manager creates a fund" "ERROR:  permission denied for table funds" \
    "$(sqlstate mia "INSERT INTO funds (name, amount) VALUES ('x', 1)")"
check "admin creates a fund" "added fund 1" "$(as ann fund add name=MDF amount=100)"
check "manager requests for own partner" "added request 1" \
    "$(as mia request add fund=MDF partner=ForMia activity=Expo amount=60)"
check "manager requests for another's partner" forbidden \
    "$(as max --json request add fund=MDF partner=ForMia activity=Expo amount=5 | code)"
check "viewer requests" forbidden "$(as val --json request add fund=MDF partner=ForMia activity=x amount=1 | code)"
check "manager approves" forbidden "$(as mia --json request approve 1 | code)"
check "psql manager approves" "ERROR:  only an admin approves or rejects a request" \
    "$(sqlstate mia "UPDATE requests SET status = 'approved', approved_amount = 6000 WHERE id = 1")"
check "admin approves" "approved request 1" "$(as ann request approve 1)"
check "manager claims for own partner" "added claim 1" "$(as mia claim add request=1 amount=50)"
check "another manager claims" forbidden "$(as max --json claim add request=1 amount=5 | code)"
check "manager approves a claim" forbidden "$(as mia --json claim approve 1 | code)"
check "admin approves a claim" "approved claim 1" "$(as ann claim approve 1)"
check "manager pays" forbidden "$(as mia --json claim pay 1 | code)"
check "psql manager pays" "ERROR:  only an admin approves, rejects or pays a claim" \
    "$(sqlstate mia "UPDATE claims SET status = 'paid' WHERE id = 1")"
check "admin pays" "paid claim 1" "$(as ann claim pay 1)"
check "...a funding resource of the partner" '"kind":"funding","amount":50' \
    "$(as val --json resource list kind=funding | grep -o '"kind":"funding","amount":[0-9]*')"
check "viewer reads the fund" '"approved":60,"claimed":50,"paid":50,"available":40' \
    "$(as val --json fund show MDF | grep -o '"approved".*"available":[0-9]*')"
check "manager creates a tier" forbidden "$(as mia --json tier add name=Gold rank=1 min_deals_won=1 | code)"
check "psql manager creates a tier" "ERROR:  permission denied for table tiers" \
    "$(sqlstate mia "INSERT INTO tiers (name, rank, min_deals_won) VALUES ('x', 1, 1)")"
check "admin creates a tier" "added tier 1" "$(as ann tier add name=Gold rank=1 min_deals_won=0)"
check "viewer reviews" "ForMia Gold" \
    "$(as val --json tier review partner=ForMia | sed -n 's/.*"name":"\([A-Za-z]*\)".*"qualifies":"\([A-Za-z]*\)".*/\1 \2/p')"
check "viewer applies" forbidden "$(as val --json tier apply partner=ForMia | code)"
check "admin applies" "changed the tier of 1 partner" "$(as ann tier apply partner=ForMia | tail -n 1)"

# check: what prm can check of a server's database; no file, so no modes.
check "check passes" '{"ok":true,"check":{"integrity_check":"ok","foreign_key_errors":0,"schema_version":'"$newest"',"file_mode":null,"folder_mode":null,"encryption":"off","sealed_values":0}}' \
    "$(as val --json check)"
check "check's table" "no problems found" "$(as val check | tail -n 1)"
psql -qX "$admin" -c "ALTER TABLE resources DISABLE ROW LEVEL SECURITY" >/dev/null
check "check sees row-level security switched off" "prm: 1: error: check found 1 problem: the team database's protections were changed (1 tables without row-level security, 24 of 24 audit triggers): restore them as schema_pg.sql sets them" \
    "$(as val check 2>&1 >/dev/null)"
check "...and fails with db" db "$(as val --json check | code)"
psql -qX "$admin" -c "ALTER TABLE resources ENABLE ROW LEVEL SECURITY" >/dev/null

# A refusal in a script is undone with the next line's statements, which
# the database then takes.  The first line's INSERT breaks a row-level
# policy, which leaves the transaction refusing everything until its
# savepoint is rolled back; the second line's first statement is the
# first of its text prepared by name, which comes before it.
out=$(printf '%s\n' "resource add partner=ForMia kind=people" \
    "comm add partner=MaxCo method=email content=one" \
    "comm add partner=MaxCo method=email content=two" | as max --json 2>&1)
check "a script goes on after a refusal" "forbidden|true|true" \
    "$(echo "$out" | sed 's/^{"ok":true.*/true/; s/.*"code":"\([a-z_]*\)".*/\1/' | paste -sd'|')"
check "...and keeps its other lines" "one two" \
    "$(as val --json comm list partner=MaxCo | grep -o '"content":"[a-z]*"' | sed 's/.*:"//; s/"//' | sort | paste -sd' ')"

# A user of the server with no prm role is told how to get one, and prm
# does not start.
psql -qX "$base" -c "CREATE ROLE nob LOGIN" >/dev/null
out=$(as nob partner list 2>&1); status=$?
check "no role" "prm: nob has no role on this team database; an admin gives one with: user add nob role=viewer (or manager, admin)|2" \
    "$out|$status"

psql -qX "$base" -c "DROP DATABASE $db" -c "DROP ROLE ann, mia, max, val, zed, nob" >/dev/null
echo "$checks checks, $fails failed"
[ $fails -eq 0 ]
