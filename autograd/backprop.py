"""Reverse mode: every node sends its gradient back to its inputs, from the output down.

For every node, from the root back to the leaves,

    input.grad += node.grad * d node / d input

where the local partial ``d node / d input`` comes from the node's entry in the op table
(:mod:`autograd.partials`).  A node's gradient is complete once every node that uses it
has sent its share, so the nodes are taken in reverse topological order.

:func:`backward` below is the whole algorithm, written to be read.  ``Value.backward()``
runs :mod:`autograd.fast_backward`: the same algorithm with speed paths, which computes
the same floats (tests/test_engine_fast_path.py holds them to it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import recording
from .modes import is_anomaly_enabled
from .partials import (
    check_contributions,
    gradient_error,
    local_partials,
    needed_partials,
    value_partials,
)
from .search import topological_order_of
from .value import Value, _as_float, lift

__all__ = ["backward", "chain_rule_step", "grad", "hessian", "local_partials",
           "topological_order"]  # fmt: skip


def backward(root: Value, gradient: Any = None) -> None:
    """Fill ``.grad`` of every node ``root`` depends on with d root / d node, times
    ``gradient`` (the seed of ``root.grad``: 1 by default).

    Op nodes are reset first, so they hold this call's gradient; leaves accumulate (from
    0 if their ``.grad`` is None); a Value that does not require grad gets nothing.
    """
    check_requires_grad(root)
    recording.take(root)  # any backward spends the open tape's record (autograd.recording)
    order = topological_order(root)
    for node in order:
        if not node.is_leaf:
            node.grad = 0.0  # an op node holds this call's gradient
        elif node.grad is None and node.requires_grad:
            node.grad = 0.0  # a leaf accumulates; None (zero_grad(set_to_none=True)) is 0
    root.grad += seed(gradient)
    for node in reversed(order):  # a node comes after every node that uses it
        if node.inputs and node.grad - node.grad:  # inf or NaN: stop, say where it came from
            raise gradient_error(node, node.grad, processed=reversed(order))
        chain_rule_step(node)
    for leaf in order:
        if leaf.is_leaf and leaf.requires_grad and leaf.grad - leaf.grad:
            raise gradient_error(leaf, leaf.grad, processed=reversed(order))


def chain_rule_step(node: Value) -> None:
    """One node's step of backward -- micrograd's ``node._backward()``: for each input x
    that requires grad, ``x.grad += node.grad * d node / d x``."""
    if not node.grad:  # 0 sends nothing (and 0 times an infinite partial is no NaN)
        return
    partials = needed_partials(node)  # d node / d x for each input, from the op table
    if is_anomaly_enabled():
        check_contributions(node, node.grad, partials)
    for x, partial in zip(node.inputs, partials):
        if x.requires_grad:
            if x.grad is None:  # zero_grad(set_to_none=True) leaves None: it counts as 0
                x.grad = 0.0
            x.grad += node.grad * partial


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, inputs before the nodes using them.

    A depth-first search that lists a node once all its inputs are listed: the textbook
    recursion ``visit(input) for each input; then list the node``, with a stack of
    (node, its inputs not visited yet) in place of Python's call stack, so a graph may be
    as deep as memory allows.
    """
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(root.inputs))]
    while stack:
        node, inputs = stack[-1]
        for x in inputs:
            if x not in seen:  # visit this input first
                seen.add(x)
                stack.append((x, iter(x.inputs)))
                break
        else:  # every input is listed: list the node
            stack.pop()
            order.append(node)
    return order


def check_requires_grad(root: Value) -> None:
    """RuntimeError (PyTorch's) for a backward from a Value that does not require grad."""
    if not root.requires_grad:
        raise RuntimeError("backward: this Value does not require grad (it is a constant: "
                           "made from numbers, from Values with requires_grad=False, or "
                           "inside no_grad), so no gradient flows from it")  # fmt: skip


def seed(gradient: Any) -> float:
    """``backward(gradient=...)`` as a float: 1.0 for None, a Value's data, a finite number."""
    if gradient is None:
        return 1.0
    if isinstance(gradient, Value):
        gradient = gradient.data
    try:
        value = _as_float(gradient)
    except TypeError:
        raise TypeError(f"backward: gradient must be a number, not "
                        f"{type(gradient).__name__}") from None  # fmt: skip
    except (ValueError, OverflowError):  # NaN, or an int too large for a float
        raise ValueError(f"backward: gradient must be finite, not {gradient!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"backward: gradient must be finite, not {value}")
    return value


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """d output / d x for each x in ``inputs``, leaving every ``.grad`` untouched.

    An input the output does not depend on gets 0; an input that does not require grad
    is refused (RuntimeError, as in PyTorch: no path from it was recorded).  With
    ``create_graph=True`` the chain rule itself is recorded with Value ops, so the
    results can be differentiated again (``grad`` of ``grad``).
    """
    output = lift(output)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, not {type(x).__name__}")
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad (requires_grad=False), "
                               "so no path from it was recorded")  # fmt: skip
    grads: dict[Value, Any] = {output: Value(1.0) if create_graph else 1.0}
    for node in reversed(topological_order_of([output])):  # (the same order, found faster)
        g = grads.get(node)
        if g is None or node._rule is None:
            continue
        partials = value_partials(node, "grad") if create_graph else needed_partials(node)
        for x, partial in zip(node.inputs, partials):  # (a constant's share is never read)
            contribution = g * partial
            grads[x] = grads[x] + contribution if x in grads else contribution
    for node, g in grads.items():  # (with create_graph, the ops check themselves)
        if not create_graph and g - g and node.requires_grad:
            raise gradient_error(node, g, caller="grad")
    return [lift(grads.get(x, 0.0)) for x in inputs]


def hessian(f: Callable[..., Value], xs: Iterable[float]) -> list[list[float]]:
    """The matrix of second derivatives d^2 f / dx_i dx_j at ``xs``; ``f(*values)``."""
    leaves = [Value(x) for x in xs]
    first = grad(lift(f(*leaves)), leaves, create_graph=True)
    return [[g.data for g in grad(d, leaves)] for d in first]
