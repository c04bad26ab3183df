"""The parent's side of a worker process: its environment, its limits, and what its death means.

A worker (python -m ramverk.worker) runs with: no credentials in its environment (variables
whose names look like tokens, secrets, keys or passwords, and AWS_*/GITHUB_*/GH_* are
dropped), threads pinned through the variables every framework reads at import and by CPU
affinity to as many cores (XLA's CPU pool ignores the variables and took both cores here), a
wall-clock timeout (the whole process group is killed), an address-space limit
(RLIMIT_AS, CPU workers only: the CUDA driver reserves more virtual memory than any sane
limit), and PR_SET_PDEATHSIG so it dies with the runner. Its JSON report is validated with
pydantic; a worker that dies instead is classified: timeout, SIGSEGV, SIGKILL (usually the
out-of-memory killer), MemoryError.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading

from pydantic import ValidationError

from ramverk.sandbox import child_env, limited
from ramverk.worker import Report, pin_threads

def worker_env(threads: int) -> dict[str, str]:
    """The worker's environment: the sandbox's (no credentials, this package importable), threads pinned."""
    env = child_env({"PYTHONUNBUFFERED": "1"})
    pin_threads(threads, env)
    return env


def _signal_reason(code: int, timeout: float | None) -> str:
    if timeout is not None:
        return f"timed out after {timeout:g} s (killed)"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    if name == "SIGSEGV":
        return "crashed with SIGSEGV (segmentation fault)"
    if name == "SIGKILL":
        return "killed by SIGKILL (out of memory?)"
    return f"killed by {name}"


def run_worker(argv: list[str], *, timeout_s: float, threads: int, memory_limit_gib: float | None,
               on_line=None) -> tuple[Report | None, str, str]:
    """Run one worker: (validated report or None, failure reason or "", stderr tail)."""
    limit = int(memory_limit_gib * (1 << 30)) if memory_limit_gib else None
    tail: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ramverk-worker-") as cwd:
        env = worker_env(threads)
        # Empty compile caches: the first call's time is a cold compile, not a disk-cache hit.
        env["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(cwd, "inductor-cache")
        env["TRITON_CACHE_DIR"] = os.path.join(cwd, "triton-cache")
        proc = subprocess.Popen(limited([sys.executable, "-m", "ramverk.worker", *argv], limit, cpus=threads),
                                cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)

        def pump() -> None:
            for line in proc.stderr:
                tail.append(line.rstrip())
                del tail[:-40]
                if on_line and line.startswith("[worker] "):
                    on_line(line[9:].strip())

        chunks: list[str] = []
        readers = [threading.Thread(target=pump, daemon=True),
                   threading.Thread(target=lambda: chunks.append(proc.stdout.read()), daemon=True)]
        for reader in readers:
            reader.start()
        timed_out = None
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = timeout_s
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker's children too (compile workers, ...)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        for reader in readers:
            reader.join(timeout=5)
        stdout = "".join(chunks)
    stderr_tail = "\n".join(tail[-12:])
    if timed_out is not None or proc.returncode < 0:
        return None, _signal_reason(proc.returncode, timed_out), stderr_tail
    lines = [ln for ln in (stdout or "").splitlines() if ln.strip()]
    if not lines:
        last = next((ln for ln in reversed(tail) if ln.strip()), "no output")
        if "MemoryError" in last or "std::bad_alloc" in last:
            return None, f"out of memory ({last.strip()})", stderr_tail
        return None, f"exited with code {proc.returncode} and no report ({last.strip()})", stderr_tail
    try:
        report = Report.model_validate_json(lines[-1])
    except ValidationError as error:
        return None, f"sent an invalid report: {error.errors()[0]['msg']}", stderr_tail
    return report, "", stderr_tail
