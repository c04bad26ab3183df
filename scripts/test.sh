#!/usr/bin/env bash
# Set up (if needed) and run every test: the fast checks first, then the slow execution.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
python -m ramverk check
# One worker per core: most of the time goes to fresh interpreters importing a framework.
exec python -m pytest -n auto "$@"
