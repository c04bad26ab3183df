"""Each bad case fed to `check` gives its file:line: message and a non-zero exit.

A tiny site (one page pair) is written to a temporary folder; RAMVERK_ROOT points the check at it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ramverk.checks import page_safety
from ramverk.pages import shell_blocks

ROOT = Path(__file__).resolve().parents[1]
GOOD = "# Title\n\nSome text.\n\n## Heading\n\nMore.\n"


def make_site(tmp: Path, en_extra: str = "", sv_extra: str = "", files: dict[str, bytes] | None = None) -> Path:
    (tmp / "docs" / "topic").mkdir(parents=True)
    (tmp / "snippets").mkdir()
    (tmp / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "docs" / "topic" / "page.en.md").write_text(GOOD + en_extra, encoding="utf-8")
    (tmp / "docs" / "topic" / "page.sv.md").write_text(GOOD + sv_extra, encoding="utf-8")
    for name, data in (files or {}).items():
        (tmp / "docs" / "topic" / name).write_bytes(data)
    return tmp


def run_check(root: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ramverk", "check", *names], cwd=root, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "RAMVERK_ROOT": str(root)})


LINE = len(GOOD.splitlines()) + 1  # the first line of the extra text

BAD = [
    # (check, extra text on the English page, expected message)
    ("images", "![](missing.png)\n", "image 'missing.png' has no alt text"),
    ("images", "![a plot](missing.png)\n", "image 'missing.png' does not exist"),
    ("images", "![[Pasted image 1.png]]\n", "Obsidian embed ![[Pasted image 1.png]]"),
    ("images", '<img src="plot.png">\n', "image 'plot.png' has no alt text"),
    ("images", "![TODO: say what the image shows](plot.png)\n", "alt text is still the placeholder"),
    ("safety", "<script>alert(1)</script>\n", "raw <script>"),
    ("safety", '<a href="#" onclick="steal()">x</a>\n', "inline event handler onclick="),
    ("safety", "[click](javascript:alert(1))\n", "javascript: URL"),
    ("safety", '<img alt="x" src="https://tracker.example/p.gif">\n', "loads an external resource"),
    ("safety", '<link rel="stylesheet" href="//cdn.example/x.css">\n', "<link> is not allowed"),
    ("safety", '<iframe src="page.html"></iframe>\n', "<iframe> is not allowed"),
    ("safety", "<style>@import url('https://fonts.example/f.css');</style>\n",
     "<style> is not allowed in a page (it loads 'https://fonts.example/f.css')"),
    ("safety", "![a chart](https://example.org/chart.png)\n",
     "<img src='https://example.org/chart.png'> loads an external resource"),
    ("shell-blocks", "```sh\necho hi\n```\n", "```sh block"),
    ("shell-blocks", "```bash\ncd /tmp\n```\n", "runs `cd`"),
    ("shell-blocks", "```bash\ncurl https://example.org | python\n```\n", "runs `curl`, which uses the network"),
    ("shell-blocks", "```bash\ncat ~/.ssh/id_rsa\n```\n", "in the home directory"),
    ("shell-blocks", "```bash\nrm -rf /\n```\n", "delete named files only"),
    ("shell-blocks", "```bash\necho $GITHUB_TOKEN\n```\n", "uses $GITHUB_TOKEN"),
    ("shell-blocks", "```bash\nls ../..\n```\n", "climbs out of the block's directory"),
    ("wikilinks", "See [[nowhere]].\n", "wikilink [[nowhere]] names no en page"),
    ("wikilinks", "See [[page#No such heading]].\n", "has no heading 'No such heading'"),
    ("fences", "```py\nx = 1\n```\n", "is never run by pytest-codeblocks"),
    ("fences", "~~~python\nx = 1\n~~~\n", "'~~~' fence"),
    ("fences", '```python title="x.py"\nx = 1\n```\n', "carries options"),
    ("fences", "```\nx = 1\n```\n", "fence without a language"),
    ("fences", "```python\nx = 1\n", "fence opened but never closed"),  # the site shows it as text
    ("markers", "<!-- timming: snippets/x.py -->\n", "unknown marker"),
    ("markers", "<!-- timing: snippets/nowhere.py -->\n", "no such snippet file"),
    ("snippets", '--8<-- "snippets/nowhere.py"\n', "includes snippets/nowhere.py, which does not exist"),
]


@pytest.mark.parametrize("name, extra, message", BAD, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BAD)])
def test_bad_case_is_reported_with_file_and_line(tmp_path, name, extra, message):
    root = make_site(tmp_path, en_extra=extra, files={"plot.png": b"\x89PNG\r\n"})
    proc = run_check(root, name)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    where = f"docs/topic/page.en.md:{LINE}: "
    lines = [line for line in proc.stdout.splitlines() if line.startswith(where)]
    assert any(message in line for line in lines), f"expected {where}...{message!r} in:\n{proc.stdout}"


def test_good_pages_pass_every_check_quickly(tmp_path):
    extra = ("![a plot of the loss](plot.png)\n\n[[page#Heading|back up]] and [[#Heading]]\n\n"
             "[an ordinary external link](https://docs.jax.dev/)\n\n`<script>` in code is fine\n\n"
             "```html\n<script src=\"https://x\"></script>\n```\n\n```bash\necho hi > out.txt\ncat out.txt\n```\n")
    root = make_site(tmp_path, en_extra=extra, sv_extra=extra.replace("back up", "upp"),
                     files={"plot.png": b"\x89PNG\r\n"})
    proc = run_check(root)
    assert proc.returncode == 0, proc.stdout
    assert "all good" in proc.stdout


def test_missing_translation_is_reported_with_the_language(tmp_path):
    root = make_site(tmp_path)
    (root / "docs" / "topic" / "page.sv.md").unlink()
    proc = run_check(root, "translations")
    assert proc.returncode == 1
    assert "docs/topic/page.en.md:1: missing translation: docs/topic/page.sv.md (sv) does not exist" in proc.stdout


def test_translations_must_show_the_same_code(tmp_path):
    root = make_site(tmp_path, en_extra="```python\nprint(1)\n```\n")
    proc = run_check(root, "translations")
    assert proc.returncode == 1
    assert "docs/topic/page.sv.md:1: 0 runnable code blocks, but docs/topic/page.en.md has 1" in proc.stdout


def test_check_reports_its_duration_on_the_repository():
    """The summary line carries the check's own time (the figure for the under-5-s target)."""
    proc = subprocess.run([sys.executable, "-m", "ramverk", "check"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]  # a failing check has a duration too
    summary = proc.stdout.strip().splitlines()[-1]
    print(f"\n{summary}")
    assert "all good" in summary, summary
    assert re.fullmatch(r"check: \d+ checks \(.*\), .*, \d+\.\d\d s", summary), summary


def test_allowed_bash_passes_the_policy():
    assert shell_blocks.lint_bash("printf 'a\\nb\\n' > data.txt\nsort data.txt | head -n 1\npython -c 'print(2)'") == []
    assert shell_blocks.lint_block("x.md", 3, "console", "$ cd /anywhere") == []


def test_safety_ignores_code():
    text = "Use `<script>` tags? No.\n\n```html\n<iframe src=\"https://x\"></iframe>\n```\n"
    assert page_safety.lint_safety("x.md", text) == []
