#!/bin/sh
# cli_test.sh - invocation, exit statuses, database files and transactions
# (doc/prm.1: INVOCATION, EXIT STATUS), through the built binary.
#   cli_test.sh PRM
set -u
# The newest schema version: the highest NNN of migrations/NNN_*.sql.
newest=$(ls "$(dirname "$0")/../migrations" | sed -n 's/^\([0-9][0-9]*\)_.*\.sql$/\1/p' |
    sort -n | tail -n 1 | sed 's/^0*//')
prm=$1
case $prm in /*) ;; *) prm=$PWD/$prm ;; esac # some checks run elsewhere
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" PRM_NOW=2026-03-01T12:00:00Z NO_COLOR=1
unset PRM_DB XDG_DATA_HOME XDG_STATE_HOME
mkdir -p "$HOME"
passed=0 failed=0

check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    fi
}

status() { "$@" >/dev/null 2>&1; echo $?; }

db="$tmp/db/prm.db"

# --- options -----------------------------------------------------------
check "--version" "prm 0.1.0" "$("$prm" --version)"
check "--help exits 0" 0 "$(status "$prm" --help)"
check "unknown option exits 2" 2 "$(status "$prm" --frobnicate)"
check "--db without a value exits 2" 2 "$(status "$prm" --db)"
check "an empty --db is said to be one (an unset variable)" \
    "prm: --db needs a value (see prm --help)" "$("$prm" --db '' partner list 2>&1)"
check "...and --db= too" 2 "$(status "$prm" --db= partner list)"
check "unreadable -f file exits 2" 2 "$(status "$prm" --db "$db" -f "$tmp/none.prm")"
check "an unreadable -f file is named, with the reason" \
    "prm: cannot read $tmp/none.prm: No such file or directory" \
    "$("$prm" --db "$db" -f "$tmp/none.prm" 2>&1)"
mkdir "$tmp/folder.prm"
check "a folder as -f file exits 2" 2 "$(status "$prm" --db "$db" -f "$tmp/folder.prm")"
check "a folder as -f file says so" \
    "prm: cannot read $tmp/folder.prm: Is a directory" \
    "$("$prm" --db "$db" -f "$tmp/folder.prm" 2>&1)"
check "an unreadable -f file makes no database" no \
    "$([ -e "$tmp/db" ] && echo yes || echo no)"
check "a PRM_NOW that is no time exits 2" 2 \
    "$(PRM_NOW=soon status "$prm" --db "$tmp/now.db" metrics)"
check "...saying why" \
    "prm: PRM_NOW: invalid time 'soon': use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]" \
    "$(PRM_NOW=soon "$prm" --db "$tmp/now.db" metrics 2>&1 >/dev/null)"
if [ -w /dev/full ]; then
    said=$("$prm" --db "$tmp/full-out.db" --json metrics 2>&1 >/dev/full)
    code=$?
    check "output that cannot be written fails the run" 1 "$code"
    check "...saying why" "prm: cannot write the output: No space left on device" "$said"
fi
check "stdin that is a folder exits 2" 2 "$(status "$prm" --db "$db" <"$tmp")"
check "...saying so" "prm: cannot read stdin: Is a directory" \
    "$("$prm" --db "$db" -f - <"$tmp" 2>&1)"
check "a closed stdin exits 2, not an empty script that succeeds" 2 \
    "$(status "$prm" --db "$db" <&-)"
check "...saying so" "prm: cannot read stdin: Bad file descriptor" \
    "$("$prm" --db "$db" -f - <&- 2>&1)"
check "a one-shot command needs no stdin" 0 "$(status "$prm" --db "$db" metrics <&-)"
check "-f and a command exits 2" 2 "$(status "$prm" --db "$db" -f x.prm metrics)"
check "a team database that cannot be reached exits 2" 2 \
    "$(status "$prm" --db "postgresql://localhost:1/prm?connect_timeout=5" metrics)"
check "unknown option in JSON mode prints a JSON error" \
    '{"ok":false,"error":{"code":"syntax","message":"unknown option '"'--nope'"' (see prm --help)","line":0}}' \
    "$("$prm" --json --nope 2>/dev/null)"

# --- database files ----------------------------------------------------
"$prm" --db "$db" metrics >/dev/null
check "new database file is mode 0600" 600 "$(stat -c %a "$db")"
check "new database folder is mode 0700" 700 "$(stat -c %a "$tmp/db")"
echo "this is not a database, just text that is long enough to be read" >"$tmp/text.db"
check "a file that is not SQLite exits 2" 2 "$(status "$prm" --db "$tmp/text.db" metrics)"
check "...and is left as it was" 1 "$(wc -l <"$tmp/text.db")"
if command -v sqlite3 >/dev/null; then
    sqlite3 "$tmp/other.db" "CREATE TABLE t (x)"
    check "another program's SQLite database exits 2" 2 \
        "$(status "$prm" --db "$tmp/other.db" metrics)"
fi
check "a folder as the database exits 2" 2 "$(status "$prm" --db "$tmp" metrics)"
"$prm" partner add name=Default >/dev/null
check "default database under ~/.local/share/prm" yes \
    "$([ -f "$HOME/.local/share/prm/prm.db" ] && echo yes)"
XDG_DATA_HOME="$tmp/xdg" "$prm" metrics >/dev/null
check "XDG_DATA_HOME is honoured" yes "$([ -f "$tmp/xdg/prm/prm.db" ] && echo yes)"
PRM_DB="$tmp/env.db" "$prm" metrics >/dev/null
check "PRM_DB is honoured" yes "$([ -f "$tmp/env.db" ] && echo yes)"

# --- one-shot ------------------------------------------------------------
check "one-shot add" "added partner 1" "$("$prm" --db "$db" partner add name="Acme Corp" region=EMEA)"
check "one-shot words are the shell's" "Acme Corp" \
    "$("$prm" --db "$db" --json partner show "Acme Corp" | sed 's/.*"name":"\([^"]*\)".*/\1/')"
check "one-shot failure exits 1" 1 "$(status "$prm" --db "$db" partner show Ghost)"
check "one-shot error names line 1" "prm: 1: error: no partner with id or name 'Ghost'" \
    "$("$prm" --db "$db" partner show Ghost 2>&1)"
check "one-shot # is not a comment" "added partner 2" \
    "$("$prm" --db "$db" partner add name="#2" )"

# --- scripts on stdin ----------------------------------------------------
out=$(printf 'partner add name=B\npartner add name=B\n' | "$prm" --db "$db" 2>&1)
check "stdin errors are prm: LINE:" "added partner 3
prm: 2: error: a partner named 'B' already exists; names are unique, without regard to case" "$out"
check "script with a failure exits 1" 1 "$(printf 'partner show Ghost\n' | status "$prm" --db "$db")"
check "script without failures exits 0" 0 "$(printf 'metrics\n\n# c\n' | status "$prm" --db "$db")"
check "-f - reads stdin" "added partner 4" "$(echo 'partner add name=C' | "$prm" --db "$db" -f -)"
check "last line needs no newline" "added partner 5" "$(printf 'partner add name=D' | "$prm" --db "$db")"
check "JSON: one object per command" 3 \
    "$(printf 'metrics\n\npartner list\npartner show Ghost\n' | "$prm" --db "$db" --json | wc -l)"
check "no colour in a pipe" 0 \
    "$(printf 'partner list\npartner show Ghost\n' | NO_COLOR= "$prm" --db "$db" 2>&1 | grep -c "$(printf '\033')")"

# --- --atomic and --bail ---------------------------------------------------
a="$tmp/atomic.db"
printf 'partner add name=A1\npartner add name=A2 status=gone\npartner add name=A3\n' |
    "$prm" --db "$a" --atomic >/dev/null 2>&1
check "--atomic with a failure exits 1" 1 "$(printf 'partner add name=X\npartner show Ghost\n' | status "$prm" --db "$a" --atomic)"
check "--atomic with a failure keeps nothing" 0 \
    "$("$prm" --db "$a" --json partner list | grep -o '"id"' | wc -l)"
printf 'partner add name=A1\npartner add name=A2\n' | "$prm" --db "$a" --atomic >/dev/null
check "--atomic without failures keeps everything" 2 \
    "$("$prm" --db "$a" --json partner list | grep -o '"id"' | wc -l)"
b="$tmp/bail.db"
printf 'partner add name=B1\npartner show Ghost\npartner add name=B2\n' | "$prm" --db "$b" --bail >/dev/null 2>&1
check "--bail keeps what came before and stops" '"name":"B1"' \
    "$("$prm" --db "$b" --json partner list | grep -o '"name":"B[0-9]"' | tr '\n' ' ' | sed 's/ $//')"
printf 'partner add name=Q1\nquit\npartner add name=Q2\n' | "$prm" --db "$tmp/quit.db" >/dev/null
check "quit ends a script" 1 "$("$prm" --db "$tmp/quit.db" --json partner list | grep -o '"id"' | wc -l)"

# --- a second process sees each committed command ---------------------
check "every command is kept after the script ends" 5 \
    "$("$prm" --db "$db" --json metrics | sed 's/.*"partners":\([0-9]*\).*/\1/')"

# --- no progress where stderr is not a terminal ----------------------------
awk 'BEGIN { for (i = 1; i <= 60000; i++) printf "partner add name=Bulk%d\n", i }' >"$tmp/bulk.prm"
"$prm" --db "$tmp/bulk.db" -f "$tmp/bulk.prm" >/dev/null 2>"$tmp/bulk.err"
check "a long script piped: nothing on stderr" 0 "$(wc -c <"$tmp/bulk.err")"
check "trend chart falls back to ASCII outside UTF-8" yes \
    "$(LC_ALL=C "$prm" --db "$tmp/bulk.db" report trend metric=partners | grep -q '#####' && echo yes)"

# --- a full disk (a file size limit stands in for it) -----------------------
fd="$tmp/full.db"
"$prm" --db "$fd" partner add name=Before >/dev/null
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "partner add name=F%d notes=\"padding padding padding padding\"\n", i }' >"$tmp/full.prm"
code=$( (trap '' XFSZ; ulimit -f 1500; "$prm" --db "$fd" -f "$tmp/full.prm" >/dev/null 2>"$tmp/full.err"; echo $?) )
check "a full disk fails the script" 1 "$code"
check "...says which commands were not saved" yes \
    "$(grep -q 'could not save the commands of lines .* they are not in the database' "$tmp/full.err" && echo yes)"
check "...and the database still passes check" 0 "$(status "$prm" --db "$fd" check)"
check "...with what was there before" '"name":"Before"' \
    "$("$prm" --db "$fd" --json partner show Before | grep -o '"name":"Before"')"
code=$( (trap '' XFSZ; ulimit -f 1500; echo "export json $tmp/big-export.json" | "$prm" --db "$tmp/bulk.db" >/dev/null 2>&1; echo $?) )
check "an export to a full disk fails" 1 "$code"

# --- an add whose audit entry cannot be written ------------------------------
# A trigger in the file refuses the entry of partner 2.  No record may stay
# without its entry: the batch goes back, and the runner says which lines.
af="$tmp/auditfail.db"
"$prm" --db "$af" partner add name=Kept >/dev/null
sqlite3 "$af" "CREATE TRIGGER refuse BEFORE INSERT ON audit WHEN NEW.record = 3 AND NEW.kind = 'partner' BEGIN SELECT RAISE(ABORT, 'refused'); END;"
printf 'partner add name=A\npartner add name=B\npartner add name=C\n' >"$tmp/auditfail.prm"
"$prm" --db "$af" -f "$tmp/auditfail.prm" >"$tmp/auditfail.out" 2>"$tmp/auditfail.err"
check "an add whose audit entry fails is an error" yes \
    "$(grep -q 'auditfail.prm:2: error: .*refused' "$tmp/auditfail.err" && echo yes)"
check "...and the batch it was in is reported rolled back" yes \
    "$(grep -q 'rolled back the commands of lines 1 to 2' "$tmp/auditfail.err" && echo yes)"
check "...no record is kept without its entry" "0" \
    "$(sqlite3 "$af" "SELECT count(*) FROM partners AS p WHERE NOT EXISTS (SELECT 1 FROM audit AS a WHERE a.kind = 'partner' AND a.record = p.id)")"
check "...and the next line still runs" "Kept C" \
    "$(sqlite3 "$af" "SELECT group_concat(name, ' ') FROM (SELECT name FROM partners ORDER BY id)")"

# --- one-shot commands and the audit triggers --------------------------------
# prm makes its audit triggers before the first write, not at open: every
# one-shot write after one-shot reads must still be logged.
lz="$tmp/lazy.db"
for c in "partner add name=A" "partner show A" "metrics" "partner update A region=EMEA" \
    "partner list" "project add name=P partner=A" "project update P partners=" \
    "partner delete A --cascade" "undo"; do
    # shellcheck disable=SC2086 # the command's words
    "$prm" --db "$lz" $c >/dev/null 2>&1
done
check "one-shot writes after reads are all in the audit log" \
    "1 add partner|2 update partner|3 add project|3 add project_partner|4 delete project_partner|4 delete project|4 delete partner|5 add partner|5 add project|5 add project_partner" \
    "$(sqlite3 "$lz" "SELECT group_concat(change || ' ' || action || ' ' || kind, '|') FROM (SELECT * FROM audit ORDER BY id)")"

# The log keeps a one-shot command as a line that would run it again: each
# argument a word, quoted with escapes where it needs them.
qd="$tmp/quoting.db"
"$prm" --db "$qd" partner add 'name=say "hi"' 'notes=back\slash
newline' >/dev/null
check "a one-shot command is logged as a line that runs it" \
    'partner add name="say \"hi\"" notes="back\\slash\nnewline"' \
    "$(sqlite3 "$qd" "SELECT command FROM audit")"
check "a one-shot argument that is not UTF-8 is refused" \
    "prm: 1: error: argument 3 is not valid UTF-8" \
    "$("$prm" --db "$qd" partner add "$(printf 'name=\377')" 2>&1)"

# --- a database prm may not write ---------------------------------------------
if [ "$(id -u)" != 0 ]; then
    chmod 400 "$fd"
    check "writing a read-only database fails with io" '"code":"io"' \
        "$("$prm" --db "$fd" --json partner add name=X | grep -o '"code":"io"')"
    chmod 600 "$fd"
fi

# --- export and import ------------------------------------------------------
full="$(dirname "$0")/data/full.prm"
r1="$tmp/r1.db" r2="$tmp/r2.db" r3="$tmp/r3.db"
"$prm" --db "$r1" -f "$full" >/dev/null
"$prm" --db "$r1" export json "$tmp/a.json" >/dev/null
check "an export file is mode 0600" 600 "$(stat -c %a "$tmp/a.json")"
"$prm" --db "$r1" export json >"$tmp/stdout.json"
check "export to stdout is the export file" same \
    "$(cmp -s "$tmp/a.json" "$tmp/stdout.json" && echo same)"
check "import into a new database" "imported 3 partners, 3 projects, 2 communications, 3 resources, 2 outcomes from $tmp/a.json" \
    "$("$prm" --db "$r2" import json "$tmp/a.json")"
"$prm" --db "$r2" export json "$tmp/b.json" >/dev/null
check "export, import, export: byte-identical" same \
    "$(cmp -s "$tmp/a.json" "$tmp/b.json" && echo same)"
"$prm" --db "$r1" export jsonl "$tmp/a.jsonl" >/dev/null
"$prm" --db "$r3" import jsonl "$tmp/a.jsonl" >/dev/null
"$prm" --db "$r3" export json "$tmp/c.json" >/dev/null
check "jsonl export and import: the same records" same \
    "$(cmp -s "$tmp/a.json" "$tmp/c.json" && echo same)"
check "JSON mode import object" \
    '{"ok":true,"imported":{"file":"'"$tmp"'/a.jsonl","partners":3,"projects":3,"communications":2,"resources":3,"outcomes":2,"deals":0,"tasks":0,"funds":0,"requests":0,"claims":0,"tiers":0}}' \
    "$(PRM_DB="$tmp/r4.db" "$prm" --json import jsonl "$tmp/a.jsonl")"
"$prm" --db "$r2" export json "$tmp/before.json" >/dev/null
check "importing names that exist fails" 1 "$(status "$prm" --db "$r2" import json "$tmp/a.json")"
"$prm" --db "$r2" export json "$tmp/after.json" >/dev/null
check "...and changes nothing" same "$(cmp -s "$tmp/before.json" "$tmp/after.json" && echo same)"
m="$tmp/merge.db"
"$prm" --db "$m" partner add name=Zed >/dev/null
"$prm" --db "$m" import json "$tmp/a.json" >/dev/null
check "importing into a database with records keeps its ids" '"id":1,"name":"Zed"' \
    "$("$prm" --db "$m" --json partner show 1 | grep -o '"id":1,"name":"Zed"')"
check "...and maps the imported ids and references" '"name":"Cloud, bundle","partners":[2,3]' \
    "$("$prm" --db "$m" --json project show "Cloud, bundle" | grep -o '"name":"Cloud, bundle","partners":\[[0-9,]*\]')"

# --- backup, check, undo ----------------------------------------------------
bk="$tmp/bk/prm.db"
"$prm" --db "$bk" -f "$full" >/dev/null
check "backup" "backed up to $tmp/copy.db" "$("$prm" --db "$bk" backup "$tmp/copy.db")"
check "a backup is mode 0600" 600 "$(stat -c %a "$tmp/copy.db")"
"$prm" --db "$bk" export json "$tmp/bk1.json" >/dev/null
"$prm" --db "$tmp/copy.db" export json "$tmp/bk2.json" >/dev/null
check "the backup opens with --db and holds every record" same \
    "$(cmp -s "$tmp/bk1.json" "$tmp/bk2.json" && echo same)"
check "a backup replaces last night's" "backed up to $tmp/copy.db" "$("$prm" --db "$bk" backup "$tmp/copy.db")"
check "backup onto the database itself is refused" \
    "prm: 1: error: $bk is the database itself (or its journal): back up to another file" \
    "$("$prm" --db "$bk" backup "$bk" 2>&1)"
check "export onto the database itself is refused" \
    "prm: 1: error: $bk is the database itself (or its journal): export to another file" \
    "$("$prm" --db "$bk" export json "$bk" 2>&1)"
check "export onto a backup is refused" 1 \
    "$(status "$prm" --db "$bk" export csv partner "$tmp/copy.db")"
check "...and the database is as it was" ok \
    "$("$prm" --db "$bk" --json check | grep -q '"integrity_check":"ok"' && echo ok)"
printf 'my notes\n' >"$tmp/notes.txt"
check "backup over a file that is not a database exits 1" 1 \
    "$(status "$prm" --db "$bk" backup "$tmp/notes.txt")"
check "...and leaves the file as it was" "my notes" "$(cat "$tmp/notes.txt")"
check "backup into a folder is refused" 1 "$(status "$prm" --db "$bk" backup "$tmp")"
check "an export may replace a file that is not a database" 0 \
    "$(status "$prm" --db "$bk" export json "$tmp/notes.txt")"
check "backup in a script sees the commands before it" 4 \
    "$(printf 'partner add name=Late\nbackup %s\n' "$tmp/late.db" | "$prm" --db "$bk" >/dev/null;
       "$prm" --db "$tmp/late.db" --json partner list | grep -o '"id"' | wc -l)"
check "check on a healthy database exits 0" 0 "$(status "$prm" --db "$bk" check)"
chmod 644 "$bk"
check "check on a file others can read exits 1" 1 "$(status "$prm" --db "$bk" check)"
check "...and says how to fix it" yes \
    "$("$prm" --db "$bk" check 2>&1 | grep -q 'readable by others: chmod 600' && echo yes)"
chmod 600 "$bk"
chmod 755 "$tmp/bk"
check "check on a folder others can enter exits 1" 1 "$(status "$prm" --db "$bk" check)"
chmod 700 "$tmp/bk"
check "check JSON" '{"ok":true,"check":{"integrity_check":"ok","foreign_key_errors":0,"schema_version":'"$newest"',"file_mode":"0600","folder_mode":"0700","encryption":"off","sealed_values":0}}' \
    "$("$prm" --db "$bk" --json check)"
# check holds the money rules: what only a hand in the file could do.
if command -v sqlite3 >/dev/null; then
    mf="$tmp/money.db"
    printf '%s\n' 'partner add name=Acme' 'fund add name=MDF amount=100' \
        'request add fund=MDF partner=Acme activity=Expo amount=80' \
        'request approve 1' 'claim add request=1 amount=50' 'claim approve 1' \
        'claim pay 1' | "$prm" --db "$mf" >/dev/null
    check "check on sound money exits 0" 0 "$(status "$prm" --db "$mf" check)"
    sqlite3 "$mf" "UPDATE funds SET amount = 7999"
    check "check finds a fund overdrawn" "fund 1 is overdrawn: its approved requests add up to more than its amount (funds so: 1)" \
        "$("$prm" --db "$mf" check 2>&1 >/dev/null | grep -o 'fund 1 is overdrawn[^;]*)')"
    check "...and exits 1" 1 "$(status "$prm" --db "$mf" check)"
    sqlite3 "$mf" "UPDATE funds SET amount = 10000; UPDATE claims SET amount = 8001"
    check "check finds a request over-claimed" yes \
        "$("$prm" --db "$mf" check 2>&1 | grep -q 'request 1 is over-claimed' && echo yes)"
    sqlite3 "$mf" "UPDATE claims SET amount = 5000, resource_id = NULL"
    check "check finds a paid claim without its resource" yes \
        "$("$prm" --db "$mf" check 2>&1 | grep -q "claim 1 is paid but its payment's resource is missing" && echo yes)"
    check "...as one of the problems JSON names" db "$("$prm" --db "$mf" --json check | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"
fi
if command -v sqlite3 >/dev/null; then
    u="$tmp/undo.db"
    "$prm" --db "$u" partner add name=Gone >/dev/null
    sqlite3 "$u" "DELETE FROM partners"
    check "undo of a change whose record has moved on fails" 1 "$(status "$prm" --db "$u" undo)"
    check "...and names it" yes \
        "$("$prm" --db "$u" undo 2>&1 | grep -q 'cannot undo change 1 (partner add name=Gone): partner 1 has changed since' && echo yes)"
    check "a corrupt database fails check" 1 \
        "$(printf 'partner add name=X\n' | "$prm" --db "$u" >/dev/null;
           sqlite3 "$u" "PRAGMA foreign_keys=OFF; INSERT INTO communications (partner_id, method, at, content) VALUES (99, 'email', 'x', 'y')";
           status "$prm" --db "$u" check)"
fi

# A long table's rows go through a temporary file (past 8,192 cells) and
# come back whole, in order and aligned to the widest cell of any row,
# whether it went to the file (row 5) or stayed in memory (row 2999).
long="$tmp/long.db"
awk 'BEGIN { for (i = 1; i <= 3000; i++)
    printf "partner add name=%s region=%s\n", i == 2999 ? "Wide-2999" : "P" i, i == 5 ? "Far-Eastern" : "R" i % 7 }' |
    "$prm" --db "$long" >/dev/null
awk 'BEGIN { printf "%4s  %-9s  %-4s  %-11s  %-6s  %s\n", "id", "name", "type", "region", "status", "tier"
    for (i = 1; i <= 3000; i++)
        printf "%4d  %-9s  %-4s  %-11s  %-6s  %s\n", i, i == 2999 ? "Wide-2999" : "P" i, "-", i == 5 ? "Far-Eastern" : "R" i % 7, "active", "-" }' >"$tmp/long.want"
"$prm" --db "$long" partner list >"$tmp/long.got"
check "a list of 3,000 rows is whole and aligned" same \
    "$(cmp -s "$tmp/long.want" "$tmp/long.got" && echo same || diff "$tmp/long.want" "$tmp/long.got" | head -3)"

# import FILE may be - (stdin) when the commands do not come from stdin.
"$prm" --db "$tmp/src.db" partner add name=Piped >/dev/null
check "import jsonl - reads stdin in a one-shot command" "imported 1 partner from stdin" \
    "$("$prm" --db "$tmp/src.db" export jsonl | "$prm" --db "$tmp/dst.db" import jsonl -)"
check "...and so does import csv KIND -" "imported 1 partner from stdin" \
    "$("$prm" --db "$tmp/src.db" export csv partner | "$prm" --db "$tmp/dst2.db" import csv partner -)"
check "...but not in a script read from stdin, which it would consume" \
    "prm: 1: error: cannot read stdin: the commands come from it; give a file, or run prm import json - as a command of its own" \
    "$(echo 'import json -' | "$prm" --db "$tmp/dst.db" 2>&1)"

check "export json - writes stdout, not a file called -" "1 no file" \
    "$(cd "$tmp" && "$prm" --db "$tmp/src.db" export json - | grep -c '"name":"Piped"') $([ -e "$tmp/-" ] && echo file || echo no file)"

check "backup - is refused, and makes no file called -" "invalid_value no file" \
    "$(cd "$tmp" && "$prm" --db "$tmp/src.db" --json backup - | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p') $([ -e "$tmp/-" ] && echo file || echo no file)"

# Users and owners are for team databases; on a file they are refused.
check "user on a file" '{"ok":false,"error":{"code":"unknown_command","message":"user list: a file has no users; users and roles are for team databases (--db postgresql://...)","line":1}}' \
    "$("$prm" --db "$db" --json user list)"
check "owner= on a file" unknown_field \
    "$("$prm" --db "$db" --json partner list owner=bob | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p')"
check "partner add owner= on a file changes nothing" "unknown_field 0" \
    "$("$prm" --db "$db" --json partner add name=Owned owner=bob | sed -n 's/.*"code":"\([a-z_]*\)".*/\1/p') $("$prm" --db "$db" --json partner list name=Owned | grep -o '"id":' | wc -l)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
