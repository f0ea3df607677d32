"""Loss functions with PyTorch's names, defaults and values (``torch.nn.functional``).

Each takes one sample or a batch and a ``reduction``: ``'mean'`` (the default; the
average over all elements, or over the samples for :func:`cross_entropy`), ``'sum'``,
or ``'none'`` (the list of per-element losses).  The element-wise losses accept
predictions and targets of any matching nesting (a Value, a list, a list of lists):
both are flattened and must have the same number of elements.

All are composed from engine ops (no hand-written derivatives).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import autograd
from autograd import Value

from .checks import as_number
from .functional import _is_batch, _shifted, log_sum_exp_shifted
from .module import as_values

REDUCTIONS = ("mean", "sum", "none")
_LOG_FLOOR = -100.0  # torch.nn.functional.binary_cross_entropy clamps log(p) at -100


def _flatten(x: Any, out: list) -> list:
    if isinstance(x, (list, tuple)):
        for item in x:
            _flatten(item, out)
    else:
        out.append(x)
    return out


def _reduce(terms: list[Value], reduction: str) -> Value | list[Value]:
    """mean: (t_1 + ... + t_n) / n;  sum: t_1 + ... + t_n;  none: the list itself."""
    if reduction == "mean":
        return autograd.sum(terms) / len(terms)
    if reduction == "sum":
        return autograd.sum(terms)
    return terms


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"not {reduction!r}")  # fmt: skip


def _target_number(t: Any, name: str) -> Any:
    if isinstance(t, Value):
        return t
    if isinstance(t, Real) and not isinstance(t, bool):
        return float(t)
    raise TypeError(f"{name}: targets must be numbers, not {type(t).__name__}")


def _elementwise(name: str, term: Callable[[Value, Any], Value], preds: Any, targets: Any,
                 reduction: str, check: Callable[[list, list], None] | None = None,
                 ) -> Value | list[Value]:  # fmt: skip
    """``term(p, t)`` for each pair of the flattened predictions and targets, reduced.

    ``check(ps, ts)`` validates the numbers first; the terms themselves only compose
    ops, so the compiled batch mode (nn/compiled.py) traces the very same terms.
    """
    _check_reduction(name, reduction)
    ps = as_values(_flatten(preds, []))
    ts = [_target_number(t, name) for t in _flatten(targets, [])]
    if len(ps) != len(ts):
        raise ValueError(f"{name}: {len(ps)} predictions but {len(ts)} targets")
    if not ps:
        raise ValueError(f"{name}: needs at least one prediction, received 0")
    if check is not None:
        check(ps, ts)
    return _reduce([term(p, t) for p, t in zip(ps, ts)], reduction)


def _squared_error(p: Value, t: Any) -> Value:
    """(p - t)^2."""
    d = p - t
    return d * d


def _log_clamped(x: Value) -> Value:
    """log x, clamped below at -100 like torch (a constant where clamped)."""
    return x.log() if x.data > 0.0 and math.log(x.data) > _LOG_FLOOR else Value(_LOG_FLOOR)


def _bce_term(p: Value, t: Any, log: Callable[[Value], Value] = _log_clamped) -> Value:
    """-(t log p + (1 - t) log(1 - p)), one dot node over the two logs."""
    return autograd.dot([log(p), log(1.0 - p)], [-t, t - 1.0])


def _check_probabilities(ps: list[Value], ts: list) -> None:
    for p in ps:
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"binary_cross_entropy: probabilities must be in [0, 1], "
                             f"received {p.data}")  # fmt: skip


def _bce_logits_term(x: Value, t: Any) -> Value:
    a = abs(x)
    # softplus(x) - t x  with  softplus(x) = (x + |x|)/2 + log(1 + e^-|x|); the linear part
    # is one dot node.  Writing max(x, 0) as (x + |x|)/2 gives d/dx = 1/2 at x = 0, so
    # the gradient is sigmoid(x) - t everywhere, as torch's.
    return autograd.dot([x, a], [0.5 - t, 0.5]) + (1.0 + (-a).exp()).log()


def _hinge_term(s: Value, y: Any) -> Value:
    """max(0, 1 - y s)."""
    return (1.0 - y * s).relu()


def _check_labels(_scores: list[Value], ys: list) -> None:
    for y in ys:
        if as_number(y) not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: labels must be -1 or 1, received {y}")


def mse_loss(preds: Any, targets: Any, reduction: str = "mean") -> Value | list[Value]:
    """Mean squared error: mean_i (p_i - t_i)^2  (torch.nn.functional.mse_loss).

    d/dp_i = 2 (p_i - t_i) / n for reduction='mean'.
    """
    return _elementwise("mse_loss", _squared_error, preds, targets, reduction)


def binary_cross_entropy(probs: Any, targets: Any, reduction: str = "mean") -> Value | list[Value]:
    """-mean_i [t_i log p_i + (1 - t_i) log(1 - p_i)] for probabilities p_i in [0, 1].

    As torch.nn.functional.binary_cross_entropy, each log is clamped at -100, so p = 0
    or 1 gives a finite loss (where a log is clamped it is a constant).  ValueError
    for a probability outside [0, 1].  d/dp_i = (p_i - t_i) / (p_i (1 - p_i)) / n.
    """
    return _elementwise("binary_cross_entropy", _bce_term, probs, targets, reduction,
                        _check_probabilities)


def bce_with_logits(logits: Any, targets: Any, reduction: str = "mean") -> Value | list[Value]:
    """Binary cross-entropy of sigmoid(x): mean_i [softplus(x_i) - t_i x_i].

    Stable for any logit (torch.nn.functional.binary_cross_entropy_with_logits);
    d/dx_i = (sigmoid(x_i) - t_i) / n.
    """
    return _elementwise("bce_with_logits", _bce_logits_term, logits, targets, reduction)


def hinge_loss(scores: Any, labels: Any, reduction: str = "mean") -> Value | list[Value]:
    """Hinge loss for labels y_i in {-1, 1}: mean_i max(0, 1 - y_i s_i) (micrograd's demo).

    d/ds_i = -y_i / n where y_i s_i < 1, else 0.  ValueError for another label.
    """
    return _elementwise("hinge_loss", _hinge_term, scores, labels, reduction, _check_labels)


ONE_OUTPUT = ("cross_entropy needs one output per class, but the model gives 1: for two "
              "classes use nn.bce_with_logits (labels 0/1), nn.binary_cross_entropy (after a "
              "sigmoid) or nn.hinge_loss (labels -1/1), or give the model 2 outputs")


def _class_index(t: Any, classes: int) -> int:
    if classes == 1:  # torch's loss is 0 whatever the model does: nothing would train
        raise ValueError(ONE_OUTPUT)
    if not isinstance(t, Integral) or isinstance(t, bool):
        raise TypeError(f"cross_entropy: a target must be a class index (int), "
                        f"not {type(t).__name__}")  # fmt: skip
    if not 0 <= t < classes:
        raise ValueError(f"cross_entropy: target {t} is out of range for {classes} classes "
                         f"(expected 0 to {classes - 1})")  # fmt: skip
    return int(t)


def _cross_entropy_term(logits: Any, target: Any) -> Value:
    """-log softmax(x)_t = log(sum_j e^(x_j - m)) - (x_t - m)."""
    shifted = _shifted(logits, "cross_entropy")
    t = _class_index(target, len(shifted))
    return log_sum_exp_shifted(shifted) - shifted[t]


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Value | list[Value]:
    """Softmax cross-entropy: -log softmax(x)_t  (torch.nn.functional.cross_entropy).

    ``logits`` is a list of scores and ``target`` a class index, or a batch: a list of
    lists and a list of indices ('mean' averages over the samples).  d/dx_j =
    softmax(x)_j - [j = t].  ValueError for a class index out of range, mismatched
    batch lengths, or one score per sample (a model with one output: the message
    names the binary losses to use).
    """
    _check_reduction("cross_entropy", reduction)
    if not _is_batch(logits):
        if isinstance(target, (list, tuple)) and isinstance(logits, (list, tuple)) \
                and len(target) == len(logits):  # fmt: skip
            raise ValueError(ONE_OUTPUT)  # a batch of single scores, one per sample
        return _cross_entropy_term(logits, target)  # one sample: every reduction is the loss
    if not isinstance(target, (list, tuple)):
        raise TypeError(f"cross_entropy: a batch of logits needs a list of targets, "
                        f"not {type(target).__name__}")  # fmt: skip
    if len(logits) != len(target):
        raise ValueError(f"cross_entropy: {len(logits)} rows of logits but "
                         f"{len(target)} targets")  # fmt: skip
    return _reduce([_cross_entropy_term(x, t) for x, t in zip(logits, target)], reduction)
