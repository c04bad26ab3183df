"""The strict build: self-contained pages, one search index per language, and loud failures."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import helpers

# Tags that make the browser fetch something; <a> links and <link rel="canonical|alternate"> do not.
EXTERNAL = re.compile(r'<(?:script|img|iframe|source|link(?![^>]*rel="(?:canonical|alternate)"))\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)


def test_built_pages_load_nothing_from_other_sites(built_site):
    offenders = []
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        offenders += [f"{page.relative_to(built_site)}: {m.group(0)}" for m in EXTERNAL.finditer(text)]
        assert "fonts.googleapis" not in text and "cdn.jsdelivr" not in text and "unpkg.com" not in text, page
    assert not offenders, "pages that load resources from other sites:\n" + "\n".join(offenders[:20])


def test_each_language_has_its_own_search_index(built_site):
    swedish = json.loads((built_site / "search" / "search_index.json").read_text())
    english = json.loads((built_site / "en" / "search" / "search_index.json").read_text())
    assert swedish["config"]["lang"] == ["sv"] and english["config"]["lang"] == ["en"]
    assert swedish["docs"] and english["docs"]
    assert not [d["location"] for d in swedish["docs"] if d["location"].startswith("en/")]
    titles_sv = {d["title"] for d in swedish["docs"]}
    assert "Så fungerar kunskapsbasen" in titles_sv and "How this knowledge base works" not in titles_sv
    assert "How this knowledge base works" in {d["title"] for d in english["docs"]}


def test_math_is_rendered_at_build_time(built_site):
    page = (built_site / "en" / "execution" / "overview" / "index.html").read_text()
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in page
    assert "\\tanh" not in page  # no TeX left for a script to render


def test_a_missing_translation_fails_the_build_naming_page_and_language(tmp_path):
    copy = tmp_path / "repo"
    for name in ("docs", "snippets", "results", "outputs", "scripts", "mkdocs.yml"):
        source = helpers.ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / name)
    (copy / "docs" / "about" / "how-it-works.en.md").unlink()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=copy, capture_output=True, text=True, env={"RAMVERK_ROOT": str(copy), "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0
    assert "missing translation: docs/about/how-it-works.en.md (en) does not exist" in proc.stderr + proc.stdout


def test_mkdocs_jupyters_converter_is_imported_only_when_a_notebook_needs_it():
    """hooks/deferred_imports.py, loaded before mkdocs-jupyter, defers jupytext and nbconvert (each
    language's process imports mkdocs-jupyter: 0.4 s on a quiet core, 4 s under load). It puts its own
    stand-ins in sys.modules: the standard library's LazyLoader runs a module as soon as an `import`
    statement finds it there (Python 3.11 reads its __spec__), and mkdocs-jupyter imports jupytext."""
    _checked("mkdocs-jupyter")
    code = """
import sys
from mkdocs.config import load_config
load_config("mkdocs.yml")  # loads the plugins, in mkdocs.yml's order
loaded = [m for m in ("nbconvert", "jupytext.formats") if m in sys.modules]
assert not loaded, f"imported when MkDocs loads the plugins: {loaded}"
from mkdocs_jupyter import convert
assert callable(convert.nb2html) and "nbconvert" in sys.modules
print("deferred")
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=helpers.ROOT, capture_output=True, text=True,
                          env=helpers.checkout_env(helpers.ROOT), timeout=120)
    assert proc.returncode == 0 and "deferred" in proc.stdout, proc.stdout + proc.stderr


def test_each_language_is_its_own_site_and_links_the_same_page_in_the_other(built_site):
    """`python -m ramverk build`: the header's language links name the page in each language, the head's
    <link rel="alternate"> the language roots (Material reads sitemap.xml beside them), and both
    sitemaps list every page of both languages."""
    english = (built_site / "en" / "execution" / "overview" / "index.html").read_text(encoding="utf-8")
    swedish = (built_site / "execution" / "overview" / "index.html").read_text(encoding="utf-8")
    for page in (english, swedish):
        assert '<a href="/execution/overview/" hreflang="sv" class="md-select__link">' in page
        assert '<a href="/en/execution/overview/" hreflang="en" class="md-select__link">' in page
        head_links = re.findall(r'<link rel="alternate" href="([^"]*)" hreflang="([a-z]+)">', page)
        assert head_links == [("/", "sv"), ("/en/", "en")]
    assert '<html lang="en"' in english and '<html lang="sv"' in swedish
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert (built_site / "en" / "sitemap.xml").read_text(encoding="utf-8") == sitemap
    pages = re.findall(r"<loc>http://127\.0\.0\.1:8000/(.*?)</loc>", sitemap)
    assert "execution/overview/" in pages and "en/execution/overview/" in pages
    assert sorted(p for p in pages if not p.startswith("en/")) == sorted(p[3:] for p in pages if p.startswith("en/"))


def test_forked_and_fresh_language_processes_publish_the_same_site(tmp_path, monkeypatch):
    """`python -m ramverk build` forks each language's process after loading mkdocs.yml once (on Linux);
    elsewhere each is a new Python. Both give the same site, byte for byte."""
    from fixtures.payloads_site import build as forked_build, make_site
    from ramverk.verbs import build

    root = make_site(tmp_path / "src")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the sitemaps' dates
    forked = forked_build(root, tmp_path / "forked")
    assert forked.returncode == 0, forked.stderr[-3000:]
    monkeypatch.setenv("RAMVERK_ROOT", str(root))
    monkeypatch.delattr(build.os, "fork")
    args = build.argparse.Namespace(config_file=str(root / "mkdocs.yml"), site_dir=str(tmp_path / "fresh"), language=None)
    assert build.run(args) == 0
    pages = lambda site: {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}  # noqa: E731
    assert pages(tmp_path / "fresh") == pages(tmp_path / "forked")


# Where the build still relies on how a dependency behaves, the versions it was checked against:
# a release outside them fails here, by name, before anything breaks silently.
CHECKED = {"mkdocs-static-i18n": ("1.3", "1.3.1"), "pymdown-extensions": ("13.1", "13.1"), "mkdocs": ("1.6", "1.6.1"),
           "mkdocs-jupyter": ("0.26", "0.26.3")}


def _checked(package: str) -> None:
    from importlib.metadata import version

    low, high = CHECKED[package]
    installed = version(package)
    as_tuple = lambda v: tuple(int(x) for x in v.split(".")[:3])  # noqa: E731
    assert as_tuple(low) <= as_tuple(installed) <= as_tuple(high), (
        f"{package} {installed} is outside {low}..{high}, the versions this pin was checked against: check the "
        f"behaviour the test describes, then widen CHECKED in tests/test_site_build.py")


def test_static_i18n_builds_one_language_with_build_only_locale(tmp_path):
    """ramverk/verbs/build.py relies on: build_only_locale makes that language the only one built and
    the default (so it is built at the site folder's root), and static-i18n leaves Material's
    extra.alternate as given when it builds one language."""
    import yaml
    from mkdocs.config import load_config
    from ramverk.verbs import build

    _checked("mkdocs-static-i18n")
    _checked("mkdocs")
    raw = yaml.safe_load((helpers.ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    overrides = build.language_overrides(raw, "en", str(tmp_path / "en"))
    config = load_config(str(helpers.ROOT / "mkdocs.yml"), **overrides)
    i18n = config.plugins["i18n"]
    assert [(lang.locale, lang.default, lang.build) for lang in i18n.config.languages] == [
        ("sv", False, False), ("en", True, True)]
    config = config.plugins.on_config(config)
    assert config.theme["language"] == "en" and config.site_url == "http://127.0.0.1:8000/en/"
    assert config.extra["alternate"] == overrides["extra"]["alternate"] == [
        {"name": "Svenska", "link": "/", "lang": "sv"}, {"name": "English", "link": "/en/", "lang": "en"}]
    assert config.plugins["material/search"].config.lang == ["en"]


def test_includes_go_through_the_projects_guard_in_pymdownx_place():
    """hooks/publish_safety.py registers GuardedSnippets (a subclass of pymdownx's SnippetPreprocessor
    that overrides read_lines and get_snippet_path) under pymdownx's name and priority."""
    import markdown
    import pytest
    from pymdownx.snippets import SnippetPreprocessor
    from ramverk.hooks import publish_safety
    from ramverk.pages import page_source

    _checked("pymdown-extensions")
    assert {"read_lines", "get_snippet_path"} <= set(vars(SnippetPreprocessor))
    options = {"pymdownx.snippets": {"base_path": [str(helpers.ROOT)], "check_paths": True}}
    plain = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs=options)
    guarded = markdown.Markdown(extensions=["pymdownx.snippets", publish_safety._GuardIncludes()],
                                extension_configs=options)
    assert type(guarded.preprocessors["snippet"]) is page_source.GuardedSnippets
    assert type(plain.preprocessors["snippet"]) is SnippetPreprocessor
    assert plain.preprocessors.get_index_for_name("snippet") == guarded.preprocessors.get_index_for_name("snippet")
    plain_priority = next(p.priority for p in plain.preprocessors._priority if p.name == "snippet")
    assert plain_priority == publish_safety.SNIPPET_PRIORITY
    assert "def f" in guarded.convert('--8<-- "snippets/execution/fusion.py"')  # a file the rules accept
    with pytest.raises(page_source.IncludeError, match="include refused"):
        guarded.convert('--8<-- "mkdocs.yml"')  # in the checkout, not under snippets/ or docs/
