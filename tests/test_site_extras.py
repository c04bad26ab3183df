"""What the built site carries besides the pages: the glossary's data file stays out (mkdocs.yml
exclude_docs), and every page loads the script that keeps the #anchor when the language changes
(mkdocs.yml extra_javascript; tests/test_language_switch.py checks what it does)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_the_glossary_data_file_is_not_published(built_site):
    assert (built_site / "glossary" / "index.html").is_file()  # the generated page is
    assert (built_site / "en" / "glossary" / "index.html").is_file()
    published = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("glossary.yml"))
    assert not published, f"docs/glossary.yml is copied into the site: {published}"


def test_every_page_loads_the_language_switch_script(built_site):
    script = built_site / "assets" / "javascripts" / "language-switch-anchor.js"
    assert script.is_file()
    pages = sorted(built_site.rglob("index.html"))
    assert len(pages) > 20, "the site has fewer pages than expected: is this the built site?"
    missing = [p.relative_to(built_site).as_posix() for p in pages
               if "assets/javascripts/language-switch-anchor.js" not in p.read_text(encoding="utf-8")]
    assert not missing, f"pages without the language-switch script: {missing}"


def test_serve_rebuilds_when_what_the_pages_are_built_from_changes():
    """`mkdocs serve` (scripts/serve.sh) watches docs/ and mkdocs.yml by itself; the pages also include
    snippets/ and draw their tables, charts and output blocks from results/ and outputs/."""
    from ramverk.contract import site_config

    config = site_config.load()
    watched = {str(path).rstrip("/") for path in config.raw.get("watch") or []}
    assert {"snippets", "results", "outputs"} <= watched, f"mkdocs.yml watch: {sorted(watched)}"
    assert all((config.root / path).is_dir() for path in watched)
    assert "mkdocs serve" in (config.root / "scripts" / "serve.sh").read_text(encoding="utf-8")
