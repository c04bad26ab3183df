"""The one entry point: `python -m ramverk <verb>` (or `ramverk <verb>` inside .venv).

Each verb lives in its own module under ramverk/verbs/ and registers itself with
`register(subparsers)`; the module's `run(args)` returns the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# One module per verb, in the order `--help` lists them.
VERBS = [
    "check",
    "new_note",
    "import_obsidian",
    "run",
    "compare",
    "bench_fidelity",
    "glossary",  # registers `glossary` and `verify-glossary`
    "graphs",  # registers `graphs` and `verify-graphs`
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ramverk", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for name in VERBS:
        importlib.import_module(f"ramverk.verbs.{name}").register(subparsers)
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
