"""Reading at a glance, on a 1280-px desktop and a 390-px phone: the "All measurements" page (one
compact table per snippet, devices as columns, translated headings, sortable by keyboard), chart
text that stays readable when shrunk, and a 404 page in each language.

The browser tests drive Debian's Chromium through Playwright (as tests/test_browser.py does) and
leave screenshots in tests/artifacts/reading/ (ignored by git)."""

from __future__ import annotations

import base64
import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import helpers
import pytest
from ramverk.render import benchmarks_page
from ramverk.render.markers import Marker

NBSP = "\u00a0"
CHROMIUM = helpers.CHROMIUM
ARTIFACTS = helpers.ROOT / "tests" / "artifacts" / "reading"
SCREENS = {"desktop": (1280, 900), "phone": (390, 844)}
MIN_TEXT_PX = 10


# --- the benchmarks page, rendered -----------------------------------------------------------------

def _record(snippet: str, framework: str, mode: str, median: float, device: dict | None = None,
            size: str = "full", first: float | None = 0.5) -> dict:
    return {"snippet": snippet, "section": None, "snippet_hash": "sha256:0000000000000000",
            "case": {"framework": framework, "mode": mode, "size": size, "params": {"n": 8}},
            "device": device or {"kind": "cpu", "name": "Test CPU, 1 thread"}, "framework_version": "1.0",
            "threads": 1,
            "stats": {"median_s": median, "q1_s": median * 0.9, "q3_s": median * 1.1, "min_s": median * 0.8,
                      "max_s": median * 1.2, "n": 1234, "number": 3, "first_call_s": first},
            "date_utc": datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat(), "commit": None, "dirty": False}


@pytest.fixture
def bench_root(tmp_path, monkeypatch) -> Path:
    """A tiny checkout: the project's settings (so its nav names the topics), two snippets under
    execution/, a page pair showing one of them, and two machines' results (a CPU and a GPU)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(helpers.ROOT / name, root / name)
    (root / "snippets" / "execution").mkdir(parents=True)
    # the snippet's own order (torch before jax) is the table's, as on the notes' timing tables
    (root / "snippets" / "execution" / "demo_snippet.py").write_text(
        'BENCHMARK = {"frameworks": ["torch", "jax"], "modes": {"torch": ["eager"], "jax": ["eager", "jit"]},\n'
        '             "devices": ["cpu", "cuda"], "sizes": {"quick": {"n": 1}, "full": {"n": 8}}}\n\n\n'
        "def build(framework, mode, device, n):\n    return lambda: n\n", encoding="utf-8")
    (root / "snippets" / "execution" / "other.py").write_text("print(1)\n", encoding="utf-8")
    (root / "docs" / "execution").mkdir(parents=True)
    for lang, title in (("sv", "Demosida"), ("en", "Demo page")):
        (root / "docs" / "execution" / f"demo.{lang}.md").write_text(
            f"# {title}\n\n<!-- timing: snippets/execution/demo_snippet.py -->\n", encoding="utf-8")
    (root / "results").mkdir()
    demo, other = "snippets/execution/demo_snippet.py", "snippets/execution/other.py"
    gpu = {"kind": "cuda", "name": "NVIDIA H200"}
    files = {
        "box": [_record(demo, "torch", "eager", 0.00132), _record(demo, "jax", "jit", 950e-6, first=None),
                _record(demo, "jax", "eager", 0.5, size="quick"), _record(other, "numpy", "eager", 2.5)],
        "gpu-box": [_record(demo, "torch", "eager", 20e-6, device=gpu)],
    }
    for name, records in files.items():
        machine = {"name": name, "cpu_model": "Test CPU", "logical_cores": 1, "os": "Linux", "python": "3.11"}
        (root / "results" / f"{name}.json").write_text(
            json.dumps({"schema_version": 1, "machine": machine, "records": records}), encoding="utf-8")
    monkeypatch.setenv("RAMVERK_ROOT", str(root))  # the tooling reads this checkout, and its pyproject's results/
    return root


def _benchmarks(lang: str) -> str:
    return benchmarks_page.benchmarks(Marker("benchmarks", "all", page=f"docs/measurements/all.{lang}.md", lang=lang))


def _tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def test_one_compact_table_per_snippet_with_devices_as_columns_in_each_language(bench_root):
    sv, en = _benchmarks("sv"), _benchmarks("en")
    # topics under their nav titles, translated; snippets as their own headings, never broken mid-word
    assert "\n## Exekveringsmodeller\n" in sv and "\n## Execution models\n" in en
    assert "## execution" not in sv + en
    assert "\n### `demo_snippet.py` {: .ramverk-snippet }\n" in sv
    tables = _tables(en)
    assert len(tables) == 2, "one table per snippet"
    header = tables[0][0]
    assert header.startswith("| Case | ") and header.count(" | ") == 2  # a case column and two device columns
    assert ">Test CPU, 1 thread</span>" in header and ">NVIDIA H200</span>" in header
    assert ">Test CPU, 1 tråd</span>" in _tables(sv)[0][0]  # the CPU column in the page's language
    assert 'title="Machine: box"' in header and 'title="Maskin: box"' in _tables(sv)[0][0]
    rows = tables[0][2:]
    assert [r.split(" | ")[0] for r in rows] == ["| PyTorch · `eager`", "| JAX · `jit`"]  # no quick-size record
    torch_cpu, torch_gpu = rows[0].split(" | ")[1:3]
    assert f'<span data-sort="0.00132">**1.32{NBSP}ms**</span> ± 0.132{NBSP}ms' in torch_cpu
    assert f'<small class="ramverk-more">n{NBSP}={NBSP}1,234 · first call 500{NBSP}ms</small>' in torch_cpu
    assert f"**20.0{NBSP}µs**" in torch_gpu
    assert rows[1].endswith(" | – |"), "JAX was not measured on the GPU"
    assert f"n{NBSP}={NBSP}1,234</small>" in rows[1]  # no first call: n alone
    assert f"**1,32{NBSP}ms**" in sv and "första anropet 500" in sv
    assert "n\u00a0=\u00a01\u00a0234" in sv.replace("\u202f", "\u00a0")  # Swedish groups thousands with a space
    # the pages that show a snippet, under its name
    assert "Shown on: [Demo page](../execution/demo.en.md)" in en and "Visas på: [Demosida](../execution/demo.sv.md)" in sv
    assert '<div class="ramverk-sortable ramverk-bench" markdown>' in en


def test_the_benchmarks_page_lists_machines_once_at_the_end(bench_root):
    from ramverk.render import timing_tables

    text = "# All\n\n<!-- benchmarks: all -->\n"
    block = timing_tables.page_provenance(text, "docs/measurements/all.sv.md", "sv")
    assert block.count("`box`") == 1 and block.count("`gpu-box`") == 1
    assert "(../results/box.json)" in block and "(../results/gpu-box.json)" in block
    assert "Test CPU, 1 tråd" in block and "thread" not in block


def test_topic_titles_fall_back_to_the_folder_name(bench_root):
    assert benchmarks_page.topic_title("hardware", "sv") == "Hårdvara och enheter"
    assert benchmarks_page.topic_title("hardware", "en") == "Hardware and devices"
    assert benchmarks_page.topic_title("nowhere", "en") == "nowhere"


# --- the built site in a browser, at 1280 and 390 px -----------------------------------------------

def browser_test(fn):
    """One Chromium per worker, in test_browser.py's xdist group; skipped without Debian's chromium."""
    for mark in (pytest.mark.browser, pytest.mark.xdist_group("browser"),
                 pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing: run ./scripts/setup.sh")):
        fn = mark(fn)
    return fn


@pytest.fixture(scope="module")
def browser():
    with helpers.chromium() as chromium:
        yield chromium


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def tab(request, browser, site_url):
    width, height = SCREENS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.screen, page.requests, page.errors = request.param, [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    outside = [u for u in page.requests if urlparse(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")]
    assert not outside, f"requests left the site: {outside}"
    assert not page.errors, f"page errors: {page.errors}"
    context.close()


def _overflowing(page) -> dict:
    """What is wider than its box: the document, and any of Material's table scroll wrappers in the article."""
    return page.evaluate("""() => ({
        page: document.documentElement.scrollWidth - window.innerWidth,
        tables: Array.from(document.querySelectorAll('article .md-typeset__scrollwrap, article table'))
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim().slice(0, 60)),
    })""")


@browser_test
@pytest.mark.parametrize("path", ["/measurements/benchmarks/", "/en/measurements/benchmarks/"], ids=["sv", "en"])
def test_benchmarks_page_has_no_horizontal_scrollbar_and_sorts_by_keyboard(tab, site_url, path):
    tab.goto(f"{site_url}{path}")
    lang = "en" if path.startswith("/en/") else "sv"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"after-benchmarks-{lang}-{tab.screen}.png"))
    assert _overflowing(tab) == {"page": 0, "tables": []}
    # headings in the page's language, not folder names
    h2 = [t.strip() for t in tab.locator("article h2").all_inner_texts()]
    assert ("Exekveringsmodeller" if lang == "sv" else "Execution models") in " ".join(h2)
    assert "execution" not in h2 and "autodiff" not in h2
    # every median visible without scrolling sideways: inside the article's box
    box = tab.locator("article").bounding_box()
    for cell in tab.locator(".ramverk-bench td [data-sort]").all()[:40]:
        b = cell.bounding_box()
        assert b["x"] >= box["x"] - 1 and b["x"] + b["width"] <= box["x"] + box["width"] + 1
    # sorting: a header is a button the keyboard reaches, and aria-sort says the order
    table = tab.locator(".ramverk-bench table").first
    button = table.locator("th button.ramverk-sort").nth(1)
    button.focus()
    tab.keyboard.press("Enter")
    th = table.locator("th").nth(1)
    assert th.get_attribute("aria-sort") == "ascending"
    keys = [float(v) for v in table.locator("tbody td:nth-child(2) [data-sort]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-sort'))")]
    assert keys == sorted(keys)
    tab.keyboard.press("Space")
    assert th.get_attribute("aria-sort") == "descending"
    indicator = th.locator(".ramverk-sort").evaluate("e => getComputedStyle(e, '::after').content")
    assert "\u25bc" in indicator
    assert tab.locator("article").get_by_text("Om mätningarna på sidan" if lang == "sv"
                                              else "About the measurements on this page").count() == 1


def _chart_text_px(img) -> list[float]:
    """The rendered size of each font size in a chart: the SVG's own size times its shown / natural width."""
    src = img.get_attribute("src")
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    natural_pt = float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg)[1])
    shown_px = img.evaluate("e => e.getBoundingClientRect().width")
    return [float(size) * shown_px / natural_pt for size in re.findall(r"font-size: ([\d.]+)px", svg)]


@browser_test
@pytest.mark.parametrize("path", ["/execution/jax-jit/", "/en/hardware/cpu-gpu-tpu/"], ids=["sv", "en"])
def test_chart_text_is_at_least_ten_css_pixels(tab, site_url, path):
    tab.goto(f"{site_url}{path}")
    charts = tab.locator(".ramverk-chart img")
    assert charts.count() >= 1
    first = charts.first
    first.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lang = "en" if path.startswith("/en/") else "sv"
    first.screenshot(path=str(ARTIFACTS / f"after-chart-{lang}-{tab.screen}.png"))
    for i in range(charts.count()):
        sizes = _chart_text_px(charts.nth(i))
        assert min(sizes) >= MIN_TEXT_PX, f"chart {i}: smallest text {min(sizes):.1f} CSS px"
    assert _overflowing(tab)["page"] == 0


@browser_test
@pytest.mark.parametrize("path", ["/execution/fusion/", "/en/hardware/cpu-gpu-tpu/", "/en/execution/mnist-experiment/"],
                         ids=["sv-fusion", "en-two-devices", "en-mnist"])
def test_timing_tables_on_notes_fit_and_read_as_cards_on_a_phone(tab, site_url, path):
    """Every median inside the article, no case name broken inside a word; on a phone each case is a
    card as wide as the column (its name above its figures, each device named), on a desktop a table."""
    tab.goto(f"{site_url}{path}")
    tables = tab.locator("article .ramverk-timing table")
    assert tables.count() >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tables.first.scroll_into_view_if_needed()
    tables.first.screenshot(path=str(ARTIFACTS / f"after-timing-{path.strip('/').replace('/', '-')}-{tab.screen}.png"))
    assert _overflowing(tab) == {"page": 0, "tables": []}
    box = tab.locator("article").bounding_box()
    for median in tab.locator("article .ramverk-timing td strong").all():
        b = median.bounding_box()
        assert b["x"] >= box["x"] - 1 and b["x"] + b["width"] <= box["x"] + box["width"] + 1
    split = tab.locator("article .ramverk-timing td:first-child code").evaluate_all(
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)")
    assert split == [], f"case names broken over lines: {split}"
    labels = tab.locator("article .ramverk-timing .ramverk-cell-device").first
    header = tab.locator("article .ramverk-timing thead").first
    if tab.screen == "phone":
        assert labels.is_visible() and not header.is_visible()
        width = tables.first.evaluate("e => e.getBoundingClientRect().width")
        assert width >= box["width"] - 2, "a card spans the column"
    else:
        assert header.is_visible() and not labels.is_visible()


@browser_test
@pytest.mark.parametrize("path", ["/hardware/tensor-cores/", "/en/hardware/tensor-cores/"], ids=["sv", "en"])
def test_tensor_cores_prose_tables_do_not_scroll_sideways(tab, site_url, path):
    tab.goto(f"{site_url}{path}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.locator("article table").nth(1).scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / f"after-tensor-cores-{'en' if '/en/' in path else 'sv'}-{tab.screen}.png"))
    assert _overflowing(tab) == {"page": 0, "tables": []}


def test_a_404_page_in_each_language(built_site):
    sv = (built_site / "404.html").read_text(encoding="utf-8")
    en = (built_site / "en" / "404.html").read_text(encoding="utf-8")
    assert '<html lang="sv"' in sv and "<h1>404 – sidan finns inte</h1>" in sv
    assert '<html lang="en"' in en and "<h1>404 – page not found</h1>" in en
    assert 'href="/en/" hreflang="en"' in sv and 'href="/" hreflang="sv"' in en  # each points to the other language
