"""Tensor Cores and dtypes: the matmul pieces of tensor_cores.py in TF32 (dtype "tf32").

The same build() as tensor_cores.py (imported from it), so the only difference between the tables
is the number format; the "dtype" size parameter also picks the datasheet peak the FLOP/s are held
against (TF32 on the Tensor Cores). Only a GPU has Tensor Cores, so the runner measures it on CUDA
only. Run it: python snippets/hardware/tensor_cores_tf32.py (a quick check on the CPU)
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

from tensor_cores import build, check  # noqa: E402,F401 - build is what the runner measures

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["n/8", "n/4", "n/2", "n"], "jax": ["n/8", "n/4", "n/2", "n"]},
    "sizes": {"quick": {"n": 64, "dtype": "tf32"}, "full": {"n": 4096, "dtype": "tf32"}},
    "devices": ["cuda"],
    "work": {"flops": "2*n**3"},
}

if __name__ == "__main__":
    check(BENCHMARK)  # quick sizes on the CPU: the full size is for the runner on a GPU
    print("full size:", BENCHMARK["sizes"]["full"], "" if os.environ.get("RAMVERK_QUICK") else "(measured by the runner)")
