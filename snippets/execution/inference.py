"""Generating tokens with a small decoder, with and without a KV cache: without one, every new token
runs the whole sequence through the model again; with one, only the new token runs, and attends to
the keys and values kept from the earlier steps.

BENCHMARK times one generation step at a context of `length` tokens: "recompute" runs all
length + 1 tokens, "kv_cache" runs the one new token against a cache of `length`.
Run it: .venv/bin/python snippets/execution/inference.py
"""

import os

import numpy as np

from ramverk.sections import run_as_script

run_as_script(__name__, __file__)  # as a script: run each section whose packages are installed, skip the rest

BENCHMARK = {
    "frameworks": ["torch"],
    "modes": {
        "torch": ["recompute", "kv_cache"],
    },
    "sizes": {"quick": {"length": 8}, "full": {"length": 512}},
    "baseline": "recompute",
}
# The decoder's shape (the section below builds it with these numbers)
LAYERS = 2
WIDTH = 128
HEADS = 4
VOCAB = 512

# --8<-- [start:torch]
import time

import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.norm2 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.mlp = nn.Sequential(
            nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width)
        )

    def forward(self, x, cache=None):  # x: batch, new tokens, width
        b, t, w = x.shape
        qkv = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, -1)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each: batch, heads, tokens, dim
        if cache is not None:  # keys and values of the earlier tokens
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        # causal mask only when several new tokens attend to each other
        causal = cache is None and t > 1
        a = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        x = x + self.out(a.transpose(1, 2).reshape(b, t, w))
        return x + self.mlp(self.norm2(x)), (k, v)


class TinyDecoder(nn.Module):
    def __init__(self, vocab=512, width=128, heads=4, layers=2, max_len=1024):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(max_len, width)  # learned positions
        self.layers = nn.ModuleList(Layer(width, heads) for _ in range(layers))
        self.head = nn.Linear(width, vocab)

    # returns the logits and the new caches
    def forward(self, ids, caches=None):
        start = 0 if caches is None else caches[0][0].shape[2]
        positions = torch.arange(start, start + ids.shape[1], device=ids.device)
        x = self.embed(ids) + self.pos(positions)
        new_caches = []
        for i, layer in enumerate(self.layers):
            x, kv = layer(x, None if caches is None else caches[i])
            new_caches.append(kv)
        return self.head(x), new_caches


@torch.inference_mode()
def generate(model, prompt, steps, use_cache):
    ids, caches = prompt, None
    logits, caches = model(ids)  # the prompt runs once either way
    for _ in range(steps):
        token = logits[:, -1:].argmax(-1)  # greedy: the likeliest next token
        ids = torch.cat([ids, token], dim=1)
        if use_cache:
            logits, caches = model(token, caches)  # one token in
        else:
            logits, _ = model(ids)  # the whole sequence again
    return ids


torch.set_num_threads(1)  # one core, as the runner measures
torch.manual_seed(0)
model = TinyDecoder().eval()
prompt = torch.randint(0, 512, (1, 16))  # synthetic token ids
cached = generate(model, prompt, 24, use_cache=True)
same = torch.equal(cached, generate(model, prompt, 24, use_cache=False))
print("same 24 tokens with and without the cache:", same)
assert same


@torch.inference_mode()
def ms_per_token(length, use_cache, repeats=7):
    ids = torch.randint(0, 512, (1, length + 1))
    _, caches = model(ids[:, :length])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        if use_cache:
            model(ids[:, length:], caches)  # the new token against the cache
        else:
            model(ids)  # all length + 1 tokens
        times.append(time.perf_counter() - start)
    # the fastest run: the least disturbed by other processes
    return min(times) * 1e3


for length in (16, 64, 256, 512):
    slow, fast = ms_per_token(length, False), ms_per_token(length, True)
    print(f"context {length:4}: recompute {slow:6.2f} ms,"
          f" KV cache {fast:5.2f} ms per token")
# --8<-- [end:torch]


def build(framework, mode, device, length):
    """One generation step at a context of `length` tokens (TinyDecoder is the torch section's)."""
    if framework == "torch":
        import torch

        torch.manual_seed(0)
        net = TinyDecoder(vocab=VOCAB, width=WIDTH, heads=HEADS, layers=LAYERS).eval().to(device)
        ids = torch.randint(0, VOCAB, (1, length + 1), device=device)

        with torch.inference_mode():
            _, caches = net(ids[:, :length])

        @torch.inference_mode()
        def step():
            if mode == "kv_cache":
                logits, _ = net(ids[:, length:], caches)
            else:
                logits, _ = net(ids)
            return logits[:, -1].argmax(-1)

        return step
    raise ValueError(f"unknown framework {framework!r}")


if __name__ == "__main__":
    from ramverk.sections import runnable

    size = BENCHMARK["sizes"]["quick" if os.environ.get("RAMVERK_QUICK") else "full"]
    for framework in runnable(BENCHMARK["frameworks"]):
        tokens = {mode: int(build(framework, mode, "cpu", **size)()) for mode in BENCHMARK["modes"][framework]}
        print(f"{framework}: next token with and without the cache: {tokens}")
        assert len(set(tokens.values())) == 1, tokens
