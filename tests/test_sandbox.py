"""The sandbox for contributor code (ramverk/executor/sandbox.py): every probe a red-team ran against the old one.

Payloads live in tests/fixtures/sandbox_probes.py. Assertions that only namespaces (or a cgroup)
can make true are skipped, with the reason, on a machine that lacks them; the ones about the
harness itself (timeouts, the output cap) also run with isolation forced off (NONE), where
today's per-process limits are all there is.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from ramverk.executor import cgroups, sandbox
from ramverk.measure import launch
from ramverk.measure.protocol import Job, Report, read_secret, sealed

ROOT = Path(__file__).resolve().parents[1]
PROBES = ROOT / "tests" / "fixtures" / "sandbox_probes.py"
HOW = sandbox.isolation()
NONE = sandbox.Isolation("none", "rlimit", ("forced off by the test",))
BOTH = [pytest.param(HOW, id=HOW.method), pytest.param(NONE, id="forced-none")]

needs_namespaces = pytest.mark.skipif(not HOW.namespaces, reason=f"no namespaces here: {HOW.describe()}")
needs_bwrap = pytest.mark.skipif(HOW.method != "bwrap", reason=f"bwrap does not work here: {HOW.describe()}")
needs_tree_limit = pytest.mark.skipif(not HOW.tree_memory_limit,
                                      reason=f"no cgroup, the memory limit is per process: {HOW.describe()}")


def probe(cwd, *args, how=None, **kwargs) -> sandbox.Completed:
    kwargs.setdefault("timeout", 30)
    return sandbox.run([sys.executable, str(PROBES), *args], cwd, how=how, **kwargs)


def survivors(token: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if token.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture
def token():
    """A unique word for a payload's command line; whatever still carries it afterwards is killed."""
    word = f"ramverk-probe-{uuid.uuid4().hex}"
    yield word
    for pid in survivors(word):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def test_isolation_is_probed_and_said_plainly(monkeypatch):
    print(f"\nsandbox isolation: {HOW.describe()}")
    assert HOW.method in ("bwrap", "unshare", "none")
    assert "\n" not in HOW.describe()
    if HOW.method != "bwrap" or not HOW.tree_memory_limit:
        assert "MISSING" in HOW.describe()
    monkeypatch.setenv("RAMVERK_ISOLATION", "none")
    sandbox.isolation.cache_clear()
    try:
        forced = sandbox.isolation()
    finally:
        sandbox.isolation.cache_clear()
    assert forced.method == "none"
    assert "MISSING" in forced.describe() and "no namespaces" in forced.describe()


@needs_namespaces
def test_parent_environment_is_out_of_reach(tmp_path):
    # The harness runs in a process whose real environment (what /proc shows) holds a secret.
    secret = f"s3cret-{uuid.uuid4().hex}"
    harness = (f"import sys; from ramverk.executor import sandbox; "
               f"r = sandbox.run([sys.executable, {str(PROBES)!r}, 'environ'], {str(tmp_path)!r}, timeout=30); "
               f"print(r.stdout)")
    env = {**os.environ, "RAMVERK_TEST_API_TOKEN": secret, "PYTHONPATH": str(ROOT / "scripts")}
    proc = subprocess.run([sys.executable, "-c", harness], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["blocks"], "the probe read no environment at all; it is broken"
    assert secret not in proc.stdout, f"the secret leaked through /proc ({sorted(seen['blocks'])})"
    assert str(os.getpid()) not in seen["blocks"]


@needs_bwrap
def test_repo_docs_and_results_are_read_only(tmp_path):
    results = sorted((ROOT / "results").glob("*.json"))
    targets = [ROOT, ROOT / "docs", ROOT / "results", ROOT / "scripts" / "ramverk" / "runner.py", *results[:1]]
    outcome = json.loads(probe(tmp_path, "write", *map(str, targets), str(tmp_path)).stdout)
    assert outcome.pop(str(tmp_path)) == "writable", "the working directory must stay writable"
    writable = [path for path, what in outcome.items() if what == "writable"]
    assert not writable, f"contributor code can write {writable}"
    # A folder is refused by the read-only mount; a file also by its owner (root), when the code runs as another user.
    assert all("Read-only file system" in what or (HOW.as_user and "Permission denied" in what)
               for what in outcome.values()), outcome


@needs_bwrap
def test_a_worker_cannot_write_results(tmp_path):
    planted = ROOT / "results" / f"planted-{uuid.uuid4().hex}.json"
    snippet = tmp_path / "hostile.py"
    snippet.write_text(f"import os\nfd = os.open({str(planted)!r}, os.O_WRONLY | os.O_CREAT | os.O_EXCL)\n"
                       f"os.close(fd)\nos.unlink({str(planted)!r})\n")
    job = Job(snippet=str(snippet), framework="numpy", device="cpu", modes=["a"], params={})
    report, reason, tail = launch.run_worker([job.model_dump_json()], timeout_s=60, threads=1, memory_limit_gib=4)
    assert not planted.exists()
    assert report is not None and report.status == "error", (reason, tail)
    assert "Read-only file system" in (report.reason or ""), report.reason


@needs_namespaces
def test_a_double_fork_does_not_outlive_the_run(tmp_path, token):
    proc = probe(tmp_path, "doublefork", token)
    assert proc.returncode == 0 and "parent exits" in proc.stdout, proc.stderr
    deadline = time.monotonic() + 2
    while survivors(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not survivors(token), "a daemonised grandchild outlived the run"


@pytest.mark.parametrize("how", BOTH)
def test_a_grandchild_holding_the_pipe_cannot_stall_the_timeout(tmp_path, token, how):
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as raised:
        probe(tmp_path, "pipeholder", token, "1", timeout=2.5, how=how)
    elapsed = time.monotonic() - started
    assert elapsed < 4, f"timeout=2.5 returned after {elapsed:.1f} s"
    assert "grandchild holds the pipe" in raised.value.output


@pytest.mark.parametrize("how", BOTH)
def test_a_grandchild_holding_the_pipe_after_the_parent_exits(tmp_path, token, how):
    started = time.monotonic()
    proc = probe(tmp_path, "pipeholder", token, "0", timeout=30, how=how)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0 and "grandchild holds the pipe" in proc.stdout
    assert elapsed < 2.5, f"the run waited {elapsed:.1f} s for a grandchild's pipe"


@needs_tree_limit
def test_forks_together_over_the_memory_limit_die(tmp_path):
    limit = 512 << 20
    alone = probe(tmp_path, "forks", "1", "300", memory_bytes=limit)
    assert "held 1" in alone.stdout, f"one 300 MiB child under a 512 MiB limit must work: {alone.stderr[-500:]}"
    three = probe(tmp_path, "forks", "3", "300", memory_bytes=limit)
    assert "held 3" not in three.stdout, "three 300 MiB children held 900 MiB under a 512 MiB limit"
    assert three.oom_killed, "the cgroup should report an out-of-memory kill"


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    yield server.getsockname()[1]
    server.close()


@needs_namespaces
def test_loopback_of_the_host_is_unreachable(tmp_path, listener):
    control = probe(tmp_path, "connect", "127.0.0.1", str(listener), how=NONE)
    assert control.stdout.strip() == "connected", "control: without isolation the listener must be reachable"
    proc = probe(tmp_path, "connect", "127.0.0.1", str(listener))
    assert proc.stdout.strip() != "connected"
    assert "Error" in proc.stdout, proc.stdout


@pytest.mark.parametrize("how", ["default", "none"])
def test_output_is_capped_and_the_harness_stays_small(tmp_path, how):
    cap = 8 << 20
    choice = "None" if how == "default" else "sandbox.Isolation('none', 'rlimit')"
    harness = (f"import json, resource, sys; from ramverk.executor import sandbox; "
               f"r = sandbox.run([sys.executable, {str(PROBES)!r}, 'flood', '300'], {str(tmp_path)!r}, timeout=60, "
               f"output_cap={cap}, how={choice}); "
               f"print(json.dumps({{'out': len(r.stdout), 'truncated': r.truncated, 'err': r.stderr[-300:], "
               # VmHWM, not ru_maxrss: Linux carries a forking parent's peak across exec into ru_maxrss
               f"'maxrss_mib': int(next(l.split()[1] for l in open('/proc/self/status') "
               f"if l.startswith('VmHWM'))) / 1024}}))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", harness], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    print(f"\n300 MiB of output: kept {seen['out'] >> 20} MiB, harness peak {seen['maxrss_mib']:.0f} MiB, "
          f"{time.monotonic() - started:.1f} s")
    assert seen["truncated"] and seen["out"] <= cap
    assert "more than 8 MiB of output" in seen["err"]
    assert seen["maxrss_mib"] < 150, f"the harness grew to {seen['maxrss_mib']:.0f} MiB"


@pytest.mark.skipif(not HOW.task_limit, reason=f"no pids cgroup here: {HOW.describe()}")
def test_the_number_of_tasks_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_TASKS", 30)
    proc = probe(tmp_path, "tasks", "100")
    started = int(proc.stdout.split()[-1])
    assert 0 < started < 30, proc.stdout


@needs_bwrap
def test_no_capabilities_and_a_private_tmp(tmp_path):
    assert probe(tmp_path, "capabilities").stdout.strip() == "0000000000000000"
    visible = Path("/tmp") / f"ramverk-host-file-{uuid.uuid4().hex}"
    visible.write_text("host")
    try:
        listing = json.loads(probe(tmp_path, "listing", "/tmp", env={"HOME": str(tmp_path)}).stdout)["/tmp"]
    finally:
        visible.unlink()
    assert visible.name not in listing
    # Only the test's own folder, and the interpreter or checkout when they live under /tmp (as in a CI clone).
    own = {p.relative_to("/tmp").parts[0] for p in sandbox._own_code() if Path("/tmp") in p.parents}
    assert str(tmp_path).startswith("/tmp/") and set(listing) == {str(tmp_path).split("/")[2]} | own


# What a home folder outside /tmp holds that a block read before (issue 24, item 4).
CREDENTIALS = {".cache/huggingface/token": "hf_secret", ".pgpass": "db:5432:*:u:pw", ".ssh/id_ed25519": "PRIVATE KEY",
               ".config/git/credentials": "https://u:ghp_x@github.com", ".cargo/credentials.toml": "token = 'x'",
               ".bash_history": "export AWS_SECRET_ACCESS_KEY=x", ".netrc": "machine github.com password hunter2"}


def _harness(code: str, env: dict) -> str:
    """Run code (which gets `sandbox`, `sys` and PROBES) in a fresh harness process with env; its stdout."""
    script = f"import sys; from ramverk.executor import sandbox; PROBES = {str(PROBES)!r}\n{code}"
    proc = subprocess.run([sys.executable, "-c", script], env={**env, "PYTHONPATH": str(ROOT / "scripts")},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@needs_bwrap
def test_the_home_folder_is_hidden_and_home_is_empty(tmp_path):
    home = tmp_path / "home"  # outside the private /tmp's reach: the harness's own home
    for rel, text in CREDENTIALS.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(text)
    work = tmp_path / "work"
    work.mkdir()
    paths = [str(home / rel) for rel in CREDENTIALS]
    code = (f"r = sandbox.run([sys.executable, PROBES, 'listing', {str(home)!r}, *{paths!r}], {str(work)!r}, timeout=30)\n"
            f"e = sandbox.run([sys.executable, PROBES, 'env'], {str(work)!r}, timeout=30)\n"
            f"print(r.stdout + e.stdout if not (r.returncode or e.returncode) else r.stderr + e.stderr)")
    seen, env = map(json.loads, _harness(code, {**os.environ, "HOME": str(home)}).split("\n")[:2])
    assert all(Path(path).read_text() for path in paths)  # the control: the harness reads them all
    assert seen.pop(str(home)) == [], "the home folder must show empty"
    assert all(what == "FileNotFoundError: No such file or directory" for what in seen.values()), seen
    assert env["HOME"] != str(home) and str(home) not in json.dumps(env), env


@needs_bwrap
def test_git_folders_are_hidden(tmp_path):
    """The checkout's .git (CI keeps its token in .git/config) and that of a repository a bound folder is in."""
    assert (ROOT / ".git").is_dir(), "the control: this checkout has a .git"
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text('[http]\n\textraheader = AUTHORIZATION: basic x-access-token:ghs_x\n')
    (repo / "snippets").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    targets = [str(ROOT / ".git"), str(ROOT / ".git" / "config"), str(repo / ".git" / "config")]
    seen = json.loads(probe(work, "listing", *targets, readable=[repo / "snippets"]).stdout)
    assert seen == {targets[0]: [], targets[1]: "FileNotFoundError: No such file or directory",
                    targets[2]: "FileNotFoundError: No such file or directory"}


@needs_bwrap
def test_only_allowed_variables_reach_contributor_code(tmp_path):
    secrets = {"DATABASE_URL": "postgres://u:pw@db/x", "https_proxy": "http://u:pw@proxy:3128",
               "SENTRY_DSN": "https://key@sentry.example/1", "GITHUB_TOKEN": "ghs_secret1", "RAMVERK_TEST_TOKEN": "secret2"}
    code = ("import os; assert all(os.environ[k] for k in %r)\n"  # the control: the harness has them
            "r = sandbox.run([sys.executable, PROBES, 'env'], %r, timeout=30, env={'RAMVERK_QUICK': '1'})\n"
            "print(r.stdout)") % (sorted(secrets), str(tmp_path))
    env = json.loads(_harness(code, {**os.environ, **secrets, "OMP_NUM_THREADS": "2", "LC_ALL": "C.UTF-8"}))
    assert not set(secrets) & set(env), env
    assert not any(value in json.dumps(env) for value in secrets.values())
    assert env["OMP_NUM_THREADS"] == "2" and env["LC_ALL"] == "C.UTF-8" and env["RAMVERK_QUICK"] == "1"
    assert set(env) - {"PWD"} <= sandbox.ALLOWED_ENV | {"HOME"} | {k for k in env if k.startswith(("LC_", "RAMVERK_"))}


@needs_bwrap
def test_a_shared_writable_folder_is_the_runs_own_copy(tmp_path):
    # Outside the temporary directory, so the sandbox takes it for a shared folder (not the checkout's .cache:
    # a checkout may itself live under /tmp, as a CI clone can).
    shared = Path("/var/tmp") / f"ramverk-sandbox-test-{uuid.uuid4().hex}"
    if str(shared).startswith(tempfile.gettempdir().rstrip("/") + "/"):
        pytest.skip(f"/var/tmp is under the temporary directory {tempfile.gettempdir()} here")
    shared.mkdir(parents=True)
    try:
        (shared / "entry").write_text("good")
        (shared / "locks").mkdir()
        first = json.loads(probe(tmp_path, "poison", str(shared), writable=[shared]).stdout)
        second = json.loads(probe(tmp_path, "poison", str(shared), writable=[shared]).stdout)
        assert first == {"seen": "good", "now": "poisoned"}, "the control: the run wrote its copy"
        assert second["seen"] == "good", "one run's write reached the next run"
        assert (shared / "entry").read_text() == "good" and not (shared / "planted").exists()
    finally:
        shutil.rmtree(shared)


@pytest.mark.skipif(not HOW.as_user, reason=f"contributor code runs as this user here: {HOW.describe()}")
def test_contributor_code_cannot_trace_the_sandboxs_init_or_its_parent(tmp_path):
    seen = json.loads(probe(tmp_path, "ptrace").stdout)
    assert seen["child"] == "attached", f"the control: tracing its own child must work ({seen})"
    assert seen["1"] == seen["parent"] == "Operation not permitted", seen


@pytest.mark.skipif(not HOW.as_user, reason=f"contributor code runs as this user here: {HOW.describe()}")
def test_a_notebook_kernel_cannot_trace_the_driver_that_reports_its_outputs(tmp_path):
    """The kernel and its driver (render/notebooks._worker) run as one user; the driver is non-dumpable."""
    from ramverk.render import notebooks

    folder = tmp_path / "snippet"  # the notebook's folder: the probes import from it
    folder.mkdir()
    shutil.copy(Path(__file__).with_name("fixtures") / "sandbox_probes.py", folder)
    document = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "id": "probe",
         "source": "import sandbox_probes\nsandbox_probes.ptrace()"}]}
    cells, problem, _ = notebooks.run_in_kernel(document, folder, "probe")
    assert not problem, problem
    text = "".join(o.get("text", "") for _, outputs, _ in cells for o in outputs)
    seen = json.loads(text.strip().splitlines()[-1])
    assert seen["child"] == "attached", f"the control: tracing its own child must work ({seen})"
    assert seen["parent"] == "Operation not permitted", seen


def test_gpu_device_nodes_are_bound_into_the_sandbox(tmp_path):
    for name in ("nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "dri"):
        (tmp_path / name).touch()
    patterns = [str(tmp_path / "nvidia*"), str(tmp_path / "dri"), str(tmp_path / "kfd")]
    nodes = sandbox.gpu_device_nodes(patterns)
    assert [Path(n).name for n in nodes] == ["dri", "nvidia-uvm", "nvidia-uvm-tools", "nvidia0", "nvidiactl"]
    argv = sandbox.bwrap_argv(["python", "-V"], tmp_path, nodes)
    binds = [argv[i + 1:i + 3] for i, arg in enumerate(argv) if arg == "--dev-bind"]
    assert binds == [[n, n] for n in nodes]
    assert argv[-3:] == ["--", "python", "-V"] and argv.index("--dev-bind") < argv.index("--")
    assert "--dev-bind" not in sandbox.bwrap_argv(["python", "-V"], tmp_path)


@pytest.mark.parametrize("device, expected", [("cuda", ["/dev/nvidia0", "/dev/nvidiactl"]), ("cpu", [])])
def test_a_cuda_worker_gets_the_gpu_nodes(monkeypatch, device, expected):
    seen = {}

    def fake_spawn(argv, cwd, **kwargs):
        seen.update(kwargs)
        key, nonce = read_secret(os.dup(kwargs["pass_fds"][0]))  # as the worker does: only a signed report counts
        return sandbox.Outcome(0, sealed(Report(status="skip", reason="fake"), key, nonce), "")

    monkeypatch.setattr(launch, "spawn", fake_spawn)
    monkeypatch.setattr(launch, "gpu_device_nodes", lambda: ["/dev/nvidia0", "/dev/nvidiactl"])
    job = Job(snippet="/x.py", framework="torch", device=device, modes=["eager"], params={})
    report, reason, _ = launch.run_worker([job.model_dump_json()], timeout_s=10, threads=1, memory_limit_gib=None)
    assert report is not None and report.reason == "fake", reason
    assert list(seen["device_nodes"]) == expected


def test_without_isolation_the_old_limits_still_apply(tmp_path):
    limit = 3 << 30
    code = "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CORE)[0])"
    proc = sandbox.run([sys.executable, "-c", code], tmp_path, memory_bytes=limit, how=NONE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(limit), "0"]


def test_stderr_lines_stream_and_nothing_is_left_behind(tmp_path):
    lines = []
    code = "import sys\nfor i in range(3): print(f'[worker] step {i}', file=sys.stderr, flush=True)\nprint('report')"
    outcome = sandbox.spawn([sys.executable, "-c", code], tmp_path, env=sandbox.child_env(), timeout=30,
                            memory_bytes=1 << 30, on_stderr_line=lines.append)
    assert outcome.returncode == 0 and outcome.stdout == "report\n" and not outcome.truncated
    assert lines == ["[worker] step 0", "[worker] step 1", "[worker] step 2"]
    cgroups.sweep(wait_s=5)
    left = [p for parent in HOW.cgroup_parents for p in parent.glob(f"ramverk-{os.getpid()}-*")]
    assert not left, f"run cgroups left behind: {left}"


def test_the_overhead_per_run_is_measured():
    bare, boxed = sandbox.overhead_ms(n=10)
    print(f"\npython -c pass: {bare:.1f} ms bare, {boxed:.1f} ms through sandbox.run ({HOW.method}), "
          f"overhead {boxed - bare:.1f} ms (median of 10)")
    assert 0 < bare < boxed < bare + 1000


@pytest.mark.parametrize("how", BOTH)
def test_death_by_signal_reads_as_a_negative_returncode(tmp_path, how):
    proc = sandbox.run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"], tmp_path,
                       how=how)
    assert proc.returncode == -11, proc.stderr
