#!/bin/sh
# csv_output_test.sh - every table prm prints with --csv, read by Python's
# csv module, holds what --json says (tests/csv_output_check.py): lists of
# every kind, metrics, report partners and trend, insights, the audit log
# and the agenda, with awkward text (quotes, commas, line
# breaks, CJK, text that looks like a spreadsheet formula).
#
#   csv_output_test.sh PRM SOURCE_DIR
set -u
prm=$1 src=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export PRM_NOW=2026-03-01T12:00:00Z
db=$tmp/db
"$prm" --db "$db" -f - >/dev/null 2>"$tmp/err" <<'PRM' || { echo "FAIL: setup"; cat "$tmp/err"; exit 1; }
partner add name="Acme Corp" region=EMEA notes="line one\nline two"
partner add name="=HYPERLINK(\"http://x\")" type="+reseller" region="-1" tier="@gold"
partner add name="北京环球有限公司" notes="comma, and \"quotes\""
project add name=Alpha partners="Acme Corp,北京环球有限公司" status=active due=2026-03-03 progress=40
project add name=Beta partner="Acme Corp" status=planned due=2026-02-10
comm add partner="Acme Corp" project=Alpha method=phone content="Talked; agreed" next="Send the quote"
resource add partner="Acme Corp" kind=funding amount=1500.25 unit=USD
outcome add project=Alpha description="A win, finally" value=0.1
deal add partner="Acme Corp" customer="Globex, Inc." domain=globex.com amount=120000.50 close=2026-03-05
deal add partner="北京环球有限公司" customer="Globex Inc" product=Firewall
deal approve 1 days=5
task add title="@mention the team" partner="Acme Corp" due=2026-02-20
task add title="	tab first" due=2026-03-02
fund add name="=MDF, \"H1\"" amount=1000000.01 currency=EUR
request add fund=1 partner="Acme Corp" project=Alpha activity="-booth" amount=600.5
request approve 1 amount=500.25
claim add request=1 amount=0.1 proof="+invoice"
claim approve 1
claim pay 1
tier add name=Gold rank=2 min_won_value=100000 min_deals_won=1
tier add name="Silver, \"plain\"" rank=1 min_closed_success_rate=0.5
PRM
fails=0
while IFS= read -r cmd; do
    # shellcheck disable=SC2086 # the command's words
    /usr/bin/python3 "$src/tests/csv_output_check.py" "$prm" "$db" $cmd || fails=$((fails + 1))
done <<'EOF2'
partner list
project list
comm list
resource list
outcome list
deal list
task list
task list overdue=yes
agenda
agenda days=30
agenda days=0 quiet_days=1
metrics
metrics region=EMEA
report partners
report partners --explain
report trend
report trend by=year
insights
audit
audit kind=task
fund list
request list
claim list
tier list
tier review
tier review region=EMEA
EOF2
# An empty table is its header alone.
[ "$("$prm" --db "$db" --csv task list status=cancelled)" = "$(printf 'id,title,partner,project,deal,due,status,done_at,notes,created_at,updated_at\r')" ] ||
    { echo "FAIL: an empty list is not its header alone"; fails=$((fails + 1)); }
# So is an empty report, and an empty audit log.
[ "$("$prm" --db "$db" --csv report partners region=Nowhere | head -c 12)" = "partner,name" ] ||
    { echo "FAIL: an empty report is not its header"; fails=$((fails + 1)); }
[ "$("$prm" --db "$tmp/empty.db" --csv audit)" = "$(printf 'id,change,at,user,command,action,kind,record,before,after,undoes\r')" ] ||
    { echo "FAIL: an empty audit log is not its header"; fails=$((fails + 1)); }
# A command without a table prints as in text mode.
[ "$("$prm" --db "$db" --csv task done 1)" = "done task 1" ] ||
    { echo "FAIL: task done with --csv"; fails=$((fails + 1)); }
echo "$fails failures"
[ "$fails" -eq 0 ]
