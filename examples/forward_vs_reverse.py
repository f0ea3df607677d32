"""Forward mode against reverse mode: why backprop runs backwards.

Both modes use the same local derivatives (the op table's partials) and compute the
same Jacobian; they differ in how many passes over the graph they need:

* forward mode (``autograd.jvp``) pushes one tangent from the inputs to the outputs:
  one pass per INPUT gives one column d f / d x_j;
* reverse mode (``autograd.vjp``, what ``backward`` does) pulls one cotangent from the
  outputs to the inputs: one pass per OUTPUT gives one row d f_i / d x.

Two functions make the point, for n = 1 ... 1000:

    f: R^n -> R    a neuron's loss  (sigmoid(w . x + b) - y)^2  as a function of its
                   n weights: reverse mode needs 1 pass for the gradient, forward n;
    g: R -> R^n    one input t fed to n sigmoid neurons  sigmoid(w_i t + b_i): forward
                   mode needs 1 pass for d g / d t, reverse n.

A loss has one output and many parameters, so training uses reverse mode.  The table
counts the passes each mode makes, times them side by side (each mode records the graph
once, then runs its passes), and checks the two Jacobians agree to 1e-12.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from _common import run

import autograd
from autograd import functions as F


def unit(i: int, n: int) -> list[float]:
    """The i-th of the n unit vectors: the seed of one pass."""
    return [1.0 if k == i else 0.0 for k in range(n)]


def by_forward_mode(f: Callable, xs: list[float], n_outputs: int) -> tuple[list, int]:
    """The Jacobian (rows) from forward passes, one per input; and the number of passes."""
    _, push = autograd.linearize(f, xs)
    columns = [push(unit(j, len(xs))) for j in range(len(xs))]
    columns = [c if isinstance(c, list) else [c] for c in columns]
    return [[column[i] for column in columns] for i in range(n_outputs)], len(columns)


def by_reverse_mode(f: Callable, xs: list[float], n_outputs: int) -> tuple[list, int]:
    """The Jacobian (rows) from reverse passes, one per output; and the number of passes."""
    _, pull = autograd.vjp(f, xs)
    rows = [pull(unit(i, n_outputs)) for i in range(n_outputs)]
    return rows, len(rows)


def neuron_loss(n: int, rng: random.Random) -> tuple[Callable, list[float]]:
    """f(w_1..w_n) = (sigmoid(w . x + b) - y)^2 for fixed x, b, y; and a point w."""
    x = [rng.uniform(-1, 1) for _ in range(n)]
    b, y = 0.1, 1.0

    def f(*w):
        return (F.sigmoid(autograd.dot(w, x, b)) - y) ** 2

    return f, [rng.uniform(-1, 1) / n**0.5 for _ in range(n)]


def neurons_of_one_input(n: int, rng: random.Random) -> tuple[Callable, list[float]]:
    """g(t) = [sigmoid(w_i t + b_i) for i = 1..n] for fixed w, b; and a point t."""
    w = [rng.uniform(-1, 1) for _ in range(n)]
    b = [rng.uniform(-1, 1) for _ in range(n)]

    def g(t):
        return [F.sigmoid(wi * t + bi) for wi, bi in zip(w, b)]

    return g, [0.5]


def best_time(compute: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        compute()
        best = min(best, time.perf_counter() - start)
    return best


def compare(name: str, make: Callable, n: int, n_outputs: int, rng: random.Random) -> dict:
    """Passes, times and the largest disagreement of both modes on ``make(n)``."""
    f, xs = make(n, rng)
    forward, forward_passes = by_forward_mode(f, xs, n_outputs)
    reverse, reverse_passes = by_reverse_mode(f, xs, n_outputs)
    difference = max(abs(a - b) for fr, rr in zip(forward, reverse) for a, b in zip(fr, rr))
    repeats = 1 if n >= 1000 else 3
    return {
        "function": name, "n": n, "forward_passes": forward_passes,
        "reverse_passes": reverse_passes, "difference": difference,
        "forward_s": best_time(lambda: by_forward_mode(f, xs, n_outputs), repeats),
        "reverse_s": best_time(lambda: by_reverse_mode(f, xs, n_outputs), repeats),
    }  # fmt: skip


def table(rows: list[dict]) -> str:
    """The rows as a markdown table (the tutorials show it)."""
    lines = ["| function | n | reverse passes | forward passes | reverse ms | forward ms |"
             " forward / reverse |", "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in rows:
        ratio = r["forward_s"] / r["reverse_s"]
        lines.append(f"| {r['function']} | {r['n']} | {r['reverse_passes']} | "
                     f"{r['forward_passes']} | {1e3 * r['reverse_s']:.2f} | "
                     f"{1e3 * r['forward_s']:.2f} | {ratio:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main(fast: bool = False, out: str = "out") -> dict:
    """Count and time forward and reverse passes for f: R^n -> R and g: R -> R^n."""
    rng = random.Random(12)
    sizes = [1, 10, 100] if fast else [1, 10, 100, 1000]
    rows = []
    for n in sizes:
        rows.append(compare("f: R^n -> R", neuron_loss, n, 1, rng))
    for n in sizes:
        rows.append(compare("g: R -> R^n", neurons_of_one_input, n, n, rng))
    print("Passes and times of the whole Jacobian, each mode after one recording of the graph")
    print("(f's gradient: one row; g's derivative: one column):\n")
    print(table(rows))
    worst = max(r["difference"] for r in rows)
    print(f"\nLargest difference between the two modes' Jacobians: {worst:.1e}")
    print("Reverse mode needs one pass per output, forward mode one per input: a loss of "
          "many parameters is a job for reverse mode (backprop).")  # fmt: skip
    return {"rows": rows, "worst_difference": worst}


if __name__ == "__main__":
    run(main)
