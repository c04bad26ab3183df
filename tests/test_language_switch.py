"""Switching language keeps the #anchor (docs/assets/javascripts/language-switch-anchor.js), in Debian's
Chromium driven by Playwright, like tests/test_browser.py.

The script runs on a small site built here with the project's theme, language plugin and script: a page
pair whose headings have an explicit id in common ({#same-id}) and ids made from their words, which
differ between the languages. tests/test_site_extras.py checks that the real site loads the script.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading

import helpers
import pytest

CHROMIUM = helpers.CHROMIUM
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker for the browser tests (`--dist loadgroup`)
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing: run ./scripts/setup.sh"),
]
SCRIPT = helpers.ROOT / "docs" / "assets" / "javascripts" / "language-switch-anchor.js"
WAIT_MS = helpers.WAIT_MS
MKDOCS_YML = """\
site_name: t
site_url: http://127.0.0.1/
theme:
  name: material
  language: sv
  font: false
extra_javascript:
  - assets/javascripts/language-switch-anchor.js
markdown_extensions:
  - attr_list
  - toc:
      permalink: true
plugins:
  - i18n:
      docs_structure: suffix
      reconfigure_material: true
      languages:
        - locale: sv
          name: Svenska
          default: true
        - locale: en
          name: English
nav:
  - index.md
  - page.md
"""
FILLER = "\n\n".join(["Text. " * 80] * 6)
PAGES = {
    "index.sv.md": "# Hem\n",
    "index.en.md": "# Home\n",
    "page.sv.md": "# Sida\n\n## Första rubriken\n\n{f}\n\n## Andra rubriken {{#same-id}}\n\n{f}\n\n"
                  "## Tredje rubriken\n\n{f}\n".format(f=FILLER),
    "page.en.md": "# Page\n\n## First heading\n\n{f}\n\n## Second heading {{#same-id}}\n\n{f}\n\n"
                  "## Third heading\n\n{f}\n".format(f=FILLER),
}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("language-switch")
    (root / "mkdocs.yml").write_text(MKDOCS_YML)
    docs = root / "docs"
    (docs / "assets" / "javascripts").mkdir(parents=True)
    shutil.copy(SCRIPT, docs / "assets" / "javascripts" / SCRIPT.name)
    for name, text in PAGES.items():
        (docs / name).write_text(text)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(root / "site")], cwd=root,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root / "site"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with helpers.chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 700})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    assert not tab.errors, f"script errors: {tab.errors}"
    context.close()


def switch_to(page, lang: str) -> None:
    page.locator(".md-header__option .md-select").hover()
    page.locator(f'.md-header a[hreflang="{lang}"]').click()


def test_an_anchor_both_languages_share_is_kept(page, site_url):
    from playwright.sync_api import expect

    page.goto(f"{site_url}/page/#same-id")
    switch_to(page, "en")
    expect(page).to_have_url(f"{site_url}/en/page/#same-id")
    expect(page.locator("#same-id")).to_be_in_viewport()
    switch_to(page, "sv")
    expect(page).to_have_url(f"{site_url}/page/#same-id")


def test_a_heading_whose_anchor_differs_is_found_by_its_position(page, site_url):
    from playwright.sync_api import expect

    page.goto(f"{site_url}/page/#tredje-rubriken")
    switch_to(page, "en")
    expect(page).to_have_url(f"{site_url}/en/page/#third-heading")
    expect(page.locator("#third-heading")).to_be_in_viewport()
    expect(page.locator('.md-header a[hreflang="sv"]')).to_have_attribute("href", f"{site_url}/page/#third-heading")


def test_the_link_follows_the_anchor_the_reader_moves_to(page, site_url):
    from playwright.sync_api import expect

    page.goto(f"{site_url}/en/page/")
    link = page.locator('.md-header a[hreflang="sv"]')
    expect(link).to_have_attribute("href", f"{site_url}/page/")  # no anchor, none added
    page.locator('a.headerlink[href="#first-heading"]').click()
    expect(link).to_have_attribute("href", f"{site_url}/page/#first-heading")
    switch_to(page, "sv")
    expect(page).to_have_url(f"{site_url}/page/#forsta-rubriken")
