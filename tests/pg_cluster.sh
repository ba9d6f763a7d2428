#!/bin/sh
# pg_cluster.sh - a throwaway PostgreSQL cluster for the team-database tests.
#
#   pg_cluster.sh start DIR   initdb a cluster, start it on a unix socket
#                             (no TCP), print the base URI; DIR keeps the
#                             URI (DIR/uri) and where the cluster is
#   pg_cluster.sh stop DIR    stop it and remove it and DIR
#
# The cluster lives in a folder of its own under /tmp, where its owner can
# reach it (a build folder may be inside one only root may enter), with a
# short path, as a unix socket needs.
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to an
# unprivileged user (prmtest, created when missing).  The cluster's
# superuser is that user; the socket accepts local connections without a
# password (trust), as a test cluster on a private socket may.
set -eu
cmd=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pg_cluster.sh: PostgreSQL is not installed" >&2; exit 1; }
# The database superuser is named after whoever runs the tests, as the
# audit log of a file names them, so that both give the same output.
owner=$(id -un)
run() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    id prmtest >/dev/null 2>&1 || useradd --system --no-create-home prmtest
    run() { su prmtest -s /bin/sh -c "$(printf '%s ' "$@")"; }
fi
case $cmd in
start)
    [ -f "$dir/cluster" ] && sh "$0" stop "$dir"
    mkdir -p "$dir"
    cdir=$(mktemp -d /tmp/prm-pg.XXXXXX)
    echo "$cdir" >"$dir/cluster"
    chmod 0755 "$cdir"
    [ "$(id -u)" -eq 0 ] && chown prmtest "$cdir"
    log=$dir
    dir=$cdir
    run "$bin/initdb" -D "$dir/data" -A trust -U "$owner" -E UTF8 --locale=C.UTF-8 >"$log/initdb.log" 2>&1 ||
        { cat "$log/initdb.log" >&2; exit 1; }
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "'-c listen_addresses= -k $dir -c fsync=off -c max_connections=40'" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql:///postgres?host=$dir&user=$owner" | tee "$log/uri"
    ;;
stop)
    cdir=$(cat "$dir/cluster" 2>/dev/null) || exit 0
    run "$bin/pg_ctl" -D "$cdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$cdir" "$dir"
    ;;
*)
    echo "usage: pg_cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
