"""torch.export and AOTInductor on the CPU: a model exported to one ATen graph, compiled ahead of time
into a shared library inside a .pt2 package, and run from that package after its Python class is gone.

AOTInductor compiles C++ (tens of seconds on a small machine), so this snippet is shown and run, not
timed by the runner.
Run it: .venv/bin/python snippets/execution/aot_inductor.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

# --8<-- [start:aoti]
import os
import tempfile
import time
import warnings
import zipfile

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.up, self.down = nn.Linear(64, 256), nn.Linear(256, 64)

    def forward(self, x):
        return x + self.down(torch.nn.functional.gelu(self.up(x)))


torch.manual_seed(0)
x = torch.randn(8, 64)
# one graph of ATen operators
exported = torch.export.export(Block().eval(), (x,))
calls = [n for n in exported.graph.nodes if n.op == "call_function"]
print("exported:", [str(n.target) for n in calls])
expected = exported.module()(x)

with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
    # a pytree notice from inside torch
    warnings.simplefilter("ignore", FutureWarning)
    start = time.perf_counter()
    path = torch._inductor.aoti_compile_and_package(
        exported, package_path=os.path.join(folder, "block.pt2")
    )
    print(f"compiled ahead of time in {time.perf_counter() - start:.0f} s")
    names = zipfile.ZipFile(path).namelist()
    # file names carry a hash: keep what comes after it
    kinds = {name.split(".", 1)[1] for name in names
             if name.endswith((".cpp", ".so"))}
    print("the package holds:", sorted(kinds))
    del Block, exported  # the Python class and its graph are gone
    compiled = torch._inductor.aoti_load_package(path)
    out = compiled(x)
print("same output as eager:", torch.allclose(out, expected, atol=1e-6))
# --8<-- [end:aoti]
