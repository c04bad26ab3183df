"""jacfwd against jacrev for a wide function, R^n_in -> R^n_out: many inputs, few outputs, where reverse mode needs fewer passes.

The function and build() are those of jacobian_tall.py (f(x) = W2 · tanh(W1 · x)); only the shape
differs, so the two measurements compare like with like.
Run it: python snippets/autodiff/jacobian_wide.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

from jacobian_tall import build, check_agreement  # noqa: F401  (build is what the runner measures)

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["jacfwd", "jacrev"], "jax": ["jacfwd", "jacrev"]},
    "sizes": {"quick": {"n_in": 64, "n_out": 4, "hidden": 16}, "full": {"n_in": 2048, "n_out": 16, "hidden": 256}},
}

if __name__ == "__main__":
    check_agreement(BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"])
