"""`<!-- benchmarks: all -->`: every measured case of every machine, grouped by topic, sortable.

Each row links back to the notes whose timing markers show that snippet.
"""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from pathlib import Path

from ramverk import number_format as nf, page_source
from ramverk.markers import Marker, MarkerError, find, handler
from ramverk.frameworks import display_name
from ramverk.results_view import merged

HEADERS = {
    "sv": ["Kodsnutt", "Ramverk", "Läge", "Maskin", "Enhet", "Median", "IQR/2", "n", "Första anropet", "Används på"],
    "en": ["Snippet", "Framework", "Mode", "Machine", "Device", "Median", "IQR/2", "n", "First call", "Used on"],
}


def _pages_using(lang: str) -> dict[str, list[tuple[str, str]]]:
    """snippet -> [(page stem, page title)] for pages in `lang` with a timing marker on it."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for page in page_source.pages():
        if page.lang != lang:
            continue
        text = page.path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), page.stem)
        for _, _, marker in find(text, page.rel, page.lang):
            if marker.name in ("timing", "claim") and (page.stem, title) not in out[marker.target]:
                out[marker.target].append((page.stem, title))
    return out


def _sortable(seconds: float, text: str) -> str:
    """The table script sorts by data-sort, so "950 µs" sorts below "1,2 ms"."""
    return f'<span data-sort="{seconds:.9g}">{text}</span>'


@handler("benchmarks")
def benchmarks(marker: Marker) -> str:
    if marker.target != "all" or marker.options:
        raise MarkerError(f"{marker.where()}: write exactly <!-- benchmarks: all -->")
    lang = marker.lang or "en"
    data = merged()
    if not data.entries:
        if os.environ.get("RAMVERK_PENDING_RESULTS"):
            return "\n!!! warning \"" + ("Inte mätt än" if lang == "sv" else "Not measured yet") + "\"\n    `python -m ramverk run`\n"
        raise MarkerError(f"{marker.where()}: no results files under results/")
    used = _pages_using(lang)
    here = posixpath.dirname(marker.page.removeprefix("docs/"))
    by_topic: dict[str, list] = defaultdict(list)
    for machine, record in data.entries:
        if record.case.size == "full":
            by_topic[Path(record.snippet).parent.name].append((machine, record))
    out = []
    for topic in sorted(by_topic):
        out += [f"\n### {topic}\n", '<div class="ramverk-sortable" markdown>', "",
                "| " + " | ".join(HEADERS[lang]) + " |", "|" + "---|" * len(HEADERS[lang])]
        for machine, r in sorted(by_topic[topic], key=lambda mr: (mr[1].snippet, mr[1].case.framework, mr[1].case.mode, mr[0])):
            s = r.stats
            links = ", ".join(f"[{title}]({posixpath.relpath(stem + '.' + lang + '.md', here)})" for stem, title in used.get(r.snippet, []))
            first = _sortable(s.first_call_s, nf.duration(s.first_call_s, lang)) if s.first_call_s is not None else "–"
            out.append(
                f"| `{Path(r.snippet).name}` | {display_name(r.case.framework)} | `{r.case.mode}` "
                f"| `{machine}` | {r.device.name} | {_sortable(s.median_s, nf.duration(s.median_s, lang))} "
                f"| {_sortable((s.q3_s - s.q1_s) / 2, nf.duration((s.q3_s - s.q1_s) / 2, lang))} | {s.n} | {first} | {links or '–'} |"
            )
        out += ["", "</div>"]
    return "\n".join(out) + "\n"
