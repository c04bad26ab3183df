"""Every snippet runs as a plain script (`python snippets/<topic>/<name>.py`) in quick mode.

The snippets run in a few groups; each group is one sandboxed process that imports the snippets'
packages once and forks a child per snippet, which then runs as `python PATH` would, in its own empty
working directory (ramverk.checks.code_blocks.run_scripts). A snippet that does not pass there is run again
in a fresh sandboxed interpreter of its own, and that verdict is the one reported.
"""

from __future__ import annotations

import functools
from pathlib import Path

import helpers
import pytest
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
def _outcomes(group: str) -> dict[Path, code_blocks.BlockOutcome]:
    paths = GROUPS[group]
    return dict(zip(paths, code_blocks.run_scripts(paths, timeout=300), strict=True))


@pytest.mark.timeout(2400)  # the group's whole run, paid by its first test
@pytest.mark.parametrize("path", [pytest.param(p, id=_name(p), marks=pytest.mark.xdist_group(GROUP_OF[p]))
                                  for p in SNIPPETS])
def test_snippet_runs_as_main(path, record_property):
    # sandboxed like the code blocks: no credentials, a memory limit, the process group killed on timeout
    outcome = _outcomes(GROUP_OF[path])[path]
    record_property("run_seconds", outcome.seconds)  # the slowest are listed at the end of the run (conftest.py)
    rel = path.relative_to(helpers.ROOT)
    assert outcome.ok, f"{rel} failed:\n{outcome.stderr}"
    assert outcome.stdout.strip(), f"{rel} printed nothing; a snippet should show its result"
    if outcome.forked_failure:
        print(f"\n{rel}: passed in a fresh process; in the group's process: {outcome.forked_failure[:500]}")


def test_every_snippet_is_in_one_group():
    assert sorted(p for paths in GROUPS.values() for p in paths) == SNIPPETS
