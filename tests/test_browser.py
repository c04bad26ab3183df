"""The built site in Debian's Chromium (driven by Playwright, never a downloaded browser)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import ARTIFACTS

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing: run ./scripts/setup.sh"),
]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site_url):
    """A page that records every request and every console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.requests, tab.errors = [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("console", lambda msg: msg.type == "error" and tab.errors.append(msg.text))
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("response", lambda r: r.status >= 400 and tab.errors.append(f"HTTP {r.status} {r.url}"))
    yield tab
    outside = [u for u in tab.requests if urlparse(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]
    assert not outside, f"requests left the site: {outside}"
    assert not tab.errors, f"console errors: {tab.errors}"
    context.close()


def test_language_switch_keeps_the_page(page, site_url):
    page.goto(f"{site_url}/en/execution/overview/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".md-header__option .md-select").hover()
    page.locator('a[hreflang="sv"]').click()
    page.wait_for_url(f"{site_url}/execution/overview/")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.locator(".md-header__option .md-select").hover()
    page.locator('a[hreflang="en"]').click()
    page.wait_for_url(f"{site_url}/en/execution/overview/")


@pytest.mark.parametrize(
    "path, query, lang",
    [("/en/", "interpreted", "en"), ("/", "tolkat", "sv")],
    ids=["english", "swedish"],
)
def test_search_finds_only_this_languages_pages(page, site_url, path, query, lang):
    page.goto(f"{site_url}{path}")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(query, delay=30)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15_000)
    hrefs = [urlparse(h).path for h in results.evaluate_all("els => els.map(e => e.href)")]
    assert hrefs, f"no search results for {query!r}"
    in_english = [h.startswith("/en/") for h in hrefs]
    assert all(in_english) if lang == "en" else not any(in_english), f"{lang} search returned {hrefs}"


def test_linked_tabs_follow(page, site_url):
    page.goto(f"{site_url}/en/execution/overview/")
    groups = page.locator(".tabbed-set")
    assert groups.count() >= 1
    page.locator(".tabbed-labels label", has_text="JAX").first.click()
    checked = page.evaluate(
        """() => [...document.querySelectorAll('.tabbed-set')].map(set => {
                 const input = set.querySelector(':scope > input:checked');
                 return set.querySelector(`label[for="${input.id}"]`).textContent.trim(); })"""
    )
    with_jax = [label for label in checked]
    assert with_jax and all(label == "JAX" for label in with_jax), f"selected tabs after clicking JAX: {checked}"


@pytest.mark.parametrize("lang, path", [("sv", "/execution/overview/"), ("en", "/en/execution/overview/")])
def test_screenshot_each_language(page, site_url, lang, path):
    page.goto(f"{site_url}{path}")
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"overview-{lang}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang, prefix", [("sv", ""), ("en", "/en")])
def test_screenshot_timing_table_and_traced_graph(page, site_url, lang, prefix):
    """A measured table (numbers in the page's language) and a graph picture from a real trace."""
    page.goto(f"{site_url}{prefix}/execution/mnist-experiment/")
    table = page.locator("table", has=page.locator("td", has_text="TensorFlow · function")).first
    table.scroll_into_view_if_needed()
    assert ("," if lang == "sv" else ".") in table.locator("strong").first.inner_text()  # decimal separator
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(ARTIFACTS / f"timing-table-{lang}.png"))
    page.goto(f"{site_url}{prefix}/autodiff/computational-graph/")
    picture = page.locator("img[src$='jax-f-forward.svg']").first
    picture.scroll_into_view_if_needed()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), "graph picture did not load"
    picture.screenshot(path=str(ARTIFACTS / f"graph-{lang}.png"))
