"""The glossary: marked terms are defined, entries link real pages and anchors, pages are current.

A page marks the glossary terms it uses in its front matter (`terms: [tensor, stride]`, English
names as in docs/glossary.yml); see scripts/ramverk/pages/glossary.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ramverk.checks import page_safety
from ramverk.pages import glossary

ROOT = Path(__file__).resolve().parents[1]


def test_every_marked_term_is_defined_and_every_link_resolves():
    problems = glossary.problems()
    assert not problems, "glossary problems:\n" + "\n".join(map(str, problems))


def test_generated_pages_are_current():
    diffs = glossary.stale()
    assert not diffs, "run `python -m ramverk glossary`:\n" + "\n".join(diffs)


def test_some_pages_mark_terms():
    """The marking convention is in use, so the first test checks something."""
    from ramverk.pages import page_source

    marked = [p for p in page_source.pages() if glossary.marked_terms(p.path.read_text(encoding="utf-8"))]
    assert marked, "no page lists `terms:` in its front matter"


@pytest.fixture
def tiny_site(tmp_path, monkeypatch):
    """A two-page site: one entry with a wrong anchor, one without definitions linking a missing page,
    one page marking an undefined term."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "glossary.yml").write_text(
        "- {en: tensor, sv: tensor, page: t, anchor: strides, anchor_sv: steg,\n"
        "   def_en: An array of numbers., def_sv: En array av tal.}\n"
        "- {en: kernel, sv: kernel, page: gone, def_sv: '  '}\n",
        encoding="utf-8",
    )
    for lang, heading in [("sv", "Steg i minnet"), ("en", "Something else")]:
        (docs / f"t.{lang}.md").write_text(
            f"---\nterms: [tensor, warp]\n---\n# T\n\n## {heading}\n\n## Strides {{#strides}}\n", encoding="utf-8"
        )
    monkeypatch.setenv("RAMVERK_ROOT", str(tmp_path))
    return tmp_path


def test_the_checks_catch_each_kind_of_problem(tiny_site):
    messages = [str(p) for p in glossary.problems(tiny_site)]
    # the sv page has no heading "steg" (its slug is "steg-i-minnet"); the en page has {#strides}
    assert any("#steg" in m and "t.sv.md" in m for m in messages), messages
    assert not any("#strides" in m for m in messages), messages
    assert any("'gone'" in m and "does not exist" in m for m in messages), messages
    assert sum("'warp'" in m for m in messages) == 2, messages  # undefined, on both pages
    assert not any("'tensor'" in m and "front matter" in m for m in messages), messages
    # a missing or blank definition names the term and the language; a defined one is not reported
    assert any("'kernel'" in m and "no definition in en" in m for m in messages), messages
    assert any("'kernel'" in m and "no definition in sv" in m for m in messages), messages
    assert not any("'tensor'" in m and "definition" in m for m in messages), messages


def test_definitions_are_rendered_with_pipes_escaped(tiny_site):
    (tiny_site / "docs" / "glossary.yml").write_text(
        "- {en: tensor, sv: tensor, page: t, def_en: 'Shape | strides.', def_sv: 'Form och  stride.'}\n",
        encoding="utf-8",
    )
    assert "| tensor | tensor | Shape \\| strides. | [T](t.md) |" in glossary.render("en", tiny_site)
    assert "| tensor | tensor | Form och stride. | [T](t.md) |" in glossary.render("sv", tiny_site)


def test_anchors_are_the_ids_the_build_gives(tmp_path):
    # Read by ramverk/pages/scanner.py; the hand-copied slug this replaces turned `__init__` into "init".
    text = "---\nterms: [tensor]\n---\n\n# An `nn.Module`\n\n## `__init__` and `forward`\n\n## Steg i minnet {#strides}\n"
    page = tmp_path / "p.en.md"
    page.write_text(text, encoding="utf-8")
    title, ids = glossary.headings(page)
    built = set(re.findall(r'<h[1-6][^>]* id="([^"]+)"', page_safety.render("docs/p.en.md", text)))
    assert title == "An nn.Module"
    assert ids == built == {"an-nnmodule", "__init__-and-forward", "strides"}
