"""One training step of a small MLP (784-128-10, batch 128, plain SGD) in three frameworks.

The same step runs eagerly (op by op, as Python reaches it) and as a compiled graph:
torch.compile, tf.function and jax.jit. Synthetic data (no downloads). The runner measures
build(framework, mode, device, batch, hidden); run it yourself: python snippets/execution/mlp_step.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "tensorflow", "jax"],
    "modes": {
        "torch": ["eager", "compile"],
        "tensorflow": ["eager", "function"],
        "jax": ["eager", "jit"],
    },
    "sizes": {"quick": {"batch": 8, "hidden": 16}, "full": {"batch": 128, "hidden": 128}},
    "baseline": "eager",
    # Forward: 2*b*(784*h + h*10) flops. Backward: the second layer needs the gradients of its
    # weights and of its input (2x its forward); the first only of its weights (1x), since
    # nobody asks for the gradient of the data. Biases, ReLU and softmax are negligible.
    "work": {"flops": "4*batch*784*hidden + 6*batch*hidden*10"},
}

# --8<-- [start:torch]
import torch


def torch_model(hidden=128):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))


def torch_step(model, optimizer, x, y):
    """Forward, loss, backward, update: each line runs the moment Python reaches it."""
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


model = torch_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
gen = torch.Generator().manual_seed(0)
x, y = torch.randn(128, 784, generator=gen), torch.randint(0, 10, (128,), generator=gen)
losses = [torch_step(model, optimizer, x, y).item() for _ in range(3)]
print("PyTorch loss per step:", ", ".join(f"{v:.3f}" for v in losses))
# --8<-- [end:torch]

# --8<-- [start:tensorflow]
import numpy as np
import tensorflow as tf


def tf_params(hidden=128):
    rng = np.random.default_rng(0)
    return [tf.Variable(rng.normal(0, 784**-0.5, (784, hidden)).astype("float32")),
            tf.Variable(np.zeros(hidden, "float32")),
            tf.Variable(rng.normal(0, hidden**-0.5, (hidden, 10)).astype("float32")),
            tf.Variable(np.zeros(10, "float32"))]


def tf_step(params, x, y, lr=0.1):
    """The same step with GradientTape; wrapped in tf.function it is traced into a graph."""
    w1, b1, w2, b2 = params
    with tf.GradientTape() as tape:
        logits = tf.nn.relu(x @ w1 + b1) @ w2 + b2
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    for p, g in zip(params, tape.gradient(loss, params)):
        p.assign_sub(lr * g)
    return loss


params = tf_params()
tf_step_graph = tf.function(tf_step)
rng = np.random.default_rng(0)
x = tf.constant(rng.standard_normal((128, 784)).astype("float32"))
y = tf.constant(rng.integers(0, 10, 128).astype("int32"))
losses = [float(tf_step_graph(params, x, y)) for _ in range(3)]
print("TensorFlow loss per step:", ", ".join(f"{v:.3f}" for v in losses))
# --8<-- [end:tensorflow]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp


def jax_params(hidden=128):
    k1, k2 = jax.random.split(jax.random.key(0))
    return {"w1": jax.random.normal(k1, (784, hidden)) * 784**-0.5, "b1": jnp.zeros(hidden),
            "w2": jax.random.normal(k2, (hidden, 10)) * hidden**-0.5, "b2": jnp.zeros(10)}


def jax_loss(params, x, y):
    logits = jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))


def jax_step(params, x, y, lr=0.1):
    """A pure function: old parameters in, new parameters (and the loss) out."""
    loss, grads = jax.value_and_grad(jax_loss)(params, x, y)
    return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss


jax_step_jit = jax.jit(jax_step)
params = jax_params()
kx, ky = jax.random.split(jax.random.key(1))
x, y = jax.random.normal(kx, (128, 784)), jax.random.randint(ky, (128,), 0, 10)
losses = []
for _ in range(3):
    params, loss = jax_step_jit(params, x, y)
    losses.append(float(loss))
print("JAX loss per step:", ", ".join(f"{v:.3f}" for v in losses))
# --8<-- [end:jax]


def build(framework, mode, device, batch, hidden):
    """One training step on fixed synthetic data, for the runner: a callable returning the loss."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, 784)).astype("float32")
    y_np = rng.integers(0, 10, batch)
    if framework == "torch":
        net = torch_model(hidden).to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        xt, yt = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).to(device)
        fwd = torch.compile(net) if mode == "compile" else net  # forward and backward compiled
        return lambda: torch_step(fwd, opt, xt, yt)
    if framework == "tensorflow":
        where = "/GPU:0" if device == "cuda" else "/CPU:0"
        with tf.device(where):
            ps = tf_params(hidden)
            xt, yt = tf.constant(x_np), tf.constant(y_np.astype("int32"))
        step = tf.function(tf_step) if mode == "function" else tf_step

        def run_tf():
            with tf.device(where):
                return step(ps, xt, yt)

        return run_tf
    if framework == "jax":
        dev = jax.devices("gpu" if device == "cuda" else device)[0]
        state = {"params": jax.device_put(jax_params(hidden), dev)}
        xj, yj = jax.device_put(x_np, dev), jax.device_put(y_np.astype("int32"), dev)
        step = jax_step_jit if mode == "jit" else jax_step

        def run():
            state["params"], loss = step(state["params"], xj, yj)
            return loss

        return run
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    from ramverk.sections import runnable

    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            step = build(fw, mode, "cpu", **size)
            first, last = float(step()), float([step() for _ in range(4)][-1])
            print(f"{fw:10} {mode:8} batch={size['batch']} hidden={size['hidden']}: loss {first:.3f} -> {last:.3f}")
            assert last < first, "five SGD steps on one batch should lower the loss"
