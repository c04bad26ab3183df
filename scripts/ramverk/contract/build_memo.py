"""The build hooks' page work, kept between builds and between the language processes.

A step's result is stored under the step's name, its own inputs (the page's text, its Markdown or
HTML) and one fingerprint of everything a build reads: the pages, snippets, results, captured
outputs, the ramverk package, mkdocs.yml, the locked and the installed versions, the Python, the
build's address and the RAMVERK_* settings. A change to any of them is a miss for every step, so a memo never shows what
an earlier build saw; an unchanged checkout builds warm (mkdocs-jupyter keeps its notebooks the same
way). Steps that fail store nothing: their errors come back on every build.

The fingerprint is taken once per build (`begin`, in hooks/build_memo.py's on_pre_build, so every
rebuild of `serve` takes it again) and dropped at its end; outside a build every step computes.
RAMVERK_BUILD_MEMO=off computes everything (tests/test_reproducible_build.py builds that way, so
a memo's result is compared with one computed afresh). Entries are JSON, never code; the folder
keeps the newest fingerprints only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ramverk.contract.files import write_atomic

FORMAT = 1
INPUTS = ("docs", "snippets", "results", "outputs", "scripts/ramverk", "mkdocs.yml", "pyproject.toml",
          "requirements.lock")
SKIP = {"__pycache__", ".cache", ".git"}
KEEP = 8  # fingerprints kept: each language's address is its own, and builds may run side by side
IN_USE_S = 600  # a folder touched this recently may belong to a build still running: never removed

_folder: Path | None = None  # this build's entries; None outside a build


def enabled() -> bool:
    return os.environ.get("RAMVERK_BUILD_MEMO", "on") != "off"


def fingerprint(root: Path, address: str = "") -> str:
    """sha256 of every input file's path and bytes, the Python, the build's address and the RAMVERK_* settings."""
    digest = hashlib.sha256(f"format {FORMAT}\n{sys.version}\n{address}\n".encode())
    settings = {k: v for k, v in os.environ.items() if k.startswith("RAMVERK_") and k != "RAMVERK_BUILD_MEMO"}
    digest.update(json.dumps([settings, installed()], sort_keys=True).encode())
    for name in INPUTS:
        for path in _files(root / name):
            digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def installed() -> list[str]:
    """The installed distributions, as their metadata folders name them ("nh3-0.3.0.dist-info"): an
    upgrade in place changes what the hooks produce without changing requirements.lock. A listing
    of each import folder, not importlib.metadata (0.1-0.2 s a build)."""
    found = set()
    for entry in sys.path:
        try:
            found.update(name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            pass  # a zip file, or a folder that is gone
    return sorted(found)


def _files(top: Path) -> list[Path]:
    if top.is_file():
        return [top]
    found = []
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIP]
        found += [Path(folder) / name for name in names if not name.endswith(".pyc")]
    return sorted(found)


def begin(root: Path, address: str = "") -> None:
    """Fingerprint the inputs for this build and drop the folders of older fingerprints."""
    global _folder
    _folder = None
    if not enabled():
        return
    base = root / ".cache" / "build-memo"
    folder = base / fingerprint(root, address)[:32]
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)  # newest first below
    older = sorted((p for p in base.iterdir() if p.is_dir() and p != folder), key=lambda p: p.stat().st_mtime)
    for stale in older[:max(0, len(older) - (KEEP - 1))]:
        if time.time() - stale.stat().st_mtime > IN_USE_S:
            shutil.rmtree(stale, ignore_errors=True)
    _folder = folder


def end() -> None:
    global _folder
    _folder = None


def cached(step: str, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
    """compute()'s JSON value, from the memo when this build's inputs and `key` were seen before."""
    if _folder is None:
        return compute()
    hashed = hashlib.sha256(step.encode())
    for part in key:
        data = part.encode()
        hashed.update(f"\0{len(data)}\0".encode() + data)
    digest = hashed.hexdigest()
    path = _folder / step / f"{digest}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    text = json.dumps(compute())
    try:
        write_atomic(path, text, durable=False)
    except OSError:
        pass  # a full disk, or the folder pruned by another build meanwhile: it costs only time
    return json.loads(text)  # as a hit gives it: lists, not tuples
