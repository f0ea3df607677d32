"""Backprop the way a person does it: from rounded numbers, or with one typical slip.

:func:`backprop` is the chain rule over a graph's nodes,
``grad[input] += grad[node] * d node / d input``, with the local derivatives from the op
table, and three optional changes: the data read from ``data`` (e.g. rounded as
printed), gradients rounded to ``digits`` as they are written down, and local
derivatives replaced (``local``) or paths dropped (``only``) to replay a slip.
"""

from __future__ import annotations

from collections.abc import Mapping

from autograd import OPS, Value
from autograd.backends import FLOAT

Edge = tuple[Value, int]  # (node, index of the input): one use of node.inputs[index]


def backprop(
    order: list[Value],
    *,
    data: Mapping[Value, float] | None = None,
    digits: int | None = None,
    local: Mapping[Edge, float] | None = None,
    only: tuple[Value, Edge] | None = None,
) -> dict[Value, float]:
    """d root / d node for every node of ``order`` (a topological order ending at root).

    ``data`` replaces the nodes' data, ``digits`` rounds every gradient once complete,
    ``local`` replaces the local derivative of some edges, and ``only=(node, edge)``
    lets ``node`` receive its gradient through that one edge alone.
    """
    value = (lambda v: v.data) if data is None else data.__getitem__
    grads = dict.fromkeys(order, 0.0)
    grads[order[-1]] = 1.0
    for node in reversed(order):
        if not node.inputs:
            continue
        g = grads[node] if digits is None else round(grads[node], digits)
        partials = OPS[node.op].derivative(FLOAT, value(node), *map(value, node.inputs))
        for i, (child, partial) in enumerate(zip(node.inputs, partials)):
            if only is not None and child is only[0] and (node, i) != only[1]:
                continue
            grads[child] += g * (local.get((node, i), partial) if local else partial)
    if digits is not None:
        grads = {node: round(g, digits) for node, g in grads.items()}
    return grads


def uses(order: list[Value]) -> dict[Value, list[Edge]]:
    """node → the edges through which it feeds later nodes (two or more: a shared node)."""
    found: dict[Value, list[Edge]] = {node: [] for node in order}
    for node in order:
        for i, child in enumerate(node.inputs):
            found[child].append((node, i))
    return found


def swapped_partials(node: Value, i: int) -> list[float]:
    """d node / d input_i with the input and the output mixed up, both ways round:
    the rule evaluated at the output instead of the input (1/out for log), and the
    output replaced by the input (1 - x^2 for tanh).  Values the rule cannot take are
    left out."""
    op, xs = OPS[node.op], [v.data for v in node.inputs]
    found = []
    try:
        at_output = xs[:i] + [node.data] + xs[i + 1 :]
        found.append(op.derivative(FLOAT, op.forward(FLOAT, *at_output), *at_output)[i])
    except (ArithmeticError, ValueError):
        pass
    try:
        found.append(op.derivative(FLOAT, xs[i], *xs)[i])
    except (ArithmeticError, ValueError):
        pass
    return [float(p) for p in found if p - p == 0]  # finite ones only
