"""The fidelity benchmark: does the runner's measure() agree with torch.utils.benchmark?

Three reference operations span the scales the snippets have: a microsecond-scale add of two
8-element tensors (dominated by dispatch overhead), a millisecond-scale elementwise exp over
2^20 floats, and a large square matmul. For each, the runner's median (ramverk.measure.timing) and
torch.utils.benchmark.Timer(...).blocked_autorange(min_run_time=...).median are taken in the
same process, alternating (ours, Timer, ours, Timer, ...), and the medians of the repeats are
compared. The target is a difference under 10%. Both time the very same callable, so the
comparison is about the *measuring method*, not about what is measured. Run it on an idle
machine: under load, Timer's blocks (10 ms and more) include other processes' turns while the
runner's ~1 ms samples mostly do not, and the two then differ by about the load factor.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ramverk.measure.protocol import pin_threads
from ramverk.measure.timing import measure

TARGET = 0.10


@dataclass
class Row:
    name: str
    ours_s: float
    timer_s: float
    repeats: int

    @property
    def difference(self) -> float:
        """Relative difference, ours against Timer's: (ours - timer) / timer."""
        return (self.ours_s - self.timer_s) / self.timer_s

    @property
    def ok(self) -> bool:
        return abs(self.difference) < TARGET


def reference_ops(matmul_n: int = 1536, exp_n: int = 1 << 20):
    """name -> zero-argument callable (torch imported here, after threads are pinned)."""
    import torch

    torch.manual_seed(0)
    a8, b8 = torch.randn(8), torch.randn(8)
    big = torch.randn(exp_n)
    m1, m2 = torch.randn(matmul_n, matmul_n), torch.randn(matmul_n, matmul_n)
    return {
        "add, 2 x 8 floats (µs)": lambda: torch.add(a8, b8),
        f"exp, {exp_n} floats (ms)": lambda: torch.exp(big),
        f"matmul {matmul_n}x{matmul_n} (large)": lambda: torch.mm(m1, m2),
    }


def run(min_time_s: float = 1.0, repeats: int = 3, threads: int = 1, matmul_n: int = 1536,
        exp_n: int = 1 << 20) -> list[Row]:
    pin_threads(threads)
    import torch
    import torch.utils.benchmark as tb

    torch.set_num_threads(threads)
    rows = []
    for name, fn in reference_ops(matmul_n, exp_n).items():
        ours, theirs = [], []
        for _ in range(repeats):
            ours.append(measure({"op": fn}, min_time_s=min_time_s, first_call=False)["op"].stats.median_s)
            timer = tb.Timer(stmt="fn()", globals={"fn": fn}, num_threads=threads)
            theirs.append(timer.blocked_autorange(min_run_time=min_time_s).median)
        rows.append(Row(name, statistics.median(ours), statistics.median(theirs), repeats))
    return rows
