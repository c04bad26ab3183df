"""Model parallelism: split the model, not only the batch. Tensor parallelism (Megatron-LM's column-then-row
split of an MLP) with PyTorch's DTensor in two CPU processes over gloo and with JAX's shard_map on two host
devices, each checked against one device, with what moves counted; and small simulations of pipeline
parallelism (a GPipe schedule and its bubble) and expert parallelism (tokens sent all-to-all to their
experts) that count what each device holds and sends.

BENCHMARK times the JAX MLP on one device against the same MLP split over two host devices with
shard_map (one psum per call). Both host devices are the same CPU: they share its cores and memory.
Run it: .venv/bin/python snippets/hardware/model_parallelism.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["jax"],
    "devices": ["cpu"],  # two host devices stand in for two accelerators; one GPU cannot split in two
    "modes": {"jax": ["one_device", "shard_map"]},
    "sizes": {"quick": {"batch": 4, "d_model": 8, "d_hidden": 32},
              "full": {"batch": 8, "d_model": 64, "d_hidden": 256}},
    "baseline": "one_device",
    "work": {"flops": "4*batch*d_model*d_hidden"},
}

# --8<-- [start:megatron]
import torch

torch.manual_seed(0)
x = torch.randn(4, 8)  # a batch of 4 rows, model width 8
A, B = torch.randn(8, 32), torch.randn(32, 8)  # Y = GeLU(X A) B
gelu = torch.nn.functional.gelu
whole = gelu(x @ A) @ B

# Megatron: A split by columns, B by rows. GeLU acts on each half alone,
# so each device computes a partial Y and one sum (an all-reduce) ends it.
A0, A1 = A.chunk(2, dim=1)  # 8x16 each
B0, B1 = B.chunk(2, dim=0)  # 16x8 each
partials = [gelu(x @ A0) @ B0, gelu(x @ A1) @ B1]
print("column then row, one sum at the end:",
      torch.allclose(partials[0] + partials[1], whole, atol=1e-5))

# A split by rows instead: each device holds half of X A's sum, and GeLU
# of a half is not half of the GeLU, so the devices must sum before GeLU.
Ar0, Ar1 = A.chunk(2, dim=0)
halves = [x[:, :4] @ Ar0, x[:, 4:] @ Ar1]
print("row split of A, GeLU before the sum:   ",
      torch.allclose(gelu(halves[0]) + gelu(halves[1]), gelu(x @ A), atol=1e-5))
print("row split of A, sum before GeLU:       ",
      torch.allclose(gelu(halves[0] + halves[1]), gelu(x @ A), atol=1e-5))
# --8<-- [end:megatron]

# --8<-- [start:dtensor]
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor.parallel import (
    ColwiseParallel,
    RowwiseParallel,
    parallelize_module,
)
from torch.utils._python_dispatch import TorchDispatchMode

BATCH = 4
D_MODEL = 8
D_HIDDEN = 32  # the hidden layer, which stays split


def make_mlp():
    torch.manual_seed(0)  # the same weights in every process
    return torch.nn.Sequential(
        torch.nn.Linear(D_MODEL, D_HIDDEN),
        torch.nn.GELU(),
        torch.nn.Linear(D_HIDDEN, D_MODEL),
    )


def make_input():
    x = torch.randn(BATCH, D_MODEL, generator=torch.Generator().manual_seed(1))
    # as if an earlier layer made it: its gradient is needed
    return x.requires_grad_()


class Collectives(TorchDispatchMode):
    """Records every collective DTensor runs, with the bytes of its tensor."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.__name__.split(".")[0]
        if name in ("all_reduce", "all_gather_into_tensor",
                    "reduce_scatter_tensor"):
            t = args[0]
            size = t.numel() * t.element_size()
            self.seen.append(f"{name} of {tuple(t.shape)}, {size} bytes")
        return func(*args, **(kwargs or {}))


def worker(rank, init_file, queue):
    torch.set_num_threads(1)  # the two ranks share the cores
    dist.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=2
    )
    mesh = init_device_mesh("cpu", (2,))
    # nn.Linear stores its weight as (out, in): Colwise splits the first
    # layer's outputs, Rowwise the second layer's inputs (Megatron's split)
    mlp = parallelize_module(
        make_mlp(), mesh, {"0": ColwiseParallel(), "2": RowwiseParallel()}
    )
    held = [
        f"{name} {tuple(p.to_local().shape)} {p.placements[0]}"
        for name, p in mlp.named_parameters()
    ]
    x = make_input()
    with Collectives() as forward:
        y = mlp(x)
    with Collectives() as backward:
        y.sum().backward()
    queue.put(
        (rank, held, forward.seen, backward.seen, y.tolist(), x.grad.tolist())
    )
    dist.destroy_process_group()


# fork: works from a notebook or an exec'd block; Linux/macOS only
ctx = mp.get_context("fork")
queue = ctx.SimpleQueue()
with tempfile.TemporaryDirectory() as tmp:
    procs = [
        ctx.Process(
            target=worker, args=(rank, os.path.join(tmp, "init"), queue)
        )
        for rank in range(2)
    ]
    for p in procs:
        p.start()
    found = {rank: rest for rank, *rest in (queue.get() for _ in procs)}
    for p in procs:
        p.join(timeout=60)

for rank, (held, forward, backward, _, _) in sorted(found.items()):
    print(f"rank {rank} holds:", "; ".join(held))
print("forward moves: ", forward)
print("backward moves:", backward)

x = make_input()
y = make_mlp()(x)  # one process, the whole MLP
y.sum().backward()
for rank, (_, _, _, y_rank, grad_rank) in found.items():
    assert torch.allclose(torch.tensor(y_rank), y, atol=1e-6)
    assert torch.allclose(torch.tensor(grad_rank), x.grad, atol=1e-6)
print("both ranks' output and input gradient equal one process's: True")
# --8<-- [end:dtensor]

# --8<-- [start:shard_map]
import os

# Two host devices from one CPU: set before JAX starts its CPU backend,
# and put first, ahead of any flags already there.
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2 " + (
    os.environ.get("XLA_FLAGS", "")
)
import jax
import jax.numpy as jnp
from jax.sharding import NamedSharding, PartitionSpec as P

mesh = jax.make_mesh((2,), ("model",))


def mlp(x, w1, w2):
    return jax.nn.gelu(x @ w1) @ w2


def megatron_mlp(x, w1, w2):
    # runs on each device with its own blocks: w1 (8, 16), w2 (16, 8)
    partial = jax.nn.gelu(x @ w1) @ w2
    return jax.lax.psum(partial, "model")  # the one all-reduce


tensor_parallel = jax.jit(
    jax.shard_map(
        megatron_mlp,
        mesh=mesh,
        in_specs=(P(), P(None, "model"), P("model", None)),
        out_specs=P(),  # after the psum every device holds the whole Y
    )
)

k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
x = jax.random.normal(k1, (4, 8))
w1, w2 = jax.random.normal(k2, (8, 32)), jax.random.normal(k3, (32, 8))
# w1 by columns, w2 by rows: each device gets its half
w1_split = jax.device_put(w1, NamedSharding(mesh, P(None, "model")))
w2_split = jax.device_put(w2, NamedSharding(mesh, P("model", None)))

print("devices:", jax.devices())
for name, w in [("w1", w1_split), ("w2", w2_split)]:
    shards = [(s.device.id, s.data.shape) for s in w.addressable_shards]
    print(name, "per device:", shards)
y = tensor_parallel(x, w1_split, w2_split)
hlo = tensor_parallel.lower(x, w1_split, w2_split).compile().as_text()
print("all-reduces in the compiled program:", hlo.count("all-reduce("))
same = jnp.allclose(y, mlp(x, w1, w2), atol=1e-5)
print("equal to one device:", bool(same))
assert same
# --8<-- [end:shard_map]

# --8<-- [start:pipeline]
import numpy as np

STAGES = 4  # devices in the pipeline, one stage each
MICRO_BATCHES = 4  # per batch


def gpipe_schedule(stages, micro_batches):
    """GPipe: all forwards, then all backwards. grid[stage][t] is what that
    stage does in time slot t ("F2": forward of micro-batch 2; "..": idle)."""
    slots = 2 * (micro_batches + stages - 1)
    grid = [[".."] * slots for _ in range(stages)]
    for s in range(stages):
        for m in range(micro_batches):
            # micro-batch m reaches stage s in slot s+m
            grid[s][s + m] = f"F{m}"
            # backward runs the stages in reverse, last stage first
            grid[s][slots - 1 - s - (micro_batches - 1 - m)] = f"B{m}"
    return grid


grid = gpipe_schedule(STAGES, MICRO_BATCHES)
for s, row in enumerate(grid):
    print(f"stage {s}:", " ".join(row))
idle = sum(row.count("..") for row in grid) / (len(grid) * len(grid[0]))
formula = (STAGES - 1) / (MICRO_BATCHES + STAGES - 1)
print(f"bubble: {idle:.3f} of all slots idle; (p-1)/(m+p-1) = {formula:.3f}")
assert abs(idle - formula) < 1e-12

# What moves: each stage hands its output for one micro-batch to the next
# (and the gradient back). Splitting into micro-batches changes no result:
rng = np.random.default_rng(0)
# one layer per stage
layers = [rng.standard_normal((8, 8)) / 3 for _ in range(STAGES)]
batch = rng.standard_normal((16, 8))


def run_stages(x):
    for w in layers:
        x = np.tanh(x @ w)
    return x


pieces = [run_stages(mb) for mb in np.split(batch, MICRO_BATCHES)]
print("micro-batches give the whole batch's output:",
      np.allclose(np.concatenate(pieces), run_stages(batch)))
# --8<-- [end:pipeline]

# --8<-- [start:experts]
import numpy as np

DEVICES = 2
EXPERTS = 4  # two on each device
TOKENS_PER_DEVICE = 4
WIDTH = 8  # numbers per token
rng = np.random.default_rng(3)
gate = rng.standard_normal((WIDTH, EXPERTS))
experts = [rng.standard_normal((WIDTH, WIDTH)) / 3 for _ in range(EXPERTS)]
# expert -> the device that holds it
home = {e: e // (EXPERTS // DEVICES) for e in range(EXPERTS)}
# each device starts with its own tokens (its share of the batch)
tokens = [
    rng.standard_normal((TOKENS_PER_DEVICE, WIDTH)) for _ in range(DEVICES)
]

# top-1 routing, as in the Switch Transformer: each token goes to one expert
choice = [(t @ gate).argmax(axis=1) for t in tokens]
for d in range(DEVICES):
    print(f"device {d}: its tokens go to experts {choice[d].tolist()}")

# all-to-all, there: device d sends each token to its expert's device
sent = np.zeros((DEVICES, DEVICES), dtype=int)
inbox = {e: [] for e in range(EXPERTS)}  # (from device, row, token) per expert
for d in range(DEVICES):
    for row, e in enumerate(choice[d]):
        sent[d, home[e]] += 1
        inbox[e].append((d, row, tokens[d][row]))
print("tokens sent, row = from device, column = to device:")
print(sent)
moved = sent.sum() - np.trace(sent)  # tokens that leave their device
print(f"{moved} tokens cross devices there,",
      f"{moved * WIDTH * 4} bytes in float32, and as many come back")

# each device applies only the experts it holds; all-to-all, back again
out = [np.zeros_like(t) for t in tokens]
for e, arrivals in inbox.items():
    for d, row, token in arrivals:
        out[d][row] = np.tanh(token @ experts[e])

# one device holding every expert computes the same
for d in range(DEVICES):
    alone = np.stack(
        [np.tanh(t @ experts[e]) for t, e in zip(tokens[d], choice[d])]
    )
    assert np.allclose(out[d], alone)
print("expert parallel equals one device with all experts: True")
# --8<-- [end:experts]

# --8<-- [start:solution]
def bubble(stages, micro_batches):
    return (stages - 1) / (micro_batches + stages - 1)


for stages in (2, 4, 8):
    m = 1
    while bubble(stages, m) >= 0.1:
        m += 1
    print(f"{stages} stages: {m} micro-batches for a bubble under 10 %"
          f" ({bubble(stages, m):.3f})")
# --8<-- [end:solution]


def build(framework, mode, device, batch, d_model, d_hidden):
    """One forward of the MLP Y = GeLU(X W1) W2, on one host device or split over two with shard_map."""
    if framework != "jax":
        raise ValueError(f"unknown framework {framework!r}")
    import jax

    rng = np.random.default_rng(0)
    x, w1, w2 = (rng.standard_normal(shape).astype("float32") / np.sqrt(shape[0])
                 for shape in [(batch, d_model), (d_model, d_hidden), (d_hidden, d_model)])
    if mode == "one_device":
        on = jax.devices(device)[0]
        args = [jax.device_put(a, on) for a in (x, w1, w2)]
        fn = jax.jit(mlp)
    elif mode == "shard_map":
        if len(jax.devices(device)) < 2:
            raise RuntimeError(f"shard_map needs two {device} devices; JAX sees {len(jax.devices(device))}")
        two = jax.make_mesh((2,), ("model",), devices=jax.devices(device)[:2])
        args = [jax.device_put(a, NamedSharding(two, spec))
                for a, spec in [(x, P()), (w1, P(None, "model")), (w2, P("model", None))]]
        fn = jax.jit(jax.shard_map(megatron_mlp, mesh=two, in_specs=(P(), P(None, "model"), P("model", None)),
                                   out_specs=P()))
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return lambda: fn(*args)


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    from ramverk.sections import runnable

    for framework in runnable(BENCHMARK["frameworks"]):
        results = {mode: np.asarray(build(framework, mode, "cpu", **size)())
                   for mode in BENCHMARK["modes"][framework]}
        assert np.allclose(results["one_device"], results["shard_map"], atol=1e-4)
        print(f"{framework}, {size}: one device and shard_map agree")
