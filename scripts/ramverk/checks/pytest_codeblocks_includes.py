"""`pytest --codeblocks docs/<page>.md` that checks this site's pages as the site shows them.

pytest-codeblocks alone runs a page's blocks as they are written, so a block that includes a snippet
(`--8<-- "snippets/x.py:torch"`) runs the include line itself as Python and fails with
"bad operand type for unary -: 'str'". With this plugin loaded
(pyproject.toml's `addopts` loads it, so a plain `pytest --codeblocks docs/<page>.md` has it), a Markdown
file under the site's docs folder is collected here instead of by pytest-codeblocks:

* its includes are expanded exactly as the build expands them (ramverk.pages.page_source.expand); an include
  the build would refuse or not find is a collection error naming `page:line`;
* each ```python block runs as a reader runs it (ramverk.checks.code_blocks.run_python: a fresh, sandboxed
  interpreter, from a copy of the folder of the snippet it includes, else an empty folder, RAMVERK_QUICK=1),
  and an expected-output block after it (`<!-- pytest-codeblocks:expected-output -->`) is compared with
  what it printed;
* each ```bash block must pass the shell-block policy (ramverk/pages/shell_blocks.py) and then runs like
  tests/test_code_blocks.py runs it; a ```sh block fails, as `check` does;
* each test is named after the line of the page's source where its fence opens
  (`docs/execution/overview.en.md::line 30`), not the line in the expanded text, and after the
  framework tab it is in, if any (`docs/execution/fusion.en.md::PyTorch tab, line 45`).

Other Markdown files (README.md, CONTRIBUTING.md) are left to pytest-codeblocks as they are.
tests/test_code_blocks.py runs every page's blocks through a fork server that gives the same verdict
(ramverk.executor.spawners.ForkServer); this plugin runs the pages you name, each block fresh.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

PLUGIN_MODULE = "pytest_codeblocks.plugin"  # whose collectors this plugin replaces for the site's pages
TAB = re.compile(r'^(?P<indent>\s*)===[+!]?\s+"(?P<title>[^"]*)"')  # a pymdownx.tabbed tab: === "PyTorch"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def tab_title(text: str, line: int) -> str | None:
    """The title of the tab the fence on `line` (1-based) of the page's source is in, or None: the
    nearest line above that is indented less than the fence, if it opens a tab."""
    lines = text.splitlines()
    depth = _indent(lines[line - 1])
    for above in reversed(lines[: line - 1]):
        if above.strip() and _indent(above) < depth:
            m = TAB.match(above)
            return m["title"] if m else None
    return None


def block_name(text: str, line: int) -> str:
    """`line 25`, or `PyTorch tab, line 25` for a block in a tab: which tab failed, not only where."""
    title = tab_title(text, line)
    return f"{title} tab, line {line}" if title else f"line {line}"


def _docs_dir() -> Path | None:
    from ramverk.contract import site_config

    try:
        return site_config.load().docs_dir.resolve()
    except (site_config.RootNotFound, OSError, KeyError):
        return None


def _is_site_page(path: Path) -> bool:
    docs = _docs_dir()
    return docs is not None and path.suffix == ".md" and path.resolve().is_relative_to(docs)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent):
    collected = yield
    if not getattr(parent.config.option, "codeblocks", False) or not _is_site_page(file_path):
        return collected
    kept = [c for c in collected if type(c).__module__ != PLUGIN_MODULE]
    return [*kept, SitePage.from_parent(parent, path=file_path)]


class SitePage(pytest.File):
    """A page of the site: its blocks after the build's include expansion."""

    def collect(self):
        from pymdownx.snippets import SnippetMissingError
        from pytest_codeblocks.main import extract_from_buffer

        from ramverk.contract import site_config
        from ramverk.pages import page_source

        text = self.path.read_text(encoding="utf-8")
        rel = self.path.resolve().relative_to(site_config.load().root).as_posix()
        try:
            expanded = page_source.expand(text)
        except (page_source.IncludeError, SnippetMissingError):
            problems = page_source.include_problems(rel, text)
            raise self.CollectError("\n".join(problems) or f"{rel}: the includes cannot be expanded") from None
        for block in extract_from_buffer(io.StringIO(expanded)):
            syntax = (block.syntax or "").strip()
            if syntax not in ("python", "bash", "sh"):
                continue
            line, _ = page_source.source_line(text, block.lineno)
            yield SiteBlock.from_parent(self, name=block_name(text, line), block=block, syntax=syntax, where=f"{rel}:{line}")


class SiteBlock(pytest.Item):
    def __init__(self, *, block, syntax: str, where: str, **kwargs):
        super().__init__(**kwargs)
        self.block, self.syntax, self.where = block, syntax, where

    def runtest(self) -> None:
        from ramverk.checks import code_blocks
        from ramverk.pages import shell_blocks

        block = self.block
        if block.marks or block.importorskip:
            raise BlockFailure(f"{self.where}: the block carries pytest-codeblocks marks "
                               f"({', '.join(block.marks) or 'importorskip'}); the project's tests "
                               "(tests/test_code_blocks.py) ignore them and run every block, so the page may not use them")
        if self.syntax == "sh":
            raise BlockFailure(f"{self.where}: ```sh blocks are not allowed; use ```bash (see scripts/ramverk/pages/shell_blocks.py)")
        if self.syntax == "bash":
            problems = shell_blocks.lint_bash(block.code)
            if problems:
                raise BlockFailure(f"{self.where}: the shell block breaks the policy: {problems}")
            proc = code_blocks.run_bash(block.code)
        else:
            folder = code_blocks.snippet_folders().get(code_blocks.code_key(block.code))
            proc = code_blocks.run_python(block.code, folder=folder)
        if proc.returncode != 0 or getattr(proc, "problem", ""):
            why = proc.failure() if hasattr(proc, "failure") else f"exit status {proc.returncode}"
            raise BlockFailure(f"{self.where}: the {self.syntax} block failed ({why}):\n"
                               f"{proc.stderr[-3000:]}")
        if block.expected_output is not None:
            want, got = block.expected_output, proc.stdout
            if block.expected_output_ignore_whitespace:
                want, got = re.sub(r"\s+", "", want), re.sub(r"\s+", "", got)
            if want != got:
                raise BlockFailure(f"{self.where}: expected output\n{block.expected_output}\nbut it printed\n{proc.stdout}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, BlockFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, int(self.where.rsplit(":", 1)[1]) - 1, f"code block at {self.where}"


class BlockFailure(Exception):
    """A block that did not pass; the message names the page and line."""
