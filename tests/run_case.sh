#!/bin/sh
# run_case.sh - run one end-to-end case through the built prm and compare.
#
#   run_case.sh PRM CASES_DIR NAME
#
# NAME.prm is fed to prm twice, on a fresh database each time: as text
# (compared with NAME.out) and with --json (compared with NAME.json.out).
# NAME.args, when present, holds extra options (e.g. --bail).  What is
# compared is stdout, then stderr, then the exit status.  With
# PRM_UPDATE=1 the expected files are written instead (review the diff!).
# The audit log names who ran prm: that name is replaced by USER.
set -u
prm=$1 dir=$2 name=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
args=
[ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
cd "$dir" || exit 1
status=0
user=$(id -un)
for mode in text json; do
    flags=$args expected=$name.out
    [ $mode = json ] && flags="--json $args" expected=$name.json.out
    # shellcheck disable=SC2086 # flags are words on purpose
    PRM_NOW=2026-03-01T12:00:00Z NO_COLOR=1 LC_ALL=C.UTF-8 HOME=$tmp "$prm" \
        --db "$tmp/$mode.db" $flags -f "$name.prm" >"$tmp/out" 2>"$tmp/err"
    code=$?
    {
        cat "$tmp/out"
        echo "--- stderr"
        cat "$tmp/err"
        echo "--- exit $code"
    } | sed "s/\"user\":\"$user\"/\"user\":\"USER\"/g; s/  $user  /  USER  /g" >"$tmp/actual"
    if [ "${PRM_UPDATE:-}" = 1 ]; then
        cp "$tmp/actual" "$expected"
    elif ! diff -u "$expected" "$tmp/actual"; then
        echo "FAIL: $name ($mode)"
        status=1
    fi
done
exit $status
