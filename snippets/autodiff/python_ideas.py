"""Python ideas the frameworks lean on: context managers, hooks, pure functions.

Run it: python snippets/autodiff/python_ideas.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:context_builtin]
import tensorflow as tf
import torch

w = torch.tensor(1.0, requires_grad=True)
print("grad mode on entry:", torch.is_grad_enabled())
with torch.no_grad():  # __enter__ switches recording off ...
    print(
        "inside no_grad:",
        torch.is_grad_enabled(),
        "| (w * 2).requires_grad =",
        (w * 2).requires_grad,
    )
# ... __exit__ switches it back on
print("after the block:", torch.is_grad_enabled())

v = tf.Variable(1.0)
with tf.GradientTape() as tape:  # __enter__ starts recording, __exit__ stops it
    y = v * 2
z = v * 3  # outside the block: not on the tape
print("dy/dv:", tape.gradient(y, v).numpy())
# --8<-- [end:context_builtin]

# --8<-- [start:context_own]
import contextlib
import time


@contextlib.contextmanager
def stopwatch(label, log):
    start = time.perf_counter()
    try:
        yield  # the body of the with-block runs here
    finally:  # runs even if the body raises
        log.append((label, time.perf_counter() - start))


log = []
with stopwatch("sum", log):
    total = sum(range(100_000))
try:
    with stopwatch("failing", log):
        raise ValueError("boom")
except ValueError:
    pass
# both blocks were timed, the failing one too
print("entries logged:", [label for label, _ in log])
# --8<-- [end:context_own]

# --8<-- [start:tensor_hook]
import torch

w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
seen = []
# look at the gradient on its way in
w.register_hook(lambda grad: seen.append(grad.clone()))
# or change it: gradient clipping per tensor
w.register_hook(lambda grad: grad.clamp(-1, 1))
(w**2).sum().backward()
print("gradient seen by the hook:", seen[0], "| stored in w.grad:", w.grad)
# --8<-- [end:tensor_hook]

# --8<-- [start:module_hook]
import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)
)
activations = {}


def log_activation(name):
    def hook(module, inputs, output):  # called after module.forward
        activations[name] = (
            tuple(output.shape),
            round(output.abs().mean().item(), 4),
        )

    return hook


handles = [
    m.register_forward_hook(log_activation(n))
    for n, m in model.named_children()
]
model(torch.randn(3, 4))
for name, info in activations.items():
    print(f"layer {name}: shape {info[0]}, mean |activation| {info[1]}")
for h in handles:
    h.remove()  # hooks stay until removed
# --8<-- [end:module_hook]

# --8<-- [start:keras_callback]
import keras
import numpy as np

keras.utils.set_random_seed(0)


class LossLogger(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    # Keras calls this hook after every epoch
    def on_epoch_end(self, epoch, logs=None):
        self.losses.append(round(logs["loss"], 4))


x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
logger = LossLogger()
model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[logger])
print("loss per epoch:", logger.losses)
# --8<-- [end:keras_callback]

# --8<-- [start:pure]
import jax
import jax.numpy as jnp

scale = 10.0


@jax.jit
def impure(x):
    print("  (Python print runs while tracing)")  # a side effect
    return x * scale  # reads a global


print("first call:", impure(jnp.float32(1.0)))
scale = 100.0  # change the global ...
# ... the compiled function still uses 10
print("second call:", impure(jnp.float32(1.0)))


@jax.jit
def pure(x, scale):  # everything the result depends on comes in as an argument
    jax.debug.print("  jax.debug.print runs on every call, x={x}", x=x)
    return x * scale


print("pure:", pure(jnp.float32(1.0), 10.0), pure(jnp.float32(1.0), 100.0))
# --8<-- [end:pure]

if __name__ == "__main__":
    counts = []
    with torch.no_grad():
        counts.append(torch.is_grad_enabled())
    counts.append(torch.is_grad_enabled())
    assert counts == [False, True]
    n = 3 if os.environ.get("RAMVERK_QUICK") else 30
    times = jax.jit(lambda x, s: x * s)  # pure: no globals, no side effects
    assert all(float(times(jnp.float32(i), 2.0)) == 2.0 * i for i in range(n))
    print("context manager restores grad mode; the pure function gives the same output for the same input")
