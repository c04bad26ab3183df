"""The parent's side of a worker process: its environment, its limits, and what its death means.

A worker (python -m ramverk.measure.worker) runs in the sandbox (ramverk/executor/sandbox.py: read-only
filesystem, its own writable temporary directory, no network, its own PID namespace where the
machine allows it; `sandbox.isolation().describe()` says what applies), with: no credentials in
its environment (variables whose names look like tokens, secrets, keys or passwords, and
AWS_*/GITHUB_*/GH_* are dropped), threads pinned through the variables every framework reads
at import and by CPU affinity to as many cores (XLA's CPU pool ignores the variables; the
affinity holds it), a wall-clock timeout (the whole tree is killed), a memory limit (the tree's
cgroup, else RLIMIT_AS; CPU workers only: the CUDA driver reserves more virtual memory than
any sane limit), capped output, and death with the runner. CUDA workers get the GPU device
nodes. The worker writes nothing the runner keeps: the runner writes the results. A worker that
dies instead of reporting is classified: timeout, SIGSEGV, SIGKILL (usually the out-of-memory
killer), MemoryError.

Only a report the worker's own code signed is accepted. Each worker gets a fresh random key and
nonce through a pipe (the `--key-fd=N` it is started with; Popen's pass_fds through the launcher
and bwrap) that holds nothing else, whose write end the runner closes before the worker starts,
and that the worker drains and closes before it imports the snippet: the key is never in argv,
the environment or a file, where snippet code could read it. Its stdout must then carry exactly
one line, HMAC-SHA256-signed with that key and nonce (protocol.sealed), whose JSON is validated
with pydantic. A line that does not verify (a snippet that found the report pipe among its
descriptors and wrote a report of its own, then exited) is "no authenticated report", and any
line besides the signed one means something else wrote to the pipe, so the report is not trusted
either. The report stays on stdout because spawn() reads stdout with the output cap and the
deadline already; the MAC, not the choice of pipe, is what a snippet cannot forge. It does not
stop a snippet that reads the key out of the worker's memory or patches the timing code (see
ramverk.measure.worker); nor, without a PID namespace (isolation "none"), one that reads this
process's memory.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile

from pydantic import ValidationError

from ramverk.measure.protocol import KEY_BYTES, Job, Report, new_secret, opened, pin_threads
from ramverk.executor.sandbox import OUTPUT_CAP_BYTES, child_env, gpu_device_nodes, spawn


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


def _job(argv: list[str]) -> Job | None:
    """The job in argv (JSON), read here for what the sandbox must pass in: the device, the snippet's folder."""
    try:
        return Job.model_validate_json(argv[0])
    except (ValidationError, IndexError, ValueError):
        return None  # --triad, or a bad job that the worker will report


def run_worker(argv: list[str], *, timeout_s: float, threads: int, memory_limit_gib: float | None,
               on_line=None, device_kind: str | None = None) -> tuple[Report | None, str, str]:
    """Run one worker in the sandbox: (validated report or None, failure reason or "", stderr tail).

    device_kind "cuda" passes the GPU device nodes into the sandbox; None reads it from the job.
    """
    limit = int(memory_limit_gib * (1 << 30)) if memory_limit_gib else None
    job = _job(argv)
    kind = device_kind or (job.device if job else "cpu")
    tail: list[str] = []

    def line(text: str) -> None:
        tail.append(text.rstrip())
        del tail[:-40]
        if on_line and text.startswith("[worker] "):
            on_line(text[9:].strip())

    # The key channel: filled and closed on this side before the worker starts, so it carries
    # exactly the secret (48 bytes, far below a pipe's buffer: the write never blocks).
    secret = new_secret()
    key_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, secret)
    finally:
        os.close(write_fd)
    try:
        with tempfile.TemporaryDirectory(prefix="ramverk-worker-") as cwd:
            env = worker_env(threads)
            # Empty compile caches: the first call's time is a cold compile, not a disk-cache hit.
            env["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(cwd, "inductor-cache")
            env["TRITON_CACHE_DIR"] = os.path.join(cwd, "triton-cache")
            outcome = spawn([sys.executable, "-m", "ramverk.measure.worker", f"--key-fd={key_fd}", *argv], cwd,
                            env=env, timeout=timeout_s, memory_bytes=limit, cpus=threads, on_stderr_line=line,
                            device_nodes=gpu_device_nodes() if kind == "cuda" else (),
                            readable=[os.path.dirname(job.snippet)] if job else (),  # its sibling imports too
                            pass_fds=(key_fd,))
    finally:
        os.close(key_fd)
    stderr_tail = "\n".join(tail[-12:])
    if outcome.truncated:
        return None, f"wrote more than {OUTPUT_CAP_BYTES >> 20} MiB of output (killed)", stderr_tail
    if outcome.oom_killed and memory_limit_gib:
        return None, f"out of memory (the {memory_limit_gib:g} GiB limit of its process tree; killed)", stderr_tail
    if outcome.timed_out or outcome.returncode < 0:
        return None, _signal_reason(outcome.returncode, timeout_s if outcome.timed_out else None), stderr_tail
    if not outcome.stdout.strip():
        last = next((ln for ln in reversed(tail) if ln.strip()), "no output")
        if "MemoryError" in last or "std::bad_alloc" in last:
            return None, f"out of memory ({last.strip()})", stderr_tail
        return None, f"exited with code {outcome.returncode} and no report ({last.strip()})", stderr_tail
    # split("\n"), not splitlines(): the JSON may hold U+2028 and the like, which splitlines() splits at.
    lines = outcome.stdout.removesuffix("\n").split("\n")
    signed = [body for ln in lines if (body := opened(ln, secret[:KEY_BYTES], secret[KEY_BYTES:])) is not None]
    if not signed:
        return None, (f"sent no authenticated report: {len(lines)} line(s) on its report pipe, none signed with "
                      f"this run's key (forged or garbled; exited with code {outcome.returncode})"), stderr_tail
    if len(lines) > 1:
        return None, (f"its report pipe carried {len(lines) - 1} line(s) besides the signed report: something else "
                      f"wrote to it, so the report is not trusted"), stderr_tail
    try:
        report = Report.model_validate_json(signed[0])
    except ValidationError as error:
        return None, f"sent an invalid report: {error.errors()[0]['msg']}", stderr_tail
    return report, "", stderr_tail
