"""The two install profiles: cpu (requirements.lock) and cuda (requirements-cuda.lock).

The CUDA lock is written by scripts/lock-cuda.sh from PyPI's metadata (no GPU needed). Here, offline:
it pins everything requirements.lock pins, identically, except the CPU-only framework builds it
replaces, and setup.sh refuses a profile it does not know before installing anything.

With the network, that the cpu profile installs for a reader whose pip has its default configuration
(pip --isolated with PIP_CONFIG_FILE=/dev/null: this machine's configuration, such as a local wheel
folder, plays no part), on Linux x86_64 with glibc 2.28 or later, on the oldest release of each Python
that setup.sh accepts (3.11.5, 3.12.0, 3.13.0), from the indexes that setup.sh names:
- every requirements.lock pin but the +cpu builds, with setup.sh's setuptools and wheel, resolves from
  PyPI alone in pip's dry run (wheels only), and the resolution takes exactly those pins: nothing the
  lock leaves unpinned, which pip would take from whichever index offers the newest version;
- each +cpu build (torch) is on PyTorch's CPU index for that Python (pip's dry run, no dependencies),
  and the lock's pins satisfy every dependency its metadata declares.
Together that is the resolution setup.sh asks pip for, in two parts, so that PyPI's part stays checked
where PyTorch's index does not answer. An index that does not answer skips its part, with the reason;
one that answers and lacks a pin fails. pip's dry run reads each pinned wheel's metadata: about 15 s a
Python on an idle 2-core machine, the three Pythons' PyPI runs at the same time.
"""

from __future__ import annotations

import concurrent.futures
import functools
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
REPLACED = {"torch", "tensorflow-cpu"}  # the CPU builds that the CUDA profile swaps out
SETUP = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
PYPI = "https://pypi.org/simple"
TORCH_CPU_INDEX = re.search(r"^torch_cpu_index=(\S+)$", SETUP, re.M).group(1)
BUILD_PINS = re.findall(r"\b(?:setuptools|wheel)==[\w.]+", SETUP)  # installed by setup.sh before the lock
OLDEST_311 = re.search(r"^oldest_311=(\S+)$", SETUP, re.M).group(1)
PYTHONS = {"3.11": OLDEST_311, "3.12": "3.12.0", "3.13": "3.13.0"}
# Linux x86_64 with glibc 2.28 (the oldest that torch's CPU wheels accept), newest first as pip ranks them.
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)] + \
    ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]


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
    assert not differing, \
        f"requirements-cuda.lock disagrees with requirements.lock (re-run scripts/lock-cuda.sh): {differing}"
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


@functools.cache
def _silent(url: str) -> str | None:
    """None when url answers (any HTTP status), else why not: the same question setup.sh asks."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10,
                               context=ssl.create_default_context())
    except urllib.error.HTTPError:
        return None
    except (OSError, http.client.HTTPException) as error:
        return str(getattr(error, "reason", error))
    return None


def _unmet(requirements: list[str], pins: dict[str, str], python: str, wanted_by: str) -> list[str]:
    """What these Requires-Dist lines ask of CPython `python` on Linux x86_64 that the pins do not give."""
    environment = default_environment() | {
        "python_version": python, "python_full_version": PYTHONS[python], "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "sys_platform": "linux", "platform_system": "Linux",
        "platform_machine": "x86_64", "os_name": "posix", "extra": ""}
    problems = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{wanted_by} requires {line}, which neither requirements.lock nor setup.sh pins")
        elif not requirement.specifier.contains(Version(pinned), prereleases=True):
            problems.append(f"{wanted_by} requires {line}; the pin is {pinned}")
        elif requirement.extras:
            problems.append(f"{wanted_by} requires {line}: this test does not follow extras; resolve it in full")
    return problems


def _setup_pins() -> dict[str, str]:
    """What the cpu profile installs: requirements.lock's pins and setup.sh's setuptools and wheel."""
    return _pins("requirements.lock") | {
        canonicalize_name(name): version for name, _, version in (pin.partition("==") for pin in BUILD_PINS)}


def _dry_run(tmp_path: Path, python: str, index: str, *args: str) -> list[dict]:
    """What pip, configured by these arguments alone, would install for CPython `python` on Linux x86_64
    (--isolated ignores the environment's PIP_* and the user's configuration, PIP_CONFIG_FILE=/dev/null
    the other configuration files)."""
    report = tmp_path / "report.json"
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--isolated", "--dry-run", "--ignore-installed",
                           "--only-binary=:all:", "--python-version", PYTHONS[python], *platforms, "--index-url", index,
                           "--target", str(tmp_path / "target"), "--report", str(report), "--quiet", *args],
                          env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, f"pip cannot install this for Python {PYTHONS[python]} from {index}:\n{proc.stderr}"
    return json.loads(report.read_text(encoding="utf-8"))["install"]


def _cpu_lock_wanted() -> dict[str, str]:
    return {name: version for name, version in _setup_pins().items() if "+" not in version}


@functools.cache
def _pypi_resolutions(tmp: Path) -> dict[str, dict[str, str] | AssertionError]:
    """PyPI's dry run for every Python at once, in threads: each mostly waits on the network (about 15 s on
    an idle machine, four times that on a busy one), and one after the other they held a test worker for
    all three."""
    tmp.mkdir(exist_ok=True)
    requirements = tmp / "requirements.txt"
    requirements.write_text("".join(f"{name}=={version}\n" for name, version in _cpu_lock_wanted().items()),
                            encoding="utf-8")

    def resolve(python: str) -> dict[str, str] | AssertionError:
        (tmp / python).mkdir()
        try:
            installs = _dry_run(tmp / python, python, PYPI, "-r", str(requirements))
        except AssertionError as error:
            return error
        return {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"] for item in installs}

    with concurrent.futures.ThreadPoolExecutor(len(PYTHONS)) as pool:
        return dict(zip(PYTHONS, pool.map(resolve, PYTHONS)))


@pytest.mark.xdist_group("pypi")  # one worker asks for all three at once (_pypi_resolutions)
@pytest.mark.parametrize("python", PYTHONS)
def test_the_cpu_lock_resolves_from_pypi_but_its_cpu_builds(python, tmp_path_factory):
    if (reason := _silent(f"{PYPI}/pip/")) is not None:
        pytest.skip(f"PyPI ({PYPI}) does not answer ({reason}): requirements.lock's PyPI pins are not checked")
    taken = _pypi_resolutions(tmp_path_factory.getbasetemp() / "pypi-dry-runs")[python]
    if isinstance(taken, AssertionError):
        raise taken
    wanted = _cpu_lock_wanted()
    unpinned = {name: version for name, version in taken.items() if name not in wanted}
    assert not unpinned, f"Python {PYTHONS[python]}: the install takes packages the lock does not pin: {unpinned}"
    assert taken == wanted


@pytest.mark.parametrize("python", PYTHONS)
def test_the_cpu_builds_are_on_pytorchs_index_and_the_lock_has_what_they_require(python, tmp_path):
    pins = _setup_pins()
    local = [f"{name}=={version}" for name, version in pins.items() if "+" in version]
    if (reason := _silent(f"{TORCH_CPU_INDEX}/torch/")) is not None:
        pytest.skip(f"PyTorch's CPU index ({TORCH_CPU_INDEX}) does not answer ({reason}): "
                    f"{', '.join(local)} not checked (the rest of requirements.lock is, against PyPI)")
    for item in _dry_run(tmp_path, python, TORCH_CPU_INDEX, "--no-deps", *local):
        wanted_by = f"{item['metadata']['name']}=={item['metadata']['version']}"
        problems = _unmet(item["metadata"].get("requires_dist", []), pins, python, wanted_by)
        assert not problems, f"Python {PYTHONS[python]}:\n" + "\n".join(problems)
