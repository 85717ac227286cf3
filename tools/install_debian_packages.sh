#!/usr/bin/env bash
# Install the Debian packages the course needs beyond Python, and nothing twice:
#   browser  Chromium for the browser tests (Playwright drives /usr/bin/chromium,
#            no browser download)
#   sandbox  bubblewrap, the sandbox every graded notebook runs in
#   pdf      TeX Live, latexmk and fonts for `jupyter-book build --builder pdflatex`
#            (XeLaTeX), and poppler's pdftotext/pdfimages for the PDF test
# With no argument, all three (what `make test` needs); `make grade` asks for the
# sandbox only, `make pdf` for the pdf part.
set -euo pipefail
PDF_PACKAGES=(texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
              texlive-xetex latexmk fonts-freefont-otf tex-gyre poppler-utils)
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
need=()
for what in "${@:-browser sandbox pdf}"; do
  for part in $what; do
    case "$part" in
      browser) [ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core) ;;
      sandbox) [ -x /usr/bin/bwrap ] || need+=(bubblewrap) ;;
      pdf) for package in "${PDF_PACKAGES[@]}"; do installed "$package" || need+=("$package"); done ;;
      *) echo "error: unknown part '$part' (browser, sandbox or pdf)" >&2; exit 2 ;;
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
