"""One computation, f(x, W) = sum(tanh(x @ W)), run by plain Python and three frameworks.

Every section prints the same number: the mathematics does not change with the execution
model. Run it: python snippets/execution/same_math.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["python", "torch", "tensorflow", "jax"],
    "modes": {
        "python": ["plain"],
        "torch": ["eager", "compile"],
        "tensorflow": ["eager", "function"],
        "jax": ["eager", "jit"],
    },
    "sizes": {"quick": {"n": 8}, "full": {"n": 64}},
    "baseline": "eager",
}

# --8<-- [start:python]
import math


def f_python(x, w):
    """Plain Python: runs line by line the moment it is called; nothing is
    prepared ahead."""
    total = 0.0
    for row in x:
        for j in range(len(w[0])):
            total += math.tanh(sum(row[k] * w[k][j] for k in range(len(w))))
    return total


x = [[1.0, 2.0], [3.0, 4.0]]
w = [[0.5, -1.0], [0.25, 0.5]]
print(f"plain Python: {f_python(x, w):.4f}")
# --8<-- [end:python]

# --8<-- [start:torch]
import torch


def f_torch(x, w):
    return torch.tanh(x @ w).sum()


x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
w = torch.tensor([[0.5, -1.0], [0.25, 0.5]])
# computed on this line, right now
print(f"PyTorch eager: {f_torch(x, w).item():.4f}")
# --8<-- [end:torch]

# --8<-- [start:tensorflow]
import tensorflow as tf


# traced into a graph on the first call, the graph runs on later calls
@tf.function
def f_tf(x, w):
    return tf.reduce_sum(tf.tanh(x @ w))


x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
w = tf.constant([[0.5, -1.0], [0.25, 0.5]])
print(f"TensorFlow tf.function: {f_tf(x, w).numpy():.4f}")
# --8<-- [end:tensorflow]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


@jax.jit  # traced and compiled by XLA on the first call, cached afterwards
def f_jax(x, w):
    return jnp.tanh(x @ w).sum()


x = jnp.array([[1.0, 2.0], [3.0, 4.0]])
w = jnp.array([[0.5, -1.0], [0.25, 0.5]])
print(f"JAX jit: {float(f_jax(x, w)):.4f}")
# --8<-- [end:jax]


def build(framework, mode, device, n):
    """One step of f on n×n inputs, for the runner. Returns a callable that returns the result."""
    import numpy as np

    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((n, n)).astype("float32")
    w_np = rng.standard_normal((n, n)).astype("float32")
    if framework == "python":
        xl, wl = x_np.tolist(), w_np.tolist()
        return lambda: f_python(xl, wl)
    if framework == "torch":
        xt, wt = torch.from_numpy(x_np).to(device), torch.from_numpy(w_np).to(device)
        fn = torch.compile(f_torch) if mode == "compile" else f_torch
        return lambda: fn(xt, wt)
    if framework == "tensorflow":
        with tf.device(device):
            xt, wt = tf.constant(x_np), tf.constant(w_np)
        fn = f_tf if mode == "function" else f_tf.python_function
        return lambda: fn(xt, wt)
    if framework == "jax":
        dev = jax.devices(device)[0]
        xj, wj = jax.device_put(x_np, dev), jax.device_put(w_np, dev)
        fn = f_jax if mode == "jit" else f_jax.__wrapped__
        return lambda: fn(xj, wj)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    import numpy as np

    from ramverk.sections import runnable

    results = {fw: float(np.asarray(build(fw, BENCHMARK["modes"][fw][0], "cpu", **size)()))
               for fw in runnable(BENCHMARK["frameworks"])}
    print(f"n={size['n']}:", ", ".join(f"{fw} {v:.4f}" for fw, v in results.items()))
    assert max(results.values()) - min(results.values()) < 1e-3 * max(1.0, abs(results["python"]))
