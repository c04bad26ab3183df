"""Two builds of the same source with the same SOURCE_DATE_EPOCH are byte-identical."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import helpers
import pytest


@pytest.mark.slow
def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(tmp_path, built_site):
    """Both through `python -m ramverk build` (each language in its own process, at the same time).

    After built_site, whose build fills the checkout's notebook caches: mkdocs-jupyter writes its
    cache files in place, so a build that read one while another build of the same checkout was
    writing it failed (a fresh clone's first run, the caches cold)."""
    env = {"SOURCE_DATE_EPOCH": "1700000000", "RAMVERK_PENDING_RESULTS": "1"}
    first, second = tmp_path / "a", tmp_path / "b"
    for site in (first, second):
        proc = subprocess.run([sys.executable, "-m", "ramverk", "build", "--site-dir", str(site)], cwd=helpers.ROOT,
                              capture_output=True, text=True, timeout=600, env=helpers.checkout_env(helpers.ROOT, **env))
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(first, second, [str(p) for p in files_a], shallow=False)
    assert not mismatch and not errors, f"files that differ between two builds: {mismatch[:20]} {errors[:20]}"
    print(f"\nreproducible build: {len(files_a)} files byte-identical")
