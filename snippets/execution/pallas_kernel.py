"""Writing your own kernel in JAX with Pallas: the fusion page's chain of eight elementwise operations
as one hand-written kernel, checked against the same chain in jax.numpy.

Pallas kernels compile for GPUs and TPUs only; on the CPU, `interpret=True` runs the kernel's body as
ordinary JAX operations, one grid step after the other, which is for checking a kernel, not for speed.
build() interprets on the CPU and compiles elsewhere, so the runner's CPU column times the interpreter
and a GPU column would time the compiled kernel. "jnp" is the chain through jax.jit (XLA fuses it).
Run it: .venv/bin/python snippets/execution/pallas_kernel.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["jax"],
    "modes": {"jax": ["jnp", "pallas"]},
    "sizes": {"quick": {"n": 1024, "block": 256}, "full": {"n": 1048576, "block": 4096}},
    "baseline": "jnp",
    "work": {"bytes": "8*n"},
}

# --8<-- [start:pallas]
import jax
import jax.numpy as jnp
from jax.experimental import pallas as pl


def chain(x):  # eight elementwise operations, as on the fusion page
    return jax.nn.sigmoid(jnp.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0


def chain_kernel(x_ref, out_ref):  # runs once per block of the grid
    x = x_ref[...]  # load this block
    out_ref[...] = chain(x)  # all eight operations, then one store


def chain_pallas(x, block=256):
    return pl.pallas_call(
        chain_kernel,
        out_shape=jax.ShapeDtypeStruct(x.shape, x.dtype),
        grid=(x.shape[0] // block,),  # one program per block
        # program i reads block i of x and writes block i of the output
        in_specs=[pl.BlockSpec((block,), lambda i: (i,))],
        out_specs=pl.BlockSpec((block,), lambda i: (i,)),
        # Pallas has no compiler for CPUs: interpret the kernel there
        interpret=jax.default_backend() == "cpu",
    )(x)


x = jnp.linspace(-3.0, 3.0, 1024)
out = jax.jit(chain_pallas)(x)
difference = float(jnp.max(jnp.abs(out - chain(x))))
print("grid:", 1024 // 256, "programs of 256 floats")
print("equal to jax.numpy within 1e-5:", difference < 1e-5)
# on the CPU, interpret mode turns the grid into a loop of ordinary operations
program = jax.jit(chain_pallas).lower(x).as_text()
print("a while loop over the grid:", "while" in program)
# --8<-- [end:pallas]

# --8<-- [start:solution]
import jax
import jax.numpy as jnp
from jax.experimental import pallas as pl


def relu_add_kernel(x_ref, y_ref, out_ref):  # two inputs, one output
    out_ref[...] = jnp.maximum(x_ref[...], 0.0) + y_ref[...]


def relu_add(x, y, block=128):
    # the same blocks for both inputs and the output
    spec = pl.BlockSpec((block,), lambda i: (i,))
    return pl.pallas_call(
        relu_add_kernel,
        out_shape=jax.ShapeDtypeStruct(x.shape, x.dtype),
        grid=(x.shape[0] // block,),
        in_specs=[spec, spec],
        out_specs=spec,
        interpret=jax.default_backend() == "cpu",
    )(x, y)


x, y = jnp.linspace(-1.0, 1.0, 512), jnp.ones(512)
assert jnp.allclose(jax.jit(relu_add)(x, y), jax.nn.relu(x) + y)
print("equal to jax.nn.relu(x) + y")
# --8<-- [end:solution]


def build(framework, mode, device, n, block):
    """The chain on n float32 values: jax.jit of jax.numpy, or the Pallas kernel (interpreted on the CPU)."""
    if framework != "jax":
        raise ValueError(f"unknown framework {framework!r}")
    import jax
    import jax.numpy as jnp
    from jax.experimental import pallas as pl

    def chain_j(x):
        return jax.nn.sigmoid(jnp.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0

    def kernel(x_ref, out_ref):
        out_ref[...] = chain_j(x_ref[...])

    x = jax.device_put(np.linspace(-3.0, 3.0, n, dtype="float32"), jax.devices(device)[0])
    if mode == "jnp":
        fn = jax.jit(chain_j)
    else:
        spec = pl.BlockSpec((block,), lambda i: (i,))
        fn = jax.jit(pl.pallas_call(kernel, out_shape=jax.ShapeDtypeStruct((n,), jnp.float32), grid=(n // block,),
                                    in_specs=[spec], out_specs=spec, interpret=device == "cpu"))
    return lambda: fn(x)


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    x = np.linspace(-3.0, 3.0, size["n"], dtype="float32")
    expected = 1 / (1 + np.exp(-(np.tanh(x * 1.5 + 0.5) * 2.0 - x))) * 3.0 + 1.0
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = np.asarray(build(fw, mode, "cpu", **size)())
            assert np.allclose(out, expected, atol=1e-5), mode
            print(f"{fw}/{mode}: n={size['n']}, equal to NumPy")
