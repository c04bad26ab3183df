#!/usr/bin/env bash
# Set up (if needed) and serve the site with live reload on http://127.0.0.1:8000
# It rebuilds when a page, mkdocs.yml, a snippet (the pages include them) or a results file (the
# timing tables and charts are drawn from them) changes: mkdocs serve watches docs/ and mkdocs.yml
# itself, --watch adds the other two.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload --watch snippets --watch results "$@"
