"""Graphs that depend on the data, and graphs that run only what is asked for.

1. rnn: a tiny recurrent network in PyTorch; each sequence length records an autograd graph of its own.
2. branch: a data-dependent `if` in eager PyTorch; the recorded graph holds only the branch taken.
3. tf1: a TensorFlow 1 session runs only the ancestors of the fetched tensor.
4. tf_function: `tf.function` runs a side-effecting op even when nothing uses its result.
5. jax: an unused computation is in the jaxpr, and gone from the lowered program.

Run it: python snippets/execution/dynamic_graphs.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:rnn]
import torch

torch.manual_seed(0)
cell = torch.nn.RNNCell(input_size=3, hidden_size=4)
head = torch.nn.Linear(4, 1)


def graph_nodes(t):  # walk the autograd graph back from t
    seen, todo = set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and node not in seen:
            seen.add(node)
            todo += [nxt for nxt, _ in node.next_functions]
    return seen


def run(sequence):  # one step of the cell per element
    h = torch.zeros(1, 4)
    for x in sequence:
        h = cell(x.view(1, 3), h)
    return head(h).sum()


counts = {}
for length in (2, 3, 6):
    loss = run(torch.randn(length, 3))
    counts[length] = len(graph_nodes(loss))
    print(f"length {length}: {counts[length]} nodes in the graph")

per_step = counts[3] - counts[2]
assert per_step > 0 and counts[6] == counts[2] + 4 * per_step
print("each extra element adds", per_step, "nodes")
# --8<-- [end:rnn]

# --8<-- [start:branch]
import torch


def f(x):
    if x.sum() > 0:  # plain Python, decided by the data
        return (x * 2).sin().sum()
    return x.exp().sum()


for data in ([1.0, 2.0], [-1.0, -2.0]):
    x = torch.tensor(data, requires_grad=True)
    names, node = [], f(x).grad_fn
    while node is not None:  # a chain: follow the first input
        names.append(type(node).__name__)
        nxt = node.next_functions
        node = nxt[0][0] if nxt else None
    print(data, "->", " <- ".join(names))
    assert ("SinBackward0" in names) == (sum(data) > 0)
# --8<-- [end:branch]

# --8<-- [start:tf1]
import tensorflow as tf

ran = []  # filled in by the Python op when it runs


def costly(x):
    ran.append("costly")
    return x * 3.0


g = tf.Graph()
with g.as_default():
    x = tf.compat.v1.placeholder(tf.float32, shape=[])
    cheap = x + 1.0
    slow = tf.py_function(costly, [x], tf.float32)
    both = cheap + slow

with tf.compat.v1.Session(graph=g) as sess:
    print("fetch cheap:", sess.run(cheap, feed_dict={x: 2.0}), ran)
    assert ran == []  # its ancestors only: costly never ran
    print("fetch both: ", sess.run(both, feed_dict={x: 2.0}), ran)
    assert ran == ["costly"]
# --8<-- [end:tf1]

# --8<-- [start:tf_function]
import tensorflow as tf

ran = []


def costly(x):
    ran.append("costly")
    return x * 3.0


@tf.function
def f(x):
    unused = tf.py_function(costly, [x], tf.float32)  # noqa: F841
    return x + 1.0


print("result:", f(tf.constant(2.0)).numpy(), ran)
assert ran == ["costly"]  # a stateful op runs even though nothing reads it
# --8<-- [end:tf_function]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


def f(x):
    unused = jnp.sin(x) @ x.T  # noqa: F841
    return x + 1.0


x = jnp.ones((4, 4))
traced = [e.primitive.name for e in jax.make_jaxpr(f)(x).eqns]
lowered = jax.jit(f).lower(x).as_text()
print("jaxpr:", traced)
print("sine or dot in the lowered program:",
      "sine" in lowered or "dot" in lowered)
assert "dot_general" in traced and "sin" in traced
assert "sine" not in lowered and "dot" not in lowered
# --8<-- [end:jax]

# --8<-- [start:solution]
import torch

torch.manual_seed(0)
cell = torch.nn.RNNCell(input_size=3, hidden_size=4)


def n_nodes(length):
    h = torch.zeros(1, 4)
    for x in torch.randn(length, 3):
        h = cell(x.view(1, 3), h)
    seen, todo = set(), [h.sum().grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and node not in seen:
            seen.add(node)
            todo += [n for n, _ in node.next_functions]
    return len(seen)


sizes = [n_nodes(length) for length in range(1, 6)]
steps = {b - a for a, b in zip(sizes, sizes[1:])}
print("nodes for lengths 1-5:", sizes)
assert len(steps) == 1  # the same number of nodes per step
# --8<-- [end:solution]
