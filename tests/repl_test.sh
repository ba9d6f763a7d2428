#!/bin/sh
# repl_test.sh - the interactive prompt in a real terminal (tmux): Tab
# completion, continuation lines, Ctrl-C, history across sessions, colour.
#   repl_test.sh PRM
set -u
prm=$1
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 1; }
tmp=$(mktemp -d) || exit 1
sock="$tmp/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0

rows=40 cols=150
db=$tmp/db.prm
start() { # start [ENV...]: prm on $db at a prompt in a fresh tmux session
    tmux -S "$sock" kill-server 2>/dev/null
    while tmux -S "$sock" has-session 2>/dev/null; do sleep 0.1; done
    rm -f "$sock"
    tmux -S "$sock" new-session -d -x "$cols" -y $rows \
        "env HOME=$tmp TERM=xterm PRM_NOW=2026-03-01T12:00:00Z $* $prm --db $db; sleep 60"
    wait_for 'prm>'
}
. "$(dirname "$0")/tmux_lib.sh"
check() { # check NAME TEXT: the screen shows TEXT
    if wait_for "$2"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL: %s: the screen does not show %s\n' "$1" "$2"
        screen | sed 's/^/  | /'
    fi
}

start
keys 'partner add name="Acme Corp" region=EMEA' Enter
check "add at the prompt" "added partner 1"
keys 'par' Tab 'sh' Tab 'Ac' Tab
check "Tab completes command, verb and a quoted name" 'prm> partner show "Acme Corp"'
keys Enter
check "the completed line runs" "region       EMEA"
keys 'partner list reg' Tab
check "Tab completes a field name with =" "prm> partner list region="
keys C-u 'comm list unt' Tab
check "Tab completes a list's until=" "prm> comm list until="
keys C-u 'project add name=P stat' Tab 'ac' Tab
check "Tab completes an enum value" "prm> project add name=P status=active"
keys C-u 'metrics reg' Tab
check "Tab completes a metrics filter" "prm> metrics region="
keys C-u 'report tr' Tab 'met' Tab 'project_s' Tab
check "Tab completes report's word, a trend key and its value" "prm> report trend metric=project_success_rate"
keys C-u 'audit kind=project_' Tab
check "Tab completes an audit kind" "prm> audit kind=project_partner"
keys C-u 'audit kind=partner id=Ac' Tab
check "...and a partner's name after its id=" 'prm> audit kind=partner id="Acme Corp"'
keys C-u 'export csv comm' Tab
check "Tab completes export's format and kind" "prm> export csv communication"
keys C-u 'insights dorm' Tab
check "Tab completes an insights threshold" "prm> insights dormant_days="
keys C-u 'agenda qu' Tab
check "Tab completes an agenda filter" "prm> agenda quiet_days="
keys C-u 'agenda i' Tab 'da' Tab
check "Tab completes agenda ics and its filters" "prm> agenda ics days="
keys C-u 'encrypt pass' Tab
check "Tab completes encrypt's word" "prm> encrypt passphrase"
keys C-u 'task list ov' Tab
check "Tab completes a task list's own filter" "prm> task list overdue="
keys C-u 'tier rev' Tab 'reg' Tab
check "Tab completes tier review and its scope" "prm> tier review region="
keys C-u 'request approve 1 am' Tab
check "Tab completes a move's own key" "prm> request approve 1 amount="
keys C-u 'project add name="Cloud bundle" partner=1' Enter
# keys typed while a command runs are echoed by the terminal, not by
# readline, and garble the line on a slow machine: wait for it to end
check "a project added at the prompt" "added project 1"
keys 'comm add project=cl' Tab
check "Tab completes a project's name after project=" 'prm> comm add project="Cloud bundle"'
keys C-u 'project add name=L partners=1,ac' Tab
check "Tab completes the last name of a partners= list" 'prm> project add name=L partners=1,"Acme Corp"'
keys C-u
# A key that fills the completer's buffer to the last byte (ASan build).
long_key=$(printf 'k%.0s' $(seq 63))
keys C-u "partner list $long_key=" Tab C-u 'partner list' Enter
check "Tab after a 63-letter key= leaves the prompt working" " 1  Acme Corp"
keys C-u 'partner add \' Enter 'name=Beta'
check "a trailing backslash continues the line" "...> name=Beta"
keys Enter
check "the continued command runs" "added partner 2"
# inside an open quote a name with spaces is one word to complete
keys 'comm add partner="acme c' Tab
check "Tab completes a name inside quotes and closes them" 'prm> comm add partner="Acme Corp"'
keys C-u 'partner show "Ac' Tab
check "...a REF too" 'prm> partner show "Acme Corp"'
keys C-u 'project add name=L partners="Acme Corp, Be' Tab
check "...and the last name of a quoted list, leaving it open" 'prm> project add name=L partners="Acme Corp, Beta'
if screen | grep -q 'partners="Acme Corp, Beta"'; then
    failed=$((failed + 1)); echo "FAIL: a quoted list was closed"; else passed=$((passed + 1)); fi
keys C-u
keys 'partner add name="Two' Enter 'Lines"'
check "an open quote continues the line" '...> Lines"'
keys Enter
check "...and keeps the line break in the text" "added partner 3"
keys 'partner show Two' Enter
check "the name holds the line break" "no partner with id or name 'Two'"
keys 'partner add name=Never' C-c
keys 'partner list' Enter
check "Ctrl-C abandons the line; the next one runs" " 3  Two Lines"
keys 'partner show Never' Enter
check "the abandoned line did not run" "no partner with id or name 'Never'"
keys 'undo' Enter
check "undo says the undone command on one line" ': partner add name="Two Lines"'
keys 'partnr list' Enter
check "a mistake is explained in one line" "did you mean 'partner'?"
keys ' partner show Beta' Enter
check "a line starting with a space runs" "name         Beta"
keys C-d
sleep 0.5

start
keys Up
check "history is kept across sessions" "prm> partnr list"
keys C-u 'partner list' Enter
check "colour on a terminal" "id  name"
esc=$(printf '\033')
if screen -e | grep -q "${esc}\[1m"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: no colour on a terminal"; fi
keys C-u 'task add title="Call back" due=2026-02-20' Enter 'agenda' Enter
check "the agenda's overdue items" "task 1"
# tmux gives bold red as two sequences, ESC[1m ESC[31m
if screen -e | grep -q "${esc}\[31mOverdue"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: the overdue heading is not red on a terminal"; fi
keys C-d
grep -q '^ partner show Beta' "$tmp/.local/state/prm/history" &&
    { failed=$((failed + 1)); echo "FAIL: a line starting with a space was kept"; } ||
    passed=$((passed + 1))

start NO_COLOR=1
keys 'partner list' Enter
check "the list shows with NO_COLOR" " 1  Acme Corp"
keys 'agenda' Enter
check "the agenda shows with NO_COLOR" "Overdue"
if screen -e | grep -q "${esc}\[1m"; then
    failed=$((failed + 1)); echo "FAIL: colour despite NO_COLOR"; else passed=$((passed + 1)); fi
keys 'quit' Enter

# An encrypted export asks for its passphrase twice without echo; two
# that differ write nothing; the passphrase goes nowhere else.
start PRM_KDF=fast
keys "export json $tmp/a.enc encrypt=yes" Enter
check "asked for the passphrase" "Passphrase:"
keys 'Tr0ub4dor' Enter
check "...and again" "Passphrase again:"
keys 'Tr0ub4dor' Enter
check "the encrypted export" "exported 2 partners"
keys "export json $tmp/b.enc encrypt=yes" Enter
check "asked again" "Passphrase:"
keys 'one' Enter 'two' Enter
check "two passphrases that differ" "the two passphrases differ: nothing was done"
[ ! -e "$tmp/b.enc" ] && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: a file written after passphrases that differ"; }
keys "export json $tmp/c.enc encrypt=yes" Enter
check "asked once more" "Passphrase:"
keys C-c
check "Ctrl-C at the question" "no passphrase given: nothing was done"
[ ! -e "$tmp/c.enc" ] && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: a file written after Ctrl-C"; }
if screen | grep -q Tr0ub4dor; then
    failed=$((failed + 1)); echo "FAIL: the passphrase was echoed"; else passed=$((passed + 1)); fi
keys 'quit' Enter
sleep 0.3
if grep -rq Tr0ub4dor "$tmp/.local" 2>/dev/null; then
    failed=$((failed + 1)); echo "FAIL: the passphrase is in the history"; else passed=$((passed + 1)); fi

# settings, history, pager, config file
start
keys 'history 8' Enter
check "history lists the last entries" "partner list"
keys 'set json on' Enter 'partner show 1' Enter
check "set json on prints JSON" '{"ok":true,"partner":{"id":1,"name":"Acme Corp"'
keys 'set json off' Enter 'set' Enter
check "set alone lists the settings" "pager  on"
keys C-d
rows=12
start "PAGER='sed s/^/PAGED:/'"
keys 'help' Enter
check "long output goes through the pager" "PAGED:Type 'help COMMAND'"
keys 'set pager off' Enter
keys 'help partner' Enter
check "...and not with the pager off" "  partner list"
if screen | grep -q "PAGED:  partner list"; then
    failed=$((failed + 1)); echo "FAIL: paged with the pager off"; else passed=$((passed + 1)); fi
keys C-d
rows=40
mkdir -p "$tmp/.config/prm"
printf '# my settings\nset pager off\nset color off\n' >"$tmp/.config/prm/config"
start
keys 'set' Enter
check "the config file's settings apply at the prompt" "pager  off"
keys C-d
rm "$tmp/.config/prm/config"

# tables on a narrow terminal: long text is cut, marked with an ellipsis,
# but for the last column's, which goes on in lines below; headers, numbers
# and dates never are: a table too wide even so is shown a block per row
cols=60
start NO_COLOR=1
keys 'set pager off' Enter
keys 'partner add name="A very long partner name that goes on" type="technology and more"' Enter
keys 'partner list' Enter
check "a long name is cut to fit a narrow terminal" " 4  A very long par…  technology and …  -       active  -"
keys 'report partners' Enter
check "...and a table too wide even so shows a row a block" "name          A very long partner name that goes on"
check "...a field a line" "last contact  -"
if screen | grep -B1 -x 'id            2' | head -1 | grep -qx ''; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL: the blocks are not a blank line apart"
    screen | sed 's/^/  | /'
fi
# two letters too many: the ellipsis takes their place, not a third's
keys 'partner add name=Gamma type="technology and mo"' Enter
keys 'partner list' Enter
check "a cell two letters too wide keeps all it can" " 5  Gamma             technology and …  -       active  -"
keys C-d
cols=80
start NO_COLOR=1
keys 'set pager off' Enter
keys 'comm add partner=1 method=email at=2026-02-03 subject="Renewal terms, the price list for 2027 and the new support levels" content=x' Enter
keys 'comm list' Enter
check "a date is never cut" " 1  Acme Corp  -        email   2026-02-03T00:00:00Z  Renewal terms, the price"
check "...and the last column's text goes on below it" "$(printf '%52s' '')list for 2027 and the new"
keys 'audit kind=communication' Enter
check "a table too wide with kinds whole is shown a row a block" "kind     communication"
keys C-d
cols=150
start NO_COLOR=1
keys 'set pager off' Enter
tmux -S "$sock" resize-window -x 60 -y $rows
sleep 0.5
keys 'report partners' Enter
check "tables fit a terminal made narrower at the prompt" "last contact  -"
keys C-d

# LIKE's wildcards in a typed name are taken as themselves
start
keys 'partner add name="A_b Corp"' Enter 'partner add name="Axb Corp"' Enter
keys 'partner show A_' Tab
check "a name's _ completes as itself, not as any letter" 'prm> partner show "A_b Corp"'
# a completed name is quoted as the lexer reads it back
keys C-u "partner add name=\"O'Brien\"" Enter "partner add name='Say \"hi\" Ltd'" Enter
keys C-u 'partner show O' Tab
check "a name with an apostrophe completes in double quotes" "prm> partner show \"O'Brien\""
keys Enter
check "...and the completed line runs" "name         O'Brien"
keys 'comm add partner=Sa' Tab
check "a name with double quotes completes escaped" 'prm> comm add partner="Say \"hi\" Ltd"'
keys ' method=email content=x' Enter
check "...and the completed line runs" "added communication 2"
keys C-u C-d

# progress of a long script, on a terminal.  Progress shows once work has
# taken a second, so the input pauses halfway for longer than that, however
# fast prm is.
awk 'BEGIN { for (i = 1; i <= 60000; i++) printf "partner add name=Bulk%d\n", i }' >"$tmp/bulk.prm"
slowly() { # slowly FILE: FILE's lines with a pause halfway
    echo "(head -n 30000 $1; sleep 1.5; tail -n +30001 $1)"
}
tmux -S "$sock" kill-server 2>/dev/null
while tmux -S "$sock" has-session 2>/dev/null; do sleep 0.1; done
tmux -S "$sock" new-session -d -x 150 -y 20 \
    "$(slowly "$tmp/bulk.prm") | env HOME=$tmp $prm --db $tmp/bulk.db >/dev/null; sleep 60"
i=0
while [ $i -lt 300 ] && ! screen | grep -q "commands run"; do sleep 0.1; i=$((i + 1)); done
check "a long script ends with a summary on a terminal" "prm: 60000 commands run, 0 failed"

# progress of a long import, on a terminal
"$prm" --db "$tmp/bulk.db" export jsonl "$tmp/bulk.jsonl" >/dev/null
tmux -S "$sock" kill-server 2>/dev/null
while tmux -S "$sock" has-session 2>/dev/null; do sleep 0.1; done
mkfifo "$tmp/bulk.fifo"
tmux -S "$sock" new-session -d -x 150 -y 20 \
    "$(slowly "$tmp/bulk.jsonl") >$tmp/bulk.fifo & env HOME=$tmp $prm --db $tmp/bulk2.db import jsonl $tmp/bulk.fifo >/dev/null; sleep 60"
i=0
while [ $i -lt 300 ] && ! screen | grep -q "import done"; do sleep 0.1; i=$((i + 1)); done
check "a long import shows progress and says when it is done" "prm: import done after"

# a pager quit before the end of a long listing (60,000 partners, more
# than a pipe holds): the prompt goes on; SIGPIPE killed it
cols=150 rows=20 db=$tmp/bulk.db
start "PAGER='head -n 1'"
keys 'partner list' Enter
wait_for 'id  name'
keys 'metrics' Enter  # longer than the screen too: its first line
check "quitting the pager early leaves the prompt running" "60000"

# a name that holds a comma, in a single-quoted partners= list, is put in
# double quotes once it is the one match
printf 'partner add name="A, Inc"\npartner add name=Beta\npartner add name="Zeta Corp"\n' |
    "$prm" --db "$tmp/names.db" >/dev/null
db=$tmp/names.db
start
keys "project add name=Q partners='Beta,A" Tab
check "a name with a comma is quoted in a list" "prm> project add name=Q partners='Beta,\"A, Inc\""
keys C-u "project add name=Q partners='\"A, Inc\",Ze" Tab
check "...and a name after one completes" "prm> project add name=Q partners='\"A, Inc\",Zeta Corp"
keys C-u "project add name=Q partners='Zeta Corp,\"A" Tab
check "...and a quote the user opened is closed" "prm> project add name=Q partners='Zeta Corp,\"A, Inc\""
keys C-u

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
