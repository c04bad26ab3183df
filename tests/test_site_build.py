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
    """hooks/deferred_imports.py, loaded before mkdocs-jupyter, defers jupytext and nbconvert."""
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
