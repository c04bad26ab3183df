"""Pages as a reader sees them: Markdown after pymdownx.snippets has expanded every include.

The expansion uses pymdownx's own preprocessor with the settings from mkdocs.yml, and the
code blocks are found by pytest-codeblocks' own parser, so the tests see what the site shows.
"""

from __future__ import annotations

import io
import os
import re
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from pymdownx.snippets import SnippetMissingError, SnippetPreprocessor

from ramverk.contract import site_config

PAGE_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.md$")
INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']?(?P<target>[^"'\s]+)["']?\s*$""", re.M)

# Include rules (the build applies them through GuardedSnippets too, see hooks/publish_safety.py).
INCLUDE_ROOTS = ("snippets", "docs")  # the only folders a page may include files from
MAX_INCLUDE_BYTES = 256 * 1024  # per included file: page text and code, not data


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


class IncludeError(ValueError):
    pass


def _roots() -> str:
    return " or ".join(f"{root}/" for root in INCLUDE_ROOTS)


def include_problem(path: str | Path) -> str | None:
    """Why a resolved include target may not be included, or None: only regular files under
    snippets/ or docs/, reached through no symbolic link, of at most MAX_INCLUDE_BYTES."""
    root = site_config.load().root
    target = Path(os.path.abspath(path))
    try:
        rel = target.relative_to(root)
    except ValueError:
        return f"{path} is outside the repository; include files from {_roots()} only"
    if not rel.parts or rel.parts[0] not in INCLUDE_ROOTS:
        return f"{rel.as_posix()} is not under {_roots()}; only those files can be included"
    for depth in range(1, len(rel.parts) + 1):
        if (root / Path(*rel.parts[:depth])).is_symlink():
            link = Path(*rel.parts[:depth]).as_posix()
            return f"{rel.as_posix()} goes through the symbolic link {link}; include regular files only"
    try:
        info = target.stat()
    except OSError as error:
        return f"{rel.as_posix()} cannot be read: {error.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return f"{rel.as_posix()} is not a regular file"
    if info.st_size > MAX_INCLUDE_BYTES:
        return f"{rel.as_posix()} has {info.st_size} bytes; an included file may have at most {MAX_INCLUDE_BYTES}"
    return None


class GuardedSnippets(SnippetPreprocessor):
    """pymdownx.snippets that reads only files `include_problem` accepts. Lenient: a refused or
    unreadable file expands to nothing (for checks that report includes separately)."""

    lenient = False

    def read_lines(self, path):
        problem = include_problem(path)
        try:
            if problem is None:
                with open(path, encoding=self.encoding) as f:
                    text = f.read(MAX_INCLUDE_BYTES + 1)  # the file may have grown since stat
                if len(text.encode(self.encoding)) > MAX_INCLUDE_BYTES:
                    problem = f"{path} is larger than {MAX_INCLUDE_BYTES} bytes"
        except (OSError, UnicodeDecodeError) as error:
            problem = f"{path} cannot be read as text: {error}"
        if problem is None:
            return text.split("\n") if text else []
        if self.lenient:
            return []
        raise IncludeError(f"include refused: {problem}")

    def get_snippet_path(self, path):
        found = super().get_snippet_path(path)
        return None if found is None and self.lenient else found


def _snippet_preprocessor(lenient: bool = False):
    return _preprocessor_for(site_config.load(), lenient)


@lru_cache(maxsize=8)
def _preprocessor_for(config: site_config.SiteConfig, lenient: bool):
    options = dict(config.snippets)
    options["base_path"] = [str((config.root / p).resolve()) for p in options.get("base_path", ["."])]
    if lenient:
        options["check_paths"] = False
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options})
    preprocessor = md.preprocessors["snippet"]
    preprocessor.__class__ = GuardedSnippets
    preprocessor.lenient = lenient
    return preprocessor


def expand(text: str, lenient: bool = False) -> str:
    """Expand --8<-- includes exactly as the site build does. Raises IncludeError on a refused file and
    pymdownx's SnippetMissingError on a missing one; lenient expands those to nothing instead."""
    return "\n".join(_snippet_preprocessor(lenient).run(text.split("\n")))


def _first_failing_line(lines: list[str]) -> int:
    """The smallest k such that expanding lines[:k] raises (binary search; expansion is line by line)."""
    low, high = 1, len(lines)
    while low < high:
        mid = (low + high) // 2
        try:
            expand("\n".join(lines[:mid]))
            low = mid + 1
        except Exception:
            high = mid
    return low


def include_problems(rel: str, text: str, limit: int = 20) -> list[str]:
    """`rel:line: message` for each include of the page that the build would refuse or not find."""
    lines, out = text.split("\n"), []
    while len(out) < limit:
        try:
            expand("\n".join(lines))
            return out
        except (IncludeError, SnippetMissingError) as error:
            message = str(error)
        except Exception as error:  # a bad include must be reported, never crash the check
            message = f"cannot expand includes: {type(error).__name__}: {error}"
        lineno = _first_failing_line(lines)
        out.append(f"{rel}:{lineno}: {message}")
        lines[lineno - 1] = ""
    return out


def source_line(text: str, expanded_lineno: int) -> tuple[int, str | None]:
    """The line of text that produced line expanded_lineno of expand(text, lenient=True), and the
    file it includes when that line is an include."""
    lines = text.split("\n")
    low, high = 1, len(lines)
    while low < high:  # smallest k whose expansion reaches expanded_lineno
        mid = (low + high) // 2
        if expand("\n".join(lines[:mid]), lenient=True).count("\n") + 1 >= expanded_lineno:
            high = mid
        else:
            low = mid + 1
    targets = includes(lines[low - 1]) if low - 1 < len(lines) else []
    return low, (targets[0] if targets else None) if "8<" in lines[low - 1] else None


def blocks(page: Page) -> list[Block]:
    # pytest-codeblocks' own parser, so the tests see the blocks it would; imported here, not at the
    # top, because the site build imports this module and must not pull in pytest.
    from pytest_codeblocks.main import extract_from_buffer

    expanded = expand(page.path.read_text(encoding="utf-8"))
    return [
        Block(page, b.lineno, (b.syntax or "").strip(), b.code)
        for b in extract_from_buffer(io.StringIO(expanded))
    ]
