"""`ramverk check code-width`: every code line a page displays fits the desktop code column.

A tiny site is written to a temporary folder (RAMVERK_ROOT points the check at it): a page with its
own code block and an included snippet section; too-long lines are named by file:line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ramverk.checks import contrib_checks

ROOT = Path(__file__).resolve().parents[1]
LIMIT = contrib_checks.CODE_LINE_LIMIT


def _site(tmp: Path, code_line: str, snippet_line: str) -> Path:
    (tmp / "docs" / "topic").mkdir(parents=True)
    (tmp / "snippets" / "topic").mkdir(parents=True)
    (tmp / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    snippet = ("x = 1\n\n# --8<-- [start:demo]\n"
               f"def f():\n    {snippet_line}\n"
               "# --8<-- [end:demo]\n")
    (tmp / "snippets" / "topic" / "demo.py").write_text(snippet, encoding="utf-8")
    page = ("# Title\n\nText.\n\n```python\n" + code_line + "\n```\n\n"
            '```python\n--8<-- "snippets/topic/demo.py:demo"\n```\n')
    for lang in ("sv", "en"):
        (tmp / "docs" / "topic" / f"page.{lang}.md").write_text(page, encoding="utf-8")
    return tmp


def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ramverk", "check", "code-width"], cwd=root, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "RAMVERK_ROOT": str(root)})


def test_lines_that_fit_pass(tmp_path):
    # The snippet line is indented by 4 in the file; pages show it as it is (a def body): 4 + LIMIT - 4.
    proc = _check(_site(tmp_path, "y = 2  # " + "a" * (LIMIT - 9), "return 1  # " + "b" * (LIMIT - 16)))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_too_long_lines_are_named_by_file_and_line(tmp_path):
    proc = _check(_site(tmp_path, "y = 2  # " + "a" * LIMIT, "return 1  # " + "b" * LIMIT))
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert f"snippets/topic/demo.py:5: displayed code line has {LIMIT + 16} characters" in out
    assert f"docs/topic/page.en.md:6: code line has {LIMIT + 9} characters" in out
    assert f"docs/topic/page.sv.md:6: code line has {LIMIT + 9} characters" in out


def test_a_dedented_section_is_measured_as_displayed(tmp_path):
    # pymdownx.snippets dedents a section: a method's body shown alone loses its indentation.
    (tmp_path / "docs" / "topic").mkdir(parents=True)
    (tmp_path / "snippets").mkdir()
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    body = "z = 3  # " + "c" * (LIMIT - 9)  # exactly LIMIT characters once dedented
    (tmp_path / "snippets" / "s.py").write_text(
        f"class A:\n    def m(self):\n        # --8<-- [start:body]\n        {body}\n        # --8<-- [end:body]\n",
        encoding="utf-8")
    for lang in ("sv", "en"):
        (tmp_path / "docs" / "topic" / f"p.{lang}.md").write_text(
            '# T\n\n```python\n--8<-- "snippets/s.py:body"\n```\n', encoding="utf-8")
    proc = _check(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
