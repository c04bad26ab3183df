"""`<!-- timing: ... -->` and `<!-- claim: ... -->` markers: measured numbers, rendered from results/."""

from __future__ import annotations

import os

from ramverk.markers import Marker, MarkerError, handler


def _pending(marker: Marker) -> str:
    if os.environ.get("RAMVERK_PENDING_RESULTS"):
        return f'\n!!! warning "{"Inte mätt än" if marker.lang == "sv" else "Not measured yet"}"\n    `{marker.target}`\n'
    raise MarkerError(f"{marker.where()}: no results for this snippet; run: python -m ramverk run --only {marker.target}")


@handler("timing")
def timing(marker: Marker) -> str:
    return _pending(marker)


@handler("claim")
def claim(marker: Marker) -> str:
    return _pending(marker)
