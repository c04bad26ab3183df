"""The MNIST experiment from the source notes, reproduced with real handwritten digits.

Data: scikit-learn's `load_digits` – 1,797 real handwritten digits, 8×8 pixels, shipped inside the
package (no download). MNIST itself is 70,000 digits of 28×28; these are smaller and fewer, so the
absolute times differ from the notes; the ratios between execution modes are what we compare.

Model and training are the same everywhere: an MLP 64–128–10 with ReLU, softmax cross-entropy, plain
SGD (learning rate 0.1), batch 32, the first 1,440 digits (45 full batches; no ragged last batch, so
nothing is retraced). One measured call = one epoch = 45 training steps.
Run it: python snippets/execution/mnist_digits.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["tensorflow", "torch", "jax"],
    "modes": {
        "tensorflow": ["keras", "eager", "function"],
        "torch": ["eager", "compile"],
        "jax": ["eager", "jit"],
    },
    "sizes": {"quick": {"n_train": 320}, "full": {"n_train": 1440}},
    "baseline": "eager",
}

# --8<-- [start:data]
import numpy as np
from sklearn.datasets import load_digits

digits = load_digits()  # real handwritten digits, bundled with scikit-learn
print(
    "images:",
    digits.images.shape,
    "| labels:",
    digits.target.shape,
    "| pixel values 0 to",
    digits.images.max(),
)
print("the first digit, labelled", digits.target[0])
for row in digits.images[0]:
    print("".join(" .:-=+*#%@"[int(v * 9 / 16)] * 2 for v in row))

x = (digits.data / 16.0).astype("float32")  # 64 features in [0, 1]
y = digits.target.astype("int64")
print("train on", x[:1440].shape, "= 45 batches of 32; test on", x[1440:].shape)
# --8<-- [end:data]

# --8<-- [start:tensorflow]
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits


def make_tf(mode, n_train=1440, batch=32):
    """Returns one_epoch() for mode 'keras' (model.fit), 'eager'
    (a GradientTape loop) or 'function'."""
    digits = load_digits()
    x = (digits.data[:n_train] / 16.0).astype("float32")
    y = digits.target[:n_train].astype("int64")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.Input((64,)),
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dense(10),
        ]
    )
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.SGD(0.1)
    if mode == "keras":
        model.compile(optimizer=optimizer, loss=loss_fn)
        return lambda: model.fit(
            x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0
        ).history["loss"][-1]

    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        optimizer.apply_gradients(
            zip(
                tape.gradient(loss, model.trainable_variables),
                model.trainable_variables,
            )
        )
        return loss

    step = tf.function(train_step) if mode == "function" else train_step
    batches = [
        (tf.constant(x[i : i + batch]), tf.constant(y[i : i + batch]))
        for i in range(0, n_train, batch)
    ]

    def one_epoch():
        for xb, yb in batches:
            loss = step(xb, yb)
        return loss

    return one_epoch


for mode in ("keras", "eager", "function"):
    one_epoch = make_tf(mode)
    losses = [float(one_epoch()) for _ in range(3)]
    print(
        f"TensorFlow {mode:8}: loss in epochs 1-3: "
        f"{[round(v, 3) for v in losses]}"
    )
print(
    "(fit reports the mean loss over the epoch,"
    " the loops the loss of the last batch)"
)
# --8<-- [end:tensorflow]

# --8<-- [start:torch]
import numpy as np
import torch
from sklearn.datasets import load_digits


def make_torch(mode, n_train=1440, batch=32, device="cpu"):
    """Returns one_epoch() for mode 'eager' or 'compile' (torch.compile on
    the model)."""
    digits = load_digits()
    x = torch.tensor(
        digits.data[:n_train] / 16.0, dtype=torch.float32, device=device
    )
    y = torch.tensor(digits.target[:n_train], device=device)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    ).to(device)
    forward = torch.compile(model) if mode == "compile" else model
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = [
        (x[i : i + batch], y[i : i + batch]) for i in range(0, n_train, batch)
    ]

    def one_epoch():
        for xb, yb in batches:
            loss = torch.nn.functional.cross_entropy(forward(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.detach()

    return one_epoch


one_epoch = make_torch("eager")
print(
    "PyTorch eager: loss in epochs 1-3:",
    [round(float(one_epoch()), 3) for _ in range(3)],
)
# --8<-- [end:torch]

# --8<-- [start:jax]
import jax
import jax.numpy as jnp
import numpy as np
from sklearn.datasets import load_digits


def make_jax(mode, n_train=1440, batch=32, device="cpu"):
    """Returns one_epoch() for mode 'eager' or 'jit' (the whole training
    step compiled)."""
    digits = load_digits()
    x = jnp.asarray(digits.data[:n_train] / 16.0, dtype=jnp.float32)
    y = jnp.asarray(digits.target[:n_train])
    k1, k2 = jax.random.split(jax.random.key(0))
    # the same initialisation scheme as torch.nn.Linear: uniform in
    # ±1/sqrt(fan_in)
    params = {
        "w1": jax.random.uniform(k1, (64, 128), minval=-1 / 8, maxval=1 / 8),
        "b1": jnp.zeros(128),
        "w2": jax.random.uniform(
            k2, (128, 10), minval=-(128**-0.5), maxval=128**-0.5
        ),
        "b2": jnp.zeros(10),
    }
    # data and weights on one device
    x, y, params = jax.device_put((x, y, params), jax.devices(device)[0])

    def loss_fn(p, xb, yb):
        logits = jax.nn.relu(xb @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
        return -jnp.mean(
            jnp.take_along_axis(jax.nn.log_softmax(logits), yb[:, None], axis=1)
        )

    def train_step(p, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb)
        return jax.tree.map(lambda w, g: w - 0.1 * g, p, grads), loss

    step = jax.jit(train_step) if mode == "jit" else train_step
    batches = [
        (x[i : i + batch], y[i : i + batch]) for i in range(0, n_train, batch)
    ]
    state = {"params": params}

    def one_epoch():
        for xb, yb in batches:
            state["params"], loss = step(state["params"], xb, yb)
        return loss

    return one_epoch


one_epoch = make_jax("jit")
print(
    "JAX jit: loss in epochs 1-3:",
    [round(float(one_epoch()), 3) for _ in range(3)],
)
# --8<-- [end:jax]


def build(framework, mode, device, n_train):
    """One epoch of training (n_train / 32 steps) in the given framework and mode."""
    if framework == "tensorflow":
        with tf.device("/GPU:0" if device == "cuda" else "/CPU:0"):
            return make_tf(mode, n_train)
    if framework == "torch":
        return make_torch(mode, n_train, device=device)
    if framework == "jax":
        return make_jax(mode, n_train, device=device)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    from ramverk.sections import runnable

    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            one_epoch = build(fw, mode, "cpu", **size)
            one_epoch()
            print(f"{fw:10} {mode:8} loss in epoch 2: {float(np.asarray(one_epoch())):.3f}")
