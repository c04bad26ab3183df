"""SVG bar charts of measured times (median, IQR error bars), labelled in the page's language.

Drawn offline by matplotlib with text kept as text, embedded in the page as a data: URI (no
request leaves the site), and cached under .cache/charts/ by a hash of the data, so a chart
is only redrawn when its numbers or language change.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json

from ramverk import number_format as nf, site_config
from ramverk.frameworks import display_name
from ramverk.page_text import t
from ramverk.results_view import Row


def _bars(rows: list[Row]) -> list[dict]:
    multi = len({r.column for r in rows}) > 1
    out = []
    for r in rows:
        s = r.record.stats
        label = f"{display_name(r.record.case.framework)} · {r.record.case.mode}"
        if multi:
            label += f"\n{r.record.device.name}"
        out.append({"label": label, "median": s.median_s, "q1": s.q1_s, "q3": s.q3_s})
    return out


def _draw(bars: list[dict], lang: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "ramverk", "font.size": 9})
    unit, factor = nf.time_unit(max(b["median"] for b in bars))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(bars) + 1.1))
    y = list(range(len(bars)))[::-1]
    medians = [b["median"] * factor for b in bars]
    errors = [[(b["median"] - b["q1"]) * factor for b in bars], [(b["q3"] - b["median"]) * factor for b in bars]]
    ax.barh(y, medians, xerr=errors, color="#3f51b5", ecolor="#222", capsize=3)
    ax.set_yticks(y, [b["label"] for b in bars])
    if max(medians) / max(min(medians), 1e-12) > 100:
        ax.set_xscale("log")
    for yi, value in zip(y, medians):
        ax.text(value, yi, " " + nf.duration(value / factor, lang, unit), va="center", fontsize=8)
    ax.set_xlabel(f"{t(lang, 'chart_axis')} ({unit})")
    ax.set_title(t(lang, "chart_title"), fontsize=9)
    ax.margins(x=0.25)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()


def bar_chart_svg(rows: list[Row], lang: str) -> str:
    bars = _bars(rows)
    key = hashlib.sha256(json.dumps([bars, lang, 1], sort_keys=True).encode()).hexdigest()[:20]
    cache = site_config.load().root / ".cache" / "charts" / f"{key}.svg"
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    svg = _draw(bars, lang)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(cache)
    return svg


def bar_chart_html(rows: list[Row], lang: str, title: str) -> str:
    svg = bar_chart_svg(rows, lang)
    data = base64.b64encode(svg.encode()).decode()
    alt = html.escape(f"{t(lang, 'chart_title')}: {title}", quote=True)
    return f'<figure class="ramverk-chart"><img alt="{alt}" src="data:image/svg+xml;base64,{data}"></figure>'
