"""Isolation for contributor code (code blocks, shell blocks, snippets as scripts, the runner's workers).

Pages and snippets come from pull requests, so they run as a stranger's code would. `spawn()` is
the one place that starts such a process; `run()` (the tests) and ramverk.measure.launch.run_worker (the
runner) both use it. What a process gets depends on what this machine allows, probed once by
`isolation()` (`python -m ramverk.executor.sandbox` prints it, and the overhead per run):

* bwrap (bubblewrap): the whole filesystem read-only (the repo, docs/ and results/ included),
  a private /tmp, a private writable working directory, its own network namespace with only a loopback
  device (the host and its 127.0.0.1 are out of reach; a Jupyter kernel's sockets work inside), its own
  PID namespace (no parent in /proc; when its init exits everything in it dies, so nothing
  outlives a run), no capabilities, credential files of $HOME hidden, GPU device nodes only for
  CUDA workers.
* unshare (util-linux, when bwrap is missing): own PID, network, IPC and mount namespaces, but a
  writable filesystem.
* none: today's per-process limits only; the filesystem and network are reachable and a
  daemonised grandchild can outlive the run.

Everywhere: no credentials in the environment (`child_env()`), a memory limit on the whole
process tree when a cgroup (v2, or v1's memory controller) is writable, else RLIMIT_AS per
process plus RLIMIT_NPROC, a wall-clock timeout that kills the tree without waiting for a pipe
to close, and an output cap (at most OUTPUT_CAP_BYTES per stream are read, then the tree is
killed and the result says it was truncated).
"""

from __future__ import annotations

import functools
import glob
import os
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ramverk.executor import cgroups
from ramverk.executor.cgroups import MAX_TASKS

SECRET = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|^AWS_|^GITHUB_|^GH_|^ACTIONS_"
                    r"|^CI_JOB|^NPM_CONFIG_|^PIP_INDEX_URL|^TWINE_|^SSH_AUTH_SOCK$|^GPG_|^DOCKER_", re.I)
DEFAULT_TIMEOUT_S = 180.0
OUTPUT_CAP_BYTES = int(float(os.environ.get("RAMVERK_OUTPUT_CAP_MIB", 16)) * (1 << 20))
EXIT_GRACE_S = 0.5  # after the command exits, how long a pipe may stay open (a daemonised grandchild)
LIMITS_EXEC = str(Path(__file__).with_name("limits_exec.py"))
# Credential files and folders of $HOME that a read-only view would still show.
HOME_SECRETS = (".ssh", ".aws", ".gnupg", ".docker", ".kube", ".config/gh", ".config/gcloud", ".git-credentials",
                ".netrc", ".pypirc", ".npmrc")
# scripts/, the folder that holds the ramverk package (this file is scripts/ramverk/executor/sandbox.py)
SCRIPTS = Path(__file__).resolve().parents[2]
GPU_NODES = ("/dev/nvidia*", "/dev/nvidia-caps", "/dev/dri", "/dev/kfd")


def child_env(extra: dict[str, str] | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for contributor code: the current one without credentials, plus `extra`."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not SECRET.search(k)}
    env["PYTHONPATH"] = os.pathsep.join([str(SCRIPTS)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    # Not setdefault: with it, the capturing shell's own TF_CPP_MIN_LOG_LEVEL won, and the committed outputs/
    # got TensorFlow's C++ start-up lines (absl's "All log messages before absl::InitializeLog()...",
    # oneDNN). What sandboxed code prints must not depend on that shell; `extra` may still change it.
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.update(extra or {})
    return env


def memory_limit_bytes() -> int | None:
    """The checkout's memory_limit_gib ([tool.ramverk.runner] in pyproject.toml), in bytes: its one source.

    Outside any checkout this raises site_config.RootNotFound (a caller there passes run()'s memory_bytes)."""
    from ramverk.contract import site_config

    gib = site_config.project().memory_limit_gib
    return int(gib * (1 << 30)) if gib else None


# --- What this machine allows ---------------------------------------------------------------

@dataclass(frozen=True)
class Isolation:
    method: str  # "bwrap" | "unshare" | "none"
    memory: str  # "cgroup v2" | "cgroup v1" | "rlimit"
    missing: tuple[str, ...] = ()  # what this method does not provide, in words
    cgroup_parents: tuple[Path, ...] = ()  # where run cgroups are made (memory first, then v1's pids)
    task_limit: bool = False  # the cgroup also caps processes + threads (pids controller)

    @property
    def namespaces(self) -> bool:
        return self.method != "none"

    @property
    def tree_memory_limit(self) -> bool:
        return self.memory != "rlimit"

    def describe(self) -> str:
        what = {"bwrap": "bwrap: read-only filesystem, private /tmp and working directory, no network, own PID "
                         "namespace (nothing outlives a run), no capabilities",
                "unshare": "unshare: own PID, network, IPC and mount namespaces",
                "none": "no isolation: per-process limits only"}[self.method]
        tasks = f", at most {MAX_TASKS} tasks" if self.task_limit else ", no task limit"
        memory = (f"memory limit on the whole process tree ({self.memory}{tasks})"
                  if self.tree_memory_limit else "memory limit per process (RLIMIT_AS) and RLIMIT_NPROC")
        line = f"{what}; {memory}; output capped at {OUTPUT_CAP_BYTES >> 20} MiB per stream"
        return line + (f"; MISSING: {'; '.join(self.missing)}" if self.missing else "")


def _works(argv: list[str]) -> str:
    """"" if argv runs and exits 0, else why not (one line)."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    return "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


BWRAP_PROBE = ["bwrap", "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev", "--unshare-all",
               "--die-with-parent", "--cap-drop", "ALL", "true"]
UNSHARE = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--net", "--ipc", "--uts", "--mount"]


@functools.cache
def isolation() -> Isolation:
    """Probe once which isolation works here. RAMVERK_ISOLATION=bwrap|unshare|none caps the choice."""
    wanted = os.environ.get("RAMVERK_ISOLATION", "bwrap")
    order = ["bwrap", "unshare", "none"]
    if wanted not in order:
        raise ValueError(f"RAMVERK_ISOLATION={wanted!r}: use one of {', '.join(order)}")
    missing = []
    method = "none"
    for candidate in order[order.index(wanted):]:
        if candidate == "none":
            break
        if not sys.platform.startswith("linux") or shutil.which(candidate) is None:
            missing.append(f"{candidate} is not installed")
            continue
        why = _works(BWRAP_PROBE if candidate == "bwrap" else [*UNSHARE, "true"])
        if not why:
            method = candidate
            break
        missing.append(f"{candidate} does not work here ({why})")
    if method == "unshare":
        missing.append("the filesystem is writable (install bubblewrap for a read-only view)")
    if method == "none":
        missing.append("no namespaces: the repo is writable, the network reachable, and a daemonised grandchild "
                       "outlives the run (apt-get install bubblewrap)")
    if wanted != "bwrap":
        missing.insert(0, f"RAMVERK_ISOLATION={wanted}")
    memory, parents, tasks, why = cgroups.parents()
    if not parents:
        missing.append(f"no memory limit on the whole process tree ({why}); RLIMIT_NPROC does not apply to root")
    return Isolation(method, memory, tuple(missing), parents, tasks)


# --- The command line of one run ------------------------------------------------------------

def gpu_device_nodes(patterns=GPU_NODES) -> list[str]:
    """The GPU device nodes a CUDA (or ROCm) worker needs passed into its namespace."""
    return sorted({path for pattern in patterns for path in glob.glob(pattern)})


def _home_secrets(home: str | None) -> list[str]:
    if not home:
        return []
    args = []
    for rel in HOME_SECRETS:
        path = os.path.join(home, rel)
        if os.path.isdir(path) and not os.path.islink(path):
            args += ["--tmpfs", path]
        elif os.path.isfile(path) and not os.path.islink(path):
            args += ["--ro-bind", "/dev/null", path]
    return args


def bwrap_argv(argv: list[str], cwd: str | Path, device_nodes: list[str] = (), home: str | None = None,
               readable: list[str | Path] = (), writable: list[str | Path] = ()) -> list[str]:
    """argv inside bubblewrap: read-only root, private /tmp and /dev, cwd writable, nothing shared.

    `readable` folders stay visible (read-only) even under the private /tmp, and so do the
    interpreter's environment and this checkout's code wherever they live (a CI checkout or a
    virtual environment under /tmp would otherwise vanish from inside).
    """
    cwd = str(Path(cwd).resolve())
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for folder in sorted({str(Path(f).resolve()) for f in [*readable, *_own_code()]}):
        args += ["--ro-bind", folder, folder]
    for folder in sorted({str(Path(f).resolve()) for f in writable}):
        args += ["--bind", folder, folder]
    args += ["--bind", cwd, cwd, "--chdir", cwd, "--unshare-all", "--die-with-parent", "--new-session",
             "--cap-drop", "ALL"]
    for node in device_nodes:
        args += ["--dev-bind", node, node]
    return [*args, *_home_secrets(home), "--", *argv]


def _own_code() -> list[Path]:
    """The folders a child needs to start Python and import ramverk, when they are under /tmp."""
    tmp = Path("/tmp").resolve()
    folders = {Path(sys.prefix).resolve(), Path(sys.executable).resolve().parent, SCRIPTS.parent}
    return [f for f in folders if f == tmp or tmp in f.parents]


def _limits(memory_bytes: int | None = None, cpus: int | None = None, max_tasks: int = 0,
            cgroups: list[Path] = (), deathsig: bool = True) -> list[str]:
    """The launcher that applies the limits, joins the cgroups, then execs (see limits_exec.py)."""
    allowed = sorted(os.sched_getaffinity(0))[:cpus] if cpus and hasattr(os, "sched_getaffinity") else []
    options = {"as": memory_bytes or 0, "cpus": ",".join(map(str, allowed)), "nproc": max_tasks,
               "cgroups": os.pathsep.join(map(str, cgroups)), "deathsig": int(deathsig)}
    return [sys.executable, "-I", "-S", LIMITS_EXEC, *(f"{k}={v}" for k, v in options.items() if v), "--"]


def limited(argv: list[str], memory_bytes: int | None = None, cpus: int | None = None) -> list[str]:
    """argv under the per-process limits only (RLIMIT_AS, no core dumps, CPU affinity, death with the parent)."""
    return [*_limits(memory_bytes, cpus), *argv]


def _tasks_of_uid() -> int:
    uid = str(os.getuid())
    n = 0
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            n += any(line.startswith("Uid:") and line.split()[1] == uid for line in open(status))
        except OSError:
            pass
    return n


# --- Running ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    truncated: bool = False  # more output than the cap: reading stopped and the tree was killed
    oom_killed: bool = False  # the cgroup's memory limit killed a process
    isolation: Isolation | None = field(default=None, repr=False)


def spawn(argv: list[str], cwd: str | Path, *, env: dict[str, str], timeout: float, memory_bytes: int | None = None,
          cpus: int | None = None, output_cap: int = OUTPUT_CAP_BYTES, on_stderr_line=None,
          device_nodes: list[str] = (), readable: list[str | Path] = (), writable: list[str | Path] = (),
          pass_fds: tuple[int, ...] = (), how: Isolation | None = None) -> Outcome:
    """Run argv in cwd, isolated as `how` (default: the best this machine allows), and kill its whole
    tree when it exits, times out or writes more than `output_cap` bytes to a stream.

    env is used as given (build it with child_env()). Files outside cwd are read from the real filesystem,
    except under /tmp, which is private: pass the folders the command reads there as `readable`.
    `writable` folders may be written besides cwd (the tests' shared compile cache; never a checkout).
    on_stderr_line(line) sees each stderr line as it arrives. Never blocks on a pipe that a surviving grandchild keeps open.
    `pass_fds` stay open in the command, as Popen's do (the launcher and bwrap keep them; the runner's key channel).
    """
    how = how or isolation()
    cgroup = cgroups.Cgroup.make(how.memory, how.cgroup_parents, memory_bytes, MAX_TASKS) if how.tree_memory_limit else None
    rlimit_as = None if cgroup else memory_bytes
    nproc = 0 if cgroup else _tasks_of_uid() + MAX_TASKS
    if how.method == "bwrap":
        inner = bwrap_argv(argv, cwd, device_nodes, env.get("HOME"), [Path(f).resolve() for f in readable],
                           [Path(f).resolve() for f in writable])
    elif how.method == "unshare":
        # sh stays PID 1 (which ignores signals it has no handler for) and runs argv as PID 2.
        inner = [*UNSHARE, "--", "sh", "-c", '"$@"; exit $?', "sh", *argv]
    else:
        inner = list(argv)
    launcher = _limits(rlimit_as, cpus, nproc, cgroup.dirs if cgroup else [], deathsig=how.method != "bwrap")
    command = [*launcher, *inner]
    try:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, pass_fds=pass_fds)
        try:
            out, err, timed_out, truncated = _collect(proc, time.monotonic() + timeout, output_cap, on_stderr_line,
                                                      lambda: _kill_tree(proc, cgroup))
        finally:
            _kill_tree(proc, cgroup)
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        oom = bool(cgroup and cgroup.oom_killed())
    finally:
        if cgroup and not cgroup.remove():
            cgroups.LEFT.append(cgroup)
        cgroups.sweep()
    returncode = proc.returncode
    if how.namespaces and 128 < returncode < 128 + signal.NSIG:
        returncode = 128 - returncode  # bwrap's and sh's 128+N for death by signal N, said as Popen does
    stderr = err.decode("utf-8", "replace")
    if truncated:
        stderr += f"\n[sandbox] more than {output_cap >> 20} MiB of output: stopped reading and killed the process tree\n"
    return Outcome(returncode, out.decode("utf-8", "replace"), stderr, timed_out, truncated, oom, how)


def _kill_tree(proc: subprocess.Popen, cgroup: cgroups.Cgroup | None) -> None:
    # The process group reaches the launcher and bwrap (whose death ends the PID namespace);
    # the cgroup reaches whatever left the group (setsid) when there is no namespace.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if cgroup:
        cgroup.kill()


def _collect(proc, deadline: float, cap: int, on_line, kill) -> tuple[bytes, bytes, bool, bool]:
    """Read both pipes until EOF, the deadline, the cap, or EXIT_GRACE_S after proc exits."""
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    buffers = {out_fd: bytearray(), err_fd: bytearray()}
    pending = b""
    timed_out = truncated = False
    exited_at = None
    with selectors.DefaultSelector() as selector:
        for fd in buffers:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map() and not truncated:
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now > exited_at + EXIT_GRACE_S:
                break  # a grandchild outside our reach holds a pipe: stop reading
            if now >= deadline:
                timed_out = exited_at is None
                break
            for key, _ in selector.select(min(deadline - now, 0.1 if exited_at else 0.25)):
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                buffer = buffers[key.fd]
                kept = chunk[:cap - len(buffer)]
                buffer += kept
                if key.fd == err_fd and on_line:
                    *lines, pending = (pending + kept).split(b"\n")
                    for line in lines:
                        on_line(line.decode("utf-8", "replace"))
                if len(kept) < len(chunk):
                    truncated = True
                    kill()
                    break
        pipes_closed = not selector.get_map()
    if on_line and pending:
        on_line(pending.decode("utf-8", "replace"))
    if pipes_closed and proc.poll() is None:
        # Both pipes closed but the command runs on: wait for it until the deadline.
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            timed_out = True
    return bytes(buffers[out_fd]), bytes(buffers[err_fd]), timed_out, truncated


class Completed(subprocess.CompletedProcess):
    """CompletedProcess plus what the sandbox saw."""

    def __init__(self, args, outcome: Outcome):
        super().__init__(args, outcome.returncode, outcome.stdout, outcome.stderr)
        self.truncated = outcome.truncated
        self.oom_killed = outcome.oom_killed
        self.isolation = outcome.isolation


def run(argv: list[str], cwd: str | Path, *, timeout: float = DEFAULT_TIMEOUT_S, env: dict | None = None,
        memory_bytes: int | None = -1, output_cap: int = OUTPUT_CAP_BYTES, readable: list[str | Path] = (),
        writable: list[str | Path] = (), how: Isolation | None = None) -> Completed:
    """Run argv in cwd isolated (see spawn); on timeout the tree is killed and TimeoutExpired raised.

    memory_bytes=-1 means the checkout's memory_limit_gib (pyproject.toml; outside a checkout that raises
    site_config.RootNotFound); None means no limit.
    """
    limit = memory_limit_bytes() if memory_bytes == -1 else memory_bytes
    outcome = spawn(argv, cwd, env=child_env(env), timeout=timeout, memory_bytes=limit, output_cap=output_cap,
                    readable=readable, writable=writable, how=how)
    if outcome.timed_out:
        raise subprocess.TimeoutExpired(argv, timeout, outcome.stdout, outcome.stderr)
    return Completed(argv, outcome)


def overhead_ms(n: int = 20, how: Isolation | None = None) -> tuple[float, float]:
    """(median ms of `python -c pass` run bare, median ms through run()), n runs each."""
    def median(call) -> float:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    with tempfile.TemporaryDirectory(prefix="ramverk-bench-") as tmp:
        bare = median(lambda: subprocess.run([sys.executable, "-c", "pass"], cwd=tmp, check=True))
        boxed = median(lambda: run([sys.executable, "-c", "pass"], tmp, how=how).check_returncode())
    return bare, boxed


if __name__ == "__main__":
    print(f"isolation: {isolation().describe()}")
    if sys.argv[1:2] == ["--overhead"]:
        runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
        bare, boxed = overhead_ms(runs)
        print(f"python -c pass: {bare:.1f} ms bare, {boxed:.1f} ms sandboxed, overhead {boxed - bare:.1f} ms "
              f"(median of {runs})")
