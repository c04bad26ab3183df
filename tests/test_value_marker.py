"""The value marker: figures in prose come from a snippet's constants or the GPU ceiling table, never typed."""

from __future__ import annotations

import json

import pytest
from ramverk.contract import site_config
from ramverk.render import values
from ramverk.render.markers import MarkerError, parse

NBSP = "\u00a0"


def _shown(body: str, lang: str = "sv") -> str:
    html = values.value(parse("value", body, "docs/x.sv.md", lang, 7))
    return html.split(">", 1)[1].rsplit("<", 1)[0]


def test_a_snippet_size_and_its_bytes_in_binary_units():
    spec = site_config.load().root / "snippets/execution/fusion.py"
    assert '"full": {"n": 16777216}' in spec.read_text(encoding="utf-8")  # the size this test reads
    assert _shown("snippets/execution/fusion.py expr=n") == "16\u00a0777\u00a0216"
    assert _shown("snippets/execution/fusion.py expr=n", "en") == "16,777,216"
    assert _shown("snippets/execution/fusion.py expr=n*4/2**20 unit=MiB") == f"64{NBSP}MiB"


def test_the_ceiling_table_gives_rates_ratios_and_scientific_notation():
    table = json.loads((site_config.load().root / values.DATASHEETS).read_text(encoding="utf-8"))["gpus"]["H200"]
    ratio = table["fp32_flops"] / table["bandwidth"]
    shown = _shown(f"{values.DATASHEETS} expr=fp32_flops/bandwidth gpu=H200 digits=2", "en")
    assert shown == f"{ratio:.2g}"
    assert _shown(f"{values.DATASHEETS} expr=bandwidth gpu=H200 unit=B/s", "en") == \
        f"{table['bandwidth'] / 1e12:.2f}{NBSP}TB/s"
    mantissa, exponent = f"{table['fp32_flops']:.1e}".split("e")
    sci = _shown(f"{values.DATASHEETS} expr=fp32_flops gpu=H200 format=sci digits=2")
    assert sci == f"{mantissa.replace('.', ',')}·10" + str(int(exponent)).translate(values.SUPERSCRIPT)


def test_a_snippets_work_per_call_divided_by_a_gpu_rate_is_a_time():
    shown = _shown("snippets/execution/mlp_step.py expr=work_flops/fp32_flops gpu=H200 unit=s", "en")
    assert shown.endswith(f"{NBSP}ns") or shown.endswith(f"{NBSP}µs")


def test_a_results_file_gives_its_machines_cores_and_the_spread_of_its_ratios():
    """Read straight from the JSON here: half the IQR of each full-size CPU ratio over its median, the median."""
    import statistics

    data = json.loads((site_config.load().root / "results/amd-epyc-1t.json").read_text(encoding="utf-8"))
    shares = [(r["ratio"]["q3"] - r["ratio"]["q1"]) / 2 / r["ratio"]["median"] * 100 for r in data["records"]
              if r.get("ratio") and r["case"]["size"] == "full" and r["device"]["kind"] == "cpu"]
    assert len(shares) > 10, "the reference file should have ratios to spread"
    body = "results/amd-epyc-1t.json expr="
    assert _shown(body + "ratios", "en") == str(len(shares))
    assert _shown(body + "ratio_spread digits=2 unit=%", "en") == f"{statistics.median(shares):.2g}{NBSP}%"
    assert _shown(body + "logical_cores", "en") == str(data["machine"]["logical_cores"])
    with pytest.raises(MarkerError, match=r"docs/x.sv.md:7: .*no results file results/nowhere.json \(known: results/amd-epyc-1t.json"):
        _shown("results/nowhere.json expr=ratios")


@pytest.mark.parametrize("body, message", [
    ("snippets/execution/fusion.py expr=m", "uses 'm', which is not"),
    ("snippets/execution/fusion.py expr=n gpu=H999", "no GPU 'H999'"),
    ("snippets/execution/fusion.py expr=n colour=red", "unknown option(s) colour"),
    ("snippets/execution/fusion.py", "value needs expr="),
    ("snippets/execution/nothing.py expr=n", "no such snippet file"),
    ("snippets/execution/fusion.py expr=__import__('os')", "not"),
    (f"{values.DATASHEETS} expr=bandwidth", "needs gpu=NAME"),
    ("snippets/execution/fusion.py expr=n format=hex", "format='hex' is unknown"),
])
def test_a_bad_marker_fails_naming_page_and_line(body, message):
    with pytest.raises(MarkerError) as caught:
        values.value(parse("value", body, "docs/x.sv.md", "sv", 7))
    assert str(caught.value).startswith("docs/x.sv.md:7: marker 'value: ")
    assert message in str(caught.value)


def test_data_sheet_figures_typed_into_snippet_code_match_the_ceiling_table():
    """Sections are self-contained (a reader copies one alone), so a snippet types its GPU's figures; each
    such literal (1e11 or more) must be the table's figure for the GPU the snippet names."""
    import ast

    root = site_config.load().root
    table = json.loads((root / values.DATASHEETS).read_text(encoding="utf-8"))["gpus"]
    checked = 0
    for path in sorted((root / "snippets").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        literals = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)
                    and isinstance(n.value, float) and n.value >= 1e11]
        if not literals:
            continue
        named = [name for name in table if f"{name} SXM" in source or f"NVIDIA {name}" in source]
        assert named, f"{path.relative_to(root)} types data-sheet figures but names no GPU of {values.DATASHEETS}"
        figures = {v for k, v in table[named[0]].items() if k != "source"}
        assert set(literals) <= figures, (path.relative_to(root), named[0], set(literals) - figures)
        checked += len(literals)
    assert checked, "no snippet types a data-sheet figure: the test looks at nothing"
