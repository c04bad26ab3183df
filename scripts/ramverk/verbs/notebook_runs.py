"""`verify-notebooks`: run every published notebook top to bottom in a Jupyter kernel (sandboxed) and
compare each code cell's outputs with the ones the site shows (ramverk/checks/notebook_runs.py)."""

from __future__ import annotations

import time
from collections import Counter


def setup(parser) -> None:
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only notebooks whose name, snippet or page contains TEXT (repeatable)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="kernels run at once (default 2: the framework imports keep a core busy each)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from ramverk.checks import notebook_runs

    started = time.perf_counter()
    groups = [g for g in notebook_runs.groups()
              if not args.only or any(text in f"{notebook_runs.key(g)} {g[0].snippet} {notebook_runs.label(g)}"
                                      for text in args.only)]
    if not groups:
        print(f"verify-notebooks: no notebook matches {' or '.join(map(repr, args.only))}")
        return 2
    runs = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for result in pool.map(notebook_runs.verify, groups):  # in order, as soon as it and those before it end
            verdict = f"{len(result.mismatches)} mismatch(es)" if result.mismatches else "as published"
            skipped = f", {len(result.not_compared)} not run in the capture" if result.not_compared else ""
            print(f"{result.label}: {result.compared} cells compared{skipped}, {verdict} ({result.seconds:.1f} s, "
                  f"{result.cpu_s:.1f} s CPU)", flush=True)
            for mismatch in result.mismatches:
                print(mismatch.line(), flush=True)
            runs.append(result)
    masks = sum((r.masks for r in runs), Counter())
    used = ", ".join(f"{name} ×{n}" for name, n in sorted(masks.items()) if n) or "none"
    mismatches = sum(len(r.mismatches) for r in runs)
    executed = [r for r in runs if not any(m.what == "capture" for m in r.mismatches)]  # the rest had no outputs
    published = sum(len(r.notebooks) for r in executed)
    print(f"verify-notebooks: {len(executed)} of {len(runs)} notebooks executed (standing for {published} published: "
          f"a page's languages share their code cells), {sum(r.compared for r in runs)} cells compared, "
          f"{sum(len(r.not_compared) for r in runs)} not compared; masks used (cells): {used}; "
          f"{mismatches} mismatch(es); {time.perf_counter() - started:.1f} s, {sum(r.cpu_s for r in runs):.0f} s CPU")
    return 1 if mismatches else 0
