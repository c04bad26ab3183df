"""Memory in training: parameters, gradients, optimiser state and activations, counted and then
measured for one model, and activation checkpointing (torch.utils.checkpoint, jax.checkpoint).

The model is a stack of DEPTH transformer-style MLP blocks, x + down(gelu(up(x))), with up
WIDTH -> 4*WIDTH and down 4*WIDTH -> WIDTH. The sections count what a training step keeps and
measure it with PyTorch's profiler (profile_memory=True sees its CPU allocator) and with XLA's
memory_analysis. BENCHMARK times one forward and backward pass without ("plain") and with
("checkpoint") activation checkpointing of every block; in JAX the blocks run under lax.scan,
where jax.checkpoint survives XLA's optimisation (the page shows that it does not in a Python loop).
Run it: .venv/bin/python snippets/hardware/training_memory.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["plain", "checkpoint"], "jax": ["plain", "checkpoint"]},
    "sizes": {"quick": {"batch": 8, "width": 16, "depth": 2}, "full": {"batch": 256, "width": 256, "depth": 8}},
    "baseline": "plain",
}

# --8<-- [start:count]
import torch
from torch.profiler import ProfilerActivity, profile, record_function

WIDTH = 128  # features per row
DEPTH = 4  # blocks
BATCH = 256  # rows
MiB = 2**20
torch.manual_seed(0)


class Block(torch.nn.Module):  # x + down(gelu(up(x))), as in a transformer
    def __init__(self, width):
        super().__init__()
        self.up = torch.nn.Linear(width, 4 * width)
        self.down = torch.nn.Linear(4 * width, width)

    def forward(self, x):
        return x + self.down(torch.nn.functional.gelu(self.up(x)))


model = torch.nn.Sequential(*(Block(WIDTH) for _ in range(DEPTH)))
x = torch.randn(BATCH, WIDTH)
optimizer = torch.optim.Adam(model.parameters())

# Counted: one gradient and two Adam moments per parameter
params = sum(p.numel() for p in model.parameters())
print(f"parameters: {params:,} float32 = {params * 4 / MiB:.1f} MiB")
gradients, adam = params * 4, 2 * params * 4

# Counted: what autograd saves for the backward pass, except the
# parameters and the input, which exist before the step
before = {t.untyped_storage().data_ptr() for t in [x, *model.parameters()]}
saved = {}


def remember(t):
    if t.untyped_storage().data_ptr() not in before:
        saved[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return t


with torch.autograd.graph.saved_tensors_hooks(remember, lambda t: t):
    model(x).square().mean()
activations = sum(saved.values())

# Measured: the allocator's bytes held beyond those before a first step
with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
    with record_function("forward"):
        loss = model(x).square().mean()
    with record_function("backward"):
        loss.backward()
    with record_function("Adam step"):
        optimizer.step()
events = prof.profiler.kineto_results.events()
events = sorted(events, key=lambda e: e.start_ns())
phases = [e for e in events if e.name() in ("forward", "backward", "Adam step")]
held, peak, peak_in, measured = 0, 0, None, {}
for e in (e for e in events if e.name() == "[memory]"):
    held += e.nbytes()  # an allocation is positive, a free negative
    phase = next(p.name() for p in phases if e.start_ns() <= p.end_ns())
    measured[phase] = held  # the last value in a phase is the one at its end
    if held > peak:
        peak, peak_in = held, phase
print("MiB beyond parameters and input   counted  measured")
for name, what, nbytes in [
    ("forward", "activations", activations),
    ("backward", "gradients", gradients),
    ("Adam step", "gradients + Adam state", gradients + adam),
]:
    print(f"after {name:9} {what:22} {nbytes / MiB:7.1f}"
          f" {measured[name] / MiB:9.1f}")
print(f"peak, in the {peak_in:26} {peak / MiB:15.1f}")
# --8<-- [end:count]

# --8<-- [start:checkpoint_torch]
import torch
from torch.profiler import ProfilerActivity, profile, record_function
from torch.utils.checkpoint import checkpoint

WIDTH = 128  # features per row
DEPTH = 4  # blocks
BATCH = 256  # rows
MiB = 2**20
torch.manual_seed(0)


class Residual(torch.nn.Module):  # x + f(x)
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return x + self.f(x)


# the blocks of the first example, written with nn.Sequential
blocks = [
    Residual(torch.nn.Sequential(
        torch.nn.Linear(WIDTH, 4 * WIDTH),
        torch.nn.GELU(),
        torch.nn.Linear(4 * WIDTH, WIDTH),
    ))
    for _ in range(DEPTH)
]
x = torch.randn(BATCH, WIDTH)


def forward(x, checkpointed):
    for block in blocks:
        if checkpointed:  # keep only the block's input; rerun it in backward
            x = checkpoint(block, x, use_reentrant=False)
        else:
            x = block(x)
    return x.square().mean()


def held_bytes(events):  # running total of allocations minus frees
    held = 0
    for e in sorted(events, key=lambda e: e.start_ns()):
        if e.name() == "[memory]":
            held += e.nbytes()
            yield e.start_ns(), held


for checkpointed in (False, True):
    for block in blocks:
        block.zero_grad(set_to_none=True)
    cpu = [ProfilerActivity.CPU]
    with profile(activities=cpu, profile_memory=True) as prof:
        with record_function("forward"):
            loss = forward(x, checkpointed)
        loss.backward()
    events = prof.profiler.kineto_results.events()
    trace = list(held_bytes(events))
    forward_end = next(e.end_ns() for e in events if e.name() == "forward")
    after_forward = [h for t, h in trace if t <= forward_end][-1]
    peak = max(h for t, h in trace)
    name = "checkpoint" if checkpointed else "plain"
    print(f"{name:10} after forward {after_forward / MiB:5.1f} MiB,"
          f" peak {peak / MiB:5.1f} MiB")
# --8<-- [end:checkpoint_torch]

# --8<-- [start:checkpoint_jax]
import contextlib
import io
import math
import re

import jax
import jax.numpy as jnp
import numpy as np
from jax.ad_checkpoint import print_saved_residuals

WIDTH = 128  # features per row
DEPTH = 4  # blocks
BATCH = 256  # rows
MiB = 2**20


def block(x, p):  # x + down(gelu(up(x))); returns (carry, output) for scan
    h = jax.nn.gelu(x @ p["up"] + p["b_up"])
    return x + h @ p["down"] + p["b_down"], None


def make_loss(checkpointed, scanned):
    body = jax.checkpoint(block) if checkpointed else block

    def loss(params, x):
        if scanned:  # one loop body over the blocks' stacked parameters
            x, _ = jax.lax.scan(body, x, params)
        else:  # a Python loop over a list: every block traced in turn
            for p in params:
                x, _ = body(x, p)
        return jnp.mean(x**2)

    return loss


# what the backward pass keeps, from JAX's own list
def residual_bytes(f, *args):
    listing = io.StringIO()
    with contextlib.redirect_stdout(listing):
        print_saved_residuals(f, *args)
    total = 0
    for line in listing.getvalue().splitlines():
        shape = re.match(r"f32\[([\d,]*)\]", line)
        if "from the argument" not in line:
            sizes = [int(d) for d in shape.group(1).split(",") if d]
            total += 4 * math.prod(sizes)
    return total


# NumPy makes the data: each eager JAX operation would be compiled first
rng = np.random.default_rng(0)
params = {
    "up": rng.standard_normal((DEPTH, WIDTH, 4 * WIDTH)) / WIDTH**0.5,
    "b_up": np.zeros((DEPTH, 4 * WIDTH)),
    "down": rng.standard_normal((DEPTH, 4 * WIDTH, WIDTH)) / (4 * WIDTH)**0.5,
    "b_down": np.zeros((DEPTH, WIDTH)),
}
params = {k: v.astype(np.float32) for k, v in params.items()}
x = rng.standard_normal((BATCH, WIDTH)).astype(np.float32)
per_block = [{k: v[i] for k, v in params.items()} for i in range(DEPTH)]
print("                  residuals  matrix products    XLA temp")
print("                             traced  compiled")
for scanned in (False, True):
    for checkpointed in (False, True):
        loss = make_loss(checkpointed, scanned)
        args = (params if scanned else per_block, x)
        lowered = jax.jit(jax.grad(loss)).lower(*args)
        compiled = lowered.compile()
        traced = lowered.as_text().count("stablehlo.dot_general")
        name = ("scan" if scanned else "loop") + (
            ", checkpoint" if checkpointed else ", plain"
        )
        products = compiled.as_text().count(" dot(")
        temp = compiled.memory_analysis().temp_size_in_bytes
        print(f"{name:17} {residual_bytes(loss, *args) / MiB:5.1f} MiB"
              f" {traced:6} {products:9} {temp / MiB:7.1f} MiB")
# --8<-- [end:checkpoint_jax]

# --8<-- [start:solution]
PARAMETERS = 1_000_000_000
GiB = 2**30
# numbers of state per parameter: none, a momentum buffer, Adam's two averages
for name, state in [("SGD", 0), ("SGD, momentum", 1), ("Adam", 2)]:
    per_parameter = 4 * (1 + 1 + state)  # float32 parameter, gradient, state
    print(f"{name:14} {per_parameter:2} bytes per parameter,"
          f" {PARAMETERS * per_parameter / GiB:5.1f} GiB before any activation")
# --8<-- [end:solution]


def build(framework, mode, device, batch, width, depth):
    """One forward and backward pass of `depth` blocks on a batch; "checkpoint" keeps only each
    block's input and runs the block again in the backward pass. Returns the gradients."""
    import numpy as np

    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, width)).astype("float32")
    ups = (rng.standard_normal((depth, width, 4 * width)) / width**0.5).astype("float32")
    downs = (rng.standard_normal((depth, 4 * width, width)) / (4 * width) ** 0.5).astype("float32")
    if framework == "torch":
        import torch
        import torch.nn.functional as F
        from torch.utils.checkpoint import checkpoint

        x = torch.from_numpy(x_np).to(device)
        weights = [(torch.from_numpy(u).to(device).requires_grad_(), torch.from_numpy(d).to(device).requires_grad_())
                   for u, d in zip(ups, downs)]

        def block(h, up, down):
            return h + F.gelu(h @ up) @ down

        def step():
            h = x
            for up, down in weights:
                h = checkpoint(block, h, up, down, use_reentrant=False) if mode == "checkpoint" else block(h, up, down)
            return torch.autograd.grad(h.square().mean(), [w for pair in weights for w in pair])

        return step
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        def jax_block(h, p):
            return h + jax.nn.gelu(h @ p[0]) @ p[1], None

        body = jax.checkpoint(jax_block) if mode == "checkpoint" else jax_block

        def loss(params, h):
            h, _ = jax.lax.scan(body, h, params)
            return jnp.mean(h**2)

        dev = jax.devices(device)[0]
        params = (jax.device_put(ups, dev), jax.device_put(downs, dev))
        xj = jax.device_put(x_np, dev)
        grad = jax.jit(jax.grad(loss))
        return lambda: grad(params, xj)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np

    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for fw in runnable(BENCHMARK["frameworks"]):
        plain, checkpointed = (build(fw, mode, "cpu", **size)() for mode in BENCHMARK["modes"][fw])
        worst = max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in zip(plain, checkpointed))
        print(f"{fw:5} gradients with and without checkpointing: max |diff| {worst:.1e}")
        assert worst < 1e-5, fw
