"""`glossary` writes the two glossary pages from docs/glossary.yml; `verify-glossary` checks they are current."""

from __future__ import annotations

from ramverk.pages import glossary


def setup_write(parser) -> None:
    parser.set_defaults(run=run_write)


def setup_verify(parser) -> None:
    parser.set_defaults(run=run_verify)


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
