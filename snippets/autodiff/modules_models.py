"""Modules and models: nn.Module with __init__/forward, nn.Sequential, Keras Sequential/functional, JAX pytrees.

Run it: python snippets/autodiff/modules_models.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:torch_module]
import torch


class TwoLayerNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        # sets up the Module machinery that registers parameters
        super().__init__()
        # assigning a Module registers it as a child
        self.linear1 = torch.nn.Linear(D_in, H)
        self.linear2 = torch.nn.Linear(H, D_out)

    def forward(self, x):  # called by model(x), through Module.__call__
        return self.linear2(torch.relu(self.linear1(x)))


torch.manual_seed(0)
model = TwoLayerNet(D_in=4, H=8, D_out=2)
print(model)
print(
    "parameters:",
    [(name, tuple(p.shape)) for name, p in model.named_parameters()],
)
print("output shape:", tuple(model(torch.randn(3, 4)).shape))
# --8<-- [end:torch_module]

# --8<-- [start:forgot_super]
import torch


class Forgetful(torch.nn.Module):
    def __init__(self):
        # no super().__init__() here
        self.linear = torch.nn.Linear(4, 2)


try:
    Forgetful()
except AttributeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:forgot_super]

# --8<-- [start:sequential]
import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)
)
print(model)
print("parameter count:", sum(p.numel() for p in model.parameters()))
# --8<-- [end:sequential]

# --8<-- [start:keras]
import keras

keras.utils.set_random_seed(0)
sequential = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(2),
    ],
    name="two_layer_sequential",
)
sequential.summary()

# the functional API: call layers on symbolic tensors
inputs = keras.Input(shape=(4,))
hidden = keras.layers.Dense(8, activation="relu")(inputs)
outputs = keras.layers.Dense(2)(hidden)
functional = keras.Model(inputs, outputs, name="two_layer_functional")
functional.summary()
print(
    "same parameter count:",
    sequential.count_params() == functional.count_params(),
)
# --8<-- [end:keras]

# --8<-- [start:jax_pytree]
import jax
import jax.numpy as jnp


def init(key, D_in, H, D_out):
    k1, k2 = jax.random.split(key)
    return {  # parameters are plain data: a dict of arrays (a pytree)
        "linear1": {
            "w": jax.random.normal(k1, (D_in, H)) / D_in**0.5,
            "b": jnp.zeros(H),
        },
        "linear2": {
            "w": jax.random.normal(k2, (H, D_out)) / H**0.5,
            "b": jnp.zeros(D_out),
        },
    }


def forward(params, x):  # a pure function: parameters come in as an argument
    h = jax.nn.relu(x @ params["linear1"]["w"] + params["linear1"]["b"])
    return h @ params["linear2"]["w"] + params["linear2"]["b"]


def loss(params, x, y):
    return jnp.mean((forward(params, x) - y) ** 2)


params = init(jax.random.key(0), 4, 8, 2)
x, y = jnp.ones((3, 4)), jnp.zeros((3, 2))
# the gradient has the same tree shape as params
grads = jax.grad(loss)(params, x, y)
print(jax.tree_util.tree_map(jnp.shape, grads))
# a new tree; the old one is untouched
params = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads)
print("loss after one step:", round(float(loss(params, x, y)), 4))
# --8<-- [end:jax_pytree]

if __name__ == "__main__":
    torch.manual_seed(0)
    net = TwoLayerNet(4, 8, 2)
    seq = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    seq.load_state_dict({"0.weight": net.linear1.weight, "0.bias": net.linear1.bias,
                         "2.weight": net.linear2.weight, "2.bias": net.linear2.bias})
    xs = torch.randn(2 if os.environ.get("RAMVERK_QUICK") else 64, 4)
    assert torch.allclose(net(xs), seq(xs))
    print("TwoLayerNet and nn.Sequential with the same weights give the same output")
