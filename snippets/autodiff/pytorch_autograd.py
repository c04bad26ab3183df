"""PyTorch autograd in practice: requires_grad, accumulation, the freed graph, zeroing, no_grad, three training loops.

Run it: python snippets/autodiff/pytorch_autograd.py
"""

import os

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest


# --8<-- [start:requires_grad]
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)  # a leaf we want gradients for
x = torch.tensor([3.0, 4.0])  # data: requires_grad is False by default
y = (w * x).sum()
print(
    "y.requires_grad:",
    y.requires_grad,
    "| y.grad_fn:",
    type(y.grad_fn).__name__,
)
y.backward()
print("w.grad:", w.grad, "| x.grad:", x.grad)
# --8<-- [end:requires_grad]

# --8<-- [start:accumulate]
import torch

w = torch.tensor(3.0, requires_grad=True)
(w**2).backward()  # d(w²)/dw = 2w = 6
print("after one backward: ", w.grad.item())
(w**2).backward()  # a new graph, and its gradient is ADDED to w.grad
print("after two backwards:", w.grad.item())
assert w.grad.item() == 12.0  # 6 + 6, not 6
# --8<-- [end:accumulate]

# --8<-- [start:freed]
import torch

w = torch.tensor(3.0, requires_grad=True)
y = torch.sin(w) * w
y.backward()
try:
    y.backward()  # the saved intermediate values were freed by the first call
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])

z = torch.sin(w) * w
z.backward(retain_graph=True)  # keep the saved values ...
z.backward()  # ... so a second pass works (and accumulates)
print(
    "w.grad after three passes:",
    round(w.grad.item(), 4),
    "=",
    round(3 * (torch.cos(w) * w + torch.sin(w)).item(), 4),
)
# --8<-- [end:freed]

# --8<-- [start:zeroing]
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
(w**2).sum().backward()
w.grad.zero_()  # in place: the tensor stays, filled with zeros
print("after zero_():", w.grad)

optimizer = torch.optim.SGD([w], lr=0.1)
(w**2).sum().backward()
optimizer.zero_grad()  # set_to_none=True is the default: the tensor is dropped
print("after optimizer.zero_grad():", w.grad)
(w**2).sum().backward()
optimizer.zero_grad(set_to_none=False)  # the old behaviour: zeros
print("with set_to_none=False:", w.grad)
# --8<-- [end:zeroing]

# --8<-- [start:no_grad]
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
(w**2).sum().backward()
try:
    w -= 0.1 * w.grad  # an in-place change to a leaf that autograd is tracking
except RuntimeError as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])

with torch.no_grad():  # nothing inside is recorded, so the update is allowed
    w -= 0.1 * w.grad
print("updated w:", w, "| still a leaf:", w.is_leaf)
# --8<-- [end:no_grad]

# --8<-- [start:raw]
import torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 100, 32, 10
x, y = torch.randn(N, D_in), torch.randn(N, D_out)
w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out, requires_grad=True)
learning_rate = 1e-3
for step in range(201):
    y_pred = (x @ w1).clamp(min=0) @ w2  # linear, ReLU, linear
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
    if step % 50 == 0:
        if step == 0:
            first = loss.item()
        print(f"step {step:3d}  loss {loss.item():9.3f}")
assert loss.item() < first  # the printed loss went down
# --8<-- [end:raw]

# --8<-- [start:module]
import torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 100, 32, 10
x, y = torch.randn(N, D_in), torch.randn(N, D_out)
model = torch.nn.Sequential(
    torch.nn.Linear(D_in, H), torch.nn.ReLU(), torch.nn.Linear(H, D_out)
)
loss_fn = torch.nn.MSELoss()
learning_rate = 0.1
for step in range(201):
    loss = loss_fn(model(x), y)
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():  # the module knows its own parameters
            param -= learning_rate * param.grad
    if step % 50 == 0:
        if step == 0:
            first = loss.item()
        print(f"step {step:3d}  loss {loss.item():.4f}")
assert loss.item() < first  # the printed loss went down
# --8<-- [end:module]

# --8<-- [start:optim]
import torch

torch.manual_seed(0)
N, D_in, H, D_out = 64, 100, 32, 10
x, y = torch.randn(N, D_in), torch.randn(N, D_out)
model = torch.nn.Sequential(
    torch.nn.Linear(D_in, H), torch.nn.ReLU(), torch.nn.Linear(H, D_out)
)
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(201):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()  # the update rule lives in the optimiser
    if step % 50 == 0:
        if step == 0:
            first = loss.item()
        print(f"step {step:3d}  loss {loss.item():.4f}")
assert loss.item() < first  # the printed loss went down
# --8<-- [end:optim]


def train(steps=200, seed=0):
    """The torch.optim loop, returning the first and last loss (the test checks the loss falls)."""
    torch.manual_seed(seed)
    x, y = torch.randn(64, 100), torch.randn(64, 10)
    model = torch.nn.Sequential(torch.nn.Linear(100, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses[0], losses[-1]


if __name__ == "__main__":
    first, last = train(steps=20 if os.environ.get("RAMVERK_QUICK") else 200)
    print(f"torch.optim loop: loss {first:.4f} -> {last:.4f}")
    assert last < first
