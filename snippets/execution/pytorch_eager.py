"""PyTorch eager: the graph is built while the code runs.

Ordinary Python works on tensors (print, pdb, if, while), and autograd records a graph of
grad_fn nodes as each operation executes. Run it: python snippets/execution/pytorch_eager.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:print_control]
import torch

x = torch.tensor([3.0, 4.0])
norm = x.norm()
print("norm computed right now:", norm)  # a real number, not a placeholder

steps = 0
# Python control flow on a tensor value: nothing special needed
while x.norm() > 1.0:
    x = x / 2
    steps += 1
print(f"halved {steps} times, x = {x}")
# --8<-- [end:print_control]

# --8<-- [start:pdb]
import io
import pdb
import sys

import torch


def layer(x, w):
    h = x @ w
    pdb.Pdb(
        stdin=io.StringIO("p h.shape\np h.mean().item()\ncontinue\n"),
        stdout=sys.stdout,
    ).set_trace()
    return torch.relu(h)


torch.manual_seed(0)
# pdb stops inside, prints h, then continues
out = layer(torch.randn(4, 3), torch.randn(3, 2))
print("done:", out.shape)
# --8<-- [end:pdb]

# --8<-- [start:grad_fn]
import torch

w = torch.tensor([2.0, -1.0], requires_grad=True)
x = torch.tensor([1.0, 3.0])
loss = torch.relu(w * x).sum()

node, depth = loss.grad_fn, 0
# walk the graph autograd recorded while the line above ran
while node is not None:
    print("  " * depth + type(node).__name__)
    parents = [f for f, _ in node.next_functions if f is not None]
    node, depth = (parents[0] if parents else None), depth + 1

loss.backward()
print("dloss/dw =", w.grad)
# --8<-- [end:grad_fn]

# --8<-- [start:dynamic]
import torch


def f(x):
    if x.sum() > 0:  # the branch taken decides which graph gets recorded
        return (x * x).sum()
    return x.exp().sum()


for value in (1.0, -1.0):
    y = f(torch.tensor([value], requires_grad=True))
    print(f"input {value:+}: graph ends in {type(y.grad_fn).__name__} <- "
          f"{type(y.grad_fn.next_functions[0][0]).__name__}")
# --8<-- [end:dynamic]

# --8<-- [start:pitfall]
import torch

w = torch.tensor(2.0, requires_grad=True)
loss = (w * w).exp()
loss.backward()  # frees the recorded graph once the gradients are computed
try:
    loss.backward()
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:pitfall]

# --8<-- [start:tape_tf]
import tensorflow as tf

w = tf.Variable([2.0, -1.0])
x = tf.constant([1.0, 3.0])
# TensorFlow eager records onto a tape, only inside this block
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.nn.relu(w * x))
print("loss, computed at once:", float(loss))
print("dloss/dw =", tape.gradient(loss, w).numpy())
# --8<-- [end:tape_tf]

# --8<-- [start:grad_jax]
import jax
import jax.numpy as jnp


def loss_fn(w, x):
    return jax.nn.relu(w * x).sum()


w = jnp.array([2.0, -1.0])
x = jnp.array([1.0, 3.0])
# JAX is eager too, outside jit
print("loss, computed at once:", float(loss_fn(w, x)))
# grad traces loss_fn on every call and differentiates the trace
print("dloss/dw =", jax.grad(loss_fn)(w, x))
# --8<-- [end:grad_jax]

# --8<-- [start:grad_traces]
import jax
import jax.numpy as jnp


def loss_fn(w, x):
    print("  loss_fn runs, w is a", type(w).__name__)  # a tracer, not an array
    return jax.nn.relu(w * x).sum()


w = jnp.array([2.0, -1.0])
x = jnp.array([1.0, 3.0])
grad_fn = jax.grad(loss_fn)
print("jax.grad, two calls:")
grad_fn(w, x)
grad_fn(w, x)  # traced again
print("jax.jit(jax.grad), two calls:")
fast_grad = jax.jit(grad_fn)
fast_grad(w, x)
fast_grad(w, x)  # the compiled trace is reused: loss_fn does not run
# --8<-- [end:grad_traces]

if __name__ == "__main__":
    print("pytorch_eager: all demonstrations ran")
