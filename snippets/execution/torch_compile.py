"""torch.compile: Dynamo captures the graph, Inductor generates code; guards and recompilation, dynamic
shapes, graph breaks and how to see them, AOTAutograd's backward graph, torch.cond.

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

# --8<-- [start:guards]
import torch
import torch._dynamo


def f(x, n):
    return torch.sin(x) * n


report = torch._dynamo.explain(f)(torch.ones(3), 2)
# the guards on the arguments, checked before each call reuses the graph
for guard in report.out_guards:
    if guard.name.startswith("L["):  # L[...]: a local name, here an argument
        kind = guard.create_fn_name()
        # TENSOR_MATCH is checked in C++: dtype, device, shape, strides, ...
        code = [] if kind == "TENSOR_MATCH" else guard.code_list or []
        print(guard.name, kind, *code)
# --8<-- [end:guards]

# --8<-- [start:recompile]
import torch

# log why a guard failed (the same as TORCH_LOGS="recompiles"; to stderr)
torch._logging.set_logs(recompiles=True)
graphs = []


def counting_backend(gm, example_inputs):
    # called once per new graph; runs the captured graph as it is
    graphs.append([getattr(t, "shape", t) for t in example_inputs])
    return gm.forward


@torch.compile(backend=counting_backend)
def f(x):
    return torch.sin(x) * 2


for x in [torch.ones(3), torch.ones(3), torch.ones(4), torch.ones(5),
          torch.ones(5, dtype=torch.float64)]:
    f(x)
    print(f"{x.dtype}, shape {tuple(x.shape)}: {len(graphs)} graph(s)")
print("inputs each graph was compiled for:", graphs)
torch._logging.set_logs()  # back to the default logging
# --8<-- [end:recompile]

# --8<-- [start:dynamic]
import torch

n_graphs = 0


def counting_backend(gm, example_inputs):
    global n_graphs
    n_graphs += 1
    return gm.forward


# dynamic=True: compile for a symbolic size from the start
@torch.compile(backend=counting_backend, dynamic=True)
def f(x):
    return torch.sin(x) * 2


for n in (3, 4, 5, 6):
    f(torch.ones(n))
print("four shapes, dynamic=True:", n_graphs, "graph")
# --8<-- [end:dynamic]

# --8<-- [start:recompile_limit]
import torch
import torch._dynamo

runs = []  # one entry per compiled graph: how often it has run


def counting_backend(gm, example_inputs):
    runs.append(0)
    index = len(runs) - 1

    def run(*args):
        runs[index] += 1
        return gm.forward(*args)

    return run


@torch.compile(backend=counting_backend)
def total(x):
    return torch.sin(x).sum()


# a limit of 2 (the default is 8), only inside this block
with torch._dynamo.config.patch(recompile_limit=2):
    for rank in (1, 2, 3, 4, 1):  # a new number of dimensions, then rank 1
        x = torch.ones([2] * rank)
        y = total(x)
        print(f"x{tuple(x.shape)}: sum {y.item():.3f}, runs per graph: {runs}")
# --8<-- [end:recompile_limit]

# --8<-- [start:aot_autograd]
import torch
from torch._dynamo.backends.common import aot_autograd
from torch._functorch.aot_autograd import make_boxed_func


def show(name):
    def compiler(gm, example_inputs):
        ops = [str(node.target).split(".")[-2]  # aten.mm.default -> mm
               for node in gm.graph.nodes if node.op == "call_function"]
        print(f"{name} graph: {ops}")
        return make_boxed_func(gm.forward)  # run it as it is

    return compiler


backend = aot_autograd(fw_compiler=show("forward"),
                       bw_compiler=show("backward"))


@torch.compile(backend=backend)
def loss_fn(w, x):
    return torch.tanh(x @ w).sum()


w = torch.ones(3, 2, requires_grad=True)
loss = loss_fn(w, torch.ones(4, 3))
print("forward ran, loss =", loss.item())
loss.backward()
print("backward ran, w.grad has shape", tuple(w.grad.shape))
# --8<-- [end:aot_autograd]

# --8<-- [start:cond]
import torch
import torch._dynamo


def f(x):
    # both branches become subgraphs; the data picks one when it runs
    return torch.cond(x.sum() > 0, lambda x: x * 2, lambda x: -x, (x,))


report = torch._dynamo.explain(f)(torch.ones(2))
print("graphs:", report.graph_count, "| breaks:", report.graph_break_count)
compiled = torch.compile(f, fullgraph=True, backend="eager")
print(compiled(torch.ones(2)), compiled(-torch.ones(2)))
# --8<-- [end:cond]

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
