#!/bin/sh
# help_examples_test.sh - every command's help has examples, and they work
# when pasted: each is run, in the order help gives them, on a new database,
# and none may fail for its words (syntax, unknown command or field, invalid
# value).  Failing for the data is allowed (a record an earlier example did
# not make, a name already taken), and so are users and owners, which only
# a team database has.
#
#   help_examples_test.sh PRM
set -u
prm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 700 "$tmp" # check looks at the folder's permissions too
cd "$tmp" || exit 1
fails=0

commands=$("$prm" --db db help | awk '/^  [a-z]/ { sub(/,$/, "", $1); print $1 }')
[ -n "$commands" ] || { echo "FAIL: help lists no commands"; exit 1; }
: >examples
for c in $commands; do
    "$prm" --db db help "$c" | awk '/^Examples:/ { on = 1; next }
        on && /^  / { sub(/^  /, ""); print; next } { on = 0 }' >one
    if [ ! -s one ]; then
        echo "FAIL: help $c has no examples"
        fails=$((fails + 1))
    fi
    cat one >>examples
done

# quit would end the run early; a backup goes to this folder, not /var,
# and restore reads it there.
grep -v '^quit$' examples | sed 's|^backup /.*/|backup |; s|^restore /.*/|restore |' >script
n=$(wc -l <script)
[ "$n" -ge 40 ] || { echo "FAIL: only $n examples"; fails=$((fails + 1)); }
# encrypt on and encrypt passphrase take their passphrases from these.
PRM_PASSPHRASE=examples PRM_NEW_PASSPHRASE=examples2 PRM_KDF=fast \
PRM_NOW=2026-03-01T12:00:00Z "$prm" --db db --json -f script >out 2>err
line=0
while IFS= read -r answer; do
    line=$((line + 1))
    case $answer in
    '{"ok":true'*) continue ;;
    *'"code":"not_found"'* | *'"code":"conflict"'*) continue ;;
    *'team database'*) continue ;;
    esac
    echo "FAIL: the example on line $line of help does not work:"
    echo "  $(sed -n "${line}p" script)"
    echo "  $answer"
    fails=$((fails + 1))
done <out
answers=$(wc -l <out)
if [ "$answers" -ne "$n" ]; then
    echo "FAIL: $n examples but $answers answers"
    fails=$((fails + 1))
fi
[ ! -s err ] || { echo "FAIL: stderr:"; cat err; fails=$((fails + 1)); }
echo "$n examples of $(echo "$commands" | wc -l) commands, $fails failures"
[ "$fails" -eq 0 ]
