#!/bin/sh
# crypt_test.sh - encrypted exports through the binary: what is exported
# with encrypt=yes imports again with its passphrase (PRM_PASSPHRASE, or
# the first line of PRM_PASSPHRASE_FILE, which wins) and gives the same
# export; the file holds none of the records' text; a wrong passphrase, a
# changed byte or a cut file imports nothing ("wrong passphrase or damaged
# file", exit 1); without a passphrase and no terminal, nothing is
# written.  (Every byte and every cut: unit/test_crypt.c.)
#
#   crypt_test.sh PRM
set -u
prm=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export PRM_NOW=2026-03-01T12:00:00Z PRM_KDF=fast
unset PRM_PASSPHRASE PRM_PASSPHRASE_FILE
fails=0 checks=0
check() { # NAME EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"
        fails=$((fails + 1))
    fi
}
# no terminal to ask on: setsid leaves prm without one
noterm() { setsid -w "$prm" "$@" </dev/null; }

"$prm" --db "$tmp/a.db" -f - >/dev/null <<'PRM'
partner add name="MARKER-Acme" email=MARKER-mail@acme.example notes="MARKER-notes"
comm add partner="MARKER-Acme" method=phone content="MARKER-content"
deal add partner="MARKER-Acme" customer="MARKER-Globex" contact="MARKER-contact"
task add title="MARKER-task" partner="MARKER-Acme" notes="MARKER-task-notes"
PRM
"$prm" --db "$tmp/a.db" export json "$tmp/plain.json" >/dev/null
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/a.db" export json "$tmp/a.enc" encrypt=yes >/dev/null
check "the file is sealed" PRMCRYPT "$(head -c 8 "$tmp/a.enc")"
check "no record's text in it" 0 "$(grep -c MARKER "$tmp/a.enc")"
check "mode 0600" 600 "$(stat -c %a "$tmp/a.enc")"

PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/b.db" import json "$tmp/a.enc" >/dev/null
"$prm" --db "$tmp/b.db" export json "$tmp/b.json" >/dev/null
check "imports to the same records" same "$(cmp -s "$tmp/plain.json" "$tmp/b.json" && echo same)"

out=$(PRM_PASSPHRASE=wrong "$prm" --db "$tmp/c.db" import json "$tmp/a.enc" 2>&1)
check "wrong passphrase: exit 1" 1 "$?"
check "...says so" "prm: 1: error: $tmp/a.enc: wrong passphrase or damaged file; nothing was imported" "$out"
check "...imports nothing" "no partners" "$("$prm" --db "$tmp/c.db" partner list)"
check "...JSON code" invalid_value "$(PRM_PASSPHRASE=wrong "$prm" --db "$tmp/c.db" --json import json "$tmp/a.enc" | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"

printf 's3cret\nsecond line\n' >"$tmp/pass"
PRM_PASSPHRASE=wrong PRM_PASSPHRASE_FILE="$tmp/pass" "$prm" --db "$tmp/d.db" import json "$tmp/a.enc" >/dev/null
check "PRM_PASSPHRASE_FILE's first line, before PRM_PASSPHRASE" 1 "$("$prm" --db "$tmp/d.db" --json partner list | grep -o '"id":' | wc -l)"

size=$(wc -c <"$tmp/a.enc")
for at in 0 9 20 60 90 $((size / 2)) $((size - 1)); do
    cp "$tmp/a.enc" "$tmp/bad.enc"
    # another byte than the one there (0xff written over 0xff changed nothing)
    was=$(od -An -tu1 -j "$at" -N1 "$tmp/a.enc" | tr -d ' ')
    # shellcheck disable=SC2059 # the octal escape is the format
    printf "\\$(printf '%03o' $(((was + 1) % 256)))" |
        dd of="$tmp/bad.enc" bs=1 seek="$at" conv=notrunc 2>/dev/null
    cmp -s "$tmp/a.enc" "$tmp/bad.enc" && { echo "FAIL: byte $at not changed"; fails=$((fails + 1)); }
    out=$(PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/e.db" import json "$tmp/bad.enc" 2>&1)
    check "byte $at changed" "prm: 1: error: $tmp/bad.enc: wrong passphrase or damaged file; nothing was imported" "$out"
done
head -c $((size - 1)) "$tmp/a.enc" >"$tmp/cut.enc"
check "a cut file" 1 "$(PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/e.db" import json "$tmp/cut.enc" >/dev/null 2>&1; echo $?)"
check "...imports nothing" "no partners" "$("$prm" --db "$tmp/e.db" partner list)"

out=$(noterm --db "$tmp/a.db" export json "$tmp/none.enc" encrypt=yes 2>&1)
check "no passphrase, no terminal" "prm: 1: error: a passphrase is needed: set PRM_PASSPHRASE_FILE (a file whose first line it is) or PRM_PASSPHRASE, or run prm on a terminal to be asked" "$out"
check "...nothing written" no "$([ -e "$tmp/none.enc" ] && echo yes || echo no)"
check "encrypt=yes needs a FILE" syntax "$(PRM_PASSPHRASE=x "$prm" --db "$tmp/a.db" --json export json encrypt=yes | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"
check "encrypt=maybe" invalid_value "$(PRM_PASSPHRASE=x "$prm" --db "$tmp/a.db" --json export json "$tmp/m.enc" encrypt=maybe | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/a.db" export jsonl "$tmp/a.jsonl.enc" encrypt=yes >/dev/null
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/f.db" import jsonl "$tmp/a.jsonl.enc" >/dev/null
check "JSON Lines too" 1 "$("$prm" --db "$tmp/f.db" --json task list | grep -o '"id":' | wc -l)"
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/a.db" export csv partner "$tmp/p.csv.enc" encrypt=yes >/dev/null
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/g.db" import csv partner "$tmp/p.csv.enc" >/dev/null
check "and CSV" "MARKER-Acme" "$("$prm" --db "$tmp/g.db" --json partner list | grep -o 'MARKER-Acme' | head -n 1)"
# Backups: encrypted, restored into an empty database with their ids;
# into one with records only with force=yes, which replaces them.
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/a.db" backup "$tmp/b.enc" encrypt=yes >/dev/null
check "an encrypted backup" PRMCRYPT "$(head -c 8 "$tmp/b.enc")"
check "...holds no record's text" 0 "$(grep -c MARKER "$tmp/b.enc")"
check "...and no plain copy is left" 1 "$(ls "$tmp" | grep -c '^b\.enc')"
check "restore" "restored 1 partner, 1 communication, 1 deal, 1 task from $tmp/b.enc" \
    "$(PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/r.db" restore "$tmp/b.enc")"
"$prm" --db "$tmp/r.db" export json "$tmp/r.json" >/dev/null
check "...the same records" same "$(cmp -s "$tmp/plain.json" "$tmp/r.json" && echo same)"
check "restore into records" conflict "$(PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/r.db" --json restore "$tmp/b.enc" | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"
"$prm" --db "$tmp/r.db" partner add name=Extra >/dev/null
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/r.db" restore "$tmp/b.enc" force=yes >/dev/null
check "force=yes replaces them" "MARKER-Acme" "$("$prm" --db "$tmp/r.db" --json partner list | grep -o '"name":"[^"]*"' | sed 's/"name":"//; s/"//' | paste -sd' ')"
printf '%s\n' 'fund add name=MDF amount=100' 'tier add name=Gold rank=1 min_deals_won=1' \
    'request add fund=MDF partner=1 activity=Expo amount=80' 'request approve 1' \
    'claim add request=1 amount=50' 'claim approve 1' 'claim pay 1' | "$prm" --db "$tmp/r.db" >/dev/null
PRM_PASSPHRASE=s3cret "$prm" --db "$tmp/r.db" restore "$tmp/b.enc" force=yes >/dev/null
check "force=yes replaces money and tiers too" "no funds|no claims|no tiers|0" \
    "$("$prm" --db "$tmp/r.db" fund list)|$("$prm" --db "$tmp/r.db" claim list)|$("$prm" --db "$tmp/r.db" tier list)|$("$prm" --db "$tmp/r.db" --json resource list | grep -c '"kind":"funding"')"
check "a wrong passphrase restores nothing" "no partners" \
    "$(PRM_PASSPHRASE=nope "$prm" --db "$tmp/s.db" restore "$tmp/b.enc" 2>/dev/null; "$prm" --db "$tmp/s.db" partner list)"
"$prm" --db "$tmp/a.db" backup "$tmp/plain.db" >/dev/null
check "a plain backup restores too" 1 "$("$prm" --db "$tmp/t.db" restore "$tmp/plain.db" >/dev/null && "$prm" --db "$tmp/t.db" --json partner list | grep -o '"id":' | wc -l)"
check "not a backup" invalid_value "$("$prm" --db "$tmp/u.db" --json restore "$tmp/plain.json" | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"
echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
