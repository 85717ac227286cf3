#!/usr/bin/env bash
# Create (or bring up to date) the course environment in .venv from
# requirements.lock, then install the helper package `actgrad` into it, and
# the grading sandbox's environment in .venv-grading from requirements-exercises.lock.
# `make_env.sh test` adds what the tests need, requirements-test.lock, to .venv.
# Every lock pins each file by its hash, and uv (itself pinned in
# requirements.lock, bootstrapped with pip) installs in hash-checking mode.
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
# uv, at the version and hashes requirements.lock pins, installs everything else.
uv_pin=$(sed -nE 's/^uv==([^ ]+) .*/\1/p' requirements.lock)
if [ "$("$venv/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$uv_pin" ]; then
  awk '/^uv==/ {keep = 1} keep {print} keep && !/\\$/ {exit}' requirements.lock > "$venv/uv.lock.txt"
  python -m pip install --quiet --require-hashes --no-deps -r "$venv/uv.lock.txt" 2>&1 | quiet
  rm "$venv/uv.lock.txt"
fi
# torch's CPU build is not on the index: its wheel lies in /opt/wheels.
links=()
[ -d /opt/wheels ] && links=(--find-links /opt/wheels)
export UV_LINK_MODE=copy  # the cache may lie on another file system
# .venv gets no byte-code here: each module is compiled the first time a process
# imports it, into __pycache__/ (the Makefile makes sure Python may write it).
install() { "$venv/bin/uv" pip install --quiet --python "$1" --require-hashes "${links[@]}" "${@:2}"; }

if [ "${1:-}" = test ]; then
  echo "==> installing the pinned test packages of requirements-test.lock"
  install "$venv/bin/python" -r requirements.lock -r requirements-test.lock
  "$venv/bin/uv" pip check --quiet --python "$venv/bin/python"
  touch "$venv/.installed-test"
  exit 0
fi
echo "==> installing the pinned packages of requirements.lock"
install "$venv/bin/python" -r requirements.lock
"$venv/bin/uv" pip install --quiet --python "$venv/bin/python" --no-deps -e .
"$venv/bin/uv" pip check --quiet --python "$venv/bin/python"
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
# The sandbox mounts it read-only and could never write byte-code: compile it all now.
UV_COMPILE_BYTECODE=1 install "$grading/bin/python" -r requirements-exercises.lock
mkdir -p "$grading/matplotlib"
MPLCONFIGDIR="$grading/matplotlib" "$grading/bin/python" -I -c "import matplotlib.font_manager"
touch "$venv/.installed"
echo "==> environment ready: $venv"
