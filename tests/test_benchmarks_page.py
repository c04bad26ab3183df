"""The page of every benchmark (ramverk/render/benchmarks_page.py): its table of full-size cases per device,
in the page's language, stale records marked, topics titled from the nav, cases in the snippet's order."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import helpers
import pytest
from ramverk.render import benchmarks_page
from ramverk.render.markers import Marker, MarkerError

NBSP = "\u00a0"


def _record(snippet: str, framework: str, mode: str, median: float, size: str = "full", first: float | None = 0.5,
            snippet_hash: str = "sha256:0000000000000000"):
    return {"snippet": snippet, "section": None, "snippet_hash": snippet_hash,
            "case": {"framework": framework, "mode": mode, "size": size, "params": {"n": 8}},
            "device": {"kind": "cpu", "name": "Test CPU, 1 thread"}, "framework_version": "1.0", "threads": 1,
            "stats": {"median_s": median, "q1_s": median * 0.9, "q3_s": median * 1.1, "min_s": median * 0.8,
                      "max_s": median * 1.2, "n": 7, "number": 3, "first_call_s": first},
            "date_utc": datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat(), "commit": None, "dirty": False}


@pytest.fixture
def bench_root(tmp_path, monkeypatch) -> Path:
    """A tiny checkout: the project's settings, two pages with a timing marker, one results file in which
    demo.py's records match the file and old.py's were measured before it changed."""
    from ramverk import sections

    root = tmp_path / "repo"
    root.mkdir()
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(helpers.ROOT / name, root / name)
    (root / "snippets" / "topic").mkdir(parents=True)
    for name in ("demo.py", "old.py"):
        (root / "snippets" / "topic" / name).write_text(f"print({name!r})\n", encoding="utf-8")
    for lang, title in (("sv", "Demosida"), ("en", "Demo page")):
        (root / "docs" / "topic").mkdir(parents=True, exist_ok=True)
        (root / "docs" / "topic" / f"demo.{lang}.md").write_text(
            f"# {title}\n\n<!-- timing: snippets/topic/demo.py -->\n", encoding="utf-8")
    demo_hash = {fw: sections.run_hash(root / "snippets" / "topic" / "demo.py", fw) for fw in ("torch", "jax")}
    results = root / "results"
    results.mkdir()
    machine = {"name": "box", "cpu_model": "Test CPU", "logical_cores": 1, "os": "Linux", "python": "3.11"}
    records = [_record("snippets/topic/demo.py", "torch", "eager", 0.00132, snippet_hash=demo_hash["torch"]),
               _record("snippets/topic/demo.py", "jax", "jit", 950e-6, first=None, snippet_hash=demo_hash["jax"]),
               _record("snippets/topic/demo.py", "jax", "eager", 0.5, size="quick", snippet_hash=demo_hash["jax"]),
               _record("snippets/topic/old.py", "torch", "eager", 2.0)]
    (results / "box.json").write_text(json.dumps({"schema_version": 1, "machine": machine, "records": records}))
    monkeypatch.setenv("RAMVERK_ROOT", str(root))  # the tooling reads this checkout, and its pyproject's results/
    return root


def _section(text: str, snippet: str) -> str:
    return text.split(f"### `{snippet}`")[1].split("</div>")[0]


def test_benchmarks_table_lists_full_size_cases_with_links_in_the_pages_language(bench_root):
    swedish = benchmarks_page.benchmarks(Marker("benchmarks", "all", page="docs/measurements/all.sv.md", lang="sv"))
    english = benchmarks_page.benchmarks(Marker("benchmarks", "all", page="docs/measurements/all.en.md", lang="en"))
    demo = _section(english, "demo.py")
    assert "Shown on: [Demo page](../topic/demo.en.md)" in demo  # the notes whose timing markers show it
    assert "| Case | <span title=\"Machine: box\">Test CPU, 1 thread</span> |" in demo  # a column per device
    rows = [line for line in demo.splitlines() if line.startswith("| ") and "·" in line]
    assert [r.split(" | ")[0] for r in rows] == ["| JAX · `jit`", "| PyTorch · `eager`"]  # the quick record is left out
    assert f'<span data-sort="0.00095">**950{NBSP}µs**</span>' in rows[0] and f"n{NBSP}={NBSP}7</small>" in rows[0]
    assert "first call" not in rows[0]  # none recorded
    assert f'<span data-sort="0.00132">**1.32{NBSP}ms**</span>' in rows[1] and f"first call 500{NBSP}ms" in rows[1]
    assert "stale" not in demo  # measured from the file as it is
    assert "stale" in _section(english, "old.py")  # measured before the file changed
    demo_sv = _section(swedish, "demo.py")
    assert "Visas på: [Demosida](../topic/demo.sv.md)" in demo_sv
    assert f"**1,32{NBSP}ms**" in demo_sv and f"första anropet 500{NBSP}ms" in demo_sv


def test_benchmarks_marker_takes_exactly_all(bench_root):
    with pytest.raises(MarkerError, match="write exactly"):
        benchmarks_page.benchmarks(Marker("benchmarks", "some", page="docs/x.en.md", lang="en"))
    with pytest.raises(MarkerError, match="write exactly"):
        benchmarks_page.benchmarks(Marker("benchmarks", "all", {"sort": "median"}, page="docs/x.en.md", lang="en"))


def test_benchmarks_without_results(bench_root, monkeypatch):
    (bench_root / "results" / "box.json").unlink()
    marker = Marker("benchmarks", "all", page="docs/x.en.md", lang="en")
    with pytest.raises(MarkerError, match="no results files"):
        benchmarks_page.benchmarks(marker)
    monkeypatch.setenv("RAMVERK_PENDING_RESULTS", "1")
    assert "Not measured yet" in benchmarks_page.benchmarks(marker)


def test_topic_titles_come_from_the_nav_in_the_pages_language(bench_root):
    assert benchmarks_page.topic_title("execution", "sv") == "Exekveringsmodeller"  # the bench checkout's mkdocs.yml
    assert benchmarks_page.topic_title("execution", "en") == "Execution models"
    assert benchmarks_page.topic_title("topic", "en") == "topic"  # no nav section holds it: the folder name


def test_cases_follow_the_snippets_own_order(bench_root):
    (bench_root / "snippets" / "topic" / "ordered.py").write_text(
        'BENCHMARK = {"frameworks": ["torch", "jax"], "modes": {"torch": ["eager", "compile"], "jax": ["jit"]},\n'
        '             "devices": ["cpu"], "sizes": {"quick": {"n": 1}, "full": {"n": 2}}}\n\n\n'
        "def build(framework, mode, device, n):\n    return lambda: n\n", encoding="utf-8")
    cases = [("jax", "jit"), ("numpy", "eager"), ("torch", "compile"), ("torch", "eager"), ("torch", "other")]
    ordered = sorted(cases, key=benchmarks_page._case_order("snippets/topic/ordered.py"))
    assert ordered == [("torch", "eager"), ("torch", "compile"), ("torch", "other"), ("jax", "jit"), ("numpy", "eager")]
    # a snippet without a readable BENCHMARK: alphabetical
    assert sorted(cases, key=benchmarks_page._case_order("snippets/topic/demo.py")) == sorted(cases)
    assert sorted(cases, key=benchmarks_page._case_order("snippets/topic/gone.py")) == sorted(cases)


def test_a_cell_sorts_by_seconds_whatever_unit_it_shows():
    assert benchmarks_page._sortable(950e-6, "950 µs") == '<span data-sort="0.00095">950 µs</span>'
    assert benchmarks_page._sortable(1.5, "x") == '<span data-sort="1.5">x</span>'
