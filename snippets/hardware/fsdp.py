"""Fully sharded data parallelism (FSDP2, torch.distributed.fsdp.fully_shard) in two CPU
processes over gloo: what each rank holds, and that training still matches one process on
the whole batch.

Run it: python snippets/hardware/fsdp.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:fsdp]
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed.fsdp import fully_shard


def make_model():
    torch.manual_seed(0)  # the same starting weights everywhere
    return torch.nn.Sequential(
        torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2)
    )


def batches(rank, steps):
    data = torch.Generator().manual_seed(100 + rank)  # each rank's own shard
    return [
        (torch.randn(4, 8, generator=data), torch.randn(4, 2, generator=data))
        for _ in range(steps)
    ]


def state_bytes(model, opt, local):
    """Bytes of parameters, gradients and Adam state this rank holds."""
    def size(t):
        t = t.to_local() if local else t.full_tensor()
        return t.numel() * t.element_size()

    tensors = [p for p in model.parameters()]
    tensors += [p.grad for p in model.parameters()]
    tensors += [v for s in opt.state.values() for k, v in s.items()
                if k in ("exp_avg", "exp_avg_sq")]
    return sum(size(t) for t in tensors)


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
    model = make_model()
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            fully_shard(layer)  # each layer's parameters: one shard per rank
    fully_shard(model)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for x, y in batches(rank, steps):
        opt.zero_grad()
        # forward and backward all-gather each layer's parameters just in
        # time; backward reduce-scatters the gradients, averaged over ranks
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()  # each rank updates only its own shard
    held = state_bytes(model, opt, local=True)
    full = state_bytes(model, opt, local=False)  # gathers: collective
    weights = [p.full_tensor().detach() for p in model.parameters()]
    queue.put((rank, held, full, [w.tolist() for w in weights]))
    dist.destroy_process_group()


def train(world_size=2, steps=3):
    ctx = mp.get_context("fork")  # Linux/macOS only
    queue = ctx.SimpleQueue()
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "init")
        procs = [
            ctx.Process(target=worker, args=(r, world_size, init, steps, queue))
            for r in range(world_size)
        ]
        for p in procs:
            p.start()
        found = {r: rest for r, *rest in (queue.get() for _ in procs)}
        for p in procs:
            p.join(timeout=60)
    return found


found = train(world_size=2, steps=3)
for rank, (held, full, _) in sorted(found.items()):
    print(f"rank {rank} holds {held} of {full} bytes of params+grads+Adam")
# every tensor is split in two along its first dimension: half each
assert all(2 * held == full for held, full, _ in found.values())

# The same training in one process, on both shards' rows at once:
model = make_model()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for (x0, y0), (x1, y1) in zip(batches(0, 3), batches(1, 3)):
    opt.zero_grad()
    x, y = torch.cat([x0, x1]), torch.cat([y0, y1])
    torch.nn.functional.mse_loss(model(x), y).backward()
    opt.step()
same = all(
    torch.allclose(torch.tensor(w), p.detach(), atol=1e-6)
    for w, p in zip(found[0][2], model.parameters())
)
print("FSDP weights match one process on the whole batch:", same)
assert same
# --8<-- [end:fsdp]
