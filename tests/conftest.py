"""Shared fixtures: the strict site build, a local server for it, and the verified-block count."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def build_site(dest: Path, env: dict | None = None) -> float:
    """`mkdocs build --strict` into dest; returns the wall time. Fails with the build's own output."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}", pytrace=False)
    return time.perf_counter() - started


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    seconds = build_site(site)
    print(f"\nstrict build: {seconds:.1f} s")
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site served on 127.0.0.1 (a free port), for the browser tests."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pytest_terminal_summary(terminalreporter):
    """End the run with the count of verified code blocks and the pages they come from."""
    from ramverk import code_blocks

    stats = terminalreporter.stats
    ran = [r for r in stats.get("passed", []) + stats.get("failed", []) if "test_code_block[" in r.nodeid]
    if not ran:
        return
    passed = sum(1 for r in stats.get("passed", []) if "test_code_block[" in r.nodeid)
    unique = code_blocks.unique_blocks()
    pages = {place.rsplit(':', 1)[0] for block in unique for place in block.pages}
    terminalreporter.write_line(
        f"verified {passed} of {len(unique)} unique python code blocks from {len(pages)} pages "
        f"({sum(len(b.pages) for b in unique)} appearances across both languages)"
    )
