#!/bin/sh
# deps.sh - install what prm needs to build, test and benchmark on Debian.
# Installs only what is missing, so it is quick when everything is there.
set -e
pkgs="cmake gcc make pkg-config libsqlite3-dev libreadline-dev libcjson-dev libpq-dev libsodium-dev libcmocka-dev postgresql sqlite3 tmux clang libclang-rt-14-dev valgrind bc time python3 python3-icalendar chromium"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
