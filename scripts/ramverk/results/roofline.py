"""The limits a measured rate is compared with: peak FLOP/s and memory bandwidth, with how each was obtained.

CPU peak is worked out, not looked up: threads × clock × FP32 FLOPs per cycle per core, where
FLOPs per cycle = FMA units × SIMD lanes × 2 (a fused multiply-add is two operations).
CPU bandwidth is measured by the runner (a STREAM-like triad). GPU limits come from the table
below, each with its source.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass, field

from ramverk.contract.results_model import Device, Machine


@dataclass(frozen=True)
class Limit:
    per_second: float  # FLOP/s or bytes/s
    how: dict[str, str]  # lang -> one sentence on where the number comes from
    # lang -> a few words for a table cell beside the share: what kind of limit this is
    # ("measured triad", "data sheet", "worked out at the nominal clock")
    short: dict[str, str] = field(default_factory=dict)
    measured: bool = False  # True when the machine itself measured it (the STREAM-like triad)


@dataclass(frozen=True)
class GpuSpec:
    match: str  # substring of the device name; the first match wins, so variants come first
    fp32_flops: float  # FP32 on the CUDA cores (PyTorch does not use TF32 for float32 matmul by default)
    tf32_flops: float  # TF32 on the Tensor Cores, dense
    bf16_flops: float  # BF16 on the Tensor Cores, dense
    bandwidth: float  # bytes/s of HBM
    source: str


# Dense rates: NVIDIA's data sheets print Tensor Core rates "with sparsity", twice the dense rate,
# so the TF32 and BF16 columns are half of the printed figures.
GPUS = (
    GpuSpec("H200 NVL", 60e12, 417.5e12, 835.5e12, 4.8e12, "https://www.nvidia.com/en-us/data-center/h200/"),
    GpuSpec("H200", 67e12, 494.5e12, 989.5e12, 4.8e12, "https://www.nvidia.com/en-us/data-center/h200/"),
    GpuSpec("H100 PCIe", 51e12, 378e12, 756.5e12, 2.0e12, "https://www.nvidia.com/en-us/data-center/h100/"),
    GpuSpec("H100 NVL", 60e12, 417.5e12, 835.5e12, 3.9e12, "https://www.nvidia.com/en-us/data-center/h100/"),
    GpuSpec("H100", 67e12, 494.5e12, 989.5e12, 3.35e12, "https://www.nvidia.com/en-us/data-center/h100/"),
    GpuSpec("A100", 19.5e12, 156e12, 312e12, 2.039e12, "https://www.nvidia.com/en-us/data-center/a100/"),
)
# A case's "dtype" size parameter -> (the GpuSpec rate it is held against, its name in the sentence)
GPU_RATE = {"float32": ("fp32_flops", "FP32"), "tf32": ("tf32_flops", "TF32 Tensor Core"),
            "bfloat16": ("bf16_flops", "BF16 Tensor Core"), "float16": ("bf16_flops", "FP16 Tensor Core")}


def _gpu(device: Device) -> GpuSpec | None:
    return next((g for g in GPUS if g.match in device.name), None)


def _fp32_per_cycle(flags: list[str]) -> tuple[int, dict[str, str]]:
    """(FLOPs per cycle per core, the assumption in words per language). Two FMA units is the common server core."""
    if "avx512f" in flags:
        return 2 * 16 * 2, {"en": "AVX-512 (16 float32 lanes) × 2 FMA units × 2",
                            "sv": "AVX-512 (16 float32-banor) × 2 FMA-enheter × 2"}
    if "avx2" in flags and "fma" in flags:
        return 2 * 8 * 2, {"en": "AVX2 (8 float32 lanes) × 2 FMA units × 2",
                           "sv": "AVX2 (8 float32-banor) × 2 FMA-enheter × 2"}
    if "avx" in flags:
        return 8 * 2, {"en": "AVX (8 float32 lanes), separate multiply and add",
                       "sv": "AVX (8 float32-banor), separat multiplikation och addition"}
    return 4 * 2, {"en": "SSE (4 float32 lanes), separate multiply and add",
                   "sv": "SSE (4 float32-banor), separat multiplikation och addition"}


def _clock_ghz(machine: Machine) -> float | None:
    if machine.cpu_max_mhz:
        return machine.cpu_max_mhz / 1000
    m = re.search(r"@\s*([\d.]+)\s*GHz", machine.cpu_model)
    return float(m[1]) if m else None


def flops_limit(machine: Machine, device: Device, threads: int, dtype: str = "float32") -> Limit | None:
    if device.kind == "cpu":
        ghz = _clock_ghz(machine)
        if ghz is None or dtype != "float32":  # the worked-out CPU peak is for float32 FMAs
            return None
        per_cycle, assumption = _fp32_per_cycle(machine.cpu_flags)
        peak = threads * ghz * 1e9 * per_cycle
        return Limit(peak, {
            "en": f"worked out: {threads} core(s) × {ghz:g} GHz × {per_cycle} FLOP/cycle ({assumption['en']}), at the "
                  "nominal clock the operating system reports; a boost clock makes the real limit higher, "
                  "so a share above 100 % means the core ran faster than nominal. No FLOP/s limit is measured "
                  "on the CPU, so this worked-out figure is the one the share is held against",
            "sv": f"uträknat: {threads} kärna/kärnor × {ghz:g} GHz × {per_cycle} FLOP/cykel ({assumption['sv']}), vid den "
                  "nominella klockfrekvens operativsystemet anger; med turbofrekvens är det verkliga taket högre, "
                  "så en andel över 100 % betyder att kärnan gick fortare än nominellt. Inget FLOP/s-tak mäts "
                  "på processorn, så andelen räknas mot det här uträknade värdet",
        }, {"en": "worked out at the nominal clock", "sv": "uträknat vid nominell klocka"})
    gpu = _gpu(device)
    if gpu is None or dtype not in GPU_RATE:
        return None
    rate_field, name = GPU_RATE[dtype]
    return Limit(getattr(gpu, rate_field), {
        "en": f"dense {name} peak from NVIDIA's data sheet ({gpu.source})",
        "sv": f"tät {name}-topp enligt NVIDIAs datablad ({gpu.source})",
    }, {"en": "data sheet", "sv": "datablad"})


def bandwidth_limit(machine: Machine, device: Device, threads: int, dtype: str = "float32") -> Limit | None:
    if device.kind == "cpu":
        if not machine.stream_triad_gbs:
            return None
        return Limit(machine.stream_triad_gbs * 1e9, {
            "en": "measured on this machine with a STREAM-like triad (a = b + s·c) by the runner",
            "sv": "uppmätt på maskinen med en STREAM-liknande triad (a = b + s·c) av mätskriptet",
        }, {"en": "measured triad", "sv": "uppmätt triad"}, measured=True)
    gpu = _gpu(device)
    if gpu is None:
        return None
    return Limit(gpu.bandwidth, {
        "en": f"memory bandwidth from NVIDIA's data sheet ({gpu.source})",
        "sv": f"minnesbandbredd enligt NVIDIAs datablad ({gpu.source})",
    }, {"en": "data sheet", "sv": "datablad"})


# BENCHMARK "work" kind -> (its rate unit, the limit it is compared with)
LIMITS = {"flops": ("FLOP/s", flops_limit), "bytes": ("B/s", bandwidth_limit)}


def limit_for(kind: str, machine: Machine, device: Device, threads: int, params: dict | None = None) -> Limit | None:
    """The limit of a case; a "dtype" size parameter picks the GPU rate (tf32, bfloat16, ...)."""
    return LIMITS[kind][1](machine, device, threads, str((params or {}).get("dtype", "float32")))


def work_per_call(expression: str, params: dict) -> float:
    """Evaluate a BENCHMARK "work" expression such as "2*n**3" with the case's size parameters.

    Arithmetic only, read with `ast` and never run: numbers, the numeric size names, + - * / **,
    unary minus and parentheses. Anything else (a call, an attribute, an unknown name) raises ValueError.
    """
    names = {k: v for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"work expression {expression!r} is not an arithmetic expression") from None
    value = _arithmetic(tree.body, expression, names)
    if not isinstance(value, float) or not math.isfinite(value):
        raise ValueError(f"work expression {expression!r} gives {value!r} for {names}, not a finite number")
    return value


_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: operator.pow}


def _arithmetic(node: ast.expr, expression: str, names: dict[str, float]) -> float:
    # In floats throughout: a huge power overflows (ValueError) instead of building a giant integer.
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ValueError(f"work expression {expression!r} uses {node.id!r}, which is not a numeric size "
                             f"parameter of the case (known: {', '.join(sorted(names)) or 'none'})")
        return float(names[node.id])
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _arithmetic(node.left, expression, names), _arithmetic(node.right, expression, names)
        try:
            return _OPERATORS[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ValueError(f"work expression {expression!r} divides by zero") from None
        except OverflowError:
            raise ValueError(f"work expression {expression!r} overflows") from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _arithmetic(node.operand, expression, names)
        return -value if isinstance(node.op, ast.USub) else value
    raise ValueError(f"work expression {expression!r} may use only numbers, size names, + - * / ** and "
                     f"parentheses, not {ast.unparse(node)!r}")
