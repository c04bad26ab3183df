"""Static against dynamic graphs: the three rows of the classic table, each shown by running code.

1. Optimisation: a static graph is known before it runs, so a compiler can rewrite it (XLA fuses ops).
2. Serialisation: a static graph can be saved and run without the Python source (jax.export).
3. Debugging: in eager code print shows values; inside a traced function it shows placeholders.
4. Control flow: eager code branches on data with plain Python; jax.jit cannot trace such an if.

Run it: python snippets/execution/static_vs_dynamic.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:optimise]
import jax
import jax.numpy as jnp


def chain(x):
    return jnp.tanh(x * 2.0 + 1.0) * 0.5  # four elementwise operations


x = jnp.ones((1000,), dtype=jnp.float32)
print("operations in the traced graph:", len(jax.make_jaxpr(chain)(x).eqns))
# what XLA made of it, before any run
hlo = jax.jit(chain).lower(x).compile().as_text()
print("fused kernels after XLA:", hlo.count("fusion("))
# --8<-- [end:optimise]

# --8<-- [start:serialise]
import jax
import jax.numpy as jnp
from jax import export


def model(x):
    return jnp.tanh(x @ jnp.ones((3, 2))).sum()


exported = export.export(jax.jit(model))(
    jax.ShapeDtypeStruct((4, 3), jnp.float32)
)
# bytes: the graph (StableHLO), no Python source inside
blob = exported.serialize()
print(type(blob).__name__, len(blob), "bytes")

del model  # the Python function is gone ...
restored = export.deserialize(blob)
# ... the graph still runs
print("restored result:", float(restored.call(jnp.ones((4, 3)))))
# --8<-- [end:serialise]

# --8<-- [start:debug]
import jax
import jax.numpy as jnp
import torch


def f_torch(x):
    h = x * 2
    print("  PyTorch eager sees:", h)  # a real value
    return h.sum()


@jax.jit
def f_jax(x):
    h = x * 2
    print("  JAX under jit sees:", h)  # runs once, while tracing: a placeholder
    return h.sum()


f_torch(torch.arange(3.0))
f_jax(jnp.arange(3.0))
# --8<-- [end:debug]

# --8<-- [start:control]
import jax
import jax.numpy as jnp
import torch


def relu_or_square(x):
    if x.sum() > 0:  # a Python if on a value computed from the data
        return x.clamp(min=0) if hasattr(x, "clamp") else jnp.maximum(x, 0)
    return x * x


print("PyTorch eager:", relu_or_square(torch.tensor([1.0, -2.0, 3.0])))
try:
    jax.jit(relu_or_square)(jnp.array([1.0, -2.0, 3.0]))
except Exception as e:
    print("JAX jit:", type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:control]

# --8<-- [start:tf2_default]
import tensorflow as tf

print("TensorFlow 2 runs eagerly by default:", tf.executing_eagerly())


@tf.function
def inside():
    return tf.executing_eagerly()  # evaluated while tracing the graph


print("inside tf.function:", bool(inside()))
# --8<-- [end:tf2_default]

if __name__ == "__main__":
    print("static_vs_dynamic: all four demonstrations ran")
