"""`<!-- benchmarks: all -->`: every measured case of every machine, to compare at a glance.

Grouped by topic (its title from the nav, in the page's language), then one compact table per
snippet: a row per case (framework · mode), a column per device, each cell the median ± IQR/2
with n and the first call in small type beneath. Under each snippet's name, links to the notes
whose timing markers show it. The tables sort by any column (sortable-tables.js). The machines
and versions are listed once for the page by the provenance hook.
"""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from pathlib import Path

from ramverk.contract import site_config, snippet_spec
from ramverk.contract.frameworks import display_name
from ramverk.contract.page_text import language, t
from ramverk.pages import page_source, scanner
from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError, find
from ramverk.render.timing_tables import device_header, stale_badge
from ramverk.results.results_view import Row, merged, rows


def _pages_using(lang: str) -> dict[str, list[tuple[str, str]]]:
    """snippet -> [(page stem, page title)] for pages in `lang` with a timing marker on it."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for page in page_source.pages():
        if page.lang != lang:
            continue
        text = page.path.read_text(encoding="utf-8")
        title = next((h.text for h in scanner.scan(text).headings if h.level == 1), page.stem)
        for _, _, marker in find(text, page.rel, page.lang):
            if marker.name in ("timing", "claim") and (page.stem, title) not in out[marker.target]:
                out[marker.target].append((page.stem, title))
    return out


def topic_title(topic: str, lang: str) -> str:
    """The nav section holding docs/<topic>/ pages, in `lang` (nav titles are Swedish, translated in
    the i18n plugin's nav_translations); the folder name when no section holds it."""
    raw = site_config.load().raw
    for item in raw.get("nav") or []:
        if not isinstance(item, dict):
            continue
        (title, children), = item.items()
        paths = [p for child in children if isinstance(child, dict) for p in child.values()] if isinstance(children, list) else []
        if any(isinstance(p, str) and p.startswith(f"{topic}/") for p in paths):
            if lang == site_config.load().languages[0]:
                return title
            for entry in raw.get("plugins", []):
                if isinstance(entry, dict) and "i18n" in entry:
                    for language in entry["i18n"].get("languages", []):
                        if language.get("locale") == lang:
                            return (language.get("nav_translations") or {}).get(title, title)
            return title
    return topic


def _sortable(seconds: float, text: str) -> str:
    """The table script sorts by data-sort, so "950 µs" sorts below "1,2 ms"."""
    return f'<span data-sort="{seconds:.9g}">{text}</span>'


def _case_order(snippet: str):
    """Cases in the snippet's own order (its BENCHMARK frameworks and modes), as its timing tables show them."""
    root = site_config.load().root
    try:
        bench = snippet_spec.load(root / snippet, root).benchmark
    except (OSError, ValueError, SyntaxError):
        bench = None
    if bench is None:
        return lambda case: (case,)

    def key(case: tuple[str, str]):
        framework, mode = case
        modes = bench.modes.get(framework, [])
        return (bench.frameworks.index(framework) if framework in bench.frameworks else 99,
                modes.index(mode) if mode in modes else 99, case)
    return key


def _cell(row: Row, lang: str) -> str:
    s = row.record.stats
    unit = nf.time_unit(s.median_s)[0]
    half_iqr = (s.q3_s - s.q1_s) / 2
    first = nf.duration(s.first_call_s, lang) if s.first_call_s is not None else None
    details = (t(lang, "details", n=nf.count(s.n, lang), first=first) if first
               else t(lang, "details_no_first", n=nf.count(s.n, lang)))
    return (f"{_sortable(s.median_s, f'**{nf.duration(s.median_s, lang, unit)}**')} ± {nf.duration(half_iqr, lang, unit)}"
            f'<br><small class="ramverk-more">{details}</small>{stale_badge(row, lang)}')


def _table(snippet: str, found: list[Row], lang: str) -> list[str]:
    columns = sorted({r.column for r in found})
    cases = sorted({(r.record.case.framework, r.record.case.mode) for r in found}, key=_case_order(snippet))
    by_cell = {(r.record.case.framework, r.record.case.mode, r.column): r for r in found}
    header = [t(lang, "case")] + [device_header(column, lang) for column in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for framework, mode in cases:
        cells = [f"{display_name(framework)} · `{mode}`"]
        for column in columns:
            row = by_cell.get((framework, mode, column))
            cells.append(_cell(row, lang) if row else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def benchmarks(marker: Marker) -> str:
    if marker.target != "all" or marker.options:
        raise MarkerError(f"{marker.where()}: write exactly <!-- benchmarks: all -->")
    lang = language(marker.lang)
    data = merged()
    if not data.entries:
        if os.environ.get("RAMVERK_PENDING_RESULTS"):
            return f'\n!!! warning "{t(lang, "not_measured")}"\n    `.venv/bin/python -m ramverk run`\n'
        raise MarkerError(f"{marker.where()}: no results files under results/")
    used = _pages_using(lang)
    here = posixpath.dirname(marker.page.removeprefix("docs/"))
    by_topic: dict[str, set[str]] = defaultdict(set)
    for _, record in data.entries:
        if record.case.size == "full":
            by_topic[Path(record.snippet).parent.name].add(record.snippet)
    out = []
    for topic in sorted(by_topic, key=lambda topic: topic_title(topic, lang)):
        out.append(f"\n## {topic_title(topic, lang)}\n")
        for snippet in sorted(by_topic[topic]):
            out.append(f"\n### `{Path(snippet).name}` {{: .ramverk-snippet }}\n")
            pages = used.get(snippet, [])
            if pages:
                links = ", ".join(f"[{title}]({posixpath.relpath(stem + '.' + lang + '.md', here)})" for stem, title in pages)
                out.append(f"{t(lang, 'used_on')}: {links}\n{{: .ramverk-used-on }}\n")
            out += ['<div class="ramverk-sortable ramverk-bench" markdown>', "", *_table(snippet, rows(snippet), lang), "", "</div>"]
    return "\n".join(out) + "\n"
