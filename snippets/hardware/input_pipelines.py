"""Input pipelines: PyTorch's DataLoader with and without worker processes, and tf.data with and
without a parallel map and prefetching, on a synthetic data set whose loading is the bottleneck.

Two kinds of loading: "wait" sleeps wait_ms per item, a stand-in for reading from slow storage (the
process waits without using the processor); "decode" computes for each item (rounds of a small
matrix product and tanh, a stand-in for decoding an image). Each call is one epoch over `items`
items in batches of 8, summed by a trivial step. "serial" loads in the training process (PyTorch
num_workers=0; tf.data map without num_parallel_calls); "parallel" loads in two worker processes
(PyTorch num_workers=2, persistent_workers=True) or with tf.data's map(num_parallel_calls=AUTOTUNE)
and prefetch(AUTOTUNE). On a GPU the DataLoader pins each batch (pin_memory=True) and copies it with
non_blocking=True. Run it: .venv/bin/python snippets/hardware/input_pipelines.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch", "tensorflow"],
    "modes": {"torch": ["wait_serial", "wait_parallel", "decode_serial", "decode_parallel"],
              "tensorflow": ["wait_serial", "wait_parallel", "decode_serial", "decode_parallel"]},
    "sizes": {"quick": {"items": 16, "wait_ms": 1, "rounds": 1}, "full": {"items": 64, "wait_ms": 10, "rounds": 40}},
}

# --8<-- [start:torch]
import time

import torch
from torch.utils.data import DataLoader, Dataset


class SlowStorage(Dataset):  # 16 images, each 20 ms to read
    def __len__(self):
        return 16

    def __getitem__(self, i):
        time.sleep(0.02)  # waiting, as for a disk or a network
        return torch.full((64, 64), float(i))


for workers in (0, 2):
    loader = DataLoader(SlowStorage(), batch_size=4, num_workers=workers,
                        persistent_workers=workers > 0)
    for epoch in (1, 2):
        start = time.perf_counter()
        total = sum(float(batch.sum()) for batch in loader)
        print(f"num_workers={workers}, epoch {epoch}:"
              f" {time.perf_counter() - start:.2f} s (sum {total:.0f})")
# --8<-- [end:torch]

# --8<-- [start:tensorflow]
import time

import numpy as np
import tensorflow as tf


def read(i):  # 20 ms of waiting, as for a disk or a network
    time.sleep(0.02)
    return np.full((64, 64), i, np.float32)


def load(i):
    image = tf.numpy_function(read, [i], tf.float32)
    return tf.ensure_shape(image, (64, 64))


for name, parallel in [("serial", None), ("parallel", tf.data.AUTOTUNE)]:
    images = tf.data.Dataset.range(16).map(load, num_parallel_calls=parallel)
    batches = images.batch(4)
    if parallel:  # prepare the next batches while this one is used
        batches = batches.prefetch(tf.data.AUTOTUNE)
    start = time.perf_counter()
    total = sum(float(tf.reduce_sum(batch)) for batch in batches)
    print(f"{name:8}: {time.perf_counter() - start:.2f} s (sum {total:.0f})")
# --8<-- [end:tensorflow]


def build(framework, mode, device, items, wait_ms, rounds):
    """One epoch over `items` synthetic 64×64 images in batches of 8; returns the sum of every batch."""
    import time

    import numpy as np

    kind, how = mode.split("_")
    weights = (np.random.default_rng(0).standard_normal((64, 64)) / 8).astype("float32")

    def image_np(i):  # what loading one item costs, in NumPy for tf.data
        if kind == "wait":
            time.sleep(wait_ms / 1000)
            return np.full((64, 64), i, np.float32)
        image = np.full((64, 64), i / items, np.float32)
        for _ in range(rounds):
            image = np.tanh(image @ weights)
        return image

    if framework == "torch":
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Synthetic(Dataset):
            def __len__(self):
                return items

            def __getitem__(self, i):
                if kind == "wait":
                    time.sleep(wait_ms / 1000)
                    return torch.full((64, 64), float(i))
                image, w = torch.full((64, 64), i / items), torch.from_numpy(weights)
                for _ in range(rounds):
                    image = torch.tanh(image @ w)
                return image

        workers = 2 if how == "parallel" else 0
        pinned = device == "cuda"  # pinned batches copy to the GPU asynchronously
        loader = DataLoader(Synthetic(), batch_size=8, num_workers=workers, persistent_workers=workers > 0,
                            pin_memory=pinned)

        def epoch():
            total = torch.zeros((), device=device)
            for batch in loader:
                total += batch.to(device, non_blocking=pinned).sum()
            return total

        return epoch
    if framework == "tensorflow":
        import tensorflow as tf

        def load(i):
            image = tf.numpy_function(image_np, [i], tf.float32)
            return tf.ensure_shape(image, (64, 64))

        parallel = tf.data.AUTOTUNE if how == "parallel" else None
        batches = tf.data.Dataset.range(items).map(load, num_parallel_calls=parallel).batch(8)
        if parallel:
            batches = batches.prefetch(tf.data.AUTOTUNE)
        where = "/GPU:0" if device == "cuda" else "/CPU:0"

        def epoch_tf():
            with tf.device(where):
                total = tf.zeros(())
                for batch in batches:
                    total += tf.reduce_sum(batch)
            return total

        return epoch_tf
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np

    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for fw in runnable(BENCHMARK["frameworks"]):
        sums = {mode: float(np.asarray(build(fw, mode, "cpu", **size)())) for mode in BENCHMARK["modes"][fw]}
        print(f"{fw:10} " + ", ".join(f"{mode} {total:.2f}" for mode, total in sums.items()))
        for kind in ("wait", "decode"):  # serial and parallel loading give the same data
            assert abs(sums[f"{kind}_serial"] - sums[f"{kind}_parallel"]) < 1e-3 * abs(sums[f"{kind}_serial"]), kind
