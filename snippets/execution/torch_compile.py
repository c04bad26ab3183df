"""torch.compile: Dynamo captures the graph, Inductor generates code; graph breaks and how to see them.

The measured comparisons (compile time, MLP step, elementwise chain) live in mlp_step.py and
fusion.py; this file holds the demonstrations. Run it: python snippets/execution/torch_compile.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:inductor_code]
import re

import torch
from torch._inductor.utils import run_and_get_code


def chain(x):
    return torch.tanh(x * 2.0 + 1.0) * 0.5  # four elementwise operations


# nothing happens yet: compilation waits for the first call
compiled = torch.compile(chain)
out, sources = run_and_get_code(compiled, torch.ones(1000))
code = sources[0]
print(
    "kernels Inductor generated:",
    sorted(set(re.findall(r"cpp_fused_\w+", code))),
)
body = [
    line.strip()
    for line in code.splitlines()
    if re.search(r"loadu|\.tanh\(\)|\.store\(", line)
]
print("\n".join(body[:3]))  # one load, the arithmetic in registers, one store
print("same result as eager:", torch.allclose(out, chain(torch.ones(1000))))
# --8<-- [end:inductor_code]

# --8<-- [start:explain]
import torch
import torch._dynamo


def f(x):
    y = torch.sin(x) + 1
    # depends on data: Dynamo cannot put a Python branch on a value in one graph
    if y.sum() > 0:
        y = y * 2
    print("a print in the middle")  # a Python side effect: another break
    return torch.cos(y)


report = torch._dynamo.explain(f)(torch.ones(4))
print(
    "graphs:", report.graph_count, "| graph breaks:", report.graph_break_count
)
for reason in report.break_reasons:
    print(" -", reason.reason.strip().splitlines()[0][:100])
# --8<-- [end:explain]

# --8<-- [start:fullgraph]
import torch


def f(x):
    y = torch.sin(x) + 1
    if y.sum() > 0:
        y = y * 2
    return torch.cos(y)


try:
    # a break becomes an error
    torch.compile(f, fullgraph=True, backend="eager")(torch.ones(4))
except Exception as e:
    print(type(e).__name__ + ":", str(e).strip().splitlines()[0])
# --8<-- [end:fullgraph]

# --8<-- [start:no_break]
import torch
import torch._dynamo


def f(x):
    y = torch.sin(x) + 1
    # the branch as a tensor operation: stays in the graph
    y = torch.where(y.sum() > 0, y * 2, y)
    return torch.cos(y)


report = torch._dynamo.explain(f)(torch.ones(4))
print(
    "graphs:", report.graph_count, "| graph breaks:", report.graph_break_count
)
# --8<-- [end:no_break]

# --8<-- [start:backends]
import torch
import torch._dynamo

print("compiler backends:", torch._dynamo.list_backends())
print("CUDA available:", torch.cuda.is_available())
print("MPS available:", torch.backends.mps.is_available())
print("this build:", torch.__version__)
# --8<-- [end:backends]

if __name__ == "__main__":
    print("torch_compile: all demonstrations ran")
