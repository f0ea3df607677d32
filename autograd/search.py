"""The topological order, fast: a depth-first search with shortcuts.

:func:`autograd.backprop.topological_order` is the textbook search; :func:`search` finds
the very same order (tests/test_engine_fast_path.py) with fewer steps, for the engine's
passes that need it fast: the fast backward (:mod:`autograd.fast_backward`), ``grad``,
forward mode (:mod:`autograd.forward`) and tracing (:mod:`autograd.trace`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .recording import LIFTED
from .value import Value

__all__ = ["search", "topological_order_of"]


def topological_order_of(roots: Iterable[Value]) -> list[Value]:
    """Every node any of ``roots`` depends on, once, inputs before the nodes using them:
    :func:`autograd.backprop.topological_order` for several roots at once."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        search(root, order, order, seen)
    return order


def search(root: Value, nodes: list[Value], leaves: list[Value], seen: set[Value] | None = None,
           constants: list[Value] | None = None) -> None:  # fmt: skip
    """Append ``root``'s op nodes to ``nodes``, inputs first, and its leaves to ``leaves``
    (which may be ``nodes`` itself, for one topological order of both) -- or, if a list of
    ``constants`` is given, the leaves that do not require grad to it, but for the numbers
    lifted by a two-input operator (which only that op's node uses, and which the fast
    backward's two-input step skips) --, each in the order of
    :func:`autograd.backprop.topological_order`; nodes already in ``seen`` (found from an
    earlier root) are skipped.

    An iterative depth-first search: each stack entry is a node and an iterator over
    its remaining inputs; a node is emitted when all its inputs have been.  A node whose
    inputs have all been seen already is emitted at once (in a DAG a seen input is never
    one still on the stack): one set test in C instead of a stack round trip, which
    spares a neuron's shared weights and inputs being looked at one by one again.  So is
    a one-input node (an activation) whose input is complete at once: both are emitted.
    """
    if seen is None:
        seen = set()
    elif root in seen:
        return
    seen.add(root)
    # Bound methods in locals: the loop runs once per edge not settled by a set test.
    mark, done, emit, emit_leaf = seen.add, seen.issuperset, nodes.append, leaves.append
    emit_constant = emit_leaf if constants is None else constants.append
    all_leaves = constants is None
    if root._rule is None:
        (emit_leaf if root.requires_grad else emit_constant)(root)
        return
    stack = [(root, iter(root.inputs))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in seen:
                mark(child)
                inputs = child.inputs
                if child._rule is None:  # a leaf is complete at once
                    if child.requires_grad:
                        emit_leaf(child)
                    elif all_leaves or child._tape is not LIFTED or len(node.inputs) != 2:
                        emit_constant(child)
                elif done(inputs):
                    emit(child)  # so is a node whose inputs are all done
                elif len(inputs) == 1 and done(inputs[0].inputs):
                    # relu(dot(...)): the dot is complete, so is the relu (no stack round trip)
                    only = inputs[0]
                    mark(only)
                    if only._rule is not None:
                        emit(only)
                    else:
                        (emit_leaf if only.requires_grad else emit_constant)(only)
                    emit(child)
                else:
                    stack.append((child, iter(inputs)))
                    break
        else:
            stack.pop()
            emit(node)
