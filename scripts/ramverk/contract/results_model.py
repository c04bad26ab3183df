"""The results data model: one JSON file per machine under results/, validated on load.

These pydantic models are the contract between the runner (which writes records) and the
pages (which render them). Bump SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
DeviceKind = Literal["cpu", "cuda", "mps"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Statistics(_Strict):
    """Seconds per call. Each sample times `number` back-to-back calls and divides by it."""

    median_s: float
    q1_s: float
    q3_s: float
    min_s: float
    max_s: float
    n: int = Field(ge=1, description="samples")
    number: int = Field(ge=1, description="calls per sample")
    first_call_s: float | None = Field(None, description="the first call alone: tracing/compiling included")


class Ratio(_Strict):
    """This case's time divided by the baseline's, from samples interleaved A B A B."""

    baseline_mode: str
    median: float
    q1: float
    q3: float
    n: int


class Case(_Strict):
    framework: str
    mode: str
    size: Literal["quick", "full"]
    params: dict[str, int | float | str]


class Device(_Strict):
    kind: DeviceKind
    name: str  # "NVIDIA H100 80GB HBM3", "AMD EPYC 7B13, 1 thread" - never just "cuda"
    driver: str | None = None
    cuda: str | None = None  # the CUDA version the framework was built with
    memory_gib: float | None = None  # a GPU's memory
    compute_capability: str | None = None  # a CUDA GPU's, "9.0" for Hopper


class Machine(_Strict):
    """Facts about the machine, used for provenance and for the roofline limits."""

    name: str  # the results file's stem
    cpu_model: str
    logical_cores: int
    os: str
    python: str
    cpu_flags: list[str] = []  # vector/FMA flags that decide the peak: avx2, avx512f, fma, ...
    cpu_max_mhz: float | None = None
    stream_triad_gbs: float | None = None  # measured memory bandwidth, STREAM-like triad
    # Which core design this is (the FLOP/s ceiling depends on it, not on the model name): /proc/cpuinfo's
    # vendor_id, cpu family and model. None in files written before they were recorded.
    cpu_vendor: str | None = None  # "AuthenticAMD", "GenuineIntel"
    cpu_family: int | None = None  # 25 for AMD Zen 3 and Zen 4
    cpu_model_number: int | None = None  # 1 for Zen 3 Milan, 17 for Zen 4 Genoa
    # measured FP32 FMA throughput of one core, GFLOP/s (ramverk.measure.devices.fma_probe), and the width
    # in bits of the vector registers its FMA instructions used
    fma_gflops: float | None = None
    fma_vector_bits: int | None = None


class Record(_Strict):
    snippet: str  # "snippets/execution/mlp_step.py"
    section: str | None = None
    snippet_hash: str  # "sha256:<16 hex>" of the code its framework ran (ramverk.sections.run_hash)
    case: Case
    device: Device
    framework_version: str
    threads: int
    stats: Statistics
    ratio: Ratio | None = None
    date_utc: datetime
    commit: str | None  # the project commit measured; None when the snippets were not a git checkout
    dirty: bool
    # Added by the runner (optional, so files written before them still load):
    python: str | None = None  # "3.11.9": the interpreter that ran the case
    os: str | None = None  # platform.platform() of the machine that ran it

    def key(self) -> tuple:
        """Identity within one machine's file: a newer record with the same key replaces it."""
        c = self.case
        return (self.snippet, self.section or "", c.framework, c.mode, c.size, self.device.kind, self.device.name)


class ResultsFile(_Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    machine: Machine
    records: list[Record]
