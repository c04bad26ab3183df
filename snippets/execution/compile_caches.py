"""Compile caches on disk: JAX's persistent compilation cache and TorchInductor's caches, cold and warm.

The sections start a second Python process themselves, with the cache folder in a temporary
directory, and show that the second process finds what the first one wrote. BENCHMARK measures
compiling, not running: each call compiles the eight-operation chain of the fusion page and runs it
once. "cold" misses the cache every call (JAX: a new constant in the chain each call, so a new
cache key; PyTorch: Dynamo reset and Inductor in a fresh cache folder); "warm" compiles the same
chain again from the start with the cache folder kept, as a second process would, and finds it
there (JAX: a new function through jit, lower and compile; PyTorch: Dynamo reset first). The quick
sizes (cold=0) leave Inductor's cache folder as it is, and the quick self-check compiles PyTorch's modes
with the aot_eager backend (no Inductor): it checks the code and the results, the runner the compile time.
Run it: .venv/bin/python snippets/execution/compile_caches.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["cold", "warm"], "jax": ["cold", "warm"]},
    "sizes": {"quick": {"n": 64, "cold": 0}, "full": {"n": 4096, "cold": 1}},
    "baseline": "cold",
    "timeout_s": 1800.0,
}

# --8<-- [start:jax]
import os
import subprocess
import sys
import tempfile

import jax  # for its version; the two processes import it themselves

# What each of the two processes runs: turn the cache on, compile, count.
CHILD = """
import sys, time
import jax
import jax.numpy as jnp

jax.config.update("jax_compilation_cache_dir", sys.argv[1])
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
events = []
jax.monitoring.register_event_listener(lambda name, **_: events.append(name))


def chain(x):
    return jax.nn.sigmoid(jnp.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


start = time.perf_counter()
jax.jit(chain).lower(jnp.ones(4096)).compile()
hits = events.count("/jax/compilation_cache/cache_hits")
misses = events.count("/jax/compilation_cache/cache_misses")
print(f"compiled in {time.perf_counter() - start:.2f} s,"
      f" cache hits {hits}, misses {misses}")
"""

with tempfile.TemporaryDirectory() as cache:
    for process in (1, 2):
        run = subprocess.run([sys.executable, "-c", CHILD, cache],
                             capture_output=True, text=True, check=True)
        print(f"process {process}: {run.stdout.strip()}")
    files = len(os.listdir(cache))
    print(f"JAX {jax.__version__}: {files} files in the cache folder")
# --8<-- [end:jax]

# --8<-- [start:torch]
import os
import subprocess
import sys
import tempfile

import torch  # for its version; the two processes import it themselves

CHILD = """
import time
import torch
from torch._dynamo.utils import counters


def layer(x, w):  # a matrix product: Inductor calls an existing kernel
    return x @ w


start = time.perf_counter()
torch.compile(layer)(torch.ones(8, 8), torch.ones(8, 8))
inductor = counters["inductor"]
print(f"compiled in {time.perf_counter() - start:.2f} s,"
      f" FX graph cache hits {inductor['fxgraph_cache_hit']},"
      f" misses {inductor['fxgraph_cache_miss']}")
"""

with tempfile.TemporaryDirectory() as cache:
    # where Inductor keeps its caches
    env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=cache)
    for process in (1, 2):
        run = subprocess.run([sys.executable, "-c", CHILD], env=env,
                             capture_output=True, text=True, check=True)
        print(f"process {process}: {run.stdout.strip()}")
    folders = sorted(os.listdir(cache))
    print(f"PyTorch {torch.__version__}: folders in the cache {folders}")
# --8<-- [end:torch]


def build(framework, mode, device, n, cold):
    """One call: compile the chain (missing the cache when mode is cold) and run it once."""
    import itertools
    import tempfile

    import numpy as np

    x_np = np.linspace(-1.0, 1.0, n, dtype="float32")
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_compilation_cache_dir", tempfile.mkdtemp(prefix="jax-cache-"))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)  # cache even a fast compile
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        x = jax.device_put(x_np, jax.devices(device)[0])
        calls = itertools.count(1)

        def compile_and_run():
            # cold: a constant new to every call, so the cache key is new; warm: always the same
            offset = next(calls) * 1e-9 if mode == "cold" else 0.0

            def chain(x):  # defined anew each call: nothing traced before can be reused
                return jax.nn.sigmoid(jnp.tanh(x * 1.5 + 0.5 + offset) * 2.0 - x) * 3.0 + 1.0

            return jax.jit(chain).lower(x).compile()(x)

        compile_and_run()  # the warm mode's entry, written before the first timed call
        return compile_and_run
    if framework == "torch":
        import contextlib

        import torch
        from torch._inductor.utils import fresh_cache

        x = torch.from_numpy(x_np).to(device)

        def chain(x):
            return torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0

        def compile_and_run():
            torch._dynamo.reset()  # forget the graph Dynamo captured: compile from the start
            folder = fresh_cache() if mode == "cold" and cold else contextlib.nullcontext()
            with folder:  # cold: an empty cache folder each call; warm: the worker's, kept
                return torch.compile(chain)(x)

        compile_and_run()
        return compile_and_run
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np
    from _quick_compile import trace_only_when_quick
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    trace_only_when_quick()  # quick: no Inductor, whose cold C++ compile is the runner's to time
    x = np.linspace(-1.0, 1.0, size["n"], dtype="float32")
    expected = 1 / (1 + np.exp(-(np.tanh(x * 1.5 + 0.5) * 2.0 - x))) * 3.0 + 1.0
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = np.asarray(build(fw, mode, "cpu", **size)())
            assert np.allclose(out, expected, atol=1e-5), (fw, mode)
            print(f"{fw}/{mode}: compiled, and equal to NumPy's chain")
