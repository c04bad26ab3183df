"""Which marker runs which handler: the one place a marker name is registered (see ramverk.render.markers)."""

from __future__ import annotations

from ramverk.render import benchmarks_page, claims, timing_tables, trace_timeline, values
from ramverk.render.markers import Handler

HANDLERS: dict[str, Handler] = {
    "timing": timing_tables.timing,
    "claim": claims.claim,
    "benchmarks": benchmarks_page.benchmarks,
    "value": values.value,
    "trace": trace_timeline.trace,
}
