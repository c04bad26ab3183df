"""The runner <-> worker protocol: the job a worker gets, the report it returns, and thread pinning.

Both sides import this module and nothing of each other: the runner (ramverk.measure.runner, through
ramverk.measure.launch) writes a Job as JSON on the worker's command line; the worker (ramverk.measure.worker)
prints one Report as JSON, which the runner validates before trusting a number.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ramverk.contract.results_model import Ratio, Statistics


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    snippet: str  # absolute path
    framework: str
    device: str  # cpu | cuda | mps
    modes: list[str]
    params: dict[str, int | float | str]
    baseline: str | None = None
    threads: int = 1
    min_time_s: float = 1.0


class ModeReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stats: Statistics
    ratio: Ratio | None = None


class Report(BaseModel):
    """What the worker prints; the runner validates it before trusting a number."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok", "skip", "error"]
    reason: str | None = None
    modes: dict[str, ModeReport] = {}
    device_seen: str | None = None  # what the framework calls the device
    cuda: str | None = None  # the CUDA version the framework was built with
    threads_seen: dict[str, int] = {}
    stream_triad_gbs: float | None = None
    wall_s: float | None = None


def pin_threads(threads: int, env: dict | os._Environ = os.environ) -> None:
    """Set the thread variables every framework reads at import. Call before importing one."""
    n = str(threads)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[var] = n
    flags = [f for f in env.get("XLA_FLAGS", "").split()
             if not f.startswith(("--xla_cpu_multi_thread_eigen", "intra_op_parallelism_threads"))]
    flags += [f"--xla_cpu_multi_thread_eigen={'false' if threads == 1 else 'true'}",
              f"intra_op_parallelism_threads={threads}"]
    env["XLA_FLAGS"] = " ".join(flags)
