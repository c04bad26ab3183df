"""The computational graph of f(a, b) = a · (a + b): forward values, reverse pass by hand, three frameworks.

Run it: python snippets/autodiff/computational_graph.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:by_hand]
# Forward pass: evaluate each node of the graph once, keeping the values.
a, b = 2.0, 3.0
c = a + b  # node c = a + b      -> 5
f = a * c  # node f = a · c      -> 10

# Reverse pass: start from df/df = 1 and walk the graph backwards,
# multiplying by each node's local derivative and adding where paths meet.
f_bar = 1.0
c_bar = f_bar * a  # f = a · c, so df/dc = a
a_bar = f_bar * c  # ... and df/da (the direct path through the product) = c
a_bar += c_bar * 1.0  # c = a + b, so dc/da = 1: the second path into a adds up
b_bar = c_bar * 1.0  # dc/db = 1
print(
    f"f = {f}, df/da = {a_bar} (2a + b = {2 * a + b}), "
    f"df/db = {b_bar} (a = {a})"
)
assert (a_bar, b_bar) == (2 * a + b, a)
# --8<-- [end:by_hand]

# --8<-- [start:torch]
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
f = a * (a + b)  # the graph is recorded while this line runs
f.backward()  # the reverse pass fills a.grad and b.grad
print(
    f"PyTorch: f = {f.item()}, df/da = {a.grad.item()}, df/db = {b.grad.item()}"
)
assert (a.grad.item(), b.grad.item()) == (7.0, 2.0)
# --8<-- [end:torch]

# --8<-- [start:paths_vs_calls]
import torch

a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)

# 1. Within ONE backward pass: a reaches f along two paths, and the chain
#    rule adds their contributions. Every framework does this.
f = a * (a + b)
(df_da,) = torch.autograd.grad(f, a)  # returns the gradient; .grad untouched
print("one pass, two paths: df/da =", df_da.item())  # c + a = 5 + 2
assert df_da.item() == 7.0 and a.grad is None

# 2. ACROSS backward calls: .backward() adds into a.grad instead of
#    overwriting it, PyTorch's choice that makes gradient accumulation easy.
for call in (1, 2):
    f = a * (a + b)  # a new forward pass, a new graph
    f.backward()
    print(f"after backward call {call}: a.grad =", a.grad.item())
assert a.grad.item() == 14.0  # 7 + 7: two calls, not two paths
# --8<-- [end:paths_vs_calls]

# --8<-- [start:tensorflow]
import tensorflow as tf

a = tf.Variable(2.0)
b = tf.Variable(3.0)
# the tape records the operations run inside the block
with tf.GradientTape() as tape:
    f = a * (a + b)
da, db = tape.gradient(f, [a, b])
print(
    f"TensorFlow: f = {f.numpy()}, df/da = {da.numpy()}, df/db = {db.numpy()}"
)
assert (da.numpy(), db.numpy()) == (7.0, 2.0)
# --8<-- [end:tensorflow]

# --8<-- [start:jax]
import jax


def f(a, b):
    return a * (a + b)


da, db = jax.grad(f, argnums=(0, 1))(2.0, 3.0)  # grad returns a new function
print(f"JAX: f = {f(2.0, 3.0)}, df/da = {da}, df/db = {db}")
assert (float(da), float(db)) == (7.0, 2.0)
# --8<-- [end:jax]

# --8<-- [start:traces]
import jax
import tensorflow as tf
import torch


def f(a, b):
    return a * (a + b)


print("JAX jaxpr:")
print(jax.make_jaxpr(f)(2.0, 3.0))

print("torch.fx graph:")
print(torch.fx.symbolic_trace(f).graph)

print("tf.function graph operations:")
graph = (
    tf.function(f)
    .get_concrete_function(
        tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.float32)
    )
    .graph
)
print([(op.type, op.name) for op in graph.get_operations()])
# --8<-- [end:traces]


def gradients(a, b):
    """df/da and df/db from each framework installed here, and by hand, for the cross-check."""
    from ramverk.sections import runnable

    found = {"by hand": (2 * a + b, a)}
    here = runnable(["torch", "tensorflow", "jax"])
    if "torch" in here:
        import torch

        ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        (ta * (ta + tb)).backward()
        found["torch"] = (ta.grad.item(), tb.grad.item())
    if "tensorflow" in here:
        import tensorflow as tf

        va, vb = tf.Variable(a), tf.Variable(b)
        with tf.GradientTape() as tape:
            out = va * (va + vb)
        ga, gb = tape.gradient(out, [va, vb])
        found["tensorflow"] = (float(ga), float(gb))
    if "jax" in here:
        import jax

        ja, jb = jax.grad(lambda x, y: x * (x + y), argnums=(0, 1))(a, b)
        found["jax"] = (float(ja), float(jb))
    return found


if __name__ == "__main__":
    import random

    random.seed(0)
    for _ in range(2 if os.environ.get("RAMVERK_QUICK") else 10):
        a, b = random.uniform(-3, 3), random.uniform(-3, 3)
        grads = gradients(a, b)
        ref = grads["by hand"]
        for name, (ga, gb) in grads.items():
            assert abs(ga - ref[0]) < 1e-5 and abs(gb - ref[1]) < 1e-5, (name, ga, gb, ref)
    print("every framework here agrees with the hand derivation:", grads)
