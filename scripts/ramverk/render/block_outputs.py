"""What each displayed snippet block prints when a reader runs it alone: the output shown under it.

A page shows snippet code with a fence whose body is an include (`--8<-- "snippets/x.py:torch"`).
The output shown under it is what that code, as displayed, prints when it runs alone in a fresh
interpreter from the snippet's folder (ramverk.executor.spawners.Fresh on a copy of the folder), as
a reader who copies the block runs it. It is captured by `python -m ramverk outputs` into
outputs/blocks/<key>.json (committed like results; the build runs no code), keyed by the code and the
sibling snippets it imports, so only a change to what the block runs asks for a new capture. The
notebooks have their own outputs (ramverk.render.notebooks): one kernel running the cells in order.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ramverk.contract import site_config
from ramverk.contract.files import write_atomic
from ramverk.pages import page_source, scanner
from ramverk.render.notebooks import CAPTURE_ENV, TIMEOUT_S

EXECUTION_VERSION = 1  # bump when the way blocks are captured changes: every capture is then missing


@dataclass(frozen=True)
class Fence:
    where: str  # "docs/x.en.md:LINE" of its opening fence (the first page that shows it)
    code: str  # the code as displayed: the includes expanded
    folder: Path  # the folder of the snippet it includes

    @property
    def key(self) -> str:
        return block_key(self.code, self.folder)


@dataclass(frozen=True)
class Captured:
    returncode: int | None
    stdout: str
    stderr: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.problem


def blocks_dir() -> Path:
    return site_config.load().root / "outputs" / "blocks"


def fence_code(lines: list[str], start: int, end: int) -> tuple[str, Path] | None:
    """(displayed code, snippet folder) of the fence whose lines are start..end (1-based, the fence lines
    included), or None when it includes no snippet."""
    root = site_config.load().root
    body = "\n".join(lines[start:end - 1])
    targets = [t for t in page_source.includes(body) if (root / t.partition(":")[0]).is_file()]
    if not targets:
        return None
    # dedented as the page displays it (a fence inside a tab is indented with the tab)
    return textwrap.dedent(page_source.expand(body, lenient=True)), (root / targets[0].partition(":")[0]).parent


def fences() -> list[Fence]:
    """Every include fence of every page, each displayed code once."""
    found: dict[str, Fence] = {}
    for page in page_source.pages():
        if not page.lang:
            continue
        text = page.path.read_text(encoding="utf-8")
        lines = text.split("\n")
        for block in scanner.scan(text).code_blocks:
            if block.fence and (shown := fence_code(lines, block.start, block.end)):
                fence = Fence(f"{page.rel}:{block.start}", *shown)
                found.setdefault(fence.key, fence)
    return list(found.values())


def block_key(code: str, folder: Path) -> str:
    digest = hashlib.sha256(json.dumps([EXECUTION_VERSION, code]).encode())
    for sibling in _siblings(code, folder):
        digest.update(sibling.name.encode() + b"\0" + sibling.read_bytes())
    return digest.hexdigest()[:24]


def _siblings(code: str, folder: Path) -> list[Path]:
    """The snippets of `folder` that the code imports, and those they import in turn."""
    from ramverk.contract.snippet_spec import sibling_imports

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    todo = [p for name in sorted(names) if (p := folder / f"{name}.py").is_file()]
    seen: list[Path] = []
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.append(path)
            todo += sibling_imports(path, path.stat().st_mtime_ns)
    return sorted(seen)


@lru_cache(maxsize=1024)
def _read(path: Path, mtime_ns: int) -> Captured:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Captured(data["returncode"], data["stdout"], data["stderr"], data.get("problem", ""))


def captured(code: str, folder: Path) -> Captured | None:
    """The committed capture of this displayed code, or None when outputs/blocks/ has none."""
    path = blocks_dir() / f"{block_key(code, folder)}.json"
    return _read(path, path.stat().st_mtime_ns) if path.is_file() else None


def capture(refresh: bool = False, prune: bool = False) -> tuple[int, int, list[str], list[str]]:
    """Run every fence whose capture is missing (with refresh, every fence), two at a time, each in a fresh
    interpreter. Returns (captured, already there, deleted files, failures as 'page:line: why')."""
    from concurrent.futures import ThreadPoolExecutor

    from ramverk.executor.spawners import Fresh, Program

    todo = [f for f in fences() if refresh or captured(f.code, f.folder) is None]
    spawner = Fresh(timeout=TIMEOUT_S, env=CAPTURE_ENV)  # a reader's run, as the notebooks': no quick sizes
    failures: list[str] = []

    def one(fence: Fence) -> None:
        verdict = spawner.one(Program(fence.code, folder=fence.folder))
        record = {"where": fence.where, "returncode": verdict.returncode, "stdout": verdict.stdout,
                  "stderr": verdict.stderr[-3000:], "problem": verdict.problem}
        if not verdict.ok:
            failures.append(f"{fence.where}: the block failed when run alone ({verdict.failure()}):\n"
                            f"{verdict.stderr[-1500:]}")
            return  # never committed: the tests report the failing block
        blocks_dir().mkdir(parents=True, exist_ok=True)
        write_atomic(blocks_dir() / f"{fence.key}.json", json.dumps(record, ensure_ascii=False, indent=1))

    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        list(pool.map(one, todo))
    deleted = []
    if prune:
        wanted = {f"{f.key}.json" for f in fences()}
        for path in sorted(blocks_dir().glob("*.json")):
            if path.name not in wanted:
                path.unlink()
                deleted.append(path.name)
    return len(todo) - len(failures), len(fences()) - len(todo), deleted, failures


def problems() -> list[str]:
    """Fences whose capture outputs/blocks/ lacks, and captures no fence uses."""
    wanted = {f.key: f for f in fences()}
    present = {p.stem for p in blocks_dir().glob("*.json")} if blocks_dir().is_dir() else set()
    if os.environ.get("RAMVERK_PENDING_RESULTS"):  # drafting mode: nothing measured or captured yet
        present |= set(wanted)
    found = [f"{fence.where}: what the block prints alone (outputs/blocks/{key}.json) is not captured; capture it "
             "with python -m ramverk outputs, and commit outputs/" for key, fence in wanted.items() if key not in present]
    found += [f"outputs/blocks/{key}.json:1: no page shows its block any more; delete it (python -m ramverk outputs "
              "--prune)" for key in sorted(present - set(wanted))]
    return found
