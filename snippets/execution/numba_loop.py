"""numba @jit on a Python loop, against the same loop in plain Python and NumPy's vectorised form.

The function is the sum of softplus(x) = log(1 + exp(x)). Run it: python snippets/execution/numba_loop.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["python", "numpy", "numba"],
    "modes": {"python": ["loop"], "numpy": ["vectorised"], "numba": ["jit"]},
    "sizes": {"quick": {"n": 1000}, "full": {"n": 1000000}},
}

# --8<-- [start:loop]
import math

import numpy as np


def softplus_sum(x):  # an ordinary Python loop
    total = 0.0
    for v in x:
        total += math.log1p(math.exp(v))
    return total


# NumPy: whole-array operations, each makes a temporary array
def softplus_sum_numpy(x):
    return np.log1p(np.exp(x)).sum()


x = np.linspace(-3.0, 3.0, 10_001)
print(f"plain Python: {softplus_sum(x):.6f}")
print(f"NumPy:        {softplus_sum_numpy(x):.6f}")
# --8<-- [end:loop]

# --8<-- [start:jit]
import math

import numba
import numpy as np


@numba.njit  # the same loop, compiled to machine code by LLVM on the first call
def softplus_sum_jit(x):
    total = 0.0
    for v in x:
        total += math.log1p(math.exp(v))
    return total


x = np.linspace(-3.0, 3.0, 10_001)
print(f"numba:        {softplus_sum_jit(x):.6f}")
# --8<-- [end:jit]

# --8<-- [start:math]
import math
import time

import numba
import numpy as np


@numba.njit
def exp_sum(x):  # a loop that calls the scalar math.exp once per number
    total = 0.0
    for v in x:
        total += math.exp(v)
    return total


@numba.njit
def log1p_sum(x):
    total = 0.0
    for v in x:
        total += math.log1p(v)
    return total


def best_ms(f, *args):  # the best of five calls, in milliseconds
    times = []
    for _ in range(5):
        start = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


x = np.random.default_rng(0).uniform(-3.0, 3.0, 1_000_000)
y = np.exp(x)  # positive numbers for log1p
exp_sum(x), log1p_sum(y)  # compile both before timing
for name, numba_fn, numpy_fn, arg in [
    ("exp", exp_sum, lambda a: np.exp(a).sum(), x),
    ("log1p", log1p_sum, lambda a: np.log1p(a).sum(), y),
]:
    print(
        f"{name:5}: numba loop {best_ms(numba_fn, arg):5.1f} ms,"
        f" NumPy {best_ms(numpy_fn, arg):5.1f} ms"
    )
    assert np.isclose(numba_fn(arg), numpy_fn(arg))
print("numba has Intel SVML (vectorised math):", numba.config.USING_SVML)
# --8<-- [end:math]

# --8<-- [start:signatures]
import numba
import numpy as np


@numba.njit
def total(x):
    s = 0.0
    for v in x:
        s += v
    return s


print("compiled before any call:", total.signatures)
total(np.ones(3))  # first call: infer types, compile for float64 arrays
total(np.ones(5))  # same types: reuse
total(np.ones(3, dtype=np.float32))  # new element type: compile again
for signature in total.signatures:
    print("compiled for:", signature)
# --8<-- [end:signatures]

# --8<-- [start:pitfall]
import re

import numba


@numba.njit
def describe(d):
    return d.keys()


try:
    # a Python dict with mixed value types: numba cannot type it
    describe({"a": 1, "b": "two"})
except Exception as e:
    # drop the terminal colour codes
    lines = re.sub(r"\x1b\[[0-9;]*m", "", str(e)).splitlines()
    print(type(e).__name__ + ":", lines[0])
    print(" ", next(line for line in lines if "argument 0" in line).strip())
# --8<-- [end:pitfall]


def build(framework, mode, device, n):
    """One pass over n float64 values; returns the sum."""
    x = np.random.default_rng(0).uniform(-3.0, 3.0, n)
    if framework == "python":
        xl = x.tolist()  # a plain Python list: what a pure-Python loop would have
        return lambda: softplus_sum(xl)
    if framework == "numpy":
        return lambda: softplus_sum_numpy(x)
    if framework == "numba":
        import numba

        # a fresh dispatcher, not yet compiled: its first call infers the types and compiles
        fn = numba.njit(softplus_sum_jit.py_func)
        return lambda: fn(x)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    from ramverk.sections import runnable

    results = {fw: build(fw, BENCHMARK["modes"][fw][0], "cpu", **size)() for fw in runnable(BENCHMARK["frameworks"])}
    print(f"n={size['n']}:", ", ".join(f"{fw} {v:.6f}" for fw, v in results.items()))
    assert max(results.values()) - min(results.values()) < 1e-6 * abs(results["python"])
