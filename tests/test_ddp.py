"""A real DistributedDataParallel run: 2 CPU processes, gloo backend.

Runs the `ddp` section of snippets/hardware/ddp.py (the code the data-parallelism page shows)
and checks that both ranks end with bit-identical weights, that every step's gradient equals
the average of the ranks' local gradients, and that training moved the weights at all.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = ROOT / "snippets" / "hardware" / "ddp.py"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the snippet forks; Linux CI only")


def _section(name: str) -> str:
    text = SNIPPET.read_text(encoding="utf-8")
    start = text.index(f"# --8<-- [start:{name}]")
    return text[start : text.index(f"# --8<-- [end:{name}]")]


@pytest.mark.timeout(300)  # a hang is a failure; a slow (loaded) machine is not
def test_two_process_ddp_on_cpu(capfd):
    torch = pytest.importorskip("torch")
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("this torch build has no gloo backend")
    started = time.perf_counter()
    namespace = {"__name__": "ddp_section"}
    exec(compile(_section("ddp"), str(SNIPPET), "exec"), namespace)  # runs train(world_size=2, steps=3)
    results = namespace["results"]

    assert sorted(results) == [0, 1], "both ranks must report"
    for rank, (averaged, _) in results.items():
        assert averaged, f"rank {rank}: DDP's gradient is not the mean of the ranks' local gradients"
    weights0, weights1 = results[0][1], results[1][1]
    assert weights0 == weights1, "the ranks ended with different weights"

    torch.manual_seed(0)
    initial = [p.detach().tolist() for p in torch.nn.Linear(4, 1).parameters()]
    assert weights0 != initial, "the weights never changed: no training happened"

    out = capfd.readouterr().out
    assert "gradients averaged on every rank: True" in out
    assert "ranks end with identical weights: True" in out
    print(f"\ntwo-process DDP on CPU: {time.perf_counter() - started:.1f} s")
