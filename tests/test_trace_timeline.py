"""The trace marker: a committed profiler trace drawn as an inline SVG timeline (ramverk/render/trace_timeline.py),
its errors, the publish-safety hook's handling of it, and the picture on the built pages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from ramverk.contract import trace_model
from ramverk.hooks import publish_safety
from ramverk.pages import sanitise
from ramverk.render import trace_timeline
from ramverk.render.markers import Marker, MarkerError

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>'

PROVENANCE = {
    "snippet": "snippets/execution/profiling.py", "snippet_hash": "sha256:0000000000000000", "framework": "torch",
    "framework_version": "2.13.0+cpu", "mode": "plain", "params": {"batch": 2}, "profiler": "torch.profiler",
    "device": {"kind": "cpu", "name": "AMD EPYC, 1 thread"}, "threads": 1, "machine": "test-machine",
    "date_utc": "2026-12-07T00:00:00Z", "commit": "0123456789abcdef", "dirty": False, "python": "3.11.7",
    "os": "Linux",
}


def span(name, ts, dur, tid=1):
    return {"ph": "X", "name": name, "ts": ts, "dur": dur, "pid": 1, "tid": tid}


def synthetic() -> dict:
    """Two threads: the main one runs a step (0-1000 µs) with two operators and a gap between them, the
    first calling a slower one; the other thread runs one operator whose name is hostile markup."""
    return {"traceEvents": [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "main <b>thread</b>"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 2, "args": {"name": "worker"}},
        span("step", 0, 1000),
        span("aten::linear", 0, 400), span("aten::addmm", 10, 380),
        span("aten::relu", 700, 300),
        span(HOSTILE, 100, 200, tid=2),
    ], "ramverk": PROVENANCE}


def write(tmp_path, data, name="t.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_timeline_has_a_lane_per_thread_the_gap_the_axis_and_the_slowest_numbered(tmp_path):
    trace = trace_model.load(write(tmp_path, synthetic()))
    svg = ET.fromstring(trace_timeline.svg(trace, "en", "t1"))  # well-formed XML, so the escaping held
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "Thread: main <b>thread</b>" in texts and "Thread: worker" in texts
    assert "idle" in texts  # the 400-700 µs gap between the main thread's operators (and the worker's)
    ticks = texts[texts.index("0"):]  # the axis comes after the lanes (whose numbered badges are texts too)
    assert [t for t in ticks if re.fullmatch(r"[\d.]+", t)] == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
    assert "time from the step's start (ms)" in texts
    # longest self time: addmm 380 µs, relu 300, the hostile one 200 (linear's own is 20; step is the frame)
    listed = [t for t in texts if re.match(r"\d  ", t)]
    assert [t.replace("\xa0", " ") for t in listed] == [
        "1  aten::addmm: 380 µs (main <b>thread</b>)", "2  aten::relu: 300 µs (main <b>thread</b>)",
        f"3  {HOSTILE}: 200 µs (worker)"]
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "t1-title t1-desc"
    assert svg.find(f"{SVG}title").text.startswith("Profiler timeline: one step of snippets/execution/profiling.py")
    desc = svg.find(f"{SVG}desc").text.replace("\xa0", " ")
    assert desc.startswith("2 threads, 5 events in 1.00 ms. Longest self time: aten::addmm 380 µs;")
    assert desc.endswith("30% of the step on thread main <b>thread</b>; 80% of the step on thread worker.")
    assert not list(svg.iter(f"{SVG}script")) and not list(svg.iter("script"))
    idle = trace_timeline.idle_gaps(*trace_timeline.layout(trace)[1:], 2, 1000.0)
    assert (0, 400.0, 700.0) in idle and (1, 0.0, 100.0) in idle and (1, 300.0, 1000.0) in idle


def test_the_swedish_timeline_writes_swedish_words_and_decimal_commas(tmp_path):
    trace = trace_model.load(write(tmp_path, synthetic()))
    svg = ET.fromstring(trace_timeline.svg(trace, "sv", "t1"))
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert {"Tråd: worker", "vilar", "0,2", "tid från stegets början (ms)"} <= set(texts)


def test_a_hostile_name_comes_out_as_text_that_the_sanitiser_and_the_publish_check_accept(tmp_path):
    trace = trace_model.load(write(tmp_path, synthetic()))
    figure = trace_timeline.figure(trace, "en", "t1")
    assert "<script" not in figure and "&lt;script&gt;" in figure and "<b>" not in figure
    document = f"<!doctype html><html><head><title>t</title></head><body>{figure}</body></html>"
    assert sanitise.document_problems("execution/profiling/index.html", document, set()) == []


def test_the_publish_hook_sets_aside_only_the_figures_the_marker_drew(tmp_path, monkeypatch):
    monkeypatch.setattr(trace_timeline, "load_for", lambda marker: trace_model.load(write(tmp_path, synthetic())))
    monkeypatch.setattr(trace_timeline, "is_stale", lambda trace: False)
    drawn = trace_timeline.trace(Marker("trace", "results/traces/t.json", {}, "docs/p.en.md", "en", 3))
    forged = drawn.replace("<title ", '<title onload="x" ', 1)
    source = "# Page\n\n<!-- trace: results/traces/t.json -->\n"
    page = SimpleNamespace(file=SimpleNamespace(src_uri="p.en.md", content_string=source), meta={})
    out = publish_safety.on_page_markdown(f"# Page\n\n{drawn}\n\n{forged}\n", page, None, None)
    assert drawn not in out and out.count("ramverkchart") == 1  # the drawn one set aside, put back after cleaning
    assert forged in out  # never drawn here: left in the page, where the sanitiser judges and refuses it
    publish_safety._charts.clear()
    publish_safety._problems.clear()


@pytest.mark.parametrize("target, options, message", [
    ("results/traces/missing.json", {}, "results/traces/missing.json: no such trace file"),
    ("results/amd-epyc-1t.json", {}, "a trace marker names a file results/traces/<name>.json"),
    ("results/traces/../../mkdocs.yml", {}, "a trace marker names a file results/traces/<name>.json"),
    ("results/traces/profiling-torch.json", {"width": "3"}, "unknown option(s) width"),
])
def test_a_bad_trace_marker_fails_naming_page_and_line(target, options, message):
    marker = Marker("trace", target, options, "docs/execution/profiling.en.md", "en", 42)
    with pytest.raises(MarkerError) as error:
        trace_timeline.load_for(marker)
    assert str(error.value).startswith(f"docs/execution/profiling.en.md:42: marker 'trace: {target}'")
    assert message in str(error.value)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["traceEvents"].append(span("x", -5, 1)), "greater than or equal to 0"),
    (lambda d: d["traceEvents"].append({**span("x", 0, 1), "args": {"onload": "x"}}), "traceEvents"),
    (lambda d: d.pop("ramverk"), "field ramverk: Field required"),
    (lambda d: d.update(traceEvents=[e for e in d["traceEvents"] if e["ph"] == "M"]), "holds no spans"),
])
def test_an_invalid_trace_file_is_refused_naming_the_file(tmp_path, change, message):
    data = synthetic()
    change(data)
    with pytest.raises(trace_model.TraceError) as error:
        trace_model.load(write(tmp_path, data), shown_as="results/traces/t.json")
    assert str(error.value).startswith("results/traces/t.json: ") and message in str(error.value)


def test_the_committed_traces_are_drawn_on_the_built_pages(built_site):
    for lang, folder, thread in (("sv", built_site, "Tråd: "), ("en", built_site / "en", "Thread: ")):
        page = (folder / "execution" / "profiling" / "index.html").read_text(encoding="utf-8")
        figures = re.findall(r'<figure class="ramverk-trace">.*?</figure>', page, re.S)
        assert len(figures) == 2, lang  # PyTorch's trace and JAX's
        for figure in figures:
            svg = ET.fromstring(re.search(r"<svg .*?</svg>", figure, re.S)[0])
            assert svg.get("role") == "img"
            lanes = [t.text for t in svg.iter(f"{SVG}text") if (t.text or "").startswith(thread)]
            assert lanes, lang
        assert "torch.profiler" in figures[0] and "jax.profiler" in figures[1]
