"""scripts/gpu-wheels.sh and scripts/gpu-run.sh, as far as a CPU allows.

gpu-wheels.sh downloads, where there is internet, the wheels that gpu-run.sh installs on a GPU machine
that reaches no registry; gpu-run.sh then runs `ramverk run --device cuda`. Here a throwaway checkout
holds copies of both, a faked `nvidia-smi` on PATH lists one H200, and gpu-run.sh makes its plan with
--dry-run. The wheels come from a local folder (pip's own PIP_NO_INDEX/PIP_FIND_LINKS); the last test
downloads the real ones for a Python that has none of them installed, and is skipped where PyPI does
not answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import helpers
import pytest

FAKE_NVIDIA_SMI = """#!/bin/sh
case "$1" in
  -L) echo "GPU 0: NVIDIA H200 (UUID: GPU-00000000-0000-0000-0000-000000000000)" ;;
  --query-gpu=*) echo "580.159.04, 143771, 9.0" ;;
esac
"""
COMPILED = {"pydantic_core", "PyYAML"}  # the two with a wheel per Python and platform


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _packages() -> list[str]:
    """The distributions gpu-wheels.sh downloads (its PACKAGES array)."""
    text = (helpers.ROOT / "scripts" / "gpu-wheels.sh").read_text(encoding="utf-8")
    return re.search(r"^PACKAGES=\(([^)]*)\)", text, re.M)[1].split()


def _locked() -> dict[str, str]:
    pins = {}
    for line in (helpers.ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split(";")[0].strip().split("==", 1)
            pins[_norm(name)] = version
    return pins


def _wheel(folder: Path, name: str, version: str, tag: str = "py3-none-any", module: str | None = None) -> Path:
    """A minimal valid wheel (METADATA, WHEEL, RECORD), holding `module` if given."""
    stem = f"{re.sub(r'[-.]+', '_', name)}-{version}"
    info = f"{stem}.dist-info"
    files = {f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n"}
    if module:
        files[f"{module}.py"] = "PROBE = True\n"
    files[f"{info}/RECORD"] = "".join(f"{n},,\n" for n in files) + f"{info}/RECORD,,\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the tooling, the snippets and both scripts, with a faked nvidia-smi in tmp_path/bin."""
    root = helpers.checkout(tmp_path / "repo", "snippets", "scripts/ramverk", "scripts/gpu-run.sh",
                            "scripts/gpu-wheels.sh", "requirements.lock")
    fake = tmp_path / "bin" / "nvidia-smi"
    fake.parent.mkdir()
    fake.write_text(FAKE_NVIDIA_SMI)
    fake.chmod(0o755)
    return root


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "RAMVERK_", "PYTHON"))}
    env.update(PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", PIP_CONFIG_FILE=os.devnull, **extra)
    return env


def _script(root: Path, name: str, *args: str, env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(root / "scripts" / name), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=root)


def test_gpu_wheels_fetches_the_locked_versions_for_the_gpu_machines_python(checkout, tmp_path):
    index = tmp_path / "index"
    pins = _locked()
    for name in _packages():
        tag = "cp312-cp312-manylinux2014_x86_64" if name in COMPILED else "py3-none-any"
        _wheel(index, name, pins[_norm(name)], tag)
    _wheel(index, "pydantic_core", pins["pydantic-core"], "cp311-cp311-manylinux2014_x86_64")  # another Python's
    out = tmp_path / "wheels"
    proc = _script(checkout, "gpu-wheels.sh", out, env=_env(tmp_path, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(index),
                                                           PYTHON=sys.executable))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = sorted(p.name for p in out.iterdir())
    assert len(got) == len(_packages()) and not any("cp311" in name for name in got), got
    assert f"pydantic_core-{pins['pydantic-core']}-cp312-cp312-manylinux2014_x86_64.whl" in got
    assert f"pydantic-{pins['pydantic']}-py3-none-any.whl" in got and "gpu-wheels: done" in proc.stdout


def test_gpu_wheels_names_a_package_the_lock_does_not_pin(checkout, tmp_path):
    lock = checkout / "requirements.lock"
    lines = lock.read_text().splitlines(keepends=True)
    lock.write_text("".join(line for line in lines if not line.startswith("rich==")))
    proc = _script(checkout, "gpu-wheels.sh", tmp_path / "wheels", env=_env(tmp_path, PYTHON=sys.executable))
    assert proc.returncode != 0 and "pins no version of rich" in proc.stderr, proc.stdout + proc.stderr


def test_the_wheels_cover_what_ramverk_run_imports(tmp_path):
    """Every package `ramverk run` (planning, and a worker) imports, besides the frameworks, is downloaded."""
    argv = ["run", "--dry-run", "--device", "cpu", "--only", "matmul_gflops", "--results-dir", str(tmp_path)]
    code = (f"import sys\nfrom ramverk.cli import main\nimport ramverk.measure.worker\nmain({argv!r})\n"
            "print('MODULES', *sorted({m.split('.')[0] for m in sys.modules}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=helpers.ROOT,
                          env={**os.environ, "PYTHONPATH": str(helpers.ROOT / "scripts")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = proc.stdout.split("MODULES", 1)[1].split()
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    needed = {_norm(owners[m][0]) for m in modules
              if m in owners and not m.startswith("_") and m != "ramverk" and m not in sys.stdlib_module_names}
    assert needed, "no package found: the check would pass on anything"
    assert needed <= {_norm(name) for name in _packages()}, needed - {_norm(name) for name in _packages()}


def test_gpu_run_installs_the_wheels_and_plans_the_cuda_matrix(checkout, tmp_path):
    wheels = tmp_path / "wheels"
    _wheel(wheels, "ramverk-probe", "1.0", module="ramverk_probe")  # the real ones are on sys.executable's path
    machine = _machine("NVIDIA H200")  # the runner's name for this CPU with the faked GPU
    # The committed H200 records, under this CPU's identity: the runner refuses a file of another core design.
    from ramverk.measure import devices
    from ramverk.results import results_store

    records = results_store.load(helpers.ROOT / "results" / "intel-r-xeon-r-processor-nvidia-h200.json").records
    results_store.save(checkout / "results" / f"{machine}.json",
                       results_store.ResultsFile(machine=devices.machine(machine), records=records))
    committed = checkout / "results" / f"{machine}.json"
    out = tmp_path / "out"
    proc = _script(checkout, "gpu-run.sh", wheels, out, "--dry-run", "--only", "matmul_gflops",
                   env=_env(tmp_path, PYTHON=sys.executable))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (checkout / ".gpu-packages" / "ramverk_probe.py").is_file()  # installed with pip --target
    assert "devices: cuda (NVIDIA H200)" in proc.stdout
    assert re.search(r"plan: 4 group\(s\): \d+ to run, \d+ up to date, \d+ skipped; estimated \d+ s", proc.stdout)
    assert re.search(r"matmul_gflops\.py\s*│ torch\s*│ cuda\s*│ eager\s*│ run", proc.stdout), proc.stdout
    assert (out / f"{machine}.json").read_bytes() == committed.read_bytes()  # a dry run adds nothing to it
    assert "devices: cuda (NVIDIA H200)" in (out / "gpu-run.log").read_text()


def test_gpu_run_without_wheels_says_how_to_get_them(checkout, tmp_path):
    (tmp_path / "empty").mkdir()
    proc = _script(checkout, "gpu-run.sh", tmp_path / "empty", tmp_path / "out", env=_env(tmp_path))
    assert proc.returncode == 2 and "scripts/gpu-wheels.sh" in proc.stderr


def _machine(gpu: str) -> str:
    from ramverk.measure import devices

    return devices.slug(f"{devices.cpu_model()} {gpu}")


def _bare_python() -> str | None:
    """A Python with pip but without pydantic and rich: what the GPU machine looks like to the scripts."""
    for candidate in ("/usr/bin/python3", "/usr/bin/python3.12", "/usr/bin/python3.11"):
        if Path(candidate).exists() and subprocess.run(
                [candidate, "-c", "import pip, sys; import importlib.util as u; "
                                  "sys.exit(any(u.find_spec(m) for m in ('pydantic', 'rich')))"],
                capture_output=True, env={"PATH": "/usr/bin:/bin"}).returncode == 0:
            return candidate
    return None


def test_both_scripts_on_a_python_that_has_none_of_the_packages(checkout, tmp_path):
    bare = _bare_python()
    if bare is None:
        pytest.skip("no system Python with pip and without pydantic and rich to stand in for the GPU machine")
    version = subprocess.run([bare, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
                             capture_output=True, text=True, check=True).stdout.strip()
    wheels = tmp_path / "wheels"
    fetched = _script(checkout, "gpu-wheels.sh", wheels, env=_env(tmp_path, GPU_PYTHON_VERSION=version, PIP_RETRIES="0",
                                                                  PIP_TIMEOUT="15", PYTHON=sys.executable))
    if fetched.returncode != 0:
        pytest.skip(f"the wheels could not be downloaded (PyPI unreachable?): {fetched.stderr.strip()[-300:]}")
    proc = _script(checkout, "gpu-run.sh", wheels, tmp_path / "out", "--dry-run", "--only", "matmul_gflops",
                   env=_env(tmp_path, PYTHON=bare))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"installed {len(_packages())} wheel(s)" in proc.stdout and "devices: cuda (NVIDIA H200)" in proc.stdout
    assert "not a git checkout, so the records' commit will be null" in proc.stdout
    assert "skip: torch is not installed" in proc.stdout  # that Python has no framework: planned, and skipped
