"""The measuring process: `python -m ramverk.measure.worker --key-fd=N JOB_JSON` (started by the runner,
one per (snippet, framework, device)), or `... --key-fd=N --triad` (memory bandwidth), or `--fma` (FMA throughput).

It pins threads before any framework is imported, imports the snippet as a module (not as
__main__), confirms that the framework can see the device (else it reports a skip with the
reason), builds every mode with build(framework, mode, device, **params), and measures them
interleaved with ramverk.measure.timing. Its one JSON report goes to the real stdout (a private
duplicate of fd 1); everything the snippet prints goes to stderr, so a chatty snippet cannot
corrupt the report.

The report is signed. First thing, before the snippet is imported, the worker reads a key and a
nonce from fd N (a pipe the runner filled and closed its end of) and closes it; the key lives only
in main()'s locals, and the report line carries HMAC-SHA256(key, nonce + JSON) (see protocol.py).
What that defends against: snippet code that finds the report pipe among its descriptors (the
duplicate of fd 1, /proc/self/fd) and writes a report of its own, then exits. It cannot sign one,
because by then the key channel is closed and drained, and the runner rejects any line that does
not verify (and any report pipe that carries a line besides the signed one). What it does not
defend against: the snippet runs in this very process, so it can in principle read the key from
memory (walk the stack to main()'s frame) or patch the timing code so that the worker signs false
numbers; against that there are only the runner's plausibility checks (runner.implausible).
"""

from __future__ import annotations

import os
import sys
import time
import traceback

from ramverk.measure.protocol import Job, ModeReport, Report, pin_threads, read_secret, sealed


def _pin_loaded(framework: str, threads: int) -> dict[str, int]:
    """Pin the thread pools of frameworks already imported, and report what they use."""
    seen = {}
    if "torch" in sys.modules:
        import torch

        torch.set_num_threads(threads)
        seen["torch"] = torch.get_num_threads()
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            pass  # the runtime started during the snippet's import; TF_NUM_*_THREADS already applied
        seen["tensorflow"] = tf.config.threading.get_intra_op_parallelism_threads() or int(
            os.environ["TF_NUM_INTRAOP_THREADS"])
    return seen


def import_snippet(path: str, framework: str):
    """The snippet as a module with only the sections this framework needs (and those needing none)."""
    from ramverk import sections

    name = "ramverk_snippet_" + os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, os.path.dirname(path))
    module, _skipped = sections.load(path, name, sections.only_framework(framework))
    return module


def _describe(error: BaseException) -> str:
    first = (str(error).strip().splitlines() or [""])[0]
    text = f"{type(error).__name__}: {first}" if first else type(error).__name__
    if isinstance(error, MemoryError):
        text = f"out of memory ({text or 'MemoryError'})"
    notes = " ".join(getattr(error, "__notes__", []))
    return f"{text} {notes}".strip()


def run_job(job: Job) -> Report:
    from ramverk.contract import frameworks
    from ramverk.measure.timing import measure

    started = time.perf_counter()
    pin_threads(job.threads)
    if job.framework not in frameworks.FRAMEWORKS:
        return Report(status="error", reason=f"unknown framework {job.framework!r}")
    framework = frameworks.get(job.framework)
    if not frameworks.available(job.framework):
        return Report(status="skip", reason=f"{job.framework} is not installed (cannot import {framework.modules[0]})")
    try:
        module = import_snippet(job.snippet, job.framework)
    except BaseException as error:
        traceback.print_exc()
        return Report(status="error", reason=f"importing the snippet: {_describe(error)}")
    threads_seen = _pin_loaded(job.framework, job.threads)
    seen = framework.sees(job.device)
    threads_seen.update(_pin_loaded(job.framework, job.threads))
    if seen.skip:
        return Report(status="skip", reason=seen.skip, threads_seen=threads_seen)
    build = getattr(module, "build", None)
    if not callable(build):
        return Report(status="error", reason="the snippet declares BENCHMARK but defines no build() function")
    fns = {}
    for mode in job.modes:
        try:
            fns[mode] = build(job.framework, mode, job.device, **job.params)
        except BaseException as error:
            traceback.print_exc()
            return Report(status="error", reason=f"build({job.framework!r}, {mode!r}): {_describe(error)}")
        if not callable(fns[mode]):
            return Report(status="error", reason=f"build({job.framework!r}, {mode!r}) returned "
                                                 f"{type(fns[mode]).__name__}, not a callable")
    try:
        timings = measure(fns, framework.sync(job.device), min_time_s=job.min_time_s, baseline=job.baseline,
                          on_progress=lambda text: print(f"[worker] {text}", file=sys.stderr, flush=True))
    except BaseException as error:
        traceback.print_exc()
        return Report(status="error", reason=_describe(error))
    modes = {m: ModeReport(stats=t.stats, ratio=t.ratio) for m, t in timings.items()}
    return Report(status="ok", modes=modes, device_seen=seen.name, cuda=seen.cuda, threads_seen=threads_seen,
                  wall_s=time.perf_counter() - started)


def stream_triad(size: int = 1 << 24, repeats: int = 5) -> float:
    """Memory bandwidth in GB/s, one thread: a = b + s*c on arrays far larger than any cache.

    numpy does it in two passes (a = s*c, then a += b), which moves 5 arrays' worth of bytes
    (read c, write a; read a, read b, write a); the figure counts those bytes. Best of `repeats`.
    """
    import numpy as np

    b = np.full(size, 1.0)
    c = np.full(size, 2.0)
    a = np.empty(size)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.multiply(c, 3.0, out=a)
        np.add(a, b, out=a)
        best = min(best, time.perf_counter() - start)
    return 5 * 8 * size / best / 1e9


def main(argv: list[str]) -> int:
    # The key first, before anything the snippet could reach: its channel is drained and closed here,
    # and the key stays in this frame's locals (no module global a snippet could import).
    if not argv or not argv[0].startswith("--key-fd="):
        print("worker: the first argument must be --key-fd=N, the channel of the key that signs the report "
              "(run workers through ramverk.measure.launch.run_worker)", file=sys.stderr)
        return 2
    try:
        key, nonce = read_secret(int(argv[0].removeprefix("--key-fd=")))
    except (ValueError, OSError) as error:
        print(f"worker: cannot read the report key: {error}", file=sys.stderr)
        return 2
    argv = argv[1:]
    # The report goes to the real stdout; anything printed meanwhile goes to stderr.
    report_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if argv == ["--triad"]:
        pin_threads(1)
        report = Report(status="ok", stream_triad_gbs=stream_triad())
    elif argv == ["--fma"]:
        from ramverk.measure.devices import fma_probe

        pin_threads(1)
        try:
            gflops, bits = fma_probe()
        except Exception as error:  # noqa: BLE001 - no numba, or it cannot compile here: reported
            report = Report(status="error", reason=f"FMA probe: {_describe(error)}")
        else:
            report = Report(status="ok", fma_gflops=gflops, fma_vector_bits=bits)
    else:
        try:
            job = Job.model_validate_json(argv[0])
        except Exception as error:  # noqa: BLE001 - reported, never raised
            report = Report(status="error", reason=f"bad job: {error}")
        else:
            report = run_job(job)
    with os.fdopen(report_fd, "w") as out:
        out.write(sealed(report, key, nonce))
        out.flush()
    return {"ok": 0, "skip": 0, "error": 1}[report.status]


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stderr.flush()
    # Skip interpreter teardown: some frameworks' atexit handlers are slow or crash at exit,
    # which would turn a finished measurement into a failure.
    os._exit(code)
