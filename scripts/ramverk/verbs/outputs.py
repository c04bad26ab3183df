"""`outputs`: capture what each notebook's sections print, into outputs/ (committed, read by the build)."""

from __future__ import annotations

import time

from ramverk.render import notebooks


def setup(parser) -> None:
    parser.add_argument("--prune", action="store_true", help="also delete outputs/ files no notebook uses")
    parser.set_defaults(run=run)


def run(args) -> int:
    started = time.perf_counter()
    captured, present, deleted = notebooks.capture(prune=args.prune)
    for name in deleted:
        print(f"outputs: deleted outputs/{name} (no notebook uses it)")
    problems = notebooks.output_problems()
    for line in problems:
        print(line)
    print(f"outputs: {captured} captured, {present} already there, {len(deleted)} deleted; "
          f"{time.perf_counter() - started:.1f} s")
    return 1 if problems else 0
