"""The package's rooms import only downwards: contract < executor < sections < results < measure < pages
< render < checks < contrib < hooks/verbs/cli. The layering is read from the imports themselves (ast),
including the modules named as strings for `importlib.import_module` (the verb and check tables), so a
new arrow that runs back up, or a cycle between modules, fails here with the file and line. Each room's
docstring says what it may import, and that list is checked against the imports, both ways."""

from __future__ import annotations

import ast
import re
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


def _folder(module: str) -> str:
    """The room's folder or top-level module: 'ramverk.verbs.run' -> 'verbs'."""
    return module.split(".")[1] if "." in module else "__init__"


def _module(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, package: Path) -> bool:
    rel = Path(*name.split("."))
    return (package.parent / rel.with_suffix(".py")).exists() or (package.parent / rel / "__init__.py").exists()


def _imports(path: Path, package: Path = PACKAGE):
    """(line, imported ramverk module) for each import in the file, top level or inside functions, and
    for each string naming a ramverk module in a file that imports by name (importlib.import_module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    by_name = any(isinstance(node, ast.Attribute) and node.attr == "import_module" for node in ast.walk(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ramverk"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield node.lineno, full if _is_module(full, package) else node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ramverk"):
                    yield node.lineno, alias.name
        elif (by_name and isinstance(node, ast.Constant) and isinstance(node.value, str)
              and node.value.startswith("ramverk.") and _is_module(node.value, package)):
            yield node.lineno, node.value


def _modules(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "theme" not in p.parts)


MODULES = _modules(PACKAGE)


def upward_imports(path: Path, package: Path = PACKAGE) -> list[str]:
    here = _room(_module(path, package))
    return [f"{path.relative_to(package.parents[1])}:{line}: {here} imports {target} ({_room(target)})"
            for line, target in _imports(path, package)
            if target != "ramverk" and LAYERS.index(_room(target)) > LAYERS.index(here)]


def declared_imports(doc: str) -> set[str] | None:
    """The rooms a room's docstring allows: 'May import: contract, executor, ramverk.sections.' ->
    {'contract', 'executor', 'sections'}; 'Imports nothing from ramverk outside this folder' -> set()."""
    if "Imports nothing from ramverk" in doc:
        return set()
    found = re.search(r"May import:\s*([^.]*(?:\.\w+[^.]*)*?)\.(?:\s|$)", doc)
    if not found:
        return None
    return {name.strip().removeprefix("ramverk.") for name in found.group(1).split(",") if name.strip()}


def docstring_mismatches(package: Path = PACKAGE) -> list[str]:
    """Each room whose docstring's list differs from the rooms its modules import."""
    used: dict[str, set[str]] = {}
    for path in _modules(package):
        room = _folder(_module(path, package))
        used.setdefault(room, set()).update(
            _folder(target) for _, target in _imports(path, package) if target != "ramverk" and _folder(target) != room)
    problems = []
    for init in sorted(package.glob("*/__init__.py")):
        room = init.parent.name
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        declared = declared_imports(doc)
        where = init.relative_to(package.parents[1])
        if declared is None:
            problems.append(f"{where}:1: the docstring does not say what {room} may import ('May import: ….')")
            continue
        actual = used.get(room, set())
        if declared - actual:
            problems.append(f"{where}:1: lists {', '.join(sorted(declared - actual))}, which {room} does not import")
        if actual - declared:
            problems.append(f"{where}:1: {room} imports {', '.join(sorted(actual - declared))}, which it does not list")
    return problems


def import_cycle(package: Path = PACKAGE) -> list[str] | None:
    modules = _modules(package)
    graph = {_module(p, package): {t for _, t in _imports(p, package) if t != "ramverk"} for p in modules}
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph and (cycle := visit(nxt)):
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if cycle := visit(node):
            return cycle
    return None


def test_every_room_is_a_known_layer():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert rooms - TOP == set(LAYERS) - {"sections", "top"}


def test_each_rooms_docstring_lists_exactly_the_rooms_it_imports():
    problems = docstring_mismatches()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_only_downwards(path):
    upward = upward_imports(path)
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_modules():
    cycle = import_cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


# Planted violations: each check above must catch its own kind on a small package built here.
def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "scripts" / "ramverk"
    for rel, text in files.items():
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(text, encoding="utf-8")
    return package


def test_planted_upward_import_by_name_is_caught(tmp_path):
    package = _plant(tmp_path, {
        "__init__.py": "", "pages/__init__.py": '"""May import: contract."""\n', "pages/reader.py": "",
        "contract/__init__.py": '"""Imports nothing from ramverk outside this folder."""\n',
        "contract/table.py": 'import importlib\nTABLE = {"x": "ramverk.pages.reader"}\nimportlib.import_module(TABLE["x"])\n'})
    assert upward_imports(package / "contract" / "table.py", package) == [
        "scripts/ramverk/contract/table.py:2: contract imports ramverk.pages.reader (pages)"]


def test_planted_docstring_lies_are_caught_both_ways(tmp_path):
    package = _plant(tmp_path, {
        "__init__.py": "", "contract/__init__.py": "", "contract/words.py": "",
        "results/__init__.py": '"""May import: contract."""\n', "results/store.py": "",
        "pages/__init__.py": '"""Reading pages. May import: contract, results."""\n',
        "pages/scan.py": "from ramverk.contract import words\n",
        "render/__init__.py": '"""May import: contract."""\n',
        "render/draw.py": "from ramverk.results import store\nfrom ramverk.contract import words\n"})
    assert docstring_mismatches(package) == [
        "scripts/ramverk/contract/__init__.py:1: the docstring does not say what contract may import ('May import: ….')",
        "scripts/ramverk/pages/__init__.py:1: lists results, which pages does not import",
        "scripts/ramverk/render/__init__.py:1: render imports results, which it does not list",
        "scripts/ramverk/results/__init__.py:1: lists contract, which results does not import"]


def test_planted_cycle_is_caught(tmp_path):
    package = _plant(tmp_path, {"__init__.py": "", "render/__init__.py": "",
                                "render/a.py": "from ramverk.render import b\n",
                                "render/b.py": "import ramverk.render.a\n"})
    assert import_cycle(package) == ["ramverk.render.a", "ramverk.render.b", "ramverk.render.a"]


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
