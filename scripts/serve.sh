#!/usr/bin/env bash
# Set up (if needed) and serve the site with live reload on http://127.0.0.1:8000
# It rebuilds when a page, mkdocs.yml, a snippet (the pages include them), a results file (the
# timing tables and charts are drawn from them) or a captured output (outputs/, the output blocks and
# notebooks) changes: mkdocs serve watches docs/ and mkdocs.yml itself, mkdocs.yml's `watch:` the rest.
# One MkDocs server per language, rebuilding at the same time (ramverk/verbs/serve.py); by default
# only the saved page is rendered again (--clean: every page, e.g. after editing a snippet).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python -m ramverk serve --dev-addr 127.0.0.1:8000 "$@"
