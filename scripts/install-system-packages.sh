#!/usr/bin/env bash
# Installs the Debian packages the project needs: hiredis (the Redis client library), Lua 5.4
# (to lint and test the scripts), redis-server (for the demo and the tests), pkg-config, and
# stunnel4 and openssl (for the test of the TLS tunnel).
# Does nothing when all are present.
set -euo pipefail

packages=(libhiredis-dev liblua5.4-dev redis-server pkg-config stunnel4 openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]})) || exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "Installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
# The package starts a system-wide redis-server; the project starts its own, so stop that one.
# (stunnel4 starts nothing: it has no tunnel configured in /etc/stunnel.)
$sudo service redis-server stop >/dev/null 2>&1 || true
