"""Softmax, log-softmax and weight penalties, composed from engine ops.

Nothing here has a hand-written derivative: every function is a small graph of ops
from the op table (``exp``, ``log``, ``sub``, ``div``, and the n-ary ``sum``/``dot``), so
backpropagation through it is the engine's chain rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import autograd
from autograd import Value

from .module import Module, as_values


def _is_batch(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and bool(x) and isinstance(x[0], (list, tuple))


def _shifted(values: Any, name: str) -> list[Value]:
    """x_i - m with m = max_j x_j, so every e^(x_i - m) <= 1 and nothing overflows.

    m is an ``autograd.max`` node (no Python reads the data, so this also traces in
    ``autograd.compile``); its gradient in softmax, log-softmax and cross-entropy is
    1 - sum_j softmax_j = 0, so the shift changes no value and no gradient.
    """
    xs = as_values(values)
    if not xs:
        raise ValueError(f"{name}: needs at least one value, received 0")
    m = autograd.max(xs)
    return [v - m for v in xs]


def log_sum_exp_shifted(shifted: list[Value]) -> Value:
    """log(sum_j e^(s_j)) for already shifted s (max s = 0, so the sum is in [1, n])."""
    return autograd.sum([s.exp() for s in shifted]).log()


def log_softmax(values: Any) -> list[Value] | list[list[Value]]:
    """log softmax(x)_i = x_i - m - log(sum_j e^(x_j - m)),  m = max_j x_j.

    Stable for any logits (e^(x_j - m) <= 1).  A list of lists is a batch: one result
    list per row.
    """
    if _is_batch(values):
        return [log_softmax(row) for row in values]
    shifted = _shifted(values, "log_softmax")
    lse = log_sum_exp_shifted(shifted)
    return [s - lse for s in shifted]


def softmax(values: Any) -> list[Value] | list[list[Value]]:
    """softmax(x)_i = e^(x_i - m) / sum_j e^(x_j - m),  m = max_j x_j.

    Outputs are positive and sum to 1.  A list of lists is a batch: one list per row.
    """
    if _is_batch(values):
        return [softmax(row) for row in values]
    exps = [s.exp() for s in _shifted(values, "softmax")]
    total = autograd.sum(exps)
    return [e / total for e in exps]


def _parameter_list(params: Iterable[Value] | Module) -> list[Value]:
    if isinstance(params, Module):
        return params.parameters()
    params = list(params)
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"penalties take Values (or a Module), not {type(p).__name__}")
    return params


def l1_penalty(params: Iterable[Value] | Module) -> Value:
    """sum_i |p_i|  (d/dp_i = sign(p_i)).  ``params`` may be a Module."""
    return autograd.sum([abs(p) for p in _parameter_list(params)])


def l2_penalty(params: Iterable[Value] | Module) -> Value:
    """sum_i p_i^2 as one dot node p . p  (d/dp_i = 2 p_i).  ``params`` may be a Module."""
    params = _parameter_list(params)
    return autograd.dot(params, params)
