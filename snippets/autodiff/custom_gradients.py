"""Custom gradients: the seed's Sigmoid as torch.autograd.Function, jax.custom_vjp, tf.custom_gradient;
a numerically stable gradient and a straight-through estimator.

Run it: python snippets/autodiff/custom_gradients.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:torch]
import torch


class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + torch.exp(-x))
        # keep what backward needs: the output is enough
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1 - y)  # σ'(x) = σ(x)(1 − σ(x))


def sigmoid(x):
    return Sigmoid.apply(x)


x = torch.linspace(-4, 4, 9, dtype=torch.float64, requires_grad=True)
# compares with finite differences
print("gradcheck:", torch.autograd.gradcheck(sigmoid, (x,)))
sigmoid(x).sum().backward()
print(
    "matches torch.sigmoid:",
    torch.allclose(x.grad, torch.sigmoid(x) * (1 - torch.sigmoid(x))),
)
# --8<-- [end:torch]

# --8<-- [start:gradcheck_fail]
import torch


class WrongSigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y  # forgot the (1 − y) factor


x = torch.linspace(-2, 2, 5, dtype=torch.float64, requires_grad=True)
try:
    torch.autograd.gradcheck(WrongSigmoid.apply, (x,))
except Exception as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:gradcheck_fail]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


@jax.custom_vjp
def sigmoid(x):
    return 1 / (1 + jnp.exp(-x))


def sigmoid_fwd(x):
    y = sigmoid(x)
    return y, y  # (output, residuals saved for the backward pass)


def sigmoid_bwd(y, g):
    return (g * y * (1 - y),)  # one cotangent per input, as a tuple


sigmoid.defvjp(sigmoid_fwd, sigmoid_bwd)

x = jnp.linspace(-4.0, 4.0, 9)
ours = jax.vmap(jax.grad(sigmoid))(x)
print(
    "matches jax.nn.sigmoid:",
    bool(jnp.allclose(ours, jax.vmap(jax.grad(jax.nn.sigmoid))(x))),
)
# --8<-- [end:jax]

# --8<-- [start:tensorflow]
import tensorflow as tf


@tf.custom_gradient
def sigmoid(x):
    y = 1 / (1 + tf.exp(-x))

    def grad(upstream):
        return upstream * y * (1 - y)

    return y, grad


x = tf.linspace(-4.0, 4.0, 9)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    ours, reference = sigmoid(x), tf.sigmoid(x)
same = tf.reduce_all(
    tf.abs(tape.gradient(ours, x) - tape.gradient(reference, x)) < 1e-6
)
print("matches tf.sigmoid:", bool(same))
# --8<-- [end:tensorflow]

# --8<-- [start:stable]
import jax
import jax.numpy as jnp


def softplus_naive(x):
    return jnp.log(1 + jnp.exp(x))  # e^x overflows to inf for large x


def softplus_safe(x):
    # a safe forward pass: above 20, log(1 + e^x) equals x in float32
    return jnp.where(x > 20.0, x, jnp.log1p(jnp.exp(x)))


@jax.custom_jvp
def softplus(x):
    return jnp.where(x > 20.0, x, jnp.log1p(jnp.exp(x)))


@softplus.defjvp
def softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    # d/dx log(1 + e^x) = σ(x), which never overflows
    return softplus(x), jax.nn.sigmoid(x) * t


# float32, JAX's default: with jax_enable_x64, e^100 would not overflow
x = jnp.float32(100.0)
for name, f in [
    ("naive", softplus_naive),
    ("safe forward", softplus_safe),
    ("custom_jvp", softplus),
]:
    value, slope = float(f(x)), float(jax.grad(f)(x))
    print(f"{name:12}: f({x}) = {value}, f'({x}) = {slope}")
# the safe forward is right, but autodiff still differentiates the branch
# jnp.where discards, and 0 · nan is nan:
assert float(softplus_safe(x)) == 100.0
assert jnp.isnan(jax.grad(softplus_safe)(x))
assert float(jax.grad(softplus)(x)) == 1.0  # the custom rule fixes it
assert float(jax.grad(softplus)(1.0)) == float(jax.nn.sigmoid(1.0))
# --8<-- [end:stable]

# --8<-- [start:straight_through]
import torch


class RoundSTE(torch.autograd.Function):
    """Round in the forward pass; pretend it was the identity in the
    backward pass."""

    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


x = torch.tensor([0.2, 0.7, 1.4], requires_grad=True)
torch.round(x).sum().backward()
# zero almost everywhere: nothing to learn from
print("gradient through torch.round:", x.grad)
x.grad = None
RoundSTE.apply(x).sum().backward()
print("gradient through RoundSTE:   ", x.grad)
# a deliberate lie, and gradcheck (finite differences) catches it:
xd = torch.tensor([0.2, 0.7, 1.4], dtype=torch.float64, requires_grad=True)
try:
    torch.autograd.gradcheck(RoundSTE.apply, (xd,))
    raise AssertionError("gradcheck accepted the straight-through rule")
except RuntimeError as e:  # GradcheckError
    print("gradcheck:", type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:straight_through]


def sigmoid_grads(values):
    """σ'(x) from the custom implementation of each framework installed here, for the cross-check test."""
    import numpy as np

    from ramverk.sections import runnable

    found = {}
    here = runnable(["torch", "jax", "tensorflow"])
    if "torch" in here:
        import torch

        xt = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        Sigmoid.apply(xt).sum().backward()  # the torch section's autograd.Function
        found["torch"] = xt.grad.numpy()
    if "jax" in here:
        import jax
        import jax.numpy as jnp

        @jax.custom_vjp
        def jsig(x):
            return 1 / (1 + jnp.exp(-x))

        jsig.defvjp(lambda x: (jsig(x), jsig(x)), lambda y, g: (g * y * (1 - y),))
        found["jax"] = np.asarray(jax.grad(lambda v: jsig(v).sum())(jnp.asarray(values, dtype=jnp.float32)))
    if "tensorflow" in here:
        import tensorflow as tf

        @tf.custom_gradient
        def tsig(x):
            y = 1 / (1 + tf.exp(-x))
            return y, lambda up: up * y * (1 - y)

        xv = tf.constant(values, dtype=tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(xv)
            out = tf.reduce_sum(tsig(xv))
        found["tensorflow"] = tape.gradient(out, xv).numpy()
    return found


if __name__ == "__main__":
    import numpy as np

    values = list(np.linspace(-6, 6, 5 if os.environ.get("RAMVERK_QUICK") else 101))
    grads = sigmoid_grads(values)
    s = 1 / (1 + np.exp(-np.array(values)))
    for name, g in grads.items():
        assert np.allclose(g, s * (1 - s), atol=1e-6), name
    print(f"custom sigmoid gradients agree in {', '.join(grads)} on {len(values)} points")
