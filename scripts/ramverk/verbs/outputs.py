"""`outputs`: capture what each shown snippet section prints, into outputs/ (committed; the build shows
it under the code and in the notebooks; the code-block tests compare each block's output with it)."""

from __future__ import annotations

import time

from ramverk.render import notebooks


def setup(parser) -> None:
    parser.add_argument("--prune", action="store_true", help="also delete outputs/ files no notebook uses")
    parser.add_argument("--refresh", action="store_true",
                        help="run every notebook again (after a change of versions or of what a section prints)")
    parser.set_defaults(run=run)


def run(args) -> int:
    started = time.perf_counter()
    captured, present, deleted = notebooks.capture(prune=args.prune, refresh=args.refresh)
    for name in deleted:
        print(f"outputs: deleted outputs/{name} (no notebook uses it)")
    problems = notebooks.output_problems()
    for line in problems:
        print(line)
    print(f"outputs: {captured} captured, {present} already there, {len(deleted)} deleted; "
          f"{time.perf_counter() - started:.1f} s")
    return 1 if problems else 0
