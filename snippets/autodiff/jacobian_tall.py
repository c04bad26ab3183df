"""jacfwd against jacrev for a tall function, R^n_in -> R^n_out: few inputs, many outputs, where forward mode needs fewer passes.

The function is a small network f(x) = W2 · tanh(W1 · x) with a hidden width of `hidden`.
Run it: python snippets/autodiff/jacobian_tall.py
Sweep the crossover (JAX, prints times): python snippets/autodiff/jacobian_tall.py --sweep
"""

import os
import sys

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["jacfwd", "jacrev"], "jax": ["jacfwd", "jacrev"]},
    "sizes": {"quick": {"n_in": 4, "n_out": 64, "hidden": 16}, "full": {"n_in": 16, "n_out": 2048, "hidden": 256}},
}

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


def make_f(n_in, n_out, hidden, seed=0, device="cpu"):
    k1, k2 = jax.random.split(jax.random.key(seed))
    w1 = jax.random.normal(k1, (hidden, n_in)) / n_in**0.5
    w2 = jax.random.normal(k2, (n_out, hidden)) / hidden**0.5
    # the weights live where x lives
    w1, w2 = jax.device_put((w1, w2), jax.devices(device)[0])
    return lambda x: w2 @ jnp.tanh(w1 @ x)


f = make_f(n_in=3, n_out=40, hidden=16)
x = jnp.ones(3)
J_fwd = jax.jit(jax.jacfwd(f))(x)  # one JVP per input: 3
J_rev = jax.jit(jax.jacrev(f))(x)  # one VJP per output: 40
print(
    J_fwd.shape, "same Jacobian:", bool(jnp.allclose(J_fwd, J_rev, atol=1e-5))
)
# --8<-- [end:jax]

# --8<-- [start:torch]
import torch
from torch.func import jacfwd, jacrev


def make_f_torch(n_in, n_out, hidden, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    # the weights live where x lives
    w1 = (torch.randn(hidden, n_in, generator=g) / n_in**0.5).to(device)
    w2 = (torch.randn(n_out, hidden, generator=g) / hidden**0.5).to(device)
    return lambda x: w2 @ torch.tanh(w1 @ x)


f = make_f_torch(n_in=3, n_out=40, hidden=16)
x = torch.ones(3)
J_fwd, J_rev = jacfwd(f)(x), jacrev(f)(x)
print(
    tuple(J_fwd.shape),
    "same Jacobian:",
    torch.allclose(J_fwd, J_rev, atol=1e-5),
)
# --8<-- [end:torch]


def build(framework, mode, device, n_in, n_out, hidden):
    """One full Jacobian of f at a fixed point, by forward (jacfwd) or reverse (jacrev) mode."""
    if framework == "jax":
        fn = make_f(n_in, n_out, hidden, device=device)
        jac = jax.jit(jax.jacfwd(fn) if mode == "jacfwd" else jax.jacrev(fn))
        x = jax.device_put(jnp.ones(n_in), jax.devices(device)[0])
        return lambda: jac(x)
    if framework == "torch":
        fn = make_f_torch(n_in, n_out, hidden, device=device)
        jac = jacfwd(fn) if mode == "jacfwd" else jacrev(fn)
        x = torch.ones(n_in, device=device)
        return lambda: jac(x)
    raise ValueError(f"unknown framework {framework!r}")


def sweep(n_in=256, hidden=256, outs=(16, 32, 64, 128, 256, 512, 1024, 2048), repeat=5):
    """Time both modes in JAX as the number of outputs grows past the number of inputs."""
    import timeit

    print(f"n_in={n_in}, hidden={hidden}: jacfwd/jacrev time ratio (>1 means jacrev is faster)")
    for n_out in outs:
        times = {}
        for mode in ("jacfwd", "jacrev"):
            step = build("jax", mode, "cpu", n_in=n_in, n_out=n_out, hidden=hidden)
            step().block_until_ready()
            number = 5
            times[mode] = min(timeit.repeat(lambda: step().block_until_ready(), number=number, repeat=repeat)) / number
        print(f"  n_out={n_out:5d}: jacfwd {times['jacfwd'] * 1e3:8.3f} ms, jacrev {times['jacrev'] * 1e3:8.3f} ms,"
              f" ratio {times['jacfwd'] / times['jacrev']:.2f}")


def check_agreement(size):
    """Both modes give the same n_out × n_in Jacobian in both frameworks (jacobian_wide.py uses it too)."""
    from ramverk.sections import runnable

    for fw in runnable(BENCHMARK["frameworks"]):
        a, b = (build(fw, m, "cpu", **size)() for m in ("jacfwd", "jacrev"))
        assert a.shape == (size["n_out"], size["n_in"])
        assert float(abs(a - b).max()) < 1e-4, fw
    print(f"{size}: jacfwd and jacrev agree in", " and ".join(runnable(BENCHMARK["frameworks"])))


if __name__ == "__main__":
    check_agreement(BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"])
    if "--sweep" in sys.argv:
        sweep()
