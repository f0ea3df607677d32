"""The engine's functions as free functions, plus the n-ary ops.

``sum``, ``dot`` and ``max`` each make ONE node however many inputs they take, so a
neuron's weighted sum is one node instead of 2n binary ones.  Arguments may be numbers
or Values; numbers become constant leaves.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from . import ops
from .value import Value, lift, record

__all__ = ["abs", "dot", "elu", "exp", "leaky_relu", "log", "max", "relu", "sigmoid",
           "sqrt", "sum", "tanh"]  # fmt: skip


def exp(x: Any) -> Value:
    """e^x;  d/dx = e^x."""
    return lift(x).exp()


def log(x: Any) -> Value:
    """ln x for x > 0;  d/dx = 1/x."""
    return lift(x).log()


def sqrt(x: Any) -> Value:
    """sqrt(x) for x >= 0;  d/dx = 1 / (2 sqrt(x))."""
    return lift(x).sqrt()


def tanh(x: Any) -> Value:
    """tanh(x);  d/dx = 1 - tanh(x)^2."""
    return lift(x).tanh()


def sigmoid(x: Any) -> Value:
    """1 / (1 + e^-x);  d/dx = s(x) (1 - s(x))."""
    return lift(x).sigmoid()


def relu(x: Any) -> Value:
    """max(x, 0);  d/dx = 1 if x > 0 else 0."""
    return lift(x).relu()


def leaky_relu(x: Any, slope: Any = 0.01) -> Value:
    """x if x > 0 else slope x;  d/dx = 1 if x > 0 else slope."""
    return lift(x).leaky_relu(slope)


def elu(x: Any, alpha: Any = 1.0) -> Value:
    """x if x > 0 else alpha (e^x - 1);  d/dx = 1 if x > 0 else alpha e^x."""
    return lift(x).elu(alpha)


def abs(x: Any) -> Value:  # noqa: A001 -- the engine's abs, like math functions
    """|x|;  d/dx = sign(x)."""
    return builtins.abs(lift(x))


def sum(values: Iterable[Any]) -> Value:  # noqa: A001
    """x_1 + ... + x_n as one node;  d/dx_i = 1.  The sum of nothing is 0."""
    inputs = tuple(values)
    return record(ops.SUM, inputs) if inputs else Value(0.0)


def dot(weights: Iterable[Any], xs: Iterable[Any], bias: Any = None) -> Value:
    """w . x + b = w_1 x_1 + ... + w_n x_n + b as ONE node (a neuron's pre-activation).

    d/dw_i = x_i, d/dx_i = w_i, d/db = 1.  ``weights`` and ``xs`` must have the same
    length; any of them, and ``bias``, may be numbers.  Without a bias: just w . x.
    """
    if not isinstance(weights, (list, tuple)):
        weights = list(weights)
    inputs = (*weights, *xs) if bias is None else (*weights, *xs, bias)
    n_xs = len(inputs) - len(weights) - (bias is not None)
    if n_xs != len(weights):
        raise ValueError(f"dot: {len(weights)} weights but {n_xs} inputs")
    if not weights:
        return lift(0.0 if bias is None else bias) + 0.0
    return record(ops.DOT, inputs)


def max(values: Iterable[Any]) -> Value:  # noqa: A001
    """The largest x_i as one node;  d/dx_i = 1 at the first arg-max, else 0."""
    inputs = tuple(values)
    if not inputs:
        raise ValueError("max: needs at least one value")
    return record(ops.MAX, inputs)
