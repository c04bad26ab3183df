"""The python code blocks a reader can see, each unique block once, and a clean way to run one."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ramverk import page_source, sandbox
from ramverk import shell_blocks as shell_blocks_policy


@dataclass(frozen=True)
class UniqueBlock:
    code: str
    pages: tuple[str, ...]  # "docs/x.en.md:12" for every place it appears

    @property
    def test_id(self) -> str:
        return self.pages[0].removeprefix("docs/")


def _unique(wanted) -> list[UniqueBlock]:
    """Blocks whose syntax `wanted` accepts, after snippet expansion; the sv and en pages show the
    same code, so each counts once."""
    seen: dict[str, list[str]] = {}
    for page in page_source.pages():
        for block in page_source.blocks(page):
            if wanted(block.syntax):
                seen.setdefault(block.code, []).append(f"{page.rel}:{block.lineno}")
    return [UniqueBlock(code, tuple(places)) for code, places in seen.items()]


def unique_blocks() -> list[UniqueBlock]:
    """The python blocks a reader can see, each once."""
    return _unique(lambda syntax: syntax == "python")


def run_python(code: str, timeout: float = 180, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run code as __main__ in a fresh interpreter inside an empty temporary directory.

    A fresh process per block means no state leaks between blocks (pytest-codeblocks itself
    runs them in-process, sharing globals and imports). The temporary directory is the only
    place it can write (see ramverk/sandbox.py for what isolation this machine allows).
    """
    with tempfile.TemporaryDirectory(prefix="ramverk-block-") as tmp:
        script = Path(tmp) / "block.py"
        script.write_text(code, encoding="utf-8")
        # sandbox: read-only filesystem, no network, own PID namespace, no credentials, tree memory limit
        return sandbox.run([sys.executable, str(script)], tmp, timeout=timeout,
                           env={"RAMVERK_QUICK": "1", "PYTHONHASHSEED": "0", **(env or {})})


def shell_blocks() -> list[UniqueBlock]:
    """The ```bash blocks a reader can see (see ramverk/shell_blocks.py for which run), each once."""
    return _unique(shell_blocks_policy.runnable)


def run_bash(code: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a ```bash block with `bash -eu` inside an empty temporary directory, sandboxed like run_python."""
    with tempfile.TemporaryDirectory(prefix="ramverk-shell-") as tmp:
        return sandbox.run(["bash", "--noprofile", "--norc", "-eu", "-c", code], tmp, timeout=timeout,
                           env={"RAMVERK_QUICK": "1", **(env or {})})
