"""Shared pieces of the benchmarks: micrograd's demo step and fair timing.

micrograd's demo step (from its demo notebook): 100 two-moons points with labels
±1, ``MLP(2, [16, 16, 1])``, loss = mean(relu(1 - y * score)) + 1e-4 * sum(p * p),
zero_grad, backward.  Timings alternate the contenders and keep the best of several
rounds, so a busy machine slows all of them alike.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable

from nn.datasets import make_moons


def moons(n_samples: int = 100) -> tuple[list[list[float]], list[int]]:
    """The demo's data: two moons with noise 0.1, labels -1 / +1."""
    X, y = make_moons(n_samples=n_samples, noise=0.1, seed=1)
    return X, [2 * label - 1 for label in y]


def demo_lr(k: int, steps: int = 100) -> float:
    """micrograd's demo learning-rate schedule: 1.0 down to 0.1 over the run."""
    return 1.0 - 0.9 * k / steps


def micrograd_step_function(update: bool = False) -> tuple[Callable[[], object], list]:
    """micrograd's own demo step (loss, zero_grad, backward and, with ``update``, its SGD
    step with lr = demo_lr(k)); returns the step (which returns the loss node) and the
    model's parameters."""
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP

    X, y = moons()
    random.seed(1337)
    model = MicroMLP(2, [16, 16, 1])
    params = model.parameters()
    steps_taken = iter(range(10**9))

    def step() -> object:
        inputs = [list(map(MicroValue, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in params)
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        if update:
            learning_rate = demo_lr(next(steps_taken) % 100)
            for p in params:
                p.data -= learning_rate * p.grad
        return total

    return step, params


def best_times(contenders: dict[str, Callable[[], object]], rounds: int = 5,
               repeats: dict[str, int] | None = None,
               collector: bool = True) -> dict[str, float]:  # fmt: skip
    """Seconds per call of each contender: best round, contenders alternating.

    Each round is a short training-like loop: ``repeats[name]`` calls in a row with the
    garbage collector on, then a final ``gc.collect()`` inside the timing, so every
    contender pays for the garbage it leaves (micrograd's closures form reference
    cycles; chaingrad's graphs are freed by reference counting) and none pays for
    another's.  With ``collector=False`` the collector is paused while timed instead
    (pure computation, as ``timeit`` measures) and collects between rounds, untimed.
    """
    repeats = repeats or {}
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(rounds):
        for name, run in contenders.items():
            n = repeats.get(name, 1)
            gc.collect()
            if not collector:
                gc.disable()
            try:
                start = time.perf_counter()
                for _ in range(n):
                    run()
                if collector:
                    gc.collect()
                best[name] = min(best[name], (time.perf_counter() - start) / n)
            finally:
                gc.enable()
    return best


def paused_time(function: Callable[[], object], calls: int) -> float:
    """Seconds per call over ``calls`` calls with the cyclic collector off (as ``timeit``
    does); it collects beforehand, untimed."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            function()
        return (time.perf_counter() - start) / calls
    finally:
        gc.enable()


def verdict(ok: bool) -> str:
    """How a benchmark line reports a goal: 'met' or 'NOT met'."""
    return "met" if ok else "NOT met"


def report(
    title: str, seconds: float, baseline: float | None = None, goal: float | None = None
) -> None:
    """One aligned line: time per call, and the speed-up over a baseline with its goal."""
    line = f"{title:<48} {seconds * 1e3:10.2f} ms"
    if baseline is not None:
        ratio = baseline / seconds
        line += f"   {ratio:7.1f}x faster"
        if goal is not None:
            line += f"  (goal >= {goal:g}x: {verdict(ratio >= goal)})"
    print(line, flush=True)
