"""`<!-- timing: snippets/x.py -->`: a table of measured times, rendered from results/ at build time.

Options (all optional): frameworks=a,b  modes=a,b  baseline=MODE  chart=yes|no.
Rows are cases (framework · mode). With one device the columns are its figures (time, the ratio to the
baseline, each rate with its share of the limit), so the eye runs down a column; with several, a
column per device (one per machine and device), each cell holding that device's figures. A limit a
whole column shares is said once under the table. On a phone each case reads as a card (ramverk.css).
The machines, versions and how each limit was obtained are listed once per page by `page_provenance`
(hooks/provenance.py).
"""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict

from ramverk.contract import frameworks, site_config, snippet_spec
from ramverk.contract.frameworks import display_name
from ramverk.contract.page_text import device_name, language, t
from ramverk.render import charts
from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError, find
from ramverk.results import roofline
from ramverk.results.results_view import Row, merged, ratio_spread, rows

OPTIONS = {"frameworks", "modes", "baseline", "chart"}


def _list(marker: Marker, key: str) -> list[str] | None:
    value = marker.options.get(key)
    return [v for v in value.split(",") if v] if value else None


def spec_of(marker: Marker) -> snippet_spec.Snippet:
    root = site_config.load().root
    path = root / marker.target
    if not marker.target.startswith("snippets/") or not path.is_file():
        raise MarkerError(f"{marker.where()}: no such snippet file")
    snip = snippet_spec.load(path, root)
    if snip.benchmark is None:
        raise MarkerError(f"{marker.where()}: the snippet has no BENCHMARK, so it is never measured")
    return snip


def selected_rows(marker: Marker, allowed: set[str]) -> tuple[snippet_spec.Snippet, list[Row]] | str:
    """The rows the marker asks for, or Markdown for 'not measured yet' in drafting mode."""
    unknown = set(marker.options) - allowed
    if unknown:
        raise MarkerError(f"{marker.where()}: unknown option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(allowed))}")
    snip = spec_of(marker)
    found = rows(marker.target, _list(marker, "frameworks"), _list(marker, "modes"))
    if found:
        return snip, found
    if "cpu" not in snip.benchmark.devices:  # a GPU-only snippet before its first GPU run
        note = gpu_note(marker, snip)
        return "\n" + note + "\n" if note else ""
    if os.environ.get("RAMVERK_PENDING_RESULTS"):
        title = t(marker.lang, "not_measured")
        return f'\n!!! warning "{title}"\n    `{marker.target}`: `.venv/bin/python -m ramverk run --only {marker.target}`\n'
    raise MarkerError(f"{marker.where()}: no results for this snippet; run: python -m ramverk run --only {marker.target}")


def speedup(row: Row, baseline: str | None, same_column: dict[str, Row]) -> tuple[float, float, float] | None:
    """(median, low, high) of baseline time / this time: the paired ratio when the runner interleaved
    the two (stored on either row), else the ratio of the two medians. Tables and claims both use it."""
    if not baseline or row.record.case.mode == baseline:
        return None
    ratio = row.record.ratio
    if ratio and ratio.baseline_mode == baseline:
        return 1 / ratio.median, 1 / ratio.q3, 1 / ratio.q1
    base = same_column.get(baseline)
    if base is None:
        return None
    inverse = base.record.ratio  # the pair measured the other way round: the same paired figure
    if inverse and inverse.baseline_mode == row.record.case.mode:
        return inverse.median, inverse.q1, inverse.q3
    value = base.record.stats.median_s / row.record.stats.median_s
    return value, value, value


def gain_text(gain: tuple[float, float, float], lang: str, baseline: str) -> str:
    """`2,90× (2,75–3,05) uppsnabbning mot eager`, or below 1 `1,64× (1,59–1,70) långsammare än eager`."""
    median, low, high = gain
    if median < 1:  # slower: say by how much, as a factor above 1 (the interval turns round)
        median, low, high = 1 / median, 1 / high, 1 / low
        words = t(lang, "slower_than", baseline=baseline)
    else:
        words = t(lang, "speedup_vs", baseline=baseline)
    spread = f" ({nf.number(low, lang)}–{nf.number(high, lang)})" if high > low else ""
    return f"{nf.ratio(median, lang)}{spread} {words}"


def rate_text(achieved: float, kind: str, limit: roofline.Limit | None, lang: str, limit_said: bool = False) -> str:
    """`223 GFLOP/s (134 % av 166 GFLOP/s, uträknat vid nominell klocka)`: the share with the limit beside it.

    limit_said: the table states this limit once beneath it (`limit_lines`), so the cell gives the share only."""
    unit = roofline.LIMITS[kind][0]
    text = nf.rate(achieved, unit, lang)
    if limit and limit_said:
        text += f" ({nf.percent(achieved / limit.per_second, lang)})"
    elif limit:
        what = _limit_kind(limit, lang)
        text += (f" ({nf.percent(achieved / limit.per_second, lang)} {t(lang, 'of')} "
                 f"{nf.rate(limit.per_second, unit, lang)}{', ' + what if what else ''})")
    return text


def _limit_kind(limit: roofline.Limit, lang: str) -> str:
    return limit.short.get(language(lang)) or limit.short.get("en", "")


def _limit(kind: str, row: Row) -> roofline.Limit | None:
    return roofline.limit_for(kind, row.machine, row.record.device, row.record.threads, row.record.case.params)


def shared_limits(found: list[Row], work: dict | None) -> dict[tuple[str, tuple[str, str]], roofline.Limit]:
    """(kind, column) -> the limit every row of that column is held against, where they all share one
    (a CPU column: one worked-out peak, one measured triad); the table then says it once beneath."""
    shared = {}
    for kind in work or {}:
        for column in sorted({r.column for r in found}):
            limits = [_limit(kind, r) for r in found if r.column == column]
            if limits and None not in limits and all(limit == limits[0] for limit in limits):
                shared[(kind, column)] = limits[0]
    return shared


def limit_lines(shared: dict, lang: str, columns: int) -> list[str]:
    """One line per shared limit: `The percentages are of the limit 28.4 GB/s on AMD EPYC, 1 thread (measured triad).`"""
    lines = []
    for (kind, column), limit in shared.items():
        device = f" {t(lang, 'on')} {device_name(column[1], lang)}" if columns > 1 or len(shared) > 1 else ""
        line = t(lang, "limit_line", device=device, limit=nf.rate(limit.per_second, roofline.LIMITS[kind][0], lang),
                 what=_limit_kind(limit, lang))
        if line not in lines:
            lines.append(line)
    return lines


def gain_short(gain: tuple[float, float, float], lang: str, baseline: str) -> str:
    """`5,30× (4,77–5,72) snabbare`, under a column headed `Mot eager`; on a phone, where the header
    row is hidden, ` än eager` follows (a span shown only there)."""
    median, low, high = gain
    word = "faster"
    if median < 1:  # slower: by how much, as a factor above 1 (the interval turns round)
        median, low, high, word = 1 / median, 1 / high, 1 / low, "slower"
    spread = f" ({nf.number(low, lang)}–{nf.number(high, lang)})" if high > low else ""
    return (f"{nf.ratio(median, lang)}{spread} {t(lang, word)}"
            f'<span class="ramverk-phone-only"> {t(lang, "than", baseline=baseline)}</span>')


def _time(row: Row, lang: str, device_label: str) -> tuple[str, str]:
    """(the median ± IQR/2, with the device named for a phone's cards; n and the first call, small)."""
    s = row.record.stats
    half_iqr = (s.q3_s - s.q1_s) / 2
    unit = nf.time_unit(s.median_s)[0]
    label = f'<span class="ramverk-cell-device">{device_label}</span>' if device_label else ""
    first = nf.duration(s.first_call_s, lang) if s.first_call_s is not None else None
    details = (t(lang, "details", n=nf.count(s.n, lang), first=first) if first
               else t(lang, "details_no_first", n=nf.count(s.n, lang)))
    median = f"{label}**{nf.duration(s.median_s, lang, unit)}** ± {nf.duration(half_iqr, lang, unit)}"
    return median, f'<small class="ramverk-more">{details}</small>{stale_badge(row, lang)}'


def stale_badge(row: Row, lang: str) -> str:
    """For a record whose code changed since: `measured on earlier code (commit adf9e61f)`, the command to
    re-measure it as its title. A GPU record stays on the page so marked until a GPU measures it again."""
    if not row.stale:
        return ""
    r = row.record
    commit = f" (commit {r.commit[:8]}{'+dirty' if r.dirty else ''})" if r.commit else ""
    title = t(lang, "stale_title", device=r.device.kind, snippet=r.snippet)
    return f' <span class="ramverk-stale" title="{title}">{t(lang, "stale", commit=commit)}</span>'


def _rate(row: Row, kind: str, expression: str, lang: str, shared: dict) -> str:
    achieved = roofline.work_per_call(expression, row.record.case.params) / row.record.stats.median_s
    return rate_text(achieved, kind, _limit(kind, row), lang, limit_said=(kind, row.column) in shared)


def _cell(row: Row, lang: str, gain, work: dict | None, baseline: str | None, shared: dict | None = None,
          device_label: str = "") -> str:
    """A cell of a table with a column per device: the median ± IQR/2 in bold, the ratio to the
    baseline, the rate and its share, one under another; n and the first call in small type."""
    median, details = _time(row, lang, device_label)
    parts = [median]
    if gain:
        parts.append(gain_text(gain, lang, baseline))
    elif _baseline_cell(row, baseline, lang):
        parts.append(_baseline_cell(row, baseline, lang))
    parts += [_rate(row, kind, expression, lang, shared or {}) for kind, expression in (work or {}).items()]
    return "<br>".join(parts + [details])


def _baseline_cell(row: Row, baseline: str | None, lang: str) -> str:
    """'baseline' in the row the ratios are to (else the column looks like a missing figure)."""
    return t(lang, "baseline_row") if baseline and row.record.case.mode == baseline else ""


def _one_device_table(cases, column, by_cell, by_framework_column, baseline, work, shared, lang) -> tuple[list[str], list[Row]]:
    """One device: a column per figure (time, ratio to the baseline, each rate), so the eye runs down a
    column; the ratio and rate columns only where some row has one."""
    label = device_name(column[1], lang)
    rows = [by_cell[(framework, mode, column)] for framework, mode in cases]
    gains = [speedup(r, baseline, by_framework_column[(r.record.case.framework, column)]) for r in rows]
    kinds = list(work or {})
    header = [t(lang, "case"), device_header(column, lang)]
    header += [t(lang, "against", baseline=baseline)] if any(gains) else []
    header += [t(lang, f"rate_{kind}") + (f" ({t(lang, 'share_of_limit')})" if any(_limit(kind, r) for r in rows) else "")
               for kind in kinds]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r, gain in zip(rows, gains):
        median, details = _time(r, lang, label)
        cells = [f"{display_name(r.record.case.framework)} · `{r.record.case.mode}`", f"{median}<br>{details}"]
        if any(gains):
            cells.append(gain_short(gain, lang, baseline) if gain else _baseline_cell(r, baseline, lang))
        cells += [_rate(r, kind, work[kind], lang, shared) for kind in kinds]
        table.append("| " + " | ".join(cells) + " |")
    return table, rows


def device_header(column: tuple[str, str], lang: str) -> str:
    """A device column's header in the page's language; the machine it was measured on as its title."""
    machine, device = column
    return f'<span title="{t(lang, "machine")}: {machine}">{device_name(device, lang)}</span>'


def _shows_ratios(marker: Marker) -> bool:
    return marker.name == "timing" and bool(marker.options.get("baseline") or spec_of(marker).benchmark.baseline)


def provenance(found: list[tuple[Row, dict | None]], page: str, lang: str, ratios: bool = False) -> list[str]:
    """One line per machine (its devices, versions, date, commits, raw data), then each limit once, then the notes."""
    lines = []
    rows_only = [r for r, _ in found]
    for machine_name in sorted({r.machine.name for r in rows_only}):
        mine = [r for r in rows_only if r.machine.name == machine_name]
        machine = mine[0].machine
        versions = sorted({f"{display_name(r.record.case.framework)} {r.record.framework_version}" for r in mine})
        devices = sorted({device_name(r.record.device.name, lang) for r in mine})
        latest = max(r.record.date_utc for r in mine)
        commits = sorted({(r.record.commit or "–")[:8] + ("+dirty" if r.record.dirty else "") for r in mine})
        threads = sorted({r.record.threads for r in mine})
        link = posixpath.relpath(f"results/{machine_name}.json", posixpath.dirname(page.removeprefix("docs/")))
        lines.append(
            f"{t(lang, 'measured_on')} {latest:%Y-%m-%d} {t(lang, 'on')} `{machine_name}`: {'; '.join(devices)}; "
            f"{', '.join(versions)}{'' if any(v.startswith('Python ') for v in versions) else f'; Python {machine.python}'}; {machine.os}; "
            f"{'/'.join(map(str, threads))} {t(lang, 'thread' if threads == [1] else 'threads_plural')}; commit {', '.join(commits)}. "
            f"[{t(lang, 'raw')}: results/{machine_name}.json]({link})"
        )
    limits: list[str] = []
    for row, work in found:
        for kind in work or {}:
            limit = roofline.limit_for(kind, row.machine, row.record.device, row.record.threads, row.record.case.params)
            if limit:
                line = (f"{t(lang, 'limit')} ({roofline.LIMITS[kind][0]}, {device_name(row.record.device.name, lang)}, "
                        f"{nf.rate(limit.per_second, roofline.LIMITS[kind][0], lang)}): {limit.how[lang]}.")
                if line not in limits:
                    limits.append(line)
    lines += limits
    lines.append(t(lang, "spread"))
    if ratios:
        lines.append(t(lang, "paired"))
    for machine in dict.fromkeys(r.machine.name for r in rows_only
                                 if r.record.device.kind == "cpu" and r.machine.logical_cores <= 4):
        spread = ratio_spread(machine)
        if spread is None:
            lines.append(t(lang, "noise_no_ratios"))
            continue
        percent = nf.significant(spread.percent, lang, 2)  # as the value marker shows it (method page)
        lines.append(t(lang, "noise", percent=percent, n=spread.ratios))
    return lines


def _marker_rows(marker: Marker) -> list[tuple[Row, dict | None]]:
    """The rows a marker on the page shows, each with its snippet's work (for the limits), or none."""
    if marker.name == "timing":
        selected = selected_rows(marker, OPTIONS)
        if isinstance(selected, str):
            return []
        snip, found = selected
        return [(r, snip.benchmark.work) for r in found]
    if marker.name == "claim" and {"framework", "faster", "slower"} <= set(marker.options):
        found = rows(marker.target, [marker.options["framework"]], [marker.options["faster"], marker.options["slower"]])
        return [(r, None) for r in found if "device" not in marker.options or r.record.device.kind == marker.options["device"]]
    if marker.name == "benchmarks":
        return [(r, None) for snippet in sorted({rec.snippet for _, rec in merged().entries}) for r in rows(snippet)]
    return []


def page_provenance(text: str, page: str, lang: str) -> str:
    """One provenance block for a whole page: every machine whose results its markers show, listed once.

    `text` is the page's source; '' when the page shows no measured results.
    """
    lang = language(lang)
    found: list[tuple[Row, dict | None]] = []
    seen: set[tuple[int, str]] = set()
    ratios = False  # a claim, or a table with a baseline, shows ratios of times
    for _, _, marker in find(text, page, lang):
        shown = _marker_rows(marker)
        ratios = ratios or bool(shown) and (marker.name == "claim" or _shows_ratios(marker))
        for row, work in shown:
            r = row.record
            key = (row.machine.name, r.snippet, r.case.framework, r.case.mode, r.device.name, repr(sorted((work or {}).items())))
            if key not in seen:
                seen.add(key)
                found.append((row, work))
    if not found:
        return ""
    items = "\n".join(f"- {line}" for line in provenance(found, page, lang, ratios))
    return (f'\n\n<div class="ramverk-provenance" markdown>\n\n**{t(lang, "provenance_title")}**\n\n{items}\n\n</div>\n')


def _device_columns_table(cases, columns, by_cell, by_framework_column, baseline, work, shared, lang) -> tuple[list[str], list[Row]]:
    """A column per device, each cell all of that case's figures there; in the chart's order: row by row,
    column by column."""
    header = [t(lang, "case")] + [device_header(column, lang) for column in columns]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    in_table_order = []
    for framework, mode in cases:
        cells = [f"{display_name(framework)} · `{mode}`"]
        for column in columns:
            row = by_cell.get((framework, mode, column))
            label = device_name(column[1], lang)
            if row is None:
                cells.append(f'<span class="ramverk-cell-device">{label}</span>–')
                continue
            in_table_order.append(row)
            gain = speedup(row, baseline, by_framework_column[(framework, column)])
            cells.append(_cell(row, lang, gain, work, baseline, shared, label))
        table.append("| " + " | ".join(cells) + " |")
    return table, in_table_order


def timing(marker: Marker) -> str:
    selected = selected_rows(marker, OPTIONS)
    if isinstance(selected, str):
        return selected
    snip, found = selected
    over = roofline.rates_over_ceiling(found, snip.benchmark.work)
    if over:  # a rate above its ceiling is a broken measurement or a wrong ceiling, never a share over 100 %
        raise MarkerError(f"{marker.where()}: " + "; ".join(over))
    lang = language(marker.lang)
    baseline = marker.options.get("baseline", snip.benchmark.baseline)
    if marker.options.get("chart", "yes") not in ("yes", "no"):
        raise MarkerError(f"{marker.where()}: chart must be yes or no")
    columns = sorted({r.column for r in found})
    cases = sorted({(r.record.case.framework, r.record.case.mode) for r in found},
                   key=lambda c: (snip.benchmark.frameworks.index(c[0]) if c[0] in snip.benchmark.frameworks else 99,
                                  snip.benchmark.modes.get(c[0], []).index(c[1]) if c[1] in snip.benchmark.modes.get(c[0], []) else 99))
    by_cell = {(r.record.case.framework, r.record.case.mode, r.column): r for r in found}
    by_framework_column: dict[tuple, dict[str, Row]] = defaultdict(dict)
    for r in found:
        by_framework_column[(r.record.case.framework, r.column)][r.record.case.mode] = r
    shared = shared_limits(found, snip.benchmark.work)
    if len(columns) == 1:
        table, in_table_order = _one_device_table(cases, columns[0], by_cell, by_framework_column, baseline,
                                                  snip.benchmark.work, shared, lang)
    else:
        table, in_table_order = _device_columns_table(cases, columns, by_cell, by_framework_column, baseline,
                                                      snip.benchmark.work, shared, lang)
    chart = ""
    if marker.options.get("chart", "yes") == "yes" and len(found) > 1:
        chart = "\n" + charts.bar_chart_html(in_table_order, lang, title=snip.rel) + "\n"
    note = "" if any(r.record.device.kind == "cuda" for r in found) else gpu_note(marker, snip)
    lines = [t(lang, "table_caption"), *limit_lines(shared, lang, len(columns))]
    limits = "".join(f"\n{line}\n{{: .ramverk-limit-line }}\n" for line in lines)
    # The provenance (machines, versions, how each limit was obtained) is one block per page: hooks/provenance.py.
    # The wrapper: compact on a desktop, one card per case on a phone (ramverk.css).
    return ('\n<div class="ramverk-timing" markdown>\n\n' + "\n".join(table) + "\n\n</div>\n" + limits
            + (f"\n{note}\n" if note else "") + chart + "\n")


def _unmeasured_on_gpu(marker: Marker, snip: snippet_spec.Snippet | None = None) -> bool:
    """Whether the table could show a GPU (the snippet and a framework it shows run on one) but no GPU measured it."""
    try:
        snip = snip or spec_of(marker)
    except MarkerError:
        return False  # that marker's own rendering says what is wrong
    wanted = _list(marker, "frameworks") or snip.benchmark.frameworks
    if "cuda" not in snip.benchmark.devices or not any("cuda" in frameworks.get(f).devices for f in wanted):
        return False
    shown = rows(marker.target, _list(marker, "frameworks"), _list(marker, "modes"))
    return not any(r.record.device.kind == "cuda" for r in shown)


def gpu_note(marker: Marker, snip: snippet_spec.Snippet) -> str:
    """One note per page saying which of its tables no GPU has measured and the command for each, at the
    last of those tables ('' at the others, and when none of the snippet's frameworks can use a GPU)."""
    if not _unmeasured_on_gpu(marker, snip):
        return ""
    page = site_config.load().root / marker.page
    targets = [marker.target]
    if marker.page and page.is_file():
        later = False
        targets = []
        for _, _, other in find(page.read_text(encoding="utf-8"), marker.page, marker.lang):
            if other.name != "timing" or not _unmeasured_on_gpu(other):
                continue
            if (other.lineno, other.target) == (marker.lineno, marker.target):
                later = True
            elif later:
                return ""  # the note goes under the page's last such table
            if other.target not in targets:
                targets.append(other.target)
        targets = targets or [marker.target]
    commands = "; ".join(f"`.venv/bin/python -m ramverk run --device cuda --only {target}`" for target in targets)
    if len(targets) == 1:
        return f"{t(marker.lang, 'no_gpu', command=commands.strip('`'))}\n{{: .ramverk-gpu-note }}"
    snippets = ", ".join(f"`{target}`" for target in targets)
    return f"{t(marker.lang, 'no_gpu_several', snippets=snippets, commands=commands)}\n{{: .ramverk-gpu-note }}"
