"""The fast checks `ramverk check` runs, and the test-time tools that verify pages (code blocks, the
pytest-codeblocks plugin). May import: contract, executor, results, measure, pages, render, ramverk.sections.

CHECKS is the one registry: check name -> (module, function returning "file:line: problem" lines).
NOTES adds, for some checks, a function whose "file:line: note" lines are information, not failures.
Modules are imported only when their check runs, so `check markers` does not load the sanitiser.
"""

from __future__ import annotations

import importlib

CHECKS: dict[str, tuple[str, str]] = {
    "translations": ("ramverk.checks.source_checks", "translations_paired"),
    "fences": ("ramverk.checks.source_checks", "fences_valid"),
    "snippets": ("ramverk.checks.source_checks", "snippets_and_includes"),
    "images": ("ramverk.checks.contrib_checks", "images_present"),
    "safety": ("ramverk.checks.contrib_checks", "nothing_unsafe"),
    "files": ("ramverk.checks.contrib_checks", "files_safe"),
    "shell-blocks": ("ramverk.checks.contrib_checks", "shell_blocks_allowed"),
    "wikilinks": ("ramverk.checks.contrib_checks", "wikilinks_resolve"),
    "code-width": ("ramverk.checks.contrib_checks", "code_fits"),
    "outputs": ("ramverk.checks.contrib_checks", "outputs_current"),
    "markers": ("ramverk.checks.marker_checks", "markers_valid"),
    "results": ("ramverk.checks.marker_checks", "results_fresh"),
    "traces": ("ramverk.checks.trace_checks", "traces_valid"),
    "swedish-style": ("ramverk.checks.swedish_style", "problems"),
}

# Stale records of a device this machine lacks: they cannot be re-measured here, so they are kept.
NOTES: dict[str, tuple[str, str]] = {
    "results": ("ramverk.checks.marker_checks", "results_kept"),
}


def run_check(name: str) -> list[str]:
    """The problems the check `name` finds (KeyError for an unknown name)."""
    module, function = CHECKS[name]
    return getattr(importlib.import_module(module), function)()


def run_notes(name: str) -> list[str]:
    """What the check `name` reports as information (nothing for most checks)."""
    if name not in NOTES:
        return []
    module, function = NOTES[name]
    return getattr(importlib.import_module(module), function)()
