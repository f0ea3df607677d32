"""The engine's functions as free functions, plus the n-ary ops.

``sum``, ``dot``, ``max`` and ``min`` each make ONE node however many inputs they take,
so a neuron's weighted sum is one node instead of 2n binary ones.  ``sum``, ``max`` and
``min`` take their inputs as one list (``max([a, b, 0])``) or spread (``max(a, b, 0)``).
Arguments may be numbers or Values; numbers become constant leaves.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from . import ops
from .value import Value, lift, record

__all__ = ["abs", "acos", "asin", "atan", "clamp", "cos", "cosh", "dot", "elu", "erf", "exp",
           "expm1", "gelu", "leaky_relu", "log", "log1p", "max", "min", "relu", "sigmoid",
           "silu", "sin", "sinh", "softplus", "sqrt", "sum", "tan", "tanh"]  # fmt: skip


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


def sin(x: Any) -> Value:
    """sin(x);  d/dx = cos(x)."""
    return lift(x).sin()


def cos(x: Any) -> Value:
    """cos(x);  d/dx = -sin(x)."""
    return lift(x).cos()


def tan(x: Any) -> Value:
    """tan(x);  d/dx = 1 + tan(x)^2."""
    return lift(x).tan()


def asin(x: Any) -> Value:
    """asin(x) for -1 <= x <= 1;  d/dx = 1 / sqrt(1 - x^2)."""
    return lift(x).asin()


def acos(x: Any) -> Value:
    """acos(x) for -1 <= x <= 1;  d/dx = -1 / sqrt(1 - x^2)."""
    return lift(x).acos()


def atan(x: Any) -> Value:
    """atan(x);  d/dx = 1 / (1 + x^2)."""
    return lift(x).atan()


def sinh(x: Any) -> Value:
    """sinh(x);  d/dx = cosh(x)."""
    return lift(x).sinh()


def cosh(x: Any) -> Value:
    """cosh(x);  d/dx = sinh(x)."""
    return lift(x).cosh()


def log1p(x: Any) -> Value:
    """ln(1 + x) for x > -1, exact near 0;  d/dx = 1 / (1 + x)."""
    return lift(x).log1p()


def expm1(x: Any) -> Value:
    """e^x - 1, exact near 0;  d/dx = e^x."""
    return lift(x).expm1()


def erf(x: Any) -> Value:
    """The error function;  d/dx = 2/sqrt(pi) e^(-x^2)."""
    return lift(x).erf()


def softplus(x: Any, beta: Any = 1.0, threshold: Any = 20.0) -> Value:
    """ln(1 + e^(beta x)) / beta, or x where beta x > threshold;  d/dx = sigmoid(beta x)."""
    return lift(x).softplus(beta, threshold)


def silu(x: Any) -> Value:
    """x sigmoid(x);  d/dx = s(x) (1 + x (1 - s(x)))."""
    return lift(x).silu()


def gelu(x: Any, approximate: str = "none") -> Value:
    """x Phi(x) (``approximate='tanh'``: the tanh form);  d/dx = Phi(x) + x phi(x)."""
    return lift(x).gelu(approximate)


def clamp(x: Any, min: Any = None, max: Any = None) -> Value:  # noqa: A002 -- torch's names
    """x held to [min, max];  d/dx = 1 where min <= x <= max (bounds included), else 0."""
    return lift(x).clamp(min, max)


def abs(x: Any) -> Value:  # noqa: A001 -- the engine's abs, like math functions
    """|x|;  d/dx = sign(x)."""
    return builtins.abs(lift(x))


def _inputs(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """The inputs of an n-ary function: one list given (``max([a, b])``), or spread
    (``max(a, b)``)."""
    if len(values) == 1 and not isinstance(values[0], Value) and hasattr(values[0], "__iter__"):
        return tuple(values[0])
    return values


def sum(*values: Any) -> Value:  # noqa: A001
    """x_1 + ... + x_n as one node;  d/dx_i = 1.  The sum of nothing is 0.
    ``sum([a, b, c])`` or ``sum(a, b, c)``."""
    inputs = _inputs(values)
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


def max(*values: Any) -> Value:  # noqa: A001
    """The largest x_i as one node;  d/dx_i = 1/k at each of k tied maxima, else 0.
    ``max([a, b, 0])`` or ``max(a, b, 0)``."""
    return _extreme(ops.MAX, values)


def min(*values: Any) -> Value:  # noqa: A001
    """The smallest x_i as one node;  d/dx_i = 1/k at each of k tied minima, else 0.
    ``min([a, b, 0])`` or ``min(a, b, 0)``."""
    return _extreme(ops.MIN, values)


def _extreme(op: ops.Op, values: tuple[Any, ...]) -> Value:
    inputs = _inputs(values)
    if not inputs:
        raise ValueError(f"{op.name}: needs at least one value")
    return record(op, inputs)
