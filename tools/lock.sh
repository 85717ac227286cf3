#!/usr/bin/env bash
# Resolve the three requirement files into locks with uv, every file of every
# package pinned by its sha256 hash:
#   requirements.in            -> requirements.lock            what the book, JupyterLab and grading need (make env)
#   requirements-test.in       -> requirements-test.lock       what the tests and dev tools add (make test, test-fast)
#   requirements-exercises.in  -> requirements-exercises.lock  the grading sandbox's and the students' packages
# The test and exercise locks are resolved within requirements.lock, and the
# test lock leaves out what requirements.lock already pins. uv keeps the
# versions a lock already has unless its .in file asks for others; run
# `UPGRADE=1 make lock` to move everything to the newest versions allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=$(sed -nE 's/^uv==([^ ]+).*/\1/p' requirements.in)  # the uv that make_env.sh installs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet "uv==$UV_VERSION" 2>&1 | { grep -v "Location .* is ignored" || true; }
compile=("$tmp/venv/bin/uv" pip compile --quiet --generate-hashes --no-header --python python3
         ${UPGRADE:+--upgrade})
# The CPU build of torch is not on the index: its wheel lies in /opt/wheels.
if [ -d /opt/wheels ]; then
  compile+=(--find-links /opt/wheels)
else
  echo "error: /opt/wheels (the CPU build of torch) is missing; requirements.in asks for torch==2.13.0+cpu" >&2
  exit 1
fi
"${compile[@]}" requirements.in -o requirements.lock
book=$(sed -nE 's/^([A-Za-z0-9._-]+)==.*/\1/p' requirements.lock)
"${compile[@]}" requirements-test.in -o requirements-test.lock $(printf -- '--no-emit-package %s ' $book)
"${compile[@]}" requirements-exercises.in -o requirements-exercises.lock
for lock in requirements.lock requirements-test.lock requirements-exercises.lock; do
  echo "wrote $lock ($(grep -cE '^[A-Za-z0-9._-]+==' "$lock") packages)"
done
