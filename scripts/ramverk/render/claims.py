"""`<!-- claim: snippets/x.py framework=jax faster=jit slower=eager -->`: a sentence tied to the data.

Across frameworks, name each side as FRAMEWORK/MODE: `faster=torch/eager slower=tensorflow/eager`
(the ratio of the two medians; within one framework the paired ratio when there is one).

The build fails when the measured medians contradict the claim on any measured device, so the
text can never say "faster" beside a table that shows "slower". Option device=cpu|cuda|mps
limits the claim to one kind of device.
"""

from __future__ import annotations

from ramverk.contract.page_text import language, t
from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError
from ramverk.render.timing_tables import selected_rows, spec_of, speedup

REQUIRED = {"faster", "slower"}


def _side(marker: Marker, option: str) -> tuple[tuple[str, ...], str]:
    """`faster=jit` (with framework=jax, or framework=python,numba when each mode belongs to one of
    them) or `faster=torch/eager`: the frameworks the side may come from, and its mode."""
    framework, _, mode = marker.options[option].rpartition("/")
    framework = framework or marker.options.get("framework", "")
    if not framework:
        raise MarkerError(f"{marker.where()}: claim needs framework=, or {option}=FRAMEWORK/MODE")
    return tuple(framework.split(",")), mode


def _name(side: tuple[tuple[str, ...], str]) -> str:
    return f"{','.join(side[0])}/{side[1]}"


def _pick(rows: list, side: tuple[tuple[str, ...], str]):
    """The row of `side` among one column's rows (None when it is not measured there)."""
    frameworks, mode = side
    return next((r for r in rows if r.record.case.mode == mode and r.record.case.framework in frameworks), None)


def claim(marker: Marker) -> str:
    missing = REQUIRED - set(marker.options)
    if missing:
        raise MarkerError(f"{marker.where()}: claim needs option(s) {', '.join(sorted(missing))}")
    options = marker.options
    unknown = set(options) - {"framework", "faster", "slower", "device"}
    if unknown:
        raise MarkerError(f"{marker.where()}: unknown option(s) {', '.join(sorted(unknown))}; "
                          f"known: device, faster, framework, slower")
    faster, slower = _side(marker, "faster"), _side(marker, "slower")
    scoped = Marker(marker.name, marker.target, {"frameworks": ",".join(dict.fromkeys(faster[0] + slower[0])),
                                                 "modes": f"{faster[1]},{slower[1]}"},
                    marker.page, marker.lang, marker.lineno)
    selected = selected_rows(scoped, {"frameworks", "modes"})
    if isinstance(selected, str):
        # a GPU-only snippet before its first GPU run: the page's one note, under its table, says so
        return "" if "cpu" not in spec_of(marker).benchmark.devices else selected
    _, found = selected
    if "device" in options:
        found = [r for r in found if r.record.device.kind == options["device"]]
    columns = sorted({r.column for r in found})
    gains = []
    for column in columns:
        rows = [r for r in found if r.column == column]
        fast, slow = _pick(rows, faster), _pick(rows, slower)
        if fast is None or slow is None:
            continue
        if fast.record.case.framework == slow.record.case.framework:  # paired when the runner interleaved them
            same = {r.record.case.mode: r for r in rows if r.record.case.framework == fast.record.case.framework}
            median, _, _ = speedup(fast, slower[1], same)
        else:  # two frameworks ran in different workers: the ratio of the medians
            median = slow.record.stats.median_s / fast.record.stats.median_s
        if median <= 1.0:
            raise MarkerError(
                f"{marker.where()}: the data contradicts the claim: on {column[0]} / {column[1]}, "
                f"{_name(faster)} is {1 / median:.2f}× the time of {_name(slower)} (speedup {median:.2f}×)"
            )
        gains.append(median)
    if not gains:
        raise MarkerError(f"{marker.where()}: no device has both {_name(faster)} and {_name(slower)} measured")
    lang = language(marker.lang)
    shown = nf.ratio(min(gains), lang) if len(gains) == 1 else f"{nf.ratio(min(gains), lang)}–{nf.ratio(max(gains), lang)}"
    # Every gain is above 1 here (a lower one fails the build above), so the ratio reads as "faster".
    return f'<span class="ramverk-claim" title="{marker.target}">✓ {t(lang, "claim_ok")}: {shown} {t(lang, "faster")}</span>'
