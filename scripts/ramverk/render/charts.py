"""SVG bar charts of measured times (median, IQR error bars), labelled in the page's language.

Drawn offline by matplotlib with text kept as text, embedded in the page as a data: URI (no
request leaves the site), and cached under .cache/charts/ by a hash of the data, so a chart
is only redrawn when its numbers or language change.

Read on a phone too: the figure is narrow (FIG_WIDTH_IN) and its text large for that width, so
when the image is shrunk to a 390-px screen's column the smallest text stays above 10 CSS px.
Bars come in the order the caller gives (the table's), each value is written past its whisker in
the unit the table uses for it, and a log scale is said on the axis.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json

from ramverk.contract import site_config
from ramverk.contract.files import write_atomic
from ramverk.contract.frameworks import display_name
from ramverk.contract.page_text import device_name, t
from ramverk.render import number_format as nf
from ramverk.results.results_view import Row

FIG_WIDTH_IN = 4.6  # 331 pt wide: shrunk to a phone's ~350-px column, 1 pt of text is still ~1.05 px
FONT_PT = 10  # tick labels, axis label, title
VALUE_FONT_PT = 10  # the value beside each bar (as the tick labels: about 10.5 CSS px on a phone)
LOG_ABOVE = 100  # a log scale when the largest median is more than this many times the smallest
VERSION = 3  # part of the cache key: bump when the drawing changes


def _bars(rows: list[Row], lang: str) -> list[dict]:
    """One bar per row, in the given order (the table's: row by row, device by device)."""
    multi = len({r.column for r in rows}) > 1
    out = []
    for r in rows:
        s = r.record.stats
        label = f"{display_name(r.record.case.framework)} · {r.record.case.mode}"
        if multi:
            label += f"\n{device_name(r.record.device.name, lang)}"
        out.append({"label": label, "median": s.median_s, "q1": s.q1_s, "q3": s.q3_s})
    return out


def is_log(bars: list[dict]) -> bool:
    medians = [b["median"] for b in bars]
    return max(medians) / max(min(medians), 1e-12) > LOG_ABOVE


def _draw(bars: list[dict], lang: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "ramverk", "font.size": FONT_PT})
    unit, factor = nf.time_unit(max(b["median"] for b in bars))
    lines = sum(b["label"].count("\n") + 1 for b in bars)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, 0.22 * lines + 0.2 * len(bars) + 1.2))
    y = list(range(len(bars)))[::-1]  # the first bar at the top, as the first row of the table
    medians = [b["median"] * factor for b in bars]
    errors = [[(b["median"] - b["q1"]) * factor for b in bars], [(b["q3"] - b["median"]) * factor for b in bars]]
    ax.barh(y, medians, xerr=errors, color="#3f51b5", ecolor="#222", capsize=3, height=0.6)
    ax.set_yticks(y, [b["label"] for b in bars])
    log = is_log(bars)
    highest = max(b["q3"] for b in bars) * factor
    if log:
        ax.set_xscale("log")
        ax.set_xlim(right=highest * 8)  # room for the value labels, about a decade
    else:
        ax.set_xlim(0, highest * 1.45)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: nf.tick(value, lang)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    for yi, b in zip(y, bars):
        # past the upper whisker, never on it; in the unit the table gives this value
        ax.annotate(nf.duration(b["median"], lang), xy=(b["q3"] * factor, yi), xytext=(5, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=VALUE_FONT_PT)
    scale = f", {t(lang, 'log_scale')}" if log else ""
    ax.set_xlabel(f"{t(lang, 'chart_axis')} ({unit}{scale})")
    ax.set_title(t(lang, "chart_title"), fontsize=FONT_PT)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()


def bar_chart_svg(rows: list[Row], lang: str) -> str:
    bars = _bars(rows, lang)
    key = hashlib.sha256(json.dumps([bars, lang, VERSION], sort_keys=True).encode()).hexdigest()[:20]
    cache = site_config.load().root / ".cache" / "charts" / f"{key}.svg"
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    svg = _draw(bars, lang)
    write_atomic(cache, svg)  # both language builds may write it
    return svg


def bar_chart_html(rows: list[Row], lang: str, title: str) -> str:
    svg = bar_chart_svg(rows, lang)
    data = base64.b64encode(svg.encode()).decode()
    bars = _bars(rows, lang)
    values = "; ".join(f"{b['label'].replace(chr(10), ', ')}: {nf.duration(b['median'], lang)}" for b in bars)
    scale = f" ({t(lang, 'log_scale')})" if is_log(bars) else ""
    alt = html.escape(f"{t(lang, 'chart_title')}{scale}: {title}. {values}", quote=True)
    return f'<figure class="ramverk-chart"><img alt="{alt}" src="data:image/svg+xml;base64,{data}"></figure>'
