"""The fast reverse pass: the chain rule of :mod:`autograd.backprop`, with speed paths.

``Value.backward()`` runs :func:`backward` here.  It sends the same gradients as the
textbook :func:`autograd.backprop.backward` -- the same partials, multiplied and added
in the same order, so the same floats (tests/test_engine_fast_path.py) -- faster:

* the order: the open tape's record when it holds the whole graph (:mod:`autograd.recording`:
  no search at all), else :func:`autograd.search.search`, a depth-first search that lists
  a node at once when its inputs are all listed already (one set test, no stack trip);
* one- and two-input ops take their partials without building lists;
* ``requires_grad`` is tested only for the inputs of two-input ops (where the numbers
  lifted to constants sit, as the 2 of ``2 * x``: no other node uses such a number, so
  it is not even looked at again); the others are all sent their share, and the leaves
  that do not require grad get their ``.grad`` put back afterwards;
* the partials are evaluated by the whole rule: a node whose rule fails on a partial that
  no gradient needs is redone by :func:`autograd.backprop.chain_rule_step`, which
  evaluates only the needed ones.

On a tape the nodes come in the order they were made, not in the search's order, so a
node used twice may add up its two contributions in the other order: the same gradients
up to rounding.
"""

from __future__ import annotations

from itertools import chain, filterfalse
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
_requires_grad = attrgetter("requires_grad")


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
    # (a tape is replayed only when no leaf's .grad is None: backward sets those to 0 for
    # the leaves root reaches, and only the search knows which they are)
    replay = recorded is not None and None not in map(_grad, recorded[1])
    if replay:
        nodes, leaves = recorded  # every node recorded before root; leaves met, repeated
        constants = list(filterfalse(_requires_grad, leaves))
    else:
        nodes, leaves, constants = [], [], []  # leaves: those that require grad
        search(root, nodes, leaves, None, constants)
    # The leaves that do not require grad may be sent a share (see the module docstring):
    # what they had is put back afterwards.
    saved = [constant.grad for constant in constants]
    if not replay and (None in map(_grad, leaves) or None in saved):
        for leaf in chain(leaves, constants):
            if leaf.grad is None:  # zero_grad(set_to_none=True): None counts as 0
                leaf.grad = 0.0
    for node in nodes:
        node.grad = 0.0
    root.grad += gradient
    try:
        blocked = _send(nodes)
        total = sum(map(_grad, leaves))  # inf or NaN anywhere makes the sum non-finite
    finally:
        for constant, g in zip(constants, saved):
            constant.grad = g
    if blocked is not None:
        raise gradient_error(blocked, blocked.grad, processed=reversed(nodes))
    # Each op node's gradient was checked in _send; the leaves' only now.
    if total - total:
        if replay:  # the tape's leaves include some root does not depend on
            leaves = []
            search(root, [], leaves, None, [])
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
                    if a.requires_grad:  # (a constant's share would be put back anyway,
                        a.grad += g * da  # but not made is cheaper)
                    if b.requires_grad:
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
