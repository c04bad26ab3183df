"""What a fresh output array costs on a CPU: one elementwise operation, `x * 1.5` on 16 M floats,
into a new array ("fresh") and into a buffer allocated once ("out", the `out=` argument).

Both read 64 MB and write 64 MB, so the bytes moved are the same. A fresh 64 MB array is, however,
new memory from the operating system: it is mapped to physical memory one page at a time, on first
touch, and every page is a page fault. The sections count the faults with getrusage (the process's
minor faults; Linux and macOS) and time both forms. BENCHMARK "work" counts the bytes the operation
must move (read x, write the result: 4 + 4 bytes per float32 element).
Run it: python snippets/execution/allocation_cost.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "numpy"],
    "modes": {"torch": ["fresh", "out"], "numpy": ["fresh", "out"]},
    "sizes": {"quick": {"n": 4096}, "full": {"n": 16777216}},
    "baseline": "fresh",
    "work": {"bytes": "8*n"},
}

# --8<-- [start:torch]
import resource
import time

import torch

torch.set_num_threads(1)


def minor_faults():  # pages the OS has mapped in for this process so far
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def measure(run, calls=5):  # the median call's time and page faults
    run()  # warm-up
    seen = []
    for _ in range(calls):
        faults, start = minor_faults(), time.perf_counter()
        run()
        seen.append((time.perf_counter() - start, minor_faults() - faults))
    return sorted(seen)[calls // 2]


x, buf = torch.randn(2**24), torch.empty(2**24)  # 64 MB each
print(f"a 64 MB array is {x.numel() * 4 // 4096} pages of 4 KiB")
fresh = measure(lambda: x * 1.5)
out = measure(lambda: torch.mul(x, 1.5, out=buf))
for name, (seconds, faults) in [("x * 1.5", fresh), ("out=buf", out)]:
    print(f"{name}: {seconds * 1e3:5.1f} ms, {faults:6} page faults")
print(f"the fresh output takes {fresh[0] / out[0]:.1f}× as long")
assert out[1] < fresh[1]  # only the fresh output needs new pages
# --8<-- [end:torch]

# --8<-- [start:numpy]
import resource
import time

import numpy as np


def minor_faults():  # pages the OS has mapped in for this process so far
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def measure(run, calls=5):  # the median call's time and page faults
    run()  # warm-up
    seen = []
    for _ in range(calls):
        faults, start = minor_faults(), time.perf_counter()
        run()
        seen.append((time.perf_counter() - start, minor_faults() - faults))
    return sorted(seen)[calls // 2]


rng = np.random.default_rng(0)
x = rng.standard_normal(2**24, dtype=np.float32)  # 64 MB
buf = np.empty_like(x)
fresh = measure(lambda: x * 1.5)
out = measure(lambda: np.multiply(x, 1.5, out=buf))
for name, (seconds, faults) in [("x * 1.5", fresh), ("out=buf", out)]:
    print(f"{name}: {seconds * 1e3:5.1f} ms, {faults:6} page faults")
assert out[1] < fresh[1]  # only the fresh output needs new pages
# --8<-- [end:numpy]


def build(framework, mode, device, n):
    """x * 1.5 on n float32 values, into a new array (fresh) or into one buffer (out)."""
    import numpy as np

    x_np = np.random.default_rng(0).standard_normal(n).astype("float32")
    if framework == "torch":
        import torch

        xt = torch.from_numpy(x_np).to(device)
        if mode == "out":
            buf = torch.empty_like(xt)
            return lambda: torch.mul(xt, 1.5, out=buf)
        return lambda: xt * 1.5
    if framework == "numpy":
        if mode == "out":
            buf = np.empty_like(x_np)
            return lambda: np.multiply(x_np, 1.5, out=buf)
        return lambda: x_np * 1.5
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np

    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    expected = np.random.default_rng(0).standard_normal(size["n"]).astype("float32") * 1.5
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = np.asarray(build(fw, mode, "cpu", **size)())
            assert np.array_equal(out, expected), f"{fw}/{mode}"
            print(f"{fw}/{mode}: equals x * 1.5")
