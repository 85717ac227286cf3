#!/usr/bin/env bash
# Install the Debian packages the course needs beyond Python: Chromium for the
# browser tests (Playwright drives /usr/bin/chromium, no browser download) and
# bubblewrap, the sandbox every graded notebook runs in. Idempotent: does
# nothing when both are there.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
[ -x /usr/bin/bwrap ] || need+=(bubblewrap)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: the course needs Debian's ${need[*]}; run 'sudo apt-get install ${need[*]}' and try again." >&2
  exit 1
fi
echo "==> installing Debian's ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
