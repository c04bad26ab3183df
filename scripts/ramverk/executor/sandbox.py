"""Isolation for contributor code (code blocks, shell blocks, snippets as scripts, the runner's workers).

Pages and snippets come from pull requests, so they run as a stranger's code would. `spawn()` is
the one place that starts such a process; `run()` (the tests) and ramverk.measure.launch.run_worker (the
runner) both use it. What a process gets depends on what this machine allows, probed once by
`isolation()` (`python -m ramverk.executor.sandbox` prints it, and the overhead per run):

* bwrap (bubblewrap): the whole filesystem read-only (the repo, docs/ and results/ included),
  a private /tmp, a private writable working directory, its own network namespace with only a loopback
  device (the host and its 127.0.0.1 are out of reach; a Jupyter kernel's sockets work inside), its own
  PID namespace (no parent in /proc; when its init exits everything in it dies, so nothing
  outlives a run), no capabilities, GPU device nodes only for CUDA workers. The home folder is an
  empty tmpfs (HOME is a fresh folder of the run's own) and every `.git` of the checkout and of the
  folders bound in is hidden; the interpreter and this checkout's code are bound back where a
  hidden folder held them. Run as root (here and in CI), the contributor's code runs as the
  unprivileged SANDBOX_UID (setpriv, no capabilities, no new privileges), so it cannot trace
  the sandbox's init nor anything else that is not its own.
* unshare (util-linux, when bwrap is missing): own PID, network, IPC and mount namespaces, but a
  writable filesystem, and the code runs as this user.
* none: today's per-process limits only; the filesystem and network are reachable and a
  daemonised grandchild can outlive the run.

Everywhere: the environment holds only the variables on an allowlist (`child_env()`), a memory limit
on the whole process tree when a cgroup (v2, or v1's memory controller) is writable, else RLIMIT_AS
per process plus RLIMIT_NPROC, a wall-clock timeout that kills the tree without waiting for a pipe
to close, and an output cap (at most OUTPUT_CAP_BYTES per stream are read, then the tree is
killed and the result says it was truncated). A writable folder shared between runs (the tests'
compile cache) is never written: each run gets a copy of its own, seeded from it.
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

# The variables contributor code may see: what starts Python and the frameworks the way the project
# runs them (locale, paths, threads, framework switches), and the project's own RAMVERK_*. Nothing else:
# credentials hide under any name (DATABASE_URL, https_proxy=http://user:password@..., SENTRY_DSN).
ALLOWED_ENV = frozenset("""
    PATH LANG LANGUAGE TZ
    PYTHONPATH PYTHONHASHSEED PYTHONUNBUFFERED PYTHONIOENCODING PYTHONUTF8 PYTHONDONTWRITEBYTECODE
    OMP_NUM_THREADS MKL_NUM_THREADS OPENBLAS_NUM_THREADS NUMEXPR_NUM_THREADS VECLIB_MAXIMUM_THREADS
    NUMBA_NUM_THREADS TF_NUM_INTRAOP_THREADS TF_NUM_INTEROP_THREADS
    KERAS_BACKEND XLA_FLAGS JAX_PLATFORMS TF_CPP_MIN_LOG_LEVEL TORCH_LOGS TORCHINDUCTOR_CACHE_DIR
    TRITON_CACHE_DIR CUDA_VISIBLE_DEVICES LD_LIBRARY_PATH MPLBACKEND
""".split())
ALLOWED_ENV_PREFIXES = ("LC_", "RAMVERK_")
# Still dropped from the allowed ones, in case a project variable is ever named like a credential.
SECRET = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION", re.I)
DEFAULT_TIMEOUT_S = 180.0
OUTPUT_CAP_BYTES = int(float(os.environ.get("RAMVERK_OUTPUT_CAP_MIB", 16)) * (1 << 20))
EXIT_GRACE_S = 0.5  # after the command exits, how long a pipe may stay open (a daemonised grandchild)
LIMITS_EXEC = str(Path(__file__).with_name("limits_exec.py"))
# scripts/, the folder that holds the ramverk package (this file is scripts/ramverk/executor/sandbox.py)
SCRIPTS = Path(__file__).resolve().parents[2]
GPU_NODES = ("/dev/nvidia*", "/dev/nvidia-caps", "/dev/dri", "/dev/kfd")
SANDBOX_UID = SANDBOX_GID = 65534  # "nobody": owns nothing outside the run's own folders


def child_env(extra: dict[str, str] | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for contributor code: the allowed variables of the current one, plus `extra`."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items()
           if (k in ALLOWED_ENV or k.startswith(ALLOWED_ENV_PREFIXES)) and not SECRET.search(k)}
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
    as_user: bool = False  # contributor code runs as SANDBOX_UID, not as the harness's user (root)

    @property
    def namespaces(self) -> bool:
        return self.method != "none"

    @property
    def tree_memory_limit(self) -> bool:
        return self.memory != "rlimit"

    def describe(self) -> str:
        what = {"bwrap": "bwrap: read-only filesystem, private /tmp and working directory, no network, own PID "
                         "namespace (nothing outlives a run), no capabilities, empty home, no .git"
                         + (f", code runs as uid {SANDBOX_UID}" if self.as_user else ""),
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
# Dropping root inside the sandbox: setpriv (util-linux) execs the command as SANDBOX_UID with no
# capabilities left in any set, and no_new_privs (a setuid binary cannot give them back).
SETPRIV = ["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}", "--clear-groups", "--inh-caps=-all",
           "--bounding-set=-all", "--no-new-privs", "--"]
# What setpriv needs, and bwrap's --chdir into a 0700 folder the sandbox's user owns; granted to bwrap's
# child only until setpriv drops them all.
SETPRIV_CAPS = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
                "--cap-add", "CAP_DAC_READ_SEARCH"]
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
    as_user = False
    if method == "bwrap" and os.geteuid() == 0:
        why = ("setpriv is not installed" if shutil.which("setpriv") is None else
               _works(bwrap_argv(["true"], tempfile.gettempdir(), as_user=True)))
        as_user = not why
        if why:
            missing.append(f"contributor code runs as root, and can trace the sandbox's init ({why})")
    elif method != "none":
        missing.append("contributor code runs as this user (bwrap, run as root, runs it as an unprivileged one)")
    if wanted != "bwrap":
        missing.insert(0, f"RAMVERK_ISOLATION={wanted}")
    memory, parents, tasks, why = cgroups.parents()
    if not parents:
        missing.append(f"no memory limit on the whole process tree ({why}); RLIMIT_NPROC does not apply to root")
    return Isolation(method, memory, tuple(missing), parents, tasks, as_user)


# --- The command line of one run ------------------------------------------------------------

def gpu_device_nodes(patterns=GPU_NODES) -> list[str]:
    """The GPU device nodes a CUDA (or ROCm) worker needs passed into its namespace."""
    return sorted({path for pattern in patterns for path in glob.glob(pattern)})


def _homes() -> list[Path]:
    """The home folders of this process's user (the password file's and $HOME): hidden from contributor code."""
    homes = {os.path.expanduser("~"), os.environ.get("HOME", "")}
    try:
        import pwd

        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError):
        pass
    return sorted({Path(h).resolve() for h in homes if h and Path(h).resolve() != Path("/") and Path(h).is_dir()})


def _git_dirs(folders) -> list[Path]:
    """Every .git in or above the given folders (a checkout's, where CI keeps its token in .git/config)."""
    found = set()
    for folder in folders:
        for candidate in [Path(folder), *Path(folder).parents]:
            if (candidate / ".git").exists() and not (candidate / ".git").is_symlink():
                found.add(candidate / ".git")
    return sorted(found)


def _resolved(folder: str | Path) -> Path:
    return Path(folder).resolve()


def _under(path: Path, roots) -> bool:
    return any(path == root or root in path.parents for root in roots)


def bwrap_argv(argv: list[str], cwd: str | Path, device_nodes: list[str] = (), readable: list[str | Path] = (),
               writable: list[str | Path] = (), seeded: dict[str, str] | None = None, as_user: bool = False) -> list[str]:
    """argv inside bubblewrap: read-only root, private /tmp and /dev, an empty home, no .git, cwd writable,
    nothing shared.

    `readable` folders stay visible (read-only) even under the private /tmp or a hidden home, and so do the
    interpreter and this checkout's code wherever they live (a CI checkout, a virtual environment or a
    pyenv interpreter under one of them would otherwise vanish from inside). `seeded` maps a run's own
    copy to the shared folder it stands in for: bound writable at the shared folder's path. With as_user,
    argv runs as SANDBOX_UID through setpriv.
    """
    cwd = Path(cwd).resolve()
    hidden = [Path("/tmp").resolve(), *_homes()]
    # /dev/shm as a reader's machine has it (1777): multiprocessing's semaphores live there, and joblib warns
    # and goes serial where the sandbox's user cannot write it.
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp",
            "--perms", "1777", "--tmpfs", "/dev/shm"]
    own = [f for f in _own_code() if _under(f, hidden)]
    mounts = {(f, f, "--ro-bind") for f in [*map(_resolved, readable), *own]}  # (source, destination, how)
    mounts |= {(f, f, "--bind") for f in map(_resolved, writable)}
    mounts |= {(_resolved(copy), _resolved(shared), "--bind") for copy, shared in (seeded or {}).items()}
    mounts |= {(cwd, cwd, "--bind")} | {(home, home, "--tmpfs") for home in hidden[1:]}
    # A folder mounted under a hidden one needs its parents made there, readable by the sandbox's user.
    mounts |= {(p, p, "--dir") for _, dest, _ in mounts for p in dest.parents if _under(p, hidden) and p not in hidden}
    # Outer folders first; at one path the home's tmpfs, then a read-only bind, then the writable one, which wins.
    order = ("--dir", "--tmpfs", "--ro-bind", "--bind")
    for source, dest, how in sorted(mounts, key=lambda m: (m[1].parts, order.index(m[2]))):
        args += (["--perms", "0755", "--dir", str(dest)] if how == "--dir" else
                 ["--tmpfs", str(dest)] if how == "--tmpfs" else [how, str(source), str(dest)])
    for git in _git_dirs([SCRIPTS.parent, cwd, *readable, *writable, *(seeded or {}).values()]):
        args += ["--tmpfs", str(git)] if git.is_dir() else ["--ro-bind", "/dev/null", str(git)]
    args += ["--chdir", str(cwd), "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
             "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    if as_user:
        args += SETPRIV_CAPS
    for node in device_nodes:
        args += ["--dev-bind", node, node]
    return [*args, "--", *(SETPRIV if as_user else []), *argv]


def _own_code() -> list[Path]:
    """The folders a child needs to start Python and import ramverk: the virtual environment, the
    interpreter it was made from, this checkout (bound back where the private /tmp or a hidden home
    would hide them)."""
    return sorted({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
                   Path(sys.executable).resolve().parent, SCRIPTS.parent})


def _limits(memory_bytes: int | None = None, cpus: int | None = None, max_tasks: int = 0,
            cgroups: list[Path] = (), deathsig: bool = True) -> list[str]:
    """The launcher that applies the limits, joins the cgroups, then execs (see limits_exec.py)."""
    allowed = sorted(os.sched_getaffinity(0))[:cpus] if cpus and hasattr(os, "sched_getaffinity") else []
    options = {"as": memory_bytes or 0, "cpus": ",".join(map(str, allowed)), "nproc": max_tasks,
               "cgroups": os.pathsep.join(map(str, cgroups)), "deathsig": int(deathsig)}
    return [sys.executable, "-I", "-S", LIMITS_EXEC, *(f"{k}={v}" for k, v in options.items() if v), "--"]


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

    env is used as given (build it with child_env()), with HOME a fresh empty folder unless env names one.
    Files outside cwd are read from the real filesystem, except under /tmp, which is private, and the home
    folder, which is hidden: pass the folders the command reads there as `readable`. `writable` folders
    may be written besides cwd: one under the temporary directory (made for this run) as it is, any other
    (the tests' shared compile cache) through a copy of the run's own, seeded from it, at its path, so
    that nothing written there reaches another run. cwd and the run's own folders are handed to the
    sandbox's user when contributor code runs as one. on_stderr_line(line) sees each stderr line as it
    arrives. Never blocks on a pipe that a surviving grandchild keeps open. `pass_fds` stay open in the
    command, as Popen's do (the launcher and bwrap keep them; the runner's key channel).
    """
    how = how or isolation()
    with tempfile.TemporaryDirectory(prefix="ramverk-run-") as run_dir:
        env, writable, seeded = _run_folders(Path(run_dir), Path(cwd), env, readable, writable, how)
        return _spawn(argv, cwd, env=env, timeout=timeout, memory_bytes=memory_bytes, cpus=cpus, output_cap=output_cap,
                      on_stderr_line=on_stderr_line, device_nodes=device_nodes, readable=readable, writable=writable,
                      seeded=seeded, pass_fds=pass_fds, how=how)


def _run_folders(run_dir: Path, cwd: Path, env: dict[str, str], readable, writable, how: Isolation):
    """(env, writable folders, seeded copies) of one run: a fresh HOME, a copy of each shared writable folder
    in run_dir, the run's own folders owned by the sandbox's user, and readable temporary folders readable to it."""
    temp = [Path(tempfile.gettempdir()).resolve()]
    env = dict(env)
    own = [_resolved(f) for f in writable if _under(_resolved(f), temp)]
    if "HOME" not in env:
        home = run_dir / "home"
        home.mkdir()
        env["HOME"] = str(home)
        own.append(home)
    seeded = {}
    for shared in [_resolved(f) for f in writable if not _under(_resolved(f), temp)]:
        copy = run_dir / f"seeded-{len(seeded)}"
        _seed(shared, copy, link=how.as_user)
        seeded[str(copy)] = str(shared)
    if how.method != "bwrap":  # no bind at the shared path: point the variables that name it at the copy
        for copy, shared in seeded.items():
            env = {k: copy + v[len(shared):] if v == shared or v.startswith(shared + os.sep) else v
                   for k, v in env.items()}
    if how.as_user:
        os.chmod(run_dir, 0o755)
        for folder in [*own, *([cwd.resolve()] if _under(cwd.resolve(), temp) else [])]:
            _hand_over(folder, files=True)
        for copy in seeded:
            _hand_over(Path(copy), files=False)  # its files stay the harness's: linked ones are the shared folder's
        for folder in [_resolved(f) for f in readable if _under(_resolved(f), temp)]:
            if folder.is_dir() and folder.stat().st_mode & 0o005 != 0o005:  # a test's tmp_path is 0700
                folder.chmod(folder.stat().st_mode | 0o055)
    return env, own if how.method == "bwrap" else [], seeded if how.method == "bwrap" else {}


def _seed(shared: Path, copy: Path, link: bool) -> None:
    """copy: the shared folder's files (hard links where they cannot be written through: the files are the
    harness's, and contributor code runs as another user), without lock files, which every run makes anew."""
    def one(source, destination):
        if link and not os.stat(source).st_mode & 0o022:
            try:
                os.link(source, destination)
                return destination
            except OSError:
                pass  # another filesystem: copy
        return shutil.copy2(source, destination)

    if shared.is_dir():
        shutil.copytree(shared, copy, symlinks=True, copy_function=one, ignore=shutil.ignore_patterns("locks", "*.lock"))
    else:
        copy.mkdir()


def _hand_over(folder: Path, files: bool) -> None:
    """Give folder (and its folders, and with `files` its files) to the sandbox's user; links are not followed."""
    for parent, dirs, names in os.walk(folder):
        for name in [".", *dirs, *(names if files else [])]:
            os.chown(os.path.join(parent, name), SANDBOX_UID, SANDBOX_GID, follow_symlinks=False)


def _spawn(argv, cwd, *, env, timeout, memory_bytes, cpus, output_cap, on_stderr_line, device_nodes, readable,
           writable, seeded, pass_fds, how) -> Outcome:
    cgroup = cgroups.Cgroup.make(how.memory, how.cgroup_parents, memory_bytes, MAX_TASKS) if how.tree_memory_limit else None
    rlimit_as = None if cgroup else memory_bytes
    nproc = 0 if cgroup else _tasks_of_uid() + MAX_TASKS
    if how.method == "bwrap":
        inner = bwrap_argv(argv, cwd, device_nodes, readable, writable, seeded, how.as_user)
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
