"""The snippet runner: faults, bad input, caching, crash safety and merging.

Fixture snippets are tiny plain-Python ones written into a temporary checkout, run with --quick
and a very short minimum time; only the fidelity test imports torch. The whole module runs in
well under a minute on two cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import PYPROJECT
from ramverk.contract.results_model import Case, Device, Machine, Record, ResultsFile, Statistics
from ramverk.measure import launch, runner, timing
from ramverk.results import results_store
from ramverk.verbs import run as run_verb

SCRIPTS = Path(runner.__file__).resolve().parents[2]  # scripts/ (runner.py is scripts/ramverk/measure/runner.py)
GOOD = '''
BENCHMARK = {{"frameworks": ["python"], "modes": {{"python": ["a", "b"]}},
             "sizes": {{"quick": {{"n": 50}}, "full": {{"n": 500}}}}, "baseline": "a"{extra}}}
print("a chatty snippet prints at import; the report must survive it")


def build(framework, mode, device, n):
    {body}
    data = list(range(n))
    return (lambda: sum(data)) if mode == "a" else (lambda: sum(data + data))
'''
FAULTS = {
    "raises": ('if mode == "b":\n        raise ValueError("boom in b")', "ValueError: boom in b"),
    "hangs": ("import time; time.sleep(600)", "timed out after 3 s"),
    "segfaults": ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "SIGSEGV"),
    "oom": ("big = bytearray(2 << 30)", "out of memory"),
}


def write_snippet(root: Path, name: str, body: str = "pass", extra: str = "", text: str | None = None) -> Path:
    path = root / "snippets" / "t" / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else GOOD.format(body=body, extra=extra))
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


def cli(root: Path, *args: str, capsys=None) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="verb", required=True)
    run_verb.setup(sub.add_parser("run"))
    ns = parser.parse_args(["run", "--root", str(root), "--quick", "--machine", "test", *args])
    code = ns.run(ns)
    out = capsys.readouterr().out if capsys else ""
    return code, out


def records(root: Path) -> list[Record]:
    loaded = results_store.load(root / "results" / "test.json")
    return loaded.records if loaded else []


def test_measures_then_second_run_skips_everything(root, capsys):
    write_snippet(root, "good")
    code, out = cli(root, capsys=capsys)
    assert code == 0, out
    recs = records(root)
    assert [(r.case.mode, r.ratio is not None) for r in recs] == [("a", False), ("b", True)]
    assert recs[1].ratio.baseline_mode == "a" and recs[1].ratio.n >= timing.MIN_ROUNDS
    assert recs[0].device.name.endswith("1 thread") and recs[0].commit is None  # not a git checkout
    before = (root / "results" / "test.json").read_bytes()
    started = time.perf_counter()
    code, out = cli(root, capsys=capsys)
    assert code == 0 and time.perf_counter() - started < 5
    assert "0 to run, 1 up to date" in out
    assert (root / "results" / "test.json").read_bytes() == before
    code, out = cli(root, "--force", capsys=capsys)
    assert code == 0 and "1 measured" in out


def test_dry_run_prints_the_plan_and_runs_nothing(root, capsys):
    write_snippet(root, "good")
    code, out = cli(root, "--dry-run", capsys=capsys)
    assert code == 0 and "1 to run" in out and "estimated" in out
    assert not (root / "results").exists()


@pytest.mark.parametrize(("metadata", "field"), [
    ('{"frameworks": ["python"], "modes": {"python": "a"}, "sizes": {"quick": {}, "full": {}}}', "modes.python"),
    ('{"frameworks": ["mxnet"], "modes": {"mxnet": ["a"]}, "sizes": {"quick": {}, "full": {}}}', "frameworks.0"),
    ('{"frameworks": ["python"], "modes": {"python": ["a"]}, "sizes": {"quick": {}}}', "BENCHMARK"),
    ('dict(frameworks=["python"])', "literal dict"),
])
def test_malformed_metadata_names_file_and_field(root, capsys, metadata, field):
    write_snippet(root, "bad", text=f"BENCHMARK = {metadata}\n\ndef build(*a, **k):\n    return lambda: 1\n")
    write_snippet(root, "good")
    code, out = cli(root, capsys=capsys)
    assert code == 1
    bad_line = next(line for line in out.splitlines() if "BAD SNIPPET" in line)
    assert "snippets/t/bad.py" in bad_line and field in bad_line, bad_line
    assert {r.snippet for r in records(root)} == {"snippets/t/good.py"}  # the rest still ran


def test_unknown_device_is_a_clear_error(root, capsys):
    write_snippet(root, "good")
    code, out = cli(root, "--device", "tpu", capsys=capsys)
    assert code == 2 and "unknown device 'tpu'" in out and "cpu, cuda, mps" in out
    if not runner.devices.cuda_devices():
        code, out = cli(root, "--device", "cuda", capsys=capsys)
        assert code == 2 and "this machine has none" in out


def test_faults_are_reported_and_the_run_goes_on(root, capsys):
    for name, (body, _) in FAULTS.items():
        write_snippet(root, name, body=body, extra=', "timeout_s": 3.0' if name == "hangs" else "")
    write_snippet(root, "zgood")
    started = time.perf_counter()
    code, out = cli(root, capsys=capsys)
    assert code == 1
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert len(failed) == len(FAULTS), out
    for name, (_, reason) in FAULTS.items():
        line = next(line for line in failed if f"snippets/t/{name}.py python/cpu [a, b]" in line)
        assert reason in line, line
    assert {r.snippet for r in records(root)} == {"snippets/t/zgood.py"}  # failed cases are not written
    assert time.perf_counter() - started < 40


def test_memory_limit_lets_a_real_framework_import(root, capsys):
    """16 GiB of address space (the default) is enough for torch, which reserves a lot of it."""
    write_snippet(root, "torchy", text=textwrap.dedent('''
        BENCHMARK = {"frameworks": ["torch"], "modes": {"torch": ["eager"]},
                     "sizes": {"quick": {"n": 8}, "full": {"n": 8}}}

        def build(framework, mode, device, n):
            import torch
            a = torch.ones(n, device=device)
            return lambda: a + a
    '''))
    (root / "pyproject.toml").write_text(PYPROJECT.replace("memory_limit_gib = 1", "memory_limit_gib = 16"))
    code, out = cli(root, capsys=capsys)
    assert code == 0, out
    assert records(root)[0].framework_version.startswith("2.")


@pytest.mark.parametrize("content", ["{not json", json.dumps({"schema_version": 99, "machine": {}, "records": []}),
                                     json.dumps({"schema_version": 1, "machine": {"name": "x"}, "records": []})])
def test_bad_results_file_is_named_and_never_overwritten(root, capsys, content):
    write_snippet(root, "good")
    path = root / "results" / "test.json"
    path.parent.mkdir()
    path.write_text(content)
    code, out = cli(root, capsys=capsys)
    assert code == 2 and str(path) in out.replace("\n", "")
    assert ("newer than this runner" in out) == ("99" in content)
    assert path.read_text() == content


def test_sigkill_mid_run_keeps_results_and_rerun_completes_only_the_rest(root, tmp_path):
    write_snippet(root, "a_fast")
    write_snippet(root, "b_slow", body='import os, time; time.sleep(float(os.environ.get("RAMVERK_TEST_SLEEP", "0")))')
    code = ("import argparse, sys; from ramverk.verbs import run as r; p = argparse.ArgumentParser(); "
            "s = p.add_subparsers(); r.setup(s.add_parser('run')); a = p.parse_args(sys.argv[1:]); sys.exit(a.run(a))")
    argv = [sys.executable, "-c", code, "run", "--root", str(root), "--quick", "--machine", "test"]
    env = dict(os.environ, RAMVERK_TEST_SLEEP="60", PYTHONPATH=str(SCRIPTS))
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    path = root / "results" / "test.json"
    deadline = time.monotonic() + 60
    while not (path.exists() and {r.snippet for r in records(root)} == {"snippets/t/a_fast.py"}):
        assert time.monotonic() < deadline and proc.poll() is None, "the first case never landed"
        time.sleep(0.1)
    time.sleep(1.0)  # b_slow's worker is now sleeping inside build()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = records(root)  # parses, and holds exactly what had finished
    assert {r.snippet for r in kept} == {"snippets/t/a_fast.py"}
    assert not list(path.parent.glob(".*.tmp"))
    env["RAMVERK_TEST_SLEEP"] = "0"
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 to run, 1 up to date" in done.stdout
    after = {(r.snippet, r.case.mode): r for r in records(root)}
    assert len(after) == 4
    assert all(after[(r.snippet, r.case.mode)] == r for r in kept)  # untouched, same date


def _record(snippet: str, mode: str, median: float, day: int) -> Record:
    return Record(snippet=snippet, snippet_hash="sha256:0", case=Case(framework="python", mode=mode, size="full",
                  params={}), device=Device(kind="cpu", name="CPU, 1 thread"), framework_version="3.11",
                  threads=1, stats=Statistics(median_s=median, q1_s=median, q3_s=median, min_s=median,
                  max_s=median, n=1, number=1), date_utc=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day),
                  commit="abc", dirty=False)


def _machine(name: str) -> Machine:
    return Machine(name=name, cpu_model="CPU", logical_cores=2, os="Linux", python="3.11")


def test_merge_is_order_independent_and_reports_conflicts(tmp_path):
    files = {
        "m1.json": ResultsFile(machine=_machine("m1"), records=[_record("s/x.py", "a", 1.0, 0),
                                                                 _record("s/x.py", "b", 2.0, 0)]),
        "m2.json": ResultsFile(machine=_machine("m2"), records=[_record("s/x.py", "a", 3.0, 0)]),
        # a second copy of m1's file: one identical record, one that disagrees (newer)
        "m1-copy.json": ResultsFile(machine=_machine("m1"), records=[_record("s/x.py", "a", 1.0, 0),
                                                                      _record("s/x.py", "b", 2.5, 1)]),
        "m1-same.json": ResultsFile(machine=_machine("m1"), records=[_record("s/x.py", "a", 1.0, 0)]),
    }
    for name, content in files.items():
        results_store.save(tmp_path / name, content)
    paths = [tmp_path / name for name in files]
    views = [results_store.merge(list(order)) for order in itertools.permutations(paths)]
    first = views[0]
    for view in views[1:]:
        assert view.entries == first.entries and view.conflicts == first.conflicts
    assert [(m, r.case.mode, r.stats.median_s) for m, r in first.entries] == [
        ("m1", "a", 1.0), ("m1", "b", 2.5), ("m2", "a", 3.0)]
    assert len(first.conflicts) == 1 and "m1-copy.json" not in first.conflicts[0] and "m1.json" in first.conflicts[0]


def test_save_is_atomic_and_readable(tmp_path):
    path = tmp_path / "m.json"
    results_store.save(path, ResultsFile(machine=_machine("m"), records=[_record("s/x.py", "a", 1.0, 0)]))
    assert results_store.load(path).records[0].stats.median_s == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_interleaved_ratio_tracks_a_known_ratio():
    fns = {"one": lambda: time.sleep(0.001), "two": lambda: time.sleep(0.002)}
    timings = timing.measure(fns, min_time_s=0.05, baseline="one")
    ratio = timings["two"].ratio
    assert ratio.n >= timing.MIN_ROUNDS and 1.4 < ratio.median < 2.6
    assert timings["one"].stats.first_call_s is not None and timings["one"].ratio is None


def test_worker_environment_has_no_credentials_and_pinned_threads(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "x")
    monkeypatch.setenv("MY_API_KEY", "x")
    monkeypatch.setenv("AWS_REGION", "x")
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    env = launch.worker_env(3)
    assert not {"GITHUB_TOKEN", "MY_API_KEY", "AWS_REGION"} & set(env)
    assert env["OMP_NUM_THREADS"] == "3" and env["TF_NUM_INTRAOP_THREADS"] == "3"
    assert env["XLA_FLAGS"].split() == ["--xla_cpu_multi_thread_eigen=true"]  # XLA reads a word without -- as a file
    env = launch.worker_env(1)
    assert env["XLA_FLAGS"].split() == ["--xla_cpu_multi_thread_eigen=false"]


def test_fidelity_benchmark_runs_with_tiny_settings(monkeypatch):
    from ramverk.measure import fidelity

    monkeypatch.setattr(fidelity, "pin_threads", lambda n: None)  # leave this process's environment alone

    rows = fidelity.run(min_time_s=0.02, repeats=1, matmul_n=32, exp_n=1024)
    assert len(rows) == 3 and all(r.ours_s > 0 and r.timer_s > 0 for r in rows)


def test_compare_prints_ratios_against_a_reference_machine(root, capsys):
    from ramverk.verbs import compare

    write_snippet(root, "good")
    assert cli(root, capsys=capsys)[0] == 0
    mine = results_store.load(root / "results" / "test.json")
    slower = [r.model_copy(update={"stats": r.stats.model_copy(update={"median_s": r.stats.median_s * 4})})
              for r in mine.records]
    results_store.save(root / "results" / "ref.json",
                       ResultsFile(machine=mine.machine.model_copy(update={"name": "ref"}), records=slower))
    parser = argparse.ArgumentParser()
    compare.setup(parser.add_subparsers().add_parser("compare"))
    ns = parser.parse_args(["compare", "--root", str(root), "--quick", "--machine", "test"])
    assert ns.run(ns) == 0
    out = capsys.readouterr().out
    # it ran what was missing first (nothing), then compared this machine's records with the reference's
    assert "compared 2 quick record(s) of this machine (test) with ref (2 record(s)): 2 pair(s)" in out
    assert "snippets/t/good.py python/a: your cpu (" in out and "is 4× the reference cpu" in out


@pytest.mark.parametrize("args, message", [
    (["--threads", "0"], "--threads: must be between 1 and"),
    (["--threads", "-1"], "--threads: must be between 1 and"),
    (["--threads", "1000"], "--threads: must be between 1 and"),
    (["--machine", "../../x"], "--machine: '../../x' is not a plain file stem"),
    (["--only", "nonexistent"], "--only nonexistent: no snippet"),
])
def test_bad_options_are_one_line_errors_before_anything_runs(root, capsys, args, message):
    write_snippet(root, "good")
    parser = argparse.ArgumentParser()
    run_verb.setup(parser.add_subparsers(dest="verb", required=True).add_parser("run"))
    ns = parser.parse_args(["run", "--root", str(root), "--quick", *args])
    code = ns.run(ns)
    out = capsys.readouterr().out
    assert code == 2 and message in out, out
    assert not (root / "results").exists() and not (root.parent / "x.json").exists()


def test_a_tree_inside_another_repository_records_no_commit(tmp_path, capsys):
    """An exported tree inside some other checkout must not take that checkout's HEAD."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    root = tmp_path / "export"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    write_snippet(root, "good")
    code, out = cli(root, capsys=capsys)
    assert code == 0, out
    assert {r.commit for r in records(root)} == {None}


def test_an_unwritable_results_dir_keeps_the_measurements_in_a_side_file(root, capsys):
    write_snippet(root, "good")
    (root / "results").write_text("a file where the results folder should be")  # fails even for root
    code, out = cli(root, capsys=capsys)
    assert code == 1 and "NOT SAVED" in out, out
    side = Path(out.split("are kept in ")[1].split()[0])
    saved = results_store.load(side)
    assert {r.case.mode for r in saved.records} == {"a", "b"}
    assert "Traceback" not in out


def test_a_physically_impossible_report_is_rejected(root):
    write_snippet(root, "good", extra=', "work": {"flops": "100*n"}')
    config = runner.Config.from_pyproject(root, quick=True, machine="test")
    group = next(g for g in runner.plan(config).groups)
    stats = Statistics(median_s=1e-12, q1_s=1e-12, q3_s=1e-12, min_s=1e-12, max_s=1e-12, n=5, number=1)
    from ramverk.measure.protocol import ModeReport, Report

    forged = Report(status="ok", modes={m: ModeReport(stats=stats) for m in group.modes})
    assert "below 1e-09 s" in runner.implausible(group, forged, None)
    slow = stats.model_copy(update={k: 1e-3 for k in ("median_s", "q1_s", "q3_s", "min_s", "max_s")})
    fine = Report(status="ok", modes={m: ModeReport(stats=slow) for m in group.modes})
    assert runner.implausible(group, fine, None) is None
    machine = Machine(name="t", cpu_model="x", logical_cores=1, os="x", python="3", cpu_flags=["avx2", "fma"],
                      cpu_max_mhz=1000.0, cpu_vendor="GenuineIntel")  # a core design the data-sheet table knows
    fast = stats.model_copy(update={k: 1e-9 for k in ("median_s", "q1_s", "q3_s", "min_s", "max_s")})
    too_fast = Report(status="ok", modes={m: ModeReport(stats=fast) for m in group.modes})
    assert "more than 2× the device limit" in runner.implausible(group, too_fast, machine)  # 5 TFLOP/s > 2 × 32 GFLOP/s


def test_a_snippet_that_forges_its_report_records_nothing(root, capsys):
    """Issue 22, item 6: build() wrote an "ok" report (1 ns, n=99) on the report pipe and exited, and
    `ramverk run` recorded it as measured. The forgery itself: tests/fixtures/forging_snippet.py."""
    write_snippet(root, "forger", text=(Path(__file__).parent / "fixtures" / "forging_snippet.py").read_text())
    code, out = cli(root, capsys=capsys)
    assert code == 1, out
    failed = [line for line in out.splitlines() if line.startswith("FAILED") and "snippets/t/forger.py" in line]
    line = failed[0] if failed else out
    assert "sent no authenticated report" in line, line
    assert records(root) == [], "a forged report was written to the results"


def test_gpu_workers_get_the_host_cores_and_cpu_workers_the_thread_setting(root):
    config = runner.Config.from_pyproject(root, quick=True)
    cores = runner.available_cores()
    assert config.threads_for("cpu") == 1 and config.threads_for("cuda") == cores
    assert runner.Config.from_pyproject(root, gpu_host_threads=1).threads_for("cuda") == 1


def test_the_checkout_is_found_from_the_working_directory_not_the_installed_package(root):
    """A second clone sharing this venv must read and write its own results/, not this one's."""
    write_snippet(root, "good")
    (root / "mkdocs.yml").write_text("site_name: another clone\n")
    env = {k: v for k, v in os.environ.items() if k != "RAMVERK_ROOT"}
    env["RAMVERK_RESULTS_DIR"] = str(root / "elsewhere")  # no longer a second source of the results folder
    proc = subprocess.run([sys.executable, "-m", "ramverk", "run", "--dry-run", "--quick", "--machine", "t"],
                          cwd=root / "snippets", env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"results: {root / 'results' / 't.json'}" in proc.stdout
    assert "snippets/t/good.py" in proc.stdout


def test_results_are_not_written_from_a_dirty_checkout_unless_asked(root, capsys):
    write_snippet(root, "good")
    (root / "mkdocs.yml").write_text("site_name: t\n")
    git = lambda *a: subprocess.run(["git", "-C", str(root), *a], check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x")
    write_snippet(root, "good", body="pass  # an uncommitted edit")
    parser = argparse.ArgumentParser()
    run_verb.setup(parser.add_subparsers(dest="verb", required=True).add_parser("run"))
    ns = parser.parse_args(["run", "--root", str(root), "--quick", "--machine", "test"])
    assert ns.run(ns) == 2
    out = capsys.readouterr().out
    assert "uncommitted changes" in out and "--allow-dirty" in out and not (root / "results" / "test.json").exists()
    ns = parser.parse_args(["run", "--root", str(root), "--quick", "--machine", "test", "--allow-dirty"])
    assert ns.run(ns) == 0, capsys.readouterr().out
    assert {r.dirty for r in records(root)} == {True}


# One process's part of a run: wait for the go file, then write each record as the runner does (one group at a time).
WRITER = '''
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from ramverk.contract.results_model import Case, Device, Machine, Record, Statistics
from ramverk.results import results_store
path, go, first, last, locked = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
machine = Machine(name="m", cpu_model="CPU", logical_cores=2, os="Linux", python="3.11")
stats = Statistics(median_s=1.0, q1_s=1.0, q3_s=1.0, min_s=1.0, max_s=1.0, n=1, number=1)
Path(f"{go}.ready{first}").touch()
while not go.exists():
    time.sleep(0.001)
for i in range(first, last):
    record = Record(snippet=f"s/x{i}.py", snippet_hash="sha256:0", case=Case(framework="python", mode="a", size="full",
                    params={}), device=Device(kind="cpu", name="CPU, 1 thread"), framework_version="3.11", threads=1,
                    stats=stats, date_utc=datetime(2026, 1, 1, tzinfo=UTC), commit="abc", dirty=False)
    if locked:
        results_store.update(path, machine, [record])
    else:  # the runner's sequence before the lock
        results_store.save(path, results_store.upsert(results_store.load(path), machine, [record]))
'''


def _two_writers(tmp_path: Path, locked: bool, n: int = 65) -> int:
    """Two real processes add records 0..n-1 (split between them) to one file at once; how many it ends with."""
    path, go = tmp_path / "m.json", tmp_path / "go"
    for stale in [path, go, *tmp_path.glob("go.ready*")]:
        stale.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(go), str(first), str(last), str(int(locked))],
                                env=env) for first, last in ((0, n // 2), (n // 2, n))]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready*"))) < 2:  # both have imported pydantic and wait for the go
        assert time.monotonic() < deadline and all(w.poll() is None for w in writers), "a writer did not start"
        time.sleep(0.01)
    go.touch()
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    return len(results_store.load(path).records)


@pytest.mark.slow  # about 15 s on two busy cores: 4 x 65 atomic (fsync'ed) writes
def test_two_runs_writing_one_results_file_at_once_lose_no_record(tmp_path):
    unlocked = _two_writers(tmp_path, locked=False)
    assert unlocked < 65, "the control: without the lock, the two writers should overwrite each other's records"
    counts = [_two_writers(tmp_path, locked=True) for _ in range(3)]
    print(f"\n65 records from two processes at once: {unlocked} without the lock, {counts} with it")
    assert counts == [65, 65, 65]
