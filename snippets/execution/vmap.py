"""Vectorising with vmap: a function written for one example, run on a batch three ways – a Python
loop, batched by hand, and through jax.vmap / torch.func.vmap – with the jaxpr and the ATen graph that
vmap produces, and per-sample gradients, vmap's classic use.

The function is one dense layer on one example, tanh(W x + b), W of shape (dim, dim); the batch has
`batch` examples. In JAX every mode is jitted (the loop too: tracing unrolls it into `batch` matrix-vector
products), so the table compares the programs XLA gets; in PyTorch every mode runs eagerly.
Run it: .venv/bin/python snippets/execution/vmap.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["loop", "batched", "vmap"], "jax": ["loop", "batched", "vmap"]},
    "sizes": {"quick": {"batch": 4, "dim": 8}, "full": {"batch": 256, "dim": 128}},
    "baseline": "loop",
    "work": {"flops": "2*batch*dim*dim"},
}

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


def layer(w, b, x):  # written for one example: x is a vector
    return jnp.tanh(w @ x + b)


w, b = jnp.ones((3, 4)), jnp.zeros(3)
xs = jnp.ones((5, 4))  # five examples

print("one example:")
print(jax.make_jaxpr(layer)(w, b, xs[0]))
# in_axes: w and b are shared, x is batched along its axis 0
batched = jax.vmap(layer, in_axes=(None, None, 0))
print("vmap over five:")
print(jax.make_jaxpr(batched)(w, b, xs))


def loop(w, b, xs):
    return jnp.stack([layer(w, b, x) for x in xs])


print("Python loop over five:", len(jax.make_jaxpr(loop)(w, b, xs).eqns),
      "equations")


def compiled_dots(f):  # matrix products left in the program XLA compiled
    return jax.jit(f).lower(w, b, xs).compile().as_text().count(" dot(")


print("dots after XLA: loop", compiled_dots(loop),
      "| vmap", compiled_dots(batched))
# --8<-- [end:jax]

# --8<-- [start:torch]
import torch
from torch.func import vmap
from torch.fx.experimental.proxy_tensor import make_fx


def layer(w, b, x):  # written for one example: x is a vector
    return torch.tanh(w @ x + b)


w, b = torch.ones(3, 4), torch.zeros(3)
xs = torch.ones(5, 4)  # five examples

# make_fx records the ATen operators that really run
print("one example:", make_fx(layer)(w, b, xs[0]).code.strip())
batched = vmap(layer, in_dims=(None, None, 0))
print("vmap over five:", make_fx(batched)(w, b, xs).code.strip())
assert torch.equal(batched(w, b, xs), torch.tanh(xs @ w.T + b))
# --8<-- [end:torch]

# --8<-- [start:limits]
import torch
from torch.func import vmap


def clip_if_large(x):  # a Python `if` on a value inside the batch
    if x.sum() > 0:
        return x.clamp(max=1.0)
    return x


try:
    vmap(clip_if_large)(torch.randn(4, 3, generator=torch.manual_seed(0)))
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).split(". ")[0])


def clip_where(x):  # the same, as data: both branches, then pick
    return torch.where(x.sum() > 0, x.clamp(max=1.0), x)


print(vmap(clip_where)(torch.tensor([[2.0, 3.0], [-2.0, -3.0]])))
# --8<-- [end:limits]

# --8<-- [start:per_sample_torch]
import torch
from torch.func import functional_call, grad, vmap

torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
params = {k: v.detach() for k, v in model.named_parameters()}
xs, ys = torch.randn(8, 4), torch.randn(8, 1)


def loss(params, x, y):  # the loss of ONE example
    prediction = functional_call(model, params, (x,))
    return ((prediction - y) ** 2).mean()


# grad: d loss / d params; vmap: for every example at once
per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
print({k: tuple(g.shape) for k, g in per_sample.items()})

# the same with a loop: one backward pass per example
for i in range(len(xs)):
    one = grad(loss)(params, xs[i], ys[i])
    assert all(torch.allclose(one[k], per_sample[k][i], atol=1e-6) for k in one)
print("equal to", len(xs), "backward passes, one per example")
# --8<-- [end:per_sample_torch]

# --8<-- [start:per_sample_jax]
import jax
import jax.numpy as jnp
import numpy as np

rng = np.random.default_rng(0)
params = {"w": jnp.asarray(rng.standard_normal(4)), "b": jnp.zeros(())}
xs = jnp.asarray(rng.standard_normal((8, 4)))  # eight examples
ys = jnp.asarray(rng.standard_normal(8))


def loss(params, x, y):  # the loss of ONE example
    return (x @ params["w"] + params["b"] - y) ** 2


per_sample_grads = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)))
per_sample = per_sample_grads(params, xs, ys)
print({k: g.shape for k, g in per_sample.items()})


# the mean of the per-sample gradients is the ordinary batch gradient
@jax.jit
@jax.grad
def batch_grad(params):
    return jax.vmap(loss, (None, 0, 0))(params, xs, ys).mean()


assert jnp.allclose(per_sample["w"].mean(0), batch_grad(params)["w"], atol=1e-6)
print("their mean equals the batch gradient")
# --8<-- [end:per_sample_jax]

# --8<-- [start:solution]
import jax
import jax.numpy as jnp


def distance(a, b):  # between two points
    return jnp.sqrt(jnp.sum((a - b) ** 2))


points = jnp.arange(12.0).reshape(4, 3)
# inner vmap: one point against all; outer vmap: every point
pairwise = jax.vmap(jax.vmap(distance, (None, 0)), (0, None))
table = pairwise(points, points)
print(table)
by_broadcasting = jnp.linalg.norm(points[:, None] - points[None], axis=-1)
assert jnp.allclose(table, by_broadcasting)
equations = jax.make_jaxpr(pairwise)(points, points).eqns
print("equations:", [e.primitive.name for e in equations])
# --8<-- [end:solution]


def build(framework, mode, device, batch, dim):
    """tanh(W x + b) for each of `batch` examples; the callable returns the (batch, dim) result."""
    rng = np.random.default_rng(0)
    w_np = (rng.standard_normal((dim, dim)) / np.sqrt(dim)).astype("float32")
    b_np = rng.standard_normal(dim).astype("float32")
    xs_np = rng.standard_normal((batch, dim)).astype("float32")
    if framework == "torch":
        import torch
        from torch.func import vmap

        w, b, xs = (torch.from_numpy(a).to(device) for a in (w_np, b_np, xs_np))

        def layer_t(w, b, x):
            return torch.tanh(w @ x + b)

        if mode == "loop":
            return lambda: torch.stack([layer_t(w, b, x) for x in xs])
        if mode == "batched":  # by hand: the examples become the rows of one matrix product
            return lambda: torch.tanh(xs @ w.T + b)
        batched_t = vmap(layer_t, in_dims=(None, None, 0))
        return lambda: batched_t(w, b, xs)
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        where = jax.devices(device)[0]
        w, b, xs = (jax.device_put(a, where) for a in (w_np, b_np, xs_np))

        def layer_j(w, b, x):
            return jnp.tanh(w @ x + b)

        fn = {
            "loop": lambda w, b, xs: jnp.stack([layer_j(w, b, x) for x in xs]),  # unrolled by tracing
            "batched": lambda w, b, xs: jnp.tanh(xs @ w.T + b),
            "vmap": jax.vmap(layer_j, in_axes=(None, None, 0)),
        }[mode]
        jitted = jax.jit(fn)
        return lambda: jitted(w, b, xs)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    rng = np.random.default_rng(0)
    dim = size["dim"]
    w_np = (rng.standard_normal((dim, dim)) / np.sqrt(dim)).astype("float32")
    b_np = rng.standard_normal(dim).astype("float32")
    expected = np.tanh(rng.standard_normal((size["batch"], dim)).astype("float32") @ w_np.T + b_np)
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = np.asarray(build(fw, mode, "cpu", **size)())
            assert np.allclose(out, expected, atol=1e-5), (fw, mode)
            print(f"{fw}/{mode}: {out.shape[0]} examples, equal to NumPy")
