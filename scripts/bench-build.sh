#!/usr/bin/env bash
# The strict build's time, cold (no chart or notebook cache) and warm: a benchmark figure, not a test.
# Run it on a quiet machine; it prints the load average so a busy one shows.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" NO_MKDOCS_2_WARNING=1
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
rm -rf .cache/charts .cache/mkdocs-jupyter
for run in cold warm warm; do
  TIMEFORMAT="$run build: %R s wall, %U s user CPU"
  time python -m mkdocs build --strict -q -d "$site" 2>/dev/null
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
