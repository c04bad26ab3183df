"""torch.jit.trace against torch.jit.script (both deprecated), and running a saved graph without its
Python source: torch.export, TensorFlow SavedModel, jax.export.

Run it: python snippets/execution/torchscript_export.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:trace_misses]
import warnings

import torch


def f(x):
    if x.sum() > 0:
        return x * 2
    return -x


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    # records the path this example input takes
    traced = torch.jit.trace(f, torch.ones(2))
for message in dict.fromkeys(
    f"{w.category.__name__}: {str(w.message).split('. ')[0]}." for w in caught
):
    print(message)

negative = -torch.ones(2)
print("eager :", f(negative))
print("traced:", traced(negative), "<- wrong: the branch was frozen at x * 2")
print(traced.code)
# --8<-- [end:trace_misses]

# --8<-- [start:script_ok]
import warnings

import torch


def f(x):
    if x.sum() > 0:
        return x * 2
    return -x


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    # compiles the Python source, branches included
    scripted = torch.jit.script(f)
for w in caught:
    print(f"{w.category.__name__}: {w.message}")

print("scripted:", scripted(-torch.ones(2)), "<- right")
print(scripted.code)
# --8<-- [end:script_ok]

# --8<-- [start:export_branch]
import torch


class F(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x * 2
        return -x


try:
    torch.export.export(F(), (torch.ones(2),))
except Exception as e:
    print(type(e).__name__ + ":", str(e).strip().splitlines()[0])


class FCond(torch.nn.Module):
    def forward(self, x):
        # both branches in the graph
        return torch.cond(x.sum() > 0, lambda x: x * 2, lambda x: -x, (x,))


program = torch.export.export(FCond(), (torch.ones(2),))
print("with torch.cond:", program.module()(-torch.ones(2)))
# --8<-- [end:export_branch]

# --8<-- [start:save_torch]
import os
import tempfile

import torch


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)

    def forward(self, x):
        return torch.tanh(self.linear(x)).sum()


torch.manual_seed(0)
x = torch.ones(4, 3)
expected = Model()(x)
torch.manual_seed(0)
# same seed: same weights as `expected`
program = torch.export.export(Model(), (x,))
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.pt2")
    torch.export.save(program, path)  # graph + weights, no Python class
    print("saved", os.path.getsize(path), "bytes")
    del Model
    loaded = torch.export.load(path)
    print(
        "loaded graph runs:",
        loaded.module()(x).item(),
        "expected:",
        expected.item(),
    )
# --8<-- [end:save_torch]

# --8<-- [start:save_tensorflow]
import os
import tempfile

import tensorflow as tf


class Model(tf.Module):
    def __init__(self):
        self.w = tf.Variable(tf.ones([3, 2]))

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def __call__(self, x):
        return tf.reduce_sum(tf.nn.relu(x @ self.w))


x = tf.ones([4, 3])
expected = Model()(x)
with tempfile.TemporaryDirectory() as tmp:
    # the traced graph + variables, no Python class
    tf.saved_model.save(Model(), tmp)
    print("saved:", sorted(os.listdir(tmp)))
    del Model
    loaded = tf.saved_model.load(tmp)
    print("loaded graph runs:", float(loaded(x)), "expected:", float(expected))
# --8<-- [end:save_tensorflow]

if __name__ == "__main__":
    print("torchscript_export: all demonstrations ran")
