#!/usr/bin/env bash
# Installs redis-server from Debian's packages when it is missing (the Redis-backed state store
# and its integration tests need a real server). Needs root (or passwordless sudo) and apt.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing and apt-get is not available: install Redis 7 yourself" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
echo "installing redis-server with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
# Debian's package may start a system service; the tests start their own servers.
