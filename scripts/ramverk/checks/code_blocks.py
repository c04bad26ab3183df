"""The python code blocks a reader can see, each unique block once, and a clean way to run them.

Two ways to run a block, with the same verdict:

* `run_python(code)`: a fresh interpreter of its own, in an empty temporary directory, sandboxed.
* `run_page(blocks)`: the blocks of one page in the reader's order (the tests pass a batch of pages,
  page by page), in ONE sandboxed process that imports their packages once and then forks a child per
  block (`python -m ramverk.checks.code_blocks serve PLAN`). Each child starts from that freshly imported
  state, in its own empty directory, with its own `__main__` and stdout/stderr files, and nothing a
  block defines, sets or leaks reaches the next block (it lived in another process). It ends as the
  interpreter would, less the teardown of every module (see `_exit`). A block the forked run does not
  pass (error, crash, timeout, no verdict) is run again with `run_python`, and that fresh process's
  verdict is the one reported: sharing the imports can make the run faster, never turn a failure into
  a pass or a pass into a failure.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BLOCK_TIMEOUT_S = 180.0
BLOCK_ENV = {"RAMVERK_QUICK": "1", "PYTHONHASHSEED": "0"}
# A folder the test runs share for torch.compile's caches (tests/conftest.py sets it). Inside the private
# /tmp every run would compile its C++ cold (tens of seconds per graph on 2 cores); blocks may write
# there, so it is only for test runs, never for the runner, whose workers start with empty caches.
COMPILE_CACHE_ENV = "RAMVERK_COMPILE_CACHE"


def compile_cache() -> tuple[dict[str, str], list[str]]:
    """(env, writable folders) for the shared compile cache, when one is set."""
    folder = os.environ.get(COMPILE_CACHE_ENV)
    if not folder:
        return {}, []
    Path(folder).mkdir(parents=True, exist_ok=True)
    return {"TORCHINDUCTOR_CACHE_DIR": f"{folder}/inductor", "TRITON_CACHE_DIR": f"{folder}/triton"}, [folder]


@dataclass(frozen=True)
class UniqueBlock:
    code: str
    pages: tuple[str, ...]  # "docs/x.en.md:12" for every place it appears

    @property
    def test_id(self) -> str:
        return self.pages[0].removeprefix("docs/")

    @property
    def page(self) -> str:
        """The page where it first appears ("docs/x.en.md"), whose run it belongs to."""
        return self.pages[0].rsplit(":", 1)[0]

    @property
    def line(self) -> int:
        return int(self.pages[0].rsplit(":", 1)[1])


def _unique(wanted) -> list[UniqueBlock]:
    """Blocks whose syntax `wanted` accepts, after snippet expansion; the sv and en pages show the
    same code, so each counts once."""
    from ramverk.pages import page_source

    seen: dict[str, list[str]] = {}
    for page in page_source.pages():
        for block in page_source.blocks(page):
            if wanted(block.syntax):
                seen.setdefault(block.code, []).append(f"{page.rel}:{block.lineno}")
    return [UniqueBlock(code, tuple(places)) for code, places in seen.items()]


def unique_blocks() -> list[UniqueBlock]:
    """The python blocks a reader can see, each once."""
    return _unique(lambda syntax: syntax == "python")


def by_page(blocks: list[UniqueBlock]) -> dict[str, list[UniqueBlock]]:
    """Blocks grouped by the page they first appear on, each group in the reader's order."""
    groups: dict[str, list[UniqueBlock]] = {}
    for block in blocks:
        groups.setdefault(block.page, []).append(block)
    return {page: sorted(group, key=lambda b: b.line) for page, group in groups.items()}


def run_python(code: str, timeout: float = BLOCK_TIMEOUT_S, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run code as __main__ in a fresh interpreter inside an empty temporary directory.

    A fresh process per block means no state leaks between blocks (pytest-codeblocks itself
    runs them in-process, sharing globals and imports). The temporary directory is the only
    place it can write (see ramverk/executor/sandbox.py for what isolation this machine allows).
    """
    from ramverk.executor import sandbox

    with tempfile.TemporaryDirectory(prefix="ramverk-block-") as tmp:
        script = Path(tmp) / "block.py"
        script.write_text(code, encoding="utf-8")
        # sandbox: read-only filesystem, no network, own PID namespace, no credentials, tree memory limit
        cache_env, writable = compile_cache()
        return sandbox.run([sys.executable, str(script)], tmp, timeout=timeout,
                           env={**BLOCK_ENV, **cache_env, **(env or {})}, writable=writable)


# --- One process per page (or per group of snippets) -------------------------------------------

@dataclass(frozen=True)
class BlockOutcome:
    ok: bool
    stdout: str  # what it printed (the tail)
    stderr: str  # the tail of the failing run's stderr ("" when it passed)
    how: str  # "forked" (passed in the shared process) or "fresh" (the verdict of a process of its own)
    forked_failure: str = ""  # why the forked run did not pass, when the fresh run decided
    seconds: float = 0.0  # the forked run's wall time
    preload_s: float = 0.0  # the shared process's imports, before the first fork


def preloads(codes: list[str]) -> list[str]:
    """The top-level packages the code imports, in order of first import, standard library left out."""
    found: list[str] = []
    for code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # the block reports it itself
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in found:
                    found.append(top)
    return found


def run_page(blocks: list[UniqueBlock], timeout: float = BLOCK_TIMEOUT_S, env: dict | None = None,
             fresh=None) -> list[BlockOutcome]:
    """Run one page's blocks in the reader's order in one sandboxed process (a forked child per block,
    see the module docstring); a block that does not pass there is judged by a fresh process of its own.
    `fresh(code)` is that judge (default: run_python)."""
    fresh = fresh or (lambda code: run_python(code, timeout=timeout, env=env))
    with tempfile.TemporaryDirectory(prefix="ramverk-page-") as tmp:
        programs = []
        for i, block in enumerate(blocks):
            folder = Path(tmp) / f"block-{i}"  # each child's empty working directory
            folder.mkdir()
            (folder / "block.py").write_text(block.code, encoding="utf-8")
            programs.append((folder / "block.py", folder))
        return _run_forked(Path(tmp), programs, [b.code for b in blocks], timeout, {**BLOCK_ENV, **(env or {})},
                           lambda i: fresh(blocks[i].code))


def run_scripts(paths: list[Path], timeout: float = BLOCK_TIMEOUT_S, env: dict | None = None,
                fresh=None) -> list[BlockOutcome]:
    """`python PATH` for each file, each in its own empty working directory, as run_page runs blocks:
    one sandboxed process imports their packages once and forks a child per file; a file that does not
    pass there is judged by `fresh(path, cwd)` (default: a sandboxed `python PATH` of its own)."""
    from ramverk.executor import sandbox

    run_env = {"RAMVERK_QUICK": "1", **(env or {})}

    def alone(path: Path, cwd: Path):
        cache_env, writable = compile_cache()
        return sandbox.run([sys.executable, str(path)], cwd, timeout=timeout, env={**run_env, **cache_env},
                           readable=[path.parent], writable=writable)

    fresh = fresh or alone
    with tempfile.TemporaryDirectory(prefix="ramverk-scripts-") as tmp:
        programs = []
        for i, path in enumerate(paths):
            folder = Path(tmp) / f"run-{i}"
            folder.mkdir()
            programs.append((Path(path).resolve(), folder))

        def judge(i: int):
            with tempfile.TemporaryDirectory(prefix="ramverk-script-") as cwd:
                return fresh(programs[i][0], Path(cwd))

        codes = [Path(p).read_text(encoding="utf-8") for p in paths]
        return _run_forked(Path(tmp), programs, codes, timeout, run_env, judge,
                           readable=sorted({str(script.parent) for script, _ in programs}))


def _run_forked(root: Path, programs: list[tuple[Path, Path]], codes: list[str], timeout: float, env: dict,
                judge, readable: list[str] = ()) -> list[BlockOutcome]:
    """programs: (script, working directory under root) pairs; judge(i) runs program i on its own;
    readable: folders outside root the scripts are in (the sandbox's /tmp is private)."""
    from ramverk.executor import sandbox

    logs = root / "logs"
    logs.mkdir()
    plan = {"programs": [[str(script), str(cwd)] for script, cwd in programs], "logs": str(logs),
            "results": str(logs / "results.jsonl"), "preload": preloads(codes), "timeout": timeout}
    (logs / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    server_error = ""
    cache_env, writable = compile_cache()
    try:
        proc = sandbox.run([sys.executable, "-m", "ramverk.checks.code_blocks", "serve", str(logs / "plan.json")],
                           root, timeout=60 + timeout * len(programs), env={**env, **cache_env}, readable=readable,
                           writable=writable)
        if proc.returncode != 0:
            server_error = f"the shared process exited with {proc.returncode}: {proc.stderr[-1500:]}"
    except subprocess.TimeoutExpired:
        server_error = "the shared process timed out"
    verdicts = {}
    timing = {}
    if (logs / "results.jsonl").exists():
        for line in (logs / "results.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if "index" in record:
                verdicts[record["index"]] = record
            else:
                timing["preload"] = record["seconds"]

    def log(i: int, suffix: str) -> str:
        path = logs / f"{i}{suffix}"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    outcomes = []
    for i in range(len(programs)):
        record = verdicts.get(i)
        if record and record["returncode"] == 0:
            outcomes.append(BlockOutcome(True, log(i, ".out"), "", "forked", seconds=record["seconds"],
                                         preload_s=timing.get("preload", 0.0)))
            continue
        if record is None:
            why = server_error or "the shared process gave no verdict"
        else:
            why = ("timed out" if record["returncode"] is None else f"exit {record['returncode']}") + \
                f": {log(i, '.err')[-1500:]}"
        try:
            proc = judge(i)
        except subprocess.TimeoutExpired as error:
            outcomes.append(BlockOutcome(False, "", f"timed out after {error.timeout:g} s", "fresh", why))
            continue
        ok = proc.returncode == 0
        outcomes.append(BlockOutcome(ok, (proc.stdout or "")[-3000:], "" if ok else (proc.stderr or "")[-3000:],
                                     "fresh", why))
    return outcomes


def _serve(plan_path: str) -> None:
    """The shared process: import the packages, then fork one child per program and wait for it."""
    import importlib
    import select
    import signal
    import time

    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    started = time.monotonic()
    for name in plan["preload"]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the program that imports it reports the failure itself
            pass
    with open(plan["results"], "a", encoding="utf-8") as results:
        results.write(json.dumps({"preload": plan["preload"], "seconds": round(time.monotonic() - started, 2)}) + "\n")
        results.flush()
        for index, (script, cwd) in enumerate(plan["programs"]):
            sys.stdout.flush()
            sys.stderr.flush()
            started = time.monotonic()
            pid = os.fork()
            if pid == 0:
                results.close()
                _child(script, cwd, Path(plan["logs"]) / str(index))  # exits this process; never returns
            try:
                os.setpgid(pid, pid)  # as the child does itself: whichever runs first
            except OSError:
                pass  # it already has (or has already exited)
            returncode = None
            pidfd = os.pidfd_open(pid)
            try:
                ready, _, _ = select.select([pidfd], [], [], plan["timeout"])
            finally:
                os.close(pidfd)
            if not ready:  # timed out: its whole process group goes
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                os.waitpid(pid, 0)
            else:
                returncode = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            results.write(json.dumps({"index": index, "returncode": returncode,
                                      "seconds": round(time.monotonic() - started, 2)}) + "\n")
            results.flush()


def _child(script: str, cwd: str, log: Path) -> None:
    """Become `python SCRIPT` started in cwd, then exit the way that process would."""
    import builtins
    import traceback
    import types

    try:
        os.setpgid(0, 0)  # its own process group, so a timeout kills what it started too
    except OSError:
        pass  # the parent has done it already
    for fd, suffix in ((1, ".out"), (2, ".err")):
        target = os.open(f"{log}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    os.chdir(cwd)
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)  # as python does for a script
    module = types.ModuleType("__main__")
    module.__file__ = script
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    status = 0
    try:
        code = compile(Path(script).read_text(encoding="utf-8"), script, "exec")
        exec(code, module.__dict__)
    except SystemExit as stop:  # the status `python SCRIPT` would exit with
        if isinstance(stop.code, int) or stop.code is None:
            status = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            status = 1
    except BaseException:  # noqa: BLE001 - what the interpreter would print, and its exit status
        traceback.print_exc()
        status = 1
    _exit(status)


def _exit(status: int) -> None:
    """End as the interpreter ends, but for tearing down every module: wait for non-daemon threads,
    run the atexit handlers, flush the streams. The teardown shows nothing and, with the frameworks
    preloaded, costs over a second per child (TensorFlow's alone about one)."""
    import atexit
    import threading

    # The interpreter's own first step: threading's exit hooks (a ThreadPoolExecutor's, which tell its
    # idle workers to stop; torch.compile starts one when it compiles), then the non-daemon threads joined.
    threading._shutdown()
    atexit._run_exitfuncs()  # prints a failing handler's traceback and goes on, as the interpreter does
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a stream the program closed or replaced
            pass
    os._exit(status)


# --- Shell blocks -------------------------------------------------------------------------------

def shell_blocks() -> list[UniqueBlock]:
    """The ```bash blocks a reader can see (see ramverk/pages/shell_blocks.py for which run), each once."""
    from ramverk.pages import shell_blocks as shell_blocks_policy

    return _unique(shell_blocks_policy.runnable)


def run_bash(code: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a ```bash block with `bash -eu` inside an empty temporary directory, sandboxed like run_python."""
    from ramverk.executor import sandbox

    with tempfile.TemporaryDirectory(prefix="ramverk-shell-") as tmp:
        return sandbox.run(["bash", "--noprofile", "--norc", "-eu", "-c", code], tmp, timeout=timeout,
                           env={"RAMVERK_QUICK": "1", **(env or {})})


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(sys.argv[2])
