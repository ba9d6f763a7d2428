#!/bin/sh
# bulk_import_test.sh - a JSON Lines import into an empty database, large
# enough that a team database takes it in several batches (5,000 lines
# each, COPY into a temporary table, one INSERT ... SELECT a kind): the
# records come back exactly as the file had them (awkward text included:
# tabs, backslashes, newlines, quotes, CJK, emoji, NULLs), the counts
# metrics keeps and the audit log are exact (check passes; undo removes
# every record the import added), and a bad record in any batch fails the
# whole import with the message, code and line a record-by-record import
# gives, leaving nothing behind; kill -9 during it leaves all or nothing.
# The same on a file, which has no batches.
#   bulk_import_test.sh PRM [PG_DIR]   (PG_DIR: a team database of
#                                       pg_cluster.sh)
set -u
prm=$1
pgdir=${2:-}
name=bulk_import
. "$(dirname "$0")/oracle_lib.sh"

fresh() { # NAME: a new, empty database
    if [ -n "$pgdir" ]; then team_db "bulk_import_$1"; else echo "$tmp/$1.db"; fi
}

# 6,000 partners, 3,000 projects with one or two partners, 6,000
# communications: 15,001 lines, three batches and a part, kinds mixed
# within a batch.
awk 'BEGIN {
    print "{\"format\":\"prm-jsonl\",\"version\":2}"
    for (i = 1; i <= 6000; i++) {
        notes = (i % 7 == 0) ? "null" : sprintf("\"tab\\there, back\\\\slash, line\\nbreak, \\\"quoted\\\" 合作伙伴 🤝 %d\"", i)
        printf "{\"partner\":{\"id\":%d,\"name\":\"Partner %05d\",\"type\":\"reseller\",\"region\":\"%s\",\"status\":\"active\",\"tier\":null,\"email\":\"p%d@example.com\",\"phone\":null,\"notes\":%s,\"created_at\":\"2025-01-01T00:00:00Z\",\"updated_at\":\"2025-01-01T00:00:00Z\"}}\n", i, i, (i % 2 ? "EMEA" : "APAC"), i, notes
    }
    for (i = 1; i <= 3000; i++) {
        partners = (i % 3 == 0) ? sprintf("%d,%d", i, i + 3000) : sprintf("%d", i)
        printf "{\"project\":{\"id\":%d,\"name\":\"Project %05d\",\"partners\":[%s],\"goal\":null,\"plan\":\"a\\tb\\\\c\",\"progress\":%d,\"status\":\"%s\",\"result\":null,\"start\":null,\"due\":null,\"created_at\":\"2025-02-01T00:00:00Z\",\"updated_at\":\"2025-02-01T00:00:00Z\"}}\n", i, i, partners, i % 101, (i % 2 ? "active" : "succeeded")
    }
    for (i = 1; i <= 6000; i++)
        printf "{\"communication\":{\"id\":%d,\"partner\":%d,\"project\":%s,\"method\":\"email\",\"at\":\"2025-03-01T00:00:00Z\",\"subject\":null,\"content\":\"Call %d\\r\\nnext steps\"}}\n", i, (i % 6000) + 1, (i % 2 ? sprintf("%d", (i % 3000) + 1) : "null"), i
}' >"$tmp/all.jsonl"

# import DB FILE: the import's --json answer
import() { "$prm" --json --db "$1" import jsonl "$2" 2>/dev/null; }

# The whole file: back as it was, counts and audit log exact.
db=$(fresh whole)
out=$(import "$db" "$tmp/all.jsonl")
case $out in
*'"partners":6000,"projects":3000,"communications":6000'*) passed=$((passed + 1)) ;;
*) fail "import: $out" ;;
esac
"$prm" --db "$db" export jsonl "$tmp/back.jsonl" >/dev/null
if cmp -s "$tmp/all.jsonl" "$tmp/back.jsonl"; then passed=$((passed + 1)); else
    fail "export after import differs: $(diff "$tmp/all.jsonl" "$tmp/back.jsonl" | head -4)"
fi
if out=$("$prm" --db "$db" check 2>&1); then passed=$((passed + 1)); else
    fail "check after import: $out"
fi
metrics() { "$prm" --json --db "$1" metrics | grep -oE '"(partners|projects|communications)":[0-9]+'; }
counted=$(metrics "$db" | tr '\n' ' ')
[ "$counted" = '"partners":6000 "projects":3000 "communications":6000 ' ] &&
    passed=$((passed + 1)) || fail "metrics after import: $counted"
# The audit log names every record the import added: undo removes them all.
"$prm" --db "$db" undo >/dev/null 2>&1 || fail "undo of the import"
counted=$(metrics "$db" | tr '\n' ' ')
[ "$counted" = '"partners":0 "projects":0 "communications":0 ' ] &&
    passed=$((passed + 1)) || fail "metrics after undo: $counted"
if out=$("$prm" --db "$db" check 2>&1); then passed=$((passed + 1)); else
    fail "check after undo: $out"
fi

# bad LINE REPLACEMENT CODE MESSAGE: the file with line LINE replaced
# fails as a whole, naming the line, and leaves the database empty.
bad() {
    awk -v at="$1" -v with="$2" 'NR == at { print with; next } { print }' \
        "$tmp/all.jsonl" >"$tmp/bad.jsonl"
    d=$(fresh "bad_$1")
    want="{\"ok\":false,\"error\":{\"code\":\"$3\",\"message\":\"bad.jsonl: $4; nothing was imported\",\"line\":1}}"
    got=$(cd "$tmp" && import "$d" bad.jsonl)
    [ "$got" = "$want" ] && passed=$((passed + 1)) ||
        fail "line $1: expected $want, got $got"
    left=$(metrics "$d" | tr '\n' ' ')
    [ "$left" = '"partners":0 "projects":0 "communications":0 ' ] &&
        passed=$((passed + 1)) || fail "line $1: left behind: $left"
}
# a name taken (names ignore case), in the second batch
bad 5502 '{"partner":{"id":5501,"name":"PARTNER 00017","status":"active"}}' \
    conflict "line 5502: a partner named 'PARTNER 00017' already exists; names are unique, without regard to case"
# a reference to a record the file does not hold, in the third batch
bad 12000 '{"communication":{"id":5999,"partner":7000,"method":"email","at":"2025-03-01T00:00:00Z","content":"x"}}' \
    not_found "line 12000: partner refers to partner 7000, which the file does not hold (or holds later)"
# an id the file gave a project before
bad 7000 '{"project":{"id":998,"name":"Project x998","partners":[5],"status":"active"}}' \
    conflict "line 7000: a project with id 998 already exists"
# the last line bad: the final batch
bad 15001 '{"communication":{"id":6000,"partner":1,"method":"fax","at":"2025-03-01T00:00:00Z","content":"x"}}' \
    invalid_value "line 15001: invalid method 'fax'"

# kill -9 during the import: all of it or none, check passes, and the
# import runs again (on a team database once the server has dropped the
# dead connection's transaction).
empty='"partners":0 "projects":0 "communications":0 '
full='"partners":6000 "projects":3000 "communications":6000 '
for delay in 0.2 0.6; do
    d=$(fresh "killed_$(echo "$delay" | tr -d .)")
    "$prm" --db "$d" import jsonl "$tmp/all.jsonl" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    left=$(metrics "$d" | tr '\n' ' ')
    if [ "$left" = "$empty" ] || [ "$left" = "$full" ]; then
        passed=$((passed + 1))
    else
        fail "killed after $delay s: left $left"
    fi
    if out=$("$prm" --db "$d" check 2>&1); then passed=$((passed + 1)); else
        fail "check after a kill at $delay s: $out"
    fi
    if [ "$left" = "$empty" ]; then
        "$prm" --db "$d" import jsonl "$tmp/all.jsonl" >/dev/null 2>&1
        left=$(metrics "$d" | tr '\n' ' ')
        [ "$left" = "$full" ] && passed=$((passed + 1)) ||
            fail "import again after a kill at $delay s: $left"
    fi
done

# Ids past what the import remembers (2^26): asked of the database.
d=$(fresh large)
printf '%s\n' '{"format":"prm-jsonl","version":2}' \
    '{"partner":{"id":1,"name":"Small","status":"active"}}' \
    '{"partner":{"id":100000000,"name":"Large","status":"active"}}' \
    '{"communication":{"id":1,"partner":100000000,"method":"email","at":"2025-03-01T00:00:00Z","content":"x"}}' \
    '{"communication":{"id":2,"partner":1,"method":"email","at":"2025-03-01T00:00:00Z","content":"y"}}' \
    >"$tmp/large.jsonl"
out=$(import "$d" "$tmp/large.jsonl")
case $out in
*'"partners":2,'*'"communications":2,'*) passed=$((passed + 1)) ;;
*) fail "large ids: $out" ;;
esac
out=$("$prm" --db "$d" communication list partner=100000000 2>&1)
case $out in *Large*) passed=$((passed + 1)) ;; *) fail "large ids: $out" ;; esac

finish
