"""Profiling as a habit: one training step of a small MLP under torch.profiler and jax.profiler.

The sections profile one step and print what a profile says: the slowest operators as a table, the
trace's threads and the idle time between operators, and what jax.profiler.trace writes. The
runner measures the step with and without the profiler around it ("profiled" against "plain"; the
JAX step is jitted in both): what a profile costs. `python -m ramverk trace` records the trace drawn on the page from
build(). Run it: .venv/bin/python snippets/execution/profiling.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {
        "torch": ["plain", "profiled"],
        "jax": ["plain", "profiled"],
    },
    "sizes": {"quick": {"batch": 8, "hidden": 16}, "full": {"batch": 128, "hidden": 128}},
    "baseline": "plain",
}

# --8<-- [start:torch]
import json
import os
import tempfile

import torch
from torch.profiler import ProfilerActivity, profile

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(32, 784), torch.randint(0, 10, (32,))


def train_step():
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()


train_step()  # warm-up: the first step allocates and initialises
with profile(activities=[ProfilerActivity.CPU]) as prof:
    train_step()
ops = [e for e in prof.key_averages() if e.key.startswith("aten::")]
print("ATen operators:", len(ops), "kinds,", sum(e.count for e in ops), "calls")

# the same profile as a trace: every event with its start, duration, thread
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "step.json")
    prof.export_chrome_trace(path)  # Chrome's trace format: Perfetto opens it
    events = json.load(open(path))["traceEvents"]
spans = [e for e in events if e.get("ph") == "X" and e.get("cat") == "cpu_op"]
threads = {e["tid"] for e in spans}
print("operator spans:", len(spans), "on threads:", len(threads))
# the outermost spans: those no other span contains
spans.sort(key=lambda e: (e["ts"], -e["dur"]))
outer, end = [], float("-inf")
for e in spans:
    if e["ts"] >= end:
        outer.append(e)
        end = e["ts"] + e["dur"]
busy = sum(e["dur"] for e in outer)
whole = outer[-1]["ts"] + outer[-1]["dur"] - outer[0]["ts"]
idle = 1 - busy / whole
print(f"between the {len(outer)} outermost, no operator ran for {idle:.0%}")

print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=6))
# --8<-- [end:torch]

# --8<-- [start:jax]
import gzip
import json
import pathlib
import socket
import tempfile

import jax
import jax.numpy as jnp


@jax.jit
def train_step(w, x, y):
    def loss(w):
        return jnp.mean((jnp.tanh(x @ w) - y) ** 2)

    return w - 0.1 * jax.grad(loss)(w)


key = jax.random.key(0)
w, x = jax.random.normal(key, (64, 8)), jax.random.normal(key, (32, 64))
y = jnp.zeros((32, 8))
w = train_step(w, x, y).block_until_ready()  # compile outside the profile
with tempfile.TemporaryDirectory() as folder:
    with jax.profiler.trace(folder, create_perfetto_trace=True):
        for step in range(2):
            with jax.profiler.StepTraceAnnotation("train", step_num=step):
                w = train_step(w, x, y)
        with jax.profiler.TraceAnnotation("wait"):
            w.block_until_ready()
    files = sorted(p for p in pathlib.Path(folder).rglob("*") if p.is_file())
    host = socket.gethostname()
    print("written:", ", ".join(p.name.replace(host, "<host>") for p in files))
    perfetto = next(p for p in files if p.name.startswith("perfetto"))
    trace = json.load(gzip.open(perfetto))
events = trace["traceEvents"]
names = {
    e["tid"]: e["args"]["name"]
    for e in events
    if e.get("name") == "thread_name"
}
annotations = {}  # by thread name: XLA may run on more than one client thread
for tid, name in names.items():
    mine = {
        e["name"] for e in events if e.get("tid") == tid and e.get("ph") == "X"
    }
    annotations.setdefault(name.split("/")[0], set()).update(mine)
for name, mine in sorted(annotations.items()):
    ours = sorted(mine & {"train", "wait"})
    print(f"thread {name}: {', '.join(ours) or 'no annotations'}")
# --8<-- [end:jax]

# --8<-- [start:solution]
import torch
from torch.profiler import ProfilerActivity, profile, record_function

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(32, 784), torch.randint(0, 10, (32,))
optimizer.zero_grad()
torch.nn.functional.cross_entropy(model(x), y).backward()  # warm-up
with profile(activities=[ProfilerActivity.CPU]) as prof:
    with record_function("forward"):
        loss = torch.nn.functional.cross_entropy(model(x), y)
    with record_function("backward"):
        loss.backward()
    with record_function("update"):
        optimizer.step()
        optimizer.zero_grad()
phases = [
    e for e in prof.events() if e.name in ("forward", "backward", "update")
]
for phase in phases:
    inside = [
        e
        for e in prof.events()
        if e.name.startswith("aten::")
        and phase.time_range.start <= e.time_range.start
        and e.time_range.end <= phase.time_range.end
    ]
    print(f"{phase.name:8} {len(inside):3} ATen operator calls")
# --8<-- [end:solution]


def build(framework, mode, device, batch, hidden):
    """One SGD step of a 784-hidden-10 MLP on fixed synthetic data; "profiled" runs it under the profiler."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, 784)).astype("float32")
    y_np = rng.integers(0, 10, batch)
    if framework == "torch":
        import torch
        from torch.profiler import ProfilerActivity, profile

        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
        net = net.to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        xt, yt = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).to(device)
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])

        def step_t():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xt), yt)
            loss.backward()
            opt.step()
            return loss.detach()

        if mode == "profiled":
            def profiled_t():
                with profile(activities=activities):
                    return step_t()

            return profiled_t
        return step_t
    if framework == "jax":
        import tempfile

        import jax
        import jax.numpy as jnp

        where = jax.devices(device)[0]
        k1, k2 = jax.random.split(jax.random.key(0))
        params = jax.device_put({"w1": jax.random.normal(k1, (784, hidden)) * 784**-0.5, "b1": jnp.zeros(hidden),
                                 "w2": jax.random.normal(k2, (hidden, 10)) * hidden**-0.5, "b2": jnp.zeros(10)}, where)
        xj, yj = jax.device_put(x_np, where), jax.device_put(y_np, where)

        def loss_j(p, x, y):
            logits = jax.nn.relu(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

        @jax.jit
        def step_j(p, x, y):
            loss, grads = jax.value_and_grad(loss_j)(p, x, y)
            return jax.tree.map(lambda a, g: a - 0.1 * g, p, grads), loss

        def run_j():
            return step_j(params, xj, yj)[1]  # the same parameters each call: every step does the same work

        if mode == "profiled":
            folder = tempfile.mkdtemp()  # the sandbox's own temporary folder

            def profiled_j():
                with jax.profiler.trace(folder):
                    return run_j().block_until_ready()

            return profiled_j
        return run_j
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    from ramverk.sections import runnable

    for framework in runnable(BENCHMARK["frameworks"]):
        losses = {mode: float(np.asarray(build(framework, mode, "cpu", **size)())) for mode in
                  BENCHMARK["modes"][framework]}
        print(f"{framework}: loss after one step, per mode: {losses}")
        assert len({round(v, 5) for v in losses.values()}) == 1, losses  # the profiler changes no result
