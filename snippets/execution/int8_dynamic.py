"""Dynamic int8 quantisation on the CPU: a transformer's MLP block in float32 and with its Linear
layers' weights stored as int8, quantised once, and the activations quantised on the fly at each call.

BENCHMARK times one call of the block on `tokens` tokens of width `width` (hidden width 4 × width):
one token at a time is what a decoder does for each new token.
Run it: .venv/bin/python snippets/execution/int8_dynamic.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch"],
    "modes": {
        "torch": ["float32", "int8"],
    },
    "sizes": {"quick": {"tokens": 1, "width": 32}, "full": {"tokens": 1, "width": 1024}},
    "baseline": "float32",
    # PyTorch's quantised operators run on the CPU only (x86 and ARM backends)
    "devices": ["cpu"],
    "work": {"flops": "2*tokens*8*width**2"},
}

# --8<-- [start:quantize]
import time
import warnings

import torch
from torch import nn

torch.set_num_threads(1)  # one core, as the runner measures
torch.manual_seed(0)
width = 1024
mlp = nn.Sequential(
    nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width)
).eval()

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    # int8 weights now; activations are quantised at each call
    int8 = torch.ao.quantization.quantize_dynamic(
        mlp, {nn.Linear}, dtype=torch.qint8
    )
print("torch", torch.__version__)
# each warning once, up to the end of its first sentence
firsts = [f"{w.category.__name__}: {str(w.message).split('. ')[0]}."
          for w in caught]
for message in dict.fromkeys(firsts):
    print(message)
print(int8[0])


def fastest_ms(model, x, repeats=20):
    with torch.inference_mode():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    return min(times) * 1e3


for tokens in (1, 64):
    x = torch.randn(tokens, width)
    with torch.inference_mode():
        exact, approx = mlp(x), int8(x)
    error = ((approx - exact).norm() / exact.norm()).item()
    print(f"{tokens:3} token(s): float32 {fastest_ms(mlp, x):6.2f} ms,"
          f" int8 {fastest_ms(int8, x):6.2f} ms, relative error {error:.1%}")
# --8<-- [end:quantize]

# --8<-- [start:solution]
import warnings

import torch
from torch import nn

# the deprecation warnings of torch.ao.quantization, shown above
warnings.simplefilter("ignore")
torch.manual_seed(0)
mlp = nn.Sequential(
    nn.Linear(1024, 4096), nn.GELU(), nn.Linear(4096, 1024)
).eval()
int8 = torch.ao.quantization.quantize_dynamic(
    mlp, {nn.Linear}, dtype=torch.qint8
)


def weight_bytes(layers):
    # a dynamically quantised Linear returns its int8 weight from weight()
    weights = [m.weight() if callable(m.weight) else m.weight
               for m in layers if hasattr(m, "weight")]
    return sum(w.numel() * w.element_size() for w in weights)


fp32_bytes, int8_bytes = weight_bytes(mlp), weight_bytes(int8)
print(f"weights: float32 {fp32_bytes / 2**20:.0f} MiB,"
      f" int8 {int8_bytes / 2**20:.0f} MiB,"
      f" a share of {int8_bytes / fp32_bytes:.2f}")
assert fp32_bytes == 4 * int8_bytes
# --8<-- [end:solution]


def build(framework, mode, device, tokens, width):
    """One call of the MLP block on `tokens` tokens, in float32 or with dynamic int8 Linear layers."""
    if framework == "torch":
        import warnings

        import torch
        from torch import nn

        torch.manual_seed(0)
        mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width)).eval()
        if mode == "int8":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the deprecation warnings the section shows
                mlp = torch.ao.quantization.quantize_dynamic(mlp, {nn.Linear}, dtype=torch.qint8)
        mlp = mlp.to(device)
        x = torch.randn(tokens, width, device=device)

        @torch.inference_mode()
        def step():
            return mlp(x)

        return step
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for framework in runnable(BENCHMARK["frameworks"]):
        outs = {mode: build(framework, mode, "cpu", **size)() for mode in BENCHMARK["modes"][framework]}
        error = float((outs["int8"] - outs["float32"]).norm() / outs["float32"].norm())
        print(f"{framework}: int8 against float32, relative error {error:.1%}")
        assert error < 0.1, error
