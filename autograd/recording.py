"""The tape: op nodes in the order they were made (a Wengert list).

Reverse mode needs the nodes an output depends on in an order where every node comes
after its inputs.  Without help, ``backward`` finds one by a depth-first search of the
graph, looking at every edge once more.  But a node is always made after its inputs,
so the order in which nodes were made is such an order already: inside ::

    with autograd.tape() as t:
        loss = ...          # every op node made here goes on t.nodes, in order
        loss.backward()     # replays t.nodes backward: no graph search

``backward`` walks the record back from ``loss`` and sends gradients on from every node
with a non-zero gradient (the recorded nodes ``loss`` does not depend on get none).
The record serves one ``backward``: every call restarts it, so the next one starts
clean (a second ``backward`` of the same ``loss`` searches the graph, as outside a tape).

Which nodes a record can serve is known as they are made: a node's ``_tape`` mark is
the record's token when every input is a leaf or a node of the same record, else None,
so ``backward`` uses the record only for an output whose whole graph is on it.  Leaves
carry the mark ``LEAF`` (``LIFTED``: a number an operator lifted to a constant); the
leaves met are noted for backward's final check.

One tape serves every thread (a nested ``tape()`` joins the open one): nodes made by
any thread while it is open are recorded and kept until the next ``backward`` or the
end of the block.  That is always correct -- a record is used only by the output it
was made for, and any ``backward`` restarts it -- and it keeps the per-node cost to a
global lookup (no thread lookup per node).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value

LEAF = object()  # the mark of a leaf: on every record, never recorded
LIFTED = object()  # a leaf's too: a number an operator lifted to a constant, for itself only
FROM_INPUTS = object()  # a node's mark, when its maker did not work it out: from its inputs
_lock = threading.Lock()


class Tape(contextlib.ContextDecorator):
    """The tape of :func:`tape`; while open, ``nodes`` holds the op nodes made since it
    opened or since the last ``backward``, in the order they were made."""

    def __init__(self) -> None:
        self.depth = 0
        self.restart()

    def restart(self) -> None:
        """Start a new record.  The token, the nodes and the leaves met change together
        (one tuple, one assignment), so a node made meanwhile by another thread is
        marked with the token of the list it went on."""
        self.now: tuple[object, list[Value], list[Value]] = (object(), [], [])

    @property
    def nodes(self) -> list[Value]:
        """The op nodes recorded so far, in the order they were made."""
        return list(self.now[1])

    def __enter__(self) -> Tape:
        global OPEN
        with _lock:
            self.depth += 1
            OPEN = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        global OPEN
        with _lock:
            self.depth -= 1
            if not self.depth:
                OPEN = None
                self.restart()  # the recorded nodes are let go


OPEN: Tape | None = None  # the open tape, if any; read by autograd.value for every node made
_TAPE = Tape()  # the one tape: blocks nest by counting


def tape() -> Tape:
    """Record the op nodes made inside the block, in order, so that ``backward`` replays
    the record instead of searching the graph (see :mod:`autograd.recording`).

    A context manager (``with autograd.tape() as t:``) and a decorator; ``t.nodes`` is
    the record.  Blocks nest: the tape closes when the outermost one ends.
    """
    return _TAPE


def mark(token: object, leaves: list[Value], inputs: Iterable[Value]) -> object | None:
    """The mark of a node made from ``inputs`` on the record ``token``: the token when
    every input is a leaf or carries the token, else None.  The leaves among the
    inputs are appended to ``leaves`` (on the way: None stops early)."""
    for x in inputs:
        if x._tape is not token:
            if x._tape is not LEAF and x._tape is not LIFTED:
                return None
            leaves.append(x)
    return token


def take(root: Value) -> tuple[list[Value], list[Value]] | None:
    """For ``backward(root)``: the recorded nodes up to ``root``, in the order they were
    made, and the leaves they met -- or None if ``root`` was not made on the open
    tape's record with its whole graph.  Either way the open tape restarts."""
    tape = OPEN
    if tape is None:
        return None
    token, nodes, leaves = tape.now
    tape.restart()
    if root._tape is not token:
        return None
    end = len(nodes) - 1
    while nodes[end] is not root:  # root is usually the last node made
        end -= 1
    del nodes[end + 1 :]
    return nodes, leaves
