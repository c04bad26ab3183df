"""Direct unit tests: roofline limits, number formatting, the nav editor, the benchmarks table, the search split."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import helpers
import pytest
import yaml
from ramverk.contract.results_model import Device, Machine
from ramverk.contrib import nav
from ramverk.render import benchmarks_page
from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError
from ramverk.results import roofline

NBSP = "\u00a0"


# --- roofline ------------------------------------------------------------------------------------

def _machine(**fields) -> Machine:
    return Machine(**{"name": "m", "cpu_model": "Some CPU", "logical_cores": 8, "os": "Linux", "python": "3.11",
                      **fields})


CPU = Device(kind="cpu", name="Some CPU, 2 threads")


# The CPU's FLOP/s ceiling (data sheet and FMA probe) is tested in test_ceiling.py.


@pytest.mark.parametrize("name, dtype, expected", [
    ("NVIDIA H200", "float32", 67e12), ("NVIDIA H200", "tf32", 494.5e12), ("NVIDIA H200", "bfloat16", 989.5e12),
    ("NVIDIA H200", "float16", 989.5e12), ("NVIDIA H200 NVL", "float32", 60e12), ("NVIDIA H200 NVL", "tf32", 417.5e12),
    ("NVIDIA H100 PCIe", "bfloat16", 756.5e12), ("NVIDIA H100 80GB HBM3", "float32", 67e12),
    ("NVIDIA A100-SXM4-80GB", "tf32", 156e12),
])
def test_gpu_flops_limit_picks_the_model_variant_and_the_dtype_rate(name, dtype, expected):
    gpu = Device(kind="cuda", name=name)
    limit = roofline.limit_for("flops", _machine(), gpu, 4, {"n": 4096, "dtype": dtype})
    assert limit.per_second == expected
    rate_name = roofline.GPU_RATE[dtype][1]
    assert f"dense {rate_name} peak" in limit.how["en"] and f"tät {rate_name}-topp" in limit.how["sv"]
    assert "nvidia.com" in limit.how["en"]


def test_gpu_tensor_core_rates_are_dense_not_the_sparsity_figures():
    for gpu in roofline.gpus():  # dense TF32 is half of dense BF16 on these parts (printed figures are rounded)
        assert gpu.tf32_flops == pytest.approx(gpu.bf16_flops / 2, rel=0.01), gpu.match
        assert gpu.fp32_flops < gpu.tf32_flops, gpu.match


def test_gpu_limits_without_a_known_model_or_rate():
    assert roofline.flops_limit(_machine(), Device(kind="cuda", name="NVIDIA T4"), 1) is None
    assert roofline.flops_limit(_machine(), Device(kind="cuda", name="NVIDIA H200"), 1, "int8") is None
    assert roofline.bandwidth_limit(_machine(), Device(kind="cuda", name="NVIDIA T4"), 1) is None


def test_bandwidth_limits():
    assert roofline.limit_for("bytes", _machine(stream_triad_gbs=26.0), CPU, 1).per_second == pytest.approx(26e9)
    assert roofline.bandwidth_limit(_machine(), CPU, 1) is None  # not measured: no limit
    h200 = roofline.limit_for("bytes", _machine(), Device(kind="cuda", name="NVIDIA H200"), 1, {"dtype": "bfloat16"})
    assert h200.per_second == 4.8e12 and "memory bandwidth" in h200.how["en"]


@pytest.mark.parametrize("expression, params, expected", [
    ("2*n**3", {"n": 4, "dtype": "tf32"}, 128.0),  # a string parameter is no name
    ("3 * 4 * n", {"n": 1000}, 12000.0),
    ("4*batch*784*hidden + 6*batch*hidden*10", {"batch": 2, "hidden": 3}, 4 * 2 * 784 * 3 + 6 * 2 * 3 * 10),
    ("(n - 1) * n / 2", {"n": 5}, 10.0),
    ("-n + 2.5e1", {"n": 5}, 20.0),
    ("2**-1 * n", {"n": 6}, 3.0),
    ("8 * n", {"n": 0.5}, 4.0),
])
def test_work_per_call_evaluates_arithmetic(expression, params, expected):
    assert roofline.work_per_call(expression, params) == pytest.approx(expected)
    assert isinstance(roofline.work_per_call(expression, params), float)


@pytest.mark.parametrize("expression, params, message", [
    ("__import__('os').getcwd()", {"n": 1}, "not"),  # a call: the old regex let `(` and `.` through
    ("n.real", {"n": 1}, "not 'n.real'"),
    ("m * 2", {"n": 1}, "uses 'm', which is not a numeric size parameter"),
    ("dtype * 2", {"dtype": "tf32"}, "uses 'dtype'"),
    ("flag * 2", {"flag": True}, "uses 'flag'"),  # a bool is no size
    ("n // 2", {"n": 4}, "not 'n // 2'"),
    ("n % 2", {"n": 4}, "not 'n % 2'"),
    ("[n][0]", {"n": 4}, "not"),
    ("n if n else 1", {"n": 4}, "not"),
    ("'a' * n", {"n": 4}, "not \"'a'\""),
    ("1 / (n - 4)", {"n": 4}, "divides by zero"),
    ("10.0 ** 400", {}, "overflows"),
    ("9 ** 9 ** 9", {}, "overflows"),  # no giant integer is built
    ("(-8) ** 0.5", {}, "not a finite number"),
    ("2 *", {"n": 1}, "not an arithmetic expression"),
    ("", {}, "not an arithmetic expression"),
])
def test_work_per_call_refuses_anything_but_arithmetic_naming_the_expression(expression, params, message):
    with pytest.raises(ValueError, match="work expression") as raised:
        roofline.work_per_call(expression, params)
    assert repr(expression) in str(raised.value) and message in str(raised.value), str(raised.value)


def test_work_per_call_never_runs_the_expression(monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "eval", lambda *a, **k: pytest.fail("eval was called"))
    assert roofline.work_per_call("2*n", {"n": 3}) == 6.0
    assert "eval(" not in Path(roofline.__file__).read_text(encoding="utf-8")


# --- number_format ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, lang, text", [
    (1.3245, "sv", "1,32"), (1.3245, "en", "1.32"), (0.012345, "en", "0.0123"), (132.4, "en", "132"),
    (98765.4, "en", "98,765"), (0.0, "en", "0.00"), (-2.5, "en", "-2.50"),
])
def test_number_has_three_significant_digits_in_the_pages_language(value, lang, text):
    assert nf.number(value, lang) == text


@pytest.mark.parametrize("value, text", [(9.996, "10.0"), (0.9996, "1.00"), (99.96, "100"), (0.009996, "0.0100"),
                                         (-9.996, "-10.0"), (9.994, "9.99")])
def test_a_rounding_that_carries_still_shows_three_significant_digits(value, text):
    assert nf.number(value, "en") == text


@pytest.mark.parametrize("seconds, text", [(0.0009996, "1.00 ms"), (0.9996, "1.00 s"), (9.996e-7, "1.00 µs"),
                                           (0.000999, "999 µs")])
def test_the_unit_is_chosen_for_the_value_shown(seconds, text):
    assert nf.duration(seconds, "en") == text.replace(" ", NBSP)  # not "1,000 µs"
    assert nf.rate(999.6e9, "FLOP/s", "en") == f"1.00{NBSP}TFLOP/s"


def test_swedish_groups_thousands_with_a_space():
    grouped = nf.number(98765.4, "sv")
    assert grouped.replace("\u00a0", " ").replace("\u202f", " ") == "98 765"


@pytest.mark.parametrize("seconds, lang, text", [
    (0.00132, "sv", "1,32 ms"), (0.00132, "en", "1.32 ms"), (2.5, "en", "2.50 s"), (950e-6, "en", "950 µs"),
    (5e-9, "en", "5.00 ns"), (0.001, "en", "1.00 ms"),
])
def test_duration_picks_the_unit(seconds, lang, text):
    assert nf.duration(seconds, lang) == text.replace(" ", NBSP)


def test_duration_with_a_forced_unit_for_a_whole_column():
    assert nf.duration(95e-6, "en", unit="ms") == f"0.0950{NBSP}ms"
    assert nf.time_unit(3e-5) == ("µs", 1e6)


def test_ratio_rate_and_percent():
    assert nf.ratio(9.06, "sv") == "9,06×" and nf.ratio(9.06, "en") == "9.06×"
    assert nf.rate(3.2e10, "FLOP/s", "sv") == f"32,0{NBSP}GFLOP/s"
    assert nf.rate(4.8e12, "B/s", "en") == f"4.80{NBSP}TB/s"
    assert nf.rate(500.0, "FLOP/s", "en") == f"500{NBSP}FLOP/s"
    assert nf.percent(0.412, "en") == "41%"
    assert nf.percent(0.05, "en") == "5.0%"
    assert nf.percent(0.05, "sv") == f"5,0{NBSP}%"


@pytest.mark.parametrize("fraction, lang, text", [
    (0.412, "sv", "41 %"), (0.412, "en", "41%"), (1.25, "sv", "125 %"), (1.25, "en", "125%"),
    (0.05, "sv", "5,0 %"), (0.05, "en", "5.0%"), (12.5, "sv", "1 250 %"), (12.5, "en", "1,250%"),
    (0.0, "sv", "0,0 %"), (0.0, "en", "0.0%"),
])
def test_percent_as_each_locale_writes_it(fraction, lang, text):
    # Swedish: a no-break space before the sign (Babel's sv pattern '#,##0\u00a0%'), as between a number and
    # its unit and in its thousands groups on the rest of the site; English: none.
    assert nf.percent(fraction, lang) == text.replace(" ", NBSP)


def test_swedish_percent_has_a_space_as_documented():
    assert nf.percent(0.412, "sv") == f"41{NBSP}%"
    assert nf.percent(0.412, "sv").replace(NBSP, " ") == "41 %"  # what percent()'s docstring promises


@pytest.mark.parametrize("value, lang, text", [(1234, "sv", "1 234"), (1234, "en", "1,234"), (7, "sv", "7"),
                                               (1234567, "en", "1,234,567")])
def test_count_groups_whole_numbers_as_the_locale_does(value, lang, text):
    assert nf.count(value, lang).replace(NBSP, " ") == text


@pytest.mark.parametrize("value, lang, text", [(0.5, "sv", "0,5"), (0.5, "en", "0.5"), (2.0, "en", "2"),
                                               (1500.0, "en", "1,500"), (0.125, "sv", "0,125")])
def test_axis_ticks_have_no_fixed_digits(value, lang, text):
    assert nf.tick(value, lang).replace(NBSP, " ") == text


@pytest.mark.parametrize("seconds, unit", [(1.0, "s"), (0.999, "ms"), (1e-3, "ms"), (9.99e-4, "µs"), (1e-6, "µs"),
                                           (5e-10, "ns"), (0.0, "ns"), (-0.002, "ms")])
def test_time_unit_thresholds(seconds, unit):
    assert nf.time_unit(seconds)[0] == unit


@pytest.mark.parametrize("per_second, text", [(1e12, "1.00 TFLOP/s"), (999e9, "999 GFLOP/s"), (1e9, "1.00 GFLOP/s"),
                                              (2.5e6, "2.50 MFLOP/s"), (0.0, "0.00 FLOP/s")])
def test_rate_prefix_thresholds(per_second, text):
    assert nf.rate(per_second, "FLOP/s", "en") == text.replace(" ", NBSP)


def test_every_number_keeps_number_and_unit_together():
    for text in (nf.duration(0.00132, "sv"), nf.rate(3.2e10, "B/s", "sv"), nf.percent(0.5, "sv")):
        assert " " not in text, repr(text)  # only no-break spaces: a line never breaks between them


# --- nav -----------------------------------------------------------------------------------------

MKDOCS = """\
site_name: Test
plugins:
  - i18n:
      languages:
        - locale: en
          nav_translations:
            Hem: Home
            Exekvering: Execution
# Titles are Swedish here.
nav:
  - Hem: index.md
  - Exekvering:
      - Översikt: execution/overview.md
      - JAX: execution/jax.md
  # nav:autodiff
  - Om Ramverk:
      - Bidra: about/contributing.md
"""


@pytest.fixture
def mkdocs_yml(tmp_path) -> Path:
    path = tmp_path / "mkdocs.yml"
    path.write_text(MKDOCS, encoding="utf-8")
    return path


def test_nav_appends_to_the_topics_section_and_translates_the_title(mkdocs_yml):
    done = nav.add_page(mkdocs_yml, "execution", "numba", "Numba: snabbt", "Numba: fast", "Exekvering", "Execution")
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "      - JAX: execution/jax.md\n      - 'Numba: snabbt': execution/numba.md\n  # nav:autodiff" in text
    assert "            Exekvering: Execution\n            'Numba: snabbt': 'Numba: fast'\n" in text
    assert "# Titles are Swedish here." in text  # edited as text: comments stay
    assert done == ["mkdocs.yml: nav: added execution/numba.md to its topic's section",
                    "mkdocs.yml: nav_translations: Numba: snabbt -> Numba: fast"]


def test_nav_puts_a_new_section_at_its_comment_or_before_about(mkdocs_yml):
    nav.add_page(mkdocs_yml, "autodiff", "grad", "Gradienter", "Gradients", "Autodiff", "Autodiff")
    nav.add_page(mkdocs_yml, "hardware", "gpu", "GPU:er", "GPUs", "Hårdvara", "Hardware")
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "  # nav:autodiff\n  - Autodiff:\n      - Gradienter: autodiff/grad.md\n" in text
    assert "  - Hårdvara:\n      - GPU:er: hardware/gpu.md\n  - Om Ramverk:\n" in text
    assert "Autodiff: Autodiff" not in text  # the same in both languages: no translation line
    assert "Hårdvara: Hardware" in text


def test_nav_twice_changes_nothing_and_a_conflicting_translation_is_refused(mkdocs_yml):
    nav.add_page(mkdocs_yml, "execution", "numba", "Numba", "Numba", "Exekvering", "Execution")
    before = mkdocs_yml.read_text(encoding="utf-8")
    assert nav.add_page(mkdocs_yml, "execution", "numba", "Numba", "Numba", "Exekvering", "Execution") == [
        "mkdocs.yml: execution/numba.md is already in the nav"]
    assert mkdocs_yml.read_text(encoding="utf-8") == before
    with pytest.raises(nav.NavError, match="already translated as 'Execution'"):
        nav.add_page(mkdocs_yml, "execution", "other", "Annat", "Other", "Exekvering", "Running")


def test_nav_needs_a_nav_and_translations(tmp_path):
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_name: Test\n", encoding="utf-8")
    with pytest.raises(nav.NavError, match="no top-level nav"):
        nav.add_page(path, "t", "p", "T", "T", "S", "S")
    path.write_text("site_name: Test\nnav:\n  - Hem: index.md\n", encoding="utf-8")
    with pytest.raises(nav.NavError, match="no nav_translations"):
        nav.add_page(path, "t", "p", "Titel", "Title", "Avsnitt", "Section")


def test_nav_quotes_titles_yaml_would_misread(mkdocs_yml):
    nav.add_page(mkdocs_yml, "execution", "yes", "yes", "Yes: really", "Exekvering", "Execution")
    nav.add_page(mkdocs_yml, "execution", "hash", "# inte en kommentar", "# not a comment", "Exekvering", "Execution")
    loaded = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    section = next(item["Exekvering"] for item in loaded["nav"] if isinstance(item, dict) and "Exekvering" in item)
    assert {"yes": "execution/yes.md"} in section  # a string, not the boolean True
    assert {"# inte en kommentar": "execution/hash.md"} in section
    translations = loaded["plugins"][0]["i18n"]["languages"][0]["nav_translations"]
    assert translations["yes"] == "Yes: really" and translations["# inte en kommentar"] == "# not a comment"


def test_nav_ignores_a_page_of_another_topic_with_a_similar_name(mkdocs_yml):
    nav.add_page(mkdocs_yml, "exec", "overview", "Annan", "Other", "Exec", "Exec")
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "  - Exec:\n      - Annan: exec/overview.md\n  - Om Ramverk:" in text  # not in execution/'s section
    assert text.count("overview.md") == 2


# --- benchmarks_page -----------------------------------------------------------------------------

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


# --- the search split (hooks/search_per_language.py) ---------------------------------------------

def _config(site: Path, building: bool = False):
    languages = [SimpleNamespace(locale="sv", default=True, build=True),
                 SimpleNamespace(locale="en", default=False, build=True),
                 SimpleNamespace(locale="de", default=False, build=False)]
    i18n = SimpleNamespace(building=building, config=SimpleNamespace(languages=languages))
    return SimpleNamespace(plugins={"i18n": i18n}, site_dir=str(site))


@pytest.fixture
def search_hook():
    from ramverk.hooks import search_per_language

    return search_per_language


def _split(site: Path, hook, docs: list[dict]) -> tuple[dict, dict]:
    """The merged index static-i18n writes, split by the hook: (the Swedish index, the English one)."""
    (site / "search").mkdir()
    (site / "search" / "search_index.json").write_text(json.dumps({"config": {"lang": ["sv", "en"]}, "docs": docs}))
    (site / "sitemap.xml").write_text("<urlset/>")
    hook.on_post_build(_config(site))
    return (json.loads((site / "search" / "search_index.json").read_text()),
            json.loads((site / "en" / "search" / "search_index.json").read_text()))


def test_search_index_is_split_per_language(tmp_path, search_hook):
    docs = [{"location": "", "title": "Hem"}, {"location": "execution/overview/", "title": "Översikt"},
            {"location": "en/", "title": "Home"}, {"location": "en/execution/overview/#jit", "title": "JIT"}]
    swedish, english = _split(tmp_path, search_hook, docs)
    assert swedish == {"config": {"lang": ["sv"]}, "docs": docs[:2]}
    assert english == {"config": {"lang": ["en"]}, "docs": [{"location": "", "title": "Home"},
                                                            {"location": "execution/overview/#jit", "title": "JIT"}]}
    assert (tmp_path / "en" / "sitemap.xml").read_text() == "<urlset/>"
    assert not (tmp_path / "de").exists()  # a language that is not built gets nothing


def test_search_split_waits_for_the_outer_build(tmp_path, search_hook):
    search_hook.on_post_build(_config(tmp_path, building=True))  # nested per-language build: no index yet
    assert list(tmp_path.iterdir()) == []


def _page_html(base: str) -> str:
    return (f'<link rel="alternate" href="../../execution/overview/" hreflang="sv">'
            f'<link rel="alternate" href="../../en/execution/overview/" hreflang="en">'
            f'<script id="__config" type="application/json">{{"base": "{base}", "search": "x"}}</script>')


def test_each_page_searches_its_own_languages_index(tmp_path, search_hook):
    english_page = SimpleNamespace(file=SimpleNamespace(locale="en"))
    out = search_hook.on_post_page(_page_html("../../.."), english_page, _config(tmp_path))
    config = json.loads(out.split('application/json">')[1].split("</script>")[0])
    assert config == {"base": "../../../en/", "search": "x"}
    # Material reads sitemap.xml beside each alternate link: those point at the language roots.
    assert '<link rel="alternate" href="../../../" hreflang="sv">' in out
    assert '<link rel="alternate" href="../../../en/" hreflang="en">' in out

    swedish_page = SimpleNamespace(file=SimpleNamespace(locale="sv"))
    out = search_hook.on_post_page(_page_html("../.."), swedish_page, _config(tmp_path))
    assert '{"base": "../..", "search": "x"}' in out  # the default language keeps the root index
    assert '<link rel="alternate" href="../../en/" hreflang="en">' in out


# Pygments' markup inside <pre> as pymdownx.highlight writes it (anchor_linenums), a claim's span outside.
HIGHLIGHTED = ('<h2 id="code">Code</h2><div class="highlight"><pre><span></span><code>'
               '<a id="__codelineno-0-1" name="__codelineno-0-1" href="#__codelineno-0-1"></a>'
               '<span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>\n</code></pre></div>'
               '<p>After <span class="ramverk-claim">the claim</span> it goes on.</p>')


def _search_sections(html: str) -> list[tuple]:
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id, "".join(s.title), "".join(s.text)) for s in parser.data]


def test_search_reads_code_without_the_highlighters_tags_and_finds_the_same_text(search_hook):
    seen = []
    index = SimpleNamespace(add_entry_from_context=lambda page: seen.append(page))
    search_hook.on_config(SimpleNamespace(plugins={"material/search": SimpleNamespace(search_index=index)}))
    index.add_entry_from_context(SimpleNamespace(content=HIGHLIGHTED, url="x/"))
    lean = seen[0]
    code, prose = lean.content.split("<p>")
    assert "<span" not in code and "__codelineno" not in code
    assert '<span class="ramverk-claim">' in prose  # outside <pre>: as it was
    assert _search_sections(lean.content) == _search_sections(HIGHLIGHTED)
    assert lean.url == "x/"  # the rest of the page is the page's


def test_search_keeps_a_pre_with_a_span_it_does_not_know(search_hook):
    odd = '<pre><span class="n" title="t">x</span> <span class="o">=</span></pre>'
    assert search_hook._WithoutHighlighting(SimpleNamespace(content=odd)).content == odd


def test_the_text_catalogue_has_every_key_in_every_language():
    from ramverk.contract import site_config
    from ramverk.contract import page_text

    languages = site_config.load().languages
    assert set(page_text.TEXT) == set(languages)
    keys = {lang: set(page_text.TEXT[lang]) for lang in languages}
    for lang in languages:
        for other in languages:
            assert not keys[lang] - keys[other], f"in {lang} but not in {other}: {sorted(keys[lang] - keys[other])}"
    for lang in languages:  # the same placeholders on both sides
        for key, text in page_text.TEXT[lang].items():
            assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", page_text.TEXT["en"][key])), key


def test_search_split_goes_by_the_language_folder_not_a_prefix_of_the_path(tmp_path, search_hook):
    docs = [{"location": "engelska/", "title": "Engelska"}, {"location": "en/", "title": "Home"},
            {"location": "en/engine/#x", "title": "Engine"}, {"location": "sv/", "title": "A Swedish folder named sv"}]
    swedish, english = _split(tmp_path, search_hook, docs)
    assert [d["title"] for d in swedish["docs"]] == ["Engelska", "A Swedish folder named sv"]  # the default keeps the rest
    assert english["docs"] == [{"location": "", "title": "Home"}, {"location": "engine/#x", "title": "Engine"}]


# --- output blocks -------------------------------------------------------------------------------

def test_each_declared_variation_names_a_shown_section_and_its_mask_finds_something():
    from ramverk.render import notebooks, output_blocks

    for target, varies in output_blocks.VARIES.items():
        snippet, section = target.split(":")
        assert section in notebooks.snippet_sections(helpers.ROOT / snippet), f"VARIES names no section: {target}"
        assert varies.why, target
    masked = [e for e in output_blocks.expected_by_code().values() if e.mask]
    assert masked, "no shown output has a mask: the test of the masks found nothing to test"
    for expected in masked:
        assert re.search(expected.mask, expected.stdout), f"{expected.where}: the mask {expected.mask!r} masks nothing"


def test_a_mask_frees_only_its_own_part_of_the_output():
    from ramverk.render import output_blocks

    mask = output_blocks.VARIES["snippets/hardware/tensor_cores.py:precision"].mask
    shown = "float32   relative error 2.4e-07\nbfloat16  relative error 2.9e-03"
    assert output_blocks.comparable(shown, mask) == output_blocks.comparable(shown.replace("2.4e", "2.9e"), mask)
    assert output_blocks.comparable(shown, mask) != output_blocks.comparable(shown.replace("e-07", "e-05"), mask)
