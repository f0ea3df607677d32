"""The fast reverse pass: the chain rule of :mod:`autograd.backprop`, with speed paths.

``Value.backward()`` runs :func:`backward` here.  It sends the same gradients as the
textbook :func:`autograd.backprop.backward` -- the same partials, multiplied and added
in the same order, so the same floats (tests/test_engine_fast_path.py) -- faster:

* the order: the open tape's record when it holds the whole graph (:mod:`autograd.recording`:
  no search at all), else :func:`autograd.search.search`, a depth-first search that lists
  a node at once when its inputs are all listed already (one set test, no stack trip);
* one- and two-input ops take their partials without building lists;
* no test edge by edge for the inputs that do not require grad: every input is sent its
  share, and the Values that do not require grad get their ``.grad`` put back afterwards;
  a node whose rule fails on a partial no gradient needs is redone by
  :func:`autograd.backprop.chain_rule_step`, which evaluates only the needed ones.

On a tape the nodes come in the order they were made, not in the search's order, so a
node used twice may add up its two contributions in the other order: the same gradients
up to rounding.
"""

from __future__ import annotations

from operator import attrgetter
from threading import get_ident
from typing import Any

from . import recording
from .backends import FLOAT
from .backprop import chain_rule_step, check_requires_grad, seed
from .modes import ANOMALY
from .partials import check_contributions, gradient_error
from .search import search
from .value import Value

__all__ = ["backward"]

_grad = attrgetter("grad")


def backward(root: Value, gradient: Any = None, retain_graph: bool | None = None) -> None:
    """:func:`autograd.backprop.backward`, fast (see the module docstring): what
    ``root.backward(gradient, retain_graph)`` runs (``retain_graph`` changes nothing).

    The nodes come in the order they were made from the open tape when it recorded
    ``root``'s whole graph (and no leaf's ``.grad`` is None), else from
    :func:`autograd.search.search`.
    """
    check_requires_grad(root)
    gradient = seed(gradient)
    recorded = recording.take(root)
    # (a None gradient is set to 0 for the leaves root reaches: only the search knows them)
    if recorded is None or None in map(_grad, recorded[1]):
        nodes: list[Value] = []
        leaves: list[Value] = []
        search(root, nodes, leaves)
    else:
        nodes, leaves = recorded  # every node recorded before root; leaves met, repeated
    for node in nodes:
        node.grad = 0.0
    # The leaves that do not require grad are sent their share too (no test edge by
    # edge): what they had is put back afterwards.  None (zero_grad(set_to_none=True))
    # counts as 0.
    constants: list[Value] = []
    saved: list[Any] = []
    for leaf in leaves:
        if not leaf.requires_grad:
            constants.append(leaf)
            saved.append(leaf.grad)
        if leaf.grad is None:
            leaf.grad = 0.0
    root.grad += gradient
    try:
        blocked = _send(nodes)
        total = sum(map(_grad, leaves))  # inf or NaN anywhere makes the sum non-finite
    finally:  # (backwards: a tape lists a leaf once per use, and the first saved is its own)
        for constant, g in zip(reversed(constants), reversed(saved)):
            constant.grad = g
    if blocked is not None:
        raise gradient_error(blocked, blocked.grad, processed=reversed(nodes))
    # Each op node's gradient was checked in _send; the leaves' only now.
    if total - total:
        if recorded is not None:  # the tape's leaves include some root does not depend on
            leaves = []
            search(root, [], leaves)
        for leaf in leaves:
            if leaf.requires_grad and leaf.grad - leaf.grad:
                raise gradient_error(leaf, leaf.grad, processed=reversed(nodes))


def _send(nodes: list[Value]) -> Value | None:
    """The chain rule over ``nodes`` in reverse: every input gets ``node.grad`` times its
    partial.  Returns the first node whose gradient is inf or NaN (sending stops there)."""
    anomaly = bool(ANOMALY) and get_ident() in ANOMALY  # detect_anomaly in this thread
    pending = reversed(nodes)  # every user of a node comes before it
    while True:
        try:
            for node in pending:
                g = node.grad
                if g == 0.0:  # a zero gradient adds nothing
                    continue
                if g - g:  # inf or NaN
                    return node
                op = node._rule
                inputs = node.inputs
                arity = len(inputs)
                # Fast paths for the common arities avoid building lists of data.
                if arity == 1:
                    (a,) = inputs
                    (da,) = op.derivative(FLOAT, node.data, a.data)
                    if anomaly:
                        check_contributions(node, g, (da,))
                    a.grad += g * da
                elif arity == 2:
                    a, b = inputs
                    da, db = op.derivative(FLOAT, node.data, a.data, b.data)
                    if anomaly:
                        check_contributions(node, g, (da, db))
                    a.grad += g * da
                    b.grad += g * db
                else:
                    partials = op.derivative_seq(FLOAT, node.data, [v.data for v in inputs])
                    if anomaly:
                        check_contributions(node, g, partials)
                    for a, da in zip(inputs, partials):
                        a.grad += g * da
            return None
        except FloatingPointError:
            raise
        except (ArithmeticError, ValueError):
            # The rule failed on some partial: take this node the careful way (only the
            # partials a gradient needs; the error naming the op if one of them fails),
            # then go on with the next node.
            chain_rule_step(node)
