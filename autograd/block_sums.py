"""Block sums: a layer's weighted sums w . x + b for a whole batch, a block at a time.

``dots(rows, biases, xs)`` makes the very nodes ``autograd.dot(w, x, b)`` makes for every
row ``w`` of a layer and every sample ``x`` of a batch -- the same data to the last bit --
but reads each weight's data once for the whole batch and each x's once for all the rows,
and takes the sums of a big enough block on numpy at once (:func:`weighted_sums`).
``nn.Layer`` builds its layer this way: a speed path beside the one-node-at-a-time
:func:`autograd.value.record`, which it matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import numpy as np

from . import ops, recording
from .backends import ARRAY, FLOAT
from .value import Value, _node

__all__ = ["dots", "weighted_sums"]

_requires_grad = attrgetter("requires_grad")


def dots(rows: Sequence[Sequence[Value]], biases: Sequence[Value],
         xs: Sequence[Sequence[Value]]) -> list[list[Value]]:  # fmt: skip
    """A layer of neurons over a batch: for each input x of ``xs``, ``[dot(w, x, b) for w, b
    in zip(rows, biases)]`` -- the very nodes ``record(DOT, (*w, *x, b))`` makes (a node
    requires grad when one of its inputs does), with the same data to the last bit, but
    each row's data is read once for the whole batch and each x's once for all the rows,
    and the sums are taken a block at a time (:func:`weighted_sums`)."""
    outs = weighted_sums([[v.data for v in w] for w in rows], [b.data for b in biases],
                         [[v.data for v in x] for x in xs])  # fmt: skip
    layer = list(zip(rows, biases))
    marks = _tape_marks(rows, biases, xs)
    rows_need = [any(map(_requires_grad, w)) or b.requires_grad for w, b in layer]
    if all(rows_need):  # (a layer's weights: every node requires grad, whatever x is)
        return [[_node(ops.DOT, (*w, *x, b), out, True, mark)
                 for (w, b), out in zip(layer, row_outs)]
                for x, row_outs, mark in zip(xs, outs, marks)]  # fmt: skip
    return [[_node(ops.DOT, (*w, *x, b), out, need or any(map(_requires_grad, x)), mark)
             for (w, b), out, need in zip(layer, row_outs, rows_need)]
            for x, row_outs, mark in zip(xs, outs, marks)]  # fmt: skip


def _tape_marks(rows: Sequence[Sequence[Value]], biases: Sequence[Value],
                xs: Sequence[Sequence[Value]]) -> list[object | None]:  # fmt: skip
    """For :func:`dots`, the tape mark of each sample's nodes (see :mod:`autograd.recording`),
    worked out once for the rows and once per sample rather than once per node."""
    tape = recording.OPEN
    if tape is None:
        return [None] * len(xs)
    token, _, leaves = tape.now
    if recording.mark(token, leaves, biases) is None or any(
            recording.mark(token, leaves, w) is None for w in rows):  # fmt: skip
        return [None] * len(xs)
    return [recording.mark(token, leaves, x) for x in xs]


# Python's sum() adds floats left to right up to 3.11 (3.12 compensates the rounding):
# only then does numpy's left-to-right sum of the same products give the same floats.
_SUM_IS_PLAIN = sum([1e16, 1.0, -1e16]) == 0.0
_ARRAY_MIN_OUTPUTS = 64  # below this many outputs numpy's per-call cost outweighs the gain


def weighted_sums(rows: list[list[float]], biases: list[float],
                  xs: list[list[float]]) -> list[list[float]]:  # fmt: skip
    """``[[w . x + b for w, b in zip(rows, biases)] for x in xs]`` on floats: the dot rule
    (:func:`autograd.ops.weighted_sum`), evaluated for a big enough block on the ARRAY
    backend at once -- the same products summed in the same order, so the same floats
    as evaluating it on FLOAT output by output."""
    if len(xs) * len(rows) < _ARRAY_MIN_OUTPUTS or not _SUM_IS_PLAIN or not rows[0]:
        return [[ops.weighted_sum(FLOAT, w, x, b) for w, b in zip(rows, biases)] for x in xs]
    weights = np.array(rows).T[:, np.newaxis, :]  # input i's weights: a row over the outputs
    inputs = np.array(xs).T[:, :, np.newaxis]  # input i over the batch: a column
    with np.errstate(all="ignore"):  # an inf or NaN output is refused by _node, as on floats
        return ops.weighted_sum(ARRAY, weights, inputs, np.array(biases)).tolist()
