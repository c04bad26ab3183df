"""How the runner measures a snippet: the rules every published figure follows.

1. **One process per (snippet, framework, device).** The runner starts a fresh Python
   process (``python -m ramverk.measure.worker``) for each group, so one framework's caches, thread
   pools and allocator state never leak into another's figures. The process has a timeout,
   a memory limit and no credentials in its environment.

2. **Threads are pinned before the framework is imported** (``OMP_NUM_THREADS``,
   ``MKL_NUM_THREADS``, ``TF_NUM_INTRAOP_THREADS``/``TF_NUM_INTEROP_THREADS``, ``XLA_FLAGS``
   with ``--xla_cpu_multi_thread_eigen=false``, ``torch.set_num_threads``), the process is
   bound to that many cores by CPU affinity (JAX's XLA CPU runtime ignores the variables; only the
   affinity holds it to its cores), and the count is recorded with every result. The default is
   one thread, so a 2-core laptop and a 64-core
   server measure the same thing: how much work one core does per call.

3. **The first call is timed on its own.** It includes tracing and compiling
   (``torch.compile``, ``tf.function``, ``jax.jit``) and is reported as ``first_call_s``,
   apart from the steady state. It is never mixed into the steady-state statistics. Compile
   caches on disk (TorchInductor's, Triton's) point into the worker's own temporary folder,
   so the first call is a cold compile, not a hit in a cache left by an earlier run.

4. **Warm-up.** After the first call, each mode runs for a short warm-up period (caches,
   allocator pools, lazy initialisation) that is not recorded.

5. **Synchronisation is inside the timed region.** A sample times ``number`` back-to-back
   calls and then waits for the device to finish: ``torch.cuda.synchronize()`` (or
   ``torch.mps.synchronize()``), ``jax.block_until_ready`` on the output, or materialising a
   TensorFlow output with ``.numpy()``. Without it an asynchronous framework would be timed
   for *queuing* work, not doing it. The time per call is the sample time divided by
   ``number``. Outputs are dropped as soon as they are produced (only the last one is kept,
   to synchronise on): keeping each output alive until the next call finishes changes what
   is measured. With a 4 MiB output (``torch.exp`` over 2^20 floats) that alone made the
   call about twice as slow here, because the allocator then hands out fresh memory (page
   faults) on every call instead of reusing the block just freed. Python's cyclic garbage
   collector is paused inside a sample (as ``timeit`` and ``torch.utils.benchmark`` do) and
   runs between samples.

6. **Repeat counts adapt.** ``number`` (calls per sample) grows until one sample lasts at
   least the target sample time (about a millisecond), so the clock's resolution and the
   loop overhead are negligible even for microsecond operations. Samples are then collected
   until the total measured time reaches a minimum (``min_time_s`` in
   ``[tool.ramverk.runner]``; smaller with ``--quick``) and at least ``MIN_ROUNDS`` rounds
   have run. Samples are kept *short* on purpose: on a machine shared with other processes,
   a sample longer than the scheduler's time slice (a few milliseconds) always contains other
   processes' turns, and its time is inflated by the machine's load; on the 2-core machine
   these pages were written on, under a load of 4, every 10 ms sample of a 1 µs operation
   read 2 µs. Short samples mostly fit between interruptions, and the median picks those.

7. **Modes are interleaved A B A B.** Modes that a page compares (eager against compiled,
   say) are measured in the same process, in alternating rounds (the order also alternates:
   A B, B A, ...), so slow drift of the machine (frequency scaling, a neighbour's load)
   affects both alike. The ratio of each mode to the baseline mode is taken *per round*, and
   the median and quartiles of those paired ratios are reported (``Ratio``): a ratio survives
   drift that the two separate medians would not.

8. **What is recorded.** Per mode: median, first and third quartiles (the interquartile range
   is q3 - q1), min, max, ``n`` samples and ``number`` calls per sample, all in seconds per
   call. Medians, not means: one interruption by the operating system moves a mean, not a
   median.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ramverk.contract.results_model import Ratio, Statistics

MIN_ROUNDS = 5  # interleaved rounds, at least
MAX_ROUNDS = 10_000
TARGET_SAMPLES = 1000  # the target sample time is min_time_s / TARGET_SAMPLES
MIN_SAMPLE_S = 1e-3  # ... but never shorter than this (timer resolution, loop overhead)
WARMUP_FRACTION = 0.1  # warm-up time per mode, as a fraction of min_time_s


def no_sync(_output) -> None:
    return None


@dataclass
class ModeTiming:
    stats: Statistics
    ratio: Ratio | None = None
    samples: list[float] = field(default_factory=list, repr=False)


def _quantiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def summarise(samples: list[float], number: int, first_call_s: float | None = None) -> Statistics:
    q1, median, q3 = _quantiles(samples)
    return Statistics(median_s=median, q1_s=q1, q3_s=q3, min_s=min(samples), max_s=max(samples),
                      n=len(samples), number=number, first_call_s=first_call_s)


def _sample(fn: Callable, sync: Callable, number: int, clock=time.perf_counter) -> float:
    """Seconds per call over `number` back-to-back calls, synchronised at the end."""
    enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection triggered by earlier garbage is not this call's cost
    try:
        start = clock()
        for _ in range(number - 1):
            fn()  # the output is dropped at once, as in a loop that does not keep it
        sync(fn())  # work is queued in order, so the last output being ready means all are
        return (clock() - start) / number
    finally:
        if enabled:
            gc.enable()


def calibrate(fn: Callable, sync: Callable, target_s: float) -> int:
    """The smallest power of two `number` whose sample lasts at least target_s."""
    number = 1
    while True:
        per_call = _sample(fn, sync, number)
        if per_call * number >= target_s or number >= 1 << 24:
            return number
        # jump close to the target, but at most 10x at a time (the first calls may be slow)
        want = target_s / max(per_call, 1e-9)
        number = min(number * 10, max(number * 2, 1 << int(want).bit_length()))


def measure(fns: dict[str, Callable], sync: Callable = no_sync, *, min_time_s: float = 1.0,
            baseline: str | None = None, first_call: bool = True,
            on_progress: Callable[[str], None] | None = None) -> dict[str, ModeTiming]:
    """Measure the zero-argument callables in `fns` (mode -> callable), interleaved.

    Returns mode -> ModeTiming; every mode except `baseline` gets a Ratio against it when
    `baseline` is one of the modes. Exceptions from a callable propagate, with the mode
    added as a note.
    """
    modes = list(fns)
    first: dict[str, float | None] = {}
    numbers: dict[str, int] = {}
    target = max(MIN_SAMPLE_S, min_time_s / TARGET_SAMPLES)
    for mode in modes:
        fn = fns[mode]
        try:
            if on_progress:
                on_progress(f"{mode}: first call")
            first[mode] = None
            if first_call:
                start = time.perf_counter()
                sync(fn())
                first[mode] = time.perf_counter() - start
            if on_progress:
                on_progress(f"{mode}: warm-up")
            until = time.perf_counter() + WARMUP_FRACTION * min_time_s
            sync(fn())
            while time.perf_counter() < until:
                sync(fn())
            numbers[mode] = calibrate(fn, sync, target)
        except BaseException as error:
            error.add_note(f"(in mode {mode!r})")
            raise
    if on_progress:
        on_progress("interleaved rounds " + " ".join(modes))
    samples: dict[str, list[float]] = {m: [] for m in modes}
    measured = 0.0
    rounds = 0
    budget = min_time_s * len(modes)
    while rounds < MAX_ROUNDS and (rounds < MIN_ROUNDS or measured < budget):
        order = modes if rounds % 2 == 0 else modes[::-1]  # A B, B A, ...: no mode always goes first
        for mode in order:
            try:
                per_call = _sample(fns[mode], sync, numbers[mode])
            except BaseException as error:
                error.add_note(f"(in mode {mode!r})")
                raise
            samples[mode].append(per_call)
            measured += per_call * numbers[mode]
        rounds += 1
        # a very slow case stops after MIN_ROUNDS once it has used ten times its budget
        if rounds >= 3 and measured > 10 * budget:
            break
    out = {m: ModeTiming(summarise(samples[m], numbers[m], first[m]), samples=samples[m]) for m in modes}
    if baseline in fns:
        for mode in modes:
            if mode == baseline:
                continue
            ratios = [a / b for a, b in zip(samples[mode], samples[baseline], strict=True)]
            q1, median, q3 = _quantiles(ratios)
            out[mode].ratio = Ratio(baseline_mode=baseline, median=median, q1=q1, q3=q3, n=len(ratios))
    return out
