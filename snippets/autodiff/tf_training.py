"""TensorFlow's training objects: Variable, model, loss, optimiser, tf.function; GradientTape's options.

Run it: python snippets/autodiff/tf_training.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:objects]
import tensorflow as tf

tf.random.set_seed(0)
x = tf.random.normal((64, 3))
y = x @ tf.constant([[2.0], [-1.0], [0.5]]) + 0.3  # a linear target to recover

w = tf.Variable(tf.zeros((3, 1)), name="w")  # Variables: the mutable parameters
b = tf.Variable(0.0, name="b")


def model(x):  # the model: a function of the data and the variables
    return x @ w + b


def loss_fn(y_true, y_pred):  # the loss: what the optimiser drives down
    return tf.reduce_mean((y_true - y_pred) ** 2)


# the optimiser: the update rule
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)


@tf.function  # traced into a graph on the first call
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x))
    grads = tape.gradient(loss, [w, b])
    optimizer.apply_gradients(zip(grads, [w, b]))
    return loss


for step in range(101):
    loss = train_step(x, y)
    if step % 25 == 0:
        print(f"step {step:3d}  loss {float(loss):.5f}")
print("w =", w.numpy().ravel().round(3), " b =", round(float(b.numpy()), 3))
# --8<-- [end:objects]

# --8<-- [start:persistent]
import tensorflow as tf

x = tf.Variable(3.0)
with tf.GradientTape() as tape:
    y = x**2
    z = x**3
print("dy/dx =", tape.gradient(y, x).numpy())
try:
    tape.gradient(z, x)  # a second question to a non-persistent tape
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])

# keeps its record until the tape is deleted
with tf.GradientTape(persistent=True) as tape:
    y = x**2
    z = x**3
print(
    "persistent: dy/dx =",
    tape.gradient(y, x).numpy(),
    " dz/dx =",
    tape.gradient(z, x).numpy(),
)
del tape  # release the resources it holds
# --8<-- [end:persistent]

# --8<-- [start:watch]
import tensorflow as tf

w = tf.Variable(2.0)
c = tf.constant(5.0)

# default: trainable Variables are watched automatically
with tf.GradientTape() as tape:
    y = w * c
dw, dc = tape.gradient(y, [w, c])  # one call, two targets
print("default, dy/dw:", dw.numpy(), "| dy/dc (a constant, not watched):", dc)

# watch nothing unless asked
with tf.GradientTape(watch_accessed_variables=False) as tape:
    y = w * c
print("watch_accessed_variables=False, dy/dw:", tape.gradient(y, w))

with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(c)  # choose exactly what to differentiate with respect to
    y = w * c
dw, dc = tape.gradient(y, [w, c])
print("after tape.watch(c), dy/dc:", dc.numpy(), "| dy/dw:", dw)
# --8<-- [end:watch]

if __name__ == "__main__":
    steps = 10 if os.environ.get("RAMVERK_QUICK") else 300
    w.assign(0.0)
    tf.random.set_seed(1)
    xs = tf.random.normal((32, 1))
    ys = 3.0 * xs
    v = tf.Variable(0.0)
    opt = tf.keras.optimizers.SGD(0.1)
    first = None
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((ys - v * xs) ** 2)
        opt.apply_gradients([(tape.gradient(loss, v), v)])
        first = float(loss) if first is None else first
    print(f"fit y = 3x: v = {float(v):.3f}, loss {first:.3f} -> {float(loss):.5f}")
    assert float(loss) < first
