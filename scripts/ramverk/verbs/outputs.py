"""`outputs`: capture what readers see printed, into outputs/ (committed; the build runs no code): what each
displayed snippet block prints when run alone (outputs/blocks/, shown under the code; the code-block tests
compare each block's output with it), and what each notebook's cells print in one kernel (outputs/*.json)."""

from __future__ import annotations

import time

from ramverk.render import block_outputs, notebooks


def setup(parser) -> None:
    parser.add_argument("--prune", action="store_true", help="also delete outputs/ files nothing uses")
    parser.add_argument("--refresh", action="store_true",
                        help="run everything again (after a change of versions or of what a section prints)")
    parser.set_defaults(run=run)


def run(args) -> int:
    started = time.perf_counter()
    captured, present, deleted, failures = block_outputs.capture(refresh=args.refresh, prune=args.prune)
    for name in deleted:
        print(f"outputs: deleted outputs/blocks/{name} (no page shows its block)")
    for line in failures:
        print(line)
    print(f"outputs: blocks run alone: {captured} captured, {present} already there, {len(deleted)} deleted, "
          f"{len(failures)} failed; {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    captured, present, deleted = notebooks.capture(prune=args.prune, refresh=args.refresh)
    for name in deleted:
        print(f"outputs: deleted outputs/{name} (no notebook uses it)")
    problems = block_outputs.problems() + notebooks.output_problems()
    for line in problems:
        print(line)
    print(f"outputs: notebooks: {captured} captured, {present} already there, {len(deleted)} deleted; "
          f"{time.perf_counter() - started:.1f} s")
    return 1 if problems or failures else 0
