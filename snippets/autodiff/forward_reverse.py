"""Forward mode (JVP) and reverse mode (VJP) in JAX and torch.func, and how a Jacobian is built from them.

Run it: python snippets/autodiff/forward_reverse.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:jax]
import jax
import jax.numpy as jnp


def f(x):  # R^3 -> R^2
    return jnp.array([x[0] * x[1], jnp.sin(x[2]) + x[0]])


x = jnp.array([1.0, 2.0, 3.0])
J = jax.jacfwd(f)(x)  # the full 2×3 Jacobian, for comparison

# Forward mode: push a tangent v (an input direction) through f, get J @ v.
y, Jv = jax.jvp(f, (x,), (jnp.array([1.0, 0.0, 0.0]),))
print("J @ e0 =", Jv, "= first column of J:", J[:, 0])

# Reverse mode: run f once, then pull a cotangent u (an output weight) back, get
# u @ J.
y, pullback = jax.vjp(f, x)
(uJ,) = pullback(jnp.array([1.0, 0.0]))
print("e0 @ J =", uJ, "= first row of J:", J[0])
# --8<-- [end:jax]

# --8<-- [start:torch]
import torch
from torch.func import jacrev, jvp, vjp


def f(x):  # R^3 -> R^2
    return torch.stack([x[0] * x[1], torch.sin(x[2]) + x[0]])


x = torch.tensor([1.0, 2.0, 3.0])
J = jacrev(f)(x)

y, Jv = jvp(f, (x,), (torch.tensor([1.0, 0.0, 0.0]),))
print("J @ e0 =", Jv, "= first column of J:", J[:, 0])

y, pullback = vjp(f, x)
(uJ,) = pullback(torch.tensor([1.0, 0.0]))
print("e0 @ J =", uJ, "= first row of J:", J[0])
# --8<-- [end:torch]

# --8<-- [start:count]
import jax
import jax.numpy as jnp


def tall(x):  # R^2 -> R^6: few inputs, many outputs
    return jnp.concatenate([jnp.sin(x), jnp.cos(x), x**2])


x = jnp.array([0.5, 1.5])
# A Jacobian column per input direction (forward) or a row per output (reverse):
cols = [jax.jvp(tall, (x,), (jnp.eye(2)[i],))[1] for i in range(2)]
_, pullback = jax.vjp(tall, x)
rows = [pullback(jnp.eye(6)[i])[0] for i in range(6)]
print(f"tall 6×2 Jacobian: {len(cols)} JVPs or {len(rows)} VJPs")
assert jnp.allclose(jnp.stack(cols, axis=1), jnp.stack(rows, axis=0))
# --8<-- [end:count]

if __name__ == "__main__":
    n = 4 if os.environ.get("RAMVERK_QUICK") else 64
    w = jax.random.normal(jax.random.key(0), (n, 3 * n))
    g = lambda v: jnp.tanh(w @ v)  # noqa: E731
    v = jnp.ones(3 * n)
    assert jnp.allclose(jax.jacfwd(g)(v), jax.jacrev(g)(v), atol=1e-5)
    print(f"jacfwd and jacrev agree on a {n}×{3 * n} Jacobian")
