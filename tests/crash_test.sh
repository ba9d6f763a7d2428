#!/bin/sh
# crash_test.sh - the crash guarantee: kill -9 at any moment leaves a database that
# passes check, holding exactly a prefix of the commands piped in.
# 200,000 mixed commands (partner, communication, project, outcome adds,
# each referring to the records just before it) are piped into prm, which
# is killed with SIGKILL at 20 random moments and restarted each time from
# the first command the database does not hold (check, after each, also
# recounts what the file keeps counted).  Then SIGTERM and SIGINT,
# on other databases (one with encryption on, its script read from a
# named pipe): prm stops cleanly, keeps what it did, and says how far it
# got.
#   crash_test.sh PRM
set -u
prm=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
db="$tmp/crash.db"
n=200000
awk -v n=$n 'BEGIN {
    for (i = 0; i < n; i++) {
        b = i - i % 4
        if (i % 4 == 0) printf "partner add name=P%d\n", i
        else if (i % 4 == 1) printf "comm add partner=P%d method=email content=C%d\n", b, i
        else if (i % 4 == 2) printf "project add name=J%d partner=P%d\n", i, b
        else printf "outcome add project=J%d description=O%d\n", b + 2, i
    }
}' >"$tmp/all.prm"
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# The number of commands the database holds, after checking they are
# exactly the first ones: every record's number below the count, and each
# kind as many as a prefix of that length has.
held() {
    "$prm" --db "$db" --json export jsonl "$tmp/now.jsonl" >/dev/null || { echo -1; return; }
    awk -F'"' '
        /^\{"partner"/       { for (f = 1; f < NF; f++) if ($f == "name") { v = substr($(f + 2), 2); p++; if (v + 0 > max) max = v + 0 } }
        /^\{"communication"/ { for (f = 1; f < NF; f++) if ($f == "content") { v = substr($(f + 2), 2); c++; if (v + 0 > max) max = v + 0 } }
        /^\{"project"/       { for (f = 1; f < NF; f++) if ($f == "name") { v = substr($(f + 2), 2); j++; if (v + 0 > max) max = v + 0 } }
        /^\{"outcome"/       { for (f = 1; f < NF; f++) if ($f == "description") { v = substr($(f + 2), 2); o++; if (v + 0 > max) max = v + 0 } }
        END {
            k = p + c + j + o
            ok = (k == 0) || (max == k - 1)
            ok = ok && p == int((k + 3) / 4) && c == int((k + 2) / 4) && j == int((k + 1) / 4) && o == int(k / 4)
            print ok ? k : -1
        }' "$tmp/now.jsonl"
}

done_lines=0 kills=0
while [ $kills -lt 20 ]; do
    tail -n +$((done_lines + 1)) "$tmp/all.prm" >"$tmp/rest.prm"
    "$prm" --db "$db" -f "$tmp/rest.prm" >/dev/null 2>&1 &
    pid=$!
    # a random moment between 0.1 and 1.2 s: batches commit every second
    ms=$(( $(od -An -N2 -tu2 /dev/urandom) % 1100 + 100 ))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    kills=$((kills + 1))
    "$prm" --db "$db" check >/dev/null 2>&1 || "$prm" --db "$db" check 2>&1 | grep -q "open to others" ||
        fail "check after kill $kills"
    # the counts kept for metrics are part of each transaction too
    "$prm" --db "$db" check 2>&1 | grep -q "differ from a recount" &&
        fail "the kept counts after kill $kills"
    k=$(held)
    if [ "$k" -lt 0 ] || [ "$k" -lt "$done_lines" ]; then
        fail "after kill $kills the database is not a prefix of the input ($k)"
        break
    fi
    done_lines=$k
    passed=$((passed + 1))
done
echo "after $kills kills: $done_lines of $n commands held, each time a prefix"

# the rest, to the end
tail -n +$((done_lines + 1)) "$tmp/all.prm" >"$tmp/rest.prm"
"$prm" --db "$db" -f "$tmp/rest.prm" >/dev/null 2>&1 || fail "the last run failed"
[ "$(held)" = $n ] && passed=$((passed + 1)) || fail "not all $n commands are held at the end"
# SIGTERM and SIGINT: a clean stop, a message saying how far it got, and
# every command before that line kept.
# The lines come through a pipe kept open after the last one, so that
# prm is still running when the signal comes, however fast the machine:
# working through the lines or waiting for more.
signalled() { # signalled SIG SCRIPT DB SECONDS: prm's exit status
    rm -f "$tmp/term.fifo"
    mkfifo "$tmp/term.fifo"
    (cat "$2"; exec sleep 60) >"$tmp/term.fifo" &
    writer=$!
    "$prm" --db "$3" -f "$tmp/term.fifo" >/dev/null 2>"$3.err" &
    pid=$!
    sleep "$4"
    kill -$1 $pid
    wait $pid
    code=$?
    kill $writer 2>/dev/null
    wait $writer 2>/dev/null
    return $code
}
signal_number() { [ "$1" = INT ] && echo 2 || echo 15; }
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "partner add name=T%d\n", i }' >"$tmp/term.prm"
for sig in TERM INT; do
    num=$(signal_number $sig)
    signalled $sig "$tmp/term.prm" "$tmp/$sig.db" 1.5
    code=$?
    [ $code = 1 ] && passed=$((passed + 1)) || fail "SIG$sig exit status $code"
    line=$(sed -n "s/.*interrupted by signal $num before line \([0-9]*\); every command before it is kept/\1/p" "$tmp/$sig.db.err")
    [ -n "$line" ] && passed=$((passed + 1)) || fail "no message after SIG$sig: $(cat "$tmp/$sig.db.err")"
    kept=$("$prm" --db "$tmp/$sig.db" --json metrics | sed 's/.*"partners":\([0-9]*\).*/\1/')
    [ "$kept" = "$((${line:-0} - 1))" ] && passed=$((passed + 1)) ||
        fail "SIG$sig before line $line kept $kept commands"
done

# The same with encryption on, where a second thread seals the values of
# the adds read ahead: a signal is still the main thread's, which stops
# its wait for more lines on the pipe (all 3,000 are done by then).
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "partner add name=S%d email=s%d@example.com notes=\"note %d\"\n", i, i, i }' >"$tmp/sealed.prm"
export PRM_PASSPHRASE=crash-test PRM_KDF=fast
for sig in TERM INT; do
    num=$(signal_number $sig)
    "$prm" --db "$tmp/s$sig.db" encrypt on >/dev/null || fail "encrypt on"
    signalled $sig "$tmp/sealed.prm" "$tmp/s$sig.db" 2
    code=$?
    [ $code = 1 ] && passed=$((passed + 1)) || fail "sealed, SIG$sig exit status $code"
    grep -q "interrupted by signal $num before line 3001; every command before it is kept" "$tmp/s$sig.db.err" &&
        passed=$((passed + 1)) || fail "sealed, SIG$sig: $(cat "$tmp/s$sig.db.err")"
    "$prm" --db "$tmp/s$sig.db" partner show S2999 | grep -q "s2999@example.com" &&
        passed=$((passed + 1)) || fail "sealed, SIG$sig: the last partner is not kept"
done
unset PRM_PASSPHRASE PRM_KDF

# A reader that goes away (prm -f load.prm | head -1): prm stops as on
# SIGTERM, says so, and keeps every command before that line.  The output
# is far larger than a pipe holds, so the closed pipe is met.
head -n 50000 "$tmp/term.prm" | "$prm" --db "$tmp/pipe.db" 2>"$tmp/pipe.err" | head -n 1 >/dev/null
line=$(sed -n "s/.*output was closed (broken pipe); stopped before line \([0-9]*\): every command before it is kept/\1/p" "$tmp/pipe.err")
[ -n "$line" ] && passed=$((passed + 1)) || fail "no message after a broken pipe: $(cat "$tmp/pipe.err")"
kept=$("$prm" --db "$tmp/pipe.db" --json metrics | sed 's/.*"partners":\([0-9]*\).*/\1/')
[ "$kept" = "$((${line:-0} - 1))" ] && passed=$((passed + 1)) ||
    fail "a broken pipe before line $line kept $kept commands"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
