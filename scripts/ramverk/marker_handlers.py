"""Which marker runs which handler: the one place a marker name is registered (see ramverk.markers)."""

from __future__ import annotations

from ramverk import benchmarks_page, claims, timing_tables
from ramverk.markers import Handler

HANDLERS: dict[str, Handler] = {
    "timing": timing_tables.timing,
    "claim": claims.claim,
    "benchmarks": benchmarks_page.benchmarks,
}
