"""The ways to start a program in the sandbox, behind one interface (asv's Spawner and ForkServer).

A `Program` is what a reader runs: a code block written to a file and run with `python FILE` from
a folder (an empty one, or a copy of the snippet's folder it comes from), or a script run in
place. A `Spawner` runs a list of them and returns one `Verdict` each, in order:

* `Fresh`: each program in a fresh interpreter of its own, sandboxed (ramverk.executor.sandbox).
  This is the reader's semantics, and the judge of every other way.
* `ForkServer`: one sandboxed server (ramverk.executor.fork_server) forks a child per program
  from a process that has run the program's own leading imports, where ramverk.executor.serving
  says that gives what a fresh interpreter gives; every other program runs `Fresh`. A served
  program that does not pass is run fresh too, and if the fresh run passes, the verdict is a
  failure that shows both ("served and fresh differ"), never a silent fallback. `check` names
  programs that pass served and are run fresh as well, so a caller can compare the two outputs.

Verdicts come from the parent alone: exit statuses from the server's report channel, which no
program can reach (see fork_server), and output from pipes only that program had; no file a
program can write is read back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ramverk.executor import sandbox, serving

DEFAULT_TIMEOUT_S = 180.0
OUTPUT_CAP_BYTES = 1 << 20  # per stream and program: more is the program's failure


@dataclass(frozen=True)
class Program:
    code: str  # the program's text
    name: str = "block.py"  # the file it is written to
    folder: Path | None = None  # whose *.py files are copied beside it (a snippet's folder); None: an empty folder
    script: Path | None = None  # run this file where it is (read-only), from an empty folder, instead

    @classmethod
    def from_script(cls, path: Path) -> Program:
        path = Path(path).resolve()
        return cls(path.read_text(encoding="utf-8"), path.name, script=path)


@dataclass(frozen=True)
class Verdict:
    returncode: int | None  # None: it did not finish (see problem)
    stdout: str
    stderr: str
    how: str  # "served" or "fresh"
    seconds: float = 0.0
    problem: str = ""  # timed out, printed too much, served and fresh differ, ...
    fresh_because: str = ""  # why the program was not served
    served: Verdict | None = None  # the served run that did not pass, when a fresh run followed it
    check: Verdict | None = field(default=None, repr=False)  # the fresh run of a sampled served program

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.problem

    def failure(self) -> str:
        """Why it did not pass, in words."""
        if self.problem:
            return self.problem
        return f"exit status {self.returncode}"


class Spawner:
    """Runs programs in the sandbox; see the module docstring."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT_S, env: dict | None = None,
                 writable: list[str | Path] = (), memory_bytes: int | None = -1):
        self.timeout, self.env, self.writable, self.memory_bytes = timeout, dict(env or {}), list(writable), memory_bytes

    def run(self, programs: list[Program], check: frozenset[int] = frozenset()) -> list[Verdict]:
        raise NotImplementedError


def _prepare(program: Program, where: Path) -> tuple[Path, Path]:
    """(script, working directory) for program under `where` (an empty folder)."""
    where.mkdir(parents=True)
    if program.script is not None:
        return program.script, where
    if program.folder is not None:
        for sibling in Path(program.folder).glob("*.py"):
            shutil.copy2(sibling, where / sibling.name)
    script = where / program.name
    script.write_text(program.code, encoding="utf-8")
    return script, where


def _own_modules(program: Program) -> frozenset[str]:
    """What the program's own folder lets it import (its sibling snippets), which is never preloaded."""
    folder = program.script.parent if program.script is not None else program.folder
    if folder is None:
        return frozenset()
    return frozenset(p.stem for p in Path(folder).glob("*.py")) | frozenset(
        p.parent.name for p in Path(folder).glob("*/__init__.py"))


def _readable(program: Program) -> list[str]:
    return [str(program.script.parent)] if program.script is not None else []


class Fresh(Spawner):
    """Each program in a fresh, sandboxed interpreter of its own."""

    def run(self, programs: list[Program], check: frozenset[int] = frozenset()) -> list[Verdict]:
        return [self.one(p) for p in programs]

    def one(self, program: Program, fresh_because: str = "") -> Verdict:
        with tempfile.TemporaryDirectory(prefix="ramverk-fresh-") as tmp:
            script, cwd = _prepare(program, Path(tmp) / "run")
            started = time.monotonic()
            try:
                proc = sandbox.run([sys.executable, str(script)], cwd, timeout=self.timeout, env=self.env,
                                   readable=_readable(program), writable=self.writable,
                                   memory_bytes=self.memory_bytes, output_cap=OUTPUT_CAP_BYTES)
            except subprocess.TimeoutExpired as error:
                return Verdict(None, _text(error.stdout), _text(error.stderr), "fresh", time.monotonic() - started,
                               f"timed out after {self.timeout:g} s", fresh_because)
        problem = f"printed more than {OUTPUT_CAP_BYTES >> 20} MiB" if proc.truncated else (
            "killed: out of memory" if proc.oom_killed else "")
        return Verdict(proc.returncode, proc.stdout, proc.stderr, "fresh", time.monotonic() - started, problem,
                       fresh_because)


def _text(data) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")


class ForkServer(Spawner):
    """Programs served by one sandboxed fork server where that gives the fresh answer; see the module docstring."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fresh = Fresh(**kwargs)
        self.zygotes: list[dict] = []  # what the last run's server made: prefix, seconds, error
        self.server_problem = ""  # how the last run's server ended, when not cleanly

    def run(self, programs: list[Program], check: frozenset[int] = frozenset()) -> list[Verdict]:
        plans = [serving.plan(p.code, _own_modules(p)) for p in programs]
        served = [i for i, plan in enumerate(plans) if plan.served]
        # The fresh runs known in advance (programs not served, and the sample) go alongside the server:
        # each is a sandbox of its own, and while one waits on its imports the other has the core.
        with ThreadPoolExecutor(max_workers=1) as alongside:
            fresh = {i: alongside.submit(self.fresh.one, programs[i], plans[i].fresh_because)
                     for i in range(len(programs)) if not plans[i].served or i in check}
            results = self._serve([programs[i] for i in served], [plans[i].preload for i in served])
            by_index = dict(zip(served, results, strict=True))
            return [self._verdict(i, programs[i], plans[i], by_index.get(i), fresh.get(i)) for i in range(len(programs))]

    def _verdict(self, i: int, program: Program, plan: serving.Plan, served: Verdict | None, fresh) -> Verdict:
        def alone(why: str = "") -> Verdict:
            return fresh.result() if fresh is not None else self.fresh.one(program, why)

        if not plan.served:
            return alone()
        if served is None:  # the server was gone before its turn
            return alone(f"the server was gone before its turn ({self.server_problem})")
        if not served.ok:
            judged = replace(alone(), fresh_because="")
            if judged.ok:  # the server got it wrong: a failure that shows both, never a quiet fallback
                judged = replace(judged, problem=f"served and fresh differ: served, {served.failure()}; fresh, it passed")
            return replace(judged, served=served)
        return replace(served, check=fresh.result()) if fresh is not None else served

    def _serve(self, programs: list[Program], preloads: list[tuple[str, ...]]) -> list[Verdict | None]:
        self.zygotes, self.server_problem = [], ""
        if not programs:
            return []
        with tempfile.TemporaryDirectory(prefix="ramverk-served-") as tmp:
            root = Path(tmp)
            plan = {"programs": [], "timeout": self.timeout, "cap": OUTPUT_CAP_BYTES}
            for i, (program, preload) in enumerate(zip(programs, preloads, strict=True)):
                script, cwd = _prepare(program, root / f"run-{i}")
                plan["programs"].append({"script": str(script), "cwd": str(cwd), "preload": list(preload)})
            (root / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
            readable = sorted({folder for p in programs for folder in _readable(p)})
            try:
                proc = sandbox.run([sys.executable, "-m", "ramverk.executor.fork_server", str(root / "plan.json")],
                                   root, timeout=60 + self.timeout * len(programs), env=self.env, readable=readable,
                                   writable=self.writable, memory_bytes=self.memory_bytes,
                                   output_cap=4 * OUTPUT_CAP_BYTES * (len(programs) + 1))
                report, stderr = proc.stdout, proc.stderr
                if proc.returncode != 0:
                    self.server_problem = f"the server exited with {proc.returncode}: {stderr[-1500:]}"
            except subprocess.TimeoutExpired as error:
                report, self.server_problem = _text(error.stdout), "the server timed out"
        return self._verdicts(report, len(programs))

    def _verdicts(self, report: str, n: int) -> list[Verdict | None]:
        """Each program's served verdict; None for those the server never started (it had died)."""
        out: dict[int, dict[str, list[str]]] = {i: {"stdout": [], "stderr": []} for i in range(n)}
        done: dict[int, dict] = {}
        running = None  # the last program the server started: the one it was running if it died
        for line in report.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                self.server_problem = self.server_problem or f"the server's report has a bad line: {line[:200]!r}"
                break
            if "start" in record:
                running = record["start"]
            elif "out" in record:
                out[record["out"]][record["stream"]].append(record["data"])
            elif "done" in record:
                done[record["done"]] = record
            elif "zygote" in record:
                self.zygotes.append(record)
        verdicts = []
        for i in range(n):
            stdout, stderr = "".join(out[i]["stdout"]), "".join(out[i]["stderr"])
            record = done.get(i)
            if record is None and i == running:  # the one it was running when it died
                problem = "the server died while it ran" + (f" ({self.server_problem})" if self.server_problem else "")
                verdicts.append(Verdict(None, stdout, stderr, "served", problem=problem))
            elif record is None:
                verdicts.append(None)
            else:
                verdicts.append(Verdict(record["returncode"], stdout, stderr, "served", record["seconds"],
                                        record["problem"]))
        return verdicts
