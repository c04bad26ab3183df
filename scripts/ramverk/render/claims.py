"""`<!-- claim: snippets/x.py framework=jax faster=jit slower=eager -->`: a sentence tied to the data.

The build fails when the measured medians contradict the claim on any measured device, so the
text can never say "faster" beside a table that shows "slower". Option device=cpu|cuda|mps
limits the claim to one kind of device.
"""

from __future__ import annotations

from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError
from ramverk.render.page_text import language, t
from ramverk.render.timing_tables import selected_rows, speedup

REQUIRED = {"framework", "faster", "slower"}


def claim(marker: Marker) -> str:
    missing = REQUIRED - set(marker.options)
    if missing:
        raise MarkerError(f"{marker.where()}: claim needs option(s) {', '.join(sorted(missing))}")
    options = marker.options
    scoped = Marker(marker.name, marker.target, {"frameworks": options["framework"], "modes": f"{options['faster']},{options['slower']}"},
                    marker.page, marker.lang, marker.lineno)
    selected = selected_rows(scoped, {"frameworks", "modes"})
    if isinstance(selected, str):
        return selected
    _, found = selected
    if "device" in options:
        found = [r for r in found if r.record.device.kind == options["device"]]
    columns = sorted({r.column for r in found})
    gains = []
    for column in columns:
        here = {r.record.case.mode: r for r in found if r.column == column}
        if options["faster"] not in here or options["slower"] not in here:
            continue
        median, _, _ = speedup(here[options["faster"]], options["slower"], here)
        if median <= 1.0:
            raise MarkerError(
                f"{marker.where()}: the data contradicts the claim: on {column[0]} / {column[1]}, "
                f"{options['faster']} is {1 / median:.2f}× the time of {options['slower']} (speedup {median:.2f}×)"
            )
        gains.append(median)
    if not gains:
        raise MarkerError(f"{marker.where()}: no device has both {options['faster']} and {options['slower']} measured")
    lang = language(marker.lang)
    shown = nf.ratio(min(gains), lang) if len(gains) == 1 else f"{nf.ratio(min(gains), lang)}–{nf.ratio(max(gains), lang)}"
    # Every gain is above 1 here (a lower one fails the build above), so the ratio reads as "faster".
    return f'<span class="ramverk-claim" title="{marker.target}">✓ {t(lang, "claim_ok")}: {shown} {t(lang, "faster")}</span>'
