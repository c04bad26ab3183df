"""The package's rooms import only downwards: contract < executor < results < measure < pages < render < checks
< contrib < hooks/verbs/cli. The layering is read from the imports themselves (ast), so a new arrow that
runs back up, or a cycle between modules, fails here with the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "ramverk"
# Each room and the rooms below it; a module may import its own room and anything lower.
LAYERS = ["contract", "executor", "sections", "results", "measure", "pages", "render", "checks", "contrib", "top"]
TOP = {"hooks", "verbs", "cli", "__main__", "__init__"}


def _room(module: str) -> str:
    """'ramverk.measure.runner' -> 'measure'; 'ramverk.sections' -> 'sections'; hooks/verbs/cli -> 'top'."""
    part = module.split(".")[1] if "." in module else "__init__"
    return "top" if part in TOP else part


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """(line, imported ramverk module) for each import in the file, top level or inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ramverk"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                target = full if (PACKAGE.parent / (full.replace(".", "/") + ".py")).exists() else node.module
                yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ramverk"):
                    yield node.lineno, alias.name


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "theme" not in p.parts)


def test_every_room_is_a_known_layer_with_a_docstring_saying_what_it_may_import():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert rooms - TOP == set(LAYERS) - {"sections", "top"}
    for room in rooms - {"hooks"}:
        doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert room in TOP or "May import" in doc or "Imports nothing" in doc, f"{room}/__init__.py says nothing of its imports"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_only_downwards(path):
    here = _room(_module(path))
    upward = [
        f"{path.relative_to(PACKAGE.parents[1])}:{line}: {here} imports {target} ({_room(target)})"
        for line, target in _imports(path)
        if target != "ramverk" and LAYERS.index(_room(target)) > LAYERS.index(here)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_modules():
    graph = {_module(p): {t for _, t in _imports(p) if t != "ramverk"} for p in MODULES}
    done, path = set(), []

    def visit(node):
        if node in path:
            cycle = path[path.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph:
                visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


TESTS = Path(__file__).resolve().parent


def test_test_modules_share_code_through_helpers_never_conftest():
    """conftest.py is pytest's (fixtures and hooks); importing it as a module runs it twice under two names.
    Shared functions and constants live in tests/helpers.py."""
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            found += [f"{path.relative_to(TESTS.parent)}:{node.lineno}: imports {name}"
                      for name in names if name.split(".")[0] == "conftest"]
    assert not found, "\n".join(found)
