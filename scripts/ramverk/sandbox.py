"""Limits for running contributor code (code blocks, shell blocks, snippets as scripts).

Pages and snippets come from pull requests, so the tests run them as they would run a stranger's
code: in a fresh process, in an empty temporary directory, with

* no credentials in the environment (`child_env()` drops every variable that looks like one),
* an address-space limit (`preexec_limits(memory_bytes)`; JAX and TensorFlow reserve several GiB
  of address space at import, hence a generous default, RAMVERK_MEMORY_LIMIT_GIB to change it),
* a wall-clock timeout that kills the whole process group, grandchildren included (`run()`),
* death with the parent (PR_SET_PDEATHSIG), so nothing outlives an interrupted test run.

The snippet runner (ramverk/runner.py) applies the same rules to its workers.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

SECRET = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|^AWS_|^GITHUB_|^GH_|^ACTIONS_"
                    r"|^CI_JOB|^NPM_CONFIG_|^PIP_INDEX_URL|^TWINE_|^SSH_AUTH_SOCK$|^GPG_|^DOCKER_", re.I)
DEFAULT_MEMORY_GIB = 16.0
DEFAULT_TIMEOUT_S = 180.0

try:
    _LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
except OSError:
    _LIBC = None


def child_env(extra: dict[str, str] | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for contributor code: the current one without credentials, plus `extra`."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not SECRET.search(k)}
    scripts = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([scripts] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra or {})
    return env


def memory_limit_bytes() -> int | None:
    gib = float(os.environ.get("RAMVERK_MEMORY_LIMIT_GIB", DEFAULT_MEMORY_GIB))
    return int(gib * (1 << 30)) if gib > 0 else None


def preexec_limits(memory_bytes: int | None = None, cpus: int | None = None):
    """A preexec_fn for subprocess: the address-space limit, death with the parent, and with
    `cpus` the CPU affinity (some thread pools, such as XLA's on CPU, ignore the thread variables)."""
    allowed = sorted(os.sched_getaffinity(0))[:cpus] if cpus and hasattr(os, "sched_setaffinity") else None

    def apply() -> None:  # runs in the child between fork and exec: no Python-level locks
        if allowed:
            os.sched_setaffinity(0, allowed)
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if _LIBC is not None:
            _LIBC.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    return apply


def run(argv: list[str], cwd: str | Path, *, timeout: float = DEFAULT_TIMEOUT_S, env: dict | None = None,
        memory_bytes: int | None = -1) -> subprocess.CompletedProcess:
    """Run argv in cwd with the limits above; on timeout kill its process group and raise TimeoutExpired.

    memory_bytes=-1 means the default (RAMVERK_MEMORY_LIMIT_GIB, 16 GiB); None means no limit.
    """
    limit = memory_limit_bytes() if memory_bytes == -1 else memory_bytes
    proc = subprocess.Popen(
        argv, cwd=cwd, env=child_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec_limits(limit),
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(argv, timeout, out, err) from None
    finally:
        if proc.poll() is None:
            proc.kill()
    # Anything the code left running in its session goes with it.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)
