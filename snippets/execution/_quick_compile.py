"""For the self-checks of snippets that time torch.compile (compile_caches.py, scan_unroll.py)."""

import functools
import os

from ramverk.sections import runnable


def trace_only_when_quick() -> None:
    """With RAMVERK_QUICK set, torch.compile uses the aot_eager backend: Dynamo and AOTAutograd trace
    as in the runner, but Inductor's cold C++ compile (seconds to tens of seconds per graph) is left to
    the runner, so the test suite stays fast."""
    if os.environ.get("RAMVERK_QUICK") and runnable(["torch"]):
        import torch

        torch.compile = functools.partial(torch.compile, backend="aot_eager")
