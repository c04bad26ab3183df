"""GPU memory in training: PyTorch's caching allocator (allocated against reserved, memory_summary,
fragmentation, empty_cache) and JAX's preallocation (XLA_PYTHON_CLIENT_PREALLOCATE).

BENCHMARK times one allocation of n float32 values on the GPU: "cached" lets PyTorch's caching
allocator hand back the block the previous call freed; "empty_cache" returns every free cached block
to the driver first, so each allocation asks CUDA for memory again. GPU only: on a CPU PyTorch has
no caching allocator to compare. Run it: python snippets/hardware/gpu_memory.py (on a CPU the sections
say that there is no GPU, and the self-check builds both modes on the CPU)
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch"],
    "modes": {"torch": ["cached", "empty_cache"]},
    "sizes": {"quick": {"n": 1024}, "full": {"n": 268435456}},
    "baseline": "empty_cache",
    "devices": ["cuda"],
}

# --8<-- [start:torch_allocator]
import torch

MiB = 2**20


def report(when):
    print(f"{when:28} allocated {torch.cuda.memory_allocated() / MiB:7.1f} MiB,"
          f" reserved {torch.cuda.memory_reserved() / MiB:7.1f} MiB")


if torch.cuda.is_available():
    x = torch.empty(256 * MiB // 4, device="cuda")  # 256 MiB of float32
    report("a 256 MiB tensor")
    del x
    report("after del")  # freed, but kept in the cache
    y = torch.empty(256 * MiB // 4, device="cuda")
    report("again: the cached block")
    del y
    torch.cuda.empty_cache()  # hand free cached blocks back to the driver
    report("after empty_cache")
    # Fragmentation: free every other block; the holes are too small
    # for one larger tensor, so the allocator reserves more memory
    blocks = [torch.empty(20 * MiB // 4, device="cuda") for _ in range(8)]
    del blocks[::2]
    big = torch.empty(60 * MiB // 4, device="cuda")
    report("holes and a 60 MiB tensor")
    idle = torch.cuda.memory_reserved() - torch.cuda.memory_allocated()
    print(f"reserved but not in use: {idle / MiB:.1f} MiB")
    print("\n".join(torch.cuda.memory_summary().splitlines()[:12]))
else:
    print("no CUDA device here: the caching allocator is for GPU memory"
          " (torch.cuda.is_available() is False)")
# --8<-- [end:torch_allocator]

# --8<-- [start:jax_preallocate]
import os
import subprocess
import sys

import jax

# Each setting needs a fresh process: JAX reads it when the GPU is first used
CHILD = """
import jax, jax.numpy as jnp
x = jnp.ones(1024)  # 4 KiB: the first operation starts the GPU client
stats = jax.devices()[0].memory_stats()
shown = ["bytes_in_use", "pool_bytes", "bytes_reserved", "bytes_limit"]
print(", ".join(f"{key} {stats[key] / 2**20:,.0f} MiB"
                for key in shown if key in stats))
"""

if jax.default_backend() == "gpu":
    for setting in ["true", "false"]:
        env = dict(os.environ, XLA_PYTHON_CLIENT_PREALLOCATE=setting)
        run = subprocess.run([sys.executable, "-c", CHILD], env=env,
                             capture_output=True, text=True, check=True)
        print(f"PREALLOCATE={setting:5}: {run.stdout.strip()}")
else:
    print(f"no GPU for JAX here (its backend is {jax.default_backend()}):"
          " preallocation concerns GPU memory")
# --8<-- [end:jax_preallocate]


def build(framework, mode, device, n):
    """One allocation of n float32 values; "empty_cache" returns the free cached blocks to the
    driver first. Returns the new tensor."""
    if framework != "torch":
        raise ValueError(f"unknown framework {framework!r}")
    import torch

    def allocate():
        if mode == "empty_cache" and device == "cuda":
            torch.cuda.empty_cache()  # the next allocation asks CUDA (cudaMalloc)
        return torch.empty(n, device=device)

    return allocate


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick"]  # a check on the CPU; the runner measures the full size on a GPU
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = build(fw, mode, "cpu", **size)()
            print(f"{fw} {mode:11} allocated {out.numel()} float32 on {out.device}")
            assert out.numel() == size["n"]
