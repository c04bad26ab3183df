"""What a snippet declares about itself, read without importing it (no framework import needed).

A measured snippet has a module-level dict named BENCHMARK::

    BENCHMARK = {
        "frameworks": ["torch", "jax"],                        # what it runs on
        "modes": {"torch": ["eager", "compile"], "jax": ["eager", "jit"]},
        "sizes": {"quick": {"n": 16}, "full": {"n": 512}},     # keyword arguments of build()
        "baseline": "eager",                                   # optional: speedups are against it
        "work": {"flops": "2*n**3"},                           # optional: for GFLOP/s (or "bytes": GB/s)
    }

and a function ``build(framework, mode, device, **size)`` that returns a zero-argument callable
running one step and returning its output (the runner synchronises on that output).
A snippet without BENCHMARK is a demonstration: it is run, not measured.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, model_validator

from ramverk.contract.frameworks import FRAMEWORKS


def _known(key: str) -> str:
    if key not in FRAMEWORKS:
        raise ValueError(f"unknown framework {key!r}; known: {', '.join(FRAMEWORKS)}")
    return key


Framework = Annotated[str, AfterValidator(_known)]
SECTION = re.compile(r"#\s*--8<--\s*\[(start|end):([\w-]+)\]")


class SnippetSpecError(ValueError):
    pass


class BenchmarkSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    frameworks: list[Framework]
    modes: dict[Framework, list[str]]
    sizes: dict[Literal["quick", "full"], dict[str, int | float | str]]
    baseline: str | None = None
    # Device kinds it makes sense on; a GPU-only snippet leaves out "cpu" and needs no CPU results.
    devices: list[Literal["cpu", "cuda", "mps"]] = ["cpu", "cuda", "mps"]
    timeout_s: float = 600.0
    # Work per call, as arithmetic on the size parameters, for GFLOP/s and GB/s: {"flops": "2*n**3"}
    work: dict[Literal["flops", "bytes"], str] | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if not self.frameworks:
            raise ValueError("frameworks: at least one framework")
        for fw in self.frameworks:
            if not self.modes.get(fw):
                raise ValueError(f"modes: no modes listed for framework {fw!r}")
        for fw in self.modes:
            if fw not in self.frameworks:
                raise ValueError(f"modes: {fw!r} is not in frameworks")
        if not self.devices:
            raise ValueError("devices: at least one device kind")
        if set(self.sizes) != {"quick", "full"}:
            raise ValueError("sizes: needs exactly the keys 'quick' and 'full'")
        if self.baseline and not any(self.baseline in m for m in self.modes.values()):
            raise ValueError(f"baseline: {self.baseline!r} is not one of the modes")
        return self


@dataclass(frozen=True)
class Snippet:
    path: Path  # absolute
    rel: str  # repository-relative, e.g. "snippets/execution/mlp_step.py"
    benchmark: BenchmarkSpec | None
    sections: tuple[str, ...]

    @property
    def topic(self) -> str:
        return Path(self.rel).parent.name

    @property
    def name(self) -> str:
        return Path(self.rel).stem


def load(path: Path, root: Path) -> Snippet:
    path = Path(path).resolve()
    return _load(path, Path(root), path.read_text(encoding="utf-8"))


@lru_cache(maxsize=512)  # keyed by the source: a build asks again for each result row it shows
def _load(path: Path, root: Path, source: str) -> Snippet:
    rel = path.relative_to(root).as_posix()
    try:
        tree = ast.parse(source, filename=rel)
    except SyntaxError as error:
        raise SnippetSpecError(f"{rel}:{error.lineno}: not valid Python: {error.msg}") from None
    return Snippet(path, rel, _benchmark(tree, rel), _sections(source, rel))


def _benchmark(tree: ast.Module, rel: str) -> BenchmarkSpec | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "BENCHMARK" for t in node.targets):
            try:
                raw = ast.literal_eval(node.value)
            except ValueError:
                raise SnippetSpecError(f"{rel}:{node.lineno}: BENCHMARK must be a literal dict (no names or calls)") from None
            try:
                return BenchmarkSpec.model_validate(raw)
            except ValidationError as error:
                first = error.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "BENCHMARK"
                raise SnippetSpecError(f"{rel}:{node.lineno}: BENCHMARK field {field!r}: {first['msg']}") from None
    return None


def _sections(source: str, rel: str) -> tuple[str, ...]:
    opened: dict[str, int] = {}
    names = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        m = SECTION.search(line)
        if not m:
            continue
        kind, name = m.groups()
        if kind == "start":
            if name in opened or name in names:
                raise SnippetSpecError(f"{rel}:{lineno}: section {name!r} started twice")
            opened[name] = lineno
        else:
            if name not in opened:
                raise SnippetSpecError(f"{rel}:{lineno}: section {name!r} ends but never started")
            del opened[name]
            names.append(name)
    for name, lineno in opened.items():
        raise SnippetSpecError(f"{rel}:{lineno}: section {name!r} is never ended")
    return tuple(names)


# Cached per version of the file (path and mtime): the build asks once per notebook it writes.
@lru_cache(maxsize=512)
def sibling_imports(path: Path, mtime_ns: int) -> tuple[Path, ...]:
    """Snippets in the same folder that `path` imports (`from jacobian_tall import build`); mtime_ns
    is the file's, the key of the cache."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return tuple(sorted(p for name in names if (p := path.parent / f"{name}.py").is_file() and p != path))
