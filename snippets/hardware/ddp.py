"""Data parallelism: DataParallel vs DistributedDataParallel, a real 2-process DDP run on the CPU,
and the TensorFlow and JAX equivalents.

Run it: python snippets/hardware/ddp.py   (tests/test_ddp.py runs train() and checks it)
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:dataparallel]
import torch

model = torch.nn.Linear(4, 2)
# one process; splits each batch over the visible GPUs
dp = torch.nn.DataParallel(model)
out = dp(torch.ones(8, 4))
print(
    "GPUs DataParallel would use:",
    torch.cuda.device_count(),
    "| output:",
    tuple(out.shape),
)
# With no GPU, DataParallel simply calls the model: nothing is split.
# --8<-- [end:dataparallel]

# --8<-- [start:ddp]
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP


def worker(rank, world_size, init_file, steps, queue):
    # one thread per rank: the ranks share the cores, and a forked child
    # must not reuse the OpenMP threads its parent may have started
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"file://{init_file}",
        rank=rank,
        world_size=world_size,
    )
    # the same starting weights on every rank (DDP also broadcasts rank 0's)
    torch.manual_seed(0)
    model = DDP(torch.nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    # every rank gets its own shard of the data
    data = torch.Generator().manual_seed(100 + rank)
    for _ in range(steps):
        x, y = torch.randn(16, 4, generator=data), torch.randn(
            16, 1, generator=data
        )
        opt.zero_grad()
        # backward all-reduces the gradients
        torch.nn.functional.mse_loss(model(x), y).backward()
        # The gradient this rank would have had alone, on its own shard:
        local = torch.nn.Linear(4, 1)
        local.load_state_dict(model.module.state_dict())
        torch.nn.functional.mse_loss(local(x), y).backward()
        local_grads = [p.grad.clone() for p in local.parameters()]
        for g in local_grads:  # the average over ranks of those local gradients
            dist.all_reduce(g)
            g /= world_size
        averaged = all(
            torch.allclose(p.grad, g, atol=1e-6)
            for p, g in zip(model.parameters(), local_grads)
        )
        opt.step()
    # Not only gradients travel: at the start of every forward pass DDP
    # broadcasts rank 0's buffers, such as BatchNorm's running mean
    # (forward_sync_buffers, formerly broadcast_buffers, is True by default).
    bn = DDP(torch.nn.BatchNorm1d(4).eval())
    bn.module.running_mean.fill_(float(rank))  # 0 on rank 0, 1 on rank 1
    bn(torch.zeros(2, 4))
    synced = bool((bn.module.running_mean == 0).all())
    # plain lists pickle safely
    weights = [p.detach().tolist() for p in model.parameters()]
    queue.put((rank, averaged, weights, synced))
    dist.destroy_process_group()


def train(world_size=2, steps=3):
    """Run DDP in world_size CPU processes; return
    {rank: (grads_were_averaged, final_weights)} and
    {rank: buffers_were_broadcast}."""
    # fork: works from a notebook or an exec'd block, Linux/macOS only
    ctx = mp.get_context("fork")
    queue = ctx.SimpleQueue()
    with tempfile.TemporaryDirectory() as tmp:
        procs = [
            ctx.Process(
                target=worker,
                args=(r, world_size, os.path.join(tmp, "init"), steps, queue),
            )
            for r in range(world_size)
        ]
        for p in procs:
            p.start()
        found = [queue.get() for _ in procs]
        for p in procs:
            p.join(timeout=60)
    results = {r: (avg, w) for r, avg, w, _ in found}
    return results, {r: synced for r, _, _, synced in found}


results, buffers = train(world_size=2, steps=3)
same = results[0][1] == results[1][1]  # exact equality, bit for bit
print(
    "gradients averaged on every rank:", all(avg for avg, _ in results.values())
)
print("ranks end with identical weights:", same)
print("rank 0's buffers broadcast to every rank:", all(buffers.values()))
# --8<-- [end:ddp]

# --8<-- [start:caveats]
import torch

torch.manual_seed(0)
x, y = torch.randn(8, 2), torch.randn(8, 1)


def weight_grad(model, xb, yb):
    model.zero_grad()
    torch.nn.functional.mse_loss(model(xb), yb).backward()
    return model[0].weight.grad.clone()


def two_ranks(model, split):
    """Average of two 'ranks' gradients, as DDP computes it."""
    g0 = weight_grad(model, x[:split], y[:split])
    g1 = weight_grad(model, x[split:], y[split:])
    return (g0 + g1) / 2


plain = torch.nn.Sequential(torch.nn.Linear(2, 1))
with_bn = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.BatchNorm1d(1))
cases = {
    "equal shards (4 + 4 rows)": (plain, 4),
    "unequal shards (3 + 5 rows)": (plain, 3),
    "equal shards, BatchNorm": (with_bn, 4),
}
for name, (model, split) in cases.items():
    same = torch.allclose(two_ranks(model, split), weight_grad(model, x, y))
    print(f"{name:28} same gradient as the whole batch: {same}")
    assert same == (name == "equal shards (4 + 4 rows)")
# --8<-- [end:caveats]

# --8<-- [start:tensorflow]
import tensorflow as tf

# one replica per visible GPU; the CPU if there is none
strategy = tf.distribute.MirroredStrategy()
print("replicas in sync:", strategy.num_replicas_in_sync)
with strategy.scope():  # variables created here are mirrored on every replica
    model = tf.keras.Sequential(
        [tf.keras.Input((4,)), tf.keras.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
model.fit(
    tf.ones((16, 4)), tf.zeros((16, 1)), batch_size=8, epochs=1, verbose=0
)
print("trained under", type(strategy).__name__)
# --8<-- [end:tensorflow]

# --8<-- [start:jax]
import os

# Pretend the CPU is two devices. Must be set before JAX starts; on GPUs you
# would skip this.
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

# a 1-D grid of devices with one axis named "data"
mesh = Mesh(jax.devices(), ("data",))
# rows split over devices
batch = jax.device_put(
    jnp.arange(8.0).reshape(8, 1), NamedSharding(mesh, P("data"))
)
w = jnp.ones((1, 1))  # replicated


@jax.jit
def grad_step(w, x):
    # XLA inserts the cross-device sum itself
    return jax.grad(lambda w: jnp.mean((x @ w) ** 2))(w)


print("devices:", jax.devices())
print("batch is split as:", [s.data.shape for s in batch.addressable_shards])
print("gradient over the whole batch:", grad_step(w, batch).ravel())
# --8<-- [end:jax]
