#!/bin/sh
# pg_seal_test.sh - sensitive fields at rest on a team database: after an
# admin's encrypt on, a pg_dump of the database holds no marker of any
# sensitive field (records, audit images, commands); every user with the
# passphrase reads the text; only an admin turns encryption on or off, and
# the server itself refuses the rewrite's functions to anyone else and
# keeps logging any change that is more than sealing.
#
#   pg_seal_test.sh PRM PG_DIR      (PG_DIR: a cluster of pg_cluster.sh)
set -u
prm=$1 pgdir=$2
base=$(cat "$pgdir/uri") || exit 1
export PGOPTIONS='--client-min-messages=warning' PRM_KDF=fast
export PRM_NOW=2026-03-01T12:00:00Z
unset PRM_PASSPHRASE_FILE PRM_NEW_PASSPHRASE PRM_NEW_PASSPHRASE_FILE
fails=0 checks=0
db=seal_test
psql -qX "$base" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -qX "$base" -c "DROP ROLE IF EXISTS sam, sue" >/dev/null
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
sql() { psql -qtAX "$(uri "$1")" -c "$2" 2>&1 | sed -n '1p'; }
markers() { pg_dump "$admin" | grep -c 'MARK[E]R[- ][a-z0-9][a-z0-9][a-z0-9]'; }

"$prm" --db "$admin" user add sam role=manager >/dev/null
"$prm" --db "$admin" user add sue role=admin >/dev/null
as sam -f - >/dev/null <<'PRM'
partner add name=Acme email=MARKER-mail@acme.example phone="MARKER 555" notes="MARKER-notes"
comm add partner=Acme method=phone subject=MARKER-subject content="MARKER-content 日本語"
deal add partner=Acme customer=Initech contact=MARKER-contact notes=MARKER-deal-notes
task add title=Call partner=Acme notes=MARKER-task-notes
partner update Acme notes=MARKER-notes-2
PRM
"$prm" --db "$admin" export json >"$pgdir/seal-before.json"
check "markers in the clear before" 1 "$([ "$(markers)" -gt 0 ] && echo 1)"

out=$(PRM_PASSPHRASE=pw as sam encrypt on 2>&1)
check "a manager may not turn it on" "prm: 1: error: sam, a manager here, may not turn encryption on or off: an admin's" "$out"
check "nothing written" 0 "$(sql sue 'SELECT count(*) FROM keyring')"
check "a manager may not mark a rewrite" "ERROR:  permission denied for function prm_reseal_begin" \
    "$(sql sam 'SELECT prm_reseal_begin()')"

check "an admin turns it on" "encryption on" "$(PRM_PASSPHRASE=pw as sue encrypt on)"
check "no marker in pg_dump" 0 "$(markers)"
export PRM_PASSPHRASE=pw
"$prm" --db "$admin" export json >"$pgdir/seal-after.json"
check "the same records" "" "$(cmp "$pgdir/seal-before.json" "$pgdir/seal-after.json")"
check "a manager reads the text" "MARKER-mail@acme.example" \
    "$(as sam --json partner show Acme | sed 's/.*"email":"\([^"]*\)".*/\1/')"
check "equality on a sealed field" 1 \
    "$(as sam --json comm list subject=MARKER-subject | grep -o '"id":1,' | wc -l)"
check "a manager adds, sealed" "added partner 2" "$(as sam partner add name=Bolt notes=MARKER-bolt)"
check "still no marker" 0 "$(markers)"
out=$(PRM_PASSPHRASE=wrong as sam partner list 2>&1); code=$?
check "a wrong passphrase: exit 2" "2 prm: wrong passphrase, or the database's key row was changed" "$code $out"
check "check" "encryption           on: 22 sealed values, all open" \
    "$(as sue check | grep encryption)"
# A backup of the team database is a file sealed under the same key.
rm -f "$pgdir/seal-backup.db"
as sam backup "$pgdir/seal-backup.db" >/dev/null
check "no marker in the backup file" 0 "$(grep -a -c 'MARK[E]R[- ][a-z0-9][a-z0-9][a-z0-9]' "$pgdir/seal-backup.db")"
check "the backup opens with the passphrase" "MARKER-mail@acme.example" \
    "$("$prm" --db "$pgdir/seal-backup.db" --json partner show Acme | sed 's/.*"email":"\([^"]*\)".*/\1/')"
check "...and only with it" 2 \
    "$(PRM_PASSPHRASE=wrong "$prm" --db "$pgdir/seal-backup.db" partner list >/dev/null 2>&1; echo $?)"
rm -f "$pgdir/seal-backup.db"

# The server: the audit log is rewritten only inside a marked rewrite,
# and a marked transaction's real changes are still logged.
check "no rewrite outside encrypt" "ERROR:  the audit log is rewritten only by encrypt on or off" \
    "$(sql sue "SELECT prm_reseal_audit(1, 'x', NULL, NULL)")"
entries=$(sql sue 'SELECT count(*) FROM audit')
sql sue "BEGIN; SELECT prm_reseal_begin(); UPDATE partners SET region = 'EMEA' WHERE id = 1; SELECT prm_reseal_end(); COMMIT" >/dev/null
check "a real change in a marked transaction is logged" $((entries + 1)) "$(sql sue 'SELECT count(*) FROM audit')"
check "nor may a marked rewrite change more than sealed values" \
    "ERROR:  audit entry 1 would change more than its sealed values" \
    "$(psql -qtAX "$(uri sue)" -c "BEGIN; SELECT prm_reseal_begin(); SELECT prm_reseal_audit(1, 'partner add name=Evil', NULL, '{}'); COMMIT" 2>&1 | grep ERROR)"

check "encrypt passphrase is an admin's" 1 \
    "$(PRM_NEW_PASSPHRASE=pw2 as sam encrypt passphrase 2>&1 | grep -c forbidden\\\|denied\\\|may\ not)"
check "an admin changes it" "passphrase changed" "$(PRM_NEW_PASSPHRASE=pw2 as sue encrypt passphrase)"
export PRM_PASSPHRASE=pw2
check "an admin turns it off" "encryption off" "$(as sue encrypt off)"
check "no sealed value left" 0 "$(sql sue "SELECT count(*) FROM partners WHERE notes LIKE 'prm1:%'")"
check "the notes again" "MARKER-bolt" "$(sql sue 'SELECT notes FROM partners WHERE id = 2')"

# Roles are the cluster's: others' tests list users.
psql -qX "$base" -c "DROP DATABASE $db" -c "DROP ROLE sam, sue" >/dev/null
echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
