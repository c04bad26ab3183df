"""Derivatives cross-checked between PyTorch, TensorFlow and JAX (docs/autodiff/), and the logging
pages' event files read back.

Each check computes the same derivative in the three frameworks from the same float64 inputs and
compares them with each other and, where there is one, with a closed form. The snippet modules are
imported for the functions the pages show (their top-level demonstration sections run once, fast).
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets" / "autodiff"

torch = tf = jax = jnp = None  # imported by the fixture below, so that collecting this file imports no framework


@pytest.fixture(autouse=True, scope="module")
def _float64_jax():
    """The three frameworks, and float64 in JAX for this module only (the comparisons are at 1e-12), restored
    afterwards."""
    global torch, tf, jax, jnp
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    torch, tf, jax = (pytest.importorskip(name) for name in ("torch", "tensorflow", "jax"))
    jnp = jax.numpy
    previous = bool(jax.config.jax_enable_x64)
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


def _snippet(name):
    """Import a snippet as the runner does: its folder on sys.path, so sibling imports resolve."""
    if str(SNIPPETS) not in sys.path:
        sys.path.insert(0, str(SNIPPETS))
    spec = importlib.util.spec_from_file_location(f"autodiff_{name}", SNIPPETS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- scalar functions: torch, tf and jax versions of the same formula, with the hand derivative ---
FUNCTIONS = {
    "a*(a+b)": (lambda m, a, b: a * (a + b), lambda a, b: (2 * a + b, a)),
    "sin(a*b)+a": (lambda m, a, b: m.sin(a * b) + a, lambda a, b: (b * math.cos(a * b) + 1, a * math.cos(a * b))),
    "exp(a)*tanh(b)": (lambda m, a, b: m.exp(a) * m.tanh(b),
                       lambda a, b: (math.exp(a) * math.tanh(b), math.exp(a) * (1 - math.tanh(b) ** 2))),
    "log(1+a^2)/(1+b^2)": (lambda m, a, b: m.log(1 + a * a) / (1 + b * b),
                           lambda a, b: (2 * a / (1 + a * a) / (1 + b * b),
                                         -2 * b * math.log(1 + a * a) / (1 + b * b) ** 2)),
}
POINTS = [(2.0, 3.0), (-1.25, 0.5), (0.3, -2.0)]


def _grads_torch(fn, a, b):
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    fn(torch, ta, tb).backward()
    return ta.grad.item(), tb.grad.item()


def _grads_tf(fn, a, b):
    va, vb = tf.Variable(a, dtype=tf.float64), tf.Variable(b, dtype=tf.float64)
    with tf.GradientTape() as tape:
        out = fn(tf.math, va, vb)
    ga, gb = tape.gradient(out, [va, vb])
    return float(ga), float(gb)


def _grads_jax(fn, a, b):
    ga, gb = jax.grad(lambda x, y: fn(jnp, x, y), argnums=(0, 1))(jnp.float64(a), jnp.float64(b))
    return float(ga), float(gb)


@pytest.mark.parametrize("point", POINTS, ids=[f"a={a},b={b}" for a, b in POINTS])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_scalar_gradients_agree_across_frameworks_and_with_the_hand_derivative(name, point):
    fn, exact = FUNCTIONS[name]
    a, b = point
    expected = exact(a, b)
    results = {"torch": _grads_torch(fn, a, b), "tensorflow": _grads_tf(fn, a, b), "jax": _grads_jax(fn, a, b)}
    for framework, got in results.items():
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), f"{framework}: {got} != {expected}"


def test_computational_graph_snippet_gradients_agree():
    """The page's own f(a, b) = a·(a + b) helper, at float32, against the hand derivation."""
    grads = _snippet("computational_graph").gradients(1.5, -0.75)
    for framework, (ga, gb) in grads.items():
        assert ga == pytest.approx(2 * 1.5 - 0.75, abs=1e-5), framework
        assert gb == pytest.approx(1.5, abs=1e-5), framework


def test_custom_sigmoid_gradients_agree_across_frameworks():
    values = list(np.linspace(-8, 8, 33))
    grads = _snippet("custom_gradients").sigmoid_grads(values)
    s = 1 / (1 + np.exp(-np.array(values)))
    assert set(grads) == {"torch", "jax", "tensorflow"}
    for framework, g in grads.items():
        np.testing.assert_allclose(g, s * (1 - s), atol=1e-6, err_msg=framework)


def test_vector_gradient_of_a_small_network_loss_agrees():
    """∇W of mean((tanh(x W) − y)²) for the same float64 data in all three frameworks."""
    rng = np.random.default_rng(0)
    x, w, y = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3))

    tw = torch.tensor(w, requires_grad=True)
    ((torch.tanh(torch.tensor(x) @ tw) - torch.tensor(y)) ** 2).mean().backward()

    vw = tf.Variable(w)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((tf.tanh(tf.constant(x) @ vw) - y) ** 2)
    g_tf = tape.gradient(loss, vw).numpy()

    g_jax = np.asarray(jax.grad(lambda w_: jnp.mean((jnp.tanh(jnp.asarray(x) @ w_) - y) ** 2))(jnp.asarray(w)))

    np.testing.assert_allclose(tw.grad.numpy(), g_jax, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g_tf, g_jax, rtol=1e-12, atol=1e-14)


def test_jacobians_agree_forward_reverse_and_across_frameworks():
    """jacfwd == jacrev within each framework, and torch == tf == jax on the same weights."""
    rng = np.random.default_rng(1)
    w1, w2, x = rng.normal(size=(6, 3)), rng.normal(size=(5, 6)), rng.normal(size=3)

    def f_jax(v):
        return jnp.asarray(w2) @ jnp.tanh(jnp.asarray(w1) @ v)

    def f_torch(v):
        return torch.tensor(w2) @ torch.tanh(torch.tensor(w1) @ v)

    j_fwd, j_rev = np.asarray(jax.jacfwd(f_jax)(jnp.asarray(x))), np.asarray(jax.jacrev(f_jax)(jnp.asarray(x)))
    t_fwd = torch.func.jacfwd(f_torch)(torch.tensor(x)).numpy()
    t_rev = torch.func.jacrev(f_torch)(torch.tensor(x)).numpy()
    xv = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xv)
        out = tf.linalg.matvec(tf.constant(w2), tf.tanh(tf.linalg.matvec(tf.constant(w1), xv)))
    t_tf = tape.jacobian(out, xv).numpy()
    exact = w2 @ np.diag(1 - np.tanh(w1 @ x) ** 2) @ w1
    for name, jac in {"jax jacfwd": j_fwd, "jax jacrev": j_rev, "torch jacfwd": t_fwd,
                      "torch jacrev": t_rev, "tf jacobian": t_tf}.items():
        np.testing.assert_allclose(jac, exact, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("name", ["jacobian_tall", "jacobian_wide"])
def test_measured_jacobian_snippets_build_the_same_jacobian_in_both_modes(name):
    module = _snippet(name)
    size = module.BENCHMARK["sizes"]["quick"]
    for framework in module.BENCHMARK["frameworks"]:
        fwd, rev = (np.asarray(module.build(framework, mode, "cpu", **size)()) for mode in ("jacfwd", "jacrev"))
        assert fwd.shape == (size["n_out"], size["n_in"])
        np.testing.assert_allclose(fwd, rev, atol=1e-5, err_msg=framework)


def test_finite_differences_have_both_error_regimes():
    """The chart's claim: error falls with h (truncation), then rises again (rounding)."""
    steps = np.logspace(-16, 0, 161)
    forward, central = _snippet("four_ways").error_curve(steps)
    best = forward.argmin()
    assert 0 < best < len(steps) - 1
    assert forward[-1] > 100 * forward[best] and forward[0] > 100 * forward[best]
    assert central.min() < forward.min()


# --- the logging page: event files written, then read back ---

def test_pytorch_summarywriter_event_file_reads_back(tmp_path):
    written, read = _snippet("logging_runs").torch_scalars(str(tmp_path), steps=8)
    assert [s for s, _ in read] == list(range(8))
    np.testing.assert_allclose([v for _, v in read], [v for _, v in written], rtol=1e-6)
    assert read[-1][1] < read[0][1], "the logged loss should go down"
    assert any(p.name.startswith("events.out.tfevents") for p in tmp_path.iterdir())


def test_tf_summary_event_file_reads_back(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        for step in range(4):
            tf.summary.scalar("loss", 0.5**step, step=step)
    writer.close()
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    values = [float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors("loss")]
    assert values == [1.0, 0.5, 0.25, 0.125]


def test_wandb_offline_run_stays_in_its_directory(tmp_path, monkeypatch):
    wandb = pytest.importorskip("wandb")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    for var in ["WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR", "WANDB_ARTIFACT_DIR"]:
        monkeypatch.setenv(var, str(tmp_path))
    run = wandb.init(project="ramverk-test", dir=str(tmp_path), config={"lr": 0.1},
                     settings=wandb.Settings(console="off", x_disable_stats=True))
    for step in range(3):
        run.log({"loss": 1.0 / (step + 1)}, step=step)
    run.finish()
    runs = [p for p in (tmp_path / "wandb").iterdir() if p.name.startswith("offline-run-")]
    assert len(runs) == 1
    assert list(runs[0].glob("run-*.wandb")), "the offline run file is missing"
