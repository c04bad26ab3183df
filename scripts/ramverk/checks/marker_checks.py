"""Fast checks for the measured parts of pages: markers that parse and have data, and fresh results."""

from __future__ import annotations

from itertools import groupby

from ramverk.contract.results_model import Record
from ramverk.measure import devices
from ramverk.pages.page_source import pages
from ramverk.render import claims, markers, timing_tables
from ramverk.render.marker_handlers import HANDLERS
from ramverk.results import results_view, roofline


def markers_valid() -> list[str]:
    """Every marker has a known name, valid options and (for timing and claim) results to show."""
    out = []
    for page in pages():
        text = page.path.read_text(encoding="utf-8")
        try:
            found = list(markers.find(text, page.rel, page.lang))
        except markers.MarkerError as error:
            out.append(str(error))
            continue
        for _, _, marker in found:
            if marker.name not in HANDLERS:
                out.append(f"{marker.where()}: unknown marker (known: {', '.join(sorted(HANDLERS))})")
            elif marker.name in ("timing", "claim"):
                try:
                    if marker.name == "claim":
                        claims.claim(marker)  # checks the data against the sentence
                    else:  # the rows and their ceilings only: drawing the chart would make the check slow
                        selected = timing_tables.selected_rows(marker, timing_tables.OPTIONS)
                        if not isinstance(selected, str):
                            out += [f"{marker.where()}: {line}"
                                    for line in roofline.rates_over_ceiling(selected[1], selected[0].benchmark.work)]
                except markers.MarkerError as error:
                    out.append(str(error))
    return out


def _stale_by_snippet(here: bool) -> dict[str, list[tuple[str, Record]]]:
    """Stale full-size records, by snippet: of the device kinds this machine has (here) or of the others."""
    kinds = devices.kinds_here()
    out: dict[str, list[tuple[str, Record]]] = {}
    for machine, record in results_view.stale_records():
        if (record.device.kind in kinds) == here:
            out.setdefault(record.snippet, []).append((machine, record))
    return out


def results_fresh() -> list[str]:
    """Published numbers must come from the code as it is now, where this machine can re-measure them."""
    out = [f"results: {line}" for line in results_view.merged().conflicts]
    for snippet, stale in _stale_by_snippet(here=True).items():
        machines = sorted({machine for machine, _ in stale})
        out.append(
            f"{snippet}:1: results are stale on {', '.join(machines)} (the code they ran changed after they were "
            f"measured); refresh with: python -m ramverk run --only {snippet}"
        )
    return out


def results_kept() -> list[str]:
    """Stale records of devices this machine lacks: kept, shown marked with their commit, listed here."""
    out = []
    for snippet, stale in _stale_by_snippet(here=False).items():
        for (machine, kind), group in groupby(sorted(stale, key=_device_order), key=lambda s: (s[0], s[1].device.kind)):
            records = [record for _, record in group]
            cases = ", ".join(f"{r.case.framework}/{r.case.mode}" for r in records)
            commits = ", ".join(sorted({(r.commit or "–")[:8] + ("+dirty" if r.dirty else "") for r in records}))
            out.append(f"{snippet}:1: kept {len(records)} stale {kind} record(s) on {machine} ({cases}), measured "
                       f"at commit {commits} on earlier code; the pages mark them; on a machine with {kind}: "
                       f"python -m ramverk run --device {kind} --only {snippet}")
    return out


def _device_order(item: tuple[str, Record]) -> tuple:
    machine, record = item
    return (machine, record.device.kind, record.case.framework, record.case.mode)
