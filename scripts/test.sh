#!/usr/bin/env bash
# Set up (if needed) and run every test: the fast checks first, then the slow execution.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
python -m ramverk check
# One worker per core: most of the time goes to running frameworks. `--dist loadgroup` keeps each
# xdist_group on one worker (a batch of pages' code blocks, or a group of snippets, shares one process
# that imports the frameworks once; the browser tests share one Chromium); `--no-loadscope-reorder` keeps
# the collection order, in which tests/conftest.py puts the longest work first.
exec python -m pytest -n auto --dist loadgroup --no-loadscope-reorder "$@"
