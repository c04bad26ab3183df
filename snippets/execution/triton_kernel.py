"""Writing your own kernel for a GPU with Triton: the fusion page's chain of eight elementwise operations
as one hand-written Triton kernel, against PyTorch eager (one kernel per operation) and torch.compile
(whose Inductor writes a Triton kernel itself on a GPU).

GPU only: Triton compiles for GPUs, and comes with PyTorch's CUDA build, not with its CPU build. The
runner measures it on CUDA only; on any other device (the tests build every mode on PyTorch's "meta"
device, the quick self-check on the CPU) "triton" runs the chain eagerly instead.
Run it: python snippets/execution/triton_kernel.py (a quick check on the CPU without a GPU)
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch"],
    "modes": {"torch": ["eager", "triton", "compile"]},
    "sizes": {"quick": {"n": 4096}, "full": {"n": 16777216}},
    "baseline": "eager",
    "devices": ["cuda"],
    "work": {"bytes": "8*n"},  # read x, write the result: what a fused kernel must move
}

# --8<-- [start:triton]
import torch

if torch.cuda.is_available():
    import triton
    import triton.language as tl

    @triton.jit
    def chain_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
        start = tl.program_id(axis=0) * BLOCK  # this program's block
        offsets = start + tl.arange(0, BLOCK)
        inside = offsets < n  # the last block may run past the end
        x = tl.load(x_ptr + offsets, mask=inside)
        t = 2.0 * tl.sigmoid(2.0 * (x * 1.5 + 0.5)) - 1.0  # tanh
        y = tl.sigmoid(t * 2.0 - x) * 3.0 + 1.0
        tl.store(out_ptr + offsets, y, mask=inside)

    def chain_triton(x, block=1024):
        out = torch.empty_like(x)
        grid = (triton.cdiv(x.numel(), block),)  # one program per block
        chain_kernel[grid](x, out, x.numel(), BLOCK=block)
        return out

    x = torch.linspace(-3.0, 3.0, 10_000, device="cuda")
    expected = torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0
    difference = (chain_triton(x) - expected).abs().max().item()
    print("equal to eager PyTorch within 1e-5:", difference < 1e-5)
else:
    print(
        "no CUDA device here: Triton kernels need one"
        " (torch.cuda.is_available() is False)"
    )
# --8<-- [end:triton]


def build(framework, mode, device, n):
    """The chain on n float32 values: eager (eight kernels), the Triton kernel (one), torch.compile."""
    if framework != "torch":
        raise ValueError(f"unknown framework {framework!r}")
    import torch

    def chain(x):
        return torch.sigmoid(torch.tanh(x * 1.5 + 0.5) * 2.0 - x) * 3.0 + 1.0

    x = torch.linspace(-3.0, 3.0, n).to(device)
    if mode == "compile":
        compiled = torch.compile(chain)
        return lambda: compiled(x)
    if mode == "triton" and device == "cuda":
        import triton
        import triton.language as tl

        @triton.jit
        def chain_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
            offsets = tl.program_id(axis=0) * BLOCK + tl.arange(0, BLOCK)
            inside = offsets < n
            x = tl.load(x_ptr + offsets, mask=inside)
            t = 2.0 * tl.sigmoid(2.0 * (x * 1.5 + 0.5)) - 1.0
            tl.store(out_ptr + offsets, tl.sigmoid(t * 2.0 - x) * 3.0 + 1.0, mask=inside)

        def run_triton():
            out = torch.empty_like(x)
            chain_kernel[(triton.cdiv(n, 1024),)](x, out, n, BLOCK=1024)
            return out

        return run_triton
    # eager; and "triton" off CUDA, where no Triton kernel can run (the runner measures this snippet on CUDA only)
    return lambda: chain(x)


if __name__ == "__main__":
    import numpy as np
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick"]  # a check on the CPU; the runner measures the full size on a GPU
    x = np.linspace(-3.0, 3.0, size["n"], dtype="float32")
    expected = 1 / (1 + np.exp(-(np.tanh(x * 1.5 + 0.5) * 2.0 - x))) * 3.0 + 1.0
    for fw in runnable(BENCHMARK["frameworks"]):
        # "compile" is left to the runner on a GPU: on the CPU it would be fusion.py's compile mode again
        for mode in ["eager", "triton"]:
            out = build(fw, mode, "cpu", **size)().numpy()
            assert np.allclose(out, expected, atol=1e-5), mode
            print(f"{fw}/{mode} on the CPU: n={size['n']}, equal to NumPy")
    print("full size:", BENCHMARK["sizes"]["full"], "(measured by the runner on a GPU)")
