"""Tensors: creation, dtype, shape and strides; views vs copies; einsum as batched matmul.

Run it: python snippets/hardware/tensors.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:create]
import torch

eye = torch.eye(3)  # identity matrix
zeros = torch.zeros(2, 3, dtype=torch.int64)
ramp = torch.arange(12, dtype=torch.float32).reshape(3, 4)
for name, t in [("eye", eye), ("zeros", zeros), ("ramp", ramp)]:
    print(
        f"{name:5} dtype={t.dtype}, shape={tuple(t.shape)}, "
        f"strides={t.stride()}"
    )
# strides: how many elements to skip in memory to take one step along each axis.
# ramp is stored row by row: one step down a column skips a whole row of 4.
# --8<-- [end:create]

# --8<-- [start:views]
import torch

ramp = torch.arange(12.0).reshape(3, 4)
t = ramp.T  # a view: same memory, strides swapped, nothing copied
print(
    "T strides:",
    t.stride(),
    "| contiguous:",
    t.is_contiguous(),
    "| shares memory:",
    t.data_ptr() == ramp.data_ptr(),
)
try:
    t.view(12)  # a view cannot flatten memory that is not laid out row by row
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
flat = t.reshape(12)  # reshape copies when it has to
c = t.contiguous()  # explicit copy into row-by-row order
print(
    "reshape copied:",
    flat.data_ptr() != ramp.data_ptr(),
    "| contiguous() strides:",
    c.stride(),
)
ramp[0, 0] = 100.0
print(
    "the view sees the change:",
    t[0, 0].item(),
    "| the copy does not:",
    c[0, 0].item(),
)
# --8<-- [end:views]

# --8<-- [start:einsum]
import jax.numpy as jnp
import numpy as np
import tensorflow as tf
import torch

rng = np.random.default_rng(0)
# a batch of 2 matrices, 3×4
A = rng.standard_normal((2, 3, 4)).astype("float32")
# a batch of 2 matrices, 4×5
B = rng.standard_normal((2, 4, 5)).astype("float32")

# b: batch, kept; i, k: rows and columns of the result; j: summed over (it
# appears on the left only)
results = {
    "torch": torch.einsum(
        "bij,bjk->bik", torch.from_numpy(A), torch.from_numpy(B)
    ).numpy(),
    "tensorflow": tf.einsum("bij,bjk->bik", A, B).numpy(),
    "jax": np.asarray(jnp.einsum("bij,bjk->bik", A, B)),
}
reference = np.matmul(A, B)  # batched matrix product
for name, r in results.items():
    print(
        f"{name:10} shape={r.shape} equals batched matmul: "
        f"{np.allclose(r, reference, atol=1e-5)}"
    )
# --8<-- [end:einsum]

# --8<-- [start:timeit]
import timeit

import torch

x = torch.randn(128, 128)


def step():
    return x @ x


step()  # warm-up, outside the measurement
# Like %timeit: many calls per repeat, several repeats; report the minimum and
# the spread.
times = [t / 50 for t in timeit.repeat(step, number=50, repeat=5)]
print(
    f"best {min(times) * 1e6:.1f} µs, worst {max(times) * 1e6:.1f} µs"
    f" over {len(times)} repeats"
)
# --8<-- [end:timeit]

if __name__ == "__main__":
    print("sections above: creation, views, einsum across frameworks, timeit")
