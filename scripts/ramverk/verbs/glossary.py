"""`glossary` writes the two glossary pages from docs/glossary.yml; `verify-glossary` checks they are current."""

from __future__ import annotations

from ramverk import glossary


def register(subparsers) -> None:
    write = subparsers.add_parser("glossary", help="write docs/glossary.<lang>.md from docs/glossary.yml")
    write.set_defaults(run=run_write)
    verify = subparsers.add_parser("verify-glossary", help="regenerate the glossary pages in memory and diff")
    verify.set_defaults(run=run_verify)


def run_write(args) -> int:
    for path in glossary.write():
        print(f"glossary: wrote {path}")
    problems = glossary.problems()
    for p in problems:
        print(p)
    return 1 if problems else 0


def run_verify(args) -> int:
    diffs = glossary.stale()
    for diff in diffs:
        print(diff)
    problems = glossary.problems()
    for p in problems:
        print(p)
    if diffs:
        print("verify-glossary: the glossary pages are out of date; run: python -m ramverk glossary")
    elif not problems:
        print(f"verify-glossary: {len(glossary.entries())} entries, pages up to date")
    return 1 if diffs or problems else 0
