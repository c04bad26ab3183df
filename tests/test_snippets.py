"""Every snippet runs as a plain script (`python snippets/<topic>/<name>.py`) in quick mode.

Its self-check is what this test adds: the sections that a page shows as code blocks of their own run
alone in test_code_blocks (and together, in the page's order, in the notebook runs), so here they are
left out (ramverk.sections.RUN_ALONE_ENV), except those whose names the self-check uses. Sections no
page shows whole run here.

The snippets run in a few groups; each group goes to one fork server (ramverk.checks.code_blocks.run_scripts,
ramverk.executor), which serves a snippet from a process that has imported only its own packages, where
ramverk.executor.serving says that gives what `python PATH` alone gives, and runs the others fresh; each
runs in its own empty working directory. A served snippet that fails is run fresh too, and if that passes
the test fails all the same (served and fresh differ).
"""

from __future__ import annotations

import functools
from pathlib import Path

import helpers
import pytest
from ramverk import sections
from ramverk.checks import code_blocks

SNIPPETS = sorted(p for p in (helpers.ROOT / "snippets").rglob("*.py") if not p.name.startswith("_"))
# The slowest in quick mode each lead a group of their own, so the groups take similar times and
# none of them waits behind another (the xdist groups go to the workers as a whole).
SLOWEST = ("execution/mnist_digits.py", "execution/cuda_graphs.py", "execution/mlp_step.py")


def _name(path: Path) -> str:
    return path.relative_to(helpers.ROOT / "snippets").as_posix()


GROUPS = helpers.batches(SNIPPETS, tuple(helpers.ROOT / "snippets" / name for name in SLOWEST), len(SLOWEST),
                         "snippets")
GROUP_OF = {path: name for name, paths in GROUPS.items() for path in paths}


@functools.cache
def _outcomes(group: str) -> dict[Path, code_blocks.Verdict]:
    paths = GROUPS[group]
    env = {sections.RUN_ALONE_ENV: ",".join(code_blocks.sections_run_alone())}
    return dict(zip(paths, code_blocks.run_scripts(paths, timeout=300, env=env), strict=True))


@pytest.mark.timeout(2400)  # the group's whole run, paid by its first test
@pytest.mark.parametrize("path", [pytest.param(p, id=_name(p), marks=pytest.mark.xdist_group(GROUP_OF[p]))
                                  for p in SNIPPETS])
def test_snippet_runs_as_main(path, record_property):
    # sandboxed like the code blocks: no credentials, a memory limit, the process group killed on timeout
    outcome = _outcomes(GROUP_OF[path])[path]
    record_property("run_seconds", outcome.seconds)  # the slowest are listed at the end of the run (conftest.py)
    record_property("ran", outcome.how)
    rel = path.relative_to(helpers.ROOT)
    served = f"\nserved run ({outcome.served.failure()}):\n{outcome.served.stderr[-1500:]}" if outcome.served else ""
    assert outcome.ok, f"{rel} failed ({outcome.failure()}):\n{outcome.stderr[-3000:]}{served}"
    assert outcome.stdout.strip(), f"{rel} printed nothing; a snippet should show its result"
    lines = outcome.stdout.splitlines()
    left_out = [line.split("'")[1] for line in lines if line.startswith("skipped section") and
                sections.RUN_ALONE_ENV in line]
    blocked = [line for line in lines if line.startswith("skipped the self-check") and
               any(f"'{name}'" in line for name in left_out)]
    assert not blocked, f"{rel}: a section left out for the code-block tests was one the self-check needs: {blocked}"


def test_every_snippet_is_in_one_group():
    assert sorted(p for paths in GROUPS.values() for p in paths) == SNIPPETS
