"""What the libraries on top of JAX add, written in plain JAX: a model as a pytree of arrays and an
optimiser as a pair of pure functions (init, update), the shape Optax's gradient transformations have.

Run it: python snippets/execution/jax_ecosystem.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:optimiser]
import jax
import jax.numpy as jnp


def momentum(lr, beta=0.9):  # an optimiser: two pure functions
    def init(params):
        return jax.tree.map(jnp.zeros_like, params)

    def update(grads, state):
        state = jax.tree.map(lambda m, g: beta * m + g, state, grads)
        return jax.tree.map(lambda m: -lr * m, state), state

    return init, update


def loss(params, x, y):  # the model: a dict of arrays (a pytree)
    pred = x @ params["w"] + params["b"]
    return jnp.mean((pred - y) ** 2)


x = jax.random.normal(jax.random.key(0), (64, 3))
y = x @ jnp.array([1.0, -2.0, 0.5]) + 0.3
params = {"w": jnp.zeros(3), "b": jnp.zeros(())}
init, update = momentum(lr=0.05)
state = init(params)


@jax.jit
def step(params, state):
    value, grads = jax.value_and_grad(loss)(params, x, y)
    updates, state = update(grads, state)
    return jax.tree.map(jnp.add, params, updates), state, value


first = None
for _ in range(100):
    params, state, value = step(params, state)
    first = value if first is None else first
print(f"loss {float(first):.3f} -> {float(value):.6f}")
print("w =", params["w"].round(3), "b =", params["b"].round(3))
assert value < first / 100
# --8<-- [end:optimiser]

# --8<-- [start:solution]
import jax
import jax.numpy as jnp


def sgd(lr):
    def init(params):
        return ()  # plain SGD keeps no state

    def update(grads, state):
        return jax.tree.map(lambda g: -lr * g, grads), state

    return init, update


def loss(params, x, y):
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


x = jax.random.normal(jax.random.key(0), (64, 3))
y = x @ jnp.array([1.0, -2.0, 0.5]) + 0.3
params = {"w": jnp.zeros(3), "b": jnp.zeros(())}
init, update = sgd(lr=0.1)
state = init(params)
start = loss(params, x, y)
for _ in range(100):
    grads = jax.grad(loss)(params, x, y)
    updates, state = update(grads, state)
    params = jax.tree.map(jnp.add, params, updates)
print(f"loss {float(start):.3f} -> {float(loss(params, x, y)):.6f}")
assert loss(params, x, y) < start / 100
# --8<-- [end:solution]
