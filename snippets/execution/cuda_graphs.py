"""A small training step on a GPU: eager, torch.compile, CUDA graphs (by hand and through
torch.compile(mode="reduce-overhead")) and jax.jit.

The step is the one of mlp_step.py: a 784-128-10 MLP, batch 128, cross-entropy, plain SGD. Its
arithmetic is tiny for a GPU, so the step's time is mostly the fixed cost of each kernel launch;
a CUDA graph records the step's launches once and replays them with one. GPU only: CUDA graphs
exist only on CUDA (the CPU side of the same step is mlp_step.py).
Run it: python snippets/execution/cuda_graphs.py (a quick check on the CPU without a GPU)
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


BENCHMARK = {
    "frameworks": ["torch", "jax"],
    "modes": {"torch": ["eager", "compile", "reduce-overhead", "graph"], "jax": ["eager", "jit"]},
    "sizes": {"quick": {"batch": 8, "hidden": 16}, "full": {"batch": 128, "hidden": 128}},
    "baseline": "eager",
    "devices": ["cuda"],
    "work": {"flops": "4*batch*784*hidden + 6*batch*hidden*10"},  # as in mlp_step.py
}

# --8<-- [start:torch_graph]
import torch
import torch.nn.functional as F

if torch.cuda.is_available():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    ).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    # a graph reads and writes fixed addresses
    static_x = torch.randn(128, 784, device="cuda")
    static_y = torch.randint(0, 10, (128,), device="cuda")

    # warm up on a side stream (lazy initialisation must not be captured)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(static_x), static_y).backward()
            optimizer.step()
    torch.cuda.current_stream().wait_stream(side)

    graph = torch.cuda.CUDAGraph()
    optimizer.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):  # forward, backward and update, recorded once
        static_loss = F.cross_entropy(model(static_x), static_y)
        static_loss.backward()
        optimizer.step()

    for _ in range(3):
        # new data into the recorded addresses
        static_x.copy_(torch.randn(128, 784, device="cuda"))
        graph.replay()  # the whole step: one launch
        print("loss", static_loss.item())
else:
    print(
        "no CUDA device here: CUDA graphs need one"
        " (torch.cuda.is_available() is False)"
    )
# --8<-- [end:torch_graph]


def build(framework, mode, device, batch, hidden):
    """One SGD step on fixed synthetic data; the callable returns the loss."""
    import numpy as np

    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, 784)).astype("float32")
    y_np = rng.integers(0, 10, batch)
    if framework == "torch":
        import torch
        import torch.nn.functional as F

        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)).to(device)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        xt, yt = torch.from_numpy(x_np).to(device), torch.from_numpy(y_np).to(device)

        def step(forward):
            opt.zero_grad()
            loss = F.cross_entropy(forward(xt), yt)
            loss.backward()
            opt.step()
            return loss.detach()

        if mode == "graph" and device == "cuda":
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(3):
                    step(net)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            opt.zero_grad(set_to_none=True)
            with torch.cuda.graph(graph):
                static_loss = F.cross_entropy(net(xt), yt)
                static_loss.backward()
                opt.step()

            def replay():
                graph.replay()
                return static_loss

            return replay
        # CUDA graphs exist only on CUDA. The runner measures this snippet on CUDA only; on any other
        # device (the tests build every mode on PyTorch's "meta" device) "graph" runs the step uncaptured.
        if mode == "compile":
            compiled = torch.compile(net)  # forward and backward compiled, as in mlp_step.py
            return lambda: step(compiled)
        if mode == "reduce-overhead":
            fast = torch.compile(net, mode="reduce-overhead")  # CUDA graphs of the compiled forward and backward

            def run_reduce_overhead():
                torch.compiler.cudagraph_mark_step_begin()  # a new training step: earlier outputs may be reused
                return step(fast)

            return run_reduce_overhead
        return lambda: step(net)
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        def loss_fn(params, x, y):
            logits = jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

        def jax_step(params, x, y, lr=0.1):
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            return jax.tree.map(lambda p, g: p - lr * g, params, grads), loss

        dev = jax.devices(device)[0]
        k1, k2 = jax.random.split(jax.random.key(0))
        params = {"w1": np.asarray(jax.random.normal(k1, (784, hidden))) * 784**-0.5, "b1": np.zeros(hidden, "float32"),
                  "w2": np.asarray(jax.random.normal(k2, (hidden, 10))) * hidden**-0.5, "b2": np.zeros(10, "float32")}
        state = {"params": jax.device_put(params, dev)}
        xj, yj = jax.device_put(x_np, dev), jax.device_put(y_np.astype("int32"), dev)
        fn = jax.jit(jax_step) if mode == "jit" else jax_step

        def run_jax():
            state["params"], loss = fn(state["params"], xj, yj)
            return loss

        return run_jax
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick"]  # a check on the CPU; the runner measures the full size on a GPU
    for fw in runnable(BENCHMARK["frameworks"]):
        for mode in BENCHMARK["modes"][fw]:
            step = build(fw, mode, "cpu", **size)
            first, last = float(step()), float([step() for _ in range(4)][-1])
            print(f"{fw:6} {mode:15} batch={size['batch']} hidden={size['hidden']}: loss {first:.3f} -> {last:.3f}")
            assert last < first, "five SGD steps on one batch should lower the loss"
