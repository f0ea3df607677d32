"""Compiled batch mode benchmark (issue 7): micrograd's demo step, traced once.

    .venv/bin/python benchmarks/compiled_speed.py

The step is micrograd's demo (100 moons points, MLP(2, [16, 16, 1]), hinge loss plus
1e-4 * sum(p * p), zero_grad, forward and backward) with the same initial weights for
every contender:
* micrograd itself (the goal: compiled >= 1000x faster);
* ``autograd.compile`` of the one-sample loss, replayed with ``prog.backward(X)``;
* torch's vectorized step on the same weights, where torch is installed (goal: the
  compiled step within 5x of it).
Before timing, the compiled loss and gradients are checked against micrograd's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from common import best_times, micrograd_step_function, moons, report  # noqa: E402
from engine_speed import chaingrad_weights, forward  # noqa: E402

import autograd  # noqa: E402
from autograd import Value  # noqa: E402

ALPHA = 1e-4


def compiled_step_function() -> tuple[Callable[[], float], Callable[[], list[float]]]:
    """The demo step through autograd.compile, and the scalar engine's gradients for it."""
    X, y = moons()
    layers = chaingrad_weights()
    params = [p for layer in layers for w, b, _ in layer for p in (*w, b)]

    def loss(x0: Value, x1: Value, label: Value) -> Value:
        """One sample's hinge loss plus the penalty (the batch mean adds it once)."""
        score = forward(layers, [x0, x1])
        return (1.0 - label * score).relu() + ALPHA * autograd.sum([p * p for p in params])

    batch = np.column_stack([np.array(X), np.array(y, dtype=float)])
    prog = autograd.compile(loss, batch[0])

    def step() -> float:
        for p in params:
            p.grad = 0.0
        return float(prog.backward(batch).mean())

    def scalar_gradients() -> list[float]:
        for p in params:
            p.grad = 0.0
        total = autograd.sum([loss(*map(Value, row)) for row in batch.tolist()])
        (total / len(batch)).backward()
        return [p.grad for p in params]

    def compiled_gradients() -> list[float]:
        step()
        return [p.grad for p in params]

    return step, lambda: (scalar_gradients(), compiled_gradients())


def torch_step_function() -> Callable[[], float] | None:
    """The same step with torch tensors (one matmul per layer), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # tensors of 100 x 16: threads only add overhead
    X, y = moons()
    layers = chaingrad_weights()
    weights = [(torch.tensor([[v.data for v in w] for w, _, _ in layer], dtype=torch.float64,
                             requires_grad=True),
                torch.tensor([b.data for _, b, _ in layer], dtype=torch.float64,
                             requires_grad=True), layer[0][2]) for layer in layers]  # fmt: skip
    params = [t for w, b, _ in weights for t in (w, b)]
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)

    def step() -> float:
        h = Xt
        for w, b, relu in weights:
            h = h @ w.T + b
            h = torch.relu(h) if relu else h
        total = torch.relu(1 - yt * h[:, 0]).mean() + ALPHA * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        total.backward()
        return total.item()

    return step


def main() -> None:
    micro, _ = micrograd_step_function()
    compiled, gradients = compiled_step_function()
    assert abs(micro().data - compiled()) < 1e-9, "micrograd and compiled losses disagree"
    scalar, batched = gradients()
    assert np.allclose(scalar, batched, rtol=1e-9, atol=1e-12), "gradients disagree"
    contenders = {"micrograd": micro, "compiled": compiled}
    torch_step = torch_step_function()
    if torch_step is not None:
        contenders["torch"] = torch_step
    # Many calls per round for the fast contenders: the final gc.collect() of a round
    # costs milliseconds whatever the garbage, and must not be charged to one call.
    times = best_times(contenders, rounds=5,
                       repeats={"micrograd": 1, "compiled": 1000, "torch": 1000})  # fmt: skip
    print("micrograd demo step: MLP(2,[16,16,1]), 100 moons points, hinge + 1e-4 L2, fwd + bwd")
    report("micrograd", times["micrograd"])
    report("autograd.compile, prog.backward(X)", times["compiled"], times["micrograd"], 1000)
    if torch_step is not None:
        report("torch, vectorized (float64, 1 thread)", times["torch"])
        ratio = times["compiled"] / times["torch"]
        print(f"compiled time / torch time: {ratio:.2f} "
              f"(goal <= 5: {'met' if ratio <= 5 else 'NOT met'})")
    else:
        print("torch is not installed: no torch comparison")


if __name__ == "__main__":
    main()
