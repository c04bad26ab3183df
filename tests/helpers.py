"""Helpers shared by the test modules (`import helpers`); fixtures live in conftest.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
# The session's site build (conftest.built_site) has a fixed date, so test_reproducible_build compares one more
# build with it instead of making two.
SITE_BUILD_ENV = {"SOURCE_DATE_EPOCH": "1700000000"}
# A throwaway checkout's runner settings: tiny times, no triad, a small memory limit.
PYPROJECT = """[tool.ramverk.runner]
results_dir = "results"
threads = 1
min_time_s = 0.02
quick_min_time_s = 0.02
case_timeout_s = 20
memory_limit_gib = 1
triad = false
"""


def checkout(root: Path, *copied: str, pyproject: str | None = None) -> Path:
    """A throwaway checkout at root: the repository's mkdocs.yml and pyproject.toml (or this pyproject text),
    the folders or files named in `copied`, and an empty results/. Point the tooling at it with RAMVERK_ROOT
    (monkeypatch.setenv in process, env= for a subprocess); its pyproject is the one source of its results folder."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if pyproject is None:
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    else:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return _copy(root, copied)


def batches(names: list, slowest: tuple, n: int, prefix: str) -> dict[str, list]:
    """names dealt round-robin into n batches ("<prefix>-<i>"), the slowest first so each leads a batch of
    its own and the batches take similar times (xdist hands each batch to a worker whole)."""
    missing = [name for name in slowest if name not in names]
    assert not missing, f"named as slowest but gone: {missing}"
    ordered = [*slowest, *(name for name in names if name not in slowest)]
    dealt: dict[str, list[str]] = {}
    for i, name in enumerate(ordered):
        dealt.setdefault(f"{prefix}-{i % n}", []).append(name)
    return dealt


# What a new contributor's clone holds that the tooling reads (copy_repository).
CLONED = ["docs", "snippets", "mkdocs.yml", "pyproject.toml", "results", "outputs", "scripts"]


def copy_repository(root: Path) -> Path:
    """A temporary copy of the repository at root, as a new contributor's checkout."""
    return _copy(root, CLONED)


def _copy(root: Path, names) -> Path:
    """The repository's files or folders `names` copied into root (those it has), and an empty results/."""
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, root / name)
    (root / "results").mkdir(exist_ok=True)
    return root


def checkout_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run in the checkout at root (RAMVERK_ROOT names it)."""
    return {**os.environ, "RAMVERK_ROOT": str(root), "NO_MKDOCS_2_WARNING": "1", **extra}


def ramverk(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m ramverk ARGS` in the checkout at root."""
    return subprocess.run([sys.executable, "-m", "ramverk", *args], cwd=root, capture_output=True, text=True,
                          timeout=120, env=checkout_env(root, **env))


def mkdocs_build(root: Path, site: Path, **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the checkout at root into site."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=root,
                          capture_output=True, text=True, timeout=600, env=checkout_env(root, **env))


class BuildFailed(Exception):
    """`mkdocs build --strict` failed; the message is the build's own output."""


def build_site(dest: Path, env: dict | None = None) -> float:
    """`mkdocs build --strict` of the repository into dest; returns the wall time, raises BuildFailed."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    if proc.returncode != 0:
        raise BuildFailed(f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return time.perf_counter() - started


def first_heading(page: Path) -> str:
    """The text of a Markdown page's first `# ` heading."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{page} has no level-1 heading")


# Debian's Chromium, driven by Playwright (never a downloaded browser), for every browser test.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"]
WAIT_MS = 60_000  # generous: on a loaded machine a navigation can take long, and expect() returns as soon as it holds


@contextmanager
def chromium():
    """A headless Chromium for the length of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
