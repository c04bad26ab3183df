"""The build memo (ramverk/contract/build_memo.py): a warm build publishes what a cold one does, any
change to what the site is built from is a miss, and a memo never lets a page through that a cold
build refuses."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml
from fixtures.payloads_site import GOOD, HOOKS, ROOT, build, make_site
from ramverk.contract import build_memo


@pytest.fixture
def checkout(tmp_path):
    root = tmp_path / "checkout"
    for name in ("docs/page.en.md", "snippets/a.py", "results/m.json", "outputs/a.json",
                 "scripts/ramverk/x.py", "mkdocs.yml", "requirements.lock"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"{name}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("changed", ["docs/page.en.md", "snippets/a.py", "results/m.json", "outputs/a.json",
                                     "scripts/ramverk/x.py", "mkdocs.yml", "requirements.lock",
                                     "docs/new.sv.md"])
def test_any_change_to_what_the_site_is_built_from_changes_the_fingerprint(checkout, changed):
    before = build_memo.fingerprint(checkout)
    (checkout / changed).write_text("changed\n", encoding="utf-8")
    assert build_memo.fingerprint(checkout) != before


def test_caches_and_bytecode_do_not_change_the_fingerprint(checkout):
    before = build_memo.fingerprint(checkout)
    for name in (".cache/build-memo/x/y.json", "scripts/ramverk/__pycache__/x.cpython-311.pyc", "docs/x.pyc"):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_text("anything", encoding="utf-8")
    assert build_memo.fingerprint(checkout) == before


def test_an_upgrade_in_place_changes_the_fingerprint(checkout, monkeypatch, tmp_path):
    before = build_memo.fingerprint(checkout)
    (tmp_path / "site-packages" / "nh3-9.9.9.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(tmp_path / "site-packages"))
    assert build_memo.fingerprint(checkout) != before


def test_the_address_and_the_ramverk_settings_are_inputs(checkout, monkeypatch):
    before = build_memo.fingerprint(checkout, "http://a/")
    assert build_memo.fingerprint(checkout, "http://a/en/") != before
    monkeypatch.setenv("RAMVERK_PENDING_RESULTS", "1")
    assert build_memo.fingerprint(checkout, "http://a/") != before


def test_a_step_is_computed_once_per_inputs_and_key(checkout):
    calls = []

    def compute():
        calls.append(1)
        return {"text": "é", "items": (1, 2)}

    build_memo.begin(checkout)
    try:
        first = build_memo.cached("step", ("a",), compute)
        again = build_memo.cached("step", ("a",), compute)
        build_memo.cached("step", ("b",), compute)
        build_memo.cached("step", ("a", ""), compute)  # the key's parts are kept apart: ("a", "") is not ("a",)
        assert first == again == {"text": "é", "items": [1, 2]}  # a miss gives what a hit gives: JSON's lists
        assert len(calls) == 3
        (checkout / "results" / "m.json").write_text("new\n", encoding="utf-8")
        build_memo.begin(checkout)  # the next build: its inputs changed
        build_memo.cached("step", ("a",), compute)
        assert len(calls) == 4
    finally:
        build_memo.end()


def test_a_failing_step_stores_nothing_and_fails_again(checkout):
    def fail():
        raise ValueError("docs/page.en.md:3: bad marker")

    build_memo.begin(checkout)
    try:
        for _ in range(2):
            with pytest.raises(ValueError, match="bad marker"):
                build_memo.cached("step", ("a",), fail)
    finally:
        build_memo.end()
    assert not list((checkout / ".cache" / "build-memo").rglob("*.json"))


def test_outside_a_build_or_switched_off_every_step_computes(checkout, monkeypatch):
    calls = []
    for _ in range(2):
        build_memo.cached("step", ("a",), lambda: calls.append(1))
    monkeypatch.setenv("RAMVERK_BUILD_MEMO", "off")
    build_memo.begin(checkout)
    for _ in range(2):
        build_memo.cached("step", ("a",), lambda: calls.append(1))
    build_memo.end()
    assert len(calls) == 4
    assert not (checkout / ".cache" / "build-memo").exists()


def test_only_the_newest_fingerprints_are_kept_and_none_a_build_may_still_use(checkout):
    folders = []
    for i in range(build_memo.KEEP + 3):
        (checkout / "docs" / "page.en.md").write_text(f"version {i}\n", encoding="utf-8")
        build_memo.begin(checkout)
        build_memo.cached("step", ("a",), lambda: i)
        folders.append(build_memo._folder)
        if i < 2:  # of builds that ended long ago
            os.utime(folders[-1], (0, i))
    build_memo.end()
    kept = sorted((checkout / ".cache" / "build-memo").iterdir())
    assert folders[0] not in kept and folders[1] not in kept
    assert folders[2] in kept and len(kept) == build_memo.KEEP + 1  # one too many, but touched a moment ago


def test_a_step_whose_entry_cannot_be_written_still_gives_its_value(checkout):
    build_memo.begin(checkout)
    try:
        base = build_memo._folder.parent
        shutil.rmtree(base)
        base.write_text("not a folder", encoding="utf-8")  # as if removed by another build, and worse
        assert build_memo.cached("step", ("a",), lambda: "computed") == "computed"
    finally:
        build_memo.end()


# --- A site with a drawn figure, built cold, warm, changed and attacked -----------------------------

TRACE = "<!-- trace: results/traces/profiling-torch.json -->"


def _site(root):
    make_site(root)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    hooks = [str(HOOKS / "build_memo.py"), *config["hooks"]]
    hooks.insert(hooks.index(str(HOOKS / "publish_safety.py")), str(HOOKS / "markers.py"))
    (root / "mkdocs.yml").write_text(yaml.safe_dump({**config, "hooks": hooks}, allow_unicode=True, width=1000),
                                     encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "snippets", root / "snippets", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "results" / "traces", root / "results" / "traces")
    for lang in ("en", "sv"):
        (root / "docs" / f"trace.{lang}.md").write_text(f"{GOOD}\n{TRACE}\n", encoding="utf-8")
    return root


def _entries(root):
    return {p: p.stat().st_mtime_ns for p in (root / ".cache" / "build-memo").rglob("*.json")}


def _pages(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def test_a_warm_build_publishes_what_a_cold_one_did_and_sees_every_change(tmp_path):
    root = _site(tmp_path / "site-src")
    cold = build(root, tmp_path / "cold")
    assert cold.returncode == 0, cold.stderr[-3000:]
    stored = _entries(root)
    steps = {p.parent.name for p in stored}
    assert {"markers", "sanitise", "source", "document"} <= steps, steps

    warm = build(root, tmp_path / "warm")
    assert warm.returncode == 0, warm.stderr[-3000:]  # the drawn figure, from the memo, is set aside as when drawn
    assert _entries(root) == stored, "a warm build of unchanged inputs computes nothing"
    assert _pages(tmp_path / "warm") == _pages(tmp_path / "cold")
    page = (tmp_path / "warm" / "en" / "trace" / "index.html").read_text(encoding="utf-8")
    assert '<figure class="ramverk-trace">' in page and "aten::" in page

    trace = root / "results" / "traces" / "profiling-torch.json"
    data = json.loads(trace.read_text(encoding="utf-8"))
    names = {e.get("name") for e in data["traceEvents"] if str(e.get("name", "")).startswith("aten::")}
    renamed = sorted(names)[0]
    trace.write_text(trace.read_text(encoding="utf-8").replace(f'"{renamed}"', '"aten::renamed_by_the_test"'),
                     encoding="utf-8")
    changed = build(root, tmp_path / "changed")
    assert changed.returncode == 0, changed.stderr[-3000:]
    page = (tmp_path / "changed" / "en" / "trace" / "index.html").read_text(encoding="utf-8")
    assert "aten::renamed_by_the_test" in page  # a memo never shows what an earlier build saw


def test_a_warm_build_refuses_what_a_cold_one_refused(tmp_path):
    root = _site(tmp_path / "site-src")
    forged = '<figure class="ramverk-trace"><svg><script>alert(1)</script></svg></figure>'
    placeholder = "ramverkchartmemox0"  # the memo's key form of a placeholder, written by a page
    for lang in ("en", "sv"):
        (root / "docs" / f"forged.{lang}.md").write_text(f"{GOOD}\n{forged}\n\n{placeholder}\n", encoding="utf-8")
    outputs = []
    for name in ("cold", "warm"):
        proc = build(root, tmp_path / name)
        assert proc.returncode != 0, f"the {name} build published a forged figure"
        outputs.append(sorted(line for line in proc.stderr.splitlines() if "docs/forged" in line))
    assert outputs[0] and outputs[0] == outputs[1], outputs
    assert any("raw <script>" in line or "<svg>" in line for line in outputs[1]), outputs[1]
