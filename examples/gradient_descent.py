"""Cost functions and gradient descent (seed 001, "Função de custo" and "Gradient descent").

1. The cost of one prediction is the squared error: (0.8 - 1)^2 = 0.04.  Over a data
   set it is the mean of the squared errors; the slide's four errors give
   (0.04 + 0.09 + 0.04 + 0.25) / 4 = 0.42 / 4 = 0.105.

2. One weight, C(w) = (w - 0.5)^2, whose derivative is C'(w) = 2w - 1 (the slide's
   formula).  Gradient descent with alpha = 0.2, w <- w - alpha C'(w), from w = 1:

       w = 1 - 0.2 (2*1 - 1)     = 0.8
       w = 0.8 - 0.2 (1.6 - 1)   = 0.68
       w = 0.68 - 0.2 (1.36 - 1) = 0.608   ...

   Each step multiplies the distance to the minimum w = 0.5 by 1 - 2 alpha = 0.6, so
   w - 0.5 = 0.5 * 0.6^t.  chaingrad finds C'(w) by backward, not by the formula.

3. Full-batch gradient descent, stochastic gradient descent (one sample per update)
   and mini-batch gradient descent (a few samples per update), the three algorithms
   of the slides, fitting y = 2x + 1 with one weight and one bias.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from _common import figure, out_dir, plot, run, save_figure, table

import nn
from autograd import Value

ALPHA = 0.2


def descend(w0: float = 1.0, alpha: float = ALPHA, steps: int = 13) -> list[tuple[float, float]]:
    """(w, C'(w)) before each step of w <- w - alpha C'(w) on C(w) = (w - 0.5)^2."""
    path = []
    w = Value(w0, label="w")
    for _ in range(steps):
        w.grad = 0.0
        cost = (w - 0.5) ** 2
        cost.backward()  # w.grad = C'(w) = 2w - 1
        path.append((w.data, w.grad))
        w = Value(w.data - alpha * w.grad, label="w")
    path.append((w.data, 2 * w.data - 1))
    return path


def fit_line(batch_size: int, epochs: int, lr: float, seed: int = 0) -> float:
    """Fit y = a x + b to points of y = 2x + 1 with mini-batches; return the final cost."""
    rng = random.Random(seed)
    xs = [i / 10 for i in range(-10, 11)]
    data = [(x, 2 * x + 1) for x in xs]
    a, b = Value(0.0, label="a"), Value(0.0, label="b")
    for _ in range(epochs):
        rng.shuffle(data)
        for start in range(0, len(data), batch_size):
            batch = data[start:start + batch_size]
            cost = nn.mse_loss([a * x + b for x, _ in batch], [y for _, y in batch])
            a.grad = b.grad = 0.0
            cost.backward()
            a, b = Value(a.data - lr * a.grad, "a"), Value(b.data - lr * b.grad, "b")
    return nn.mse_loss([a * x + b for x, _ in data], [y for _, y in data]).data


def plot_path(path: list[tuple[float, float]], filename: str | os.PathLike) -> Path:
    """The parabola C(w) and the points gradient descent visits."""
    fig, ax = figure()
    grid = [i / 100 for i in range(0, 111)]
    ax.plot(grid, [(w - 0.5) ** 2 for w in grid], color="gray", label="C(w) = (w - 0.5)^2")
    ws = [w for w, _ in path]
    ax.plot(ws, [(w - 0.5) ** 2 for w in ws], "o-", color="tab:red", label="gradient descent")
    ax.set(xlabel="w", ylabel="C(w)", title=f"gradient descent, alpha = {ALPHA}")
    ax.legend()
    return save_figure(fig, filename)


def main(fast: bool = False, out: str = "out") -> dict:
    """Seed 001: the cost 0.105 and w: 1 -> 0.8 -> 0.68 -> ... -> 0.5 with alpha = 0.2."""
    print("1. Cost")
    one = nn.mse_loss([Value(0.8)], [1.0])
    print(f"  one prediction: (0.8 - 1)^2 = {one.data:.2f}")
    predictions, targets = [0.8, 0.7, 0.2, 0.5], [1.0, 1.0, 0.0, 0.0]
    cost = nn.mse_loss([Value(p) for p in predictions], targets)
    errors = " + ".join(f"{(p - t) ** 2:.2f}" for p, t in zip(predictions, targets))
    print(f"  four predictions {predictions} against {targets}:")
    print(f"  ({errors}) / 4 = {cost.data:.3f}")

    print(f"\n2. Gradient descent on C(w) = (w - 0.5)^2, alpha = {ALPHA}")
    path = descend()
    table([(t, w, g, w - ALPHA * g) for t, (w, g) in enumerate(path[:-1])],
          ("step", "w", "C'(w)", "new w"))
    print(f"  after {len(path) - 1} steps w = {path[-1][0]:.4f}: the minimum is w = 0.5")
    plot("gradient descent path", plot_path, path, out_dir(out) / "gradient_descent.png")

    print("\n3. Batch, stochastic and mini-batch gradient descent fitting y = 2x + 1")
    epochs = 5
    rows = []
    for name, batch_size, lr in [("full batch", 21, 0.5), ("SGD", 1, 0.05),
                                 ("mini-batch 4", 4, 0.2)]:
        updates = epochs * -(-21 // batch_size)
        rows.append((name, updates, fit_line(batch_size, epochs, lr)))
    table([(name, n, f"{c:.1e}") for name, n, c in rows], ("algorithm", "updates", "final cost"),
          fmt="{:>14}")
    print(f"  ({epochs} epochs each: SGD makes the most updates per epoch, each one noisier)")
    return {"cost_one": one.data, "cost": cost.data, "path": [w for w, _ in path],
            "line_costs": {name: c for name, _, c in rows}}


if __name__ == "__main__":
    run(main)
