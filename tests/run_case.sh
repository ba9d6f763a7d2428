#!/bin/sh
# run_case.sh - run one end-to-end case through the built prm and compare.
#
#   run_case.sh PRM CASES_DIR NAME [PG_DIR]
#
# NAME.prm is fed to prm twice, on a fresh database each time: as text
# (compared with NAME.out) and with --json (compared with NAME.json.out).
# NAME.args, when present, holds extra options (e.g. --bail).  What is
# compared is stdout, then stderr, then the exit status.  With
# PRM_UPDATE=1 the expected files are written instead (review the diff!).
# The audit log names who ran prm: that name is replaced by USER.
#
# With PRM_CASE_ENCRYPT=1 the database has encryption on (encrypt on, before
# the case) and the case must give the very same output: sealed fields are
# the store's business, never what a command shows.
#
# With PG_DIR (a cluster of tests/pg_cluster.sh), the case runs on a team
# database instead, a new one each time, and must give the same output:
# only the user's name and the owner of a partner or task (in audit
# images, a task's JSON and show) differ.
set -u
prm=$1 dir=$2 name=$3 pgdir=${4:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
args=
[ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
cd "$dir" || exit 1
status=0
user=$(id -un)
if [ -n "$pgdir" ]; then
    export PGOPTIONS='--client-min-messages=warning'
    base=$(cat "$pgdir/uri") || exit 1
    user=${base##*user=}
fi
for mode in text json; do
    flags=$args expected=$name.out
    [ $mode = json ] && flags="--json $args" expected=$name.json.out
    db=$tmp/$mode.db
    if [ -n "$pgdir" ]; then
        # the sealed run of a case runs beside the plain one: its own name
        pgname=$(echo "case_${name}_$mode${PRM_CASE_ENCRYPT:+_sealed}" |
            tr -c 'a-z0-9_\n' _)
        psql -qX "$base" -c "DROP DATABASE IF EXISTS $pgname" \
            -c "CREATE DATABASE $pgname" >/dev/null || exit 1
        db=$(echo "$base" | sed "s|:///postgres?|:///$pgname?|")
    fi
    if [ "${PRM_CASE_ENCRYPT:-}" = 1 ]; then
        export PRM_PASSPHRASE=case-passphrase PRM_KDF=fast
        HOME=$tmp "$prm" --db "$db" encrypt on >/dev/null || exit 1
    fi
    # shellcheck disable=SC2086 # flags are words on purpose
    PRM_NOW=2026-03-01T12:00:00Z NO_COLOR=1 LC_ALL=C.UTF-8 HOME=$tmp "$prm" \
        --db "$db" $flags -f "$name.prm" >"$tmp/out" 2>"$tmp/err"
    code=$?
    [ -n "$pgdir" ] && psql -qX "$base" -c "DROP DATABASE $pgname" >/dev/null
    {
        cat "$tmp/out"
        echo "--- stderr"
        cat "$tmp/err"
        echo "--- exit $code"
    } | sed "s/\"user\":\"$user\"/\"user\":\"USER\"/g; s/  $user  /  USER  /g;
             s/,\"owner\":\"$user\"//g; /^owner        $user\$/d" >"$tmp/actual"
    if [ "${PRM_UPDATE:-}" = 1 ] && [ -z "$pgdir" ]; then
        cp "$tmp/actual" "$expected"
    elif ! diff -u "$expected" "$tmp/actual"; then
        echo "FAIL: $name ($mode)"
        status=1
    fi
done
exit $status
