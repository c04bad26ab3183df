"""Portable device handling in PyTorch, TensorFlow and JAX, and reproducible runs.

Run it: python snippets/hardware/devices.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:torch]
import torch


def pick_device() -> torch.device:
    """The best device this machine has: an NVIDIA GPU, then Apple's GPU,
    then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


device = pick_device()
# moves the parameters (in place for a Module)
model = torch.nn.Linear(3, 1).to(device)
x = torch.ones(4, 3).to(device)  # returns a new tensor: keep the result!
print(
    "device:",
    device,
    "| model on",
    next(model.parameters()).device,
    "| x on",
    x.device,
)
print("output:", model(x).shape)
# --8<-- [end:torch]

# --8<-- [start:seeds]
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    # error out instead of silently using a nondeterministic kernel
    torch.use_deterministic_algorithms(True)


def run():
    seed_everything(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1)
    )
    return model(torch.randn(5, 3)).sum().item()


first, second = run(), run()
print(f"run 1: {first:.6f}  run 2: {second:.6f}  identical: {first == second}")
# --8<-- [end:seeds]

# --8<-- [start:tensorflow]
import tensorflow as tf

print(
    "physical devices:",
    [d.device_type for d in tf.config.list_physical_devices()],
)
name = "/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0"
# every tensor created or computed in this block is placed on `name`
with tf.device(name):
    y = tf.ones((4, 3)) @ tf.ones((3, 1))
print("y lives on", y.device)
tf.keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow together
# --8<-- [end:tensorflow]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp

print("devices:", jax.devices(), "| default backend:", jax.default_backend())
x = jax.device_put(jnp.arange(5.0), jax.devices()[0])  # explicit placement
print("x lives on", x.devices())
# JAX has no global seed: randomness is an explicit, reproducible key
key = jax.random.key(0)
print(jax.random.normal(key, (3,)), "equals", jax.random.normal(key, (3,)))
# --8<-- [end:jax]

if __name__ == "__main__":
    print("all three frameworks picked a device and ran on it")
