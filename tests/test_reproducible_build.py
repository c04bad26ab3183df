"""Two builds of the same source with the same SOURCE_DATE_EPOCH are byte-identical."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import helpers
import pytest


@pytest.mark.slow
def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(tmp_path, built_site):
    """The session's site (built_site: `python -m ramverk build`, SOURCE_DATE_EPOCH fixed by helpers.SITE_BUILD_ENV)
    against one more build of the same checkout with the same date.

    The first build filled the checkout's chart and notebook caches and its build memo, and this one
    reads them, so a cache that changed what a page shows would show here too: on a fresh clone (CI)
    the session's build computed every page, and this one takes the hooks' page work from the memo. (mkdocs-jupyter writes its cache files in
    place: a build that read one while another build of the same checkout was writing it failed, so this
    build waits for built_site.)"""
    second = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "ramverk", "build", "--site-dir", str(second)], cwd=helpers.ROOT,
                          capture_output=True, text=True, timeout=600,
                          env=helpers.checkout_env(helpers.ROOT, **helpers.SITE_BUILD_ENV))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files_a = sorted(p.relative_to(built_site) for p in built_site.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    _, mismatch, errors = filecmp.cmpfiles(built_site, second, [str(p) for p in files_a], shallow=False)
    assert not mismatch and not errors, f"files that differ between two builds: {mismatch[:20]} {errors[:20]}"
    print(f"\nreproducible build: {len(files_a)} files byte-identical")
