"""The one table of framework facts: adding a framework means adding one entry here.

Each entry says how the framework is named, which distributions and import names provide it,
which device kinds it can drive, how long a worker takes to import it, how to synchronise its
results, and how to ask it whether it sees a device. The functions import the framework lazily,
so reading this table imports nothing heavy (planning and the site build never import a framework).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple


class Seen(NamedTuple):
    """What a framework says about a device: a skip reason, or its name for it and its CUDA version."""

    skip: str | None
    name: str | None = None
    cuda: str | None = None


@dataclass(frozen=True)
class Framework:
    key: str  # the name in BENCHMARK and in results: "torch"
    name: str  # what readers see: "PyTorch"
    distributions: tuple[str, ...]  # first installed one wins
    modules: tuple[str, ...]  # top-level import names that need this framework (keras needs tensorflow)
    devices: frozenset[str]  # device kinds it can drive (the worker still checks the installed build)
    startup_s: float  # a worker's import time, for the plan's estimate
    modes: tuple[str, ...]  # the modes a new note starts with
    docs: tuple[str, str]  # (link text, URL) of the official documentation
    sync: Callable[[str], Callable[[Any], None]]  # device -> wait until an output is computed
    sees: Callable[[str], Seen]  # device -> whether the installed build can use it
    cuda_build: Callable[[str], str | None]  # installed distribution -> why it cannot use CUDA, or None
    cuda_install: str = ""  # what to install for a CUDA build


def _no_sync(_device: str):
    def wait(_out) -> None:
        return None

    return wait


def _cpu_only(key: str) -> Callable[[str], Seen]:
    def sees(device: str) -> Seen:
        return Seen(None, "cpu") if device == "cpu" else Seen(f"{key} runs on the CPU only")

    return sees


def _always_cpu(_dist: str) -> str | None:
    return None


def _torch_sync(device: str):
    import torch

    if device == "cuda":
        return lambda _out: torch.cuda.synchronize()
    if device == "mps":
        return lambda _out: torch.mps.synchronize()
    return lambda _out: None


def _torch_sees(device: str) -> Seen:
    import torch

    cuda = torch.version.cuda
    if device == "cuda":
        if not torch.cuda.is_available():
            build = "a CPU-only build" if cuda is None else f"built for CUDA {cuda}"
            return Seen(f"torch {torch.__version__} cannot see a CUDA device ({build})", None, cuda)
        return Seen(None, torch.cuda.get_device_name(0), cuda)
    if device == "mps":
        if not torch.backends.mps.is_available():
            return Seen(f"torch {torch.__version__} cannot use MPS")
        return Seen(None, "mps")
    if device == "cpu":
        return Seen(None, "cpu", cuda)
    return Seen(f"torch does not drive {device!r}")


def _torch_cuda_build(_dist: str) -> str | None:
    version = _version("torch") or ""
    if "+cpu" in version or platform.system() != "Linux":
        return f"torch {version} is a CPU-only build"
    return None


def _jax_sync(_device: str):
    import jax

    return jax.block_until_ready


def _jax_sees(device: str) -> Seen:
    import jax

    try:
        dev = jax.devices(device)[0]
    except RuntimeError as error:
        return Seen(f"jax {jax.__version__} has no {device} backend ({str(error).splitlines()[0]})")
    cuda = None
    if device == "cuda":
        # "cuda 13000" or similar in the PJRT client's platform version
        found = re.search(r"cuda\D*(\d+)", str(getattr(dev.client, "platform_version", "")), re.I)
        if found:
            digits = found[1]
            cuda = f"{int(digits) // 1000}.{int(digits) % 1000 // 10}" if len(digits) >= 4 else digits
        else:
            cuda = next((d.split("-")[1].removeprefix("cuda") for d in _installed() if re.fullmatch(
                r"jax-cuda\d+-plugin", d)), None)
    return Seen(None, getattr(dev, "device_kind", str(dev)), cuda)


def _jax_cuda_build(_dist: str) -> str | None:
    if any(re.fullmatch(r"jax-cuda\d+-plugin", d) for d in _installed()):
        return None
    return f"jax {_version('jax')} has no CUDA plugin installed"


def _tf_sync(_device: str):
    import tensorflow as tf

    def materialise(out) -> None:
        for leaf in tf.nest.flatten(out):
            if hasattr(leaf, "numpy"):
                leaf.numpy()

    return materialise


def _tf_sees(device: str) -> Seen:
    import tensorflow as tf

    cuda = tf.sysconfig.get_build_info().get("cuda_version")
    if device == "cpu":
        return Seen(None, "cpu", cuda)
    gpus = tf.config.list_physical_devices("GPU")
    if device != "cuda" or not gpus:
        return Seen(f"tensorflow {tf.__version__} sees no {device} device", None, cuda)
    details = tf.config.experimental.get_device_details(gpus[0])
    return Seen(None, details.get("device_name", gpus[0].name), cuda)


def _tf_cuda_build(dist: str) -> str | None:
    if dist in ("tensorflow-cpu", "tensorflow-macos") or platform.system() != "Linux":
        return f"{dist} {_version(dist)} is a CPU-only build"
    return None


_CUDA_PROFILE = "RAMVERK_ACCELERATOR=cuda ./scripts/setup.sh"

FRAMEWORKS: dict[str, Framework] = {f.key: f for f in (
    Framework("python", "Python", ("python",), (), frozenset({"cpu"}), 0.3, ("eager",),
              ("Python documentation", "https://docs.python.org/3/"), _no_sync, _cpu_only("python"), _always_cpu),
    Framework("numpy", "NumPy", ("numpy",), ("numpy",), frozenset({"cpu"}), 0.5, ("eager",),
              ("NumPy documentation", "https://numpy.org/doc/stable/"), _no_sync, _cpu_only("numpy"), _always_cpu),
    Framework("numba", "Numba", ("numba",), ("numba",), frozenset({"cpu"}), 2.0, ("python", "njit"),
              ("Numba documentation", "https://numba.readthedocs.io/"), _no_sync, _cpu_only("numba"), _always_cpu),
    Framework("torch", "PyTorch", ("torch",), ("torch",), frozenset({"cpu", "cuda", "mps"}), 3.0,
              ("eager", "compile"), ("PyTorch documentation", "https://docs.pytorch.org/docs/stable/index.html"),
              _torch_sync, _torch_sees, _torch_cuda_build, f"torch's CUDA wheel ({_CUDA_PROFILE})"),
    Framework("tensorflow", "TensorFlow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"),
              ("tensorflow", "keras", "tf_keras"), frozenset({"cpu", "cuda"}), 6.0, ("eager", "function"),
              ("TensorFlow guide", "https://www.tensorflow.org/guide"), _tf_sync, _tf_sees, _tf_cuda_build,
              f"tensorflow[and-cuda] ({_CUDA_PROFILE})"),
    Framework("jax", "JAX", ("jax",), ("jax", "jaxlib"), frozenset({"cpu", "cuda"}), 3.0, ("eager", "jit"),
              ("JAX documentation", "https://docs.jax.dev/en/latest/"), _jax_sync, _jax_sees, _jax_cuda_build,
              f"jax[cuda13] ({_CUDA_PROFILE})"),
)}


def get(key: str) -> Framework:
    try:
        return FRAMEWORKS[key]
    except KeyError:
        raise KeyError(f"unknown framework {key!r}; known: {', '.join(FRAMEWORKS)}") from None


def display_name(key: str) -> str:
    return FRAMEWORKS[key].name if key in FRAMEWORKS else key


def owner(module: str) -> Framework | None:
    """The framework a top-level import name belongs to (keras -> tensorflow), if any."""
    return next((f for f in FRAMEWORKS.values() if module in f.modules), None)


def importable(module: str) -> bool:
    """Whether `import module` can work here: installed, not hidden, and its framework present too."""
    framework = owner(module)
    names = [module] + ([framework.modules[0]] if framework and framework.modules[0] != module else [])
    for name in names:
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):  # a module hidden as sys.modules[name] = None
            return False
    return True


def available(key: str) -> bool:
    """Whether the framework can be imported here (python always can)."""
    framework = get(key)
    return all(importable(m) for m in framework.modules[:1])


def installed_distribution(key: str) -> str | None:
    return next((d for d in get(key).distributions if _version(d) is not None), None)


def version(key: str) -> str | None:
    """The installed version from package metadata, without importing (None when not installed)."""
    if key == "python":
        return platform.python_version()
    dist = installed_distribution(key)
    if dist is None:
        return None
    text = _version(dist)
    if key == "jax" and _version("jaxlib"):
        text += f" (jaxlib {_version('jaxlib')})"
    return text if dist == key else f"{text} ({dist})"


def cuda_problems() -> list[str]:
    """One line per installed framework that could drive CUDA but whose installed build cannot."""
    out = []
    for framework in FRAMEWORKS.values():
        dist = installed_distribution(framework.key) if "cuda" in framework.devices else None
        why = framework.cuda_build(dist) if dist else None
        if why:
            out.append(f"{why}: it measures on the CPU only; install {framework.cuda_install}")
    return out


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _installed() -> list[str]:
    return sorted({(d.metadata["Name"] or "").lower() for d in importlib.metadata.distributions()})


STDLIB = frozenset(sys.stdlib_module_names)
