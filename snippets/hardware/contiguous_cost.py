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

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for mode in BENCHMARK["modes"]["torch"]:
        step = build("torch", mode, "cpu", **size)
        step()
        start = time.perf_counter()
        for _ in range(20):
            step()
        print(f"torch {mode:10} n={size['n']}: {(time.perf_counter() - start) / 20 * 1e6:.1f} µs per call (rough)")
