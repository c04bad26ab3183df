"""A committed profiler trace (results/traces/<name>.json): Chrome's trace format, trimmed, with provenance.

`python -m ramverk trace` writes it (ramverk.measure.trace_capture); the trace marker draws it
(ramverk.render.trace_timeline). It stays a file Perfetto and chrome://tracing open: `traceEvents`
holds complete spans ("X": name, start and duration in µs from the step's start, process and thread)
and the threads' names ("M" thread_name); `ramverk` holds where the trace comes from, as a results
record does. A trace may come from a contributor, so loading validates everything and caps sizes;
the names are data, escaped wherever they are shown.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ramverk.contract.results_model import Device

TRACE_VERSION = 1
MAX_BYTES = 256 * 1024  # a trace is committed and read at every build: trimmed ones are far smaller
MAX_EVENTS = 5000
MAX_NAME = 300  # characters of an operator or thread name


class TraceError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Span(_Strict):
    """A complete event: one operator (or annotation) from ts to ts + dur on one thread."""

    ph: Literal["X"]
    name: str = Field(min_length=1, max_length=MAX_NAME)
    ts: float = Field(ge=0, allow_inf_nan=False)  # µs from the first span's start
    dur: float = Field(ge=0, allow_inf_nan=False)
    pid: int
    tid: int


class ThreadName(_Strict):
    ph: Literal["M"]
    name: Literal["thread_name"]
    pid: int
    tid: int
    args: dict[Literal["name"], str] = Field(min_length=1)

    def label(self) -> str:
        return self.args["name"][:MAX_NAME]


class Provenance(_Strict):
    """Where the trace comes from, as a results record says it (ramverk.contract.results_model.Record)."""

    version: Literal[1] = TRACE_VERSION
    snippet: str  # "snippets/execution/profiling.py"
    snippet_hash: str  # ramverk.sections.run_hash of the code the framework ran, when the trace was taken
    framework: str
    framework_version: str
    mode: str
    params: dict[str, int | float | str]  # the snippet's full BENCHMARK sizes
    profiler: str  # "torch.profiler", "jax.profiler"
    device: Device
    threads: int
    machine: str  # the results file stem of the machine: "amd-epyc-zen3-1t"
    date_utc: datetime
    commit: str | None
    dirty: bool
    python: str
    os: str


class TraceFile(_Strict):
    traceEvents: list[Span | ThreadName] = Field(max_length=MAX_EVENTS)  # noqa: N815 - Chrome's own name
    displayTimeUnit: Literal["ms"] = "ms"  # noqa: N815
    ramverk: Provenance

    def spans(self) -> list[Span]:
        return [e for e in self.traceEvents if isinstance(e, Span)]

    def thread_names(self) -> dict[tuple[int, int], str]:
        return {(e.pid, e.tid): e.label() for e in self.traceEvents if isinstance(e, ThreadName)}


def dumps(trace: TraceFile) -> str:
    """Compact, one event per line: small to commit, and a diff shows which events changed."""
    head = trace.model_dump(mode="json", exclude={"traceEvents"})
    events = ",\n".join(json.dumps(e.model_dump(mode="json"), ensure_ascii=False) for e in trace.traceEvents)
    return ('{"traceEvents": [\n' + events + "\n],\n" + json.dumps(head, ensure_ascii=False, indent=1)[1:].lstrip()
            + "\n")


def load(path: Path, shown_as: str | None = None) -> TraceFile:
    """The validated trace; TraceError naming the file (as shown_as) for anything else."""
    name = shown_as or str(path)
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise TraceError(f"{name}: no such trace file (record it with: python -m ramverk trace)")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise TraceError(f"{name}: {size} bytes, more than the {MAX_BYTES} a committed trace may have")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TraceError(f"{name}: not a JSON trace ({error})") from None
    try:
        trace = TraceFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise TraceError(f"{name}: field {where}: {first['msg']}") from None
    if not trace.spans():
        raise TraceError(f"{name}: holds no spans to draw")
    return trace
