"""Search per language (ramverk/hooks/search_per_language.py): the merged index split into one per
language, each page searching its own, and code indexed without the highlighter's tags."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest


def _config(site: Path, building: bool = False):
    languages = [SimpleNamespace(locale="sv", default=True, build=True),
                 SimpleNamespace(locale="en", default=False, build=True),
                 SimpleNamespace(locale="de", default=False, build=False)]
    i18n = SimpleNamespace(building=building, config=SimpleNamespace(languages=languages))
    return SimpleNamespace(plugins={"i18n": i18n}, site_dir=str(site))


@pytest.fixture
def search_hook():
    from ramverk.hooks import search_per_language

    return search_per_language


def _split(site: Path, hook, docs: list[dict]) -> tuple[dict, dict]:
    """The merged index static-i18n writes, split by the hook: (the Swedish index, the English one)."""
    (site / "search").mkdir()
    (site / "search" / "search_index.json").write_text(json.dumps({"config": {"lang": ["sv", "en"]}, "docs": docs}))
    (site / "sitemap.xml").write_text("<urlset/>")
    hook.on_post_build(_config(site))
    return (json.loads((site / "search" / "search_index.json").read_text()),
            json.loads((site / "en" / "search" / "search_index.json").read_text()))


def test_search_index_is_split_per_language(tmp_path, search_hook):
    docs = [{"location": "", "title": "Hem"}, {"location": "execution/overview/", "title": "Översikt"},
            {"location": "en/", "title": "Home"}, {"location": "en/execution/overview/#jit", "title": "JIT"}]
    swedish, english = _split(tmp_path, search_hook, docs)
    assert swedish == {"config": {"lang": ["sv"]}, "docs": docs[:2]}
    assert english == {"config": {"lang": ["en"]}, "docs": [{"location": "", "title": "Home"},
                                                            {"location": "execution/overview/#jit", "title": "JIT"}]}
    assert (tmp_path / "en" / "sitemap.xml").read_text() == "<urlset/>"
    assert not (tmp_path / "de").exists()  # a language that is not built gets nothing


def test_search_split_waits_for_the_outer_build(tmp_path, search_hook):
    search_hook.on_post_build(_config(tmp_path, building=True))  # nested per-language build: no index yet
    assert list(tmp_path.iterdir()) == []


def _page_html(base: str) -> str:
    return (f'<link rel="alternate" href="../../execution/overview/" hreflang="sv">'
            f'<link rel="alternate" href="../../en/execution/overview/" hreflang="en">'
            f'<script id="__config" type="application/json">{{"base": "{base}", "search": "x"}}</script>')


def test_each_page_searches_its_own_languages_index(tmp_path, search_hook):
    english_page = SimpleNamespace(file=SimpleNamespace(locale="en"))
    out = search_hook.on_post_page(_page_html("../../.."), english_page, _config(tmp_path))
    config = json.loads(out.split('application/json">')[1].split("</script>")[0])
    assert config == {"base": "../../../en/", "search": "x"}
    # Material reads sitemap.xml beside each alternate link: those point at the language roots.
    assert '<link rel="alternate" href="../../../" hreflang="sv">' in out
    assert '<link rel="alternate" href="../../../en/" hreflang="en">' in out

    swedish_page = SimpleNamespace(file=SimpleNamespace(locale="sv"))
    out = search_hook.on_post_page(_page_html("../.."), swedish_page, _config(tmp_path))
    assert '{"base": "../..", "search": "x"}' in out  # the default language keeps the root index
    assert '<link rel="alternate" href="../../en/" hreflang="en">' in out


# Pygments' markup inside <pre> as pymdownx.highlight writes it (anchor_linenums), a claim's span outside.
HIGHLIGHTED = ('<h2 id="code">Code</h2><div class="highlight"><pre><span></span><code>'
               '<a id="__codelineno-0-1" name="__codelineno-0-1" href="#__codelineno-0-1"></a>'
               '<span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>\n</code></pre></div>'
               '<p>After <span class="ramverk-claim">the claim</span> it goes on.</p>')


def _search_sections(html: str) -> list[tuple]:
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id, "".join(s.title), "".join(s.text)) for s in parser.data]


def test_search_reads_code_without_the_highlighters_tags_and_finds_the_same_text(search_hook):
    seen = []
    index = SimpleNamespace(add_entry_from_context=lambda page: seen.append(page))
    search_hook.on_config(SimpleNamespace(plugins={"material/search": SimpleNamespace(search_index=index)}))
    index.add_entry_from_context(SimpleNamespace(content=HIGHLIGHTED, url="x/"))
    lean = seen[0]
    code, prose = lean.content.split("<p>")
    assert "<span" not in code and "__codelineno" not in code
    assert '<span class="ramverk-claim">' in prose  # outside <pre>: as it was
    assert _search_sections(lean.content) == _search_sections(HIGHLIGHTED)
    assert lean.url == "x/"  # the rest of the page is the page's


def test_search_keeps_a_pre_with_a_span_it_does_not_know(search_hook):
    odd = '<pre><span class="n" title="t">x</span> <span class="o">=</span></pre>'
    assert search_hook._WithoutHighlighting(SimpleNamespace(content=odd)).content == odd


def test_search_split_goes_by_the_language_folder_not_a_prefix_of_the_path(tmp_path, search_hook):
    docs = [{"location": "engelska/", "title": "Engelska"}, {"location": "en/", "title": "Home"},
            {"location": "en/engine/#x", "title": "Engine"}, {"location": "sv/", "title": "A Swedish folder named sv"}]
    swedish, english = _split(tmp_path, search_hook, docs)
    assert [d["title"] for d in swedish["docs"]] == ["Engelska", "A Swedish folder named sv"]  # the default keeps the rest
    assert english["docs"] == [{"location": "", "title": "Home"}, {"location": "engine/#x", "title": "Engine"}]
