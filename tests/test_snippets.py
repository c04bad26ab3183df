"""Every snippet runs as a plain script (`python snippets/<topic>/<name>.py`) in quick mode."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ramverk import sandbox

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = sorted(p for p in (ROOT / "snippets").rglob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.relative_to(ROOT / "snippets").as_posix() for p in SNIPPETS])
def test_snippet_runs_as_main(path, tmp_path):
    # sandboxed like the code blocks: no credentials, a memory limit, the process group killed on timeout
    proc = sandbox.run([sys.executable, str(path)], tmp_path, timeout=300, env={"RAMVERK_QUICK": "1"})
    assert proc.returncode == 0, f"{path.relative_to(ROOT)} failed:\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), f"{path.relative_to(ROOT)} printed nothing; a snippet should show its result"
