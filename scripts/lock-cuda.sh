#!/usr/bin/env bash
# Write requirements-cuda.lock: requirements.lock with the CPU-only frameworks replaced by their
# CUDA builds (torch's PyPI wheel, jax[cuda13], tensorflow[and-cuda]) and everything they pull in.
# Resolved with pip's dry run against PyPI for Linux x86_64 and this Python, so no GPU is needed.
# `scripts/lock-cuda.sh --check` resolves the committed lock again and fails if it does not resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
ACCELERATED=("torch==2.13.0" "jax[cuda13]==0.10.2" "tensorflow[and-cuda]==2.21.0")
platforms=()
for tag in manylinux2014 manylinux_2_17 manylinux_2_18 manylinux_2_24 manylinux_2_25 manylinux_2_26 manylinux_2_27 manylinux_2_28; do
  platforms+=(--platform "${tag}_x86_64")
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Resolve against PyPI alone: this machine's pip configuration may point at a local CPU wheel index.
resolve() {
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_CONSTRAINT= "$PY" -m pip install --dry-run --ignore-installed \
    --quiet --only-binary=:all: --python-version "$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')" \
    "${platforms[@]}" --target "$work/target" --report "$work/report.json" "$@"
}
if [ "${1:-}" = "--check" ]; then
  resolve -c requirements-cuda.lock "${ACCELERATED[@]}"
  echo "lock-cuda: requirements-cuda.lock resolves ($("$PY" -c "import json; print(len(json.load(open('$work/report.json'))['install']))") packages for the CUDA frameworks)"
  exit 0
fi
grep -vE '^(torch|tensorflow[-_]cpu)==' requirements.lock | grep -vE '^\s*(#|$)' > "$work/base.txt"
resolve -c "$work/base.txt" "${ACCELERATED[@]}"
"$PY" - "$work/base.txt" "$work/report.json" > requirements-cuda.lock <<'PY'
import json, re, sys
pins = {}
for line in open(sys.argv[1]):
    name, _, version = line.strip().partition("==")
    pins[re.sub(r"[-_.]+", "-", name).lower()] = (name, version)
for item in json.load(open(sys.argv[2]))["install"]:
    meta = item["metadata"]
    pins[re.sub(r"[-_.]+", "-", meta["name"]).lower()] = (meta["name"], meta["version"])
print("# The CUDA profile (RAMVERK_ACCELERATOR=cuda ./scripts/setup.sh): requirements.lock with torch,")
print("# JAX and TensorFlow as CUDA builds. Written by scripts/lock-cuda.sh; do not edit by hand.")
for key in sorted(pins):
    name, version = pins[key]
    print(f"{name}=={version}")
PY
echo "lock-cuda: wrote requirements-cuda.lock ($(grep -c '==' requirements-cuda.lock) pins)"
