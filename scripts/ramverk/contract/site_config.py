"""The one place settings are read: the checkout's mkdocs.yml and pyproject.toml, once per checkout.

Which checkout: RAMVERK_ROOT (or a verb's --root) when given, else the nearest folder at or above
the working directory holding both files. Never the installed package's own location, so two
clones sharing one virtual environment each read and write their own docs/ and results/. There is
no other, hidden source: a MkDocs hook asks for_build() with the mkdocs.yml MkDocs reads, which
must be that same checkout.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


class RootNotFound(RuntimeError):
    pass


def find_root() -> Path:
    return _find_root(os.environ.get("RAMVERK_ROOT") or "", os.getcwd())


@lru_cache(maxsize=64)  # asked thousands of times a build or test collection, each a walk of the file system
def _find_root(named: str, cwd: str) -> Path:
    if named:
        return Path(named).resolve()
    here = Path(cwd).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file() and (folder / "pyproject.toml").is_file():
            return folder
    raise RootNotFound(f"not inside a Ramverk checkout (no mkdocs.yml with a pyproject.toml at or above {here}); "
                       "run from the checkout, or pass --root / set RAMVERK_ROOT")


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per checkout
class SiteConfig:
    root: Path
    docs_dir: Path
    languages: tuple[str, ...]  # default language first
    snippets: dict  # the pymdownx.snippets options, as in mkdocs.yml
    raw: dict

    @property
    def project(self) -> Project:
        return project(self.root)

    def strings(self, skip: tuple[str, ...] = ()) -> list[tuple[tuple, str, int]]:
        """Every string of mkdocs.yml, keys included, as (where: the keys and indices above it, the
        string, its 1-based line), leaving out the top-level keys in skip."""
        return _strings(self.root / "mkdocs.yml", skip)


@dataclass(frozen=True, eq=False)
class Project:
    """pyproject.toml's [tool.ramverk.runner]: the runner's defaults, the results folder, the memory limit."""

    root: Path
    runner: dict

    @property
    def results_dir(self) -> Path:
        """Where results/<machine>.json live: the runner's results_dir (relative to the checkout, or absolute).

        The one source: a run elsewhere passes `ramverk run --results-dir`, a test writes a checkout of its own."""
        return self.root / self.runner.get("results_dir", "results")

    @property
    def memory_limit_gib(self) -> float | None:
        """The memory limit of contributor code (runner workers, tested blocks); None or 0: none.

        The one source of the limit outside the runner's own options (`executor/sandbox.py` has no default)."""
        return self.runner.get("memory_limit_gib") or None


def project(root: Path | None = None) -> Project:
    return _project(Path(root).resolve() if root else find_root())


@lru_cache(maxsize=None)
def _project(root: Path) -> Project:
    pyproject = root / "pyproject.toml"
    tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}) if pyproject.is_file() else {}
    return Project(root, dict(tool.get("ramverk", {}).get("runner", {})))


def _markdown_extension(raw: dict, name: str) -> dict:
    for entry in raw.get("markdown_extensions", []):
        if isinstance(entry, dict) and name in entry:
            return dict(entry[name] or {})
        if entry == name:
            return {}
    raise KeyError(f"mkdocs.yml: markdown extension {name!r} is not configured")


def _i18n(raw: dict) -> dict:
    for entry in raw.get("plugins", []):
        if isinstance(entry, dict) and "i18n" in entry:
            return entry["i18n"]
    raise KeyError("mkdocs.yml: the i18n plugin is not configured")


def load(root: Path | None = None) -> SiteConfig:
    return _load(Path(root).resolve() if root else find_root())


def for_build(config_file_path: str | Path | None) -> SiteConfig:
    """The settings of the checkout a MkDocs build reads: the folder of its mkdocs.yml (a hook passes
    config.config_file_path). The modules beneath the hooks find the checkout themselves (find_root); a
    build whose mkdocs.yml is elsewhere would mix two checkouts, so that raises RootNotFound naming both."""
    root = Path(config_file_path).resolve().parent if config_file_path else None
    try:
        found = find_root()
    except RootNotFound as error:
        if root is None:
            raise
        raise RootNotFound(f"{error} (this build reads {root / 'mkdocs.yml'}: run mkdocs there, "
                           f"or set RAMVERK_ROOT={root})") from None
    if root is not None and root != found:
        raise RootNotFound(f"this build reads {root / 'mkdocs.yml'}, but the tooling would read the checkout {found} "
                           f"(the working directory, or RAMVERK_ROOT); run mkdocs from {root} or set RAMVERK_ROOT={root}")
    return load(found)


@lru_cache(maxsize=None)
def _load(root: Path) -> SiteConfig:
    raw = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    languages = sorted(
        (lang["locale"] for lang in _i18n(raw)["languages"]),
        key=lambda locale: not any(
            lang.get("default") and lang["locale"] == locale for lang in _i18n(raw)["languages"]
        ),
    )
    return SiteConfig(
        root=root,
        docs_dir=root / raw.get("docs_dir", "docs"),
        languages=tuple(languages),
        snippets=_markdown_extension(raw, "pymdownx.snippets"),
        raw=raw,
    )


def _strings(path: Path, skip: tuple[str, ...]) -> list[tuple[tuple, str, int]]:
    out = []

    def walk(node, where: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not where and key.value in skip:
                    continue
                walk(key, where)
                walk(value, (*where, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*where, index))
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            out.append((where, node.value, node.start_mark.line + 1))

    walk(yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader), ())
    return out
