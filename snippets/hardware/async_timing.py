"""Why a timer without synchronisation lies on a GPU, and how to time correctly.

On a GPU, `y = x @ x` only *queues* a kernel and returns at once; the timer then measures the
queueing, not the work. torch.cuda.synchronize() (or reading the result) waits for the GPU.
On a CPU every operation finishes before Python continues, so both timings agree.
The `events` section times the same product three ways on a GPU: a host clock without
synchronising, a host clock with it, and CUDA events recorded on the GPU's own stream.
Run it: python snippets/hardware/async_timing.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:torch]
import os
import time

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
n = 256 if os.environ.get("RAMVERK_QUICK") or device == "cpu" else 4096
x = torch.randn(n, n, device=device)


def sync():
    if device == "cuda":
        torch.cuda.synchronize()  # wait until every queued kernel has finished


x @ x  # warm-up: the first call pays for library start-up
sync()

start = time.perf_counter()
y = x @ x  # on a GPU: queued, not finished
naive = time.perf_counter() - start

start = time.perf_counter()
y = x @ x
sync()  # the clock stops only when the work is done
honest = time.perf_counter() - start

print(f"device={device} n={n}")
print(f"without synchronize: {naive * 1e3:.3f} ms")
print(f"with synchronize:    {honest * 1e3:.3f} ms")
# --8<-- [end:torch]

# --8<-- [start:jax]
import time

import jax.numpy as jnp

# large enough that the product takes far longer than its dispatch
x = jnp.ones((1024, 1024))
(x @ x).block_until_ready()  # warm-up

start = time.perf_counter()
y = x @ x  # JAX dispatches asynchronously even on a CPU
dispatched = time.perf_counter() - start
y.block_until_ready()  # wait for the value
finished = time.perf_counter() - start
print(
    f"JAX returned after {dispatched * 1e3:.3f} ms, "
    f"result ready after {finished * 1e3:.3f} ms"
)
# --8<-- [end:jax]

# --8<-- [start:events]
import time

import torch

if torch.cuda.is_available():
    x = torch.randn(8192, 8192, device="cuda")
    x @ x  # warm-up
    torch.cuda.synchronize()

    start = time.perf_counter()
    y = x @ x
    queued = time.perf_counter() - start  # wrong: only the launch
    torch.cuda.synchronize()
    waited = time.perf_counter() - start  # right: until the GPU is done

    begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(
        enable_timing=True
    )
    begin.record()  # timestamps taken by the GPU itself, in stream order
    y = x @ x
    end.record()
    end.synchronize()
    print(f"host clock, no sync: {queued * 1e3:8.3f} ms  (the launch)")
    print(f"host clock, synced:  {waited * 1e3:8.3f} ms  (launch + work)")
    print(
        f"CUDA events:         {begin.elapsed_time(end):8.3f} ms"
        "  (the work on the GPU)"
    )
else:
    print(
        "no CUDA device here: CUDA events need one"
        " (torch.cuda.is_available() is False)"
    )
# --8<-- [end:events]

if __name__ == "__main__":
    print("see the sections above: torch (cuda if present), JAX, and CUDA events (cuda only)")
