"""The limits a measured rate is compared with: peak FLOP/s and memory bandwidth, with how each was obtained.

CPU peak is worked out, not looked up: threads × clock × FP32 FLOPs per cycle per core, where
FLOPs per cycle = FMA units × SIMD lanes × 2 (a fused multiply-add is two operations).
CPU bandwidth is measured by the runner (a STREAM-like triad). GPU limits come from the table
below, each with its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ramverk.results import Device, Machine


@dataclass(frozen=True)
class Limit:
    per_second: float  # FLOP/s or bytes/s
    how: dict[str, str]  # lang -> one sentence on where the number comes from


@dataclass(frozen=True)
class GpuSpec:
    match: str  # substring of the device name
    fp32_flops: float
    bandwidth: float  # bytes/s
    source: str


# FP32 without Tensor Cores (PyTorch does not use TF32 for float32 matmul by default), dense.
GPUS = (
    GpuSpec("H200", 67e12, 4.8e12, "https://www.nvidia.com/en-us/data-center/h200/"),
    GpuSpec("H100", 67e12, 3.35e12, "https://www.nvidia.com/en-us/data-center/h100/"),
    GpuSpec("A100", 19.5e12, 2.039e12, "https://www.nvidia.com/en-us/data-center/a100/"),
)


def _gpu(device: Device) -> GpuSpec | None:
    return next((g for g in GPUS if g.match in device.name), None)


def _fp32_per_cycle(flags: list[str]) -> tuple[int, str]:
    """(FLOPs per cycle per core, the assumption in words). Two FMA units is the common server core."""
    if "avx512f" in flags:
        return 2 * 16 * 2, "AVX-512 (16 float32 lanes) × 2 FMA units × 2"
    if "avx2" in flags and "fma" in flags:
        return 2 * 8 * 2, "AVX2 (8 float32 lanes) × 2 FMA units × 2"
    if "avx" in flags:
        return 8 * 2, "AVX (8 float32 lanes), separate multiply and add"
    return 4 * 2, "SSE (4 float32 lanes), separate multiply and add"


def _clock_ghz(machine: Machine) -> float | None:
    if machine.cpu_max_mhz:
        return machine.cpu_max_mhz / 1000
    m = re.search(r"@\s*([\d.]+)\s*GHz", machine.cpu_model)
    return float(m[1]) if m else None


def flops_limit(machine: Machine, device: Device, threads: int) -> Limit | None:
    if device.kind == "cpu":
        ghz = _clock_ghz(machine)
        if ghz is None:
            return None
        per_cycle, assumption = _fp32_per_cycle(machine.cpu_flags)
        peak = threads * ghz * 1e9 * per_cycle
        return Limit(peak, {
            "en": f"worked out: {threads} core(s) × {ghz:g} GHz × {per_cycle} FLOP/cycle ({assumption}), at the "
                  "nominal clock the operating system reports; a boost clock makes the real limit higher, "
                  "so a share above 100 % means the core ran faster than nominal",
            "sv": f"uträknat: {threads} kärna/kärnor × {ghz:g} GHz × {per_cycle} FLOP/cykel ({assumption}), vid den "
                  "nominella klockfrekvens operativsystemet anger; med turbofrekvens är det verkliga taket högre, "
                  "så en andel över 100 % betyder att kärnan gick fortare än nominellt",
        })
    gpu = _gpu(device)
    if gpu is None:
        return None
    return Limit(gpu.fp32_flops, {
        "en": f"FP32 peak from NVIDIA's data sheet ({gpu.source})",
        "sv": f"FP32-topp enligt NVIDIAs datablad ({gpu.source})",
    })


def bandwidth_limit(machine: Machine, device: Device, threads: int) -> Limit | None:
    if device.kind == "cpu":
        if not machine.stream_triad_gbs:
            return None
        return Limit(machine.stream_triad_gbs * 1e9, {
            "en": "measured on this machine with a STREAM-like triad (a = b + s·c) by the runner",
            "sv": "uppmätt på maskinen med en STREAM-liknande triad (a = b + s·c) av mätskriptet",
        })
    gpu = _gpu(device)
    if gpu is None:
        return None
    return Limit(gpu.bandwidth, {
        "en": f"memory bandwidth from NVIDIA's data sheet ({gpu.source})",
        "sv": f"minnesbandbredd enligt NVIDIAs datablad ({gpu.source})",
    })


# BENCHMARK "work" kind -> (its rate unit, the limit it is compared with)
LIMITS = {"flops": ("FLOP/s", flops_limit), "bytes": ("B/s", bandwidth_limit)}


def limit_for(kind: str, machine: Machine, device: Device, threads: int) -> Limit | None:
    return LIMITS[kind][1](machine, device, threads)


def work_per_call(expression: str, params: dict) -> float:
    """Evaluate a BENCHMARK "work" expression such as "2*n**3" with the case's size parameters."""
    allowed = {k: v for k, v in params.items() if isinstance(v, (int, float))}
    if not re.fullmatch(r"[\w\s*+\-/().]+", expression):
        raise ValueError(f"work expression {expression!r} may use only numbers, size names and + - * / ( )")
    return float(eval(expression, {"__builtins__": {}}, allowed))  # noqa: S307 - arithmetic only, checked above
