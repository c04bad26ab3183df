"""Host-to-device copies: pageable against pinned memory, blocking against non_blocking, and
jax.device_put, in GB/s.

The runner copies n float32 values (4*n bytes) from the host's memory to the GPU per call and
synchronises at the end of each sample, so a non_blocking copy is timed until it has landed.
GPU only: on a CPU there is no copy to make. Run it: python snippets/hardware/host_device_copies.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["pageable", "pinned", "pinned-non-blocking"], "jax": ["device_put"]},
    "sizes": {"quick": {"n": 4096}, "full": {"n": 33554432}},
    "baseline": "pageable",
    "devices": ["cuda"],
    "work": {"bytes": "4*n"},
}

# --8<-- [start:torch]
import time

import torch

if torch.cuda.is_available():
    pageable = torch.randn(2**25)  # 128 MB in ordinary (pageable) host memory
    # the same data in page-locked memory the GPU can read directly
    pinned = pageable.pin_memory()
    print("pinned:", pageable.is_pinned(), "->", pinned.is_pinned())

    for name, source, non_blocking in [
        ("pageable", pageable, False),
        ("pinned", pinned, False),
        ("pinned, non_blocking", pinned, True),
    ]:
        source.to("cuda", non_blocking=non_blocking)  # warm-up
        torch.cuda.synchronize()
        start = time.perf_counter()
        on_gpu = source.to("cuda", non_blocking=non_blocking)
        returned = time.perf_counter() - start  # when Python got control back
        torch.cuda.synchronize()
        landed = time.perf_counter() - start  # when the data was on the GPU
        print(
            f"{name:21} returned after {returned * 1e3:7.3f} ms,"
            f" landed after {landed * 1e3:7.3f} ms"
            f" = {source.nbytes / landed / 1e9:5.1f} GB/s"
        )
else:
    print(
        "no CUDA device here: host-to-device copies need one"
        " (torch.cuda.is_available() is False)"
    )
# --8<-- [end:torch]

# --8<-- [start:jax]
import jax
import numpy as np

host = np.arange(1024, dtype=np.float32)  # a NumPy array lives in host memory
device = jax.devices()[0]  # the first GPU if JAX sees one, else the CPU
on_device = jax.device_put(host, device)  # starts the copy and returns at once
on_device.block_until_ready()  # waits until the array is on the device
print(
    type(on_device).__name__,
    "on",
    on_device.devices(),
    "| committed:",
    on_device.committed,
)
# --8<-- [end:jax]

# --8<-- [start:solution]
import numpy as np
import torch

images = np.random.default_rng(0).integers(
    0, 256, size=(256, 3, 224, 224), dtype=np.uint8
)
prediction = {
    "uint8": 256 * 3 * 224 * 224 * 1,
    "float32": 256 * 3 * 224 * 224 * 4,
}

as_bytes = torch.from_numpy(images)  # what a data loader reads from disk
as_float = as_bytes.float() / 255  # converted on the host before the copy
measured = {"uint8": as_bytes.nbytes, "float32": as_float.nbytes}
print("predicted", prediction, "\nmeasured ", measured)
assert measured == prediction and measured["float32"] == 4 * measured["uint8"]
# --8<-- [end:solution]


def build(framework, mode, device, n):
    """One host-to-device copy of n float32 values; returns the array on the device."""
    import numpy as np

    host_np = np.random.default_rng(0).standard_normal(n).astype("float32")
    if framework == "torch":
        import torch

        host = torch.from_numpy(host_np)
        # Page-locking needs a CUDA driver; the tests also build on PyTorch's "meta" device, where the
        # copy is from pageable memory in every mode.
        if mode.startswith("pinned") and device == "cuda":
            host = host.pin_memory()
        non_blocking = mode == "pinned-non-blocking"
        return lambda: host.to(device, non_blocking=non_blocking)
    if framework == "jax":
        import jax

        target = jax.devices(device)[0]
        return lambda: jax.device_put(host_np, target)
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    import numpy as np

    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick"]  # a check on the CPU; the runner measures the full size on a GPU
    expected = np.random.default_rng(0).standard_normal(size["n"]).astype("float32")
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            out = np.asarray(build(fw, mode, "cpu", **size)())
            assert np.array_equal(out, expected), (fw, mode)
            print(f"{fw:6} {mode:20} {out.nbytes} bytes arrived intact")
