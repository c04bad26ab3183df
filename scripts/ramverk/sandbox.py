"""Limits for running contributor code (code blocks, shell blocks, snippets as scripts).

Pages and snippets come from pull requests, so the tests run them as they would run a stranger's
code: in a fresh process, in an empty temporary directory, with

* no credentials in the environment (`child_env()` drops every variable that looks like one),
* an address-space limit (`limited(argv, memory_bytes)`; JAX and TensorFlow reserve several GiB
  of address space at import, hence a generous default, RAMVERK_MEMORY_LIMIT_GIB to change it),
* a wall-clock timeout that kills the whole process group, grandchildren included (`run()`),
* death with the parent (PR_SET_PDEATHSIG), so nothing outlives an interrupted test run.

The snippet runner (ramverk/runner.py) applies the same rules to its workers.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

SECRET = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|^AWS_|^GITHUB_|^GH_|^ACTIONS_"
                    r"|^CI_JOB|^NPM_CONFIG_|^PIP_INDEX_URL|^TWINE_|^SSH_AUTH_SOCK$|^GPG_|^DOCKER_", re.I)
DEFAULT_MEMORY_GIB = 16.0
DEFAULT_TIMEOUT_S = 180.0

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


def limited(argv: list[str], memory_bytes: int | None = None, cpus: int | None = None) -> list[str]:
    """argv run under the limits: address space, no core dumps, death with the parent, and with
    `cpus` the CPU affinity (some thread pools, such as XLA's on CPU, ignore the thread variables).

    The limits are applied by a small launcher that then execs argv, not by subprocess's
    preexec_fn: that would run Python in a fork of a parent that may have JAX's or TensorFlow's
    threads (the tests import them), which can deadlock.
    """
    allowed = sorted(os.sched_getaffinity(0))[:cpus] if cpus and hasattr(os, "sched_getaffinity") else []
    return [sys.executable, "-m", "ramverk.limits_exec", str(memory_bytes or 0), ",".join(map(str, allowed)) or "-",
            "--", *argv]


def run(argv: list[str], cwd: str | Path, *, timeout: float = DEFAULT_TIMEOUT_S, env: dict | None = None,
        memory_bytes: int | None = -1) -> subprocess.CompletedProcess:
    """Run argv in cwd with the limits above; on timeout kill its process group and raise TimeoutExpired.

    memory_bytes=-1 means the default (RAMVERK_MEMORY_LIMIT_GIB, 16 GiB); None means no limit.
    """
    limit = memory_limit_bytes() if memory_bytes == -1 else memory_bytes
    proc = subprocess.Popen(
        limited(argv, limit), cwd=cwd, env=child_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL, start_new_session=True,
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
