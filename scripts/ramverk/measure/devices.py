"""What this machine has, found cheaply: no framework is imported here.

CPU facts come from /proc/cpuinfo (or lscpu / sysctl), CUDA GPUs from `nvidia-smi -L` when it
is on PATH, MPS from the platform (macOS on arm64), framework versions from the installed
package metadata. Whether a framework can really *use* a device is confirmed later, by the
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


def machine(name: str, stream_triad_gbs: float | None = None) -> Machine:
    return Machine(name=name, cpu_model=cpu_model(), logical_cores=os.cpu_count() or 1, os=os_name(),
                   python=platform.python_version(), cpu_flags=cpu_flags(), cpu_max_mhz=cpu_max_mhz(),
                   stream_triad_gbs=stream_triad_gbs)
