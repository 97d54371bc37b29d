#!/usr/bin/env bash
# Installs or builds everything the test suite needs, so `npm test` runs every test on a fresh
# machine (none skip for a missing binary). Used by .ci/run and by `npm run test:fresh` (the
# README's test command). Each step returns at once when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$@"
}

# Reports: the browser test opens a report in Debian's Chromium (driven by playwright-core).
[ -x /usr/bin/chromium ] || apt_install chromium

# Metrics store: the store tests start a real ClickHouse server (Debian's clickhouse-server 18.16,
# the oldest server the store's SQL supports) on loopback.
if [ ! -x /usr/bin/clickhouse-server ] && [ ! -x /usr/sbin/clickhouse-server ] && [ ! -x /usr/bin/clickhouse ]; then
  apt_install clickhouse-server
fi

# Cluster mode: the cluster tests start their own redis-server on a free loopback port (and stop
# and restart it for the outage test), so the binary must be there.
command -v redis-server >/dev/null 2>&1 || apt_install redis-server

# k6 driver: builds the pinned k6 with Go into .k6/bin (gitignored); returns at once when a
# k6 >= 1.0 is already there (cached .k6/, K6_BIN or PATH). It needs a Go toolchain recent
# enough for k6 (Debian's golang-go is too old), and says so when there is none.
npm run --silent setup:k6
