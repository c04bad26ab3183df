#!/usr/bin/env bash
# On a machine with internet access: download the wheels scripts/gpu-run.sh installs on a GPU machine that
# reaches no registry. They are the packages `python -m ramverk run` imports besides the frameworks
# (tests/test_gpu_scripts.py checks that against the run's own imports), at requirements.lock's versions,
# built for the GPU machine's Python and platform.
#
#   scripts/gpu-wheels.sh DIR
#
# GPU_PYTHON_VERSION (default 3.12) and GPU_PLATFORM (default manylinux2014_x86_64) describe the GPU machine;
# PYTHON is the interpreter whose pip downloads (default .venv/bin/python, else python3). pip's own settings
# apply (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: scripts/gpu-wheels.sh DIR (the folder to fill with wheels)}"
PY="${PYTHON:-$([ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python3)}"
PYTHON_VERSION="${GPU_PYTHON_VERSION:-3.12}"
PLATFORM="${GPU_PLATFORM:-manylinux2014_x86_64}"
# pydantic and what it needs, PyYAML (site_config reads mkdocs.yml), rich and what it needs (the run's output)
PACKAGES=(pydantic pydantic_core annotated-types typing-inspection typing_extensions PyYAML rich markdown-it-py mdurl
          Pygments)

# name==version of each from the lock, compared as pip compares names (case, '-', '_' and '.' alike)
mapfile -t PINS < <("$PY" - "$ROOT/requirements.lock" "${PACKAGES[@]}" <<'EOF'
import re
import sys

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

lock, wanted = sys.argv[1], sys.argv[2:]
pins = {}
for line in open(lock, encoding="utf-8"):
    if "==" in line and not line.lstrip().startswith("#"):
        name, version = line.split(";")[0].strip().split("==", 1)
        pins[norm(name)] = f"{name}=={version.strip()}"
missing = [name for name in wanted if norm(name) not in pins]
if missing:
    sys.exit(f"gpu-wheels: {lock} pins no version of {', '.join(missing)}")
print("\n".join(pins[norm(name)] for name in wanted))
EOF
)
[ "${#PINS[@]}" -eq "${#PACKAGES[@]}" ] || exit 2  # the lock lacked one: said above

mkdir -p "$DIR"
echo "gpu-wheels: ${PINS[*]} for Python $PYTHON_VERSION on $PLATFORM into $DIR"
"$PY" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --python-version "$PYTHON_VERSION" --platform "$PLATFORM" -d "$DIR" "${PINS[@]}"
ls "$DIR"
echo "gpu-wheels: done; on the GPU machine: scripts/gpu-run.sh $DIR OUT"
