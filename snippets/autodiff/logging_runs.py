"""Logging a training run: TensorBoard from PyTorch and TensorFlow, and wandb in offline mode.

Everything is written inside a temporary directory that is deleted at the end.
Run it: python snippets/autodiff/logging_runs.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:torch_tensorboard]
import os
import tempfile

import torch
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)
from torch.utils.tensorboard import SummaryWriter

torch.manual_seed(0)
x, y = torch.randn(64, 3), torch.randn(64, 1)
model = torch.nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

with tempfile.TemporaryDirectory() as logdir:
    writer = SummaryWriter(log_dir=logdir)
    for step in range(20):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        writer.add_scalar("loss/train", loss.item(), global_step=step)
    writer.close()  # flush the event file to disk

    events = EventAccumulator(logdir)
    events.Reload()  # read the event file back, as TensorBoard would
    scalars = events.Scalars("loss/train")
    print("files:", [name.split(".")[0] for name in os.listdir(logdir)])
    print(
        f"{len(scalars)} points, loss {scalars[0].value:.4f} at step 0 -> "
        f"{scalars[-1].value:.4f} at step {scalars[-1].step}"
    )
# --8<-- [end:torch_tensorboard]

# --8<-- [start:tf_summary]
import os
import tempfile

import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)

with tempfile.TemporaryDirectory() as logdir:
    writer = tf.summary.create_file_writer(logdir)
    # a context manager again: summaries inside go to this writer
    with writer.as_default():
        for step in range(5):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    writer.close()

    events = EventAccumulator(logdir)
    events.Reload()
    # tf.summary stores scalars as tensors; TensorBoard reads them from the
    # "tensors" tag list
    values = [
        float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors("loss")
    ]
    print(
        "tags:",
        events.Tags()["tensors"],
        "| values:",
        [round(v, 3) for v in values],
    )
# --8<-- [end:tf_summary]

# --8<-- [start:wandb_offline]
import os
import tempfile

import wandb

with tempfile.TemporaryDirectory() as workdir:
    # no account, no network: the run is written locally
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    for var in [
        "WANDB_CACHE_DIR",
        "WANDB_CONFIG_DIR",
        "WANDB_DATA_DIR",
        "WANDB_ARTIFACT_DIR",
    ]:
        # keep wandb's own caches and logs in the temporary folder too
        os.environ[var] = workdir
    run = wandb.init(
        project="ramverk-demo",
        dir=workdir,
        config={"lr": 0.1, "hidden": 8},
        settings=wandb.Settings(console="off", x_disable_stats=True),
    )
    for step in range(5):
        run.log({"loss": 1.0 / (step + 1)}, step=step)
    run.summary["best_loss"] = 0.2
    run.finish()
    run_dirs = sorted(os.listdir(os.path.join(workdir, "wandb")))
    print(
        "local run folder:",
        [d.split("-")[0] for d in run_dirs if d.startswith("offline-run")],
    )
    print(
        "files in it:",
        sorted(
            f
            for f in os.listdir(os.path.join(workdir, "wandb", run_dirs[-1]))
            if "." in f
        ),
    )
# --8<-- [end:wandb_offline]


def torch_scalars(logdir, steps=10):
    """Write a short PyTorch run to logdir with SummaryWriter and return the (step, value) pairs read back."""
    torch.manual_seed(0)
    xs, ys = torch.randn(32, 3), torch.randn(32, 1)
    net = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    written = []
    with SummaryWriter(log_dir=logdir) as w:
        for step in range(steps):
            loss = torch.nn.functional.mse_loss(net(xs), ys)
            opt.zero_grad()
            loss.backward()
            opt.step()
            w.add_scalar("loss/train", loss.item(), step)
            written.append((step, loss.item()))
    acc = EventAccumulator(logdir)
    acc.Reload()
    return written, [(e.step, e.value) for e in acc.Scalars("loss/train")]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        written, read = torch_scalars(d, steps=3 if os.environ.get("RAMVERK_QUICK") else 50)
    assert [s for s, _ in written] == [s for s, _ in read]
    assert all(abs(a - b) < 1e-6 for (_, a), (_, b) in zip(written, read))
    print(f"{len(read)} scalars written and read back; loss {read[0][1]:.4f} -> {read[-1][1]:.4f}")
