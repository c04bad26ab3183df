"""Launch overhead: what one tiny operation costs when the arithmetic is next to nothing.

The runner measures a chain of `ops` additions on `n` floats (8 floats: 32 bytes). Eager mode
runs one kernel per addition, so the time per call divided by `ops` is the fixed cost of one
eager operation on that device: Python, the framework's dispatcher and, on a GPU, a kernel launch.
torch.compile and jax.jit turn the chain into one compiled call. The sections count the
operations of a small training step (the MLP of mlp_step.py) and show where JAX's eager step
spends its time. Run it: python snippets/execution/launch_overhead.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["eager", "compile"], "jax": ["eager", "jit"]},
    "sizes": {"quick": {"n": 8, "ops": 4}, "full": {"n": 8, "ops": 10}},
    "baseline": "eager",
}

# --8<-- [start:count_ops]
import torch
from torch.profiler import ProfilerActivity, profile

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))


def step(forward):
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(forward(x), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


for name, forward in [
    ("eager", model),
    ("torch.compile", torch.compile(model)),
]:
    for _ in range(3):
        step(forward)  # warm-up (the first call compiles)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step(forward)
    events = prof.events()
    # an ATen operator that calls no other ATen operator does the work itself:
    # on a GPU, a kernel
    leaves = [
        e
        for e in events
        if e.name.startswith("aten::")
        and not any(c.name.startswith("aten::") for c in e.cpu_children)
    ]
    wrappers = sorted(
        {
            e.name.split(":")[0]
            for e in events
            if not e.name.startswith(("##", "autograd"))
            and (
                "Compiled" in e.name
                or "Dynamo" in e.name
                or "AOTDispatcher" in e.name
            )
        }
    )
    print(
        f"{name:13} {len(leaves):3} ATen operators per step; "
        f"compiler wrappers: {', '.join(wrappers) or 'none'}"
    )
# --8<-- [end:count_ops]

# --8<-- [start:jax_eager]
import time

import jax
import jax.numpy as jnp


def loss_fn(params, x, y):
    logits = (
        jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"]
        + params["b2"]
    )
    return -jnp.mean(
        jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1)
    )


def step(params, x, y, lr=0.1):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss


k1, k2, kx, ky = jax.random.split(jax.random.key(0), 4)
params = {
    "w1": jax.random.normal(k1, (784, 128)) * 784**-0.5,
    "b1": jnp.zeros(128),
    "w2": jax.random.normal(k2, (128, 10)) * 128**-0.5,
    "b2": jnp.zeros(10),
}
x, y = jax.random.normal(kx, (128, 784)), jax.random.randint(ky, (128,), 0, 10)

jaxpr = jax.make_jaxpr(step)(params, x, y)
print("primitives in one step (each one an eager dispatch):", len(jaxpr.eqns))


def best_of(fn, repeats=20):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return min(times)


eager = best_of(lambda: step(params, x, y))
jitted = jax.jit(step)
jitted(params, x, y)  # compile once
compiled = best_of(lambda: jitted(params, x, y))
print(
    f"eager step {eager * 1e3:.2f} ms"
    f" = {eager / len(jaxpr.eqns) * 1e6:.0f} µs per primitive;"
    f" jitted step {compiled * 1e3:.3f} ms for all of them"
)
# --8<-- [end:jax_eager]

# --8<-- [start:cuda_graph]
import torch

if torch.cuda.is_available():
    x = torch.zeros(8, device="cuda")

    def chain(x):  # ten tiny kernels
        for _ in range(10):
            x = x + 1.0
        return x

    # warm up on a side stream before capturing, as the PyTorch docs ask
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        chain(x)
    torch.cuda.current_stream().wait_stream(side)

    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):  # record the ten launches once ...
        out = chain(x)
    x.fill_(1.0)  # new data goes into the same memory the graph reads
    graph.replay()  # ... and replay them with one launch
    torch.cuda.synchronize()
    print("replayed:", out[:3].tolist())
else:
    print(
        "no CUDA device here: CUDA graphs need one"
        " (torch.cuda.is_available() is False)"
    )
# --8<-- [end:cuda_graph]

# --8<-- [start:solution]
import torch
from torch.utils._python_dispatch import TorchDispatchMode


class CountOps(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.append(func.__name__.split(".")[0])
        return func(*args, **(kwargs or {}))


def forward(x, w1, w2, w3):
    return torch.relu(torch.relu(x @ w1) @ w2) @ w3


torch.manual_seed(0)
x = torch.randn(8, 16)
weights = [torch.randn(16, 16), torch.randn(16, 16), torch.randn(16, 4)]
prediction = 3 + 2  # three matmuls and two ReLUs
with CountOps() as counter:
    forward(x, *weights)
print("predicted", prediction, "| measured", len(counter.ops), counter.ops)
assert len(counter.ops) == prediction
# --8<-- [end:solution]


def build(framework, mode, device, n, ops):
    """`ops` additions on n floats, one after another; returns the last result."""
    import numpy as np

    x_np = np.zeros(n, dtype="float32")
    if framework == "torch":
        import torch

        def chain_t(x):
            for _ in range(ops):
                x = x + 1.0
            return x

        xt = torch.from_numpy(x_np).to(device)
        fn = torch.compile(chain_t) if mode == "compile" else chain_t
        return lambda: fn(xt)
    if framework == "jax":
        import jax

        def chain_j(x):
            for _ in range(ops):
                x = x + 1.0
            return x

        xj = jax.device_put(x_np, jax.devices(device)[0])
        fn = jax.jit(chain_j) if mode == "jit" else chain_j
        return lambda: fn(xj)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np

    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = np.asarray(build(fw, mode, "cpu", **size)())
            print(f"{fw:6} {mode:8} {size['ops']} additions of 1 to zeros: {out[:3]}")
            assert np.array_equal(out, np.full(size["n"], float(size["ops"]), dtype="float32"))
