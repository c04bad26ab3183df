"""The two install profiles: cpu (requirements.lock) and cuda (requirements-cuda.lock).

The CUDA lock is written by scripts/lock-cuda.sh from PyPI's metadata (no GPU needed). Here, offline:
it pins everything requirements.lock pins, identically, except the CPU-only framework builds it
replaces, and setup.sh refuses a profile it does not know before installing anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPLACED = {"torch", "tensorflow-cpu"}  # the CPU builds that the CUDA profile swaps out


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            package, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", package).lower()] = version.strip()
    return pins


def test_the_cuda_lock_keeps_every_cpu_pin_but_the_framework_builds():
    cpu, cuda = _pins("requirements.lock"), _pins("requirements-cuda.lock")
    differing = {p: (v, cuda.get(p)) for p, v in cpu.items() if p not in REPLACED and cuda.get(p) != v}
    assert not differing, f"requirements-cuda.lock disagrees with requirements.lock (re-run scripts/lock-cuda.sh): {differing}"
    assert cpu["torch"].endswith("+cpu") and cuda["torch"] == cpu["torch"].removesuffix("+cpu")
    assert "tensorflow-cpu" not in cuda and cuda["tensorflow"] == cpu["tensorflow-cpu"]
    assert any(p.startswith("jax-cuda") and p.endswith("-plugin") for p in cuda), "no JAX CUDA plugin pinned"
    assert any(p.startswith("nvidia-") for p in cuda)


def test_pyproject_offers_both_profiles_with_the_locked_versions():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras) >= {"cpu", "cuda"}
    cpu, cuda = _pins("requirements.lock"), _pins("requirements-cuda.lock")
    for requirement in extras["cpu"]:
        name, version = re.match(r"([\w.-]+)(?:\[[^]]*\])?==(.+)", requirement).groups()
        assert cpu[name.lower()] == version, requirement
    for requirement in extras["cuda"]:
        name, version = re.match(r"([\w.-]+)(?:\[[^]]*\])?==(.+)", requirement).groups()
        assert cuda[name.lower()] == version, requirement


def test_setup_refuses_an_unknown_accelerator_before_installing_anything():
    proc = subprocess.run(["./scripts/setup.sh"], cwd=ROOT, env={**os.environ, "RAMVERK_ACCELERATOR": "rocm"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "RAMVERK_ACCELERATOR must be cpu or cuda, not 'rocm'" in proc.stderr
