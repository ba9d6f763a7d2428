#!/bin/sh
# html_report_test.sh - report html in a real browser (Debian's chromium,
# headless): the page of a fixed database is rendered (screenshot and
# --dump-dom), fetches and runs nothing, logs no console message, and its
# text holds every headline metric and every partner row as prm's --json
# gives them (tests/html_check.py); markup in a name stays text.  With
# PRM_UPDATE=1 the screenshot becomes doc/report.png.
#
#   html_report_test.sh PRM SOURCE_DIR
set -u
prm=$1 src=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
browser=$(command -v chromium || command -v chromium-browser) ||
    { echo "FAIL: chromium is not installed (scripts/deps.sh installs it)"; exit 1; }
export PRM_NOW=2026-03-01T12:00:00Z
db=$tmp/db
hostile='<script>alert(1)</script> & "Co"'
"$prm" --db "$db" -f - >/dev/null 2>"$tmp/err" <<PRM || { echo "FAIL: setup"; cat "$tmp/err"; exit 1; }
partner add name="Acme Corp" region=EMEA type=reseller
partner add name="Globex" region=APAC type=technology
partner add name="Initech" region=EMEA status=prospect
partner add name='$hostile' region=EMEA
project add name=Alpha partners="Acme Corp,Globex" status=succeeded start=2025-09-01
project add name=Beta partner="Acme Corp" status=active start=2025-11-15 due=2026-02-01
project add name=Gamma partner=Globex status=failed start=2026-01-10
project add name=Delta partner=Initech status=planned start=2026-02-20
comm add partner="Acme Corp" method=phone content=x at=2025-10-03
comm add partner="Acme Corp" method=email content=y at=2026-02-11
comm add partner=Globex method=meeting content=z at=2025-12-01
resource add partner="Acme Corp" project=Alpha kind=funding amount=5000 unit=USD at=2025-09-10
resource add partner=Globex project=Gamma kind=people amount=2 unit=FTE at=2026-01-12
outcome add project=Alpha description="Joint launch" value=12000 at=2025-12-20
deal add partner="Acme Corp" customer="Umbrella Corp" amount=45000 close=2026-02-15
deal approve 1 days=60
deal add partner=Globex customer="Hooli" amount=12000.50
deal won 1 amount=47500
task add title="Send the Q1 review" partner=Globex due=2026-02-25
project add name='<img src=x onerror=alert(2)>' partner='$hostile' status=active due=2026-01-05
task add title='</td><script>alert(3)</script>' partner='$hostile' due=2026-02-01
PRM
"$prm" --db "$db" report html "$tmp/report.html" >/dev/null || { echo "FAIL: report html"; exit 1; }
# Markup in a project's name and a task's title (the overdue items) stays
# text too: no element of theirs in the page.
for markup in '<img src=x onerror=alert(2)>' '</td><script>alert(3)</script>'; do
    ! grep -qF "$markup" "$tmp/report.html" ||
        { echo "FAIL: markup left unescaped: $markup"; exit 1; }
done
"$prm" --db "$db" --json metrics >"$tmp/metrics.json"
"$prm" --db "$db" --json report partners >"$tmp/report.json"
run_browser() { # ARGS...: headless, no sandbox as root, logging to stderr
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
        --no-first-run --enable-logging=stderr --v=0 "$@"
}
run_browser --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/browser.log" ||
    { echo "FAIL: chromium --dump-dom"; tail -5 "$tmp/browser.log"; exit 1; }
run_browser --screenshot="$tmp/report.png" --window-size=1100,2200 \
    "file://$tmp/report.html" >/dev/null 2>>"$tmp/browser.log"
fails=0
[ -s "$tmp/report.png" ] || { echo "FAIL: no screenshot"; fails=$((fails + 1)); }
/usr/bin/python3 "$src/tests/html_check.py" "$tmp/dom.html" "$tmp/metrics.json" \
    "$tmp/report.json" "$tmp/browser.log" "$hostile" || fails=$((fails + 1))
[ "$(stat -c %a "$tmp/report.html")" = 600 ] ||
    { echo "FAIL: the report's mode is not 0600"; fails=$((fails + 1)); }
# An empty database, and filters that match nothing: a page that says so,
# without an empty chart or table.
"$prm" --db "$tmp/empty.db" report html "$tmp/empty.html" >/dev/null
grep -q "Nothing yet" "$tmp/empty.html" && ! grep -q "<svg" "$tmp/empty.html" &&
    ! grep -q "<table" "$tmp/empty.html" ||
    { echo "FAIL: the report of an empty database"; fails=$((fails + 1)); }
"$prm" --db "$db" report html "$tmp/none.html" region=Nowhere >/dev/null
grep -q "No partner matches these filters" "$tmp/none.html" && ! grep -q "<svg" "$tmp/none.html" ||
    { echo "FAIL: the report of filters that match nothing"; fails=$((fails + 1)); }
# A report of one region holds its partners alone.
"$prm" --db "$db" report html "$tmp/emea.html" region=EMEA >/dev/null
grep -q 'data-partner="1"' "$tmp/emea.html" && ! grep -q 'data-partner="2"' "$tmp/emea.html" ||
    { echo "FAIL: report html region=EMEA"; fails=$((fails + 1)); }
if [ "${PRM_UPDATE:-}" = 1 ]; then cp "$tmp/report.png" "$src/doc/report.png"; fi
echo "$fails failures"
[ "$fails" -eq 0 ]
