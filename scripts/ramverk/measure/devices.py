"""What this machine has, found cheaply: no framework is imported here (numba only in the FMA probe, in a worker).

CPU facts come from /proc/cpuinfo (or lscpu / sysctl), the FMA throughput from a probe that numba
compiles, CUDA GPUs from `nvidia-smi -L` when it is on PATH, MPS from the platform (macOS on arm64),
framework versions from the installed package metadata. Whether a framework can really *use* a device is confirmed later, by the
worker process, which reports a skip with the reason when it cannot.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

from ramverk.contract.results_model import Machine

DEVICE_KINDS = ("cpu", "cuda", "mps")
INTERESTING_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                     "avx512_bf16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8", "asimd", "sve", "sve2")


class DeviceError(ValueError):
    pass


@dataclass(frozen=True)
class Device:
    kind: str  # cpu | cuda | mps
    name: str  # "AMD EPYC, 1 thread", "NVIDIA H100 80GB HBM3", "Apple M2 GPU"
    driver: str | None = None
    memory_gib: float | None = None  # a GPU's memory
    compute_capability: str | None = None  # a CUDA GPU's, "9.0" for Hopper
    notes: tuple[str, ...] = field(default_factory=tuple)


def _run(cmd: list[str], timeout: float = 10) -> str | None:
    if not shutil.which(cmd[0]):
        return None
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@lru_cache(maxsize=1)
def _cpuinfo() -> dict[str, str]:
    try:
        text = open("/proc/cpuinfo", encoding="utf-8", errors="replace").read()
    except OSError:
        return {}
    info: dict[str, str] = {}
    for line in text.split("\n\n")[0].splitlines():
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    return info


def cpu_model() -> str:
    info = _cpuinfo()
    for key in ("model name", "Model Name", "Processor", "cpu model", "Hardware"):
        if info.get(key):
            return re.sub(r"\s+", " ", info[key])
    if platform.system() == "Darwin":
        brand = _run(["sysctl", "-n", "machdep.cpu.brand_string"])
        if brand:
            return brand.strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def cpu_flags() -> list[str]:
    flags = set((_cpuinfo().get("flags") or _cpuinfo().get("Features") or "").split())
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        flags.add("asimd")
    return [f for f in INTERESTING_FLAGS if f in flags]


def cpu_max_mhz() -> float | None:
    try:
        khz = open("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").read().strip()
        return round(int(khz) / 1000, 1)
    except (OSError, ValueError):
        pass
    out = _run(["lscpu"])
    if out:
        m = re.search(r"CPU max MHz:\s*([\d.]+)", out)
        if m:
            return float(m[1])
    mhz = _cpuinfo().get("cpu MHz")
    return round(float(mhz), 1) if mhz else None


def cpu_identity() -> tuple[str | None, int | None, int | None]:
    """(vendor, family, model) as /proc/cpuinfo gives them: ("AuthenticAMD", 25, 17) is Zen 4 Genoa.

    The model name does not tell core designs apart ("AMD EPYC" is Zen 3 in one VM and Zen 4 in
    another); these three do. (None, None, None) where the OS does not report them."""
    info = _cpuinfo()

    def number(key: str) -> int | None:
        value = info.get(key, "")
        return int(value) if value.isdigit() else None

    return info.get("vendor_id") or None, number("cpu family"), number("model")


class MachineMismatch(ValueError):
    """The results file was written on another kind of CPU: this machine's figures do not belong in it."""


def identity_conflict(stored: Machine, here: Machine) -> str | None:
    """Why this machine may not write into a file whose machine is `stored`, or None.

    The file's stem comes from the CPU's model name, which two core designs can share; the machine's
    probes (bandwidth, FMA throughput) and its records would then describe a CPU it is not."""
    if stored.cpu_vendor is not None and (stored.cpu_vendor, stored.cpu_family, stored.cpu_model_number) != (
            here.cpu_vendor, here.cpu_family, here.cpu_model_number):
        return (f"results file {stored.name!r} was measured on {stored.cpu_vendor} family {stored.cpu_family} "
                f"model {stored.cpu_model_number}, and this CPU is {here.cpu_vendor} family {here.cpu_family} "
                f"model {here.cpu_model_number}: another core design under the same name {here.cpu_model!r}")
    if stored.cpu_vendor is None and set(stored.cpu_flags) != set(here.cpu_flags):
        only_there = sorted(set(stored.cpu_flags) - set(here.cpu_flags))
        only_here = sorted(set(here.cpu_flags) - set(stored.cpu_flags))
        return (f"results file {stored.name!r} records no CPU family or model, and its CPU flags differ from this "
                f"CPU's (only there: {', '.join(only_there) or 'none'}; only here: {', '.join(only_here) or 'none'}): "
                "another core design under the same name")
    return None


# The FMA probe: independent chains of a = a*x + y, enough of them to hide the FMA's latency on every
# pipe, few enough to stay in registers (12 vectors: 16 registers on AVX2, 32 on AVX-512).
FMA_CHAINS = 12


def _vector_lanes() -> int:
    """float32 lanes of the widest vector register this CPU has: the probe's accumulators fill it."""
    flags = set(cpu_flags())
    return 16 if "avx512f" in flags else 8 if "avx" in flags else 4


@lru_cache(maxsize=4)
def _fma_kernel(values: int):
    import numba
    import numpy as np

    @numba.njit(fastmath=True)
    def chains(steps, x, y):
        acc = np.empty(values, dtype=np.float32)
        for i in range(values):
            acc[i] = np.float32(i) * np.float32(1e-3)
        for _ in range(steps):
            for j in range(values):  # unrolled and vectorised: FMA_CHAINS vector FMAs per step
                acc[j] = acc[j] * x + y
        return acc.sum()

    return chains


def fma_vector_bits(asm: str) -> int:
    """The widest vector registers an x86 FMA instruction in `asm` uses (0: no vector FMA at all)."""
    used = set(re.findall(r"vfn?m(?:add|sub)\w*\s+%([xyz])mm", asm))
    return next((bits for letter, bits in (("z", 512), ("y", 256), ("x", 128)) if letter in used), 0)


def fma_probe(seconds: float = 0.005, repeats: int = 400) -> tuple[float, int]:
    """(FP32 GFLOP/s of one core, the vector width in bits its FMAs used): the best of `repeats` runs.

    Native code (numba compiles it for this CPU), so it measures the core and not a library: FMA_CHAINS
    independent vector FMAs per step, each 2 FLOP per lane. Run it with one thread pinned to one core.
    Many short runs, not a few long ones: on shared cores some short run gets the core to itself, while
    a long run is always cut by a neighbour (measured on 2 shared cores: 103 GFLOP/s at 5 ms, 50 at 300 ms)."""
    import time

    import numpy as np

    values = FMA_CHAINS * _vector_lanes()
    chains = _fma_kernel(values)
    x, y = np.float32(0.999999), np.float32(1e-7)
    chains(10, x, y)  # compile
    bits = fma_vector_bits(chains.inspect_asm(chains.signatures[0]))
    steps = 1000
    while True:  # steps for about `seconds` a run
        start = time.perf_counter()
        chains(steps, x, y)
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 4:
            steps = max(steps, int(steps * seconds / elapsed))
            break
        steps *= 4
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        chains(steps, x, y)
        best = min(best, time.perf_counter() - start)
    return 2 * values * steps / best / 1e9, bits


def cpu_name(threads: int) -> str:
    return f"{cpu_model()}, {threads} thread{'s' if threads != 1 else ''}"


@lru_cache(maxsize=1)
def cuda_devices() -> tuple[Device, ...]:
    """GPUs that nvidia-smi lists (device 0 is the one measured); empty without nvidia-smi."""
    listing = _run(["nvidia-smi", "-L"])
    if not listing:
        return ()
    names = re.findall(r"^GPU \d+: (.+?)(?: \(UUID:.*)?$", listing, flags=re.M)
    query = _run(["nvidia-smi", "--query-gpu=driver_version,memory.total,compute_cap",
                  "--format=csv,noheader,nounits"]) or ""
    facts = [[cell.strip() for cell in line.split(",")] for line in query.splitlines() if line.strip()]
    out = []
    for i, name in enumerate(names):
        driver, memory_mib, capability = (facts[i] + [None] * 3)[:3] if i < len(facts) else (None, None, None)
        memory = round(float(memory_mib) / 1024, 1) if memory_mib and memory_mib.replace(".", "").isdigit() else None
        out.append(Device("cuda", name.strip(), driver or None, memory, capability or None))
    return tuple(out)


def mps_available() -> bool:
    return platform.system() == "Darwin" and platform.machine() == "arm64"


def kinds_here() -> frozenset[str]:
    """The device kinds this machine has: records of the others cannot be re-measured here."""
    return frozenset({"cpu"} | ({"cuda"} if cuda_devices() else set()) | ({"mps"} if mps_available() else set()))


def find(threads: int) -> tuple[list[Device], list[str]]:
    """(devices found, one line per device kind not found and why)."""
    found = [Device("cpu", cpu_name(threads))]
    missing = []
    gpus = cuda_devices()
    if gpus:
        found.append(gpus[0])
    else:
        why = "nvidia-smi is not on PATH" if not shutil.which("nvidia-smi") else "nvidia-smi lists no GPU"
        missing.append(f"cuda: not found ({why})")
    if mps_available():
        found.append(Device("mps", f"{cpu_model()} GPU (MPS)"))
    else:
        missing.append(f"mps: not found (needs macOS on arm64; this is {platform.system()} {platform.machine()})")
    return found, missing


def select(wanted: str | None, threads: int) -> tuple[list[Device], list[str]]:
    """The devices to measure on: all found, or only `wanted` (an error if unknown or absent)."""
    if wanted is not None and wanted not in DEVICE_KINDS:
        raise DeviceError(f"--device: unknown device {wanted!r}; known devices: {', '.join(DEVICE_KINDS)}")
    found, missing = find(threads)
    if wanted is None:
        return found, missing
    chosen = [d for d in found if d.kind == wanted]
    if not chosen:
        reason = next((m for m in missing if m.startswith(wanted + ":")), f"{wanted}: not found")
        raise DeviceError(f"--device {wanted}: this machine has none ({reason.split(': ', 1)[1]})")
    return chosen, []


def os_name() -> str:
    return platform.platform(terse=False)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "machine"


def default_machine_name(threads: int) -> str:
    """A stable file stem: the CPU model and the GPU; without a GPU, the CPU workers' thread count too.

    A GPU machine keeps one file whatever --threads says (each record states its threads), so one
    GPU never becomes two machines; a CPU-only machine's figures depend on the thread count.
    """
    gpus = cuda_devices()
    if gpus:
        return slug(f"{cpu_model()} {gpus[0].name}")
    if mps_available():
        return slug(f"{cpu_model()} mps")
    return slug(f"{cpu_model()} {threads}t")


def machine(name: str, stream_triad_gbs: float | None = None, fma: tuple[float, int] | None = None) -> Machine:
    """This machine's facts; stream_triad_gbs and fma ((GFLOP/s, vector bits) of fma_probe) where measured."""
    vendor, family, model = cpu_identity()
    return Machine(name=name, cpu_model=cpu_model(), logical_cores=os.cpu_count() or 1, os=os_name(),
                   python=platform.python_version(), cpu_flags=cpu_flags(), cpu_max_mhz=cpu_max_mhz(),
                   stream_triad_gbs=stream_triad_gbs, cpu_vendor=vendor, cpu_family=family, cpu_model_number=model,
                   fma_gflops=fma[0] if fma else None, fma_vector_bits=fma[1] if fma else None)
