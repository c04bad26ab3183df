"""Attention: the plain formula, which writes an n×n score matrix to memory, against the fused
kernels (PyTorch's scaled_dot_product_attention, JAX's dot_product_attention), and the online
softmax that lets a tiled kernel do without the score matrix (a NumPy version, checked against
the plain one).

BENCHMARK "work" counts the two matrix products per head, Q·Kᵀ and P·V: 2·seq²·dim FLOP each.
Both JAX modes are jitted; "naive" there is the formula as written, compiled by XLA.
Run it: .venv/bin/python snippets/execution/attention.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {
        "torch": ["naive", "sdpa"],
        "jax": ["naive", "dot_product_attention"],
    },
    "sizes": {"quick": {"heads": 2, "seq": 64, "dim": 16}, "full": {"heads": 4, "seq": 2048, "dim": 64}},
    "baseline": "naive",
    "work": {"flops": "4*heads*seq**2*dim"},
}

# --8<-- [start:naive_torch]
import math

import torch
import torch.nn.functional as F


def naive_attention(q, k, v):  # softmax(Q·Kᵀ / √d)·V, as in the paper
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v


torch.manual_seed(0)
# batch, heads, seq, dim
q, k, v = (torch.randn(1, 4, 1024, 64) for _ in range(3))
out = F.scaled_dot_product_attention(q, k, v)
print("output:", tuple(out.shape))
print("score matrix of the plain formula:", (1, 4, 1024, 1024),
      f"= {4 * 1024 * 1024 * 4 / 2**20:.0f} MiB of float32")
diff = (naive_attention(q, k, v) - out).abs().max()
print("max |naive - sdpa|:", f"{diff:.0e}")
assert torch.allclose(naive_attention(q, k, v), out, atol=1e-5)
# --8<-- [end:naive_torch]

# --8<-- [start:memory_torch]
import math

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.profiler import ProfilerActivity, profile


def naive_attention(q, k, v):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v


# the most memory one operator asked the allocator for
def largest_allocation(fn):
    cpu = [ProfilerActivity.CPU]
    with profile(activities=cpu, profile_memory=True) as prof:
        fn()
    events = prof.key_averages()
    top = max(events, key=lambda e: e.self_cpu_memory_usage)
    kernel = [e.key for e in events if "scaled_dot_product" in e.key]
    return top.self_cpu_memory_usage / 2**20, top.key, kernel[-1:]


torch.manual_seed(0)
q, k, v = (torch.randn(1, 4, 1024, 64) for _ in range(3))
print("score matrix:", f"{4 * 1024 * 1024 * 4 / 2**20:.1f} MiB")
cases = {
    "naive": lambda: naive_attention(q, k, v),
    "sdpa": lambda: F.scaled_dot_product_attention(q, k, v),
}
for name, fn in cases.items():
    mib, op, kernel = largest_allocation(fn)
    print(f"{name:6} largest allocation {mib:5.1f} MiB in {op};"
          f" kernel: {kernel}")
with sdpa_kernel(SDPBackend.MATH):  # forbid the fused kernels
    mib, op, kernel = largest_allocation(cases["sdpa"])
    print(f"sdpa, MATH only: {mib:5.1f} MiB in {op}; kernel: {kernel}")
# --8<-- [end:memory_torch]

# --8<-- [start:compile_torch]
import math
import re

import torch
from torch._inductor.utils import run_and_get_code


def naive_attention(q, k, v):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v


torch.manual_seed(0)
q, k, v = (torch.randn(1, 4, 1024, 64) for _ in range(3))
_, sources = run_and_get_code(torch.compile(naive_attention), q, k, v)
calls = sorted(set(re.findall(r"aten\.(\w+)\.default\(", sources[0])))
print("Inductor's code for the naive formula calls:", calls)
# --8<-- [end:compile_torch]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


def naive_attention(q, k, v):  # batch, seq, heads, dim: JAX's layout
    scale = jnp.sqrt(jnp.float32(q.shape[-1]))
    scores = jnp.einsum("btnh,bsnh->bnts", q, k) / scale
    probabilities = jax.nn.softmax(scores, axis=-1)
    return jnp.einsum("bnts,bsnh->btnh", probabilities, v)


keys = jax.random.split(jax.random.key(0), 3)
q, k, v = (jax.random.normal(key, (1, 1024, 4, 64)) for key in keys)
print("score matrix:", f"{4 * 1024 * 1024 * 4 / 2**20:.0f} MiB")
cases = {
    "naive": naive_attention,
    "dot_product_attention": jax.nn.dot_product_attention,
}
for name, fn in cases.items():
    compiled = jax.jit(fn).lower(q, k, v).compile()
    scratch = compiled.memory_analysis().temp_size_in_bytes / 2**20
    print(f"{name:22} XLA's scratch memory: {scratch:.0f} MiB")
out = jax.jit(jax.nn.dot_product_attention)(q, k, v)
diff = float(jnp.abs(naive_attention(q, k, v) - out).max())
print("max |naive - dot_product_attention|:", f"{diff:.0e}")
# --8<-- [end:jax]

# --8<-- [start:online_softmax]
import numpy as np


def softmax(x):  # three passes: the max, the sum, the division
    e = np.exp(x - x.max())
    return e / e.sum()


def online_softmax(x, block=4):  # max and sum in one pass, a block at a time
    m, d = -np.inf, 0.0  # the running max, and the sum of exp(x - m) so far
    for start in range(0, len(x), block):
        chunk = x[start : start + block]
        m_new = max(m, chunk.max())
        # rescale the old sum to the new max, then add the new block
        d = d * np.exp(m - m_new) + np.exp(chunk - m_new).sum()
        m = m_new
    return np.exp(x - m) / d


x = np.random.default_rng(0).standard_normal(10) * 3
print(np.round(softmax(x), 4))
print(np.round(online_softmax(x), 4))
assert np.allclose(softmax(x), online_softmax(x), rtol=1e-12, atol=0)
# --8<-- [end:online_softmax]

# --8<-- [start:tiled_numpy]
import time
import tracemalloc

import numpy as np


def attention(q, k, v):
    s = q @ k.T / np.float32(np.sqrt(q.shape[1]))  # the n×n score matrix
    p = np.exp(s - s.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)) @ v


def tiled_attention(q, k, v, tile=128):  # online softmax over tiles of keys
    n, d = q.shape
    m = np.full((n, 1), -np.inf, np.float32)  # running max per row
    denom = np.zeros((n, 1), np.float32)  # running sum of exp per row
    out = np.zeros_like(q)
    for start in range(0, k.shape[0], tile):
        s = q @ k[start : start + tile].T / np.float32(np.sqrt(d))  # n×tile
        m_new = np.maximum(m, s.max(axis=1, keepdims=True))
        scale = np.exp(m - m_new)  # rescales what was summed so far
        p = np.exp(s - m_new)
        denom = denom * scale + p.sum(axis=1, keepdims=True)
        out = out * scale + p @ v[start : start + tile]
        m = m_new
    return out / denom


def peak_mib(fn, *args):  # NumPy reports its arrays to tracemalloc
    tracemalloc.start()
    start = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, peak / 2**20, seconds


rng = np.random.default_rng(0)
for n in (256, 512, 1024, 2048):
    q, k, v = (rng.standard_normal((n, 64), dtype=np.float32) for _ in range(3))
    plain, plain_mib, plain_s = peak_mib(attention, q, k, v)
    tiled, tiled_mib, tiled_s = peak_mib(tiled_attention, q, k, v)
    assert np.allclose(plain, tiled, atol=1e-5)
    print(f"n={n:4}: plain {plain_mib:5.1f} MiB {plain_s * 1e3:5.0f} ms;"
          f" tiled {tiled_mib:4.1f} MiB {tiled_s * 1e3:5.0f} ms")
# --8<-- [end:tiled_numpy]

# --8<-- [start:solution]
import tracemalloc

import numpy as np


def scores_peak_mib(n, d=64):
    rng = np.random.default_rng(0)
    q, k = (rng.standard_normal((n, d), dtype=np.float32) for _ in range(2))
    tracemalloc.start()
    s = q @ k.T
    np.exp(s - s.max(axis=1, keepdims=True))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


small, large = scores_peak_mib(1024), scores_peak_mib(2048)
print(f"n=1024: {small:.1f} MiB, n=2048: {large:.1f} MiB,"
      f" ratio {large / small:.1f}")
assert 3.5 < large / small < 4.5  # twice the sequence, four times the memory
# --8<-- [end:solution]


def build(framework, mode, device, heads, seq, dim):
    """Attention over `heads` heads of `seq` tokens of width `dim`: one call is one forward pass."""
    rng = np.random.default_rng(0)
    q_np, k_np, v_np = (rng.standard_normal((1, heads, seq, dim), dtype=np.float32) for _ in range(3))
    if framework == "torch":
        import math

        import torch
        import torch.nn.functional as F

        def naive_t(q, k, v):
            return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(dim), dim=-1) @ v

        q, k, v = (torch.from_numpy(a).to(device) for a in (q_np, k_np, v_np))
        fn = F.scaled_dot_product_attention if mode == "sdpa" else naive_t
        return lambda: fn(q, k, v)
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        def naive_j(q, k, v):
            scores = jnp.einsum("btnh,bsnh->bnts", q, k) / jnp.sqrt(jnp.float32(dim))
            return jnp.einsum("bnts,bsnh->btnh", jax.nn.softmax(scores, axis=-1), v)

        where = jax.devices(device)[0]
        # JAX's layout is batch, seq, heads, dim
        q, k, v = (jax.device_put(a.transpose(0, 2, 1, 3), where) for a in (q_np, k_np, v_np))
        fn = jax.jit(jax.nn.dot_product_attention if mode == "dot_product_attention" else naive_j)
        return lambda: fn(q, k, v)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    outs = {}
    for framework in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][framework]:
            out = np.asarray(build(framework, mode, "cpu", **size)())
            outs[f"{framework}/{mode}"] = out.transpose(0, 2, 1, 3) if framework == "jax" else out
    first = next(iter(outs), None)  # None when no framework is installed: nothing to compare
    for case, out in outs.items():
        diff = float(np.abs(out - outs[first]).max())
        print(f"{case:28} max |diff| against {first}: {diff:.1e}")
        assert diff < 1e-4, case
