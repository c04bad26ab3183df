"""`check`: the fast checks, run before anything slow. Every problem prints as file:line: message."""

from __future__ import annotations

import time

from ramverk.checks import CHECKS, run_check, run_notes


def setup(parser) -> None:
    parser.add_argument("names", nargs="*", help="checks to run (default: all)")
    parser.set_defaults(run=run)


def run(args) -> int:
    started = time.perf_counter()
    names = args.names or list(CHECKS)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        print(f"check: unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
        return 2
    problems, notes = [], []
    for name in names:
        try:
            problems.extend(run_check(name))
            notes.extend(run_notes(name))
        except Exception as error:  # report and go on: one broken page must not hide the other checks
            problems.append(f"mkdocs.yml:1: check {name!r} stopped: {type(error).__name__}: {error}")
    for line in notes:
        print(f"note: {line}")
    for line in problems:
        print(line)
    elapsed = time.perf_counter() - started
    verdict = (f"{len(problems)} problem(s)" if problems else "all good") + (f", {len(notes)} note(s)" if notes else "")
    print(f"check: {len(names)} checks ({', '.join(names)}), {verdict}, {elapsed:.2f} s")
    return 1 if problems else 0

