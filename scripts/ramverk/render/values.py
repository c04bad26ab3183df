"""`<!-- value: SOURCE expr=EXPRESSION [options] -->`: a figure in prose, read from data at build time.

SOURCE is a snippet (`snippets/x.py`), the GPU ceiling table (`snippets/gpu_datasheets.json`) or a results
file (`results/<machine>.json`: its machine's logical_cores, and ratio_spread and ratios, see machine_names).
expr= is arithmetic (numbers, names, + - * / **, parentheses; read with `ast`, never run) over:
- a snippet's full BENCHMARK sizes (`n`, `batch`, ...), its work per call (`work_flops`,
  `work_bytes`) and its module-level numeric constants (`PEAK = 67e12`; read, not run);
- with gpu=NAME (or SOURCE the table itself), that GPU's entry of the table: fp32_flops,
  tf32_flops, bf16_flops, bandwidth.
Options: unit=FLOP/s|B/s|s (SI prefix or time unit chosen), unit=ANYTHING else (appended as
written: `n*4/2**20 unit=MiB`), digits=N (significant digits, default 3), format=sci (`5,2·10⁷`).
A name the source lacks, or an option the marker does not know, fails the build with page and line.
"""

from __future__ import annotations

import ast
import json
import math

from ramverk.contract import site_config, snippet_spec
from ramverk.contract.page_text import language
from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError
from ramverk.results import results_view, roofline

DATASHEETS = "snippets/gpu_datasheets.json"
OPTIONS = {"expr", "gpu", "unit", "digits", "format"}
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def gpu_entry(name: str, where: str = "") -> dict[str, float]:
    """The numeric fields of one GPU in the ceiling table (snippets/gpu_datasheets.json)."""
    path = site_config.load().root / DATASHEETS
    gpus = json.loads(path.read_text(encoding="utf-8"))["gpus"]
    if name not in gpus:
        raise MarkerError(f"{where}: no GPU {name!r} in {DATASHEETS} (known: {', '.join(gpus)})")
    return {key: float(v) for key, v in gpus[name].items() if _numeric(v)}


def snippet_names(path: str, where: str = "") -> dict[str, float]:
    """A snippet's full sizes, its work per call and its module-level numeric constants, read without running it."""
    root = site_config.load().root
    file = root / path
    if not path.startswith("snippets/") or not path.endswith(".py") or not file.is_file():
        raise MarkerError(f"{where}: no such snippet file")
    source = file.read_text(encoding="utf-8")
    names: dict[str, float] = {}
    for node in ast.parse(source, filename=path).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue  # not a literal: a computed constant is not a figure the page may quote
            if _numeric(value):
                names[node.targets[0].id] = float(value)
    spec = snippet_spec.load(file, root).benchmark
    if spec is not None:
        sizes = {k: v for k, v in spec.sizes.get("full", {}).items() if _numeric(v)}
        names.update(sizes)
        for kind, expression in (spec.work or {}).items():
            names[f"work_{kind}"] = roofline.work_per_call(expression, sizes)
    return names


def machine_names(path: str, where: str = "") -> dict[str, float]:
    """What a results file says of its machine: logical_cores, and ratio_spread (in %) and ratios, the median
    half-IQR of its CPU ratios relative to the ratio, over how many (results_view.ratio_spread)."""
    name = path.removeprefix("results/").removesuffix(".json")
    machine = results_view.merged().machines.get(name)
    if not path.endswith(".json") or machine is None:
        raise MarkerError(f"{where}: no results file {path} (known: "
                          f"{', '.join(f'results/{m}.json' for m in results_view.merged().machines)})")
    names = {"logical_cores": float(machine.logical_cores)}
    spread = results_view.ratio_spread(name)
    if spread is not None:
        names.update(ratio_spread=spread.percent, ratios=float(spread.ratios))
    return names


def _format(value: float, marker: Marker, lang: str) -> str:
    options = marker.options
    try:
        digits = int(options.get("digits", "3"))
    except ValueError:
        raise MarkerError(f"{marker.where()}: digits={options['digits']!r} is not a whole number") from None
    unit = options.get("unit", "")
    if options.get("format") == "sci":
        exponent = math.floor(math.log10(abs(value))) if value else 0
        mantissa = nf.tick(float(f"{value / 10**exponent:.{digits}g}"), lang)
        shown = f"{mantissa}·10{str(exponent).translate(SUPERSCRIPT)}"
        return f"{shown}{nf.NBSP}{unit}" if unit else shown
    if "format" in options:
        raise MarkerError(f"{marker.where()}: format={options['format']!r} is unknown (known: sci)")
    if unit == "s":
        return nf.duration(value, lang)
    if unit.endswith("/s"):
        return nf.rate(value, unit, lang)
    shown = nf.significant(value, lang, digits)
    return f"{shown}{nf.NBSP}{unit}" if unit else shown


def value(marker: Marker) -> str:
    unknown = set(marker.options) - OPTIONS
    if unknown:
        raise MarkerError(f"{marker.where()}: unknown option(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(OPTIONS))}")
    expression = marker.options.get("expr")
    where = marker.where()
    if marker.target == DATASHEETS:
        names = {}
        if "gpu" not in marker.options:
            raise MarkerError(f"{where}: the ceiling table needs gpu=NAME")
    elif marker.target.startswith("results/"):
        names = machine_names(marker.target, where)
    else:
        names = snippet_names(marker.target, where)
    if "gpu" in marker.options:
        names.update(gpu_entry(marker.options["gpu"], where))
    if expression is None:
        raise MarkerError(f"{where}: value needs expr=, e.g. expr=n*4/2**20")
    try:
        result = roofline.work_per_call(expression, names)
    except ValueError as error:
        raise MarkerError(f"{where}: {error}") from None
    shown = _format(result, marker, language(marker.lang))
    return f'<span class="ramverk-value" title="{marker.target}: {expression}">{shown}</span>'
