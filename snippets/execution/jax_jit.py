"""JAX jit: trace, compile, cache; pure functions; side effects; immutability; static arguments;
control flow; explicit random keys; devices.

Run it: python snippets/execution/jax_jit.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:jaxpr_cache]
import jax
import jax.numpy as jnp


def f(x):
    return jnp.tanh(x) * 2.0 + 1.0


# what tracing sees: operations on abstract float32[3]
print(jax.make_jaxpr(f)(jnp.ones(3)))


@jax.jit
def f_jit(x):
    # a Python side effect: runs only while tracing
    print("  tracing and compiling for", x.shape)
    return f(x)


for shape in [(3,), (3,), (3,), (5,), (5,)]:
    # five calls, two compilations: the rest hit the cache
    f_jit(jnp.ones(shape))
# --8<-- [end:jaxpr_cache]

# --8<-- [start:pure]
import jax
import jax.numpy as jnp


def add(a, b):  # pure: the output depends only on the inputs
    return a + b


x = 10


def add_to_x(b):  # impure: reads a global
    return x + b


print("add:", jax.jit(add)(1, 2))
add_to_x_jit = jax.jit(add_to_x)
print("add_to_x with x=10:", add_to_x_jit(1))
x = 100  # change the global ...
print(
    "add_to_x with x=100:",
    add_to_x_jit(1),
    "<- still 11: x was baked in at trace time",
)
print("a new shape retraces and sees x=100:", add_to_x_jit(jnp.array([1, 1])))
# --8<-- [end:pure]

# --8<-- [start:increment_list]
import jax
import jax.numpy as jnp


def increment_list(lst):  # impure: modifies its input
    for i in range(len(lst)):
        lst[i] += 1
    return lst


plain = [1, 2, 3]
increment_list(plain)
print("plain Python list, modified in place:", plain)

arr = jnp.array([1, 2, 3])
try:
    increment_list(arr)
except TypeError as e:
    print(type(e).__name__ + ":", str(e).split(". ")[0] + ".")


def increment_array(a):  # the pure version: return a new array
    return a + 1


print(
    "pure version under jit:",
    jax.jit(increment_array)(arr),
    "input unchanged:",
    arr,
)
# --8<-- [end:increment_list]

# --8<-- [start:side_effects]
import jax
import jax.numpy as jnp


@jax.jit
def step(x):
    print("print sees:", x)  # once, at trace time, a tracer
    jax.debug.print("jax.debug.print sees: {}", x)  # every call, the value
    return x + 1


for i in range(3):
    step(jnp.float32(i))
# --8<-- [end:side_effects]

# --8<-- [start:immutability]
import jax.numpy as jnp
import torch

t = torch.zeros(3)
t[1] = 5.0  # PyTorch: in place, the same memory is changed
t.add_(1.0)
print("PyTorch:", t)

a = jnp.zeros(3)
try:
    a[1] = 5.0
except TypeError as e:
    print(type(e).__name__ + ":", str(e).split(". ")[0] + ".")
b = a.at[1].set(5.0) + 1.0  # JAX: a new array; a is untouched
print("JAX: a =", a, " b =", b)
# --8<-- [end:immutability]

# --8<-- [start:donation]
import jax
import jax.numpy as jnp


def bump(a):
    return a.at[1].set(5.0)


x = jnp.zeros(4)
out = jax.jit(bump)(x)  # x is the caller's: the result needs new memory
print("without donation:", out, "| x still usable:", not x.is_deleted())

y = jnp.zeros(4)
where_y = y.unsafe_buffer_pointer()
out = jax.jit(bump, donate_argnums=0)(y)  # XLA may reuse y's buffer
print("with donation:   ", out, "| y still usable:", not y.is_deleted())
print("result in y's old memory:", out.unsafe_buffer_pointer() == where_y)
try:
    y + 1
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
# --8<-- [end:donation]

# --8<-- [start:static]
from functools import partial

import jax
import jax.numpy as jnp


def power(x, n):
    print(f"  tracing power for n={n}")
    for _ in range(n - 1):  # a Python loop: n must be known at trace time
        x = x * x
    return x


try:
    jax.jit(power)(jnp.float32(2.0), 3)
except Exception as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])

# n becomes part of the cache key
power_jit = jax.jit(power, static_argnames="n")
for n in (3, 3, 2):
    print(f"n={n}:", power_jit(jnp.float32(2.0), n=n))  # n=3 twice: traced once


@partial(jax.jit, static_argnums=1)  # the same by position
def power2(x, n):
    return power(x, n)


print("static_argnums:", power2(jnp.float32(3.0), 2))
# --8<-- [end:static]

# --8<-- [start:control_error]
import jax
import jax.numpy as jnp


@jax.jit
def relu(x):
    if x > 0:  # a Python if on a traced value
        return x
    return 0.0


try:
    relu(jnp.float32(2.0))
except jax.errors.ConcretizationTypeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
    print(
        "is a ConcretizationTypeError:",
        isinstance(e, jax.errors.ConcretizationTypeError),
    )
# --8<-- [end:control_error]

# --8<-- [start:control_ok]
import jax
import jax.numpy as jnp
from jax import lax


@jax.jit
def relu_cond(x):
    # one branch runs
    return lax.cond(x > 0, lambda v: v, lambda v: jnp.zeros_like(v), x)


@jax.jit
def relu_where(x):
    return jnp.where(x > 0, x, 0.0)  # elementwise, both sides computed


@jax.jit
def sum_to(n):
    # n may be a traced value
    return lax.fori_loop(0, n, lambda i, acc: acc + i, 0)


@jax.jit
def collatz_steps(n):
    def body(state):
        n, steps = state
        return jnp.where(n % 2 == 0, n // 2, 3 * n + 1), steps + 1

    return lax.while_loop(lambda s: s[0] != 1, body, (n, 0))[1]


print("lax.cond:", relu_cond(jnp.float32(-2.0)), relu_cond(jnp.float32(2.0)))
print("jnp.where:", relu_where(jnp.array([-1.0, 2.0])))
print("lax.fori_loop, 0+1+...+9:", sum_to(10))
print("lax.while_loop, Collatz steps for 27:", collatz_steps(27))
# --8<-- [end:control_ok]

# --8<-- [start:prng]
import jax

key = jax.random.key(42)  # the whole random state, passed explicitly
print(
    "same key, same numbers:",
    jax.random.normal(key, (2,)),
    jax.random.normal(key, (2,)),
)
key, subkey = jax.random.split(key)  # new numbers need a new key
print("split key, new numbers:", jax.random.normal(subkey, (2,)))
print(
    "reproducible from 42 again:", jax.random.normal(jax.random.key(42), (2,))
)
# --8<-- [end:prng]

# --8<-- [start:devices]
import jax
import jax.numpy as jnp

x = jnp.arange(5)
print("x lives on:", x.devices())
print(
    "all devices:", jax.devices(), "| default backend:", jax.default_backend()
)
# --8<-- [end:devices]

if __name__ == "__main__":
    print("jax_jit: all demonstrations ran")
