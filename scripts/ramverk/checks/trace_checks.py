"""Fast checks for profiler traces: every trace marker names a valid trace, and each committed trace
was taken from the code as it is now (a stale trace fails, as stale results do)."""

from __future__ import annotations

from ramverk.contract import site_config, trace_model
from ramverk.pages.page_source import pages
from ramverk.render import markers, trace_timeline


def traces_valid() -> list[str]:
    out = []
    for page in pages():
        try:
            found = list(markers.find(page.path.read_text(encoding="utf-8"), page.rel, page.lang))
        except markers.MarkerError:
            continue  # `check markers` reports it
        for _, _, marker in found:
            if marker.name == "trace":
                try:
                    trace_timeline.load_for(marker)
                except markers.MarkerError as error:
                    out.append(str(error))
    root = site_config.load().root
    for path in sorted((root / "results" / "traces").glob("*.json")):
        rel = path.relative_to(root).as_posix()
        try:
            trace = trace_model.load(path, shown_as=rel)
        except trace_model.TraceError as error:
            out.append(f"{error}".replace(f"{rel}: ", f"{rel}:1: ", 1))
            continue
        if trace_timeline.is_stale(trace):
            p = trace.ramverk
            out.append(f"{rel}:1: stale: {p.snippet} changed after the trace was taken (its {p.framework} code's hash "
                       f"is no longer {p.snippet_hash}); take it again with: python -m ramverk trace {p.snippet} "
                       f"--framework {p.framework} --mode {p.mode} --name {path.stem}")
    return out
