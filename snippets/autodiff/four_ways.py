"""Four ways to get a derivative: by hand, finite differences, symbolic (sympy), automatic.

Run it: python snippets/autodiff/four_ways.py
Redraw the chart of error against step size (writes docs/assets/autodiff/finite_difference_error.svg
in Swedish and finite_difference_error.en.svg in English):
    python snippets/autodiff/four_ways.py --write-chart
"""

import os
import sys

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:by_hand]
import math


def f(x):
    return math.sin(x) * math.exp(x)


def df_by_hand(x):
    # product rule: (sin x · e^x)' = cos x · e^x + sin x · e^x
    return (math.cos(x) + math.sin(x)) * math.exp(x)


print(f"f'(1) by hand: {df_by_hand(1.0):.15f}")
# --8<-- [end:by_hand]

# --8<-- [start:finite_differences]
import math


def f(x):
    return math.sin(x) * math.exp(x)


exact = (math.cos(1.0) + math.sin(1.0)) * math.exp(1.0)
for h in [1e-1, 1e-4, 1e-8, 1e-12]:
    forward = (f(1.0 + h) - f(1.0)) / h
    central = (f(1.0 + h) - f(1.0 - h)) / (2 * h)
    print(
        f"h={h:.0e}  forward error {abs(forward - exact):.1e}   "
        f"central error {abs(central - exact):.1e}"
    )
# --8<-- [end:finite_differences]

# --8<-- [start:symbolic]
import sympy as sp

x = sp.symbols("x")
l = x  # the logistic map l_{k+1} = 4 l_k (1 - l_k), applied n times
for n in range(1, 5):
    l = 4 * l * (1 - l)
    derivative = sp.diff(l, x)
    print(
        f"n={n}: l_n has {sp.count_ops(l):3d} operations, "
        f"d l_n/dx has {sp.count_ops(derivative):4d}, "
        f"expanded {sp.count_ops(sp.expand(derivative)):4d}"
    )
# --8<-- [end:symbolic]

# --8<-- [start:automatic_torch]
import math

import torch

x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
y = torch.sin(x) * torch.exp(x)
y.backward()
exact = (math.cos(1.0) + math.sin(1.0)) * math.exp(1.0)
print(f"autograd {x.grad.item():.15f}, error {abs(x.grad.item() - exact):.1e}")
# --8<-- [end:automatic_torch]

# --8<-- [start:automatic_tensorflow]
import math

import tensorflow as tf

x = tf.Variable(1.0, dtype=tf.float64)
with tf.GradientTape() as tape:
    y = tf.sin(x) * tf.exp(x)
grad = tape.gradient(y, x).numpy()
exact = (math.cos(1.0) + math.sin(1.0)) * math.exp(1.0)
print(f"GradientTape {grad:.15f}, error {abs(grad - exact):.1e}")
# --8<-- [end:automatic_tensorflow]

# --8<-- [start:automatic_jax]
import math

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp

df = jax.grad(lambda x: jnp.sin(x) * jnp.exp(x))
exact = (math.cos(1.0) + math.sin(1.0)) * math.exp(1.0)
print(
    f"jax.grad {float(df(1.0)):.15f}, error {abs(float(df(1.0)) - exact):.1e}"
)
# --8<-- [end:automatic_jax]

# --8<-- [start:cost]
import torch

calls = 0


def loss(w):
    global calls
    calls += 1
    return (torch.tanh(w) ** 2).sum()


n = 1000
w = torch.linspace(-1, 1, n, dtype=torch.float64)

# Finite differences: one extra evaluation of the function per input.
calls, h = 0, 1e-6
base = loss(w)
eye = torch.eye(n, dtype=w.dtype)
fd = torch.stack([(loss(w + h * eye[i]) - base) / h for i in range(n)])
print(
    f"finite differences: {calls} evaluations of the loss "
    f"for {n} partial derivatives"
)

# Reverse-mode autodiff: one forward and one backward pass, whatever n is.
calls = 0
w.requires_grad_(True)
loss(w).backward()
print(
    f"reverse mode:       {calls} evaluation of the loss "
    "(plus one backward pass)"
)
print(
    "largest difference between the two: "
    f"{(fd - w.grad).abs().max().item():.1e}"
)
# --8<-- [end:cost]


def error_curve(steps):
    """Absolute error of forward and central differences of sin(x)·e^x at x = 1, per step size."""
    import numpy as np

    x0 = 1.0
    exact = (np.cos(x0) + np.sin(x0)) * np.exp(x0)
    fn = lambda x: np.sin(x) * np.exp(x)  # noqa: E731
    forward = np.abs((fn(x0 + steps) - fn(x0)) / steps - exact)
    central = np.abs((fn(x0 + steps) - fn(x0 - steps)) / (2 * steps) - exact)
    return forward, central


LABELS = {
    "en": {
        "forward": "forward difference (f(x+h) − f(x)) / h",
        "central": "central difference (f(x+h) − f(x−h)) / 2h",
        "truncation": "truncation ∝ h (forward)",
        "truncation2": "truncation ∝ h² (central)",
        "rounding": "rounding ∝ ε/h",
        "eps": "float64 ε",
        "x": "step size h",
        "y": "absolute error in f′(1)",
        "title": "Finite differences of sin(x)·eˣ at x = 1",
    },
    "sv": {
        "forward": "framåtdifferens (f(x+h) − f(x)) / h",
        "central": "centraldifferens (f(x+h) − f(x−h)) / 2h",
        "truncation": "trunkering ∝ h (framåt)",
        "truncation2": "trunkering ∝ h² (central)",
        "rounding": "avrundning ∝ ε/h",
        "eps": "float64 ε",
        "x": "steglängd h",
        "y": "absolut fel i f′(1)",
        "title": "Differenskvoter för sin(x)·eˣ i x = 1",
    },
}


def write_chart(lang="en", folder="docs/assets/autodiff"):
    """Draw error against step size on log-log axes, with the truncation and rounding slopes.

    The Swedish chart is the default file (finite_difference_error.svg), the English one carries the
    .en suffix, so the i18n plugin gives each language version of the page its own picture.
    Sized as the site's bar charts (ramverk.render.charts): 4.6 in wide with 10-pt text, so that
    on a 390-px phone the text still reads at about 10 CSS px; the legend sits below the axes.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    text = LABELS[lang]
    superscript = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    # 10⁻⁸ in Unicode superscripts: mathtext's 10^{-8} sets the exponent at 7 pt, too small on a phone
    power_of_ten = FuncFormatter(lambda value, _: "10" + str(round(np.log10(value))).translate(superscript))
    plt.rcParams.update({
        "svg.fonttype": "none",  # text stays text in the SVG
        "svg.hashsalt": "ramverk",  # stable ids, so the file is reproducible
        "font.size": 10,
    })
    steps = np.logspace(-16, 0, 161)
    forward, central = error_curve(steps)
    eps = np.finfo(float).eps
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.loglog(steps, np.maximum(forward, 1e-17), label=text["forward"], lw=1.4)
    ax.loglog(steps, np.maximum(central, 1e-17), label=text["central"], lw=1.4)
    ax.loglog(steps, 2 * steps, "k:", lw=1, label=text["truncation"])
    ax.loglog(steps, 3 * steps**2, "k-.", lw=1, label=text["truncation2"])
    ax.loglog(steps, eps * 3 / steps, "k--", lw=1, label=text["rounding"])
    ax.axhline(eps, color="grey", lw=0.8)
    ax.text(1e-12, eps * 2, text["eps"], color="dimgrey")  # clear of the slopes that cross ε
    ax.set_ylim(1e-17, 1e2)
    ax.set_xticks([1e-16, 1e-12, 1e-8, 1e-4, 1])  # every fourth decade: ten labels would collide at 10 pt
    ax.set_yticks([1e-16, 1e-12, 1e-8, 1e-4, 1])
    ax.xaxis.set_major_formatter(power_of_ten)
    ax.yaxis.set_major_formatter(power_of_ten)
    ax.set_xlabel(text["x"])
    ax.set_ylabel(text["y"])
    ax.set_title(text["title"], fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), frameon=False, handlelength=2.4)
    ax.grid(True, which="major", lw=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "finite_difference_error" + ("" if lang == "sv" else f".{lang}") + ".svg")
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight", pad_inches=0.05)
    plt.close(fig)
    return path


if __name__ == "__main__":
    import numpy as np

    if "--write-chart" in sys.argv:
        for lang in LABELS:
            print("wrote", write_chart(lang))
    steps = np.logspace(-16, 0, 17 if os.environ.get("RAMVERK_QUICK") else 161)
    forward, central = error_curve(steps)
    best_f, best_c = steps[forward.argmin()], steps[central.argmin()]
    print(f"best step: forward h≈{best_f:.0e} (error {forward.min():.1e}), central h≈{best_c:.0e} (error {central.min():.1e})")
    assert forward.min() > 1e-10 and central.min() < forward.min()
