#!/usr/bin/env bash
# The whole CUDA matrix in one call, on a GPU machine that has the frameworks (torch, JAX) but reaches no
# registry: install the wheels scripts/gpu-wheels.sh downloaded beforehand, then `ramverk run --device cuda`.
#
#   scripts/gpu-run.sh WHEELS OUT [more options of `ramverk run`: --dry-run, --only PATTERN, --quick, ...]
#
# OUT gets the results file (<machine>.json) and the run's log (gpu-run.log); merge the file into results/
# afterwards. PYTHON is the interpreter that has the frameworks (default python3). The wheels go into
# .gpu-packages/ in this checkout, not /tmp: the workers' sandbox gives them a /tmp of their own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage="usage: scripts/gpu-run.sh WHEELS OUT [ramverk run options]"
WHEELS="${1:?$usage}"
OUT="${2:?$usage}"
shift 2
PY="${PYTHON:-python3}"
TARGET="$ROOT/.gpu-packages"

shopt -s nullglob
wheels=("$WHEELS"/*.whl)
if [ "${#wheels[@]}" -eq 0 ]; then
  echo "gpu-run: no wheels in $WHEELS; download them first, where there is internet:" \
       "scripts/gpu-wheels.sh $WHEELS" >&2
  exit 2
fi
rm -rf "$TARGET"
if "$PY" -m pip --version >/dev/null 2>&1; then
  PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install --quiet --disable-pip-version-check --no-index --no-deps \
    --target "$TARGET" "${wheels[@]}"
else  # no pip: a wheel is a zip, and unpacked into the target it is installed (these have no scripts)
  for wheel in "${wheels[@]}"; do "$PY" -m zipfile -e "$wheel" "$TARGET"; done
fi
echo "gpu-run: installed ${#wheels[@]} wheel(s) into $TARGET"
export PYTHONPATH="$TARGET:$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"

# Say which import fails, and why, before the runner would stop on it.
"$PY" - <<'EOF'
import importlib
import sys

missing = []
modules = ("pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions", "yaml", "rich")
for module in modules:
    try:
        importlib.import_module(module)
    except ImportError as error:
        missing.append(f"{module} ({error})")
if missing:
    sys.exit(f"gpu-run: Python {sys.version.split()[0]} cannot import {'; '.join(missing)}: the wheels folder lacks "
             "them or holds them for another Python (scripts/gpu-wheels.sh, GPU_PYTHON_VERSION)")
EOF

# OUT starts from this machine's committed results file, so that records still current count as up to date
# (--force measures them again) and OUT's file is the whole of this machine's results.
machine=$(printf '%s\n' "$@" | sed -n 's/^--machine=//p;/^--machine$/{n;p}' | tail -1)
machine=${machine:-$("$PY" -c 'from ramverk.measure import devices; print(devices.default_machine_name(1))')}
mkdir -p "$OUT"
if [ -f "$ROOT/results/$machine.json" ] && [ ! -e "$OUT/$machine.json" ]; then
  cp "$ROOT/results/$machine.json" "$OUT/$machine.json"
  echo "gpu-run: $OUT/$machine.json starts as a copy of results/$machine.json"
fi

if ! git -C "$ROOT" rev-parse --show-toplevel >/dev/null 2>&1; then
  echo "gpu-run: $ROOT is not a git checkout, so the records' commit will be null; note which commit this tree is"
fi
cd "$ROOT"
set +e
"$PY" -m ramverk run --device cuda --results-dir "$OUT" "$@" 2>&1 | tee "$OUT/gpu-run.log"
status=${PIPESTATUS[0]}
set -e
echo "gpu-run: ramverk run exited $status; in $OUT: $(cd "$OUT" && ls | tr '\n' ' ')"
exit "$status"
