"""User-defined ops: a forward function and its local derivatives, written with floats.

``custom_op(name, forward, backward)`` turns two plain functions

    forward(x_1, ..., x_n) -> y            backward(x_1, ..., x_n) -> (dy/dx_1, ..., dy/dx_n)

into a function on Values whose nodes carry ``op == name``.  The chain rule then works as
for a built-in op: ``x_i.grad += node.grad * dy/dx_i``.  Because ``backward`` returns
plain numbers, its result cannot be differentiated again: higher-order derivatives
(``grad(create_graph=True)``, ``hessian``, ``gradgradcheck``) through a custom op raise
a TypeError naming it.

The op is not added to the global table :data:`autograd.OPS`, so re-running a notebook
cell that defines it again is fine; a built-in name cannot be reused.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from numbers import Real
from typing import Any

from .backends import FLOAT
from .ops import OPS, Op
from .value import Value, lift, record

__all__ = ["custom_op"]


def _arity(forward: Callable[..., Any]) -> int | None:
    """How many positional inputs ``forward`` takes; None for ``*args`` or unknown."""
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in positional and p.default is inspect.Parameter.empty for p in parameters)


def _number(name: str, what: str, x: Any) -> float:
    """``x`` as a float, or a TypeError naming the op and what returned it."""
    if isinstance(x, Real) and not isinstance(x, bool):
        return float(x)
    raise TypeError(f"custom op {name!r}: {what} must be a number, got {x!r}")


def _checked_partials(name: str, partials: Any, n_inputs: int, on_floats: bool) -> tuple:
    """The backward result as a tuple of ``n_inputs`` partials (floats on the float backend).

    A bare number is accepted for a one-input op.
    """
    if n_inputs == 1 and not isinstance(partials, (tuple, list)):
        partials = (partials,)
    if not isinstance(partials, (tuple, list)):
        raise TypeError(
            f"custom op {name!r}: backward must return a tuple of {n_inputs} partial "
            f"derivatives (one per input), got {partials!r}"
        )
    if len(partials) != n_inputs:
        raise TypeError(
            f"custom op {name!r}: backward returned {len(partials)} partial derivative(s) "
            f"for {n_inputs} input(s): {tuple(partials)!r}"
        )
    if on_floats:
        return tuple(_number(name, f"partial d{name}/dx{i}", p) for i, p in enumerate(partials))
    return tuple(partials)


def custom_op(
    name: str,
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    *,
    doc: str = "",
    domain: str = "",
    vectorized: bool = False,
) -> Callable[..., Value]:
    """Make an op from ``forward(*floats) -> float`` and ``backward(*floats) -> partials``.

    ``backward(x_1..x_n)`` returns the tuple (d y / d x_1, ..., d y / d x_n) of local
    partial derivatives at the inputs (a bare number is fine for one input).  The result
    is a function taking numbers or Values and returning a Value whose node has
    ``op == name``; it works with ``backward()``, ``grad`` and ``gradcheck``.

    ``doc`` states the math (shown by ``repr(fn.op)``), ``domain`` the accepted inputs
    (shown when ``forward`` raises ValueError).  ``vectorized=True`` declares that both
    functions also work elementwise on numpy arrays, so the compiled batch mode may use
    the op (``Op.batchable``).  Errors in the definition (wrong number of partials,
    non-numbers) raise a TypeError naming the op.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"custom_op: name must be a non-empty string, got {name!r}")
    if name in OPS:
        raise ValueError(f"custom_op: {name!r} is a built-in op; choose another name")
    if not callable(forward) or not callable(backward):
        raise TypeError(f"custom op {name!r}: forward and backward must be functions")
    arity = _arity(forward)

    def op_forward(m: Any, *xs: Any) -> Any:
        out = forward(*xs)
        return _number(name, "forward's result", out) if m is FLOAT else out

    def op_derivative(m: Any, out: Any, *xs: Any) -> tuple:
        return _checked_partials(name, backward(*xs), len(xs), m is FLOAT)

    op = Op(
        name,
        arity,
        op_forward,
        op_derivative,
        doc or f"custom op {name}",
        domain=domain,
        higher_order=False,
        batchable=vectorized,
    )

    def apply(*inputs: Any) -> Value:
        if arity is not None and len(inputs) != arity:
            raise TypeError(f"{name} takes {arity} input(s), got {len(inputs)}")
        if not inputs:
            raise TypeError(f"{name} needs at least one input")
        return record(op, tuple(map(lift, inputs)))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = op.doc
    apply.op = op  # type: ignore[attr-defined]
    return apply
