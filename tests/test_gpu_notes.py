"""The GPU notes: Tensor Cores, fusion against memory, launch overhead, host-to-device copies.

What the pages rely on beyond "the snippet runs": the matmul pieces keep the work per call fixed, the
three format snippets differ only in their format, the extra fusion modes compute what the page says
they compute, the page-fault evidence holds on this machine, and every new page ends with an exercise
whose solution asserts its prediction.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from ramverk.contract import snippet_spec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "snippets" / "hardware"))
sys.path.insert(0, str(ROOT / "snippets" / "execution"))
FORMATS = {"tensor_cores": "float32", "tensor_cores_tf32": "tf32", "tensor_cores_bf16": "bfloat16"}
PAGES = ["hardware/tensor-cores", "hardware/host-device-copies", "execution/launch-overhead"]  # the new pages


def _spec(rel: str):
    return snippet_spec.load(ROOT / rel, ROOT).benchmark


def _run(code: str) -> str:
    """Run code in a fresh interpreter (the snippets run their sections at import) and return stdout."""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "RAMVERK_QUICK": "1",
                               "PYTHONPATH": f"{ROOT / 'scripts'}:{ROOT / 'snippets' / 'hardware'}:{ROOT / 'snippets' / 'execution'}"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_the_three_format_snippets_differ_only_in_the_format():
    specs = {name: _spec(f"snippets/hardware/{name}.py") for name in FORMATS}
    for name, dtype in FORMATS.items():
        spec = specs[name]
        assert spec.sizes["full"] == {"n": 4096, "dtype": dtype} and spec.sizes["quick"]["dtype"] == dtype
        assert spec.modes == specs["tensor_cores"].modes and spec.work == {"flops": "2*n**3"}
    assert specs["tensor_cores_tf32"].devices == specs["tensor_cores_bf16"].devices == ["cuda"]
    assert "cpu" in specs["tensor_cores"].devices  # FP32 is measured on the CPU too


def test_every_piece_mode_does_the_same_work():
    import ast

    source = (ROOT / "snippets/hardware/tensor_cores.py").read_text()
    tree = ast.parse(source)
    pieces_src = ast.get_source_segment(source, next(n for n in tree.body if getattr(n, "name", "") == "_pieces"))
    namespace: dict = {}
    exec(pieces_src, namespace)  # noqa: S102 - the snippet's own helper, without importing a framework
    n = _spec("snippets/hardware/tensor_cores.py").sizes["full"]["n"]
    sizes = []
    for mode in _spec("snippets/hardware/tensor_cores.py").modes["torch"]:
        k, count = namespace["_pieces"](mode, n)
        assert count * k**3 == n**3, mode  # the same 2*n**3 FLOPs per call in every mode
        sizes.append(k)
    assert sizes == sorted(sizes) and sizes[-1] == n


# The snippet loaded as the runner's worker loads it, one framework's sections at a time (an import
# would run every section of every framework first).
LOAD = """
from pathlib import Path
from ramverk import sections
def load(name, framework):
    return sections.load(Path(f"snippets/execution/{name}.py").resolve(), f"{name}_{framework}",
                         sections.only_framework(framework))[0]
"""


def test_fusion_extra_modes_compute_what_the_page_says():
    out = _run(LOAD + """
import numpy as np
fusion = load("fusion", "torch")
n = 4096
eager = fusion.build("torch", "eager", "cpu", n)().numpy()
pre = fusion.build("torch", "preallocated", "cpu", n)().numpy()
copy = fusion.build("torch", "copy", "cpu", n)().numpy()
x = np.random.default_rng(0).standard_normal(n).astype("float32")
assert np.array_equal(eager, pre), "preallocated must run the same eight operations"
assert np.array_equal(copy, x), "copy must return the input, unchanged"
jcopy = np.asarray(load("fusion", "jax").build("jax", "copy", "cpu", n)())
assert np.array_equal(jcopy, x)
print("ok")
""")
    assert out.strip().endswith("ok")


def test_eager_faults_in_fresh_pages_and_the_preallocated_chain_does_not():
    out = _run("""
import resource, torch
def faults(): return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
chain = lambda x: torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0
x, buf = torch.randn(2**24), torch.empty(2**24)
def into(): return torch.mul(x, 1.5, out=buf).add_(0.5).tanh_().mul_(2.0).sub_(x).sigmoid_().mul_(3.0).add_(1.0)
chain(x); into()
a = faults(); chain(x); eager = faults() - a
a = faults(); into(); pre = faults() - a
print(eager, pre)
""")
    eager, pre = map(int, out.split()[-2:])
    assert pre < 100, "the preallocated chain should need no fresh pages"
    assert eager > 1000 and eager > 100 * max(pre, 1), (eager, pre)


def test_launch_overhead_builds_add_exactly_ops_times():
    out = _run(LOAD + """
import numpy as np
loaded = {fw: load("launch_overhead", fw) for fw in ("torch", "jax")}
for fw, mode in [("torch", "eager"), ("jax", "eager"), ("jax", "jit")]:
    step = loaded[fw].build(fw, mode, "cpu", n=8, ops=10)
    assert np.array_equal(np.asarray(step()), np.full(8, 10.0, "float32"))
print("ok")
""")
    assert out.strip().endswith("ok")


@pytest.mark.parametrize("page", PAGES)
def test_each_page_ends_with_an_exercise_whose_solution_asserts(page):
    for lang, heading, solution in [("en", "## Try it", '??? success "Solution"'),
                                    ("sv", "## Prova själv", '??? success "Lösning"')]:
        text = (ROOT / "docs" / f"{page}.{lang}.md").read_text()
        assert heading in text and solution in text, (page, lang)
        block = text[text.index(solution):]
        block = block[:block.index("\n## ")]
        include = re.search(r'--8<-- "(snippets/[^"]+\.py):(\w+)"', block)
        if include:  # the solution is a snippet section: it must assert its prediction
            source = (ROOT / include[1]).read_text()
            section = source[source.index(f"[start:{include[2]}]"):source.index(f"[end:{include[2]}]")]
            assert "assert" in section and "prediction" in section, (page, include[0])
        else:
            assert "```python" in block and "assert" in block and "prediction" in block, (page, lang)
