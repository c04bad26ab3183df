"""The limits a measured rate is compared with: peak FLOP/s and memory bandwidth, with how each was obtained.

CPU FLOP/s: measured where the runner's FMA probe has run on the machine (devices.fma_probe: independent
FMA chains on the widest vectors, one core), with the data-sheet figure beside it; otherwise the
data-sheet figure alone, labelled so: threads × clock × FP32 FLOP per cycle, where FLOP per cycle =
FMA pipes × datapath lanes × 2, from the core design's optimisation guide (CORE_DESIGNS). A CPU FLOP/s
rate above its ceiling is an error (rates_over_ceiling), not a share above 100 %.
CPU bandwidth is measured by the runner (a STREAM-like triad). GPU limits come from the table
below, each with its source. The words come from the catalogue (contract/page_text.py).
"""

from __future__ import annotations

import ast
import functools
import json
import math
import operator
import re
from dataclasses import dataclass, field

from ramverk.contract import site_config
from ramverk.contract.page_text import t
from ramverk.contract.results_model import Device, Machine

LANGS = ("sv", "en")


@dataclass(frozen=True)
class Limit:
    per_second: float  # FLOP/s or bytes/s
    how: dict[str, str]  # lang -> one sentence on where the number comes from
    # lang -> a few words for a table cell beside the share: what kind of limit this is
    # ("measured triad", "data sheet", "data-sheet figure, not measured")
    short: dict[str, str] = field(default_factory=dict)
    measured: bool = False  # True when the machine itself measured it (the triad, the FMA probe)
    ceiling: bool = False  # True when no real rate can exceed it: one above is an error, not a share over 100 %


@dataclass(frozen=True)
class CoreDesign:
    """A CPU core design's FP32 FMA hardware, as its vendor's optimisation guide describes it."""

    name: str  # "AMD Zen 4"
    datapath_bits: int  # width of one FMA pipe: Zen 4 runs a 512-bit AVX-512 FMA as two 256-bit halves
    fma_pipes: int  # FMA instructions started per cycle
    source: str  # the primary source, named

    @property
    def fp32_per_cycle(self) -> int:
        return self.fma_pipes * self.datapath_bits // 32 * 2  # an FMA is a multiply and an add


ZEN4_GUIDE = "AMD, Software Optimization Guide for the AMD Zen4 Microarchitecture (57647)"
ZEN3_GUIDE = "AMD, Software Optimization Guide for AMD Family 19h Processors (56665)"
ZEN2_GUIDE = "AMD, Software Optimization Guide for AMD Family 17h Models 30h and Greater Processors (56305)"
INTEL_GUIDE = "Intel 64 and IA-32 Architectures Optimization Reference Manual (248966)"
ZEN4 = CoreDesign("AMD Zen 4", 256, 2, ZEN4_GUIDE)
ZEN3 = CoreDesign("AMD Zen 3", 256, 2, ZEN3_GUIDE)
ZEN2_OR_3 = CoreDesign("AMD Zen 2 or Zen 3", 256, 2, f"{ZEN2_GUIDE}; {ZEN3_GUIDE}")
ZEN2 = CoreDesign("AMD Zen 2", 256, 2, ZEN2_GUIDE)
INTEL_AVX512 = CoreDesign("Intel with AVX-512 (Skylake-SP or later; some parts have one 512-bit FMA unit)", 512, 2,
                          INTEL_GUIDE)
INTEL_AVX2 = CoreDesign("Intel with AVX2 and FMA (Haswell or later)", 256, 2, INTEL_GUIDE)

# (vendor_id, cpu family, models) -> design, first match wins; models as /proc/cpuinfo gives them (decimal).
CORE_DESIGNS: tuple[tuple[str, int, range, CoreDesign], ...] = (
    ("AuthenticAMD", 25, range(0x10, 0x20), ZEN4),  # Genoa (17 = 0x11)
    ("AuthenticAMD", 25, range(0x60, 0x80), ZEN4),  # Raphael, Phoenix
    ("AuthenticAMD", 25, range(0xA0, 0xB0), ZEN4),  # Bergamo, Siena
    ("AuthenticAMD", 25, range(0x00, 0x10), ZEN3),  # Milan (1)
    ("AuthenticAMD", 25, range(0x20, 0x60), ZEN3),  # Vermeer, Rembrandt, Cezanne
    ("AuthenticAMD", 23, range(0x30, 0xA0), ZEN2),  # Rome (49), Renoir, Matisse
)


def core_design(machine: Machine) -> tuple[CoreDesign, dict[str, str]] | None:
    """The machine's core design and, per language, how it was recognised; None when not in the table.

    Files written before family and model were recorded are recognised by their flags: AMD with
    avx512f is Zen 4 (the first AMD core with AVX-512), AMD with AVX2 and FMA Zen 2 or 3."""
    if machine.cpu_vendor is not None:
        for vendor, family, models, design in CORE_DESIGNS:
            if (machine.cpu_vendor, machine.cpu_family) == (vendor, family) and machine.cpu_model_number in models:
                return design, {lang: t(lang, "ceiling_known_by_model", family=family, model=machine.cpu_model_number)
                                for lang in LANGS}
    flags = set(machine.cpu_flags)
    amd = machine.cpu_vendor == "AuthenticAMD" or (machine.cpu_vendor is None and "AMD" in machine.cpu_model)
    intel = machine.cpu_vendor == "GenuineIntel" or (machine.cpu_vendor is None and "Intel" in machine.cpu_model)
    design = None
    if amd and "avx512f" in flags:
        design = ZEN4
    elif amd and {"avx2", "fma"} <= flags:
        design = ZEN2_OR_3
    elif intel and "avx512f" in flags:
        design = INTEL_AVX512
    elif intel and {"avx2", "fma"} <= flags:
        design = INTEL_AVX2
    if design is None:
        return None
    shown = ", ".join(f for f in ("avx512f", "avx2", "fma") if f in flags)
    return design, {lang: t(lang, "ceiling_known_by_flags", vendor="AMD" if amd else "Intel", flags=shown)
                    for lang in LANGS}


def _decimal(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "sv" else text


def _gflops(value: float) -> str:
    return f"{value / 1e9:.0f}\u00a0GFLOP/s"


@dataclass(frozen=True)
class GpuSpec:
    match: str  # substring of the device name; the first match wins, so variants come first
    fp32_flops: float  # FP32 on the CUDA cores (PyTorch does not use TF32 for float32 matmul by default)
    tf32_flops: float  # TF32 on the Tensor Cores, dense
    bf16_flops: float  # BF16 on the Tensor Cores, dense
    bandwidth: float  # bytes/s of HBM
    source: str


DATASHEETS = "snippets/gpu_datasheets.json"  # the one table of GPU ceilings (pages quote it with the value marker)


@functools.cache
def gpus() -> tuple[GpuSpec, ...]:
    """The data-sheet table, in its order (variants first). Its Tensor Core rates are dense: NVIDIA prints
    them "with sparsity", twice the dense rate."""
    table = json.loads((site_config.load().root / DATASHEETS).read_text(encoding="utf-8"))["gpus"]
    return tuple(GpuSpec(name, **{k: entry[k] for k in ("fp32_flops", "tf32_flops", "bf16_flops", "bandwidth",
                                                          "source")})
                 for name, entry in table.items())


# A case's "dtype" size parameter -> (the GpuSpec rate it is held against, its name in the sentence)
GPU_RATE = {"float32": ("fp32_flops", "FP32"), "tf32": ("tf32_flops", "TF32 Tensor Core"),
            "bfloat16": ("bf16_flops", "BF16 Tensor Core"), "float16": ("bf16_flops", "FP16 Tensor Core")}


def _gpu(device: Device) -> GpuSpec | None:
    return next((g for g in gpus() if g.match in device.name), None)


def _clock_ghz(machine: Machine) -> float | None:
    if machine.cpu_max_mhz:
        return machine.cpu_max_mhz / 1000
    m = re.search(r"@\s*([\d.]+)\s*GHz", machine.cpu_model)
    return float(m[1]) if m else None


def data_sheet_flops(machine: Machine, threads: int) -> tuple[float, dict[str, str]] | None:
    """(FLOP/s, the working in each language) from the core design's guide at the nominal clock, or None."""
    ghz = _clock_ghz(machine)
    known = core_design(machine)
    if ghz is None or known is None:
        return None
    design, recognised = known
    peak = threads * ghz * 1e9 * design.fp32_per_cycle
    return peak, {lang: t(lang, "ceiling_data_sheet", design=design.name, recognised=recognised[lang],
                          pipes=design.fma_pipes, bits=design.datapath_bits, per_cycle=design.fp32_per_cycle,
                          threads=threads, ghz=_decimal(ghz, lang), value=_gflops(peak), source=design.source)
                  for lang in LANGS}


def cpu_flops_limit(machine: Machine, threads: int) -> Limit | None:
    """The FP32 ceiling of `threads` cores: the FMA probe's where it ran, else the data-sheet figure, else None."""
    sheet = data_sheet_flops(machine, threads)
    if machine.fma_gflops:
        peak = threads * machine.fma_gflops * 1e9
        beside = {lang: (t(lang, "ceiling_beside", sheet=sheet[1][lang]) if sheet else t(lang, "ceiling_no_sheet"))
                  for lang in LANGS}
        return Limit(peak, {lang: t(lang, "ceiling_measured", threads=threads, core=_gflops(machine.fma_gflops * 1e9),
                                    bits=machine.fma_vector_bits or "?", beside=beside[lang]) for lang in LANGS},
                     {lang: t(lang, "ceiling_measured_short") for lang in LANGS}, measured=True, ceiling=True)
    if sheet is None:
        return None
    return Limit(sheet[0], {lang: t(lang, "ceiling_sheet_only", sheet=sheet[1][lang]) for lang in LANGS},
                 {lang: t(lang, "ceiling_sheet_short") for lang in LANGS}, ceiling=True)


def flops_limit(machine: Machine, device: Device, threads: int, dtype: str = "float32") -> Limit | None:
    if device.kind == "cpu":
        return cpu_flops_limit(machine, threads) if dtype == "float32" else None  # the CPU figures are FP32 FMAs
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


def rate_over_ceiling(rate: float, kind: str, limit: Limit | None) -> str | None:
    """Why `rate` cannot be real (it is above a limit no real rate exceeds), naming both; else None."""
    if limit is None or not limit.ceiling or rate <= limit.per_second:
        return None
    unit = LIMITS[kind][0]
    return (f"the measured rate {rate:.4g} {unit} is above its ceiling {limit.per_second:.4g} {unit} "
            f"({limit.short.get('en', '')}: {limit.how['en']})")


def rates_over_ceiling(rows, work: dict | None) -> list[str]:
    """For each row (results_view.Row) whose rate is above its ceiling: the record and both figures."""
    out = []
    for row in rows:
        r = row.record
        for kind, expression in (work or {}).items():
            rate = work_per_call(expression, r.case.params) / r.stats.median_s
            why = rate_over_ceiling(rate, kind, limit_for(kind, row.machine, r.device, r.threads, r.case.params))
            if why:
                out.append(f"results/{row.machine.name}.json: {r.snippet} {r.case.framework}/{r.case.mode} "
                           f"on {r.device.name}: {why}")
    return out


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
