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

# Python 3.11, 3.12 or 3.13 (pyproject's requires-python; requirements.lock installs on each, on 3.11
# from 3.11.5: pymdown-extensions 13.1 requires it). $PYTHON when set, else the newest of python3.13,
# python3.12, python3.11 that runs here.
supported="3.13 3.12 3.11"
oldest_311=3.11.5
py_version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }
# "" when Python $1 (x.y.z) can take the locks, else why not.
unsupported() {
  case " $supported " in *" ${1%.*} "*) ;; *) echo "Ramverk supports 3.11, 3.12 and 3.13"; return ;; esac
  if [ "${1%.*}" = 3.11 ] && [ "${1##*.}" -lt "${oldest_311##*.}" ]; then
    echo "the locks need $oldest_311 or later within 3.11"
  fi
}
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
  why=$(unsupported "$have")
  if [ -n "$why" ]; then
    echo "setup: .venv has Python $have; $why: remove .venv and run setup again" >&2
    exit 2
  fi
else
  if [ -z "${PYTHON:-}" ]; then
    echo "setup: no python3.13, python3.12 or python3.11 found; install one, or name it with PYTHON=/path/to/python" >&2
    exit 2
  fi
  have=$(py_version "$PYTHON") || { echo "setup: PYTHON=$PYTHON does not run" >&2; exit 2; }
  why=$(unsupported "$have")
  if [ -n "$why" ]; then
    echo "setup: $PYTHON is Python $have; $why (PYTHON=python3.12 ./scripts/setup.sh)" >&2
    exit 2
  fi
  echo "setup: creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi

# PyTorch's CPU builds (torch==2.13.0+cpu in requirements.lock) are only on PyTorch's own index: PyPI
# takes no local versions such as +cpu, and its torch is the CUDA build. pip looks for every package in
# every index and takes the best match, which is safe here because -c "$lock" pins every package to
# one exact version: no index can put a newer one in its place, and a +cpu torch comes from nowhere
# else (tests/test_setup_profiles.py checks that an install takes nothing that the lock and this
# script do not pin).
# The cuda profile must not see this index: its torch==2.13.0 also matches 2.13.0+cpu, which pip
# would prefer.
torch_cpu_index=https://download.pytorch.org/whl/cpu
# pip retries an index that does not answer 5 times for each package (here 9 s each, over 20 minutes for
# the lock; a silent server: its timeout each time): ask it once first, for at most 10 s.
index_answers() {
  .venv/bin/python - "$1" <<'PY'
import http.client, os, ssl, sys, urllib.error, urllib.request
try:
    context = ssl.create_default_context(cafile=os.environ.get("PIP_CERT") or None)
    urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=10, context=context)
except urllib.error.HTTPError as error:  # an answer, but pip retries a server error for each package
    if error.code >= 500:
        sys.exit(f"HTTP {error.code} {error.reason}")
except (OSError, http.client.HTTPException) as error:  # no name, no route, refused, timed out, TLS
    sys.exit(str(getattr(error, "reason", error)))
PY
}
# pip install, quiet, less the warning that a pip configured with a folder index prints per package.
pip_install() {
  local log status=0
  log=$(.venv/bin/python -m pip install --quiet "$@" 2>&1) || status=$?
  [ -z "$log" ] || grep -v "is ignored: it is neither a file nor a directory" <<<"$log" >&2 || true
  return "$status"
}

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing the pinned $accelerator packages (first time: about 2 minutes, 3 GB; cuda: more)"
  # The build backend for our own editable install (a new venv's setuptools is too old for it).
  pip_install --upgrade pip setuptools==84.2.1 wheel==0.48.0 \
    || { echo "setup: pip could not install pip, setuptools and wheel from PyPI; see its messages above" >&2; exit 1; }
  index=()
  if [ "$accelerator" = cpu ]; then
    torch_pin=$(grep -E '^torch==' "$lock") || { echo "setup: $lock pins no torch" >&2; exit 1; }
    if reason=$(index_answers "$torch_cpu_index/torch/" 2>&1); then
      index=(--extra-index-url "$torch_cpu_index")
    else
      echo "setup: PyTorch's CPU index ($torch_cpu_index) does not answer: $reason;" \
        "looking for $torch_pin only where pip's own configuration points" >&2
      # Before resolving everything: pip's message for a pin found nowhere is a bare conflict.
      if ! .venv/bin/python -m pip install --quiet --dry-run --no-deps "$torch_pin" >/dev/null 2>&1; then
        echo "setup: $torch_pin is not there either, and only $torch_cpu_index has it:" \
          "check the network (a proxy goes in HTTPS_PROXY) and run setup again" >&2
        exit 1
      fi
    fi
  fi
  pip_install -c "$lock" -e ".[$accelerator]" --no-build-isolation ${index[@]+"${index[@]}"} \
    || { echo "setup: pip could not install $lock; see its messages above" >&2; exit 1; }
  .venv/bin/python -c "import ramverk, torch, tensorflow, jax, mkdocs" 2>/dev/null \
    || { echo "setup: the install did not complete; see the messages above" >&2; exit 1; }
  if [ "$accelerator" = cuda ] && ! .venv/bin/python -c "import sys, torch; sys.exit(torch.version.cuda is None)"; then
    echo "setup: the cuda profile got torch $(.venv/bin/python -c 'import torch; print(torch.__version__)')," \
      "a build without CUDA. Does pip's configuration offer a +cpu wheel (pip config list)? pip prefers" \
      "it to the plain version that requirements-cuda.lock pins" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi

# Browser tests use Debian's chromium (never a downloaded browser); graphs use graphviz's dot.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# The audit engines (axe-core, html-validate; package-lock.json) run on Node.js.
command -v npm >/dev/null || need+=(nodejs npm)
command -v dot >/dev/null || need+=(graphviz)
# Contributor code runs inside bubblewrap (scripts/ramverk/executor/sandbox.py); without it, only per-process limits.
command -v bwrap >/dev/null || need+=(bubblewrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# axe-core and html-validate at package-lock.json's versions, in node_modules (tests/test_accessibility.py,
# scripts/audit_site.py); again only when the lock changed. Both are plain JavaScript: nothing downloads
# a binary or a browser.
npm_stamp=node_modules/.ramverk-installed
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  echo "setup: installing axe-core and html-validate with npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null \
    || { echo "setup: npm ci could not install package-lock.json; see its messages above" >&2; exit 1; }
  echo "$npm_want" > "$npm_stamp"
fi
