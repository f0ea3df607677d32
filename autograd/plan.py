"""Planning a traced graph as a short list of array steps (for :mod:`autograd.compiled`).

Every node gets a *shape key*: its op and the steps its inputs belong to.  Nodes with
the same key (say the 16 ``relu`` nodes of one layer) form one step whose value is a
``(batch, k)`` array, one column per node; nodes that depend on no traced input
(functions of the parameters only) form ``(k,)`` arrays, computed once per call.
Two nodes with the same key never depend on each other (the unfolded expression of one
would be a strict part of the other's), and a step only reads steps made before it, so
the steps run in the order they were made.

Step 0 holds the traced inputs (the columns of X), step 1 every other leaf: parameters
and constants, whose ``.data`` is read at every call, laid out so that a layer's
weight matrix is a view of that array (no gather, no scatter of its gradient).

N-ary nodes are *fused*: a layer's ``dot`` nodes w_j . x (+ b_j), parameters
against the same x nodes, are ONE matrix product X @ W.T (+ b); other wide ``sum`` and
``dot`` (and ``max``, ``min``) nodes stack their inputs along a last axis and reduce it.
Their derivatives are the op table's (d/dw_i = x_i, d/dx_i = w_i, d/db = 1; max's and
min's 1/k at each of k tied extremes), applied to whole matrices.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import ops
from .ops import Op
from .trace import TraceError
from .value import Value

INPUTS, PARAMETERS = 0, 1  # the two leaf steps
_MIN_STACKED = 4  # a sum or dot this wide reduces a stacked array instead of n arrays

Columns = slice | np.ndarray | None  # which columns of a step to read (None: all, in order)


@dataclass(frozen=True)
class Read:
    """Columns of an earlier step: ``value[..., columns]`` (a 2-D index stacks them).

    ``broadcast``: every node reads the same one column, kept as a (batch, 1) view that
    numpy broadcasts; its gradient is the sum over the k readers (not ``np.add.at``).
    ``shape``: a slice of k * n consecutive columns seen as a (k, n) block -- a stacked
    read as a view, with no gather (a layer's weights, once laid out by :func:`_layout`).
    """

    step: int
    columns: Columns
    repeats: bool  # a column is read more than once: gradients need np.add.at
    broadcast: bool = False
    shape: tuple[int, int] | None = None
    dims: int = field(init=False)  # trailing axes that are columns: 1, or 2 when stacked

    def __post_init__(self) -> None:
        stacked = self.shape is not None or getattr(self.columns, "ndim", 1) == 2
        object.__setattr__(self, "dims", 2 if stacked else 1)  # read on every backward

    def of(self, values: list[np.ndarray]) -> np.ndarray:
        value = values[self.step]
        if self.columns is None:
            return value
        value = value[..., self.columns]
        return value if self.shape is None else value.reshape(*value.shape[:-1], *self.shape)


@dataclass(frozen=True)
class Fused:
    """k sum/dot nodes as matrix operations on ``parts`` (+ ``bias``):

    * ``matmul``: parts (X, W) of shapes (batch, n) and (k, n): out = X @ W.T;
    * ``dot``: parts (A, B) stacked to (..., k, n): out = sum over n of A * B;
    * ``sum``: part S stacked to (..., k, n): out = sum over n of S;
    * ``max``: part S stacked to (..., k, n): out = max over n of S (d/dS = 1/k at each
      of the k arg-maxes, the table's rule, as a mask); ``min`` alike.
    """

    kind: str
    parts: tuple[Read, ...]
    bias: Read | None

    @property
    def reads(self) -> tuple[Read, ...]:
        """What the step reads: the parts, then the bias if any."""
        return self.parts if self.bias is None else (*self.parts, self.bias)

    def forward(self, args: list[np.ndarray]) -> np.ndarray:
        """``args``: the parts' arrays, then the bias's if any."""
        if self.kind == "matmul":
            out = args[0] @ args[1].T
            if self.bias is not None:
                out += args[-1]  # in place: the product is a new (batch, k) array
            return out
        if self.kind == "dot":
            out = np.add.reduce(args[0] * args[1], axis=-1)
        elif self.kind == "max":
            out = np.maximum.reduce(args[0], axis=-1)
        elif self.kind == "min":
            out = np.minimum.reduce(args[0], axis=-1)
        else:
            out = np.add.reduce(args[0], axis=-1)
        return out + args[-1] if self.bias is not None else out

    def backward(self, g: np.ndarray, args: list[np.ndarray], wanted: Sequence[bool],
                 into: Sequence[np.ndarray | None] = ()
                 ) -> list[tuple[int, np.ndarray]]:  # fmt: skip
        """(i, d out / d read_i * g) for every read i that is ``wanted`` (only those are
        computed: X @ W.T's d/dX is a matmul as large as the forward one); matmul's
        weight part comes summed over the batch already.

        ``into`` (matmul only): for the weights (i = 1) and the bias, an array to write
        the batch's sum into -- the parameters' own gradient, no copy -- or None; a
        part written there is not returned."""
        kind, last = self.kind, len(self.reads) - 1
        found = []
        if kind == "matmul":
            if wanted[0]:
                found.append((0, g @ args[1]))
            if wanted[1]:
                if into and into[1] is not None:
                    np.matmul(g.T, args[0], out=into[1])
                else:
                    found.append((1, g.T @ args[0]))
        elif kind == "dot":
            column = g[..., None]
            if wanted[0]:
                found.append((0, column * args[1]))
            if wanted[1]:
                found.append((1, column * args[0]))
        elif wanted[0]:
            column = g[..., None]
            if kind in ("max", "min"):  # a k-way tie shares evenly, as the table's rule
                best = args[0].max if kind == "max" else args[0].min
                hits = (args[0] == best(axis=-1, keepdims=True)).astype(float)
                found.append((0, column * (hits / hits.sum(axis=-1, keepdims=True))))
            else:
                found.append((0, np.repeat(column, args[0].shape[-1], axis=-1)))
        if self.bias is not None and wanted[last]:
            if into and into[last] is not None:
                np.add.reduce(g, axis=0, out=into[last])
            else:
                found.append((last, g))
        return found

    def rule_args(self, args: list[np.ndarray]) -> list[np.ndarray]:
        """The op rule's positional arguments (w_1..w_n, x_1..x_n, b) back from ``args``."""
        parts = args[: len(self.parts)]
        if self.kind == "matmul":
            x, w = parts
            shape = (x.shape[0], *w.shape)
            parts = [np.broadcast_to(w, shape), np.broadcast_to(x[:, None, :], shape)]
        unstacked = [column for part in parts for column in np.moveaxis(part, -1, 0)]
        return unstacked + args[len(self.parts):]


@dataclass
class Step:
    """k nodes with one op, evaluated as one array of shape (batch, k) or (k,)."""

    op: Op | None
    batched: bool
    members: list[Value] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    needs_grad: bool = False
    fused: Fused | None = None
    in_place: bool = False  # a relu that may overwrite the array it reads (see _in_place)

    @property
    def arrays_read(self) -> list[Read] | tuple[Read, ...]:
        """What the step's evaluation reads: its inputs' columns, or its fused form's
        parts (and bias)."""
        return self.reads if self.fused is None else self.fused.reads

    def describe(self) -> str:
        kind = self.fused.kind if self.fused else (self.op.name if self.op else "leaves")
        size = len(self.members)
        return f"{kind} x{size} -> " + (f"(batch, {size})" if self.batched else f"({size},)")


def _read(step: int, indices: Sequence[int], size: int, broadcast: bool = True) -> Read:
    """The cheapest way to read ``indices`` of a step with ``size`` columns: all of it, a
    slice, one column broadcast (if allowed), or a gather."""
    k, first = len(indices), indices[0]
    if list(indices) == list(range(first, first + k)):
        return Read(step, None if k == size else slice(first, first + k), False)
    if broadcast and indices.count(first) == k:  # e.g. z_j - max(z): one column for all
        return Read(step, slice(first, first + 1), False, broadcast=True)
    return Read(step, np.asarray(indices, dtype=np.intp), len(set(indices)) < k)


def _stacked(step: Step, positions: range, where: dict[Value, tuple]) -> Read | None:
    """One read of shape (..., k, n) for these input positions, if one step holds them."""
    sources = {step.reads[p].step for p in positions}
    if len(sources) != 1:
        return None
    index = np.array([[where[node.inputs[p]][1] for p in positions] for node in step.members],
                     dtype=np.intp).reshape(len(step.members), len(positions))  # fmt: skip
    flat = index.ravel()
    if (np.diff(flat) == 1).all():  # consecutive columns: a view of a slice
        return Read(sources.pop(), slice(int(flat[0]), int(flat[-1]) + 1), False,
                    shape=index.shape)  # fmt: skip
    return Read(sources.pop(), index, len(np.unique(index)) < index.size)


def _matmul(step: Step, steps: list[Step], where: dict[Value, tuple], w_half: range,
            x_half: range) -> tuple[Read, Read] | None:  # fmt: skip
    """(X, W) for X @ W.T: the w half from one shared step, the x half the same batched
    nodes in every one of the k dots."""
    w = _stacked(step, w_half, where)
    x_sources = {step.reads[p].step for p in x_half}
    if w is None or steps[w.step].batched or len(x_sources) != 1:
        return None
    x_step = x_sources.pop()
    x_nodes = [step.members[0].inputs[p] for p in x_half]
    if not steps[x_step].batched or builtins.any(
        [node.inputs[p] for p in x_half] != x_nodes for node in step.members
    ):
        return None
    columns = [where[v][1] for v in x_nodes]
    return _read(x_step, columns, len(steps[x_step].members), broadcast=False), w


def _fuse(step: Step, steps: list[Step], where: dict[Value, tuple]) -> Fused | None:
    """The fused form of a step of sum or dot nodes, if it has one (see :class:`Fused`)."""
    if step.op in (ops.SUM, ops.MAX, ops.MIN) and len(step.reads) >= _MIN_STACKED:
        part = _stacked(step, range(len(step.reads)), where)
        return Fused(step.op.name, (part,), None) if part else None
    if step.op is not ops.DOT:
        return None
    n = len(step.reads) // 2
    bias = step.reads[2 * n] if len(step.reads) % 2 else None
    halves = (range(0, n), range(n, 2 * n))
    for w_half, x_half in (halves, halves[::-1]):
        matmul = _matmul(step, steps, where, w_half, x_half)
        if matmul is not None:
            return Fused("matmul", matmul, bias)
    if n >= _MIN_STACKED:
        parts = (_stacked(step, halves[0], where), _stacked(step, halves[1], where))
        if parts[0] and parts[1]:
            return Fused("dot", parts, bias)
    return None


def _layout(steps: list[Step]) -> list[Value] | None:
    """The parameters reordered so that each fused layer's weights (row by row) and then
    its biases are consecutive columns, read as views rather than gathered; None if
    nothing moves.  A parameter already placed (shared weights) stays where it is."""
    members = steps[PARAMETERS].members
    placed: dict[int, None] = {}  # old columns in their new order
    for step in steps[2:]:
        if step.fused is None or step.fused.kind != "matmul":
            continue
        for read in (step.fused.parts[1], step.fused.bias):
            if read is None or read.step != PARAMETERS or not isinstance(read.columns, np.ndarray):
                continue
            columns = read.columns.ravel().tolist()
            if not read.repeats and not builtins.any(c in placed for c in columns):
                placed.update(dict.fromkeys(columns))
    if not placed:
        return None
    return [members[c] for c in placed] + [m for c, m in enumerate(members) if c not in placed]


def _connect(steps: list[Step], where: dict[Value, tuple]) -> None:
    """Each step's reads of earlier steps, whether it needs a gradient, its fused form."""
    for step in steps[2:]:
        step.reads = []
        for position, x in enumerate(step.members[0].inputs):
            source = where[x][0]
            indices = [where[node.inputs[position]][1] for node in step.members]
            step.reads.append(_read(source, indices, len(steps[source].members)))
        step.needs_grad = builtins.any(steps[r.step].needs_grad for r in step.reads)
        step.fused = _fuse(step, steps, where)


def _in_place(steps: list[Step], outputs: Sequence[int]) -> None:
    """Mark the relu steps that may write max(x, 0) over their input x: x is a whole fused
    step that no other step reads and that is no output.  Nothing is lost: a fused step's
    backward reads its inputs, not its value, and relu's rule reads x only as x > 0,
    which is also relu(x) > 0."""
    readers = Counter(r.step for step in steps[2:] for r in step.arrays_read)
    for step in steps[2:]:
        if step.op is ops.RELU and step.reads[0].columns is None:
            source = step.reads[0].step
            step.in_place = (steps[source].fused is not None and readers[source] == 1
                             and source not in outputs)  # fmt: skip


def plan(inputs: list[Value], order: list[Value],
         outputs: Sequence[Value] = ()) -> tuple[list[Step], dict[Value, tuple]]:  # fmt: skip
    """Group the nodes into steps; return the steps and each node's (step, column)."""
    steps = [Step(None, batched=True, members=list(inputs)), Step(None, batched=False)]
    where: dict[Value, tuple[int, int]] = {x: (INPUTS, i) for i, x in enumerate(inputs)}
    by_key: dict[tuple, int] = {}
    for node in order:
        if node in where:
            continue
        if node._rule is None:  # a parameter or constant
            where[node] = (PARAMETERS, len(steps[PARAMETERS].members))
            steps[PARAMETERS].members.append(node)
            continue
        if not node._rule.batchable:
            raise TraceError(
                f"compile: the op {node._rule.name!r} has no array form (a custom op made "
                "without vectorized=True), so it cannot run over a batch"
            )
        sources = tuple(where[x][0] for x in node.inputs)
        # (which inputs require grad too: a step's partials are all wanted or all not,
        # so one whose input is a constant, as 0.0 of 0.0 ** y, is not even evaluated)
        key = (id(node._rule), sources, tuple(x.requires_grad for x in node.inputs))
        if key not in by_key:
            by_key[key] = len(steps)
            steps.append(Step(node._rule, builtins.any(steps[s].batched for s in sources)))
        index = by_key[key]
        where[node] = (index, len(steps[index].members))
        steps[index].members.append(node)
    steps[PARAMETERS].needs_grad = True
    _connect(steps, where)
    members = _layout(steps)
    if members is not None:  # plan the reads again, against the new parameter columns
        steps[PARAMETERS].members = members
        where.update((p, (PARAMETERS, i)) for i, p in enumerate(members))
        _connect(steps, where)
    _in_place(steps, {where[node][0] for node in outputs})
    return steps, where
