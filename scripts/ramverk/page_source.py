"""Pages as a reader sees them: Markdown after pymdownx.snippets has expanded every include.

The expansion uses pymdownx's own preprocessor with the settings from mkdocs.yml, and the
code blocks are found by pytest-codeblocks' own parser, so the tests see what the site shows.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from pytest_codeblocks.main import extract_from_buffer

from ramverk import site_config

PAGE_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")
INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']?(?P<target>[^"'\s]+)["']?\s*$""", re.M)


@dataclass(frozen=True)
class Page:
    path: Path  # absolute
    stem: str  # docs-relative path without ".<lang>.md", e.g. "execution/overview"
    lang: str

    @property
    def rel(self) -> str:
        return self.path.relative_to(site_config.load().root).as_posix()


@dataclass(frozen=True)
class Block:
    page: Page
    lineno: int  # line in the expanded page
    syntax: str
    code: str


def pages() -> list[Page]:
    config = site_config.load()
    found = []
    for path in sorted(config.docs_dir.rglob("*.md")):
        rel = path.relative_to(config.docs_dir).as_posix()
        m = PAGE_SUFFIX.match(rel)
        if m is None or m["lang"] not in config.languages:
            found.append(Page(path, rel.removesuffix(".md"), ""))
        else:
            found.append(Page(path, m["stem"], m["lang"]))
    return found


def includes(text: str) -> list[str]:
    """The snippet targets a page names (file or file:section), in order."""
    return [m["target"] for m in INCLUDE.finditer(text)]


def _snippet_preprocessor():
    return _preprocessor_for(site_config.load())


@lru_cache(maxsize=4)
def _preprocessor_for(config: site_config.SiteConfig):
    options = dict(config.snippets)
    options["base_path"] = [str((config.root / p).resolve()) for p in options.get("base_path", ["."])]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options})
    return md.preprocessors["snippet"]


def expand(text: str) -> str:
    """Expand --8<-- includes exactly as the site build does (raises on a missing file or section)."""
    return "\n".join(_snippet_preprocessor().run(text.split("\n")))


def blocks(page: Page) -> list[Block]:
    expanded = expand(page.path.read_text(encoding="utf-8"))
    return [
        Block(page, b.lineno, (b.syntax or "").strip(), b.code)
        for b in extract_from_buffer(io.StringIO(expanded))
    ]
