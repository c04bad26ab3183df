"""The one entry point: `python -m ramverk <verb>` (or `ramverk <verb>` inside .venv).

Each verb lives in a module under ramverk/verbs/ with a `setup(parser)` that adds its options and
sets `run`, which returns the exit code. Only the module of the verb being run is imported, so
`ramverk --help` and a cheap verb start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# verb -> (module, its setup function, one line of help), in the order `--help` lists them
VERBS = {
    "build": ("ramverk.verbs.build", "setup", "build the site: each language in its own MkDocs process, side by side"),
    "serve": ("ramverk.verbs.serve", "setup", "serve the site with live reload, both languages at one address"),
    "check": ("ramverk.verbs.check", "setup", "fast checks of pages, snippets and results (seconds)"),
    "new-note": ("ramverk.verbs.new_note", "setup", "start a note: page pair, snippet skeleton, nav entry"),
    "import-obsidian": ("ramverk.verbs.import_obsidian", "setup", "convert an Obsidian note into a page"),
    "run": ("ramverk.verbs.run", "setup", "measure the snippets (snippet x framework x mode x device)"),
    "trace": ("ramverk.verbs.trace", "setup",
              "profile one step of a snippet into results/traces/, for a page's picture"),
    "compare": ("ramverk.verbs.compare", "setup", "this machine's results as ratios to the reference results"),
    "bench-fidelity": ("ramverk.verbs.bench_fidelity", "setup",
                       "compare the runner's timer with torch.utils.benchmark"),
    "glossary": ("ramverk.verbs.glossary", "setup_write", "write docs/glossary.<lang>.md from docs/glossary.yml"),
    "verify-glossary": ("ramverk.verbs.glossary", "setup_verify",
                        "regenerate the glossary pages in memory and diff"),
    "outputs": ("ramverk.verbs.outputs", "setup", "capture what each notebook's sections print, into outputs/"),
    "verify-notebooks": ("ramverk.verbs.notebook_runs", "setup",
                         "run each notebook in a Jupyter kernel and compare its outputs with the published ones"),
    "graphs": ("ramverk.verbs.graphs", "setup_write",
               "trace the framework graphs into docs/assets/graphs/ (DOT + SVG)"),
    "verify-graphs": ("ramverk.verbs.graphs", "setup_verify",
                      "re-trace the graphs and fail if a committed one differs"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="ramverk", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for verb, (module, setup, help_text) in VERBS.items():
        sub = subparsers.add_parser(verb, help=help_text, description=help_text)
        if verb == chosen:
            getattr(importlib.import_module(module), setup)(sub)
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
