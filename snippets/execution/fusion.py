"""Operator fusion: an elementwise chain run eagerly (one pass over memory per operation) and fused
(one pass in all), in PyTorch, TensorFlow and JAX; plus why PyTorch decomposes its operators.

BENCHMARK "work" counts the bytes a perfectly fused chain must move: read x, write the result
(4 + 4 bytes per float32 element). Two more modes give that figure something to be held against:
"copy" is a one-pass copy of x into a new array (the same 8 bytes per element, and the same fresh
output as a fused kernel), and "preallocated" (PyTorch) runs the eight eager operations into one
buffer allocated once, so the eight passes stay but the fresh memory per operation goes.
Run it: python snippets/execution/fusion.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "tensorflow", "jax"],
    "modes": {"torch": ["eager", "preallocated", "compile", "copy"], "tensorflow": ["eager", "xla"],
              "jax": ["eager", "jit", "copy"]},
    "sizes": {"quick": {"n": 4096}, "full": {"n": 16777216}},
    "baseline": "eager",
    "work": {"bytes": "8*n"},
}

# --8<-- [start:count_passes]
import torch
from torch.utils._python_dispatch import TorchDispatchMode


def chain(x):  # eight elementwise operations
    return torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


class CountKernels(TorchDispatchMode):  # sees every operator eager mode runs
    def __init__(self):
        super().__init__()
        self.ops, self.bytes_read, self.bytes_written = [], 0, 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self.ops.append(func.__name__.split(".")[0])
        self.bytes_read += sum(
            a.numel() * a.element_size()
            for a in args
            if isinstance(a, torch.Tensor)
        )
        self.bytes_written += out.numel() * out.element_size()
        return out


x = torch.ones(1_000_000)
with CountKernels() as counter:
    chain(x)
print("eager ran", len(counter.ops), "kernels:", " ".join(counter.ops))
print(
    f"they read {counter.bytes_read / 1e6:.0f} MB"
    f" and wrote {counter.bytes_written / 1e6:.0f} MB"
    f" for a {x.numel() * 4 / 1e6:.0f} MB input; a fused kernel"
    f" reads and writes {x.numel() * 4 / 1e6:.0f} MB each"
)
traffic = counter.bytes_read + counter.bytes_written
print(f"traffic, eager against fused: {traffic / (2 * x.numel() * 4):.1f}×")
# --8<-- [end:count_passes]

# --8<-- [start:page_faults]
import resource
import time

import torch

torch.set_num_threads(1)


def chain(x):
    return torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


# the same eight operations, each writing into one buffer allocated once
def chain_into(x, buf):
    torch.mul(x, 1.5, out=buf).add_(0.5).tanh_().mul_(2.0).sub_(
        x
    ).sigmoid_().mul_(3.0).add_(1.0)
    return buf


def minor_faults():  # pages the kernel had to map in for this process so far
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


x, buf = torch.randn(2**24), torch.empty(2**24)  # 64 MB each
for name, run in [
    ("eager, a new array per op", lambda: chain(x)),
    ("eager, preallocated", lambda: chain_into(x, buf)),
]:
    run()  # warm-up
    faults, start = minor_faults(), time.perf_counter()
    run()
    seconds, faults = time.perf_counter() - start, minor_faults() - faults
    print(
        f"{name:26} {seconds * 1e3:6.0f} ms, {faults:6} page faults"
        f" = {faults * 4096 / 2**20:4.0f} MiB of fresh pages"
    )
assert torch.equal(chain(x), chain_into(x, buf))
# --8<-- [end:page_faults]

# --8<-- [start:page_faults_tf]
import resource
import time

import tensorflow as tf


def chain(x):
    return tf.sigmoid(tf.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


x = tf.random.normal([2**24], seed=0)  # 64 MB
chain(x)  # warm-up
faults, start = minor_faults(), time.perf_counter()
chain(x)
seconds, faults = time.perf_counter() - start, minor_faults() - faults
print(
    f"TensorFlow eager: {seconds * 1e3:.0f} ms, {faults} page faults"
    f" = {faults * 4096 / 2**20:.0f} MiB of fresh pages"
)
# --8<-- [end:page_faults_tf]

# --8<-- [start:fused_torch]
import re

import torch
from torch._inductor.utils import run_and_get_code


def chain(x):
    return torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


_, sources = run_and_get_code(torch.compile(chain), torch.ones(4096))
print(
    "Inductor kernels:", sorted(set(re.findall(r"cpp_fused_\w+", sources[0])))
)
# --8<-- [end:fused_torch]

# --8<-- [start:fused_tensorflow]
import tensorflow as tf


@tf.function(jit_compile=True)  # compile the graph with XLA
def chain(x):
    return tf.sigmoid(tf.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


hlo = chain.experimental_get_compiler_ir(tf.ones([4096]))(stage="optimized_hlo")
print("XLA fusions in the optimised HLO:", hlo.count(" fusion("))
# --8<-- [end:fused_tensorflow]

# --8<-- [start:fused_jax]
import jax
import jax.numpy as jnp


def chain(x):
    return jax.nn.sigmoid(jnp.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


x = jnp.ones(4096)
print("operations traced:", len(jax.make_jaxpr(chain)(x).eqns))
print(
    "XLA fusions after compiling:",
    jax.jit(chain).lower(x).compile().as_text().count(" fusion("),
)
# --8<-- [end:fused_jax]

# --8<-- [start:operators]
import torch


def aten_operators(tag=None):
    names = set()
    for name in torch._C._dispatch_get_all_op_names():
        if not name.startswith("aten::"):
            continue
        base, _, overload = name[len("aten::") :].partition(".")
        op = getattr(
            getattr(torch.ops.aten, base, None), overload or "default", None
        )
        if op is not None and (tag is None or tag in op.tags):
            names.add(base)
    return names


print("ATen operators in this PyTorch:", len(aten_operators()))
print("of which in the core ATen set:", len(aten_operators(torch.Tag.core)))
# --8<-- [end:operators]

# --8<-- [start:decompose]
import torch
import torch.nn.functional as F


class Head(torch.nn.Module):
    def forward(self, x):
        return F.silu(x).logsumexp(0)


program = torch.export.export(Head(), (torch.ones(4),))


def calls(p):
    return [
        str(n.target).removeprefix("aten.")
        for n in p.graph.nodes
        if n.op == "call_function"
    ]


print("as written:      ", calls(program))
# the default table: core ATen
print("core ATen only:  ", calls(program.run_decompositions()))
# --8<-- [end:decompose]


def build(framework, mode, device, n):
    """The chain on n float32 values; one call = one pass (fused, copy) or eight passes (eager)."""
    import numpy as np

    x_np = np.random.default_rng(0).standard_normal(n).astype("float32")
    if framework == "torch":
        import torch

        def chain_t(x):
            return torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0

        def chain_into(x, buf):  # the eight eager passes, without a fresh array per operation
            return torch.mul(x, 1.5, out=buf).add_(0.5).tanh_().mul_(2.0).sub_(x).sigmoid_().mul_(3.0).add_(1.0)

        xt = torch.from_numpy(x_np).to(device)
        if mode == "preallocated":
            buf = torch.empty_like(xt)
            return lambda: chain_into(xt, buf)
        if mode == "copy":
            return lambda: xt.clone()  # read n, write n into a new array: the least a one-pass kernel moves
        fn = torch.compile(chain_t) if mode == "compile" else chain_t
        return lambda: fn(xt)
    if framework == "tensorflow":
        import tensorflow as tf

        def chain_tf(x):
            return tf.sigmoid(tf.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0

        where = "/GPU:0" if device == "cuda" else "/CPU:0"
        with tf.device(where):
            xt = tf.constant(x_np)
        fn = tf.function(chain_tf, jit_compile=True) if mode == "xla" else chain_tf

        def run_tf():
            with tf.device(where):
                return fn(xt)

        return run_tf
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        def chain_j(x):
            return jax.nn.sigmoid(jnp.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0

        xj = jax.device_put(x_np, jax.devices(device)[0])
        fn = {"jit": jax.jit(chain_j), "copy": jax.jit(jnp.copy)}.get(mode, chain_j)  # jit of copy: one XLA copy
        return lambda: fn(xj)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    outs = {}
    from ramverk.sections import runnable

    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            outs[f"{fw}/{mode}"] = np.asarray(build(fw, mode, "cpu", **size)())
    first = next(iter(outs), None)  # None when no framework is installed: nothing to compare
    ref = outs.get(first)
    for case, out in outs.items():
        if case.endswith("/copy"):
            expected = np.random.default_rng(0).standard_normal(size["n"]).astype("float32")
            assert np.array_equal(out, expected), case
            print(f"{case:18} equals its input")
            continue
        print(f"{case:18} max |diff| against {first}: {float(np.abs(out - ref).max()):.2e}")
        assert np.allclose(out, ref, atol=1e-5), case
