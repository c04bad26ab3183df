"""The doctor: what each framework sees on this machine, and advice when something looks wrong.

Run it first when something is off: python snippets/hardware/doctor.py
It never needs a GPU; on a machine without one it says so and explains what that means.
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:doctor]
import importlib
import os
import platform
import shutil
import subprocess
import sys

# keep TensorFlow's start-up log short
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
advice = []


def version(name):
    try:
        return importlib.import_module(name).__version__
    except Exception as e:  # not installed, or broken
        return f"not importable ({type(e).__name__})"


print(f"Python {sys.version.split()[0]} on {platform.platform()}")
for name in ["numpy", "torch", "tensorflow", "jax", "keras", "torchvision"]:
    print(f"  {name:12} {version(name)}")

driver = None
if shutil.which("nvidia-smi"):
    out = subprocess.run(
        [
            "nvidia-smi",
            "--query-gpu=name,driver_version",
            "--format=csv,noheader",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    driver = out.stdout.strip() or out.stderr.strip()
print("nvidia-smi:", driver or "not found (no NVIDIA driver on this machine)")

try:
    import torch

    cuda = torch.cuda.is_available()
    print(
        f"PyTorch: built for CUDA {torch.version.cuda}, "
        f"cuDNN {torch.backends.cudnn.version()}, cuda available: {cuda}, "
        f"mps available: {torch.backends.mps.is_available()}"
    )
    if cuda:
        for i in range(torch.cuda.device_count()):
            print(f"  cuda:{i} {torch.cuda.get_device_name(i)}")
    elif torch.version.cuda is None:
        advice.append(
            "PyTorch is a CPU-only build: install a CUDA wheel from "
            "pytorch.org if you have an NVIDIA GPU."
        )
    elif driver is None:
        advice.append(
            "PyTorch has CUDA, but no NVIDIA driver was found: "
            "install the driver (nvidia-smi must work)."
        )
    else:
        advice.append(
            "Driver and CUDA build both exist but CUDA is unavailable: "
            "the driver is probably too old for the CUDA major version "
            "PyTorch was built for (NVIDIA's CUDA compatibility guide lists "
            "the minimum driver), or CUDA_VISIBLE_DEVICES hides the GPU."
        )
except ImportError:
    pass

try:
    import tensorflow as tf

    info = tf.sysconfig.get_build_info()
    devices = [
        d.device_type + ":" + d.name.split(":")[-1]
        for d in tf.config.list_physical_devices()
    ]
    print(
        f"TensorFlow: built with CUDA {info.get('cuda_version', 'none')}, "
        f"cuDNN {info.get('cudnn_version', 'none')}, devices: {devices}"
    )
    if driver and not tf.config.list_physical_devices("GPU"):
        advice.append(
            "TensorFlow sees no GPU although a driver exists: "
            "tensorflow-cpu is installed, or its CUDA/cuDNN versions "
            "do not match (see tensorflow.org/install/pip)."
        )
except ImportError:
    pass

try:
    import jax

    print(f"JAX: backend {jax.default_backend()}, devices: {jax.devices()}")
    if driver and jax.default_backend() == "cpu":
        advice.append(
            "JAX runs on the CPU although a driver exists: install "
            "jax[cuda12] (or the CUDA extra that matches)."
        )
except ImportError:
    pass

if os.environ.get("CUDA_VISIBLE_DEVICES") == "":
    advice.append(
        "CUDA_VISIBLE_DEVICES is set but empty: "
        "every framework will hide all GPUs."
    )
if driver is None:
    advice.append(
        "No GPU here: everything runs on the CPU. That is correct, "
        "only slower for large matrices; pick the device in code "
        "(see the device page) so the same script uses a GPU elsewhere."
    )

print("Advice:")
for line in advice or ["nothing looks misconfigured"]:
    print("  -", line)
# --8<-- [end:doctor]
