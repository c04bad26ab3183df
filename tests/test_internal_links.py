"""Every internal link of the built site leads somewhere (linkchecker), and the check itself finds a broken one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest


def _link_check(site: Path) -> subprocess.CompletedProcess:
    """linkchecker over the site's internal links (it checks no external link unless told to).

    Run as root, linkchecker drops to user nobody, who cannot read pytest's private temporary
    folders: it gets a world-readable copy then.
    """
    with tempfile.TemporaryDirectory(prefix="ramverk-links-") as tmp:
        target = site
        if os.geteuid() == 0:
            target = Path(tmp) / "site"
            shutil.copytree(site, target)
            for path in [Path(tmp), *target.rglob("*"), target]:
                path.chmod(0o755 if path.is_dir() else 0o644)
        exe = Path(sys.executable).with_name("linkchecker")
        return subprocess.run([str(exe), "--no-status", "--no-warnings", "--output", "text", "--recursion-level", "-1",
                               str(target / "index.html")], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_internal_links_of_the_built_site(built_site):
    proc = _link_check(built_site)
    summary = [line for line in proc.stdout.splitlines() if "links in" in line or "found." in line]
    print("\nlinkchecker: " + " ".join(summary))
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_the_link_check_finds_a_broken_link(tmp_path):
    (tmp_path / "index.html").write_text('<a href="here.html">ok</a> <a href="gone/">broken</a>', encoding="utf-8")
    (tmp_path / "here.html").write_text("<p>here</p>", encoding="utf-8")
    proc = _link_check(tmp_path)
    assert proc.returncode == 1 and "1 error found" in proc.stdout, proc.stdout
