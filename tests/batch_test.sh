#!/bin/sh
# batch_test.sh - a script's batches change nothing but speed.
#
#   batch_test.sh PRM [LINES=400] [SEED=1] [PG_DIR]
#
# A seeded random script of good and bad commands (adds, updates, deletes
# with and without --cascade, a project's partners, undo, syntax errors)
# runs three ways: as one script, in batches of many commands per
# transaction; one line at a time, a transaction each; and, without the
# lines that failed, as one --atomic transaction.  All three must leave
# the same records and the same audit log, and the failures must be the
# same lines.  With --bail, and a bad line halfway through the good ones,
# it must keep what the lines before the bad one keep alone.  A failed command inside a batch must take back all it did
# and nothing more.  With PG_DIR (a cluster of tests/pg_cluster.sh), on
# team databases.
set -u
prm=$1 lines=${2:-400} seed=${3:-1} pgdir=${4:-}
tmp=$(mktemp -d) || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT; [ -n "${KEEP:-}" ] && echo "$tmp"
export PRM_NOW=2026-03-01T12:00:00Z NO_COLOR=1 LC_ALL=C.UTF-8
status=0
fail() {
    echo "FAIL: $*"
    status=1
}
# db NAME: a new database for one of the three runs
base=
if [ -n "$pgdir" ]; then
    export PGOPTIONS='--client-min-messages=warning'
    base=$(cat "$pgdir/uri") || exit 1
fi
db() {
    if [ -z "$base" ]; then
        echo "$tmp/$1.db"
        return
    fi
    psql -qX "$base" -c "DROP DATABASE IF EXISTS batch_$1" \
        -c "CREATE DATABASE batch_$1" >/dev/null || exit 1
    echo "$base" | sed "s|:///postgres?|:///batch_$1?|"
}
batched=$(db batched) single=$(db single) atomic=$(db atomic) bail=$(db bail)
before_bail=$(db before_bail)

awk -v n="$lines" -v seed="$seed" '
function pick(list,   a, k) { k = split(list, a, " "); return a[int(rand() * k) + 1] }
function id(max) { return int(rand() * (max + 2)) + 1 }
BEGIN {
    srand(seed)
    for (i = 1; i <= n; i++) {
        r = rand()
        if (r < 0.22)
            printf "partner add name=\"Partner %d\" status=%s region=%s\n", i,
                pick("active prospect inactive bogus"), pick("EMEA APAC \"\" LATAM")
        else if (r < 0.34)
            printf "project add name=\"Project %d\" partners=%d,%d status=%s progress=%s\n",
                i, id(i / 4), id(i / 4), pick("planned active succeeded failed nope"),
                pick("0 50 100 101")
        else if (r < 0.44)
            printf "comm add partner=%d project=%d method=%s content=\"call %d\"\n",
                id(i / 4), id(i / 8), pick("email phone fax"), i
        else if (r < 0.52)
            printf "resource add partner=%d kind=%s amount=%s\n", id(i / 4),
                pick("people funding gold"), pick("1 2.5 -1 0.30000000000000004")
        else if (r < 0.58)
            printf "outcome add project=%d description=\"won %d\" value=%s\n",
                id(i / 8), i, pick("10 0 -5")
        else if (r < 0.68)
            printf "partner update %d tier=%s status=%s\n", id(i / 4),
                pick("gold silver \"\""), pick("active inactive bogus")
        else if (r < 0.74)
            printf "project update %d partners=%d progress=%s\n", id(i / 8),
                id(i / 4), pick("10 90 200")
        else if (r < 0.84)
            printf "%s delete %d%s\n", pick("partner project comm resource outcome"),
                id(i / 6), rand() < 0.5 ? " --cascade" : ""
        else if (r < 0.90)
            print "undo"
        else if (r < 0.94)
            print pick("frobnicate partner \"partner add name=\\\"open")
        else
            print "# a comment, then a blank line"
    }
}' >"$tmp/script.prm"

# 1. one script, in batches
"$prm" --db "$batched" -f "$tmp/script.prm" >/dev/null 2>"$tmp/batched.err"
grep -o '^[^:]*:[0-9]*:' "$tmp/batched.err" | sed 's/.*:\([0-9]*\):$/\1/' >"$tmp/batched.failed"

# 2. a line at a time
: >"$tmp/single.failed"
: >"$tmp/kept.prm"
n=0
while IFS= read -r line; do
    n=$((n + 1))
    if printf '%s\n' "$line" | "$prm" --db "$single" >/dev/null 2>&1; then
        printf '%s\n' "$line" >>"$tmp/kept.prm"
    else
        echo "$n" >>"$tmp/single.failed"
    fi
done <"$tmp/script.prm"

# 3. the lines that succeeded, all or nothing
"$prm" --db "$atomic" --atomic -f "$tmp/kept.prm" >/dev/null 2>"$tmp/atomic.err" ||
    fail "the lines that succeeded one at a time failed together: $(head -3 "$tmp/atomic.err")"

# 4. --bail keeps what came before the first failure, as if the script had
# ended there: the good lines with a bad one halfway
half=$(($(wc -l <"$tmp/kept.prm") / 2))
{ head -n "$half" "$tmp/kept.prm"; echo "frobnicate"; tail -n +$((half + 1)) "$tmp/kept.prm"; } >"$tmp/bail.prm"
"$prm" --db "$bail" --bail -f "$tmp/bail.prm" >/dev/null 2>&1
[ $? = 1 ] || fail "--bail did not exit 1"
head -n "$half" "$tmp/kept.prm" | "$prm" --db "$before_bail" >/dev/null 2>&1 ||
    fail "the good lines before the bad one failed"

cmp -s "$tmp/batched.failed" "$tmp/single.failed" ||
    fail "different lines failed: $(diff "$tmp/batched.failed" "$tmp/single.failed" | head -5)"
failed=$(wc -l <"$tmp/single.failed")
[ "$failed" -gt $((lines / 10)) ] || fail "only $failed of $lines lines failed: the script tests too little"
[ "$failed" -lt $((lines * 9 / 10)) ] || fail "$failed of $lines lines failed: the script tests too little"
for run in batched single atomic bail before_bail; do
    eval "where=\$$run"
    "$prm" --db "$where" export json "$tmp/$run.json" >/dev/null
    "$prm" --db "$where" --json audit limit=0 >"$tmp/$run.audit"
    [ -n "$base" ] && psql -qX "$base" -c "DROP DATABASE batch_$run" >/dev/null
done
for run in single atomic; do
    cmp -s "$tmp/batched.json" "$tmp/$run.json" || fail "records differ: batched and $run"
done
for run in single atomic; do
    cmp -s "$tmp/batched.audit" "$tmp/$run.audit" || fail "audit logs differ: batched and $run"
done
cmp -s "$tmp/bail.json" "$tmp/before_bail.json" || fail "--bail kept something else"
cmp -s "$tmp/bail.audit" "$tmp/before_bail.audit" || fail "--bail logged something else"
[ $status = 0 ] && echo "ok: $lines lines, $failed failed, the same records and log three ways, --bail as if cut"
exit $status
