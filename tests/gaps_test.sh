#!/bin/sh
# gaps_test.sh - the coverage_gap rule of insights sums a region's or a
# type's activity only where it finds few active partners (counting them
# no further than one past gap_max_partners): whatever the bound and the
# scope, its findings must be those worked out here from every partner's
# row of report partners.  240 partners over regions and types of every
# size (no active partner, one, two, three, many; some with no region or
# type), of every status, with projects and communications for some.
#   gaps_test.sh PRM [PG_DIR]   (PG_DIR: a team database of pg_cluster.sh)
set -u
prm=$1
pgdir=${2:-}
name=gaps
. "$(dirname "$0")/oracle_lib.sh"

# Region R0 has no partner active, R1 one, R2 two, ... up to R6, R7 the
# rest; types likewise by another stride, so that regions and types cut
# across each other.  Every fifth partner has no region, every seventh
# no type.
awk 'BEGIN {
    split("active prospect inactive", st, " ")
    for (i = 1; i <= 240; i++) {
        r = i % 11; if (r > 7) r = 7
        t = i % 6
        s = st[i % 3 + 1]
        line = sprintf("partner add name=P%03d status=%s", i, s)
        if (i % 5 != 0) line = line sprintf(" region=R%d", r)
        if (i % 7 != 0) line = line sprintf(" type=T%d", t)
        print line
        if (i % 4 != 1)
            printf "project add name=J%03d partner=P%03d status=active\n", i, i
        for (c = 0; c < i % 3; c++)
            printf "comm add partner=P%03d method=email content=c at=2026-0%d-01\n", i, c + 1
    }
}' >"$tmp/load.prm"
"$prm" --db "$db" -f "$tmp/load.prm" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: loading: $(head -n 3 "$tmp/err")"; exit 1; }
"$prm" --db "$db" --csv partner list >"$tmp/partners" &&
    "$prm" --db "$db" --csv report partners >"$tmp/report" ||
    { echo "FAIL: reading the partners"; exit 1; }

# same BOUND ARGS...: the coverage gaps of insights against the oracle's
same() {
    bound=$1
    shift
    "$prm" --db "$db" --csv insights limit=0 gap_max_partners="$bound" "$@" \
        >"$tmp/all" || { fail "insights gap_max_partners=$bound $*"; return; }
    python3 - "$tmp/partners" "$tmp/report" "$tmp/all" "$bound" "$@" <<'EOF'
import csv, json, sys
partners, report, found, bound = sys.argv[1:5]
scope = dict(a.split("=", 1) for a in sys.argv[5:])
figures = {r["partner"]: r for r in csv.DictReader(open(report))}
groups = {}
for p in csv.DictReader(open(partners)):
    if any(p[k] != v for k, v in scope.items() if k in ("region", "type")):
        continue
    if "partner" in scope and p["name"] != scope["partner"]:
        continue
    f = figures[p["id"]]
    for dim in ("region", "type"):
        if p[dim] == "":
            continue
        g = groups.setdefault((dim, p[dim]), [0, 0, 0, 0])
        g[0] += p["status"] == "active"
        g[1] += 1
        g[2] += int(f["projects"])
        g[3] += int(f["communications"])
want = sorted(((dim, name) + tuple(g) for (dim, name), g in groups.items()
               if g[0] <= float(bound) and g[2] + g[3] > 0),
              key=lambda x: (-(x[4] + x[5]), x[0] != "region", x[1]))
got = []
for r in csv.DictReader(open(found)):
    if r["rule"] == "coverage_gap":
        n = json.loads(r["numbers"])
        got.append((r["subject"], r["name"], n["active_partners"],
                    n["partners"], n["projects"], n["communications"]))
if got != want:
    print("want", want[:4], "\ngot ", got[:4])
    sys.exit(1)
EOF
    if [ $? -eq 0 ]; then
        passed=$((passed + 1))
    else
        fail "gap_max_partners=$bound $*"
    fi
}
for bound in 0 1 2 3 5 40 1000000; do
    same $bound
done
same 1 region=R1
same 2 region=R2
same 3 type=T4
same 1 status=inactive
same 30 type=T2 region=R7
same 1 partner=P017
same 1 partner=P030

finish
