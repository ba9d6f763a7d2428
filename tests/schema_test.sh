#!/bin/sh
# schema_test.sh - the two engines' schemas define the same fields.
#
#   schema_test.sh schema.sql schema_pg.sql
#
# Every table of schema.sql must be in schema_pg.sql with the same columns
# in the same order; a team database may add only what roles need (a
# partner's and a task's owner, wherever it stands: a column added later by a
# migration comes after it); each engine may have its own bookkeeping
# tables (prm_*), such as the counts a file keeps by triggers.
set -u
columns() { # FILE: "table: col col ..." per CREATE TABLE
    awk '
        /^CREATE TABLE/ { t = $3; cols = ""; next }
        t != "" && /^\);?/ { print t ":" cols; t = ""; next }
        t != "" && /^    [a-z_"]+ / {
            c = $1; gsub(/"/, "", c)
            if (c != "PRIMARY" && c != "CHECK" && c != "UNIQUE") cols = cols " " c
        }' "$1" | sort
}
sqlite=$(columns "$1") pg=$(columns "$2")
status=0
echo "$sqlite" | while IFS= read -r line; do
    table=${line%%:*}
    case $table in prm_*) continue ;; esac
    got=$(echo "$pg" | grep "^$table:")
    if [ "$table" = partners ] || [ "$table" = tasks ]; then
        case "$got " in
        *" owner "*) got=$(echo "$got " | sed 's/ owner / /; s/ $//') ;;
        *) got="$got (no owner)" ;;
        esac
    fi
    if [ "$got" != "$line" ]; then
        echo "FAIL: $table"
        echo "  schema.sql:                          $line"
        echo "  schema_pg.sql (owner left out):      $got"
        exit 1
    fi
done || status=1
extra=$(echo "$pg" | cut -d: -f1 | while read -r t; do
    echo "$sqlite" | grep -q "^$t:" || case $t in prm_*) ;; *) echo "$t" ;; esac
done)
if [ -n "$extra" ]; then
    echo "FAIL: tables only in schema_pg.sql: $extra"
    status=1
fi
[ $status -eq 0 ] && echo "$(echo "$sqlite" | wc -l) tables, same fields"
exit $status
