"""Timing tables, claims, charts and notebooks: numbers come from results files and fail loudly."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from ramverk import markers, notebooks, results_store, site_config, snippet_spec
from ramverk.results import Case, Device, Machine, Ratio, Record, ResultsFile, Statistics

import ramverk.claims  # noqa: F401  (registers the claim marker)
import ramverk.timing_tables  # noqa: F401  (registers the timing marker)

SNIPPET = "snippets/execution/same_math.py"


def _record(mode: str, median: float, ratio: float | None = None, snippet_hash: str | None = None) -> Record:
    root = site_config.load().root
    return Record(
        snippet=SNIPPET,
        snippet_hash=snippet_hash or snippet_spec.load(root / SNIPPET, root).content_hash(),
        case=Case(framework="jax", mode=mode, size="full", params={"n": 64}),
        device=Device(kind="cpu", name="Test CPU, 1 thread"),
        framework_version="0.10.2", threads=1,
        stats=Statistics(median_s=median, q1_s=median * 0.98, q3_s=median * 1.02, min_s=median * 0.9,
                         max_s=median * 1.3, n=21, number=100, first_call_s=0.0123),
        ratio=Ratio(baseline_mode="eager", median=ratio, q1=ratio * 0.95, q3=ratio * 1.05, n=21) if ratio else None,
        date_utc=datetime(2026, 11, 21, tzinfo=timezone.utc), commit="0123456789abcdef", dirty=False,
    )


@pytest.fixture
def results(tmp_path, monkeypatch):
    """A results directory with one machine's jax eager/jit records of same_math.py."""
    def write(records):
        machine = Machine(name="test-machine", cpu_model="Test CPU", logical_cores=2, os="Linux", python="3.11.7",
                          cpu_flags=["avx2", "fma"], cpu_max_mhz=3000.0, stream_triad_gbs=10.0)
        results_store.save(tmp_path / "test-machine.json", ResultsFile(machine=machine, records=records))
        return tmp_path

    monkeypatch.setenv("RAMVERK_RESULTS_DIR", str(tmp_path))
    return write


def _render(line: str, lang: str) -> str:
    return markers.render(line, page=f"docs/execution/overview.{lang}.md", lang=lang)


def test_timing_table_in_each_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    assert "1,32\u00a0ms" in sv and "1.32\u00a0ms" in en  # Babel: decimal comma in Swedish
    assert "456\u00a0µs" in sv and "456\u00a0µs" in en
    assert "2,90×" in sv and "2.90×" in en  # speedup = 1 / paired ratio
    assert "första anropet 12,3\u00a0ms" in sv and "first call 12.3\u00a0ms" in en
    assert "Test CPU, 1 thread" in en and "results/test-machine.json" in en and "commit 01234567" in en


def test_chart_is_an_inline_svg_labelled_in_the_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    sv = _render(f"<!-- timing: {SNIPPET} -->", "sv")
    assert 'class="ramverk-chart"' in sv and "data:image/svg+xml;base64," in sv and 'alt="Tid per anrop' in sv


def test_stale_results_show_a_badge(results):
    results([_record("eager", 0.00132, snippet_hash="sha256:0000000000000000"), _record("jit", 0.0005, ratio=0.4)])
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    assert 'class="ramverk-stale"' in en and "python -m ramverk run --only" in en


@pytest.mark.parametrize(
    "line, message",
    [
        ("<!-- timming: snippets/execution/same_math.py -->", "unknown marker"),
        ("<!-- timing: snippets/execution/nope.py -->", "no such snippet file"),
        ("<!-- timing: snippets/execution/same_math.py colour=red -->", "unknown option(s) colour"),
        ("<!-- timing: snippets/execution/same_math.py chart -->", "is not key=value"),
        ("<!-- timing: snippets/execution/same_math.py frameworks=torch -->", "no results for this snippet"),
        ("<!-- claim: snippets/execution/same_math.py framework=jax faster=eager slower=jit -->", "contradicts the claim"),
        ("<!-- claim: snippets/execution/same_math.py framework=jax -->", "claim needs option(s)"),
    ],
)
def test_bad_markers_fail_naming_page_and_line(results, line, message):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    with pytest.raises(markers.MarkerError) as error:
        _render("text\n\n" + line, "en")
    assert message in str(error.value)
    assert str(error.value).startswith("docs/execution/overview.en.md:3:")


def test_claim_that_holds_renders_the_measured_ratio(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    out = _render(f"<!-- claim: {SNIPPET} framework=jax faster=jit slower=eager -->", "sv")
    assert "✓ uppmätt: 2,90×" in out


def test_markers_inside_code_fences_are_left_alone():
    text = "```text\n<!-- timing: snippets/nowhere.py -->\n```\n"
    assert markers.render(text, page="docs/x.en.md", lang="en") == text


def test_every_snippet_converts_to_a_valid_notebook():
    import nbformat

    root = site_config.load().root
    for path in sorted((root / "snippets").rglob("*.py")):
        nbformat.validate(nbformat.reads(notebooks.convert(path), as_version=4))


def test_built_site_links_valid_notebooks_and_publishes_results(built_site):
    import nbformat

    page = (built_site / "en" / "execution" / "overview" / "index.html").read_text()
    assert "notebooks/execution/same_math.ipynb" in page
    nbformat.validate(nbformat.read(built_site / "notebooks" / "execution" / "same_math.ipynb", as_version=4))
    for path in results_store.machine_files(site_config.load().root / "results"):
        assert json.loads((built_site / "results" / path.name).read_text())["machine"]


def test_hash_covers_sibling_snippets_a_snippet_imports(tmp_path):
    (tmp_path / "snippets" / "topic").mkdir(parents=True)
    shared, user = tmp_path / "snippets/topic/shared.py", tmp_path / "snippets/topic/user.py"
    shared.write_text("def build(framework, mode, device, n):\n    return lambda: n\n")
    user.write_text("from shared import build\n")
    before = snippet_spec.load(user, tmp_path).content_hash()
    shared.write_text("def build(framework, mode, device, n):\n    return lambda: n + 1\n")
    assert snippet_spec.load(user, tmp_path).content_hash() != before  # its results are now stale


def _gpu_record(mode: str, median: float) -> Record:
    return _record(mode, median).model_copy(update={
        "device": Device(kind="cuda", name="NVIDIA H200", driver="580.159.04", cuda="13.0", memory_gib=140.4,
                         compute_capability="9.0"), "threads": 16})


def test_a_table_without_gpu_results_says_how_to_measure_them_in_the_page_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    command = f"python -m ramverk run --device cuda --only {SNIPPET}"
    assert f"Inte mätt på en GPU än. På en maskin med en NVIDIA-GPU: `{command}`" in sv
    assert f"Not measured on a GPU yet. On a machine with an NVIDIA GPU: `{command}`" in en
    assert "NVIDIA" not in en.split("|")[1], "no empty GPU column"


def test_gpu_results_get_a_column_with_device_versions_and_a_share_of_the_limit(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454),
             _gpu_record("eager", 0.0002), _gpu_record("jit", 0.00002)])
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    header = next(line for line in en.splitlines() if line.startswith("| Case"))
    assert "Test CPU, 1 thread" in header and "NVIDIA H200" in header
    assert "Not measured on a GPU yet" not in en
    assert "NVIDIA H200" in en.split("| Case")[1].split("\n\n", 1)[1]  # the provenance names the device too


def test_a_gpu_only_snippet_without_results_renders_the_note_and_builds(tmp_path, monkeypatch):
    root = tmp_path
    (root / "snippets" / "hardware").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "snippets" / "hardware" / "gpu_only.py").write_text(
        'BENCHMARK = {"frameworks": ["torch"], "modes": {"torch": ["eager"]}, "devices": ["cuda"],\n'
        '             "sizes": {"quick": {"n": 1}, "full": {"n": 2}}}\n\n\n'
        'def build(framework, mode, device, n):\n    return lambda: n\n')
    monkeypatch.setenv("RAMVERK_RESULTS_DIR", str(root / "results"))
    from ramverk import timing_tables

    monkeypatch.setattr(timing_tables.site_config, "load", lambda: type("C", (), {"root": root})())
    out = _render("<!-- timing: snippets/hardware/gpu_only.py -->", "en")
    assert "Not measured on a GPU yet" in out and "--device cuda --only snippets/hardware/gpu_only.py" in out
