"""The python code blocks a reader can see, each unique block once, and a clean way to run one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ramverk import page_source


@dataclass(frozen=True)
class UniqueBlock:
    code: str
    pages: tuple[str, ...]  # "docs/x.en.md:12" for every place it appears

    @property
    def test_id(self) -> str:
        return self.pages[0].removeprefix("docs/")


def unique_blocks() -> list[UniqueBlock]:
    """Python blocks after snippet expansion; the sv and en pages show the same code, so it counts once."""
    seen: dict[str, list[str]] = {}
    for page in page_source.pages():
        for block in page_source.blocks(page):
            if block.syntax == "python":
                seen.setdefault(block.code, []).append(f"{page.rel}:{block.lineno}")
    return [UniqueBlock(code, tuple(places)) for code, places in seen.items()]


def run_python(code: str, timeout: float = 180, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run code as __main__ in a fresh interpreter inside an empty temporary directory.

    A fresh process per block means no state leaks between blocks (pytest-codeblocks itself
    runs them in-process, sharing globals and imports).
    """
    with tempfile.TemporaryDirectory(prefix="ramverk-block-") as tmp:
        script = Path(tmp) / "block.py"
        script.write_text(code, encoding="utf-8")
        child_env = {**os.environ, "RAMVERK_QUICK": "1", "PYTHONHASHSEED": "0", **(env or {})}
        return subprocess.run(
            [sys.executable, str(script)], cwd=tmp, capture_output=True, text=True, timeout=timeout, env=child_env
        )
