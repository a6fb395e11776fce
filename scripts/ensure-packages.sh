#!/usr/bin/env bash
# Installs the Debian packages a test needs when they are missing, without letting their services
# start (a package service would listen on all addresses: nginx on :80, tomcat10 on :8080).
# Usage: scripts/ensure-packages.sh PACKAGE...
set -euo pipefail
missing=()
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
exec 9>/tmp/apogee-apt.lock
flock 9
policy=/usr/sbin/policy-rc.d
created=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# keep package services from starting during installs\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  created=1
fi
cleanup() { [ "$created" = 1 ] && $sudo rm -f "$policy"; return 0; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
echo "ensure-packages: installing ${missing[*]}" >&2
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
# a service that started anyway (no policy-rc.d support) is stopped at once
for p in "${missing[@]}"; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$p" 2>/dev/null; then $sudo systemctl stop "$p" || true; fi
  if [ -x "/etc/init.d/$p" ]; then $sudo "/etc/init.d/$p" stop >/dev/null 2>&1 || true; fi
done
