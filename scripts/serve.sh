#!/usr/bin/env bash
# Set up (if needed) and serve the site with live reload on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload "$@"
