"""What a reader of the measured tables is told beside them (issue 26): each table says what ± means in
the line under it, the baseline row says it is the baseline, and a page says once which of its tables
no GPU has measured, with the command for each. Rendered from the real pages and results (no build)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ramverk.contract.page_text import t
from ramverk.render import markers
from ramverk.render.marker_handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[1]


def _rendered(page: str, lang: str) -> str:
    path = f"docs/{page}.{lang}.md"
    return "\n".join(markers.render_lines((ROOT / path).read_text(encoding="utf-8"), HANDLERS, path, lang))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_each_table_says_what_plus_minus_means_and_names_the_baseline_row(lang):
    html = _rendered("execution/jax-jit", lang)
    tables = html.count('<div class="ramverk-timing" markdown>')
    caption = t(lang, "table_caption")
    assert tables >= 1 and "IQR/2" in caption
    assert html.count(f"\n{caption}\n{{: .ramverk-limit-line }}") == tables
    eager = [line for line in html.splitlines() if line.startswith("| JAX · `eager`")]
    assert eager and all(line.split(" | ")[2] == t(lang, "baseline_row") for line in eager), eager


# custom-kernels also has a claim on a GPU-only snippet that no GPU has measured: it adds no second note
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("page, unmeasured", [
    ("hardware/cpu-gpu-tpu", ["snippets/hardware/tensor_cores.py", "snippets/hardware/tensor_cores_bf16.py"]),
    ("execution/custom-kernels", ["snippets/execution/pallas_kernel.py", "snippets/execution/triton_kernel.py"]),
])
def test_one_gpu_note_per_page_lists_every_unmeasured_snippet_with_its_command(lang, page, unmeasured):
    html = _rendered(page, lang)
    notes = [line for line in html.splitlines() if "--device cuda --only" in line]
    assert len(notes) == 1, notes
    commands = re.findall(r"`\.venv/bin/python -m ramverk run --device cuda --only (snippets/\S+)`", notes[0])
    assert commands == unmeasured
