"""The built site in Debian's Chromium (driven by Playwright, never a downloaded browser)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from urllib.parse import urlparse

import helpers
import pytest

CHROMIUM = helpers.CHROMIUM
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker: one Chromium, one probe site (`--dist loadgroup`)
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing: run ./scripts/setup.sh"),
]
WAIT_MS = helpers.WAIT_MS


@pytest.fixture(scope="module")
def browser():
    with helpers.chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, site_url):
    """A page that records every request and every console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)  # every action and navigation: slow machines are slow, not broken
    context.set_default_navigation_timeout(WAIT_MS)
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


def _heading(text: str) -> re.Pattern:
    """The page's h1 as the theme shows it: the Markdown heading, then its permalink (¶)."""
    return re.compile(rf"^{re.escape(text)}\s*¶?$")


def test_language_switch_keeps_the_page(page, site_url):
    """Switch en -> sv -> en on one page; wait for the new page itself (URL and lang), not for a load event."""
    from playwright.sync_api import expect

    page.goto(f"{site_url}/en/execution/overview/")
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=WAIT_MS)
    for lang, path in (("sv", "/execution/overview/"), ("en", "/en/execution/overview/")):
        page.locator(".md-header__option .md-select").hover()
        page.locator(f'a[hreflang="{lang}"]').click(timeout=WAIT_MS)
        expect(page).to_have_url(f"{site_url}{path}", timeout=WAIT_MS)
        expect(page.locator("html")).to_have_attribute("lang", lang, timeout=WAIT_MS)
        source = helpers.ROOT / "docs" / "execution" / f"overview.{lang}.md"
        expect(page.locator("article h1")).to_have_text(_heading(helpers.first_heading(source)), timeout=WAIT_MS)


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


@pytest.mark.parametrize("lang, path, title", [("sv", "/execution/overview/", "Översikt - Ramverk"),
                                               ("en", "/en/execution/overview/", "Overview - Ramverk")])
def test_screenshot_each_language(page, site_url, lang, path, title):
    """A screenshot of the real page in each language, not of an error page: status, title (the nav's
    title for the page, translated), language and the page's own heading are checked first."""
    from playwright.sync_api import expect

    response = page.goto(f"{site_url}{path}")
    assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
    expect(page).to_have_title(title, timeout=WAIT_MS)
    expect(page.locator("html")).to_have_attribute("lang", lang, timeout=WAIT_MS)
    heading = helpers.first_heading(helpers.ROOT / "docs" / "execution" / f"overview.{lang}.md")
    expect(page.locator("article h1")).to_have_text(_heading(heading), timeout=WAIT_MS)
    page.wait_for_load_state("networkidle")  # fonts and pictures in place for the picture
    helpers.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = helpers.ARTIFACTS / f"overview-{lang}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("lang, prefix", [("sv", ""), ("en", "/en")])
def test_screenshot_timing_table_and_traced_graph(page, site_url, lang, prefix):
    """A measured table (numbers in the page's language) and a graph picture from a real trace."""
    page.goto(f"{site_url}{prefix}/execution/mnist-experiment/")
    table = page.locator("table", has=page.locator("td", has_text="TensorFlow · function")).first
    table.scroll_into_view_if_needed()
    medians = table.locator("strong").all_inner_texts()
    assert any(("," if lang == "sv" else ".") in m for m in medians), medians  # the language's decimal separator
    helpers.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(helpers.ARTIFACTS / f"timing-table-{lang}.png"))
    page.goto(f"{site_url}{prefix}/autodiff/computational-graph/")
    picture = page.locator("img[src$='jax-f-forward.svg']").first
    picture.scroll_into_view_if_needed()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), "graph picture did not load"
    picture.screenshot(path=str(helpers.ARTIFACTS / f"graph-{lang}.png"))


# --- notebook pages (hooks/notebooks.py), both languages, at a phone's width and a desktop's ---------

WIDTHS = (390, 1280)


def _notebook_pages(site, lang: str) -> list[tuple[str, list[str]]]:
    """(URL path, each code cell's code) of the notebook pages most likely to be too wide or wrong, read
    from the built .ipynb files: the one with the longest output line (TensorFlow's log lines made
    same_math's page 2,993 px wide), the longest code line, the most code cells, the most stderr, and
    same_math itself. Every page takes a second or so in Chromium on a busy machine; test_notebooks.py
    checks every page's HTML for the duplicate code and the code blocks."""
    import json

    folder = site if lang == "sv" else site / "en"
    found = {}
    for path in sorted((folder / "notebooks").glob("**/*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
        texts = ["".join(o.get("text", "")) + "\n".join(o.get("traceback", [])) for o in outputs]
        url = "/" + path.parent.relative_to(site).as_posix() + "/"
        found[url] = (code, {
            "output line": max((len(line) for text in texts for line in text.splitlines()), default=0),
            "code line": max((len(line) for source in code for line in source.splitlines()), default=0),
            "code cells": len(code),
            "stderr": sum(len("".join(o.get("text", ""))) for o in outputs if o.get("name") == "stderr"),
        })
    assert found, f"no notebook pages in {folder}"
    chosen = {max(found, key=lambda url: found[url][1][measure]) for measure in next(iter(found.values()))[1]}
    chosen |= {url for url in found if url.endswith("/notebooks/execution/overview/same_math/")}
    return [(url, found[url][0]) for url in sorted(chosen)]


def _squashed(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_notebook_pages_fit_the_window_and_show_each_cell_once_with_a_copy_button(browser, built_site, site_url,
                                                                                  lang):
    """At each width no output or code line makes the page wider than the window; each code cell's code is
    in the page's visible text exactly once (mkdocs-jupyter's hidden copy of it, without its CSS, was a
    second, run-on paragraph), as one of the theme's code blocks, with its copy button."""
    problems, pages = [], _notebook_pages(built_site, lang)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 844})
        context.set_default_timeout(WAIT_MS)
        tab = context.new_page()
        errors = []
        tab.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        tab.on("pageerror", lambda error: errors.append(str(error)))
        try:
            for url, code in pages:
                where = f"{url} at {width} px"
                tab.goto(f"{site_url}{url}")
                blocks = tab.locator(".jupyter-wrapper .highlight pre > code")
                if blocks.count() != len(code):
                    problems.append(f"{where}: {blocks.count()} code blocks for {len(code)} code cells")
                else:  # the theme adds a copy button to every code block at once
                    tab.locator('.jupyter-wrapper .highlight button[data-md-type="copy"]').first.wait_for()
                    buttons = tab.locator('.jupyter-wrapper .highlight button[data-md-type="copy"]').count()
                    if buttons != len(code):
                        problems.append(f"{where}: {buttons} copy buttons for {len(code)} code cells")
                wide = tab.evaluate("() => document.documentElement.scrollWidth")
                if wide > width:
                    problems.append(f"{where}: the page is {wide} px wide")
                text = _squashed(tab.evaluate("() => document.body.innerText"))
                for source in map(_squashed, code):
                    if (times := text.count(source)) != 1:
                        problems.append(f"{where}: the code cell {source[:50]!r}… is shown {times} times")
                problems += [f"{where}: console error {error}" for error in errors]
                errors.clear()
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_notebook_copy_button_copies_its_cell(browser, site_url):
    """The theme's copy button on a notebook's code cell puts that cell's code on the clipboard: it finds
    the code by a selector made from the closest id, which nbconvert's "cell-id=cell-4" broke."""
    from ramverk.render import notebooks

    nb = next(n for n in notebooks.all_notebooks("en") if n.page == "execution/overview.en.md"
              and n.name == "same_math")
    code = [c for c in nb.cells if c.kind == "code"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
        tab = context.new_page()
        tab.goto(f"{site_url}/en/notebooks/{nb.stem}/{nb.name}/")
        assert tab.locator(".jupyter-wrapper .highlight pre > code").count() == len(code), "cells are not code blocks"
        tab.locator('.jupyter-wrapper .highlight button[data-md-type="copy"]').nth(1).click(timeout=WAIT_MS)
        copied = tab.evaluate("() => navigator.clipboard.readText()")
    finally:
        context.close()
    assert code[1].section == "torch" and copied.strip() == code[1].source.strip()


# --- hostile payloads (fixtures/payloads.yml): nothing runs, nothing loads from another host ---------

from fixtures.payloads_site import PAYLOADS, page_text  # noqa: E402
from fixtures.payloads_site import build as build_probe_site  # noqa: E402
from fixtures.payloads_site import make_site as make_probe_site  # noqa: E402

LIVE = [p for p in PAYLOADS if p.get("live") and "config_line" not in p]
LIVE_CONFIG = [p for p in PAYLOADS if p.get("live") and "config_line" in p]
SLOT = "RAMVERKPAYLOADSLOT"
# Headings with entities that decode to text, not markup (markup once decoded is refused: test_publish_safety)
TRICKY = ("# x &lt; y &amp;&amp; z &gt; w\n\n"
          "## a &lt; b in a heading\n\n&lt;img src=x onerror=console.log('pwned')&gt; and "
          "&lt;svg onload=console.log('pwned')&gt; in text, `<script>console.log('pwned')</script>` in code.\n")


@pytest.fixture(scope="module")
def probe_site(tmp_path_factory):
    """A tiny site built for real (theme, search, the project's hooks) with a slot page. Each live
    payload is rendered by the project's pipeline and put into a copy of that page at the same depth:
    sanitised as the site publishes it (clean-<id>/) and unsanitised as the control (raw-<id>/)."""
    from ramverk.checks import page_safety
    from ramverk.pages import page_source, sanitise

    root = make_probe_site(tmp_path_factory.mktemp("probe-src"))
    for lang in ("en", "sv"):
        (root / "docs" / f"slot.{lang}.md").write_text(f"# Slot\n\n{SLOT}\n", encoding="utf-8")
        (root / "docs" / f"tricky.{lang}.md").write_text(TRICKY, encoding="utf-8")
    site = tmp_path_factory.mktemp("probe-site")
    proc = build_probe_site(root, site)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    template = (site / "slot" / "index.html").read_text(encoding="utf-8")
    assert f"<p>{SLOT}</p>" in template
    for payload in LIVE:
        html = page_safety.render("x.md", page_source.expand(page_text(payload), lenient=True))
        for kind, content in (("clean", sanitise.clean(html)), ("raw", html)):
            out = site / f"{kind}-{payload['id']}" / "index.html"
            out.parent.mkdir()
            out.write_text(template.replace(f"<p>{SLOT}</p>", content), encoding="utf-8")
    handler = functools.partial(_QuietProbeHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietProbeHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _probe_context(browser):
    """A context that blocks every request off 127.0.0.1."""
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    return context


def _probe_tab(context):
    """A tab that records every request off 127.0.0.1, every dialog and every "pwned" log (its own, not
    its context's other tabs')."""
    tab = context.new_page()
    tab.events = []

    def on_dialog(dialog):
        tab.events.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("console", lambda msg: "pwned" in msg.text and tab.events.append(f"console: {msg.text}"))
    tab.on("request", lambda r: urlparse(r.url).scheme in ("http", "https", "ws", "wss")
           and urlparse(r.url).hostname != "127.0.0.1" and tab.events.append(f"request: {r.url}"))
    return tab


@pytest.fixture
def probe_tab(browser):
    context = _probe_context(browser)
    yield _probe_tab(context)
    context.close()


def _load(tab, url: str) -> None:
    """Load the page and click every link in the article (javascript: URLs run on click)."""
    tab.goto(url, wait_until="load")
    try:
        tab.evaluate("""() => { for (const a of document.querySelectorAll('article a'))
                          a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})); }""")
    except Exception:  # a payload that navigated away (meta refresh) has already been recorded
        pass


SETTLE_MS = 800  # after the last load: timers, animations and refreshes get this long to fire


def _visit(tab, url: str) -> list[str]:
    """What the page recorded, loaded and clicked, after SETTLE_MS."""
    _load(tab, url)
    tab.wait_for_timeout(SETTLE_MS)
    return tab.events


def _visit_each(browser, urls: dict[str, str]) -> dict[str, list[str]]:
    """_visit for every page, each in a tab of its own, all open at once in one context (which caches
    the theme's files): one wait for all."""
    context = _probe_context(browser)
    try:
        tabs = {key: _probe_tab(context) for key in urls}
        for key, url in urls.items():
            _load(tabs[key], url)
        next(reversed(tabs.values())).wait_for_timeout(SETTLE_MS)  # every tab's events arrive meanwhile
        return {key: list(tab.events) for key, tab in tabs.items()}
    finally:
        context.close()


@pytest.fixture(scope="module")
def payload_events(browser, probe_site):
    """(kind, payload id) -> what the page recorded: kind "clean" as the site publishes the payload,
    "raw" unsanitised. A context per kind: the controls' scripts share nothing with the published pages."""
    events = {}
    for kind in ("clean", "raw"):
        urls = {(kind, p["id"]): f"{probe_site}/{kind}-{p['id']}/" for p in LIVE}
        events.update(_visit_each(browser, urls))
    return events


@pytest.mark.parametrize("payload", LIVE, ids=[p["id"] for p in LIVE])
def test_published_payload_runs_nothing_and_loads_nothing(payload_events, payload):
    assert payload_events["clean", payload["id"]] == []


@pytest.mark.parametrize("payload", LIVE, ids=[p["id"] for p in LIVE])
def test_payload_is_live_without_the_sanitiser(payload_events, payload):
    """The control: unsanitised, the probe does run or load in this Chromium, so the test above means something."""
    assert payload_events["raw", payload["id"]], "the unsanitised probe did nothing"


def test_escaped_markup_in_headings_stays_text(probe_tab, probe_site):
    """Entities in headings pass the sanitiser as text; the theme's title, nav and toc keep them text."""
    for lang in ("", "en/"):
        assert _visit(probe_tab, f"{probe_site}/{lang}tricky/") == []


@pytest.fixture(scope="module")
def config_payload_events(browser, tmp_path_factory):
    """mkdocs.yml's strings (nav titles, their translations, copyright) as the theme prints them: the tiny
    site with every live config payload, built without the publish_safety hook (the control) and with it.
    -> (kind, payload id) -> what that payload logged on the site's pages, both languages."""
    pages = ["", "en/", *(f"{lang}p/{p['id']}/" for p in LIVE_CONFIG if "page" in p for lang in ("", "en/"))]
    events = {}
    for kind, guarded in (("raw", False), ("clean", True)):
        root = make_probe_site(tmp_path_factory.mktemp(f"config-{kind}-src"), LIVE_CONFIG, guarded=guarded)
        site = tmp_path_factory.mktemp(f"config-{kind}-site")
        proc = build_probe_site(root, site)
        if guarded:
            assert proc.returncode != 0 and not any(site.rglob("*.html")), proc.stdout[-2000:] + proc.stderr[-2000:]
        else:
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                 functools.partial(_QuietProbeHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            seen = _visit_each(browser, {page: f"http://127.0.0.1:{server.server_address[1]}/{page}" for page in pages})
        finally:
            server.shutdown()
        for payload in LIVE_CONFIG:
            events[kind, payload["id"]] = [e for page in pages for e in seen[page] if payload["id"] in e]
    return events


@pytest.mark.parametrize("payload", LIVE_CONFIG, ids=[p["id"] for p in LIVE_CONFIG])
def test_config_payload_runs_nothing_and_its_control_does(config_payload_events, payload):
    """Without the hook the string runs on the published pages; with it the build fails and publishes nothing."""
    assert config_payload_events["raw", payload["id"]], "the unguarded probe did nothing"
    assert config_payload_events["clean", payload["id"]] == []
