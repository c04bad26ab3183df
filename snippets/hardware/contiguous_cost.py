"""What a transpose costs as a view, and what making it contiguous costs (a full copy).

Run it: python snippets/hardware/contiguous_cost.py
"""

import os

BENCHMARK = {
    "frameworks": ["numpy", "torch"],
    "modes": {
        "numpy": ["view", "contiguous"],
        "torch": ["view", "reshape", "contiguous"],
    },
    "sizes": {"quick": {"n": 64}, "full": {"n": 2048}},
    "baseline": "view",
}


def build(framework, mode, device, n):
    """view: transpose only (metadata); reshape/contiguous: transpose and copy n*n floats."""
    if framework == "numpy":
        import numpy as np

        x = np.random.default_rng(0).standard_normal((n, n)).astype("float32")
        if mode == "view":
            return lambda: x.T
        return lambda: np.ascontiguousarray(x.T)
    if framework == "torch":
        import torch

        x = torch.randn(n, n, generator=torch.Generator().manual_seed(0)).to(device)
        if mode == "view":
            return lambda: x.t()
        if mode == "reshape":
            return lambda: x.t().reshape(-1)
        return lambda: x.t().contiguous()
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import time

    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for framework in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][framework]:
            step = build(framework, mode, "cpu", **size)
            step()
            start = time.perf_counter()
            for _ in range(20):
                step()
            micros = (time.perf_counter() - start) / 20 * 1e6
            print(f"{framework:5} {mode:10} n={size['n']}: {micros:.1f} µs per call (rough)")
