"""Compiled batch mode: trace a one-sample function once, replay it over a numpy batch.

``prog = compile(fn, example_inputs)`` records the scalar graph of ``fn`` (see
:mod:`autograd.trace`) and plans it as a short list of array *steps*.  ``prog(X)``
evaluates the graph for every row of ``X`` at once and ``prog.backward(X)`` pushes
gradients back to the parameters -- with the very rules of the op table
(:mod:`autograd.ops`) evaluated on the ``ARRAY`` backend: there is no second set of
derivative formulas.

Planning groups nodes into steps so that one numpy call does the work of many nodes.
Every node gets a *shape key*: its op and the steps its inputs belong to.  Nodes with
the same key (say the 16 ``relu`` nodes of one layer) form one step whose value is a
``(batch, k)`` array, one column per node; nodes that depend on no input (functions of
the parameters only) form ``(k,)`` arrays computed once per call.  Two nodes with the
same key never depend on each other (the unfolded expression of one would be a strict
part of the other's), and a step only reads steps made before it, so the steps run in
the order they were made.  The ``dot`` nodes of a layer -- parameters against the same
input nodes -- become ONE matrix product.

The chain rule over a step is the scalar one, column by column:

    grad[input column] += grad[node column] * d node / d input

summed over the batch where the input is shared by all samples (a parameter).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import ops
from .backends import ARRAY
from .ops import Op
from .trace import TraceError, trace
from .value import Value

__all__ = ["CompiledFunction", "compile"]

INPUTS, PARAMETERS = 0, 1  # the two leaf steps: the columns of X, and every other leaf

Columns = slice | np.ndarray | None  # which columns of a step to read (None: all, in order)


@dataclass(frozen=True)
class _Read:
    """One input position of a step: columns of an earlier step's value."""

    step: int
    columns: Columns
    repeats: bool  # a column is read more than once, so gradients need np.add.at


@dataclass(frozen=True)
class _MatMul:
    """A step of dot nodes w_j . x (+ b_j) that share their x nodes: out = X @ W.T (+ b).

    ``x`` reads the (batch, n) matrix X; ``w`` is a (k, n) array of column indices into
    the shared step that holds the weights, ``w_repeats`` whether an index repeats;
    ``bias`` reads the biases, if the dots have them.
    """

    x: _Read
    w_step: int
    w: np.ndarray
    w_repeats: bool
    bias: _Read | None


@dataclass
class _Step:
    """k nodes with one op, evaluated as one array of shape (batch, k) or (k,)."""

    op: Op | None
    batched: bool
    members: list[Value] = field(default_factory=list)
    reads: list[_Read] = field(default_factory=list)
    needs_grad: bool = False
    matmul: _MatMul | None = None

    def describe(self) -> str:
        kind = "matmul" if self.matmul else (self.op.name if self.op else "leaves")
        shape = f"(batch, {len(self.members)})" if self.batched else f"({len(self.members)},)"
        return f"{kind} x{len(self.members)} -> {shape}"


def _columns(indices: Sequence[int], size: int) -> tuple[Columns, bool]:
    """The cheapest way to read ``indices`` of a step with ``size`` columns, and repeats."""
    k = len(indices)
    first = indices[0]
    if list(indices) == list(range(first, first + k)):
        return (None if k == size else slice(first, first + k)), False
    array = np.asarray(indices, dtype=np.intp)
    return array, len(set(indices)) < k


def _select(array: np.ndarray, columns: Columns) -> np.ndarray:
    return array if columns is None else array[..., columns]


def _float_error(error: FloatingPointError) -> type[ArithmeticError] | type[ValueError]:
    """The scalar engine's error type for a numpy floating-point error."""
    text = str(error)
    if "overflow" in text:
        return OverflowError
    if "divide" in text:
        return ZeroDivisionError
    return ValueError


def _first_failing_lane(function: Callable[..., Any], args: list[Any]) -> tuple[str, str]:
    """('sample 3: ', '-1.0'): the first (sample, column) where ``function`` fails.

    A slow diagnostic, run only after a step has failed on the whole batch.
    """
    arrays = [np.asarray(a, dtype=float) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    for index in np.ndindex(*shape):
        lane = [float(np.broadcast_to(a, shape)[index]) for a in arrays]
        try:
            with np.errstate(all="raise", under="ignore"):
                result = function(*[np.float64(x) for x in lane])
            if not np.isfinite(np.asarray(result, dtype=float)).all():
                raise ValueError
        except (ArithmeticError, ValueError):
            where = f"sample {index[0]}: " if len(shape) == 2 else ""
            shown = ", ".join(repr(x) for x in lane[:6]) + (", ..." if len(lane) > 6 else "")
            return where, shown
    return "", "..."


class CompiledFunction:
    """A traced one-sample function, evaluated over a batch: see :func:`compile`."""

    def __init__(self, fn: Callable[..., Any], example_inputs: Sequence[Any]) -> None:
        traced = trace(fn, example_inputs)
        self.name: str = getattr(fn, "__qualname__", type(fn).__name__)
        self.n_inputs: int = len(traced.inputs)
        self.n_outputs: int = len(traced.outputs)
        self.n_nodes: int = len(traced.order)
        self._single = traced.single
        self._steps, self._where = _plan(traced.inputs, traced.order)
        self.parameters: list[Value] = self._steps[PARAMETERS].members
        self._outputs = [self._where[node] for node in traced.outputs]

    def __repr__(self) -> str:
        return (
            f"CompiledFunction({self.name}: {self.n_inputs} inputs, {self.n_outputs} outputs, "
            f"{len(self.parameters)} parameters and constants; {self.n_nodes} nodes in "
            f"{len(self._steps) - 2} array steps)"
        )

    def summary(self) -> str:
        """One line per step: what one numpy call computes."""
        return "\n".join(f"{i:3d}  {step.describe()}" for i, step in enumerate(self._steps))

    # -- forward -------------------------------------------------------------------------

    def _check_batch(self, X: Any) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            got = f"width {X.shape[1]}" if X.ndim == 2 else f"{X.ndim} dimension(s)"
            raise ValueError(
                f"compiled {self.name}: X must have shape (batch, {self.n_inputs}) -- one "
                f"column per traced input -- but has shape {X.shape} ({got})"
            )
        if X.shape[0] == 0:
            raise ValueError(f"compiled {self.name}: X has no rows")
        if np.isnan(X).any():
            raise ValueError(f"compiled {self.name}: X contains NaN")
        return X

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
        """Every step's value, and the arrays each step read (kept for backward)."""
        parameters = np.array([p.data for p in self.parameters], dtype=float)
        values: list[np.ndarray] = [X, parameters]
        read: list[list[np.ndarray]] = [[], []]
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            for step in self._steps[2:]:
                mm = step.matmul
                if mm is not None:
                    args = [_select(values[mm.x.step], mm.x.columns), values[mm.w_step][mm.w]]
                    if mm.bias is not None:
                        args.append(_select(values[mm.bias.step], mm.bias.columns))
                else:
                    args = [_select(values[r.step], r.columns) for r in step.reads]
                try:
                    if mm is not None:
                        out = args[0] @ args[1].T
                        if mm.bias is not None:
                            out += args[2]
                        if not np.isfinite(out).all():  # a BLAS may set no floating-point flags
                            raise FloatingPointError("overflow in matmul")
                    else:
                        out = step.op.forward(ARRAY, *args)
                except (ArithmeticError, ValueError) as error:
                    raise self._step_error(step, args, error) from None
                values.append(out)
                read.append(args)
        return values, read

    def _step_error(self, step: _Step, args: list[np.ndarray], error: Exception,
                    backward: bool = False) -> Exception:  # fmt: skip
        """The error of a failed step, naming its op and the first failing sample."""
        op = ops.DOT if step.matmul else step.op
        if step.matmul:  # back to the dot rule's arguments (w_1..w_n, x_1..x_n, b)
            x, w, *bias = args
            shape = (x.shape[0], *w.shape)
            args = [*np.moveaxis(np.broadcast_to(w, shape), -1, 0),
                    *np.moveaxis(np.broadcast_to(x[:, None, :], shape), -1, 0), *bias]
        function = (lambda *xs: op.derivative(ARRAY, op.forward(ARRAY, *xs), *xs)) if backward \
            else (lambda *xs: op.forward(ARRAY, *xs))  # fmt: skip
        where, shown = _first_failing_lane(function, args)
        prefix = f"compiled {self.name}: {where}{'backward of ' if backward else ''}"
        prefix += f"{op.name}({shown})"
        if isinstance(error, ValueError) and op.domain and not backward:
            return ValueError(f"{prefix}: outside the domain of {op.name} ({op.domain})")
        kind = _float_error(error) if isinstance(error, FloatingPointError) else type(error)
        what = "the derivative is not finite" if backward else "the result is not finite"
        return kind(f"{prefix}: {what} ({error})")

    def _assemble(self, values: list[np.ndarray], batch: int) -> np.ndarray:
        columns = []
        for step, column in self._outputs:
            value = values[step]
            columns.append(value[:, column] if value.ndim == 2 else np.full(batch, value[column]))
        return columns[0] if self._single else np.stack(columns, axis=1)

    def __call__(self, X: Any) -> np.ndarray:
        """fn on every row of X: shape (batch,), or (batch, k) if fn returns k Values."""
        X = self._check_batch(X)
        values, _ = self._forward(X)
        return self._assemble(values, X.shape[0])

    # -- backward ------------------------------------------------------------------------

    def backward(self, X: Any, reduction: str = "mean") -> np.ndarray:
        """Add d L / d p to ``p.grad`` for every parameter p, and return fn on every row.

        L = mean (``reduction='mean'``) or sum (``'sum'``) over the batch of fn's output,
        summed over fn's outputs if it returns several -- the gradient the scalar engine
        would accumulate for the same batch.  Like it, leaves accumulate: zero the
        gradients between steps.
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', not {reduction!r}")
        X = self._check_batch(X)
        batch = X.shape[0]
        values, read = self._forward(X)
        grads: list[np.ndarray | None] = [None] * len(self._steps)
        owned = [True] * len(self._steps)  # False: the array is shared with another step
        seed = 1.0 / batch if reduction == "mean" else 1.0
        for step, column in self._outputs:
            if self._steps[step].needs_grad:
                self._add(grads, owned, step, np.array([column]), False,
                          np.full((batch, 1), seed) if values[step].ndim == 2
                          else np.array([seed * batch]))  # fmt: skip
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            for index in range(len(self._steps) - 1, 1, -1):
                g = grads[index]
                if g is None:
                    continue
                try:
                    self._backward_step(index, g, values, read[index], grads, owned)
                except FloatingPointError as error:  # a product of gradients overflowed
                    step = self._steps[index]
                    name = "dot" if step.matmul else step.op.name
                    raise _float_error(error)(
                        f"compiled {self.name}: backward: the gradient flowing back through "
                        f"{name} is not finite ({error})"
                    ) from None
        if grads[PARAMETERS] is not None:
            totals = grads[PARAMETERS]
            if not np.isfinite(totals).all():  # matmuls set no floating-point flags
                raise OverflowError(f"compiled {self.name}: backward: a gradient is not finite")
            for parameter, total in zip(self.parameters, totals.tolist()):
                parameter.grad += total
        return self._assemble(values, batch)

    def _backward_step(self, index: int, g: np.ndarray, values: list[np.ndarray],
                       args: list[np.ndarray], grads: list, owned: list[bool]) -> None:  # fmt: skip
        step = self._steps[index]
        if step.matmul is not None:
            mm = step.matmul
            if self._steps[mm.w_step].needs_grad:
                self._add(grads, owned, mm.w_step, mm.w, mm.w_repeats, g.T @ args[0])
            if self._steps[mm.x.step].needs_grad:
                self._pass(step, mm.x, g @ args[1], grads, owned)
            if mm.bias is not None and self._steps[mm.bias.step].needs_grad:
                self._pass(step, mm.bias, g, grads, owned)
            return
        try:
            partials = step.op.derivative(ARRAY, values[index], *args)
        except (ArithmeticError, ValueError) as error:
            raise self._step_error(step, args, error, backward=True) from None
        for read, partial in zip(step.reads, partials):
            if self._steps[read.step].needs_grad:
                # A constant partial of 1 (add, sum) passes the gradient on as it is.
                one = type(partial) is float and partial == 1.0
                self._pass(step, read, g if one else g * partial, grads, owned)

    def _pass(self, step: _Step, read: _Read, contribution: np.ndarray, grads: list,
              owned: list[bool]) -> None:  # fmt: skip
        """Send a step's gradient contribution to the step it read."""
        if step.batched and not self._steps[read.step].batched:  # shared: sum over the batch
            contribution = contribution.sum(axis=0)
        self._add(grads, owned, read.step, read.columns, read.repeats, contribution)

    def _add(self, grads: list, owned: list[bool], step: int, columns: Columns,
             repeats: bool, contribution: np.ndarray) -> None:  # fmt: skip
        """grads[step][..., columns] += contribution, copying a shared array first."""
        current = grads[step]
        if columns is None and contribution.shape == self._shape(step, contribution):
            if current is None:  # no copy: this step's gradient is the contribution
                grads[step], owned[step] = contribution, False
            elif owned[step]:
                current += contribution
            else:
                grads[step], owned[step] = current + contribution, True
            return
        if current is None:
            current = np.zeros(self._shape(step, contribution))
        elif not owned[step]:
            current = current.copy()
        grads[step], owned[step] = current, True
        if columns is None:
            current += contribution
        elif repeats:
            np.add.at(current, (Ellipsis, columns), contribution)
        else:
            current[..., columns] += contribution

    def _shape(self, step: int, contribution: np.ndarray) -> tuple[int, ...]:
        size = len(self._steps[step].members)
        return (contribution.shape[0], size) if self._steps[step].batched else (size,)


def _plan(inputs: list[Value], order: list[Value]) -> tuple[list[_Step], dict[Value, tuple]]:
    """Group the nodes into steps; return the steps and each node's (step, column)."""
    steps = [_Step(None, batched=True, members=list(inputs)), _Step(None, batched=False)]
    where: dict[Value, tuple[int, int]] = {x: (INPUTS, i) for i, x in enumerate(inputs)}
    by_key: dict[tuple, int] = {}
    for node in order:
        if node in where:
            continue
        if node._op is None:  # a parameter or constant: its data is read at every call
            members = steps[PARAMETERS].members
            where[node] = (PARAMETERS, len(members))
            members.append(node)
            continue
        if not node._op.batchable:
            raise TraceError(
                f"compile: the op {node._op.name!r} has no array form (a custom op made "
                "without vectorized=True), so it cannot run over a batch"
            )
        sources = tuple(where[x][0] for x in node.inputs)
        key = (id(node._op), sources)
        if key not in by_key:
            by_key[key] = len(steps)
            batched = builtins.any(steps[s].batched for s in sources)
            steps.append(_Step(node._op, batched))
        index = by_key[key]
        where[node] = (index, len(steps[index].members))
        steps[index].members.append(node)
    steps[PARAMETERS].needs_grad = True
    for step in steps[2:]:
        first = step.members[0].inputs
        for position, x in enumerate(first):
            source = where[x][0]
            indices = [where[node.inputs[position]][1] for node in step.members]
            step.reads.append(_Read(source, *_columns(indices, len(steps[source].members))))
        step.needs_grad = builtins.any(steps[r.step].needs_grad for r in step.reads)
        step.matmul = _matmul(step, steps, where)
    return steps, where


def _matmul(step: _Step, steps: list[_Step], where: dict[Value, tuple]) -> _MatMul | None:
    """The matrix-product form of a step of dot nodes, if it has one.

    It needs one half of every node (w) read from a single shared step and the other (x)
    from a single batched step, with the same x node at each position for all nodes;
    a bias may come from anywhere.
    """
    if step.op is not ops.DOT or not step.batched:
        return None
    n = len(step.reads) // 2
    bias = step.reads[2 * n] if len(step.reads) % 2 else None
    for w_half, x_half in ((slice(0, n), slice(n, 2 * n)), (slice(n, 2 * n), slice(0, n))):
        w_reads, x_reads = step.reads[w_half], step.reads[x_half]
        w_steps = {r.step for r in w_reads}
        x_steps = {r.step for r in x_reads}
        if len(w_steps) != 1 or len(x_steps) != 1:
            continue
        w_step, x_step = w_steps.pop(), x_steps.pop()
        if steps[w_step].batched or not steps[x_step].batched:
            continue
        x_nodes = step.members[0].inputs[x_half]
        if builtins.any(node.inputs[x_half] != x_nodes for node in step.members):
            continue
        w = np.array([[where[v][1] for v in node.inputs[w_half]] for node in step.members],
                     dtype=np.intp)  # fmt: skip
        x_columns = [where[v][1] for v in x_nodes]
        x = _Read(x_step, *_columns(x_columns, len(steps[x_step].members)))
        return _MatMul(x, w_step, w, len(np.unique(w)) < w.size, bias)
    return None


def compile(fn: Callable[..., Any], example_inputs: Sequence[Any]) -> CompiledFunction:  # noqa: A001
    """Trace ``fn`` once at ``example_inputs`` and return it compiled for batches.

    ``fn(*values)`` computes ONE sample with ordinary Value ops and may use parameters
    (any Value it closes over, e.g. a model's weights: their ``.data`` is read at every
    call, so optimizer updates take effect).  ``prog(X)`` with X of shape
    (batch, len(example_inputs)) returns fn for every row; ``prog.backward(X)`` also
    accumulates the gradient of the batch mean into each parameter's ``.grad``.

    Refused, with an error naming the cause: Python code in ``fn`` that depends on an
    input's value (TraceError), ops without an array form (TraceError), X of the wrong
    width (ValueError); over a batch, inputs outside an op's domain (ValueError) and
    non-finite results (ArithmeticError), naming the op and the sample.
    """
    return CompiledFunction(fn, example_inputs)
