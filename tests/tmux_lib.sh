# tmux_lib.sh - driving prm's prompt in a real terminal, for the tests
# that source it: keys to type, the screen to read.  $sock is the tmux
# server's socket.
keys() { tmux -S "$sock" send-keys "$@"; }
screen() { tmux -S "$sock" capture-pane -p "$@" 2>/dev/null; }
wait_for() { # wait_for TEXT: until the screen shows it (up to 5 s)
    i=0
    while [ $i -lt 50 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
