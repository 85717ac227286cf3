#!/usr/bin/env bash
# Install the Debian packages the course needs beyond Python, and nothing twice:
#   browser  Chromium for the browser tests (Playwright drives /usr/bin/chromium,
#            no browser download)
#   sandbox  bubblewrap, the sandbox every graded notebook runs in
# With no argument, both (what `make test` needs); `make grade` asks for the sandbox only.
set -euo pipefail
need=()
for what in "${@:-browser sandbox}"; do
  for part in $what; do
    case "$part" in
      browser) [ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core) ;;
      sandbox) [ -x /usr/bin/bwrap ] || need+=(bubblewrap) ;;
      *) echo "error: unknown part '$part' (browser or sandbox)" >&2; exit 2 ;;
    esac
  done
done
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
