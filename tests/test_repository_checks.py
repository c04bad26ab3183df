"""Checks that must run in every clone: the repository's own `check` passes, and an Obsidian lecture note
with the constructs of the source notes (tests/fixtures/obsidian/lecture note.md) imports and builds.

(The lecture-note test replaces a branch that read ../shared/seeds/, which exists only beside CI's checkout.)
"""

from __future__ import annotations

import re
import subprocess
import sys

import helpers
from fixtures.payloads_site import build, make_site

NOTE = helpers.ROOT / "tests" / "fixtures" / "obsidian" / "lecture note.md"


def test_check_passes_on_the_repository_and_reports_its_duration():
    proc = subprocess.run([sys.executable, "-m", "ramverk", "check"], cwd=helpers.ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"`python -m ramverk check` failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
    summary = proc.stdout.strip().splitlines()[-1]
    print(f"\n{summary}")
    assert re.fullmatch(r"check: \d+ checks \(.*\), all good, \d+\.\d\d s", summary), summary


def test_a_lecture_note_imports_with_a_report_and_builds(tmp_path):
    root = make_site(tmp_path / "repo")
    proc = helpers.ramverk(root, "import-obsidian", str(NOTE), "--to", "notes/second", "--force")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = proc.stdout
    for expected in (
        "lecture note.md:10: image 'Pasted image 20230418103744.png' not found",
        "lecture note.md:15: wikilink [[Lesson 15 - Intro to PyTorch#PyTorch]] names no en page",
        "wikilink [[Lesson 15 - Intro to PyTorch#Automatica Differentiation]] names no en page",
        "lecture note.md:17: python block is not valid Python",  # the note mixes code and graph output
        "empty [!info] callout dropped",
        "write docs/notes/second.sv.md (every page exists in every language)",
    ):
        assert expected in report, f"{expected!r} not in the report:\n{report}"

    text = (root / "docs" / "notes" / "second.en.md").read_text(encoding="utf-8")
    assert text.startswith("---\ndate: '2023-04-18'\ntags:\n- notes\n- hlt\n")  # `#hlt[[...]]`: a tag glued to a link
    assert "# Structure of the library" in text and "[!info]" not in text and "[[" not in text
    assert '!!! warning "Missing image"' in text
    assert "```text\nimport tensorflow as tf" in text and "```python" not in text.lower()
    assert "See Lesson 15 - Intro to PyTorch for tensors." in text

    (root / "docs" / "notes" / "second.sv.md").write_text("# Bibliotekets struktur\n\nText.\n", encoding="utf-8")
    built = build(root, tmp_path / "site")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    page = (tmp_path / "site" / "en" / "notes" / "second" / "index.html").read_text(encoding="utf-8")
    assert "Structure of the library" in page and "Missing image" in page
