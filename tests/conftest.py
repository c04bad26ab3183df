"""Shared fixtures: the strict site build (once per run, shared by the xdist workers), a local server
for it, the slowest tests scheduled first, and the verified-block count."""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import shutil
import tempfile
import threading

import helpers
import pytest
from ramverk.checks import code_blocks

# torch.compile's caches, shared by the sandboxed runs of this test session only (ramverk/checks/code_blocks.py):
# made here, in the process that starts the xdist workers (they inherit the variable), and removed at its end.
_OWN_COMPILE_CACHE = code_blocks.COMPILE_CACHE_ENV not in os.environ
if _OWN_COMPILE_CACHE:
    os.environ[code_blocks.COMPILE_CACHE_ENV] = tempfile.mkdtemp(prefix="ramverk-compile-")


def pytest_unconfigure(config):
    if _OWN_COMPILE_CACHE and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(os.environ[code_blocks.COMPILE_CACHE_ENV], ignore_errors=True)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The repository's site, built by `python -m ramverk build` once per test run: under xdist the
    first worker to need it builds it (the others wait on a lock) into the run's shared temporary folder."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        site = tmp_path_factory.mktemp("site")
        _build(site)
        return site
    shared = tmp_path_factory.getbasetemp().parent / f"built-site-{os.environ.get('PYTEST_XDIST_TESTRUNUID', 'run')}"
    shared.mkdir(exist_ok=True)
    site, done, failed = shared / "site", shared / "done", shared / "failed"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this worker dies
        if failed.exists():
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        if not done.exists():
            shutil.rmtree(site, ignore_errors=True)  # a half-written site of a worker that died
            try:
                _build(site)
            except pytest.fail.Exception as error:
                failed.write_text(str(error), encoding="utf-8")
                raise
            done.touch()
    return site


def _build(site):
    """The site as published: `python -m ramverk build` (each language in its own process, strict)."""
    import subprocess
    import sys
    import time

    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ramverk", "build", "--site-dir", str(site)], cwd=helpers.ROOT,
                          capture_output=True, text=True, env=helpers.checkout_env(helpers.ROOT, **helpers.SITE_BUILD_ENV))
    if proc.returncode != 0:
        pytest.fail(f"python -m ramverk build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}", pytrace=False)
    print(f"\nstrict build: {time.perf_counter() - started:.1f} s")


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


# The longest tests and groups, started first so that none is left to run alone at the end
# (xdist hands out work in collection order). Measured on a 2-core machine; order, not a promise.
SLOW_FIRST = (
    "tests/test_snippets.py::test_snippet_runs_as_main",
    "tests/test_frameworks.py",
    "tests/test_import_obsidian.py",
    "tests/test_reproducible_build.py",
    "tests/test_new_note.py",
    "tests/test_code_blocks.py::test_code_block",
    "tests/test_browser.py",
    "tests/test_publish_safety.py",
    "tests/test_sandbox.py",
    "tests/test_runner.py",
)


_GROUPING_LOST = pytest.StashKey[bool]()


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook, which marks each grouped test's node id
def pytest_collection_modifyitems(config, items):
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if getattr(config.option, "loadgroup", False) and grouped and "@" not in grouped[0].nodeid:
        config.stash[_GROUPING_LOST] = True  # failed test by test below: an error raised here is swallowed

    def rank(item):
        return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: the order within a file is kept


def pytest_runtest_setup(item):
    if item.config.stash.get(_GROUPING_LOST, False) and item.get_closest_marker("xdist_group"):
        pytest.fail("pytest-xdist's --dist loadgroup is not grouping (no '@group' in the node ids): every worker "
                    "would run each page's blocks and each snippet group again. The pytest pin in pyproject.toml "
                    "says why.", pytrace=False)


def pytest_terminal_summary(terminalreporter):
    """End the run with the slowest snippets and pages, and the count of verified code blocks."""
    from ramverk.checks import code_blocks

    stats = terminalreporter.stats
    seconds: dict[str, float] = {}
    for report in stats.get("passed", []) + stats.get("failed", []):
        param = report.nodeid.split("[", 1)[-1].rsplit("]", 1)[0]  # before xdist's "@group" suffix
        for name, value in report.user_properties:
            if name == "run_seconds" and "test_code_block[" in report.nodeid:
                page = param.rsplit(":", 1)[0]
                seconds[f"page {page}"] = seconds.get(f"page {page}", 0.0) + value
            elif name == "run_seconds":
                seconds[f"snippet {param}"] = value
    if seconds:
        slowest = sorted(seconds.items(), key=lambda item: -item[1])[:8]
        terminalreporter.write_line("slowest in the shared processes (wall s, quick sizes): " +
                                    ", ".join(f"{name} {value:.0f}" for name, value in slowest))
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
    with_output = sum(1 for r in stats.get("passed", []) if "test_code_block[" in r.nodeid
                      and any(name == "output_verified" for name, _ in r.user_properties))
    terminalreporter.write_line(f"{with_output} of them with their output verified against the output the page shows")
    ways: dict[str, int] = {}
    for report in stats.get("passed", []) + stats.get("failed", []):
        if "test_code_block[" in report.nodeid or "test_snippet_runs_as_main[" in report.nodeid:
            kind = "blocks" if "test_code_block[" in report.nodeid else "snippets"
            for name, value in report.user_properties:
                if name == "ran":
                    ways[f"{kind} {value}"] = ways.get(f"{kind} {value}", 0) + 1
    sampled = [value for r in stats.get("passed", []) + stats.get("failed", []) for name, value in r.user_properties
               if name == "sample_compared"]
    terminalreporter.write_line("ran served or fresh (ramverk.executor): " + ", ".join(
        f"{key} {n}" for key, n in sorted(ways.items())) + f"; served and fresh compared for {len(sampled)} sampled "
        f"block(s): {', '.join(sorted(sampled))}")
