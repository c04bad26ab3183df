#!/usr/bin/env bash
# Set up (if needed) and serve the site with live reload on http://127.0.0.1:8000
# It rebuilds when a page, mkdocs.yml, a snippet (the pages include them), a results file (the
# timing tables and charts are drawn from them) or a captured output (outputs/, the output blocks and
# notebooks) changes: mkdocs serve watches docs/ and mkdocs.yml itself, mkdocs.yml's `watch:` the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload "$@"
