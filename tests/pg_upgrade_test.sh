#!/bin/sh
# pg_upgrade_test.sh - a team database made by an older prm (schema
# version 2, tests/fixtures/pg_v2.sql) is upgraded in place by the first
# connection of a user allowed to, with its records, ids and audit log
# intact; a user who may not is told who must, and nothing changes.
#
#   pg_upgrade_test.sh PRM PG_DIR FIXTURE
set -u
# The newest schema version: the highest NNN of migrations/NNN_*.sql.
newest=$(ls "$(dirname "$0")/../migrations" | sed -n 's/^\([0-9][0-9]*\)_.*\.sql$/\1/p' |
    sort -n | tail -n 1 | sed 's/^0*//')
prm=$1 pgdir=$2 fixture=$3
base=$(cat "$pgdir/uri") || exit 1
export PGOPTIONS='--client-min-messages=warning'
export PRM_NOW=2026-03-01T12:00:00Z
fails=0 checks=0
db=upgrade_test
psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -qX "$base" -c "DROP ROLE IF EXISTS vic" -c "CREATE ROLE vic LOGIN" >/dev/null || exit 1
admin=$(echo "$base" | sed "s|:///postgres?|:///$db?|")
viewer=$(echo "$admin" | sed "s|user=[^&]*|user=vic|")
check() { # NAME EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"
        fails=$((fails + 1))
    fi
}
sql() { psql -qtAX -v ON_ERROR_STOP=1 "$admin" -c "$1"; }

# The database as the older prm left it: its schema, its first admin, a
# viewer, and records written (and so audited) through psql.
psql -qX -v ON_ERROR_STOP=1 "$admin" -f "$fixture" >/dev/null || exit 1
sql "GRANT prm_admin TO CURRENT_USER; GRANT prm_viewer TO vic" || exit 1
sql "INSERT INTO partners (name, region, created_at, updated_at) VALUES
       ('Acme Corp', 'EMEA', '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z'),
       ('Globex', 'APAC', '2026-01-06T09:00:00Z', '2026-01-06T09:00:00Z');
     INSERT INTO projects (name, status, created_at, updated_at)
       VALUES ('Cloud', 'succeeded', '2026-01-07T09:00:00Z', '2026-01-07T09:00:00Z');
     INSERT INTO project_partners (project_id, partner_id) VALUES (1, 1), (1, 2);
     INSERT INTO communications (partner_id, method, at, content)
       VALUES (2, 'email', '2026-01-08T09:00:00Z', 'hello');" || exit 1
audit_before=$(sql "SELECT * FROM audit ORDER BY id")
check "version before" "2" "$(sql "SELECT max(version) FROM prm_meta")"

# A viewer may not change the schema: refused, and the database is as it was.
out=$("$prm" --db "$viewer" partner list 2>&1)
check "viewer: exit status" "2" "$?"
case $out in
"prm: this team database has schema version 2 and vic may not upgrade it to $newest: its owner (the admin who created it) must open it with this prm first") ;;
*) check "viewer: message" "...vic may not upgrade it to $newest..." "$out" ;;
esac
check "viewer: version kept" "2" "$(sql "SELECT max(version) FROM prm_meta")"

# The admin's first connection upgrades it, and everything is still there.
check "admin lists" 'id  name       type  region  status  tier| 1  Acme Corp  -     EMEA    active  -| 2  Globex     -     APAC    active  -' \
    "$("$prm" --db "$admin" partner list | paste -sd'|')"
check "version after" "$newest" "$(sql "SELECT max(version) FROM prm_meta")"
check "one version row" "1" "$(sql "SELECT count(*) FROM prm_meta")"
check "audit intact" "$audit_before" "$(sql "SELECT * FROM audit ORDER BY id")"
check "project intact" '{"ok":true,"project":{"id":1,"name":"Cloud","partners":[1,2],"goal":null,"plan":null,"progress":0,"status":"succeeded","result":null,"start":null,"due":null,"created_at":"2026-01-07T09:00:00Z","updated_at":"2026-01-07T09:00:00Z"}}' \
    "$("$prm" --db "$admin" --json project show Cloud)"
check "check passes" '{"ok":true,"check":{"integrity_check":"ok","foreign_key_errors":0,"schema_version":'"$newest"',"file_mode":null,"folder_mode":null,"encryption":"off","sealed_values":0}}' \
    "$("$prm" --db "$admin" --json check)"

# It works as a team database of this prm: ids go on, undo, the viewer reads.
check "add after upgrade" "added partner 3" "$("$prm" --db "$admin" partner add name=Initech)"
check "undo after upgrade" "undid change" "$("$prm" --db "$admin" undo | cut -c1-12)"
check "viewer reads" "2" "$("$prm" --db "$viewer" --json metrics | sed 's/.*"partners":\([0-9]*\).*/\1/')"
check "audit grew by the add and its undo" "2" \
    "$(sql "SELECT count(*) FROM audit" | awk -v b="$(echo "$audit_before" | wc -l)" '{ print $1 - b }')"

psql -qX "$base" -c "DROP DATABASE $db" -c "DROP ROLE vic" >/dev/null
echo "pg_upgrade: $checks checks, $fails failed"
echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
