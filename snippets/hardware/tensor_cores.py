"""Tensor Cores and dtypes: one fixed amount of matrix-multiply work, cut into square pieces.

Every call does 2*n**3 floating-point operations. Mode "n" is one n×n product; mode "n/2" is
eight products of (n/2)×(n/2) matrices, "n/4" sixty-four of n/4, "n/8" 512 of n/8, one kernel
after another. The work per call is the same in every mode, so the FLOP/s column compares piece
sizes directly: where the small pieces fall behind, the chip was not full.

This file measures float32 (PyTorch and JAX pinned to true FP32, no TF32). tensor_cores_tf32.py and
tensor_cores_bf16.py reuse build() with the "dtype" size parameter, which also picks the datasheet
peak each rate is held against. Run it: python snippets/hardware/tensor_cores.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["n/8", "n/4", "n/2", "n"], "jax": ["n/8", "n/4", "n/2", "n"]},
    "sizes": {"quick": {"n": 64, "dtype": "float32"}, "full": {"n": 4096, "dtype": "float32"}},
    "work": {"flops": "2*n**3"},
}

# --8<-- [start:precision]
import torch

torch.manual_seed(0)
a, b = torch.randn(512, 512), torch.randn(512, 512)
exact = a.double() @ b.double()


def rel_error(c):
    return float((c.double() - exact).norm() / exact.norm())


# keep 10 of float32's 23 stored mantissa bits, as TF32 does (here by
# truncation)
def to_tf32(x):
    return (x.view(torch.int32) & ~0x1FFF).view(torch.float32)


errors = {
    "float32": rel_error(a @ b),
    "TF32 inputs, float32 sums": rel_error(to_tf32(a) @ to_tf32(b)),
    "bfloat16 inputs and result": rel_error(a.bfloat16() @ b.bfloat16()),
}
for name, err in errors.items():
    print(f"{name:28} relative error {err:.1e}")
assert (
    errors["float32"]
    < errors["TF32 inputs, float32 sums"]
    < errors["bfloat16 inputs and result"]
)
# --8<-- [end:precision]

# --8<-- [start:autocast]
import torch

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
layer = torch.nn.Linear(512, 512).to(device)
x = torch.randn(64, 512, device=device)

with torch.no_grad():
    with torch.autocast(device_type=device, dtype=torch.bfloat16):
        y = layer(x)  # the matmul runs in bfloat16 ...
    y32 = layer(x)  # ... outside autocast, in float32
print("under autocast:", y.dtype, "| weights stay", layer.weight.dtype)
err = float((y.float() - y32).norm() / y32.norm())
print(f"relative error of the autocast output against float32: {err:.1e}")
assert y.dtype == torch.bfloat16 and layer.weight.dtype == torch.float32
# bfloat16 keeps 8 significant bits: one rounding step is 2**-8
assert 2**-12 < err < 2**-6
# --8<-- [end:autocast]

# --8<-- [start:jax_precision]
import jax
import jax.numpy as jnp

ka, kb = jax.random.split(jax.random.key(0))
a, b = jax.random.normal(ka, (512, 512)), jax.random.normal(kb, (512, 512))
# name the algorithm: float32 in, float32 sums
exact = jnp.matmul(a, b, precision="F32_F32_F32")
# bfloat16 in and out
low = jnp.matmul(a.astype(jnp.bfloat16), b.astype(jnp.bfloat16))
print("result dtype:", low.dtype)
print(
    "relative error of bfloat16: "
    f"{float(jnp.linalg.norm(low - exact) / jnp.linalg.norm(exact)):.1e}"
)
# On an NVIDIA GPU, float32 inputs with precision="TF32_TF32_F32" (or inside
# `with jax.default_matmul_precision("tensorfloat32"):`) use the TF32 Tensor
# Cores.
# None: the backend decides
print("jax_default_matmul_precision:", jax.config.jax_default_matmul_precision)
# --8<-- [end:jax_precision]

# --8<-- [start:tiles]
import math


def waves(size, tile=(128, 128), sms=132):
    """Output tiles of a size×size product, and how many rounds ('waves')
    the SMs need for them."""
    tiles = math.ceil(size / tile[0]) * math.ceil(size / tile[1])
    return tiles, tiles / sms


for size in [512, 1024, 2048, 4096]:
    tiles, w = waves(size)
    busy = tiles / (math.ceil(w) * 132)
    print(
        f"{size:5}×{size:<5} {tiles:5} tiles of 128×128 = {w:5.2f} waves"
        f" on 132 SMs; SMs busy {busy:4.0%}"
    )
# --8<-- [end:tiles]


def _pieces(mode, n):
    """(piece size, number of pieces) for a mode 'n' or 'n/d': d**3 products of (n/d)×(n/d)."""
    d = int(mode.split("/")[1]) if "/" in mode else 1
    return n // d, d**3


def _inputs(k):
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.standard_normal((k, k)).astype("float32"), rng.standard_normal((k, k)).astype("float32")


def build(framework, mode, device, n, dtype):
    """Pieces of k×k products, one after another; returns the last product (the others are queued before it)."""
    k, count = _pieces(mode, n)
    a_np, b_np = _inputs(k)
    if framework == "torch":
        import torch

        # "highest": float32 matmuls in true FP32; "high": TF32 on the Tensor Cores where there are any
        # (Ampere and later; elsewhere it changes nothing).
        torch.set_float32_matmul_precision("high" if dtype == "tf32" else "highest")
        store = {"bfloat16": torch.bfloat16, "float16": torch.float16}.get(dtype, torch.float32)
        a = torch.from_numpy(a_np).to(device=device, dtype=store)
        b = torch.from_numpy(b_np).to(device=device, dtype=store)

        def run_torch():
            for _ in range(count - 1):
                a @ b
            return a @ b

        return run_torch
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        dev = jax.devices(device)[0]
        store = {"bfloat16": jnp.bfloat16, "float16": jnp.float16}.get(dtype, jnp.float32)
        a = jax.device_put(a_np, dev).astype(store)
        b = jax.device_put(b_np, dev).astype(store)
        # Name the algorithm: F32_F32_F32 is true FP32; TF32_TF32_F32 converts the inputs to TF32 and exists
        # only on NVIDIA GPUs (elsewhere TF32 is not there to use, so FP32 is what a TF32 request gets).
        # Stored bfloat16/float16 inputs: the default algorithm for that type.
        precision = {"float32": "F32_F32_F32", "tf32": "TF32_TF32_F32" if device == "cuda" else "F32_F32_F32"}.get(dtype)
        mm = jax.jit(lambda x, y: jnp.matmul(x, y, precision=precision))

        def run_jax():
            for _ in range(count - 1):
                mm(a, b)
            return mm(a, b)

        return run_jax
    raise ValueError(f"unknown framework {framework!r}")


def check(benchmark):
    """Every mode's last piece equals numpy's float64 product, within the dtype's rounding (CPU, quick size)."""
    import numpy as np

    from ramverk.sections import runnable

    size = benchmark["sizes"]["quick"]
    tolerance = {"float32": 1e-4, "tf32": 1e-4, "bfloat16": 3e-2, "float16": 3e-3}[size["dtype"]]
    for fw in runnable(benchmark["frameworks"]):
        for mode in benchmark["modes"][fw]:
            k, count = _pieces(mode, size["n"])
            a, b = _inputs(k)
            ref = a.astype("float64") @ b.astype("float64")
            out = build(fw, mode, "cpu", **size)()
            out = np.asarray(out.astype("float32") if hasattr(out, "astype") else out.float(), dtype="float64")
            err = float(np.linalg.norm(out - ref) / np.linalg.norm(ref))
            print(f"{fw:6} {mode:4} {size['dtype']:9} {count:4} piece(s) of {k}×{k}: relative error {err:.1e}")
            assert err < tolerance, (fw, mode, err)


if __name__ == "__main__":
    check(BENCHMARK)  # quick sizes on the CPU: the full size is for the runner (python -m ramverk run)
    print("full size:", BENCHMARK["sizes"]["full"], "" if os.environ.get("RAMVERK_QUICK") else "(measured by the runner)")
