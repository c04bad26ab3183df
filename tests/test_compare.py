"""`ramverk compare`: it says what it will measure (and how long) before it measures, never takes a
committed reference file for this machine's results, and warns when the machine is too busy to measure.

Each test writes one tiny plain-Python snippet into a temporary checkout and runs it with --quick.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import pytest
from helpers import PYPROJECT
from ramverk.contract.results_model import ResultsFile
from ramverk.results import results_store
from ramverk.verbs import compare

SNIPPET = '''
BENCHMARK = {"frameworks": ["python"], "modes": {"python": ["a", "b"]},
             "sizes": {"quick": {"n": 50}, "full": {"n": 500}}, "baseline": "a"}


def build(framework, mode, device, n):
    data = list(range(n))
    return (lambda: sum(data)) if mode == "a" else (lambda: sum(data + data))
'''


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "snippets" / "t").mkdir(parents=True)
    (tmp_path / "snippets" / "t" / "good.py").write_text(SNIPPET)
    return tmp_path


def compare_cli(root: Path, *args: str, capsys) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    compare.setup(parser.add_subparsers().add_parser("compare"))
    ns = parser.parse_args(["compare", "--root", str(root), "--quick", *args])
    code = ns.run(ns)
    return code, capsys.readouterr().out


def save_reference(root: Path, name: str, source: str, factor: float) -> None:
    """results/<name>.json: the records of results/<source>.json, `factor` times slower."""
    mine = results_store.load(root / "results" / f"{source}.json")
    slower = [r.model_copy(update={"stats": r.stats.model_copy(update={"median_s": r.stats.median_s * factor})})
              for r in mine.records]
    results_store.save(root / "results" / f"{name}.json",
                       ResultsFile(machine=mine.machine.model_copy(update={"name": name}), records=slower))


@pytest.fixture
def idle(monkeypatch):
    monkeypatch.setattr(compare, "load_per_core", lambda: 0.0)


def test_says_what_it_will_measure_and_how_long_before_measuring(root, capsys, idle):
    code, out = compare_cli(root, "--machine", "mine", "--yes", capsys=capsys)
    assert code == 0, out
    announced = out.index("compare: this machine has no up-to-date results for 1 of 1 group(s); "
                          "measuring them first takes about")
    assert "--no-run compares only what is measured already" in out
    assert announced < out.index("measured 1 group(s), 0 failed")
    assert (root / "results" / "mine.json").exists()


def test_no_run_measures_nothing_says_what_it_compared_and_the_next_command(root, capsys, idle):
    code, out = compare_cli(root, "--machine", "mine", "--no-run", capsys=capsys)
    assert not (root / "results" / "mine.json").exists()
    # no plan of runs it will not do, no sandbox details without -v
    assert "plan:" not in out and "to run" not in out and "isolation" not in out and "measuring them first" not in out
    assert "compare: this machine's results: " in out and "mine.json (machine 'mine'), size quick" in out
    # a reference exists but this machine has measured nothing: say what was held against what, fail
    compare_cli(root, "--machine", "ref", "--yes", capsys=capsys)
    code, out = compare_cli(root, "--machine", "mine", "--no-run", capsys=capsys)
    assert code == 1, out
    assert ("compare: compared nothing: this machine (mine) has no quick results in" in out
            and "to hold against ref (2 record(s))" in out), out
    last = out.rstrip().splitlines()[-1]
    assert re.fullmatch(r"compare: next: `python -m ramverk compare --yes --quick --machine mine --root \S+` "
                        r"measures the 1 group\(s\) this machine "
                        r"has no up-to-date results for, in about \d+ s \(--dry-run lists them\)", last), out
    # measured here too: what it compared, and no next command
    compare_cli(root, "--machine", "mine", "--yes", capsys=capsys)
    code, out = compare_cli(root, "--machine", "mine", "--no-run", capsys=capsys)
    assert code == 0, out
    assert "compare: compared 2 quick record(s) of this machine (mine) with ref (2 record(s)): 2 pair(s)" in out
    assert "next:" not in out


def test_verbose_shows_the_whole_plan(root, capsys, idle):
    code, out = compare_cli(root, "--machine", "mine", "--no-run", "-v", capsys=capsys)
    assert "isolation of the workers:" in out and "plan: 1 group(s): 1 to run" in out


def test_on_a_terminal_it_asks_and_no_means_nothing_is_measured(root, capsys, idle, monkeypatch):
    asked = []
    monkeypatch.setattr(compare.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or "n")
    code, out = compare_cli(root, "--machine", "mine", capsys=capsys)
    assert asked == ["Measure them now? [y/N] "]
    assert "compare: measuring nothing" in out and not (root / "results" / "mine.json").exists()


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=root,
                   check=True, capture_output=True)


def test_a_committed_file_with_this_machines_name_stays_a_reference(root, capsys, idle, monkeypatch):
    """Same CPU model as the reference machine: the automatic name is the committed file's stem."""
    git(root, "init", "-q")
    compare_cli(root, "--machine", "first", "--yes", capsys=capsys)
    save_reference(root, "same-model", "first", 4.0)
    (root / "results" / "first.json").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "reference results")
    monkeypatch.setattr(compare.devices, "default_machine_name", lambda threads: "same-model")
    reference = (root / "results" / "same-model.json").read_bytes()

    code, out = compare_cli(root, "--yes", capsys=capsys)
    assert code == 0, out
    assert "same-model.json is a committed reference with this machine's automatic name" in out
    assert "(machine 'same-model-local')" in out and "no up-to-date results for 1 of 1 group(s)" in out
    assert (root / "results" / "same-model.json").read_bytes() == reference  # the reference is untouched
    assert (root / "results" / "same-model-local.json").exists()
    assert "snippets/t/good.py python/a: your cpu (" in out and "the reference cpu" in out
    assert "same-model)" in out and "no reference results" not in out


def test_an_uncommitted_file_with_the_automatic_name_is_this_machines_own(root, capsys, idle, monkeypatch):
    git(root, "init", "-q")
    monkeypatch.setattr(compare.devices, "default_machine_name", lambda threads: "mine")
    compare_cli(root, "--yes", capsys=capsys)
    save_reference(root, "ref", "mine", 2.0)
    code, out = compare_cli(root, "--yes", capsys=capsys)
    assert code == 0, out
    assert "committed reference" not in out and "(machine 'mine')" in out and "no up-to-date results" not in out
    assert "is 2× the reference cpu" in out


def test_a_busy_machine_gets_a_warning_and_its_figures_are_marked(root, capsys, monkeypatch):
    cores = compare.runner.available_cores()
    monkeypatch.setattr(compare.os, "getloadavg", lambda: (3.0 * cores, 3.0 * cores, 3.0 * cores))
    compare_cli(root, "--machine", "ref", "--yes", capsys=capsys)
    code, out = compare_cli(root, "--machine", "mine", "--yes", capsys=capsys)
    assert code == 0, out
    assert "warning: this machine is busy: load average 3.00 per core" in out
    assert out.index("warning: this machine is busy") < out.index("measured 1 group(s)")
    assert "(measured while busy)" in out
    assert "note: 2 result(s) marked \"measured while busy\"" in out


def test_an_idle_machine_gets_no_busy_warning(root, capsys, monkeypatch):
    monkeypatch.setattr(compare.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    code, out = compare_cli(root, "--machine", "mine", "--yes", capsys=capsys)
    assert code == 0 and "busy" not in out, out


def test_this_machine_cannot_be_its_own_reference(root, capsys, idle):
    compare_cli(root, "--machine", "mine", "--yes", capsys=capsys)
    code, out = compare_cli(root, "--machine", "mine", "--reference", "mine", capsys=capsys)
    assert code == 2 and "compare: mine is this machine's own results" in out
