"""The trace marker: a committed profiler trace drawn as an SVG timeline, in the page's language.

`<!-- trace: results/traces/<name>.json -->` on its own line becomes a figure: one lane per thread,
one row per call depth, each event a box (its name and duration in its tooltip), the gaps in which a
thread runs nothing shaded and marked, an axis in ms from the step's start, the events with the longest
self time numbered and listed, and a caption with the trace's provenance. The SVG is written here from
numbers; every string from the trace (operator and thread names) is data from a file a contributor may
have written, so each one is escaped, and the drawing uses no links, scripts, styles or url() at all.

The figure is inline SVG, which the page sanitiser refuses in a page's own HTML: the publish-safety
hook sets aside exactly the figures `drawn()` knows this process drew (see hooks/publish_safety.py) and
judges anything else, so a page cannot pass its own <svg> off as one. It scrolls sideways in its own box
on a narrow screen (ramverk.css, wide-formulas.js).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from dataclasses import dataclass

from ramverk.contract import site_config, trace_model
from ramverk.contract.frameworks import display_name
from ramverk.contract.page_text import device_name, t
from ramverk.render import number_format as nf
from ramverk.render.markers import Marker, MarkerError

WIDTH = 680  # CSS px: the widest content column; on a phone the box scrolls rather than shrinking the text
PLOT_LEFT, PLOT_RIGHT = 12, WIDTH - 12
ROW, ROW_GAP = 16, 2
MAX_DEPTH = 6  # rows drawn per lane; deeper events are counted in the caption
LABELLED = 3  # how many of the longest self times are numbered
MIN_GAP_PX = 3  # a gap narrower than this on the axis is not drawn
FONT = 12
COLOURS = ("#3f51b5", "#00897b", "#8e24aa", "#f4511e", "#6d4c41", "#546e7a")  # by depth
IDLE_FILL, IDLE_EDGE = "#fde0dc", "#c62828"
OPTIONS: set[str] = set()
_drawn: dict[str, None] = {}  # the figures this process drew, for the publish-safety hook


@dataclass(frozen=True)
class Box:
    lane: int
    depth: int
    start: float  # µs
    dur: float
    name: str
    self_us: float


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def layout(trace: trace_model.TraceFile) -> tuple[list[str], list[Box]]:
    """Lane names (one per thread, the one whose first event starts first on top) and every span as a Box with its call
    depth (how many spans on its thread contain it) and self time (its duration less its children's)."""
    names = trace.thread_names()
    first: dict[tuple[int, int], float] = {}
    for span in trace.spans():
        first[(span.pid, span.tid)] = min(span.ts, first.get((span.pid, span.tid), span.ts))
    lanes = sorted(first, key=lambda lane: (first[lane], lane))  # the thread that starts the step first
    boxes: list[Box] = []
    for index, lane in enumerate(lanes):
        spans = sorted((s for s in trace.spans() if (s.pid, s.tid) == lane), key=lambda s: (s.ts, -s.dur))
        stack: list[list] = []  # [end, child time, span, depth]
        done: list[tuple] = []
        for span in spans:
            while stack and span.ts >= stack[-1][0] - 1e-6:
                done.append(stack.pop())
            if stack:
                stack[-1][1] += span.dur
            stack.append([span.ts + span.dur, 0.0, span, len(stack)])
        done.extend(stack)
        for _end, children, span, depth in done:
            boxes.append(Box(index, depth, span.ts, span.dur, span.name, max(span.dur - children, 0.0)))
    boxes.sort(key=lambda b: (b.lane, b.depth, b.start))
    return [names.get(lane, f"{lane[1]}") for lane in lanes], boxes


def step_levels(boxes: list[Box], lanes: int, end: float) -> list[int]:
    """Per lane, the depth whose events count as work: 1 where the lane's one outermost event is the
    step's own annotation (it covers the whole step), else 0."""
    out = []
    for lane in range(lanes):
        outer = [b for b in boxes if b.lane == lane and b.depth == 0]
        whole = len(outer) == 1 and outer[0].start <= 0 and outer[0].start + outer[0].dur >= end - 1e-6
        out.append(1 if whole else 0)
    return out


def idle_gaps(boxes: list[Box], lanes: int, end: float) -> list[tuple[int, float, float]]:
    """(lane, start, end) of each stretch of the step in which a lane runs no event, the step's own
    annotation aside (step_levels)."""
    levels = step_levels(boxes, lanes, end)
    out = []
    for lane in range(lanes):
        mine, level = [b for b in boxes if b.lane == lane], levels[lane]
        busy = sorted((b.start, b.start + b.dur) for b in mine if b.depth == level and b.dur > 0)
        cursor = 0.0
        for start, stop in busy + [(end, end)]:
            if start > cursor:
                out.append((lane, cursor, start))
            cursor = max(cursor, stop)
    return out


def slowest(boxes: list[Box], count: int = LABELLED) -> list[Box]:
    """The events with the longest self time; Python frames ($file:line, jax's Python tracer) and the
    step's annotation are the frame around the work, not an operator, and are left out."""
    candidates = [b for b in boxes if not b.name.startswith("$") and not (b.depth == 0 and b.start <= 0)]
    return sorted(candidates, key=lambda b: -b.self_us)[:count]


def _nice_step(span_ms: float, ticks: int = 8) -> float:
    raw = span_ms / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def svg(trace: trace_model.TraceFile, lang: str, ident: str) -> str:
    """The timeline as an <svg> element (role img, its <title> and <desc> the text alternative)."""
    p = trace.ramverk
    lane_names, boxes = layout(trace)
    end = max(b.start + b.dur for b in boxes)
    scale = (PLOT_RIGHT - PLOT_LEFT) / end if end > 0 else 1.0
    gaps = idle_gaps(boxes, len(lane_names), end)
    levels = step_levels(boxes, len(lane_names), end)
    numbers = {id(b): n for n, b in enumerate(slowest(boxes), 1)}
    top = slowest(boxes)
    shown = [b for b in boxes if b.depth < MAX_DEPTH]
    parts: list[str] = []
    y = 4
    lane_top: list[int] = []
    for index, name in enumerate(lane_names):
        depth = min(MAX_DEPTH, 1 + max(b.depth for b in boxes if b.lane == index))
        y += FONT + 4
        parts.append(f'<text x="{PLOT_LEFT}" y="{y}" font-weight="bold">{_esc(t(lang, "trace_thread"))}: '
                     f'{_esc(name)}</text>')
        y += 6
        lane_top.append(y)
        height = depth * (ROW + ROW_GAP)
        below = levels[index] * (ROW + ROW_GAP)  # a gap is drawn under the step's own annotation, if any
        for lane, start, stop in gaps:
            if lane == index and (stop - start) * scale >= MIN_GAP_PX:
                x, w = PLOT_LEFT + start * scale, (stop - start) * scale
                parts.append(f'<rect x="{x:.1f}" y="{y + below - 1}" width="{w:.1f}" height="{height - below + 1}" '
                             f'fill="{IDLE_FILL}" stroke="{IDLE_EDGE}" stroke-dasharray="3 2"/>')
                if w > 40:
                    parts.append(f'<text x="{x + w / 2:.1f}" y="{y + (height + below) / 2 + 4:.1f}" '
                                 f'text-anchor="middle" fill="{IDLE_EDGE}">{_esc(t(lang, "trace_idle"))}</text>')
        for b in shown:
            if b.lane != index:
                continue
            x, w = PLOT_LEFT + b.start * scale, max(b.dur * scale, 0.6)
            tip = f"{b.name}: {nf.duration(b.dur / 1e6, lang)}"
            parts.append(f'<rect x="{x:.2f}" y="{y + b.depth * (ROW + ROW_GAP)}" width="{w:.2f}" height="{ROW}" '
                         f'fill="{COLOURS[b.depth % len(COLOURS)]}"><title>{_esc(tip)}</title></rect>')
            row_y = y + b.depth * (ROW + ROW_GAP)
            number = numbers.get(id(b))
            if number:  # numbered at its start, as listed under the axis
                parts.append(f'<circle cx="{x + 8:.1f}" cy="{row_y + ROW / 2:.1f}" r="8" fill="#fff" stroke="#000"/>'
                             f'<text x="{x + 8:.1f}" y="{row_y + ROW / 2 + 4:.1f}" text-anchor="middle" '
                             f'font-weight="bold">{number}</text>')
            indent = 19 if number else 3
            if w > 60:  # the name where it fits
                chars = int((w - indent - 3) / 7)
                label = b.name if len(b.name) <= chars else b.name[: max(chars - 1, 1)] + "…"
                parts.append(f'<text x="{x + indent:.1f}" y="{row_y + 12}" fill="#fff" '
                             f'font-size="11">{_esc(label)}</text>')
        y += height + 6
    # the axis, in ms from the step's start
    axis_y = y + 2
    parts.append(f'<line x1="{PLOT_LEFT}" y1="{axis_y}" x2="{PLOT_RIGHT}" y2="{axis_y}" stroke="#000"/>')
    step_ms = _nice_step(end / 1000)
    value = 0.0
    while value <= end / 1000 + 1e-9:
        x = PLOT_LEFT + value * 1000 * scale
        anchor = "start" if value == 0 else "middle"
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#000"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 18}" text-anchor="{anchor}">'
                     f'{_esc(nf.tick(round(value, 6), lang))}</text>')
        value += step_ms
    y = axis_y + 36
    parts.append(f'<text x="{(PLOT_LEFT + PLOT_RIGHT) / 2}" y="{y}" text-anchor="middle">'
                 f'{_esc(t(lang, "trace_axis"))}</text>')
    y += 24
    parts.append(f'<text x="{PLOT_LEFT}" y="{y}" font-weight="bold">{_esc(t(lang, "trace_slowest"))}</text>')
    for number, b in enumerate(top, 1):
        y += FONT + 6
        line = f"{number}  {b.name}: {nf.duration(b.self_us / 1e6, lang)} ({lane_names[b.lane]})"
        parts.append(f'<text x="{PLOT_LEFT}" y="{y}">{_esc(line)}</text>')
    height = y + 10
    title = t(lang, "trace_title", snippet=p.snippet, framework=display_name(p.framework), mode=p.mode)
    slow_text = "; ".join(f"{b.name} {nf.duration(b.self_us / 1e6, lang)}" for b in top)
    idle = "; ".join(
        t(lang, "trace_idle_share", share=nf.percent(sum(s - a for lane, a, s in gaps if lane == i) / end, lang),
          lane=name) for i, name in enumerate(lane_names))
    desc = t(lang, "trace_summary", lanes=nf.count(len(lane_names), lang), spans=nf.count(len(boxes), lang),
             total=nf.duration(end / 1e6, lang), slowest=slow_text, idle=idle)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{ident}-title {ident}-desc" font-size="{FONT}" '
            f'font-family="sans-serif"><title id="{ident}-title">{_esc(title)}</title>'
            f'<desc id="{ident}-desc">{_esc(desc)}</desc>{"".join(parts)}</svg>')


def caption(trace: trace_model.TraceFile, lang: str, stale: bool) -> str:
    """The provenance under the picture, as Markdown-free HTML text (escaped)."""
    p = trace.ramverk
    _, boxes = layout(trace)
    params = ", ".join(f"{k}={v}" for k, v in p.params.items())
    commit = (p.commit or "–")[:8] + ("+dirty" if p.dirty else "")
    text = t(lang, "trace_caption", profiler=p.profiler, snippet=p.snippet, framework=display_name(p.framework),
             version=p.framework_version, mode=p.mode, params=params, device=device_name(p.device.name, lang),
             machine=p.machine, date=p.date_utc.date().isoformat(), commit=commit)
    deeper = sum(1 for b in boxes if b.depth >= MAX_DEPTH)
    if deeper:
        text += t(lang, "trace_deeper", depth=MAX_DEPTH, n=deeper)
    if stale:
        text += t(lang, "trace_stale", snippet=p.snippet, framework=p.framework, mode=p.mode)
    # the catalogue writes code as `...`: shown as <code>, everything else escaped
    pieces = text.split("`")
    return "".join(f"<code>{_esc(piece)}</code>" if i % 2 else _esc(piece) for i, piece in enumerate(pieces))


def is_stale(trace: trace_model.TraceFile) -> bool:
    """The snippet's code for this framework has changed since the trace was taken (as results go stale)."""
    from ramverk import sections

    path = site_config.load().root / trace.ramverk.snippet
    try:
        return sections.run_hash(path, trace.ramverk.framework) != trace.ramverk.snippet_hash
    except (FileNotFoundError, SyntaxError):
        return True


def load_for(marker: Marker) -> trace_model.TraceFile:
    """The marker's trace, or MarkerError naming page and line: the file must be a trace under results/traces/."""
    target = marker.target
    root = site_config.load().root
    folder = (root / "results" / "traces").resolve()
    path = (root / target).resolve()
    if not target.endswith(".json") or path.parent != folder:
        raise MarkerError(f"{marker.where()}: a trace marker names a file results/traces/<name>.json")
    unknown = set(marker.options) - OPTIONS
    if unknown:
        raise MarkerError(f"{marker.where()}: unknown option(s) {', '.join(sorted(unknown))} (a trace marker has none)")
    try:
        return trace_model.load(path, shown_as=target)
    except trace_model.TraceError as error:
        raise MarkerError(f"{marker.where()}: {error}") from None


def figure(trace: trace_model.TraceFile, lang: str, ident: str, stale: bool = False) -> str:
    return (f'<figure class="ramverk-trace"><div class="ramverk-trace-scroll">{svg(trace, lang, ident)}</div>'
            f"<figcaption>{caption(trace, lang, stale)}</figcaption></figure>")


def trace(marker: Marker) -> str:
    """The marker's handler: the figure, on one line, remembered for the publish-safety hook."""
    found = load_for(marker)
    lang = marker.lang or site_config.load().languages[0]
    ident = "ramverk-trace-" + hashlib.sha256(f"{marker.page}:{marker.lineno}".encode()).hexdigest()[:8]
    out = figure(found, lang, ident, stale=is_stale(found))
    remember(out)
    return out


def remember(drawn_figure: str) -> None:
    """Count a figure as drawn: by trace(), or by an earlier build of the same inputs (the build memo)."""
    _drawn[drawn_figure] = None
    while len(_drawn) > 256:  # a long `serve` session: only the latest build's figures matter
        del _drawn[next(iter(_drawn))]


def drawn(text: str) -> bool:
    """Whether this process drew exactly this figure (the publish-safety hook sets only those aside)."""
    return text in _drawn


FIGURE = re.compile(r'<figure class="ramverk-trace">.*?</figure>', re.S)


def drawn_in(text: str) -> list[str]:
    """The figures in text that this process drew."""
    return [m[0] for m in FIGURE.finditer(text) if m[0] in _drawn]
