"""Running a snippet section by section, so a missing framework skips its sections, not the file.

A snippet file has sections, between `# --8<-- [start:NAME]` and `# --8<-- [end:NAME]`, which
pages show, and code outside them: the docstring, BENCHMARK, build() and the self-check under
`if __name__ == "__main__":`. The rules:

* A section needs the packages it imports (found with ast). When one of them cannot be imported
  here, or its framework is missing (keras needs tensorflow), the section is skipped with a
  one-line reason naming the package. A section is self-contained: it uses no name that only
  another section defines (`lint()`), so a reader can copy it alone.
* Code outside sections always runs. It may import only the standard library, numpy, sibling
  snippets and ramverk; build() imports its framework inside the branch that uses it or uses
  what that framework's section defined.
* The self-check runs unless it uses a name that only a skipped section defines, directly or
  through a function of the shared code. A self-check that picks its frameworks with
  `runnable(...)` handles the absence itself, so only direct uses count for it.

`.venv/bin/python snippets/…py` gets this through one line at the top of each snippet,
`run_as_script(__name__, __file__)`. The test harness may name, in RAMVERK_SECTIONS_RUN_ALONE
("snippets/x.py:section,..."), sections that its code-block tests run alone as pages show them: a
script run then leaves those out, unless its self-check uses a name one of them defines (the
tests' snippet runs check the self-checks; a reader never sets it). The runner's worker loads a
snippet with `load()` and runs only the sections of the framework it measures (plus those that need
no framework); run_hash() is a hash of that code, so a record goes stale when what its framework
ran changes, and only then.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib.abc
import importlib.util
import json
import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ramverk.contract import frameworks
from ramverk.contract.snippet_spec import SECTION, SnippetSpecError

# TensorFlow's and XLA's C++ start-up lines (absl's "WARNING: All log messages before
# absl::InitializeLog()...", oneDNN and CPU-feature notices) land between a snippet's results on
# stderr, where a student reads them as errors. Every snippet imports this module first, before any
# framework; whoever wants those lines sets TF_CPP_MIN_LOG_LEVEL=0 themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OUTSIDE_ALLOWED = frozenset({"numpy", "ramverk"})


@dataclass(frozen=True)
class Chunk:
    section: str | None  # None: code outside sections
    start: int  # first line, 1-based
    source: str
    needs: frozenset[str]  # top-level packages imported anywhere in it, beyond the standard library
    binds: frozenset[str]  # names it binds, at any depth
    loads: frozenset[str]  # names it reads, at any depth
    is_main: bool = False
    functions: tuple[tuple[str, frozenset[str]], ...] = ()  # (name, names it reads) of each top-level def  # the `if __name__ == "__main__":` self-check

    @property
    def label(self) -> str:
        return f"section {self.section!r}" if self.section else "the self-check" if self.is_main else "shared code"


@dataclass(frozen=True)
class Skipped:
    chunk: Chunk
    reason: str

    def line(self) -> str:
        return f"skipped {self.chunk.label}: {self.reason}"


def chunks(path: Path, source: str | None = None) -> list[Chunk]:
    """The file cut into sections and the code between them, in order (`source`: its text, if read already)."""
    source = path.read_text(encoding="utf-8") if source is None else source
    lines = source.splitlines()
    owner = _section_of_each_line(lines)
    tree = ast.parse(source, filename=str(path))
    out: list[Chunk] = []
    run: list[ast.stmt] = []

    def flush(is_main: bool = False) -> None:
        if run:
            first = min([run[0].lineno] + [d.lineno for d in getattr(run[0], "decorator_list", [])])
            text = "\n".join(lines[first - 1:run[-1].end_lineno])
            out.append(_chunk(owner[first - 1], first, text, run, is_main))
            run.clear()

    for stmt in tree.body:
        section = owner[stmt.lineno - 1]
        main = section is None and _is_main_guard(stmt)
        if run and (owner[run[0].lineno - 1] != section or main):
            flush()
        run.append(stmt)
        if main:
            flush(is_main=True)
    flush()
    return out


def lint(path: Path, root: Path | None = None) -> list[str]:
    """Problems with the rules above, as 'file:line: message'."""
    name = path.relative_to(root).as_posix() if root else str(path)
    siblings = {p.stem for p in path.parent.glob("*.py")}
    problems = []
    all_chunks = chunks(path)
    for chunk in all_chunks:
        if chunk.section is None and not chunk.is_main:
            for stmt in ast.parse(chunk.source).body:
                imported = {a.name.split(".")[0] for a in stmt.names} if isinstance(stmt, ast.Import) else (
                    {stmt.module.split(".")[0]} if isinstance(stmt, ast.ImportFrom) and stmt.module else set())
                bad = sorted(imported - frameworks.STDLIB - OUTSIDE_ALLOWED - siblings)
                if bad:
                    problems.append(f"{name}:{chunk.start + stmt.lineno - 1}: code outside sections imports "
                                    f"{', '.join(bad)}; import it inside the section or build() branch that uses it")
        if chunk.section is not None:
            free = chunk.loads - chunk.binds - set(dir(builtins)) - {"__file__", "__name__"}
            borrowed = sorted(n for n in free if any(n in c.binds for c in all_chunks if c is not chunk))
            if borrowed:
                problems.append(f"{name}:{chunk.start}: section {chunk.section!r} uses {', '.join(borrowed)} "
                                f"defined elsewhere in the file; a section must run on its own when copied")
    return problems


Policy = Callable[[Chunk], str | None]  # a section -> why to skip it, or None to run it


def missing_packages(chunk: Chunk) -> str | None:
    missing = sorted(m for m in chunk.needs if not frameworks.importable(m))
    if not missing:
        return None
    owners = {m: frameworks.owner(m) for m in missing}
    named = [m if owners[m] is None or owners[m].modules[0] == m else f"{m} (goes with {owners[m].modules[0]})"
             for m in missing]
    return f"needs {', '.join(named)}, which cannot be imported here"


def other_frameworks(chunk: Chunk, key: str) -> list[str]:
    """The frameworks besides `key` whose packages the chunk imports: the worker of `key` skips it."""
    own = {"numpy", *frameworks.get(key).modules}
    return sorted({f.key for m in chunk.needs if (f := frameworks.owner(m)) and m not in own})


def only_framework(key: str) -> Policy:
    """The worker's policy: sections of other frameworks are not run (nor imported)."""
    frameworks.get(key)  # an unknown key fails here, not at the first section

    def policy(chunk: Chunk) -> str | None:
        others = other_frameworks(chunk, key)
        if others:
            return f"belongs to {', '.join(others)}"
        return missing_packages(chunk)

    return policy


def execute(path: Path, namespace: dict, policy: Policy = missing_packages) -> list[Skipped]:
    """Run the file's chunks in `namespace`, skipping sections the policy refuses; returns what was skipped."""
    path = Path(path)
    global _depth
    skipped: list[Skipped] = []
    ran: set[str] = set()
    shared: dict[str, frozenset[str]] = {}  # shared-code functions and what they read
    _depth += 1  # inside, the snippet's own run_as_script line does nothing
    try:
        _run_chunks(path, namespace, policy, skipped, ran, shared)
    finally:
        _depth -= 1
    return skipped


def _run_chunks(path: Path, namespace: dict, policy: Policy, skipped: list, ran: set, shared: dict) -> None:
    with _siblings(path.parent, policy):
        for chunk in chunks(path):
            if chunk.section is None and not chunk.is_main:
                shared.update(chunk.functions)
            reason = (policy(chunk) if chunk.section
                      else _main_blocked(chunk, skipped, ran, shared) if chunk.is_main else None)
            if reason:
                skipped.append(Skipped(chunk, reason))
                continue
            code = compile("\n" * (chunk.start - 1) + chunk.source, str(path), "exec")
            exec(code, namespace)  # noqa: S102 - the snippet is the program being run, sandboxed by the caller
            ran |= chunk.binds


def load(path: Path, module_name: str, policy: Policy = missing_packages) -> tuple[types.ModuleType, list[Skipped]]:
    """The snippet as a module (not __main__), for the runner's worker."""
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    sys.modules[module_name] = module
    return module, execute(Path(path), module.__dict__, policy)


_depth = 0  # how many execute() calls are running


RUN_ALONE_ENV = "RAMVERK_SECTIONS_RUN_ALONE"


def run_as_script(name: str, file: str) -> None:
    """At the top of a snippet: when it runs as a script, run it section by section, then exit."""
    if name != "__main__" or _depth:
        return
    main = sys.modules["__main__"]  # the real one, so multiprocessing can pickle what the sections define
    path = Path(file)
    run_alone = {entry.rpartition(":")[2] for entry in os.environ.get(RUN_ALONE_ENV, "").split(",")
                 if entry and path.as_posix().endswith("/" + entry.rpartition(":")[0])}
    policy = _leaving_out(path, run_alone) if run_alone else missing_packages
    skipped = execute(path, main.__dict__, policy)
    for item in skipped:
        print(item.line())
    sys.stdout.flush()
    raise SystemExit(0)


def needed_by_self_check(path: Path) -> set[str]:
    """The sections that define a name the self-check reads, itself or through the shared code's
    functions it calls: for each such name the last section that defines it, whose value the self-check
    sees in a whole run (more is harmless)."""
    found = chunks(path)
    main = next((c for c in found if c.is_main), None)
    if main is None:
        return set()
    shared = [c for c in found if c.section is None and not c.is_main]
    functions = {name: reads for c in shared for name, reads in c.functions}
    wanted, todo, followed = set(main.loads - main.binds), list(main.loads - main.binds), set()
    while todo:
        name = todo.pop()
        if name in functions and name not in followed:
            followed.add(name)
            wanted |= functions[name]
            todo.extend(functions[name])
    wanted -= {n for c in shared for n in c.binds} | set(dir(builtins))
    return {next(c.section for c in reversed(found) if c.section and name in c.binds)
            for name in wanted if any(c.section and name in c.binds for c in found)}


def _leaving_out(path: Path, run_alone: set[str]) -> Policy:
    """missing_packages, and the sections in run_alone that the self-check does not need are left out."""
    left_out = {c for c in chunks(path) if c.section in run_alone - needed_by_self_check(path)}

    def policy(chunk: Chunk) -> str | None:
        if chunk in left_out:  # a sibling's chunks are never equal to this file's
            return f"run alone as a page's code block by the tests ({RUN_ALONE_ENV})"
        return missing_packages(chunk)

    return policy


def runnable(keys) -> list[str]:
    """The frameworks among `keys` that can run here (for a self-check that loops over BENCHMARK)."""
    return [k for k in keys if frameworks.available(k)]


# What a record measured. A record of framework F is current while the code F's worker runs is
# unchanged (asv's benchmark version is the model): the code outside sections, the sections
# only_framework(F) runs, F's part of BENCHMARK, and the same of each sibling snippet imported
# there. The code counts as syntax trees, so comments, docstrings and formatting do not.

Reader = Callable[[Path], "str | None"]  # a file's text, or None where there is no such file


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def run_hash(path: Path, framework: str, read: Reader = _read) -> str:
    """"sha256:<16 hex>" of what the worker of `framework` runs of the snippet at `path`.

    `read` gives each file's text: the migration reads them at a past commit (git show)."""
    path = Path(path)
    source = read(path)
    if source is None:
        raise FileNotFoundError(f"{path}: no such snippet")
    digest = hashlib.sha256(f"framework {framework}".encode())
    todo, seen = [(path, source)], {path.stem}
    while todo:
        file, text = todo.pop(0)
        normal, imports = _reduced(text, str(file), framework)
        digest.update(f"\nfile {'' if file == path else file.stem}\n{normal}".encode())
        for name in imports:
            sibling = file.parent / f"{name}.py"
            if name not in seen and (found := read(sibling)) is not None:
                seen.add(name)
                todo.append((sibling, found))
    return "sha256:" + digest.hexdigest()[:16]


@dataclass(frozen=True)
class _Statement:
    normal: str  # its normal form (_normal)
    imports: tuple[str, ...]  # the modules it imports, at any depth
    benchmark: dict | None = None  # BENCHMARK's value, when it is that assignment: each framework takes its part


@lru_cache(maxsize=256)  # keyed by the text: every framework of every record the site shows asks again
def _statements(source: str, filename: str) -> tuple[tuple[Chunk, tuple[_Statement, ...]], ...]:
    """Each chunk with its statements, those that do nothing left out."""
    out = []
    for chunk in chunks(Path(filename), source):
        found = []
        for stmt in ast.parse("\n" * (chunk.start - 1) + chunk.source, filename=filename).body:
            if _no_op(stmt):
                continue
            if isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == "BENCHMARK" for t in stmt.targets):
                found.append(_Statement("", (), _benchmark_value(stmt, filename)))
                continue
            imports = set()
            for node in ast.walk(stmt):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imports.add(node.module)
                elif isinstance(node, ast.Import):
                    imports.update(alias.name for alias in node.names)
            found.append(_Statement(_normal(stmt), tuple(sorted(imports))))
        out.append((chunk, tuple(found)))
    return tuple(out)


def _reduced(source: str, filename: str, framework: str) -> tuple[str, tuple[str, ...]]:
    """(the normal form of the statements the worker of `framework` runs, the modules they import)."""
    parts, imports = [], set()
    for chunk, statements in _statements(source, filename):
        if chunk.is_main or (chunk.section is not None and other_frameworks(chunk, framework)):
            continue  # the self-check does not run on import; another framework's section is skipped
        for statement in statements:
            parts.append(statement.normal if statement.benchmark is None
                         else "BENCHMARK " + _benchmark_part(statement.benchmark, framework))
            imports.update(statement.imports)
    return "\n".join(parts), tuple(sorted(imports))


def _benchmark_value(stmt: ast.Assign, filename: str) -> dict:
    try:
        spec = ast.literal_eval(stmt.value)
    except ValueError:
        spec = None
    if not isinstance(spec, dict):
        raise SnippetSpecError(f"{filename}:{stmt.lineno}: BENCHMARK must be a literal dict (no names or calls)")
    return spec


def _benchmark_part(spec: dict, framework: str) -> str:
    """What of BENCHMARK reaches the worker of `framework`: its modes, the sizes, the baseline it gets."""
    modes = list((spec.get("modes") or {}).get(framework) or [])
    baseline = (spec.get("baseline") if spec.get("baseline") in modes else modes[0]) if len(modes) > 1 else None
    return json.dumps({"modes": modes, "sizes": spec.get("sizes"), "baseline": baseline}, sort_keys=True)


def _no_op(node) -> bool:
    """`pass`, a docstring or another bare constant: a statement that does nothing."""
    return isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


def _normal(node) -> str:
    """A syntax tree as text that only its meaning decides: no positions, no statement that does nothing,
    and no field that is empty or None, so a field a newer Python adds, empty (3.12's type_params), changes
    nothing: the GPU machine's Python hashes what this one checks."""
    if isinstance(node, list):
        return "[" + ",".join(_normal(item) for item in node) + "]"
    if not isinstance(node, ast.AST):
        return f"{type(node).__name__}:{node!r}"
    fields = []
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            value = [v for v in value if not _no_op(v)]
            if isinstance(node, ast.JoinedStr):
                value = _joined(value)
        if value is None or value == []:
            continue
        fields.append(f"{name}={_normal(value)}")
    return f"{type(node).__name__}({','.join(fields)})"


def _joined(values: list) -> list:
    """An f-string's parts with adjacent text merged and empty text dropped (versions split them differently)."""
    out: list = []
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            if out and isinstance(out[-1], ast.Constant) and isinstance(out[-1].value, str):
                out[-1] = ast.Constant(out[-1].value + value.value)
                continue
            if not value.value:
                continue
        out.append(value)
    return out


def _section_of_each_line(lines: list[str]) -> list[str | None]:
    owner: list[str | None] = []
    current = None
    for line in lines:
        m = SECTION.search(line)
        if m and m[1] == "start":
            current = m[2]
        owner.append(current)
        if m and m[1] == "end":
            current = None
    return owner


def _is_main_guard(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.left, ast.Name) and stmt.test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in stmt.test.comparators))


def _chunk(section: str | None, start: int, text: str, stmts: list[ast.stmt], is_main: bool) -> Chunk:
    needs, binds, loads = set(), set(), set()
    for stmt in stmts:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if node.module and node.level == 0 else [])
                needs |= {n.split(".")[0] for n in names} - frameworks.STDLIB
                binds.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else binds).add(node.id)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                binds.add(node.name)
            elif isinstance(node, ast.arg):
                binds.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                binds.add(node.name)
    functions = tuple((s.name, frozenset(n.id for n in ast.walk(s) if isinstance(n, ast.Name)))
                      for s in stmts if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))
    return Chunk(section, start, text, frozenset(needs), frozenset(binds), frozenset(loads), is_main, functions)


def _main_blocked(chunk: Chunk, skipped: list[Skipped], ran: set[str], shared: dict) -> str | None:
    gone = {n for s in skipped for n in s.chunk.binds} - ran  # names only skipped sections define
    if "runnable" not in chunk.loads:  # uses through shared functions count too
        while tainted := {name for name, reads in shared.items() if reads & gone and name not in gone}:
            gone |= tainted
    missing = sorted((chunk.loads - chunk.binds) & gone)
    if not missing:
        return None
    where = sorted({s.chunk.section for s in skipped if s.chunk.binds & (gone | set(missing))})
    return f"uses {', '.join(missing)}, which needs skipped section(s) {', '.join(map(repr, where))}"


class _SiblingFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`from jacobian_tall import build` inside a snippet loads the sibling section by section too."""

    def __init__(self, folder: Path, policy: Policy):
        self.folder, self.policy = folder, policy

    def find_spec(self, name, path=None, target=None):
        file = self.folder / f"{name}.py"
        if path is None and "." not in name and file.is_file():
            return importlib.util.spec_from_file_location(name, file, loader=self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        execute(Path(module.__file__), module.__dict__, self.policy)


class _siblings:  # noqa: N801 - used as a context manager
    def __init__(self, folder: Path, policy: Policy):
        self.finder = _SiblingFinder(folder, policy)

    def __enter__(self):
        sys.meta_path.insert(0, self.finder)

    def __exit__(self, *exc):
        sys.meta_path.remove(self.finder)
