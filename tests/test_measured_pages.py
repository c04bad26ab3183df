"""Timing tables, claims, charts and notebooks: numbers come from results files and fail loudly."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone

import helpers
import pytest
from ramverk import sections
from ramverk.contract import frameworks, page_text, site_config
from ramverk.contract.results_model import Case, Device, Machine, Ratio, Record, ResultsFile, Statistics
from ramverk.render import charts, markers, timing_tables
from ramverk.render.marker_handlers import HANDLERS
from ramverk.results import results_store, roofline

SNIPPET = "snippets/execution/same_math.py"


def _record(mode: str, median: float, ratio: float | None = None, snippet_hash: str | None = None) -> Record:
    root = site_config.load().root
    return Record(
        snippet=SNIPPET,
        snippet_hash=snippet_hash or sections.run_hash(root / SNIPPET, "jax"),
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
    """A checkout of the repository's settings and snippets (RAMVERK_ROOT points at it) whose results/, by
    its own pyproject.toml, gets one machine's jax eager/jit records of same_math.py."""
    root = helpers.checkout(tmp_path / "repo", "snippets")
    monkeypatch.setenv("RAMVERK_ROOT", str(root))

    def write(records):
        machine = Machine(name="test-machine", cpu_model="Test CPU", logical_cores=2, os="Linux", python="3.11.7",
                          cpu_flags=["avx2", "fma"], cpu_max_mhz=3000.0, stream_triad_gbs=10.0, cpu_vendor="GenuineIntel")
        results_store.save(root / "results" / "test-machine.json", ResultsFile(machine=machine, records=records))
        return root / "results"

    return write


def _render(line: str, lang: str) -> str:
    return "\n".join(markers.render_lines(line, HANDLERS, page=f"docs/execution/overview.{lang}.md", lang=lang))


def test_timing_table_in_each_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    assert "1,32\u00a0ms" in sv and "1.32\u00a0ms" in en  # Babel: decimal comma in Swedish
    assert "456\u00a0µs" in sv and "456\u00a0µs" in en
    assert "2,90×" in sv and "2.90×" in en  # speedup = 1 / paired ratio
    assert "första anropet 12,3\u00a0ms" in sv and "first call 12.3\u00a0ms" in en
    assert "Test CPU, 1 thread" in en and "Test CPU, 1 tråd" in sv  # the CPU column's header in the page's language
    assert "results/test-machine.json" not in en, "the provenance is one block per page, not under each table"
    page = f"<!-- timing: {SNIPPET} chart=no -->"
    block = timing_tables.page_provenance(page, "docs/execution/overview.en.md", "en")
    assert "(../results/test-machine.json)" in block and "commit 01234567" in block


def test_chart_is_an_inline_svg_labelled_in_the_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    sv = _render(f"<!-- timing: {SNIPPET} -->", "sv")
    assert 'class="ramverk-chart"' in sv and "data:image/svg+xml;base64," in sv and 'alt="Tid per anrop' in sv


def test_stale_results_show_a_badge(results):
    results([_record("eager", 0.00132, snippet_hash="sha256:0000000000000000"), _record("jit", 0.0005, ratio=0.4)])
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    assert en.count('class="ramverk-stale"') == 1 and "measured on earlier code (commit 01234567)" in en
    assert "python -m ramverk run --device cpu --only " + SNIPPET in en
    assert "mätt på äldre kod (commit 01234567)" in sv and "Mät om:" in sv


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
    assert "✓ uppmätt: 2,90× snabbare" in out
    assert "✓ measured: 2.90× faster" in _render(f"<!-- claim: {SNIPPET} framework=jax faster=jit slower=eager -->", "en")


def test_markers_inside_code_fences_are_left_alone():
    text = "```text\n<!-- timing: snippets/nowhere.py -->\n```\n"
    assert markers.render_lines(text, HANDLERS, page="docs/x.en.md", lang="en") == text.split("\n")


def test_built_site_links_valid_notebooks_and_publishes_results(built_site):
    import nbformat

    page = (built_site / "en" / "execution" / "overview" / "index.html").read_text()
    assert "notebooks/execution/overview/same_math/same_math.ipynb" in page  # the page's own notebook
    notebook = built_site / "en" / "notebooks" / "execution" / "overview" / "same_math" / "same_math.ipynb"
    nbformat.validate(nbformat.read(notebook, as_version=4))
    for path in results_store.machine_files(site_config.load().root / "results"):
        assert json.loads((built_site / "results" / path.name).read_text())["machine"]


def test_hash_covers_sibling_snippets_a_snippet_imports(tmp_path):
    (tmp_path / "snippets" / "topic").mkdir(parents=True)
    shared, user = tmp_path / "snippets/topic/shared.py", tmp_path / "snippets/topic/user.py"
    shared.write_text("def build(framework, mode, device, n):\n    return lambda: n\n")
    user.write_text("from shared import build\n")
    before = sections.run_hash(user, "torch")
    shared.write_text("def build(framework, mode, device, n):\n    return lambda: n + 1\n")
    assert sections.run_hash(user, "torch") != before  # its results are now stale


def _gpu_record(mode: str, median: float) -> Record:
    return _record(mode, median).model_copy(update={
        "device": Device(kind="cuda", name="NVIDIA H200", driver="580.159.04", cuda="13.0", memory_gib=140.4,
                         compute_capability="9.0"), "threads": 16})


def test_a_table_without_gpu_results_says_how_to_measure_them_in_the_page_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    command = f".venv/bin/python -m ramverk run --device cuda --only {SNIPPET}"
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
    block = timing_tables.page_provenance(f"<!-- timing: {SNIPPET} chart=no -->", "docs/execution/overview.en.md", "en")
    assert "`test-machine`: NVIDIA H200; Test CPU, 1 thread;" in block  # the provenance names the device too


def test_a_stale_gpu_record_stays_in_the_table_marked_with_its_commit(results):
    stale = _gpu_record("jit", 0.00002).model_copy(update={"snippet_hash": "sha256:0000000000000000"})
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454), stale])
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    assert "20.0\u00a0µs" in en and "NVIDIA H200" in en  # its figure is still shown
    assert en.count('class="ramverk-stale"') == 1 and "measured on earlier code (commit 01234567)" in en
    assert f"run --device cuda --only {SNIPPET}" in en and "Not measured on a GPU yet" not in en
    assert "mätt på äldre kod (commit 01234567)" in sv and "Inte mätt på en GPU än" not in sv


def test_a_gpu_only_snippet_without_results_renders_the_note_and_builds(tmp_path, monkeypatch):
    root = tmp_path
    (root / "snippets" / "hardware").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "snippets" / "hardware" / "gpu_only.py").write_text(
        'BENCHMARK = {"frameworks": ["torch"], "modes": {"torch": ["eager"]}, "devices": ["cuda"],\n'
        '             "sizes": {"quick": {"n": 1}, "full": {"n": 2}}}\n\n\n'
        'def build(framework, mode, device, n):\n    return lambda: n\n')
    monkeypatch.setenv("RAMVERK_ROOT", str(root))  # no pyproject.toml: results/ is the default folder
    from ramverk.render import timing_tables

    monkeypatch.setattr(timing_tables.site_config, "load", lambda: type("C", (), {"root": root})())
    out = _render("<!-- timing: snippets/hardware/gpu_only.py -->", "en")
    assert "Not measured on a GPU yet" in out and "--device cuda --only snippets/hardware/gpu_only.py" in out


# --- reading at a glance: wording, limits, one provenance block, charts ----------------------------

def test_a_slowdown_reads_as_slower_not_as_a_speedup_below_one(results):
    # jit takes 1.64× the time of eager: the paired ratio (jit / eager) is 1.64, so the "speedup" is 0.61
    results([_record("eager", 0.00132), _record("jit", 0.002165, ratio=1.64)])
    sv = _render(f"<!-- timing: {SNIPPET} chart=no -->", "sv")
    en = _render(f"<!-- timing: {SNIPPET} chart=no -->", "en")
    jit_sv = next(line for line in sv.splitlines() if "`jit`" in line)
    jit_en = next(line for line in en.splitlines() if "`jit`" in line)
    # one device: the ratio has its own column, headed by what it is against; on a phone (no header
    # row) the baseline follows in the cell
    assert "| Mot eager |" in sv and "| Against eager |" in en
    assert "1,64× (1,56–1,72) långsammare" in jit_sv and "uppsnabbning" not in jit_sv
    assert "1.64× (1.56–1.72) slower" in jit_en and "speedup" not in jit_en
    assert '<span class="ramverk-phone-only"> than eager</span>' in jit_en
    assert "0,6" not in jit_sv and "0.6" not in jit_en


def test_gain_text_keeps_speedup_above_one():
    assert timing_tables.gain_text((2.9, 2.75, 3.05), "sv", "eager") == "2,90× (2,75–3,05) uppsnabbning mot eager"
    assert timing_tables.gain_text((0.5, 0.5, 0.5), "en", "eager") == "2.00× slower than eager"


def _limits_machine(**fields) -> Machine:
    return Machine(**{"name": "m", "cpu_model": "Test CPU", "logical_cores": 8, "os": "Linux", "python": "3.11",
                      "cpu_flags": ["avx2", "fma"], "cpu_max_mhz": 3000.0, "stream_triad_gbs": 10.0,
                      "cpu_vendor": "GenuineIntel", **fields})


def test_a_rate_shows_the_limit_beside_its_share_and_says_what_kind_of_limit_it_is():
    cpu = Device(kind="cpu", name="Test CPU, 1 thread")
    peak = roofline.flops_limit(_limits_machine(), cpu, 1)  # 1 × 3 GHz × 32 FLOP/cycle = 96 GFLOP/s, data sheet
    nbsp = "\u00a0"
    assert timing_tables.rate_text(1.2e11, "flops", peak, "en") == (
        f"120{nbsp}GFLOP/s (125% of 96.0{nbsp}GFLOP/s, data-sheet figure, not measured)")
    assert timing_tables.rate_text(1.2e11, "flops", peak, "sv") == (
        f"120{nbsp}GFLOP/s (125{nbsp}% av 96,0{nbsp}GFLOP/s, databladsvärde, inte uppmätt)")
    triad = roofline.bandwidth_limit(_limits_machine(), cpu, 1)  # measured by the runner: preferred where it exists
    assert triad.measured and not peak.measured
    assert timing_tables.rate_text(5e9, "bytes", triad, "en") == f"5.00{nbsp}GB/s (50% of 10.0{nbsp}GB/s, measured triad)"
    gpu = roofline.flops_limit(_limits_machine(), Device(kind="cuda", name="NVIDIA H200"), 4)
    assert timing_tables.rate_text(3.35e13, "flops", gpu, "sv").endswith("(50\u00a0% av 67,0\u00a0TFLOP/s, datablad)")
    assert timing_tables.rate_text(3.35e13, "flops", None, "en") == f"33.5{nbsp}TFLOP/s"  # no limit: no share


def test_the_cpu_peak_assumption_is_worded_in_each_language():
    limit = roofline.flops_limit(_limits_machine(cpu_flags=["avx512f"]), Device(kind="cpu", name="X, 1 thread"), 1)
    assert "har 2 FMA-enheter med 512 bitars databredd, alltså 64 flyttalsoperationer" in limit.how["sv"]
    assert "lanes" not in limit.how["sv"] and "units" not in limit.how["sv"] and "pipes" not in limit.how["sv"]
    assert "has 2 FMA pipes with a 512-bit datapath, so 64 float32 FLOP per cycle" in limit.how["en"]
    assert "nominal clock" in limit.how["en"] and "nominell klockfrekvens" in limit.how["sv"]


def test_one_provenance_block_per_page_lists_each_machine_once_in_the_pages_language(results):
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    text = (f"# Page\n\n<!-- timing: {SNIPPET} modes=eager chart=no -->\n\nProse.\n\n"
            f"<!-- timing: {SNIPPET} chart=no -->\n\nMore <!-- claim: {SNIPPET} framework=jax faster=jit slower=eager -->\n")
    sv = timing_tables.page_provenance(text, "docs/execution/overview.sv.md", "sv")
    en = timing_tables.page_provenance(text, "docs/execution/overview.en.md", "en")
    assert sv.count("`test-machine`") == 1 and en.count("`test-machine`") == 1
    assert "**Om mätningarna på sidan**" in sv and "**About the measurements on this page**" in en
    assert "Mätt 2026-11-21 på `test-machine`: Test CPU, 1 tråd;" in sv and "; 1 tråd; commit 01234567." in sv
    assert "Measured 2026-11-21 on `test-machine`: Test CPU, 1 thread;" in en and "; 1 thread; commit 01234567." in en
    assert "[Rådata: results/test-machine.json](../results/test-machine.json)" in sv
    assert "[Raw data: results/test-machine.json](../results/test-machine.json)" in en
    assert "Median av n mätningar" in sv and "parad" in sv  # the table has a baseline: its ratios are explained
    # The test machine has two logical cores; its one ratio's middle half spans 0.95 to 1.05 of it: ±5 %.
    assert "A few shared cores make the noise large: the middle half of a ratio's samples spans, in the median, " \
           "±5 % around the ratio here (over 1 ratios on this machine)" in en
    assert "i median ±5 % kring kvoten" in sv
    assert en.count("Median of n samples") == 1
    assert timing_tables.page_provenance("# A page\n\nNo measurements.\n", "docs/x.en.md", "en") == ""
    shown = f"```text\n<!-- timing: {SNIPPET} -->\n```\n"
    assert timing_tables.page_provenance(shown, "docs/x.en.md", "en") == "", "a marker shown as code is no table"


def test_the_built_torch_compile_page_has_one_provenance_block(built_site):
    for page in ("execution/torch-compile/index.html", "en/execution/torch-compile/index.html"):
        html = (built_site / page).read_text(encoding="utf-8")
        assert html.count('class="ramverk-provenance"') == 1, page
        assert html.count("results/amd-epyc-1t.json</a>") == 1, page


def test_the_cpu_column_header_is_in_the_pages_language():
    assert page_text.device_name("AMD EPYC, 1 thread", "sv") == "AMD EPYC, 1 tråd"
    assert page_text.device_name("AMD EPYC, 4 threads", "sv") == "AMD EPYC, 4 trådar"
    assert page_text.device_name("AMD EPYC, 4 threads", "en") == "AMD EPYC, 4 threads"
    assert page_text.device_name("NVIDIA H200", "sv") == "NVIDIA H200"  # GPU names are names


def _svg_text(svg: str) -> list[str]:
    import re

    return [html.unescape(m) for m in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _bar(label: str, median: float) -> dict:
    return {"label": label, "median": median, "q1": median * 0.9, "q3": median * 1.1}


def test_chart_values_use_the_tables_unit_and_the_decimal_comma():
    svg = charts._draw([_bar("JAX · jacfwd", 115e-6), _bar("JAX · jacrev", 2.4e-3)], "sv")
    texts = _svg_text(svg)
    assert "115\u00a0µs" in texts and "2,40\u00a0ms" in texts  # as the table writes them, not "0,115 ms"
    assert not any(t.startswith("0,115") or t.startswith("0.115") for t in texts)
    assert "0,5" in texts  # an axis tick, with the decimal comma
    assert "tid per anrop (ms)" in texts  # linear: no scale named


def test_chart_says_when_its_axis_is_logarithmic_in_the_pages_language():
    bars = [_bar("a", 1e-6), _bar("b", 1e-3)]
    assert "tid per anrop (ms, logaritmisk skala)" in _svg_text(charts._draw(bars, "sv"))
    assert "time per call (ms, log scale)" in _svg_text(charts._draw(bars, "en"))


def test_chart_text_stays_readable_when_shrunk_to_a_phone_column():
    import re

    svg = charts._draw([_bar("TensorFlow · function", 9e-3), _bar("PyTorch · compile", 5e-3)], "en")
    width_pt = float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg)[1])
    smallest = min(float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg))  # in the SVG's pt units
    phone_column_px = 350  # a 390-px phone less Material's margins
    assert smallest * phone_column_px / width_pt >= 9


def test_chart_bars_come_in_the_tables_order(results, monkeypatch):
    torch = _record("eager", 0.002)
    torch = torch.model_copy(update={"case": torch.case.model_copy(update={"framework": "torch"})})
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454), torch])
    drawn = []
    monkeypatch.setattr(charts, "bar_chart_html", lambda rows, lang, title: drawn.append(rows) or "")
    table = _render(f"<!-- timing: {SNIPPET} -->", "en")
    table_cases = [line.split(" | ")[0].removeprefix("| ") for line in table.splitlines() if "· `" in line]
    chart_cases = [f"{frameworks.display_name(r.record.case.framework)} · `{r.record.case.mode}`" for r in drawn[0]]
    # the snippet's order (python, torch, tensorflow, jax), not the alphabet's
    assert chart_cases == table_cases == ["PyTorch · `eager`", "JAX · `eager`", "JAX · `jit`"]


def test_a_claim_uses_the_paired_ratio_stored_on_either_row(results):
    """One definition everywhere: the paired ratio when the runner interleaved the two modes, whichever
    row stores it, else the ratio of the medians."""
    # stored on the slower row: eager's time / jit's, paired
    slow = _record("eager", 0.00132).model_copy(update={"ratio": Ratio(baseline_mode="jit", median=3.0, q1=2.9,
                                                                        q3=3.1, n=21)})
    results([_record("jit", 0.000456), slow])
    out = _render(f"<!-- claim: {SNIPPET} framework=jax faster=jit slower=eager -->", "en")
    assert "✓ measured: 3.00× faster" in out  # the medians would say 2.89×


def test_a_claim_across_frameworks_compares_the_medians_and_fails_when_contradicted(results):
    def framework(record: Record, name: str) -> Record:
        return record.model_copy(update={"case": record.case.model_copy(update={"framework": name})})

    results([framework(_record("eager", 0.0002), "torch"), _record("eager", 0.0010)])
    marker = f"<!-- claim: {SNIPPET} faster=torch/eager slower=jax/eager -->"
    assert "✓ measured: 5.00× faster" in _render(marker, "en")
    assert "✓ uppmätt: 5,00× snabbare" in _render(marker, "sv")
    with pytest.raises(markers.MarkerError, match="contradicts the claim.*jax/eager is 5.00× the time of torch/eager"):
        _render(f"<!-- claim: {SNIPPET} faster=jax/eager slower=torch/eager -->", "en")
    with pytest.raises(markers.MarkerError, match="claim needs framework=, or faster=FRAMEWORK/MODE"):
        _render(f"<!-- claim: {SNIPPET} faster=eager slower=torch/eager -->", "en")


def test_a_marker_without_a_language_is_in_the_sites_default_language(results):
    """No silent English: a page without a locale reads in mkdocs.yml's default language (sv)."""
    results([_record("eager", 0.00132), _record("jit", 0.000456, ratio=0.3454)])
    default = site_config.load().languages[0]
    assert default == "sv" and page_text.language("") == default and page_text.language(None) == default
    out = _render(f"<!-- timing: {SNIPPET} chart=no -->", "")
    assert "| Fall |" in out and "första anropet" in out and "| Mot eager |" in out and "2,90× (2,76–3,05) snabbare" in out
    claim = _render(f"<!-- claim: {SNIPPET} framework=jax faster=jit slower=eager -->", "")
    assert "✓ uppmätt: 2,90× snabbare" in claim
    block = timing_tables.page_provenance(f"<!-- timing: {SNIPPET} chart=no -->", "docs/x.md", "")
    assert "**Om mätningarna på sidan**" in block


MATMUL = "snippets/hardware/matmul_gflops.py"


def _matmul(framework: str, mode: str, median: float, device: Device | None = None) -> Record:
    root = site_config.load().root
    return _record(mode, median).model_copy(update={
        "snippet": MATMUL, "snippet_hash": sections.run_hash(root / MATMUL, framework),
        "case": Case(framework=framework, mode=mode, size="full", params={"n": 1024}),
        **({"device": device} if device else {})})


def test_a_limit_a_column_shares_is_said_once_beneath_the_table_and_cells_give_the_share(results):
    gpu = Device(kind="cuda", name="NVIDIA H200", driver="580", cuda="13.0")
    results([_matmul("numpy", "eager", 0.03), _matmul("jax", "jit", 0.026),
             _matmul("jax", "jit", 6.8e-5, device=gpu)])
    en = _render(f"<!-- timing: {MATMUL} chart=no -->", "en")
    sv = _render(f"<!-- timing: {MATMUL} chart=no -->", "sv")
    rows = [line for line in en.splitlines() if line.startswith("| ") and "`" in line]
    assert rows and all("of 96.0" not in row and "% of" not in row for row in rows), "the limit is not repeated per row"
    assert "GFLOP/s (75%)" in rows[0]  # 2·1024³ / 0.03 s = 71.6 GFLOP/s of 96 GFLOP/s (the data-sheet figure)
    assert ("The percentages are of the limit 96.0\u00a0GFLOP/s on Test CPU, 1 thread (data-sheet figure, not measured)."
            in en)
    assert "The percentages are of the limit 67.0\u00a0TFLOP/s on NVIDIA H200 (data sheet)." in en
    assert "Procenten är av taket 96,0\u00a0GFLOP/s på Test CPU, 1 tråd (databladsvärde, inte uppmätt)." in sv
    # each cell names its device for the phone's one-card-per-case layout (hidden on a desktop)
    assert en.count('<span class="ramverk-cell-device">NVIDIA H200</span>') == 2  # numpy has no GPU figure: "–"
    assert '<div class="ramverk-timing" markdown>' in en


def test_one_device_gives_each_figure_its_own_column(results):
    results([_matmul("numpy", "eager", 0.03), _matmul("jax", "jit", 0.026)])
    en = _render(f"<!-- timing: {MATMUL} chart=no -->", "en")
    sv = _render(f"<!-- timing: {MATMUL} chart=no -->", "sv")
    header_en = next(line for line in en.splitlines() if line.startswith("| Case"))
    header_sv = next(line for line in sv.splitlines() if line.startswith("| Fall"))
    assert header_en.endswith("| FLOP/s (% of the limit) |") and header_sv.endswith("| FLOP/s (% av taket) |")
    assert "Against" not in header_en, "no ratio column when the snippet has no baseline"
    numpy_row = next(line for line in en.splitlines() if "`eager`" in line)
    assert numpy_row.count(" | ") == 2 and numpy_row.endswith("GFLOP/s (75%) |")
