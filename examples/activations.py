"""Activation functions and their derivatives (seed 004 "Algumas Funções de Ativação", seed 000).

    sigmoid     1 / (1 + e^-x)                 s(x) (1 - s(x))
    tanh        tanh(x)                        1 - tanh(x)^2
    ReLU        max(0, x)                      1 if x > 0 else 0
    leaky ReLU  max(0.1 x, x)                  1 if x > 0 else 0.1   (the slide's slope 0.1)
    ELU         x if x > 0 else a (e^x - 1)    1 if x > 0 else a e^x (a = 1)
    maxout      max(w1 x + b1, w2 x + b2)      the slope of the larger piece

Every derivative below comes from ``backward`` and is checked against the formula.

Softmax turns a vector into probabilities, s_i = e^z_i / sum_j e^z_j.  Its derivative
is a matrix (the Jacobian):

    d s_i / d z_j = s_i (1 - s_i)   if i = j
                  = -s_i s_j        if i != j        i.e.  s_i (delta_ij - s_j)

Seed 000 writes it as s_i (1 - s_j) for every i, j; that is right only on the diagonal
(i = j).  The plot shows s_1 of (x, 0, 1) and its slope s_1 (1 - s_1); the example
computes the Jacobian at z = (1, 2, 3) with ``autograd.grad``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

from _common import figure, out_dir, plot, run, save_figure, table

import autograd
import nn
from autograd import Value

MAXOUT_PIECES = ((1.0, 0.0), (-0.5, -0.5))  # (w, b) of each linear piece


def maxout(x: Value) -> Value:
    return autograd.max(w * x + b for w, b in MAXOUT_PIECES)


def softmax_first(x: Value) -> Value:
    """The first output of softmax(x, 0, 1); its derivative in x is s (1 - s)."""
    return nn.softmax([x, 0.0, 1.0])[0]


def softmax_first_slope(x: float) -> float:
    s = math.exp(x) / (math.exp(x) + 1 + math.e)
    return s * (1 - s)


ACTIVATIONS = {  # name: (function of a Value, closed-form derivative of a float)
    "sigmoid": (lambda x: x.sigmoid(),
                lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s)),
    "tanh": (lambda x: x.tanh(), lambda x: 1 - math.tanh(x) ** 2),
    "relu": (lambda x: x.relu(), lambda x: 1.0 if x > 0 else 0.0),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), lambda x: 1.0 if x > 0 else 0.1),
    "elu": (lambda x: x.elu(1.0), lambda x: 1.0 if x > 0 else math.exp(x)),
    "maxout": (maxout, lambda x: max(MAXOUT_PIECES, key=lambda p: p[0] * x + p[1])[0]),
    "softmax(x, 0, 1)[0]": (softmax_first, softmax_first_slope),
}  # fmt: skip


def value_and_slope(f: Callable[[Value], Value], x: float) -> tuple[float, float]:
    """f(x) and f'(x), the latter by backward."""
    v = Value(x)
    out = f(v)
    out.backward()
    return out.data, v.grad


def softmax_jacobian(z: list[float]) -> tuple[list[float], list[list[float]]]:
    """softmax(z) and the matrix d s_i / d z_j, one ``autograd.grad`` call per row."""
    zs = [Value(v) for v in z]
    s = nn.softmax(zs)
    return [v.data for v in s], [[g.data for g in autograd.grad(si, zs)] for si in s]


def plot_all(filename: str | os.PathLike) -> Path:
    fig, axes = figure(2, 4, size=(14, 6))
    axes.flat[-1].axis("off")
    grid = [i / 20 for i in range(-60, 61)]
    for ax, (name, (f, _)) in zip(axes.flat, ACTIVATIONS.items()):
        values, slopes = zip(*(value_and_slope(f, x) for x in grid))
        ax.plot(grid, values, label=name)
        ax.plot(grid, slopes, "--", label="derivative (backward)")
        ax.axhline(0, color="gray", linewidth=0.5)
        ax.set(title=name, ylim=(-1.5, 3.1))
        ax.legend(fontsize=8)
    return save_figure(fig, filename)


def main(fast: bool = False, out: str = "out") -> dict:
    """Seed 004's activations with backward's derivatives; softmax's Jacobian (seed 000)."""
    points = [-2.0, -0.5, 0.5, 2.0]
    rows, worst = [], 0.0
    for name, (f, derivative) in ACTIVATIONS.items():
        pairs = [value_and_slope(f, x) for x in points]
        worst = max([worst, *(abs(s - derivative(x)) for x, (_, s) in zip(points, pairs))])
        rows.append((name, *(f"{v:.3f} / {s:.3f}" for v, s in pairs)))
    print("f(x) / f'(x), the derivative by backward:")
    table(rows, ("", *(f"x = {x}" for x in points)), fmt="{:>20}")
    print(f"largest difference from the closed-form derivatives: {worst:.1e}")
    print("(at x = 0 ReLU has no derivative; chaingrad, like PyTorch, uses 0 there)")

    s, jac = softmax_jacobian([1.0, 2.0, 3.0])
    print(f"\nsoftmax(1, 2, 3) = ({', '.join(f'{p:.4f}' for p in s)}), sum = {sum(s):.4f}")
    print("Jacobian d s_i / d z_j by autograd.grad:")
    for row in jac:
        print("  " + "  ".join(f"{g:+.4f}" for g in row))
    formula = [[s[i] * ((i == j) - s[j]) for j in range(3)] for i in range(3)]
    slide = [[s[i] * (1 - s[j]) for j in range(3)] for i in range(3)]
    error = max(abs(jac[i][j] - formula[i][j]) for i in range(3) for j in range(3))
    print(f"s_i (delta_ij - s_j) matches it to {error:.1e}; seed 000's s_i (1 - s_j) gives "
          f"d s_1/d z_2 = {slide[0][1]:+.4f} instead of {jac[0][1]:+.4f}")
    plot("activations and derivatives", plot_all, out_dir(out) / "activations.png")
    return {"max_error": max(worst, error), "softmax": s, "jacobian": jac}


if __name__ == "__main__":
    run(main)
