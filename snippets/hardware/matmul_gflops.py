"""Matrix multiplication as thousands of independent multiply-adds, and how fast this machine does it.

The sections show (1) that every entry of C = A @ B is its own dot product, so the work splits
into independent pieces, and (2) how to work out a CPU's theoretical peak in GFLOP/s.
The runner measures build() and reports GFLOP/s from BENCHMARK["work"]: an n×n matmul is
n*n dot products of length n, each n multiplies and n adds, so 2*n**3 floating-point operations.
Run it: python snippets/hardware/matmul_gflops.py
"""

import os

BENCHMARK = {
    "frameworks": ["numpy", "torch", "tensorflow", "jax"],
    "modes": {
        "numpy": ["eager"],
        "torch": ["eager"],
        "tensorflow": ["eager"],
        "jax": ["jit"],
    },
    "sizes": {"quick": {"n": 64}, "full": {"n": 1024}},
    "work": {"flops": "2*n**3"},
}

# --8<-- [start:independent]
import numpy as np

rng = np.random.default_rng(0)
n = 4
A = rng.standard_normal((n, n))
B = rng.standard_normal((n, n))

# Each C[i, j] needs only row i of A and column j of B: n*n jobs that never wait for each other.
C = np.empty((n, n))
for i in range(n):
    for j in range(n):
        C[i, j] = sum(A[i, k] * B[k, j] for k in range(n))  # n multiply-adds

print("independent dot products:", n * n)
print("multiply-adds in total:  ", n * n * n)
print("same as A @ B:", np.allclose(C, A @ B))
# --8<-- [end:independent]

# --8<-- [start:peak]
import os


def cpu_flags():
    """The CPU feature flags Linux reports (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_mhz():
    try:
        with open("/proc/cpuinfo") as f:
            return max(float(l.split(":")[1]) for l in f if l.startswith("cpu MHz"))
    except (OSError, ValueError):
        return None


def peak_gflops_per_core(flags, mhz, fma_units=2):
    """FP32 peak of one core = clock × SIMD lanes × 2 (an FMA is a multiply and an add) × FMA units.

    Wrong for AMD Zen 4, which runs AVX-512 on 256-bit pipes (32 FLOP per cycle, not 64); the page
    shows cpu_peak.py, which knows the core design. This section stays as it was measured, since the
    runner's workers import it and a change would make the reference machine's records stale.
    """
    lanes = 16 if "avx512f" in flags else 8 if "avx2" in flags else 4  # 32-bit floats per vector
    per_cycle = lanes * (2 if "fma" in flags else 1) * fma_units
    return (mhz or 0) / 1000 * per_cycle, lanes, per_cycle


flags = cpu_flags()
mhz = cpu_mhz()
peak, lanes, per_cycle = peak_gflops_per_core(flags, mhz)
print(f"logical cores: {os.cpu_count()}, clock: {mhz} MHz, FP32 lanes per vector: {lanes}")
print(f"FP32 FLOP per cycle per core (assumed 2 FMA units): {per_cycle}")
print(f"theoretical FP32 peak: {peak:.0f} GFLOP/s per core, {peak * (os.cpu_count() or 1):.0f} for all cores")
# --8<-- [end:peak]


def build(framework, mode, device, n):
    """One n×n float32 matmul; the runner turns its time into GFLOP/s with work['flops']."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype("float32")
    b = np.random.default_rng(1).standard_normal((n, n)).astype("float32")
    if framework == "numpy":
        return lambda: a @ b
    if framework == "torch":
        import torch

        at, bt = torch.from_numpy(a).to(device), torch.from_numpy(b).to(device)
        return lambda: at @ bt
    if framework == "tensorflow":
        import tensorflow as tf

        with tf.device(device):
            at, bt = tf.constant(a), tf.constant(b)
        return lambda: tf.linalg.matmul(at, bt)
    if framework == "jax":
        import jax

        dev = jax.devices(device)[0]
        aj, bj = jax.device_put(a, dev), jax.device_put(b, dev)
        mm = jax.jit(lambda x, y: x @ y)
        return lambda: mm(aj, bj)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import time

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    n = size["n"]
    step = build("numpy", "eager", "cpu", n)
    step()
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.2:
        step()
        reps += 1
    seconds = (time.perf_counter() - start) / reps
    print(f"numpy n={n}: {2 * n**3 / seconds / 1e9:.1f} GFLOP/s (rough, all threads; the runner measures properly)")
