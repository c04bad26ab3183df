"""A custom operator with torch.library that torch.compile can trace: a SciPy median filter (PyTorch has
none) inside a compiled function, as plain Python (graph breaks), as a custom operator without a fake
implementation (compiling fails) and with one (one graph, the operator a single node in it).

The blocks compile with backend="aot_eager": Dynamo and AOTAutograd trace as with the default backend,
but no C++ is compiled, so each block runs in seconds; graph breaks are Dynamo's and the same either way.
Nothing here is measured: the point is what the compiler sees, not speed.
Run it: .venv/bin/python snippets/execution/custom_op.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

# --8<-- [start:graph_break]
import torch
from scipy import ndimage


def smooth(x):
    y = torch.sin(x)
    # SciPy's median filter: code that Dynamo cannot put in a graph
    y = torch.from_numpy(ndimage.median_filter(y.numpy(), size=3))
    return torch.relu(y) * 2


explanation = torch._dynamo.explain(smooth)(torch.linspace(-1.0, 1.0, 8))
print("graphs:", explanation.graph_count,
      "| graph breaks:", explanation.graph_break_count)
reasons = {r.reason.splitlines()[0] for r in explanation.break_reasons}
for reason in sorted(reasons):
    print("  because:", reason)
# --8<-- [end:graph_break]

# --8<-- [start:custom_op]
import re

import torch
from scipy import ndimage


# an operator of our own, in the namespace "ramverk"; the types make its schema
@torch.library.custom_op("ramverk::median3", mutates_args=())
def median3(x: torch.Tensor) -> torch.Tensor:
    filtered = ndimage.median_filter(x.numpy(force=True), size=3)
    return torch.from_numpy(filtered).to(x.device)


def smooth(x):
    return torch.relu(median3(torch.sin(x))) * 2


x = torch.linspace(-1.0, 1.0, 8)
try:  # fullgraph=True: fail rather than break the graph
    torch.compile(smooth, backend="aot_eager", fullgraph=True)(x)
except Exception as e:
    print("without a fake:", type(e).__name__)
    print("  ", re.search(r"There was no fake impl[^.]*\.", str(e)).group())


@median3.register_fake  # shape and dtype of the result, computed without data
def _(x):
    return torch.empty_like(x)


torch._dynamo.reset()  # forget the failed attempt
explanation = torch._dynamo.explain(smooth)(x)
print("with a fake: graphs:", explanation.graph_count,
      "| graph breaks:", explanation.graph_break_count)
print(explanation.graphs[0].code.strip())
compiled = torch.compile(smooth, backend="aot_eager", fullgraph=True)
assert torch.equal(compiled(x), smooth(x))
torch.library.opcheck(median3, (torch.randn(16),))  # PyTorch's own tests
print("compiled equals eager; opcheck passed")
# --8<-- [end:custom_op]
