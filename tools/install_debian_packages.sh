#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (no browser download:
# Playwright drives /usr/bin/chromium). Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: the browser tests need Debian's chromium; run 'sudo apt-get install chromium' and try again." >&2
  exit 1
fi
echo "==> installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
