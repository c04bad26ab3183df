"""The python code blocks a reader can see, each unique block once, and how the tests run them.

Every block runs as a reader runs it: written to a file and started with `python` from the folder of
the snippet it comes from (a temporary copy of that folder, so its siblings import and it may write
files), or from an empty folder when the page types the code itself. The ways to start it live in
ramverk.executor: `run_python` uses a fresh interpreter (`Fresh`), `run_page` and `run_scripts` a fork
server (`ForkServer`) that serves a block only where that gives the fresh answer, runs the rest
fresh, and fails a block whose served and fresh runs differ.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ramverk.executor.spawners import ForkServer, Fresh, Program, Verdict
from ramverk.contract import site_config
from ramverk.pages import page_source

BLOCK_TIMEOUT_S = 180.0
BLOCK_ENV = {"RAMVERK_QUICK": "1", "PYTHONHASHSEED": "0"}
# A folder for torch.compile's caches that the sandboxed runs of one test session share (tests/conftest.py
# makes it, under the temporary folder, and removes it at the end). Without it each run would compile its
# C++ cold (tens of seconds per graph on 2 cores). Blocks may write there, so it lives one session: what
# one pull request's code writes never reaches another run. Only for test runs, never for the runner,
# whose workers start with empty caches.
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
    folder: Path | None = None  # the folder of the snippet it includes, which a reader runs it from

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
    seen: dict[str, list[str]] = {}
    for page in page_source.pages():
        for block in page_source.blocks(page):
            if wanted(block.syntax):
                seen.setdefault(block.code, []).append(f"{page.rel}:{block.lineno}")
    folders = snippet_folders()
    return [UniqueBlock(code, tuple(places), folders.get(code_key(code))) for code, places in seen.items()]


def code_key(code: str) -> str:
    """Displayed code compared as code (ramverk.render.output_blocks.code_key)."""
    from ramverk.render import output_blocks

    return output_blocks.code_key(code)


@lru_cache(maxsize=1)
def snippet_folders() -> dict[str, Path]:
    """code_key(displayed code) -> the folder of the snippet its fence includes, for every include fence."""
    from ramverk.render import block_outputs

    return {code_key(fence.code): fence.folder for fence in block_outputs.fences()}


def unique_blocks() -> list[UniqueBlock]:
    """The python blocks a reader can see, each once."""
    return _unique(lambda syntax: syntax == "python")


def sections_run_alone() -> list[str]:
    """"snippets/x.py:section" for every snippet section that a page shows, exactly, as a python block of
    its own: test_code_block runs each of those alone (ramverk.sections.RUN_ALONE_ENV)."""
    from ramverk.render import notebooks

    shown = {code_key(block.code) for block in unique_blocks()}
    root = site_config.load().root
    return [f"{path.relative_to(root).as_posix()}:{name}"
            for path in sorted((root / "snippets").rglob("*.py"))
            for name, code in notebooks.snippet_sections(path).items() if code_key(code) in shown]


def by_page(blocks: list[UniqueBlock]) -> dict[str, list[UniqueBlock]]:
    """Blocks grouped by the page they first appear on, each group in the reader's order."""
    groups: dict[str, list[UniqueBlock]] = {}
    for block in blocks:
        groups.setdefault(block.page, []).append(block)
    return {page: sorted(group, key=lambda b: b.line) for page, group in groups.items()}


def block_env(env: dict | None = None) -> tuple[dict[str, str], list[str]]:
    """(environment, writable folders) for a code block: quick sizes, fixed hashing, the shared compile cache."""
    cache_env, writable = compile_cache()
    return {**BLOCK_ENV, **cache_env, **(env or {})}, writable


def program(block: UniqueBlock) -> Program:
    return Program(block.code, folder=block.folder)


def run_python(code: str, timeout: float = BLOCK_TIMEOUT_S, env: dict | None = None,
               folder: Path | None = None) -> Verdict:
    """Run code as __main__ in a fresh, sandboxed interpreter, from `folder` (copied) or an empty one."""
    run_env, writable = block_env(env)
    return Fresh(timeout=timeout, env=run_env, writable=writable).one(Program(code, folder=folder))


def run_page(blocks: list[UniqueBlock], timeout: float = BLOCK_TIMEOUT_S, env: dict | None = None,
             check: frozenset[int] = frozenset()) -> tuple[list[Verdict], ForkServer]:
    """The blocks' verdicts, in order, from one fork server (see the module docstring); blocks whose
    index is in `check` are also run fresh when they pass served (`Verdict.check`)."""
    run_env, writable = block_env(env)
    server = ForkServer(timeout=timeout, env=run_env, writable=writable)
    return server.run([program(b) for b in blocks], check), server


def run_scripts(paths: list[Path], timeout: float = BLOCK_TIMEOUT_S, env: dict | None = None,
                check: frozenset[int] = frozenset()) -> list[Verdict]:
    """`python PATH` for each file, where it is, from an empty working directory each, as run_page runs blocks."""
    cache_env, writable = compile_cache()
    server = ForkServer(timeout=timeout, env={"RAMVERK_QUICK": "1", **cache_env, **(env or {})}, writable=writable)
    return server.run([Program.from_script(p) for p in paths], check)


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

