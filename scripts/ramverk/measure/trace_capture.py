"""Record one step of a snippet under its framework's profiler, as a trimmed trace with provenance.

`record()` runs this module as a worker in the sandbox (the snippet is a contributor's code): the
worker imports the snippet's sections for one framework as the runner's worker does, builds the step
with the full BENCHMARK sizes on the CPU, runs it twice (compiling, allocating), then once under
torch.profiler or jax.profiler.trace, and writes the profiler's own Chrome-format events to its
working folder. `trim()` keeps what the page's picture needs: complete spans and thread names,
times from the step's start, rounded to 0.01 µs; then the file is validated like any other trace.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from ramverk.contract import trace_model
from ramverk.contract import frameworks
from ramverk.contract.results_model import Device
from ramverk.contract.snippet_spec import load as load_spec
from ramverk.executor.sandbox import spawn
from ramverk.measure import devices, runner
from ramverk.measure.launch import worker_env

PROFILERS = {"torch": "torch.profiler", "jax": "jax.profiler"}
RAW_NAME = "raw-trace.json"
STEP = "step"  # the annotation around the profiled step: the trace keeps what ran inside it
TIMEOUT_S = 600


class CaptureError(RuntimeError):
    pass


def _profile_torch(step, folder: str) -> list[dict]:
    from torch.profiler import ProfilerActivity, profile, record_function

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        with record_function(STEP):
            step()
    path = os.path.join(folder, "torch.json")
    prof.export_chrome_trace(path)
    with open(path, encoding="utf-8") as file:
        return json.load(file)["traceEvents"]


def _profile_jax(step, folder: str) -> list[dict]:
    import jax

    with jax.profiler.trace(folder, create_perfetto_trace=True):
        with jax.profiler.TraceAnnotation(STEP):  # waits inside: the step ends when its result is ready
            jax.block_until_ready(step())
    found = sorted(Path(folder).rglob("perfetto_trace.json.gz"))
    with gzip.open(found[-1], "rt", encoding="utf-8") as file:
        return json.load(file)["traceEvents"]


def worker(snippet: str, framework: str, mode: str, params_json: str) -> None:
    """In the sandbox: profile one step and write the profiler's events to RAW_NAME in the working folder."""
    from ramverk.measure.worker import import_snippet

    module = import_snippet(snippet, framework)
    step = module.build(framework, mode, "cpu", **json.loads(params_json))
    for _ in range(2):  # the first calls compile and allocate: the trace shows a step as it repeats
        out = step()
        if framework == "jax":
            import jax

            jax.block_until_ready(out)
    with tempfile.TemporaryDirectory() as folder:
        events = (_profile_torch if framework == "torch" else _profile_jax)(step, folder)
    with open(RAW_NAME, "w", encoding="utf-8") as file:
        json.dump(events, file)


def trim(events: list) -> list[dict]:
    """The complete spans inside the STEP annotation, on any thread with an integer process and thread
    id (the profiler's own bookkeeping spans have none), times from the step's start; and the names of
    the threads that hold them, once each."""
    spans = [e for e in events if isinstance(e, dict) and e.get("ph") == "X" and isinstance(e.get("pid"), int)
             and isinstance(e.get("tid"), int) and isinstance(e.get("ts"), (int, float))
             and isinstance(e.get("dur"), (int, float)) and e.get("name")]
    step = next((e for e in spans if e["name"] == STEP), None)
    if step is None:
        return []
    start, end = float(step["ts"]), float(step["ts"]) + float(step["dur"])
    spans = [e for e in spans if start <= float(e["ts"]) and float(e["ts"]) + float(e["dur"]) <= end]
    out = [{"ph": "X", "name": str(e["name"])[:trace_model.MAX_NAME], "ts": round(float(e["ts"]) - start, 2),
            "dur": round(float(e["dur"]), 2), "pid": e["pid"], "tid": e["tid"]} for e in spans]
    out.sort(key=lambda e: (e["pid"], e["tid"], e["ts"], -e["dur"]))
    lanes = {(e["pid"], e["tid"]) for e in out}
    names = {(e["pid"], e["tid"]): str(e["args"]["name"])[:trace_model.MAX_NAME]
             for e in events if isinstance(e, dict) and e.get("ph") == "M" and e.get("name") == "thread_name"
             and (e.get("pid"), e.get("tid")) in lanes and isinstance(e.get("args"), dict) and "name" in e["args"]}
    return [{"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}}
            for (pid, tid), name in sorted(names.items())] + out


def record(root: Path, snippet_rel: str, framework: str, mode: str, out: Path, machine: str | None = None,
           threads: int = 1) -> trace_model.TraceFile:
    """Profile the snippet's step in the sandbox and write the trimmed trace to out."""
    from ramverk import sections

    snippet = (Path(root) / snippet_rel).resolve()
    spec = load_spec(snippet, Path(root).resolve())
    bench = spec.benchmark
    if framework not in PROFILERS:
        raise CaptureError(f"{framework}: no profiler known for it (known: {', '.join(PROFILERS)})")
    if framework not in bench.frameworks or mode not in bench.modes.get(framework, []):
        raise CaptureError(f"{spec.rel}: BENCHMARK has no mode {mode!r} for {framework}")
    params = bench.sizes["full"]
    with tempfile.TemporaryDirectory(prefix="ramverk-trace-") as cwd:
        argv = [sys.executable, "-m", "ramverk.measure.trace_capture", str(snippet), framework, mode,
                json.dumps(params)]
        outcome = spawn(argv, cwd, env=worker_env(threads), timeout=TIMEOUT_S, cpus=threads,
                        readable=[str(snippet.parent)])
        raw_path = Path(cwd) / RAW_NAME
        if outcome.returncode != 0 or not raw_path.is_file():
            tail = "\n".join((outcome.stderr or "").strip().splitlines()[-12:])
            raise CaptureError(f"{spec.rel}: the profiled step failed (exit {outcome.returncode}):\n{tail}")
        if raw_path.stat().st_size > 64 * trace_model.MAX_BYTES:
            raise CaptureError(f"{spec.rel}: the profiler wrote more than {64 * trace_model.MAX_BYTES} bytes")
        events = trim(json.loads(raw_path.read_text(encoding="utf-8")))
    commit, dirty = runner._git(Path(root).resolve())
    provenance = dict(
        snippet=spec.rel, snippet_hash=sections.run_hash(snippet, framework), framework=framework,
        framework_version=frameworks.version(framework) or "?", mode=mode, params=params, profiler=PROFILERS[framework],
        device=Device(kind="cpu", name=devices.cpu_name(threads)), threads=threads,
        machine=machine or devices.default_machine_name(threads), date_utc=datetime.now(timezone.utc),
        commit=commit, dirty=dirty, python=platform.python_version(), os=devices.os_name())
    trace = trace_model.TraceFile.model_validate({"traceEvents": events, "ramverk": provenance})
    out.parent.mkdir(parents=True, exist_ok=True)
    text = trace_model.dumps(trace)
    if len(text.encode()) > trace_model.MAX_BYTES:
        raise CaptureError(f"{spec.rel}: the trimmed trace is {len(text.encode())} bytes, more than "
                           f"{trace_model.MAX_BYTES}: profile a smaller step")
    from ramverk.contract.files import write_atomic

    write_atomic(out, text)
    return trace_model.load(out)


if __name__ == "__main__":
    worker(*sys.argv[1:5])
