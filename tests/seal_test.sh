#!/bin/sh
# seal_test.sh - sensitive fields at rest, through the binary.
#
# Records with a marker in every sensitive field (and in the commands that
# wrote them, and in the audit log's before and after images) are loaded;
# after encrypt on no marker is left in the database file, its WAL, a
# backup, or after more adds and updates; every command still shows the
# text; a wrong or missing passphrase is exit 2 with one line; a changed
# keyring row refuses to open; a sealed value moved to another record does
# not open (check says so, exit 1); encrypt passphrase and encrypt off
# work; a backup of an encrypted database restores with its passphrase.
#
#   seal_test.sh PRM
set -u
prm=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export PRM_NOW=2026-03-01T12:00:00Z PRM_KDF=fast
unset PRM_PASSPHRASE PRM_PASSPHRASE_FILE PRM_NEW_PASSPHRASE PRM_NEW_PASSPHRASE_FILE
fails=0 checks=0
check() { # NAME EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"
        fails=$((fails + 1))
    fi
}
noterm() { setsid -w "$prm" "$@" </dev/null; }
# How many of the files hold a marker (grep -a: they are binary).
markers() { cat "$@" 2>/dev/null | grep -a -c 'MARK[E]R[- ][a-z0-9][a-z0-9][a-z0-9]' ; }
db=$tmp/a.db

"$prm" --db "$db" -f - >/dev/null <<'PRM'
partner add name=Acme email=MARKER-mail@acme.example phone="MARKER 555" notes="MARKER-notes, \"quoted\"\nsecond line"
partner add name=Globex email=second@globex.example
comm add partner=Acme method=phone subject="MARKER-subject" content="MARKER-content 日本語 🎉"
deal add partner=Acme customer=Initech contact="MARKER-contact" notes="MARKER-deal-notes"
task add title=Call partner=Acme notes="MARKER-task-notes"
fund add name=Q3 amount=1000 currency=USD notes="MARKER-fund-notes"
partner update Acme notes="MARKER-notes-2"
comm update 1 content="MARKER-content-2"
PRM
"$prm" --db "$db" export json "$tmp/before.json" >/dev/null
"$prm" --db "$db" audit >"$tmp/audit-before.txt"
"$prm" --db "$db" --json audit >"$tmp/audit-before.json"
check "markers in the clear before" 1 "$([ "$(markers "$db")" -gt 0 ] && echo 1)"

PRM_PASSPHRASE=right "$prm" --db "$db" encrypt on >"$tmp/out" 2>&1
check "encrypt on" "encryption on" "$(cat "$tmp/out")"
check "no marker in the file after encrypt on" 0 "$(markers "$db" "$db-wal")"
check "the WAL is empty" 0 "$(stat -c %s "$db-wal" 2>/dev/null || echo 0)"

export PRM_PASSPHRASE=right
"$prm" --db "$db" export json "$tmp/after.json" >/dev/null
check "the same export" "" "$(cmp "$tmp/before.json" "$tmp/after.json")"
"$prm" --db "$db" audit >"$tmp/audit-after.txt"
"$prm" --db "$db" --json audit >"$tmp/audit-after.json"
check "the same audit log" "" "$(cmp "$tmp/audit-before.txt" "$tmp/audit-after.txt")"
check "the same audit log in JSON" "" \
    "$(cmp "$tmp/audit-before.json" "$tmp/audit-after.json")"
check "equality on a sealed field" 1 \
    "$("$prm" --db "$db" --json partner list email=MARKER-mail@acme.example | grep -o '"id":1,' | wc -l)"
check "equality that matches nothing" '{"ok":true,"partners":[]}' \
    "$("$prm" --db "$db" --json partner list email=MARKER-mail@acme.exampl)"
check "a sealed field shown" "MARKER-deal-notes" \
    "$("$prm" --db "$db" --json deal show 1 | sed 's/.*"notes":"\([^"]*\)".*/\1/')"

# New writes are sealed too, their audit entries and commands with them.
"$prm" --db "$db" -f - >/dev/null <<'PRM'
partner add name=Hooli email=MARKER-new@hooli.example notes=MARKER-new-notes
comm add partner=Hooli method=email content=MARKER-new-content
task add title=Follow partner=Hooli notes=MARKER-new-task
PRM
"$prm" --db "$db" partner update Globex phone=MARKER-phone >/dev/null
check "unchanged: an update to the same value" "unchanged partner 2" \
    "$("$prm" --db "$db" partner update Globex phone=MARKER-phone)"
check "no marker after new writes (file and WAL)" 0 "$(markers "$db" "$db-wal")"
check "none in the audit log's text either" 0 \
    "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE command GLOB '*MARKER[- ]*' OR after GLOB '*MARKER[- ]*' OR before GLOB '*MARKER[- ]*'")"
check "undo of a sealed update" "undid change 12: partner update Globex phone=MARKER-phone" \
    "$("$prm" --db "$db" undo)"
check "undone: the phone is gone" null \
    "$("$prm" --db "$db" --json partner show Globex | sed 's/.*"phone":\([^,]*\),.*/\1/')"
"$prm" --db "$db" backup "$tmp/copy.db" >/dev/null
check "no marker in a backup" 0 "$(markers "$tmp/copy.db")"
check "check: encryption on, all open" "encryption           on: 42 sealed values, all open" \
    "$("$prm" --db "$db" check | grep encryption)"

# Opening: a wrong passphrase, none, a changed key row.
out=$(PRM_PASSPHRASE=wrong "$prm" --db "$db" partner list 2>&1); code=$?
check "wrong passphrase: exit 2" 2 "$code"
check "wrong passphrase: one line" "prm: wrong passphrase, or the database's key row was changed" "$out"
out=$(env -u PRM_PASSPHRASE setsid -w "$prm" --db "$db" partner list </dev/null 2>&1); code=$?
check "no passphrase, no terminal: exit 2" 2 "$code"
cp "$db" "$tmp/tampered.db"
sqlite3 "$tmp/tampered.db" "UPDATE keyring SET opslimit = opslimit + 1"
out=$("$prm" --db "$tmp/tampered.db" partner list 2>&1); code=$?
check "changed key limits: refused" "2 prm: wrong passphrase, or the database's key row was changed" "$code $out"
cp "$db" "$tmp/tampered.db"
flip() { # COLUMN: one character of it changed
    echo "UPDATE keyring SET $1 = substr($1, 1, 10) || CASE substr($1, 11, 1) WHEN 'A' THEN 'B' ELSE 'A' END || substr($1, 12)"
}
sqlite3 "$tmp/tampered.db" "$(flip wrapped)"
out=$("$prm" --db "$tmp/tampered.db" partner list 2>&1); code=$?
check "changed wrapped key: refused" 2 "$code"
cp "$db" "$tmp/tampered.db"
sqlite3 "$tmp/tampered.db" "$(flip salt)"
out=$("$prm" --db "$tmp/tampered.db" partner list 2>&1); code=$?
check "changed salt: refused" 2 "$code"

# A sealed value moved to another record does not open.
cp "$db" "$tmp/moved.db"
sqlite3 "$tmp/moved.db" "UPDATE partners SET email = (SELECT email FROM partners WHERE id = 1) WHERE id = 2"
out=$("$prm" --db "$tmp/moved.db" partner show 2 2>&1); code=$?
check "a moved value does not open" "1 prm: 1: error: the sealed email of partner 2 does not open: it was changed, or moved from another record, outside prm (prm check lists them)" "$code $out"
out=$("$prm" --db "$tmp/moved.db" check 2>&1); code=$?
check "check finds it" 1 "$code"
check "check says which" 1 "$(echo "$out" | grep -c '1 sealed values do not open (the first: the email of partner 2)')"

# A new passphrase: the old one no longer opens it.
out=$(PRM_NEW_PASSPHRASE=newer "$prm" --db "$db" encrypt passphrase 2>&1)
check "encrypt passphrase" "passphrase changed" "$out"
"$prm" --db "$db" partner list >/dev/null 2>&1
check "the old passphrase fails" 2 "$?"
PRM_PASSPHRASE=newer "$prm" --db "$db" partner list >/dev/null 2>&1
check "the new one opens" 0 "$?"
export PRM_PASSPHRASE=newer

# Restore of an encrypted database's backup, into a new file.
"$prm" --db "$db" backup "$tmp/copy2.db" >/dev/null
"$prm" --db "$tmp/restored.db" restore "$tmp/copy2.db" >/dev/null 2>&1
check "restore of an encrypted backup" 0 "$?"
"$prm" --db "$db" export json "$tmp/now.json" >/dev/null
"$prm" --db "$tmp/restored.db" export json "$tmp/restored.json" >/dev/null
check "the restored records" "" "$(cmp "$tmp/now.json" "$tmp/restored.json")"

# Off: every value in the clear again, the same records.
check "encrypt on twice: conflict" "prm: 1: error: encryption is on already (encrypt passphrase changes the passphrase)" \
    "$("$prm" --db "$db" encrypt on 2>&1)"
check "encrypt off" "encryption off" "$("$prm" --db "$db" encrypt off)"
unset PRM_PASSPHRASE
"$prm" --db "$db" export json "$tmp/off.json" >/dev/null
check "the same records after encrypt off" "" "$(cmp "$tmp/now.json" "$tmp/off.json")"
check "no sealed value left" 0 "$(sqlite3 "$db" "SELECT count(*) FROM partners WHERE email LIKE 'prm1:%' OR notes LIKE 'prm1:%'")"
check "encrypt off twice: conflict" "prm: 1: error: encryption is off (encrypt on turns it on)" \
    "$("$prm" --db "$db" encrypt off 2>&1)"
check "no key row left" 0 "$(sqlite3 "$db" "SELECT count(*) FROM keyring")"

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
