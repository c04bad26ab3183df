"""Environment errors vs mathematics errors: each failure is provoked and its real message printed.

An environment error says something about the machine (no CUDA, wrong device, no memory);
a mathematics error says something about your shapes or values. They need different fixes.
Run it: python snippets/hardware/env_errors.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:no_cuda]
import torch

try:
    torch.zeros(3, device="cuda")
    print("CUDA is available here; this machine has a working GPU build")
# a CPU-only build raises AssertionError, a GPU build on a GPU-less machine
# RuntimeError
except Exception as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
print("torch.cuda.is_available():", torch.cuda.is_available())
# --8<-- [end:no_cuda]

# --8<-- [start:wrong_device]
import torch

torch.manual_seed(0)
layer = torch.nn.Linear(2, 2)  # parameters on the CPU
# a second device that exists on every machine
batch = torch.ones(1, 2, device="meta")
try:
    layer(batch)
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
# the fix is a move, not new mathematics (a meta tensor holds no data, so we
# create a real one):
batch = torch.ones(1, 2, device=layer.weight.device)
print("fixed:", layer(batch).shape)
# --8<-- [end:wrong_device]

# --8<-- [start:oom]
import torch

try:
    torch.empty(2**50, dtype=torch.float32)  # 4 PiB: more than any machine has
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0][:160])
# --8<-- [end:oom]

# --8<-- [start:math]
import torch

x = torch.ones(8, 3)  # 8 samples, 3 features
w = torch.ones(4, 3)  # a layer written with the wrong orientation
try:
    x @ w
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])
print("fixed:", (x @ w.T).shape)  # the mathematics was wrong, not the machine
# --8<-- [end:math]

# --8<-- [start:jax]
import jax

try:
    jax.devices("gpu")
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0][:160])
print("JAX sees:", jax.devices())
# --8<-- [end:jax]

if __name__ == "__main__":
    print("each section above provoked one error and printed it")
