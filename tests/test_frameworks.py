"""Snippets without a framework, builds on the right device, and the one table of framework facts.

A reader may lack torch, TensorFlow, JAX or numba (sitecustomize in tests/hidden_framework sets
sys.modules[name] = None in the child). With all of them hidden, every snippet still runs as a
script and says which sections it skipped and why; every measured build of each framework runs
with all the others hidden; and the runner measures the frameworks that are there. The drives run many snippets in one sandboxed process
(tests/hidden_framework/drive.py) so the framework imports are paid once per framework.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from ramverk import sections
from ramverk.checks import code_blocks
from ramverk.contract import frameworks, snippet_spec
from ramverk.executor import sandbox

ROOT = Path(__file__).resolve().parents[1]
HIDER = ROOT / "tests" / "hidden_framework"
SNIPPETS = sorted(p for p in (ROOT / "snippets").rglob("*.py") if not p.name.startswith("_"))
HIDDEN = ["torch", "tensorflow", "jax", "numba"]


def _drive(hide: str, *args: str, timeout: float = 900) -> list[dict]:
    cache_env, writable = code_blocks.compile_cache()  # torch.compile's C++ built once for all test runs
    env = {"RAMVERK_HIDE": hide, "RAMVERK_QUICK": "1", **cache_env,
           "PYTHONPATH": os.pathsep.join([str(HIDER), str(ROOT / "scripts")])}
    proc = sandbox.run([sys.executable, str(HIDER / "drive.py"), *args], ROOT, timeout=timeout, env=env,
                       writable=writable)
    cases = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{"case"')]
    assert cases, f"the drive reported nothing:\n{proc.stderr[-3000:]}"
    return cases


def _check_scripts(cases: list[dict], hidden: list[str], using: list[Path]) -> None:
    failed = [f"{c['case']}: {c['error']}" for c in cases if not c["ok"]]
    assert not failed, f"with {', '.join(hidden)} hidden:\n" + "\n".join(failed)
    assert len(cases) == len(using)
    modules = {m for key in hidden for m in frameworks.get(key).modules}
    for case in cases:  # every snippet that has a section of its own needing one says so, naming it
        needing = [c for c in sections.chunks(Path(case["case"])) if c.section and c.needs & modules]
        reasons = "\n".join(case["skipped"])
        for chunk in needing:
            assert f"section {chunk.section!r}" in reasons, (case["case"], case["skipped"])
            assert any(m in reasons for m in chunk.needs & modules), (case["case"], chunk.section, reasons)


@pytest.mark.slow
def test_every_snippet_runs_as_a_script_with_no_framework_at_all():
    """All four hidden at once: every framework section is skipped with a reason, the rest runs."""
    cases = _drive(",".join(HIDDEN), "main", *map(str, SNIPPETS))
    _check_scripts(cases, HIDDEN, SNIPPETS)
    print(f"\nnone of {', '.join(HIDDEN)}: {len(cases)} snippets ran, "
          f"{sum(len(c['skipped']) for c in cases)} sections or self-checks skipped with a reason")


def _measured(framework: str) -> list[Path]:
    return [p for p in SNIPPETS if (b := snippet_spec.load(p, ROOT).benchmark) and framework in b.frameworks]


# One drive per framework, with every other framework that a reader may lack hidden: each measured
# build runs once, and must run with none of the others there. numpy and python are never missing.
ALONE = {key: [h for h in HIDDEN if h != key] for key in HIDDEN} | {"numpy,python": HIDDEN}


@functools.cache
def _builds(alone: str) -> list[dict]:
    """The CPU builds of `alone`'s framework(s) in every measured snippet, the others hidden."""
    keys = alone.split(",")
    using = sorted({p for key in keys for p in _measured(key)})
    assert using, f"no measured snippet measures {alone}: the test is looking at the wrong thing"
    return [c for c in _drive(",".join(ALONE[alone]), "build", "cpu", *map(str, using))
            if c["case"].rsplit(":", 1)[1].split("/")[0] in keys or not c["ok"]]


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("alone", [pytest.param(a, marks=pytest.mark.xdist_group("jax_alone")) if a == "jax"
                                   else a for a in ALONE])
def test_every_build_runs_with_the_other_frameworks_missing(alone):
    """What the runner's workers do: load each measured snippet for one framework and build every mode,
    here with every other framework hidden."""
    cases = _builds(alone)
    failed = [f"{c['case']}: {c['error']}" for c in cases if not c["ok"]]
    assert not failed, f"with {', '.join(ALONE[alone])} hidden:\n" + "\n".join(failed)
    keys = alone.split(",")
    wanted = {(str(p), key) for key in keys for p in _measured(key)}
    built = {tuple(c["case"].rsplit("/", 1)[0].rsplit(":", 1)) for c in cases}
    assert wanted <= built, f"groups not built: {sorted(wanted - built)}"
    print(f"\n{alone} alone: {len(cases)} builds ran")


def test_torch_builds_put_everything_on_the_device():
    """On device="meta", a CPU tensor left in a build fails or yields a CPU output (as cuda would)."""
    # a CPU-only snippet (int8_dynamic: quantised operators have no other kernels) never meets a GPU
    measured = [p for p in _measured("torch") if snippet_spec.load(p, ROOT).benchmark.devices != ["cpu"]]
    cases = _drive("", "build", "meta", *map(str, measured))
    failed = [f"{c['case']}: {c['error']}" for c in cases if not c["ok"]]
    assert not failed, "\n".join(failed)
    wrong = [f"{c['case']}: output on {c['devices']}" for c in cases if c["devices"] != ["meta"]]
    assert not wrong, "\n".join(wrong)
    expected = sum(len(snippet_spec.load(p, ROOT).benchmark.modes["torch"]) for p in measured)
    assert len(cases) == expected
    print(f"\n{len(cases)} torch builds ran on the meta device")


@pytest.mark.xdist_group("jax_alone")
def test_jax_builds_commit_their_arrays_to_the_device():
    """JAX's default device is made cpu:2, the last of three host devices; every build must still compute
    on jax.devices('cpu')[0], and one that shards, on the devices from there on, never on the default."""
    measured = _measured("jax")
    cases = [c for c in _builds("jax") if ":jax" in c["case"]]
    failed = [f"{c['case']}: {c['error']}" for c in cases if not c["ok"]]
    assert not failed, "\n".join(failed)
    wrong = [f"{c['case']}: output on {c['devices']}" for c in cases
             if c["devices"] not in (["cpu:0"], ["cpu:0", "cpu:1"])]
    assert not wrong, "\n".join(wrong)
    assert len(cases) == sum(len(snippet_spec.load(p, ROOT).benchmark.modes["jax"]) for p in measured)


@pytest.mark.slow
@pytest.mark.timeout(600)
# matmul_gflops measures NumPy, PyTorch, TensorFlow and JAX with nothing to compile: the cheapest
# snippet in which three frameworks remain when one is missing.
@pytest.mark.parametrize("hidden, only", [("torch", "matmul_gflops"), ("tensorflow", "matmul_gflops"),
                                          ("jax", "matmul_gflops"), ("numba", "numba_loop")])
def test_the_runner_measures_what_is_installed_and_skips_the_rest(hidden, only, tmp_path):
    env = {**os.environ, "RAMVERK_HIDE": hidden,
           "PYTHONPATH": os.pathsep.join([str(HIDER), str(ROOT / "scripts")])}
    proc = subprocess.run([sys.executable, "-m", "ramverk", "run", "--quick", "--only", only, "--device", "cpu",
                           "--results-dir", str(tmp_path), "--machine", "hidden"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "skipped snippets/" in proc.stdout and f"{hidden}/cpu" in proc.stdout, proc.stdout[-3000:]
    saved = json.loads((tmp_path / "hidden.json").read_text())
    measured = {r["case"]["framework"] for r in saved["records"]}
    spec = snippet_spec.load(next(p for p in SNIPPETS if p.stem == only), ROOT).benchmark
    assert measured == set(spec.frameworks) - {hidden}


# --- the section rules, on small files ---

def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "snip.py"
    path.write_text(text)
    return path


def test_lint_finds_a_section_that_borrows_from_another_and_shared_code_importing_a_framework(tmp_path):
    path = _write(tmp_path, '''"""Doc."""
import torch

# --8<-- [start:a]
import math
half = math.pi / 2
# --8<-- [end:a]

# --8<-- [start:b]
print(half)
# --8<-- [end:b]
''')
    problems = sections.lint(path)
    assert any(":2: code outside sections imports torch" in p for p in problems), problems
    assert any(":10: section 'b' uses half defined elsewhere" in p for p in problems), problems


def test_a_missing_package_skips_its_section_and_the_self_check_that_needs_it(tmp_path):
    path = _write(tmp_path, '''"""Doc."""
# --8<-- [start:fine]
import math
print("fine", math.tau)
# --8<-- [end:fine]

# --8<-- [start:absent]
import not_installed_anywhere_xyz
value = 1
# --8<-- [end:absent]

if __name__ == "__main__":
    print(value)
''')
    namespace = {"__name__": "__main__"}
    skipped = sections.execute(path, namespace)
    lines = [s.line() for s in skipped]
    assert lines[0] == ("skipped section 'absent': needs not_installed_anywhere_xyz, "
                        "which cannot be imported here")
    assert lines[1].startswith("skipped the self-check: uses value, which needs skipped section(s) 'absent'")
    assert "math" in namespace


def test_a_failing_section_is_an_error_with_its_real_line_number(tmp_path):
    path = _write(tmp_path, '"""Doc."""\n# --8<-- [start:a]\nx = 1\nraise ValueError("boom")\n# --8<-- [end:a]\n')
    with pytest.raises(ValueError) as caught:
        sections.execute(path, {"__name__": "__main__"})
    assert caught.traceback[-1].lineno + 1 == 4


def test_every_snippet_follows_the_section_rules():
    problems = [line for p in SNIPPETS for line in sections.lint(p, ROOT)]
    assert not problems, "\n".join(problems)


# --- the table ---

def test_every_framework_entry_is_complete():
    for key, fw in frameworks.FRAMEWORKS.items():
        assert fw.key == key and fw.name and fw.distributions and fw.devices <= {"cpu", "cuda", "mps"}
        assert "cpu" in fw.devices and fw.startup_s > 0 and fw.modes and fw.docs[1].startswith("https://")
        assert callable(fw.sync) and callable(fw.sees) and callable(fw.cuda_build)
        if "cuda" in fw.devices:
            assert "RAMVERK_ACCELERATOR=cuda" in fw.cuda_install


def test_cpu_only_builds_are_named_with_the_install_that_fixes_them(monkeypatch):
    versions = {"torch": "2.13.0+cpu", "tensorflow-cpu": "2.21.0", "jax": "0.10.2", "jaxlib": "0.10.2"}
    monkeypatch.setattr(frameworks, "_version", versions.get)
    monkeypatch.setattr(frameworks, "_installed", lambda: ["jax", "jaxlib", "tensorflow-cpu", "torch"])
    lines = frameworks.cuda_problems()
    assert any(line.startswith("torch 2.13.0+cpu is a CPU-only build") and "torch's CUDA wheel" in line
               for line in lines), lines
    assert any(line.startswith("tensorflow-cpu 2.21.0 is a CPU-only build") for line in lines), lines
    assert any(line.startswith("jax 0.10.2 has no CUDA plugin") and "jax[cuda13]" in line for line in lines), lines
    monkeypatch.setattr(frameworks, "_installed", lambda: ["jax", "jax-cuda13-plugin", "jaxlib", "torch"])
    monkeypatch.setattr(frameworks, "_version", {"torch": "2.11.0", "jax": "0.11.2", "jaxlib": "0.11.2"}.get)
    assert frameworks.cuda_problems() == []


def test_run_warns_when_a_gpu_is_here_but_the_builds_cannot_use_it(tmp_path):
    fake = tmp_path / "bin" / "nvidia-smi"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\ncase "$1" in\n  -L) echo "GPU 0: NVIDIA H200 (UUID: GPU-0)";;\n'
                    '  *) echo "580.159.04, 143771, 9.0";;\nesac\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([sys.executable, "-m", "ramverk", "run", "--dry-run", "--device", "cuda", "--only",
                           "matmul_gflops", "--results-dir", str(tmp_path / "res")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "warning: a CUDA GPU is here, but torch" in out and "CPU-only build" in out, out
    assert "RAMVERK_ACCELERATOR=cuda ./scripts/setup.sh" in out
    assert re.search(r"machine '[a-z0-9-]+-nvidia-h200'", out), "the stem names the CPU and GPU, no thread count"
    assert f"cuda workers {len(os.sched_getaffinity(0))} host thread(s)" in out, out
