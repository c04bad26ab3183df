"""`graphs` writes the traced computation graphs; `verify-graphs` re-traces and diffs them."""

from __future__ import annotations


def setup_write(parser) -> None:
    parser.set_defaults(run=run_write)


def setup_verify(parser) -> None:
    parser.set_defaults(run=run_verify)


def run_write(args) -> int:
    from ramverk.render import traced_graphs

    for name, text in traced_graphs.generate().items():
        traced_graphs.render(name, text)
        print(f"wrote docs/assets/graphs/{name}.dot and .svg")
    return 0


def run_verify(args) -> int:
    from ramverk.render import traced_graphs

    problems = traced_graphs.differences()
    for line in problems:
        print(line)
    print(f"verify-graphs: {len(traced_graphs.GRAPHS)} graphs, {len(problems)} difference(s)")
    return 1 if problems else 0
