#!/usr/bin/env bash
# Set up everything the site and the tests need, idempotently:
# a virtual environment in .venv with the pinned packages, Debian's chromium and graphviz.
# A second run with nothing changed only compares a hash and returns.
#
# RAMVERK_ACCELERATOR=cuda ./scripts/setup.sh installs the CUDA profile instead (an NVIDIA machine
# with internet access): torch's CUDA wheel, JAX's CUDA plugin and TensorFlow with CUDA, pinned by
# requirements-cuda.lock. The default, cpu, uses requirements.lock (CPU-only builds, no GPU needed).
set -euo pipefail
cd "$(dirname "$0")/.."

# Python 3.11, 3.12 or 3.13 (pyproject's requires-python; requirements.lock installs on each):
# $PYTHON when set, else the newest of python3.13, python3.12, python3.11 that runs here.
supported="3.13 3.12 3.11"
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
if [ -z "${PYTHON:-}" ]; then
  for v in $supported; do
    if py_version "python$v" >/dev/null; then PYTHON=python$v; break; fi
  done
fi
accelerator=${RAMVERK_ACCELERATOR:-cpu}
case "$accelerator" in
  cpu) lock=requirements.lock ;;
  cuda) lock=requirements-cuda.lock ;;
  *) echo "setup: RAMVERK_ACCELERATOR must be cpu or cuda, not '$accelerator'" >&2; exit 2 ;;
esac
stamp=.venv/.ramverk-installed
want="$accelerator $(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"

if [ -x .venv/bin/python ]; then
  have=$(py_version .venv/bin/python) || have="unknown"
  case " $supported " in *" $have "*) ;; *)
    echo "setup: .venv has Python $have; Ramverk supports 3.11, 3.12 and 3.13: remove .venv and run setup again" >&2
    exit 2 ;;
  esac
else
  if [ -z "${PYTHON:-}" ]; then
    echo "setup: no python3.13, python3.12 or python3.11 found; install one, or name it with PYTHON=/path/to/python" >&2
    exit 2
  fi
  have=$(py_version "$PYTHON") || { echo "setup: PYTHON=$PYTHON does not run" >&2; exit 2; }
  case " $supported " in *" $have "*) ;; *)
    echo "setup: $PYTHON is Python $have; Ramverk supports 3.11, 3.12 and 3.13 (PYTHON=python3.12 ./scripts/setup.sh)" >&2
    exit 2 ;;
  esac
  echo "setup: creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing the pinned $accelerator packages (first time: about 2 minutes, 3 GB; cuda: more)"
  # The build backend for our own editable install (a new venv's setuptools is too old for it).
  .venv/bin/python -m pip install --quiet --upgrade pip setuptools==84.2.1 wheel==0.48.0 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  # -c pins every transitive package; in the cpu profile torch==2.13.0 resolves to the CPU wheel here.
  .venv/bin/python -m pip install --quiet -c "$lock" -e ".[$accelerator]" --no-build-isolation 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import ramverk, torch, tensorflow, jax, mkdocs" 2>/dev/null \
    || { echo "setup: the install did not complete; see the messages above" >&2; exit 1; }
  echo "$want" > "$stamp"
fi

# Browser tests use Debian's chromium (never a downloaded browser); graphs use graphviz's dot.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v dot >/dev/null || need+=(graphviz)
# Contributor code runs inside bubblewrap (scripts/ramverk/executor/sandbox.py); without it, only per-process limits.
command -v bwrap >/dev/null || need+=(bubblewrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
