"""Small, runnable answers to the FAQ: context managers, hooks, pure functions,
cross-validation with a small network, and per-sample (real-time) inference.

Run it: python snippets/hardware/faq_examples.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:context]
import torch

w = torch.ones(3, requires_grad=True)

# A context manager sets something up on entry and is guaranteed to undo it on
# exit,
# even if the block raises. torch.no_grad() switches gradient tracking off for
# the block:
with torch.no_grad():
    y = (w * 2).sum()
print("inside no_grad, tracked:", y.requires_grad)
print("after the block, tracked again:", (w * 2).sum().requires_grad)
# Others you will meet: tf.GradientTape(), tf.device(...), strategy.scope(),
# open(...)
# --8<-- [end:context]

# --8<-- [start:hooks]
import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)
)
log = []


# a hook: a function the framework calls for you
def record(module, inputs, output):
    log.append(
        (
            type(module).__name__,
            tuple(output.shape),
            round(output.abs().mean().item(), 4),
        )
    )


handles = [m.register_forward_hook(record) for m in model]
model(torch.ones(5, 4))
for h in handles:
    h.remove()  # unhook when done, or it keeps firing
for entry in log:
    print(entry)
# --8<-- [end:hooks]

# --8<-- [start:pure]
import jax
import jax.numpy as jnp

scale = 2.0


def impure(x):
    return x * scale  # reads a global: not pure


# everything it uses is an argument
pure_jit = jax.jit(lambda x, scale: x * scale)
impure_jit = jax.jit(impure)

x = jnp.ones(3)
print(impure_jit(x), pure_jit(x, scale))
scale = 10.0  # change the global...
print(impure_jit(x), "<- still 2: jit baked the old global in at tracing time")
print(pure_jit(x, scale), "<- the pure version follows its arguments")
# --8<-- [end:pure]

# --8<-- [start:cv]
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier

# 1,797 small images of digits, shipped with scikit-learn
X, y = load_digits(return_X_y=True)
net = MLPClassifier(hidden_layer_sizes=(32,), max_iter=60, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    # 3 folds: train 3 networks
    scores = cross_val_score(net, X / 16.0, y, cv=3)
print("accuracy per fold:", scores.round(3), "mean:", scores.mean().round(3))
# --8<-- [end:cv]

# --8<-- [start:realtime]
import time

import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(16, 64), torch.nn.ReLU(), torch.nn.Linear(64, 4)
).eval()
latencies = []
with torch.inference_mode():  # no autograd bookkeeping: less work per sample
    for _ in range(200):  # pretend each sample arrives from a sensor
        sample = torch.randn(1, 16)
        start = time.perf_counter()
        model(sample)
        latencies.append(time.perf_counter() - start)
latencies.sort()
print(
    f"per-sample latency: median {latencies[100] * 1e6:.0f} µs, "
    f"99th percentile {latencies[197] * 1e6:.0f} µs"
)
# --8<-- [end:realtime]

if __name__ == "__main__":
    print("all FAQ examples ran")
