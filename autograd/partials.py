"""Local partial derivatives: d node / d input for each input of a node, by its op's rule.

The op table (:mod:`autograd.ops`) holds every op's partials as one rule; here they are
evaluated for a node of a graph -- on floats, or on Values for higher order -- and here
are the errors that name the op and its input values, for a partial that cannot be
evaluated and for a gradient that stops being finite.

A partial that no gradient needs -- that of an input which does not require grad, such as
a number lifted to a constant -- is never used, and cannot stop backward: where the rule
fails (an infinite partial raises), the partials a gradient needs are evaluated alone,
without it (0.0 stands in its place), for a rule given one function per input
(:class:`autograd.ops.PerInput`, as pow's is).  So ``0.0 ** y`` is differentiated in y
although d/dx x^y is infinite at x = 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from threading import get_ident
from typing import Any

from .backends import FLOAT
from .modes import ANOMALY
from .ops import PerInput
from .value import VALUE, Value, _call_text


def float_partials(node: Value, needed_only: bool = False) -> tuple[float, ...]:
    """d node / d input for each of ``node.inputs``, in order: the op's rule on floats,
    raising the rule's own error where a partial is undefined (callers name the op).
    With ``needed_only``, a partial that no gradient needs cannot make it fail (see the
    module docstring).  A leaf has no inputs and returns ()."""
    op = node._rule
    if op is None:
        return ()
    xs = [v.data for v in node.inputs]
    try:
        return tuple(op.derivative_seq(FLOAT, node.data, xs))
    except (ArithmeticError, ValueError):
        if not (needed_only and type(op.derivative) is PerInput):
            raise
    return _needed(node, FLOAT, node.data, xs)


def _needed(node: Value, m: Any, out: Any, xs: Sequence[Any]) -> tuple:
    """A per-input rule's partials of the inputs that require grad, evaluated alone (0.0
    for the others), on backend ``m``."""
    return node._rule.derivative.some(m, out, xs, [x.requires_grad for x in node.inputs])


def local_partials(node: Value) -> tuple[float, ...]:
    """d node / d input for each of ``node.inputs``, in order, as floats; an error
    naming the op and its inputs where one is undefined.

    A leaf has no inputs and returns ().
    """
    try:
        return float_partials(node)
    except (ArithmeticError, ValueError) as error:
        raise backward_error(node, error) from None


def needed_partials(node: Value) -> tuple[float, ...]:
    """:func:`local_partials` as backward uses them: a partial that no gradient needs
    cannot make them fail (see the module docstring)."""
    try:
        return float_partials(node, needed_only=True)
    except (ArithmeticError, ValueError) as error:
        raise backward_error(node, error) from None


def value_partials(node: Value, caller: str) -> tuple[Any, ...]:
    """d node / d input for each input as Values (or constants), evaluated by the op's
    rule on the VALUE backend: a graph of their own, which can be differentiated again
    (those of inputs that do not require grad as in :func:`needed_partials`).
    TypeError (``caller`` named) for an op whose derivative is plain numbers only."""
    op = node._rule
    if op is None:
        return ()
    if not op.higher_order:
        raise TypeError(f"{caller}(create_graph=True): the op {op.name!r} has no "
                        "differentiable derivative (its backward returns plain numbers)")
    try:
        return tuple(op.derivative(VALUE, node, *node.inputs))
    except (ArithmeticError, ValueError):
        if type(op.derivative) is not PerInput:
            raise
    return _needed(node, VALUE, node, node.inputs)


def backward_error(node: Value, error: Exception) -> Exception:
    """An error from a local derivative, re-raised with the op and its inputs named."""
    call = _call_text(node.op, node.inputs)
    if ANOMALY and get_ident() in ANOMALY:
        return FloatingPointError(f"backward of {call}: {error} (detect_anomaly)")
    if isinstance(error, ZeroDivisionError):
        return ZeroDivisionError(f"backward of {call}: division by zero in the derivative "
                                 "(it is infinite or undefined here)")
    return type(error)(f"backward of {call}: {error}")


def gradient_error(node: Value, gradient: float, caller: str = "backward",
                   processed: Iterable[Value] = ()) -> Exception:  # fmt: skip
    """The error for a ``gradient`` that became inf or NaN while flowing into ``node``,
    naming where it came from: the first of the ``processed`` op nodes (in the order
    backward took them) that sent an inf or NaN to an input that requires grad."""
    users = f" (reaching {_call_text(node.op, node.inputs)})" if node._rule else ""
    message = f"{caller}: the gradient became {gradient}{users}{_source(processed)}"
    if ANOMALY and get_ident() in ANOMALY:
        return FloatingPointError(message + " (detect_anomaly)")
    if gradient != gradient:
        return ValueError(message)
    return OverflowError(message)


def _source(processed: Iterable[Value]) -> str:
    """'; it came from backward of mul(...), which sent inf to its input 0 (...)', or ''.
    Run only after a gradient has become inf or NaN."""
    for node in processed:
        g = node.grad
        if not g or g - g:  # nothing sent, or a gradient that was already bad
            continue
        for position, (x, partial) in enumerate(zip(node.inputs, needed_partials(node))):
            contribution = g * partial
            if x.requires_grad and contribution - contribution:
                return (f"; it came from backward of {_call_text(node.op, node.inputs)}, which "
                        f"sent {contribution} to its input {position} (upstream gradient {g}, "
                        f"local derivative {partial})")
    return ""


def check_contributions(node: Value, g: float, partials: Sequence[float]) -> None:
    """In detect_anomaly: raise if this node's backward sends inf or NaN to an input that
    requires grad."""
    for x, partial in zip(node.inputs, partials):
        contribution = g * partial
        if x.requires_grad and contribution - contribution:
            raise FloatingPointError(
                f"backward of {_call_text(node.op, node.inputs)} produced {contribution} "
                f"(upstream gradient {g}, local derivative {partial}) (detect_anomaly)"
            )
