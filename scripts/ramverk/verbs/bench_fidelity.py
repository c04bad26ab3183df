"""`bench-fidelity`: the runner's medians against torch.utils.benchmark.Timer's, same run."""

from __future__ import annotations

import os

from rich.console import Console
from rich.table import Table

from ramverk.measure import fidelity
from ramverk.verbs.run import _fmt


def setup(parser) -> None:
    parser.add_argument("--min-time", type=float, default=0.5, help="min_run_time of each measurement (s)")
    parser.add_argument("--repeats", type=int, default=7, help="alternating repeats per operation")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--matmul-n", type=int, default=1536, help="side of the large square matmul")
    parser.set_defaults(run=run)


def run(args) -> int:
    console = Console(highlight=False)
    console.print(f"fidelity: {args.repeats} alternating repeats, min time {args.min_time:g} s, "
                  f"{args.threads} thread(s); target: difference under {fidelity.TARGET:.0%}")
    rows = fidelity.run(args.min_time, args.repeats, args.threads, args.matmul_n)
    table = Table(title="ramverk.measure.timing vs torch.utils.benchmark.Timer (medians)")
    for column in ("operation", "ramverk", "Timer", "difference", "within 10%"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.name, _fmt(row.ours_s), _fmt(row.timer_s), f"{row.difference:+.1%}",
                      "yes" if row.ok else "[red]no[/]")
    console.print(table)
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    console.print(f"load average {load:.1f} on {cores} logical cores"
                  + ("" if load < 0.5 * cores else
                     ": the machine is busy; Timer's long blocks (up to ~100 ms) then include other processes' "
                     "turns, the runner's ~1 ms samples mostly do not, so the two can differ by the load factor. "
                     "Run this on an idle machine."))
    return 0 if all(r.ok for r in rows) else 1
