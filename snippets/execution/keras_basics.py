"""Keras: compile is not fit, losses by name or by object, summary, and Keras 3's backends.

Run it: python snippets/execution/keras_basics.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:compile_fit]
import keras
import numpy as np

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).standard_normal((256, 4)).astype("float32")
y = (x.sum(axis=1) > 0).astype("int32")

model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(2),
    ]
)
before = model.get_weights()[0].copy()

model.compile(
    optimizer="adam",
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
# configured only
print(
    "after compile, weights changed:",
    not np.allclose(before, model.get_weights()[0]),
)

# fit is what trains
history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
print(
    "after fit, weights changed:",
    not np.allclose(before, model.get_weights()[0]),
)
print(
    f"accuracy per epoch: {[round(a, 2) for a in history.history['accuracy']]}"
)
# --8<-- [end:compile_fit]

# --8<-- [start:fit_without_compile]
import keras
import numpy as np

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
try:
    model.fit(np.zeros((8, 4)), np.zeros((8,)), verbose=0)
except Exception as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:fit_without_compile]

# --8<-- [start:loss_names]
import keras
import numpy as np

y_true = np.array([0, 1, 1])
probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]], dtype="float32")

# what compile(loss="...") looks up
by_name = keras.losses.get("sparse_categorical_crossentropy")
by_object = keras.losses.SparseCategoricalCrossentropy()
print("by name:  ", float(np.mean(by_name(y_true, probs))))
print("by object:", float(by_object(y_true, probs)))

try:
    keras.losses.get("sparse_categorical_crossentropie")  # one letter wrong
except ValueError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0][:90])
# --8<-- [end:loss_names]

# --8<-- [start:loss_torch]
import torch

y_true = torch.tensor([0, 1, 1])
probs = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])
# PyTorch: an imported class (or torch.nn.functional)
loss = torch.nn.NLLLoss()(probs.log(), y_true)
print("PyTorch:", loss.item())
# --8<-- [end:loss_torch]

# --8<-- [start:summary]
import keras

model = keras.Sequential(
    [
        keras.Input((784,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ],
    name="mlp",
)
model.summary()
print("parameters:", model.count_params(), "= 784*128 + 128 + 128*10 + 10")
# --8<-- [end:summary]

# --8<-- [start:how_fit_runs]
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile(optimizer="sgd", loss="mse")
print("backend:", keras.backend.backend())
print("run_eagerly:", model.run_eagerly, "| jit_compile:", model.jit_compile)
# debug mode: fit runs the step eagerly
model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
print("run_eagerly:", model.run_eagerly, "| jit_compile:", model.jit_compile)
# --8<-- [end:how_fit_runs]

# --8<-- [start:backend_torch]
import os

os.environ["KERAS_BACKEND"] = "torch"  # must be set before keras is imported
import keras
import numpy as np

model = keras.Sequential(
    [keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones")]
)
out = model(np.ones((1, 3), dtype="float32"))
print(
    keras.backend.backend(),
    type(out).__module__,
    type(out).__name__,
    keras.ops.convert_to_numpy(out).tolist(),
)
# --8<-- [end:backend_torch]

# --8<-- [start:backend_tensorflow]
import os

os.environ["KERAS_BACKEND"] = "tensorflow"  # the default
import keras
import numpy as np

model = keras.Sequential(
    [keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones")]
)
out = model(np.ones((1, 3), dtype="float32"))
print(
    keras.backend.backend(),
    type(out).__module__,
    type(out).__name__,
    keras.ops.convert_to_numpy(out).tolist(),
)
# --8<-- [end:backend_tensorflow]

# --8<-- [start:backend_jax]
import os

os.environ["KERAS_BACKEND"] = "jax"
import keras
import numpy as np

model = keras.Sequential(
    [keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones")]
)
out = model(np.ones((1, 3), dtype="float32"))
print(
    keras.backend.backend(),
    type(out).__module__,
    type(out).__name__,
    keras.ops.convert_to_numpy(out).tolist(),
)
# --8<-- [end:backend_jax]

if __name__ == "__main__":
    print("keras_basics: all demonstrations ran (backend sections in one process use the first backend)")
