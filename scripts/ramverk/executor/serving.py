"""Which programs a fork server may serve, and what it preloads for each: found from the code.

A served program runs in a child forked from a process that has imported the packages the program
itself imports at its top level (in the program's order, the standard library and the program's own
folder left out), and has done nothing else. It then prints what it prints alone, unless something
the program does before an import, or before a framework's first use, is read at import or first
use: in a fresh interpreter that comes first, in the server it comes too late. So a program runs in
a fresh interpreter of its own when it:

* changes the environment (`os.environ[...] = `, `os.environ.update`, `os.putenv`, ...), which a
  package may read at import (KERAS_BACKEND, XLA_FLAGS) or at first use;
* calls a process-wide setting, one whose name says it configures the process: anything in a
  `config` namespace but its readers (`jax.config.update`, `tf.config.threading.…`,
  `torch._dynamo.config.patch`), or a setter of threads, defaults or flags (`torch.set_num_threads`,
  `torch.set_default_dtype`); in a fresh interpreter it may run before the framework starts;
* does not parse, or imports relatively.

Imports inside functions, and those of the program's own folder (sibling snippets: contributor code
that must never run in a process other programs are forked from), are not preloaded: they run when
the program reaches them, as they would alone. The reason is kept (`Plan.fresh_because`).
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass

# A call that configures the whole process: anything in a `config` namespace (tf.config.threading too) but its
# readers (get_*, list_*, is_*), or a setter of threads, defaults or flags (set_num_threads, set_default_dtype).
PROCESS_SETTING = re.compile(r"(^|\.)config\.(\w+\.)*(?!(get|list|is)_)\w+$"
                             r"|(^|\.)set_(num_\w*|default_\w*|\w*threads\w*|flags?)$")


@dataclass(frozen=True)
class Plan:
    preload: tuple[str, ...]  # the import statements to run before forking it, as source, in order
    fresh_because: str = ""  # why it must run in a fresh interpreter; "" when it may be served

    @property
    def served(self) -> bool:
        return not self.fresh_because


def plan(code: str, own: frozenset[str] = frozenset()) -> Plan:
    """How to run `code` (a program's whole text) so that it prints what it prints alone; `own` are the
    module names its folder provides (never preloaded)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return Plan((), "it does not parse (a fresh interpreter reports the error as a reader sees it)")
    if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree)):
        return Plan((), "it imports relatively")
    why = _environment_change(tree) or _process_setting(tree)
    if why:
        return Plan((), why)
    preload = [ast.unparse(_without_aliases(node)) for node in _top_level_imports(tree.body)
               if _third_party(node) and not {n.split(".")[0] for n in _third_party(node)} & own]
    return Plan(tuple(dict.fromkeys(preload)))


def _top_level_imports(body: list[ast.stmt]):
    """Imports that run when the module body runs: not those inside a def or class, nor inside an
    `if`/`try`/`with` (which may not run, or may run only after what they test)."""
    for stmt in body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            yield stmt


def _without_aliases(node: ast.Import | ast.ImportFrom) -> ast.stmt:
    """The import as a bare statement: `import numpy as np` and `import numpy` leave the same process state."""
    if isinstance(node, ast.Import):
        return ast.Import(names=[ast.alias(a.name) for a in node.names])
    return ast.ImportFrom(module=node.module, names=[ast.alias(a.name) for a in node.names], level=0)


def _third_party(node: ast.Import | ast.ImportFrom) -> list[str]:
    names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
        [node.module or ""] if not node.level else ["."])
    return [n for n in names if n.split(".")[0] not in sys.stdlib_module_names]


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


@dataclass(frozen=True)
class EnvironmentChange:
    node: ast.AST  # where: a Subscript set or deleted, or a Call
    target: str  # what it changes, as written: "os.environ", "os.environ.update", "os.putenv"
    variable: str | None  # the variable, where a string literal names it; None for several or unknown


ENVIRON_METHODS = ("update", "setdefault", "pop", "clear", "__setitem__", "__delitem__")


def environment_changes(tree: ast.AST) -> list[EnvironmentChange]:
    """Every place the code sets or removes environment variables (`os.environ[...] = `, `del`,
    `os.environ.update/setdefault/pop/clear`, `os.putenv`, `os.unsetenv`), in ast.walk's order.
    The fork server runs such code fresh; a notebook splits before the imports such code precedes."""
    def named(arg: ast.expr | None) -> str | None:
        return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            target = _dotted(node.value)
            if target.split(".")[-1] == "environ":
                found.append(EnvironmentChange(node, target, named(node.slice)))
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            method = name.split(".")[-1]
            first = node.args[0] if node.args and method not in ("update", "clear") else None
            if (name.endswith(tuple(f"environ.{m}" for m in ENVIRON_METHODS))
                    or method in ("putenv", "unsetenv")):
                found.append(EnvironmentChange(node, name, named(first)))
    return found


def _environment_change(tree: ast.Module) -> str:
    changes = environment_changes(tree)
    if changes:
        first = changes[0]
        return (f"line {first.node.lineno}: it changes the environment ({first.target}), which a package may "
                f"read at import")
    for node in ast.walk(tree):  # a name imported from os may change it under another name later
        if isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                a.name in ("environ", "putenv", "unsetenv") for a in node.names):
            target = "os." + next(a.name for a in node.names if a.name in ("environ", "putenv", "unsetenv"))
            return f"line {node.lineno}: it changes the environment ({target}), which a package may read at import"
    return ""


def _process_setting(tree: ast.Module) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if "." in name and PROCESS_SETTING.search(name):
                return f"line {node.lineno}: {name}() configures the process before a framework's first use"
    return ""
