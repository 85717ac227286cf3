#!/usr/bin/env bash
# Create (or bring up to date) the course environment in .venv from
# requirements.lock, then install the helper package `actgrad` into it, and
# the grading sandbox's environment in .venv-grading from requirements-exercises.lock.
# `make_env.sh test` adds what the tests need, requirements-test.lock, to .venv.
# Every lock pins each file by its hash, so pip installs in hash-checking mode.
# Idempotent: `make` calls it whenever a lock file or pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
python() { "$venv/bin/python" "$@"; }
quiet() { grep -v "Location .* is ignored" || true; }

if ! command -v python3 >/dev/null 2>&1; then
  echo "error: python3 (3.11 or newer) is needed to create the course environment." >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating the course environment in $venv"
  python3 -m venv "$venv"
fi
if [ "${1:-}" = test ]; then
  echo "==> installing the pinned test packages of requirements-test.lock"
  python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-test.lock 2>&1 | quiet
  python -m pip check
  touch "$venv/.installed-test"
  exit 0
fi
echo "==> installing the pinned packages of requirements.lock (a few minutes the first time)"
"$venv/bin/python" -m pip install --quiet --require-hashes -r requirements.lock 2>&1 | quiet
"$venv/bin/python" -m pip install --quiet --no-deps -e . 2>&1 | quiet
"$venv/bin/python" -m pip check
# JupyterLab opens the MyST Markdown chapters as notebooks (through jupytext).
mkdir -p "$venv/share/jupyter/lab/settings"
cat > "$venv/share/jupyter/lab/settings/overrides.json" <<'JSON'
{
  "@jupyterlab/docmanager-extension:plugin": {
    "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
  }
}
JSON
# The grading sandbox's environment: only what the exercises import (see
# tools/grading/sandbox.py), with matplotlib's font cache built once.
grading=.venv-grading
if [ ! -x "$grading/bin/python" ]; then
  echo "==> creating the grading sandbox's environment in $grading"
  python3 -m venv --without-pip "$grading"
fi
"$venv/bin/python" -m pip --python "$grading/bin/python" install --quiet --require-hashes -r requirements-exercises.lock 2>&1 | quiet
mkdir -p "$grading/matplotlib"
MPLCONFIGDIR="$grading/matplotlib" "$grading/bin/python" -I -c "import matplotlib.font_manager"
touch "$venv/.installed"
echo "==> environment ready: $venv"
