"""A loop under a compiler: jax.lax.scan and torch's scan against the same loop unrolled in Python.

The loop is a tiny recurrence, h = tanh(0.9 h + x_t), over `length` steps of a 16-float state. What
is measured is compiling, not running: each call of build()'s step traces and compiles a fresh
function from scratch (JAX: a new function through jit, lower and compile; PyTorch: Dynamo reset and
Inductor in a fresh cache folder, so no cache of an earlier call helps), then runs it once. The quick
sizes (cold=0) leave Inductor's cache folder as it is, and the quick self-check compiles PyTorch's modes
with the aot_eager backend (no Inductor): it checks the code and the results, the runner the compile time.
Run it: .venv/bin/python snippets/execution/scan_unroll.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

STATE = 16  # floats in the loop's state

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["scan_short", "unrolled_short", "scan_long", "unrolled_long"],
              "jax": ["scan_short", "unrolled_short", "scan_long", "unrolled_long"]},
    "sizes": {"quick": {"short": 2, "long": 4, "cold": 0}, "full": {"short": 4, "long": 64, "cold": 1}},
    "baseline": "scan_short",
    "timeout_s": 1800.0,
}

# --8<-- [start:jax]
import time

import jax
import jax.numpy as jnp


def body(h, x):  # one step of the loop: the new state, and nothing else to keep
    return jnp.tanh(0.9 * h + x), None


def with_scan(h, xs):
    return jax.lax.scan(body, h, xs)[0]


def unrolled(h, xs):
    for t in range(xs.shape[0]):  # a Python loop: tracing records every step
        h, _ = body(h, xs[t])
    return h


h = jnp.zeros(16)
for length in (1, 10, 100):
    xs = jnp.ones((length, 16))
    for name, f in [("scan", with_scan), ("unrolled", unrolled)]:
        equations = len(jax.make_jaxpr(f)(h, xs).eqns)
        start = time.perf_counter()
        jax.jit(f).lower(h, xs).compile()
        seconds = time.perf_counter() - start
        print(f"length {length:3}, {name:8}: {equations:3} equations,"
              f" compiled in {seconds:.2f} s")
# --8<-- [end:jax]

# --8<-- [start:torch]
import torch
from torch._higher_order_ops.scan import scan  # a prototype in PyTorch


def body(h, x):  # scan's step returns the new state and one output
    h = torch.tanh(0.9 * h + x)
    return h, h.clone()


def with_scan(h, xs):
    return scan(body, h, xs)[0]


def unrolled(h, xs):
    for t in range(xs.shape[0]):  # Dynamo runs the loop and records every step
        h, _ = body(h, xs[t])
    return h


def count_nodes(graph_module, example_inputs):  # a backend that only looks
    counts.append(len(graph_module.graph.nodes))
    return graph_module.forward


h = torch.zeros(16)
for length in (1, 10, 100):
    xs = torch.ones(length, 16)
    for name, f in [("scan", with_scan), ("unrolled", unrolled)]:
        torch._dynamo.reset()
        counts = []
        torch.compile(f, backend=count_nodes, fullgraph=True)(h, xs)
        print(f"length {length:3}, {name:8}: {counts[0]:3} nodes in the graph")
# --8<-- [end:torch]


def build(framework, mode, device, short, long, cold):
    """One call: compile the loop of the mode's length from scratch and run it once."""
    import numpy as np

    kind, which = mode.split("_")
    length = {"short": short, "long": long}[which]
    xs_np = np.linspace(-1.0, 1.0, length * STATE, dtype="float32").reshape(length, STATE)
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        where = jax.devices(device)[0]
        h0 = jax.device_put(np.zeros(STATE, "float32"), where)
        xs = jax.device_put(xs_np, where)

        def compile_and_run():
            def body(h, x):  # defined anew each call: nothing traced before can be reused
                return jnp.tanh(0.9 * h + x), None

            if kind == "scan":
                def loop(h, xs):
                    return jax.lax.scan(body, h, xs)[0]
            else:
                def loop(h, xs):
                    for t in range(xs.shape[0]):
                        h, _ = body(h, xs[t])
                    return h
            return jax.jit(loop).lower(h0, xs).compile()(h0, xs)

        return compile_and_run
    if framework == "torch":
        import torch
        from torch._higher_order_ops.scan import scan
        from torch._inductor.utils import fresh_cache

        h0 = torch.zeros(STATE, device=device)
        xs = torch.from_numpy(xs_np).to(device)

        def body(h, x):
            h = torch.tanh(0.9 * h + x)
            return h, h.clone()

        def with_scan(h, xs):
            return scan(body, h, xs)[0]

        def unrolled(h, xs):
            for t in range(xs.shape[0]):
                h, _ = body(h, xs[t])
            return h

        loop = with_scan if kind == "scan" else unrolled

        def compile_and_run():
            torch._dynamo.reset()  # forget the graphs Dynamo captured
            if not cold:
                return torch.compile(loop, fullgraph=True)(h0, xs)
            with fresh_cache():  # and Inductor's caches on disk: a cold compile each time
                return torch.compile(loop, fullgraph=True)(h0, xs)

        return compile_and_run
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np
    from _quick_compile import trace_only_when_quick
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    trace_only_when_quick()  # quick: no Inductor, whose cold C++ compile is the runner's to time
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            length = size[mode.split("_")[1]]
            h = np.zeros(STATE, "float32")
            for x in np.linspace(-1.0, 1.0, length * STATE, dtype="float32").reshape(length, STATE):
                h = np.tanh(0.9 * h + x)
            out = np.asarray(build(fw, mode, "cpu", **size)())
            assert np.allclose(out, h, atol=1e-5), (fw, mode)
            print(f"{fw}/{mode}: length {length}, equal to NumPy's loop")
