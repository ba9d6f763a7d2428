#!/bin/bash
# completion_test.sh - the bash completion of one-shot commands
# (completions/prm.bash) against a real database.
#   completion_test.sh PRM
set -u
prm=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
PATH="$(cd "$(dirname "$prm")" && pwd):$PATH"
export PRM_DB="$tmp/db"
prm partner add name="Acme Corp" >/dev/null
prm partner add name=Globex >/dev/null
source "$(dirname "$0")/../completions/prm.bash"
passed=0 failed=0

complete_line() { # complete_line WORDS...: COMPREPLY for the last word
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _prm
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
check() {
    if [ "$2" = "$3" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; fi
}
check "commands" "partner project" "$(complete_line prm p)"
check "options" "--db" "$(complete_line prm --d)"
check "verbs" "update" "$(complete_line prm partner up)"
check "fields" "region=" "$(complete_line prm partner add re)"
check "a deal's own verbs" "approve" "$(complete_line prm deal app)"
check "...not another kind's" "" "$(complete_line prm partner app)"
check "a deal list's own filters" "expiring=" "$(complete_line prm deal list exp)"
check "a task's own verbs" "done" "$(complete_line prm task do)"
check "a task list's own filters" "overdue=" "$(complete_line prm task list ov)"
check "a task's deal" "deal=" "$(complete_line prm task add de)"
check "money's kinds" "fund" "$(complete_line prm fu)"
check "a claim's own verbs" "pay" "$(complete_line prm claim pa)"
check "request approve's amount" "amount=" "$(complete_line prm request approve 1 am)"
check "a request's fields" "activity=" "$(complete_line prm request add act)"
check "tier review's scope" "region=" "$(complete_line prm tier review reg)"
check "...and not a tier's fields" "" "$(complete_line prm tier review min_)"
check "a tier's minimums" "min_closed_success_rate= min_communications=" "$(complete_line prm tier add min_c)"
check "comm add's follow-up" "next= next_due=" "$(complete_line prm comm add nex)"
check "agenda's filters" "quiet_days=" "$(complete_line prm agenda qu)"
check "agenda ics" "ics" "$(complete_line prm agenda ic)"
check "encrypt's words" "off on" "$(complete_line prm encrypt o)"
check "the command encrypt" "encrypt" "$(complete_line prm encr)"
check "agenda's partner" "partner=Globex" "$(complete_line prm agenda partner=Gl)"
check "since= and until= after list" "since=" "$(complete_line prm comm list si)"
check "...not after add" "" "$(complete_line prm comm add si)"
check "names after show" "Acme Corp" "$(complete_line prm partner show Ac)"
check "names after partner=" "partner=Globex" "$(complete_line prm comm add partner=Gl)"
check "names after partners=" "partners=Globex" "$(complete_line prm project add partners=Gl)"
check "the last name of a partners= list" "partners=Acme Corp,Globex" "$(complete_line prm project add 'partners=Acme Corp,Gl')"
check "reports" "partners" "$(complete_line prm report pa)"
check "a trend's keys" "by=" "$(complete_line prm report trend b)"
check "report partners' keys" "sort=" "$(complete_line prm report partners so)"
check "audit's filters" "kind=" "$(complete_line prm audit ki)"
# The KEY= words come from prm's own tables (help --words).
check "a project's partners, one or all" "partner= partners=" "$(complete_line prm project add par)"
check "insights' window" "since=" "$(complete_line prm insights si)"
check "help --words of a kind" "partner= project= method= at= subject= content=" "$(prm help --words comm)"
check "help --words of a command" "kind= id= user= since= until= limit=" "$(prm help --words audit)"
check "insights' thresholds" "dormant_days=" "$(complete_line prm insights dor)"
check "the kind after export csv" "communication" "$(complete_line prm export csv comm)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
