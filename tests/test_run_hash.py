"""A record goes stale when the code its framework ran changes, and only then (issue 23).

A small checkout in tmp_path holds a snippet with a torch and a JAX section, shared code that imports
a sibling snippet, a page, and one current torch record; each case edits one thing and asks the pages'
own staleness test (results_view) whether the record is still current. Then the one-off migration:
on the committed results/ as they were before it, and on a tiny git history of its own.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import helpers
import pytest
from ramverk import sections
from ramverk.contract.results_model import Case, Device, Machine, Record, ResultsFile, Statistics
from ramverk.results import results_store, results_view

SNIPPET = "snippets/topic/demo.py"
SOURCE = '''"""A demo snippet: a docstring, like every snippet's."""

import os

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["eager", "compile"], "jax": ["eager", "jit"]},
    "sizes": {"quick": {"n": 2}, "full": {"n": 8}},
    "baseline": "eager",
}

# --8<-- [start:torch]
import torch


def double(x):
    """Twice x."""
    return x * 2  # the torch section's comment
# --8<-- [end:torch]

# --8<-- [start:jax]
import jax.numpy as jnp


def triple(x):
    return x * 3
# --8<-- [end:jax]

from helper import scale


def build(framework, mode, device, n):
    return lambda: scale(n)


if __name__ == "__main__":
    print(build("torch", "eager", "cpu", 2)())
'''
HELPER = "def scale(n):\n    return n * 2\n"
PAGE = "# Demo\n\n<!-- timing: snippets/topic/demo.py -->\n"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """The checkout, with a torch record measured from the snippet as it is (current)."""
    root = helpers.checkout(tmp_path / "repo")
    (root / "snippets" / "topic").mkdir(parents=True)
    (root / SNIPPET).write_text(SOURCE, encoding="utf-8")
    (root / "snippets" / "topic" / "helper.py").write_text(HELPER, encoding="utf-8")
    (root / "docs" / "topic").mkdir(parents=True)
    (root / "docs" / "topic" / "demo.en.md").write_text(PAGE, encoding="utf-8")
    monkeypatch.setenv("RAMVERK_ROOT", str(root))
    record = _record(sections.run_hash(root / SNIPPET, "torch"))
    machine = Machine(name="box", cpu_model="Test CPU", logical_cores=2, os="Linux", python="3.11.7")
    results_store.save(root / "results" / "box.json", ResultsFile(machine=machine, records=[record]))
    assert not _stale()
    return root


def _record(digest: str, framework: str = "torch", commit: str | None = "0123456789abcdef",
            kind: str = "cpu") -> Record:
    return Record(snippet=SNIPPET, snippet_hash=digest,
                  case=Case(framework=framework, mode="eager", size="full", params={"n": 8}),
                  device=Device(kind=kind, name="Test CPU, 1 thread" if kind == "cpu" else "NVIDIA H200"),
                  framework_version="1.0", threads=1,
                  stats=Statistics(median_s=1e-3, q1_s=9e-4, q3_s=1.1e-3, min_s=8e-4, max_s=2e-3, n=5, number=10),
                  date_utc=datetime(2026, 12, 1, tzinfo=timezone.utc), commit=commit, dirty=False)


def _stale() -> bool:
    (row,) = results_view.rows(SNIPPET)
    return row.stale


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


KEPT = {  # edits that leave a torch record current
    "a comment": (SNIPPET, "# the torch section's comment", "# a reworded comment\n    # and a second line"),
    "a docstring": (SNIPPET, '"""Twice x."""', '"""Two times x,\n    reflowed over two lines."""'),
    "the module docstring": (SNIPPET, "A demo snippet: a docstring", "The demo snippet, said otherwise"),
    "another framework's section": (SNIPPET, "return x * 3", "return x * 4"),
    "another framework's BENCHMARK entry": (SNIPPET, '"jax": ["eager", "jit"]', '"jax": ["jit"]'),
    "the formatting": (SNIPPET, "return lambda: scale(n)", "return (\n        lambda: scale( n )\n    )"),
    "the self-check": (SNIPPET, 'build("torch", "eager", "cpu", 2)', 'build("torch", "eager", "cpu", 3)'),
    "the page": ("docs/topic/demo.en.md", "# Demo", "# Demo, retitled"),
}
STALE = {  # edits to what the torch worker runs
    "its own section": (SNIPPET, "return x * 2", "return x * 5"),
    "the shared code it uses": (SNIPPET, "return lambda: scale(n)", "return lambda: scale(n) + 1"),
    "its BENCHMARK entry (modes)": (SNIPPET, '"torch": ["eager", "compile"]', '"torch": ["eager"]'),
    "its BENCHMARK entry (sizes)": (SNIPPET, '"full": {"n": 8}', '"full": {"n": 16}'),
    "the baseline": (SNIPPET, '"baseline": "eager"', '"baseline": "compile"'),
    "an imported sibling": ("snippets/topic/helper.py", "return n * 2", "return n * 3"),
}


@pytest.mark.parametrize("what", KEPT)
def test_editing_what_the_framework_does_not_run_leaves_its_record_current(checkout, what):
    _edit(checkout, *KEPT[what])
    assert not _stale(), f"editing {what} made the torch record stale"


@pytest.mark.parametrize("what", STALE)
def test_editing_what_the_framework_runs_makes_its_record_stale(checkout, what):
    _edit(checkout, *STALE[what])
    assert _stale(), f"editing {what} left the torch record current"


def test_a_section_that_needs_no_framework_counts_for_every_framework(checkout):
    before = {fw: sections.run_hash(checkout / SNIPPET, fw) for fw in ("torch", "jax")}
    _edit(checkout, SNIPPET, "import os\n", "import os\n\n# --8<-- [start:plain]\nimport numpy as np\n"
                                            "ones = np.ones(3)\n# --8<-- [end:plain]\n")
    after = {fw: sections.run_hash(checkout / SNIPPET, fw) for fw in ("torch", "jax")}
    assert before["torch"] != after["torch"] and before["jax"] != after["jax"]


def test_the_hash_is_the_same_on_the_python_of_the_gpu_machine(checkout, monkeypatch):
    """GPU records are hashed by Python 3.12 there and checked by 3.11 here. 3.12 gave every def and class
    a type_params field (empty but for generics); the normal form leaves empty fields out, so it agrees."""
    import ast

    here = sections.run_hash(checkout / SNIPPET, "torch")
    for node in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        if "type_params" not in node._fields:
            monkeypatch.setattr(node, "_fields", (*node._fields, "type_params"))
            monkeypatch.setattr(node, "type_params", [], raising=False)  # the default every such node reads
    sections._statements.cache_clear()
    assert sections.run_hash(checkout / SNIPPET, "torch") == here
    assert "type_params" not in sections._normal(ast.parse("def f(x):\n    return x\n"))


# --- stale GPU records: kept and marked, never dropped ------------------------------------------

def _write(root: Path, records: list[Record]) -> None:
    machine = Machine(name="box", cpu_model="Test CPU", logical_cores=2, os="Linux", python="3.11.7")
    results_store.save(root / "results" / "box.json", ResultsFile(machine=machine, records=records))


def test_a_stale_record_of_a_device_this_machine_lacks_is_a_note_of_check_results(checkout, monkeypatch):
    from ramverk.checks import marker_checks
    from ramverk.measure import devices

    monkeypatch.setattr(devices, "kinds_here", lambda: frozenset({"cpu"}))
    _write(checkout, [_record("sha256:0000000000000000", kind="cuda")])
    assert marker_checks.results_fresh() == []  # not a failure: no machine here can measure it again
    (note,) = marker_checks.results_kept()
    assert note.startswith(f"{SNIPPET}:1: kept 1 stale cuda record(s) on box (torch/eager)")
    assert "commit 01234567" in note and f"run --device cuda --only {SNIPPET}" in note
    assert json.loads((checkout / "results" / "box.json").read_text())["records"], "the record stays in its file"
    monkeypatch.setattr(devices, "kinds_here", lambda: frozenset({"cpu", "cuda"}))
    (problem,) = marker_checks.results_fresh()  # where a GPU is, it can be measured again: it fails as before
    assert problem.startswith(f"{SNIPPET}:1: results are stale on box") and marker_checks.results_kept() == []


def test_a_stale_cpu_record_still_fails_check_results(checkout, monkeypatch):
    from ramverk.checks import marker_checks
    from ramverk.measure import devices

    monkeypatch.setattr(devices, "kinds_here", lambda: frozenset({"cpu"}))
    _write(checkout, [_record("sha256:0000000000000000")])
    (problem,) = marker_checks.results_fresh()
    assert "results are stale on box" in problem and marker_checks.results_kept() == []


def test_check_results_prints_notes_without_failing(checkout):
    _write(checkout, [_record(sections.run_hash(checkout / SNIPPET, "torch")),
                      _record("sha256:0000000000000000", framework="jax", kind="mps")])
    proc = helpers.ramverk(checkout, "check", "results")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"note: {SNIPPET}:1: kept 1 stale mps record(s)" in proc.stdout
    assert "all good, 1 note(s)" in proc.stdout


# --- the migration --------------------------------------------------------------------------------

def _migration():
    spec = importlib.util.spec_from_file_location("migrate_run_hash", helpers.ROOT / "scripts" / "migrate_run_hash.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BEFORE_MIGRATION = "c4d0eca"  # the last commit whose results/ carried the old hashes


def test_the_migration_on_a_copy_of_results_keeps_every_record_that_was_current(tmp_path):
    git = ["git", "-C", str(helpers.ROOT)]
    if subprocess.run([*git, "cat-file", "-e", f"{BEFORE_MIGRATION}^{{commit}}"], capture_output=True).returncode:
        pytest.skip(f"commit {BEFORE_MIGRATION} is not in this clone (a shallow one?)")
    names = subprocess.run([*git, "ls-tree", "--name-only", f"{BEFORE_MIGRATION}:results"], capture_output=True,
                           text=True, check=True).stdout.split()
    copies = []
    for name in names:
        copies.append(tmp_path / name)
        copies[-1].write_bytes(subprocess.run([*git, "show", f"{BEFORE_MIGRATION}:results/{name}"],
                                              capture_output=True, check=True).stdout)
    migration = _migration()
    before = {(p.name, r.key()): migration.current(r, helpers.ROOT, old=True)
              for p in copies for r in results_store.load(p).records}
    counts = migration.run(copies, root=helpers.ROOT)
    assert counts["migrated"] == counts["records"] == len(before) > 0  # each matched the code it measured
    after = {(p.name, r.key()): migration.current(r, helpers.ROOT, old=False)
             for p in copies for r in results_store.load(p).records}
    lost = [key for key, current in before.items() if current and not after[key]]
    assert not lost, f"current before the migration, stale after: {lost}"
    assert migration.run(copies, root=helpers.ROOT)["already"] == len(before)  # a second run changes nothing


def test_the_migration_uses_the_code_at_the_records_commit(tmp_path):
    """Measured at the first commit; the second reworded a comment (old hash: stale; new: current), the
    third changed the JAX section (the torch record stays current, the JAX one goes stale). A record whose
    hash matches no version of the file is left as it was."""
    root = helpers.checkout(tmp_path / "repo")
    (root / "snippets" / "topic").mkdir(parents=True)
    (root / SNIPPET).write_text(SOURCE, encoding="utf-8")
    (root / "snippets" / "topic" / "helper.py").write_text(HELPER, encoding="utf-8")

    def commit(message: str) -> str:
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", message], cwd=root, check=True, env=env)
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()

    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    measured = commit("measured here")
    migration = _migration()
    # the old hash: of the file's bytes and of the sibling snippets it imports
    old = "sha256:" + hashlib.sha256(SOURCE.encode() + HELPER.encode()).hexdigest()[:16]
    _edit(root, SNIPPET, "# the torch section's comment", "# reworded")
    commit("a comment")
    _edit(root, SNIPPET, "return x * 3", "return x * 4")
    commit("the JAX section")
    records = [_record(old, "torch", measured), _record(old, "jax", measured),
               _record("sha256:00000000000000ff", "torch", measured).model_copy(update={"device": Device(
                   kind="cuda", name="NVIDIA H200")})]
    path = tmp_path / "box.json"
    machine = Machine(name="box", cpu_model="Test CPU", logical_cores=2, os="Linux", python="3.11.7")
    results_store.save(path, ResultsFile(machine=machine, records=records))
    counts = migration.run([path], root=root)
    assert counts == {"records": 3, "current_before": 0, "migrated": 2, "already": 0, "left": 1, "current_after": 1}
    kept = {(r.device.kind, r.case.framework): r.snippet_hash for r in results_store.load(path).records}
    assert kept[("cpu", "torch")] == sections.run_hash(root / SNIPPET, "torch")  # current again
    assert kept[("cpu", "jax")] not in (old, sections.run_hash(root / SNIPPET, "jax"))  # new hash, of the old code
    assert kept[("cuda", "torch")] == "sha256:00000000000000ff"  # left stale, and kept
