#!/bin/sh
# pg_fresh_db.sh - run a command on a new, empty database of the test
# cluster (tests/pg_cluster.sh): the database's URI is its last argument.
#
#   pg_fresh_db.sh PG_DIR NAME COMMAND [ARGS...]
set -eu
pgdir=$1 name=$2
shift 2
export PGOPTIONS='--client-min-messages=warning'
base=$(cat "$pgdir/uri")
psql -qX "$base" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
uri=$(echo "$base" | sed "s|:///postgres?|:///$name?|")
status=0
"$@" "$uri" || status=$?
psql -qX "$base" -c "DROP DATABASE $name" >/dev/null
exit $status
