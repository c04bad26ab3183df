#!/usr/bin/env bash
# The build's time as a ratio, so that it holds on any machine: the warm strict `python -m ramverk
# build` (each language in its own process) against a plain Material build of the same pages, with
# the project's hooks, the jupyter plugin and the theme overrides taken out (mkdocs.yml otherwise,
# both languages through static-i18n in one process), timed side by side and interleaved. Then the
# cold build (no chart, notebook or build-memo cache). A benchmark figure, not a test: run it on a quiet
# machine; it prints the load average so a busy one shows.  Usage: scripts/bench-build.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" NO_MKDOCS_2_WARNING=1
rounds=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python - "$work/plain.yml" <<'EOF'
import sys, pathlib, yaml
config = yaml.safe_load(pathlib.Path("mkdocs.yml").read_text(encoding="utf-8"))
config.pop("hooks", None)
config.pop("watch", None)  # paths relative to this generated file's folder; a build watches nothing
config["docs_dir"] = str(pathlib.Path(config.get("docs_dir", "docs")).resolve())
config["theme"].pop("custom_dir", None)
config["strict"] = False  # the pages' markers and wikilinks are the hooks' to resolve
config["plugins"] = [p for p in config["plugins"] if p == "search" or (isinstance(p, dict) and "i18n" in p)]
pathlib.Path(sys.argv[1]).write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
EOF
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
project=(python -m ramverk build -d "$work/site")
plain=(python -m mkdocs build -q -f "$work/plain.yml" -d "$work/plain-site")
seconds "${project[@]}" >/dev/null; seconds "${plain[@]}" >/dev/null  # warm the caches and the disk
ours=(); theirs=()
for _ in $(seq "$rounds"); do
  ours+=("$(seconds "${project[@]}")")
  theirs+=("$(seconds "${plain[@]}")")
done
python - "${ours[*]}" "${theirs[*]}" <<'EOF'
import statistics, sys
ours, plain = ([float(x) for x in arg.split()] for arg in sys.argv[1:])
print("warm ramverk build: " + " ".join(f"{x:.2f}" for x in ours) + " s")
print("warm plain build:   " + " ".join(f"{x:.2f}" for x in plain) + " s")
ratios = [a / b for a, b in zip(ours, plain)]
print(f"ratio (ours / plain, interleaved pairs): median {statistics.median(ratios):.2f}, "
      f"range {min(ratios):.2f}-{max(ratios):.2f} (goal: 1.0 or less)")
EOF
rm -rf .cache/charts .cache/mkdocs-jupyter .cache/build-memo
echo "cold ramverk build: $(seconds "${project[@]}") s (no chart, notebook or build-memo cache)"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
