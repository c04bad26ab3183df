"""Pretrained models: torchvision and Keras applications. Weights are a download, so this
snippet uses local copies when they exist and otherwise skips with a clear reason.

Run it: python snippets/hardware/pretrained.py
"""

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:torchvision]
import os
from pathlib import Path

try:
    import torchvision
except ImportError as e:  # not installed, or built for another torch version
    print(
        "skipped: torchvision is not importable here "
        f"({type(e).__name__}: {e})."
    )
    print(
        "  install the build that matches your torch"
        " (pytorch.org/get-started) to run this part."
    )
else:
    from torchvision.models import ResNet18_Weights, resnet18

    weights = ResNet18_Weights.DEFAULT
    cache = (
        Path(os.environ.get("TORCH_HOME", Path.home() / ".cache" / "torch"))
        / "hub"
        / "checkpoints"
    )
    local = cache / Path(weights.url).name
    if local.exists():
        # found in the cache: no download
        model = resnet18(weights=weights).eval()
        print(
            "loaded",
            local.name,
            "with",
            len(weights.meta["categories"]),
            "classes",
        )
    else:
        # the architecture alone needs no download
        model = resnet18(weights=None)
        print(
            f"skipped loading weights: {local} is missing; "
            "resnet18(weights=...) would download it"
        )
# --8<-- [end:torchvision]

# --8<-- [start:keras]
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras

# The architecture is code; the weights are a file of several MB that Keras
# downloads on first use.
model = keras.applications.MobileNetV2(
    input_shape=(96, 96, 3), alpha=0.35, weights=None
)
print(
    f"MobileNetV2 built: {model.count_params():,} parameters, "
    "randomly initialised"
)
name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96.h5"
local = (
    Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models" / name
)
if local.exists():
    model.load_weights(str(local))
    print("loaded pretrained ImageNet weights from", local)
else:
    print(
        f"skipped loading weights: {local} is missing; "
        "weights='imagenet' would download it"
    )
# --8<-- [end:keras]
