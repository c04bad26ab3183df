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


def test_each_term_is_an_entry_of_its_own_filed_under_its_letter(tiny_site):
    (tiny_site / "docs" / "glossary.yml").write_text(
        "- {en: tensor, sv: tensor, page: t, def_en: 'Shape | strides.', def_sv: 'Form och  stride.'}\n"
        "- {en: leaf tensor, sv: lövtensor, page: t, def_en: A leaf., def_sv: Ett löv.}\n"
        "- {en: view, sv: vy (view), page: t, def_en: A view., def_sv: En vy., aliases_sv: [vyer]}\n"
        "- {en: overflow, sv: överflöde, page: t, def_en: Too big., def_sv: För stort.}\n",
        encoding="utf-8",
    )
    sv, en = glossary.render("sv", tiny_site), glossary.render("en", tiny_site)
    # Swedish order and letters: ö after v; the term's id is its own language's, the other's rides along
    assert re.findall(r"^##+ .*$", sv, re.M) == [
        "## L {#letter-l data-search-exclude}", '### lövtensor<span id="leaf-tensor"></span> {#lovtensor}',
        "## T {#letter-t data-search-exclude}", "### tensor {#tensor}",
        "## V {#letter-v data-search-exclude}", '### vy (view)<span id="view"></span> {#vy}',
        "## Ö {#letter-ouml data-search-exclude}", '### överflöde<span id="overflow"></span> {#overflode}']
    assert "[L](#letter-l) · [T](#letter-t) · [V](#letter-v) · [Ö](#letter-ouml)\n{: .ramverk-az }" in sv
    assert "### leaf tensor<span id=\"lovtensor\"></span> {#leaf-tensor}" in en
    # the other language's name, the aliases (what search finds), the definition (whitespace folded), the page
    assert "**Engelska:** view · **Även:** vyer\n\nEn vy.\n\nFörklaras i [T](t.md)" in sv
    assert "**Swedish:** tensor\n\nShape | strides.\n\nExplained in [T](t.md)" in en
    assert "Form och stride." in sv


def test_two_terms_with_one_id_are_a_problem(tiny_site):
    (tiny_site / "docs" / "glossary.yml").write_text(
        "- {en: stride, sv: stride (steg), page: t, def_en: A., def_sv: A.}\n"
        "- {en: strides, sv: stride (i minnet), page: t, def_en: B., def_sv: B.}\n",
        encoding="utf-8",
    )
    messages = [str(p) for p in glossary.problems(tiny_site)]
    assert any("'strides'" in m and "#stride" in m and "sv" in m for m in messages), messages
    assert not any("#stride" in m and " en" in m for m in messages), messages


def _linked(markdown_text: str, terms: list[str], lang: str = "en") -> str:
    import markdown

    links = glossary.links_for(terms, lang, "hardware/page.en.md")
    md = markdown.Markdown(extensions=["attr_list", "toc", glossary.TermLinksExtension(lambda: links)])
    return md.convert(markdown_text)


def test_the_first_use_in_prose_links_to_the_entry_with_its_definition():
    text = ("# Kernels and strides\n\n`kernel` in code and [a kernel link](x.md) do not count.\n\n"
            "    kernel in an indented block\n\n"
            "TensorFlow is not a tensor. Each *Kernels* runs; a kernel again.\n\n| stride |\n|---|\n| x |\n")
    html = _linked(text, ["kernel", "tensor", "stride", "eager execution"])
    kernel = next(e for e in glossary.entries() if e.en == "kernel")
    links = re.findall(r'<a class="ramverk-term" href="([^"]+)" title="([^"]+)">([^<]+)</a>', html)
    assert [(href, word) for href, _, word in links] == [
        ("../glossary.md#tensor", "tensor"), ("../glossary.md#kernel", "Kernels"), ("../glossary.md#stride", "stride")]
    assert links[1][1] == kernel.definition("en")
    assert "<h1" in html and "Kernels and strides</h1>" in html  # the heading is left alone
    assert "a kernel again" in html  # only the first use


def test_swedish_pages_link_swedish_ids_and_forms():
    html = _linked("En tensorkärna räknar. Tensor Core igen. En vy (view) av data.", ["Tensor Core", "view"], "sv")
    assert re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', html) == [
        ("../glossary.md#tensor-core", "tensorkärna"), ("../glossary.md#vy", "vy (view)")]


# --- what the reader gets: the built site (the session's strict build) ---------------------------------


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_built_glossary_has_an_entry_heading_per_term_and_a_working_a_to_z_strip(built_site, lang):
    prefix = "" if lang == "sv" else "en/"
    html = (built_site / prefix / "glossary" / "index.html").read_text(encoding="utf-8")
    known = glossary.entries()
    headings = re.findall(r'<h3 id="([^"]+)">([^<]+)', html)
    assert len(headings) == len(known)
    assert {h[0] for h in headings} == {glossary.slug(e.term(lang)) for e in known}
    assert {h[1] for h in headings} == {e.term(lang) for e in known}
    strip = re.search(r'<p class="ramverk-az">(.*?)</p>', html, re.S)[1]
    targets = re.findall(r'href="#([^"]+)"', strip)
    assert len(targets) >= 20 and set(targets) <= _ids(html)
    other = "en" if lang == "sv" else "sv"
    # the other language's ids land here too, so switching language keeps the entry
    assert {glossary.slug(e.term(other)) for e in known} <= _ids(html)


def test_built_pages_link_their_terms_to_entries_in_their_language(built_site):
    sv_ids = _ids((built_site / "glossary" / "index.html").read_text(encoding="utf-8"))
    en_ids = _ids((built_site / "en" / "glossary" / "index.html").read_text(encoding="utf-8"))
    seen = 0
    for page in built_site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'<a class="ramverk-term" href="([^"]+)"', html):
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve()
            assert target in {(built_site / "glossary").resolve(), (built_site / "en" / "glossary").resolve()}, href
            english = target == (built_site / "en" / "glossary").resolve()
            assert english == page.is_relative_to(built_site / "en"), f"{page}: {href} is the other language's"
            assert anchor in (en_ids if english else sv_ids), f"{page}: {href}"
            seen += 1
    assert seen > 100
    page = (built_site / "hardware" / "tensor-cores" / "index.html").read_text(encoding="utf-8")
    entry = next(e for e in glossary.entries() if e.en == "Tensor Core")
    assert f'href="../../glossary/#tensor-core" title="{entry.definition("sv")}"' in page


def test_search_finds_each_entry_in_its_language(built_site):
    import json

    for prefix, lang, word in (("", "sv", "tensorkärnor"), ("en/", "en", "Swedish: Tensor Core")):
        index = json.loads((built_site / prefix / "search" / "search_index.json").read_text(encoding="utf-8"))
        entries = {d["location"]: d for d in index["docs"] if d["location"].startswith("glossary/#")}
        assert {f"glossary/#{glossary.slug(e.term(lang))}" for e in glossary.entries()} <= set(entries)
        tensor_core = entries["glossary/#tensor-core"]
        assert tensor_core["title"] == "Tensor Core" and word in tensor_core["text"], tensor_core
        # the A–Z letter headings carry data-search-exclude: a letter alone is no search result
        letters = {glossary.letter(e.term(lang), lang) for e in glossary.entries()}
        assert len(letters) >= 20
        assert not [d for d in entries.values() if d["title"] in letters or "#letter-" in d["location"]]


def test_anchors_are_the_ids_the_build_gives(tmp_path):
    # Read by ramverk/pages/scanner.py; the hand-copied slug this replaces turned `__init__` into "init".
    text = "---\nterms: [tensor]\n---\n\n# An `nn.Module`\n\n## `__init__` and `forward`\n\n## Steg i minnet {#strides}\n"
    page = tmp_path / "p.en.md"
    page.write_text(text, encoding="utf-8")
    title, ids = glossary.headings(page)
    built = set(re.findall(r'<h[1-6][^>]* id="([^"]+)"', page_safety.render("docs/p.en.md", text)))
    assert title == "An nn.Module"
    assert ids == built == {"an-nnmodule", "__init__-and-forward", "strides"}
