"""What one small eager operation costs in each framework: the fixed price per operation that a
small model's training step pays dozens of times (the MNIST experiment's 32 × 128 activations).

Each section runs a chain of additions on a 32 × 128 float32 array, each addition waiting for the
one before, and prints the time per addition.
Run it: python snippets/execution/dispatch_cost.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

# --8<-- [start:torch]
import time

import torch

torch.set_num_threads(1)


def chain(y, ops):  # each addition needs the result of the one before
    for _ in range(ops):
        y = y + 1.0
    return y


y = torch.zeros(32, 128)
chain(y, 100)  # warm-up
start = time.perf_counter()
out = chain(y, 1000)
seconds = time.perf_counter() - start
assert float(out[0, 0]) == 1000.0
print(f"PyTorch eager: {seconds / 1000 * 1e6:.1f} µs per operation")
# --8<-- [end:torch]

# --8<-- [start:tensorflow]
import time

import tensorflow as tf


def chain(y, ops):  # each addition needs the result of the one before
    for _ in range(ops):
        y = y + 1.0
    return y


y = tf.zeros([32, 128])
chain(y, 100)  # warm-up
start = time.perf_counter()
out = chain(y, 1000)
seconds = time.perf_counter() - start
assert float(out[0, 0]) == 1000.0
print(f"TensorFlow eager: {seconds / 1000 * 1e6:.1f} µs per operation")
# --8<-- [end:tensorflow]

# --8<-- [start:jax]
import time

import jax.numpy as jnp


def chain(y, ops):  # each addition needs the result of the one before
    for _ in range(ops):
        y = y + 1.0
    return y


y = jnp.zeros((32, 128))
chain(y, 100).block_until_ready()  # warm-up
start = time.perf_counter()
out = chain(y, 1000).block_until_ready()  # wait for the last result
seconds = time.perf_counter() - start
assert float(out[0, 0]) == 1000.0
print(f"JAX eager: {seconds / 1000 * 1e6:.1f} µs per operation")
# --8<-- [end:jax]
