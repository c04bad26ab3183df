"""Fast checks for the measured parts of pages: markers that parse and have data, and fresh results."""

from __future__ import annotations

from ramverk.pages.page_source import pages
from ramverk.render import claims, markers, timing_tables
from ramverk.render.marker_handlers import HANDLERS
from ramverk.results import results_view


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
                    else:  # the rows only: drawing the chart would make the check slow
                        timing_tables.selected_rows(marker, timing_tables.OPTIONS)
                except markers.MarkerError as error:
                    out.append(str(error))
    return out


def results_fresh() -> list[str]:
    """Published numbers must come from the snippet as it is now."""
    out = [f"results: {line}" for line in results_view.merged().conflicts]
    for snippet, machines in results_view.stale_snippets().items():
        out.append(
            f"{snippet}:1: results are stale on {', '.join(machines)} (the snippet changed after it was measured); "
            f"refresh with: python -m ramverk run --only {snippet}"
        )
    return out
