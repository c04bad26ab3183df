"""Read the parts of mkdocs.yml the tooling shares with the site, so no setting is typed twice."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

REPO_ROOT = Path(os.environ.get("RAMVERK_ROOT", Path(__file__).resolve().parents[2]))


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per checkout
class SiteConfig:
    root: Path
    docs_dir: Path
    languages: tuple[str, ...]  # default language first
    snippets: dict  # the pymdownx.snippets options, as in mkdocs.yml
    raw: dict


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


_current_root = REPO_ROOT


def use_root(root: Path) -> None:
    """Point the tooling at another checkout (the MkDocs hooks pass the mkdocs.yml folder)."""
    global _current_root
    _current_root = Path(root).resolve()


def load(root: Path | None = None) -> SiteConfig:
    return _load(Path(root).resolve() if root else _current_root)


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
