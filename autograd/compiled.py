"""Compiled batch mode: trace a one-sample function once, replay it over a numpy batch.

``prog = compile(fn, example_inputs)`` records the scalar graph of ``fn`` (see
:mod:`autograd.trace`) and plans it as a short list of array *steps* (see
:mod:`autograd.plan`).  ``prog(X)`` evaluates the graph for every row of ``X`` at once
and ``prog.backward(X)`` pushes gradients back to the parameters -- with the very rules
of the op table (:mod:`autograd.ops`) evaluated on the ``ARRAY`` backend.  Two rules
are applied in a second form: a layer's fused ``dot`` nodes use dot's table rule
(d/dw_i = x_i, d/dx_i = w_i, d/db = 1) as matrix products (``plan.Fused``), which is
where the speed comes from, and relu's d/dx = [x > 0] (1 if x > 0 else 0) multiplies the
gradient as the mask x > 0; the tests hold both to the scalar engine's gradients.  The
chain rule over a step is the scalar one, column by column:

    grad[input column] += grad[node column] * d node / d input

summed over the batch where the input is shared by all samples (a parameter).

The functional form, ``prog.value_and_grad(X, theta) -> (outputs, grads)``, evaluates
the same at a parameter array theta (``prog.parameter_array()``: theta[i] =
``prog.parameters[i].data``) and returns grads[i] = d L / d theta[i] without reading or
writing a Value; ``prog(X)`` and ``prog.backward(X)`` are it at the Values' data.

Random inputs made while tracing (:func:`autograd.trace.random_input`, e.g. a dropout
mask) are extra columns of X, drawn afresh at every call (:class:`RandomColumns`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from .backends import ARRAY
from .ops import RELU, PerInput
from .plan import PARAMETERS, Read, Step, plan
from .trace import RandomSource, trace
from .value import Value

__all__ = ["CompiledFunction", "compile"]

_data_of = attrgetter("data")


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


class RandomColumns:
    """The random inputs' columns for a batch, drawn as the one-sample code would draw them.

    Run sample after sample, that code calls each ``draw`` once per random input in the
    order the inputs were made; so for each draw function, ``batch * k`` calls in a row
    (k: its inputs) filled row by row are those very numbers.  Each column then goes
    through its transform, consecutive columns with the same transform at once.
    """

    def __init__(self, sources: list[RandomSource]) -> None:
        self.width = len(sources)
        self.groups: dict[Callable[[], float], list[int]] = {}
        for j, source in enumerate(sources):
            self.groups.setdefault(source.draw, []).append(j)
        self.runs: list[tuple[slice, Callable[[Any], Any]]] = []
        start = 0
        for j in range(1, self.width + 1):
            if j == self.width or sources[j].transform != sources[start].transform:
                self.runs.append((slice(start, j), sources[start].transform))
                start = j

    def __call__(self, batch: int) -> np.ndarray:
        columns = np.empty((batch, self.width))
        for draw, where in self.groups.items():
            n = batch * len(where)
            columns[:, where] = np.fromiter((draw() for _ in range(n)), float, n).reshape(
                batch, len(where))  # fmt: skip
        for run, transform in self.runs:
            columns[:, run] = transform(columns[:, run])
        return columns


class CompiledFunction:
    """A traced one-sample function, evaluated over a batch: see :func:`compile`."""

    def __init__(self, fn: Callable[..., Any], example_inputs: Sequence[Any]) -> None:
        traced = trace(fn, example_inputs)
        self.name: str = getattr(fn, "__qualname__", type(fn).__name__)
        self.n_inputs: int = len(traced.inputs) - len(traced.random)
        self._random = RandomColumns(traced.random) if traced.random else None
        self.n_outputs: int = len(traced.outputs)
        self.n_nodes: int = len(traced.order)
        self._single = traced.single
        self._steps, self._where = plan(traced.inputs, traced.order, traced.outputs)
        self.parameters: list[Value] = self._steps[PARAMETERS].members
        # which of them get a gradient: those that require grad (not the constants), as
        # decided when compiled -- the steps' backward is planned for them then
        needs = [p.requires_grad for p in self.parameters]
        self._learned = self.parameters if all(needs) else [p for p in self.parameters
                                                            if p.requires_grad]  # fmt: skip
        self._learned_columns = None if all(needs) else np.flatnonzero(needs)
        self._outputs = [self._where[node] for node in traced.outputs]
        # Made once, read on every call (a small batch is all Python overhead):
        steps = self._steps
        self._reads = [step.arrays_read for step in steps]
        self._wanted = [tuple(map(self._wants, reads)) for reads in self._reads]
        self._batch_sums = [tuple(step.batched and not steps[r.step].batched for r in reads)
                            for step, reads in zip(steps, self._reads)]  # fmt: skip
        self._sizes = [len(step.members) for step in steps]
        self._batched = [step.batched for step in steps]
        readers = np.zeros(len(self.parameters), dtype=np.intp)  # reads of each parameter
        for step, reads in zip(steps[2:], self._reads[2:]):
            if step.needs_grad:
                for read in reads:
                    if read.step == PARAMETERS:
                        np.add.at(readers, read.columns if read.columns is not None
                                  else slice(None), 1)  # fmt: skip
        self._parameter_readers = readers
        self._backward_steps = [(index, self._backward_step(index))
                                for index in range(len(steps) - 1, 1, -1)
                                if any(self._wanted[index])]  # fmt: skip

    def _wants(self, read: Read) -> bool:
        """Whether a gradient must flow into what ``read`` reads: a step that needs one,
        but not a read of parameters none of which requires grad (constants, frozen weights)."""
        step = self._steps[read.step]
        if read.step != PARAMETERS or not step.needs_grad:
            return step.needs_grad
        columns = slice(None) if read.columns is None else read.columns
        read_members = np.asarray(step.members, dtype=object)[columns]
        return any(p.requires_grad for p in np.ravel(read_members))

    def __repr__(self) -> str:
        return (
            f"CompiledFunction({self.name}: {self.n_inputs} inputs"
            + (f" (and {self._random.width} random)" if self._random else "")
            + f", {self.n_outputs} outputs, "
            f"{len(self.parameters)} parameters and constants; {self.n_nodes} nodes in "
            f"{len(self._steps) - 2} array steps)"
        )

    def summary(self) -> str:
        """One line per step: what one numpy call computes."""
        return "\n".join(f"{i:3d}  {step.describe()}" for i, step in enumerate(self._steps))

    # -- forward -------------------------------------------------------------------------

    def _check_batch(self, X: Any) -> np.ndarray:
        try:
            X = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as error:  # a ragged list, or not numbers
            raise ValueError(f"compiled {self.name}: X must be an array of numbers of shape "
                             f"(batch, {self.n_inputs}) ({error})") from None  # fmt: skip
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

    def _forward(self, X: np.ndarray, theta: np.ndarray
                 ) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:  # fmt: skip
        """Every step's value at parameters theta, and the arrays each step read (kept for
        backward)."""
        if self._random is not None:  # fresh random inputs (dropout masks) for every call
            X = np.concatenate([X, self._random(X.shape[0])], axis=1)
        values: list[np.ndarray] = [X, theta]
        read: list[list[np.ndarray]] = [[], []]
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            for step, reads in zip(self._steps[2:], self._reads[2:]):
                fused = step.fused
                args = [r.of(values) for r in reads]
                try:
                    if step.in_place:  # relu's max(x, 0) over x, which no other step reads
                        out = np.maximum(args[0], 0.0, out=args[0])
                    elif fused is None:
                        out = step.op.forward(ARRAY, *args)
                    else:
                        out = fused.forward(args)
                        # A BLAS may set no floating-point flags.  One sum is cheaper than
                        # a test per entry, and is finite when every entry is (unless
                        # the sum itself overflows: then the entries are tested).
                        if not np.isfinite(np.add.reduce(out, axis=None)) \
                                and not np.isfinite(out).all():  # fmt: skip
                            raise FloatingPointError("overflow in a matrix product")
                except (ArithmeticError, ValueError) as error:
                    raise self._step_error(step, args, error) from None
                if out.shape[-1] != len(step.members):  # every read was one broadcast column
                    out = np.broadcast_to(out, (*out.shape[:-1], len(step.members)))
                values.append(out)
                read.append(args)
        return values, read

    def _step_error(self, step: Step, args: list[np.ndarray], error: Exception,
                    backward: bool = False) -> Exception:  # fmt: skip
        """The error of a failed step, naming its op and the first failing sample."""
        op = step.op
        if step.fused is not None:  # back to the rule's arguments (w_1..w_n, x_1..x_n, b)
            args = step.fused.rule_args(args)
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

    def __call__(self, X: Any, params: np.ndarray | None = None) -> np.ndarray:
        """fn on every row of X: shape (batch,), or (batch, k) if fn returns k Values;
        at the parameters' ``.data``, or at the array ``params`` (see :meth:`value_and_grad`)."""
        X = self._check_batch(X)
        values, _ = self._forward(X, self._check_parameters(params))
        return self._assemble(values, X.shape[0])

    # -- the parameters as one array -----------------------------------------------------

    def parameter_array(self) -> np.ndarray:
        """theta: a new array of every parameter's (and constant's) ``.data``, in the order
        of ``self.parameters`` -- what :meth:`value_and_grad` takes and returns."""
        return np.fromiter(map(_data_of, self.parameters), float, len(self.parameters))

    def set_parameters(self, theta: np.ndarray) -> None:
        """Write ``theta`` back: ``parameters[i].data = theta[i]`` for every i."""
        for parameter, x in zip(self.parameters, self._check_parameters(theta).tolist()):
            parameter.data = x

    def _check_parameters(self, theta: Any) -> np.ndarray:
        """theta as a float array of one entry per parameter (None: the Values' data)."""
        if theta is None:
            return self.parameter_array()
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (len(self.parameters),):
            raise ValueError(f"compiled {self.name}: params must have shape "
                             f"({len(self.parameters)},) -- one entry per parameter and "
                             f"constant -- not {theta.shape}")  # fmt: skip
        if not np.isfinite(theta).all():
            raise ValueError(f"compiled {self.name}: params contains a value that is not finite")
        return theta

    # -- backward ------------------------------------------------------------------------

    def backward(self, X: Any, reduction: str = "mean", outputs: Sequence[int] | None = None,
                 accumulate: bool = True) -> np.ndarray:  # fmt: skip
        """Add d L / d p to ``p.grad`` for every parameter p, and return fn on every row.

        L = mean (``reduction='mean'``) or sum (``'sum'``) over the batch of fn's output,
        summed over fn's outputs if it returns several (or over the positions listed in
        ``outputs``: the others are only returned) -- the gradient the scalar engine
        would accumulate for the same batch.  Like it, leaves accumulate: zero the
        gradients between steps, or pass ``accumulate=False`` to set ``p.grad`` to this
        batch's gradient (zero_grad and backward in one pass over the parameters).
        It is :meth:`value_and_grad` at the parameters' ``.data``.
        """
        result, totals = self.value_and_grad(X, None, reduction, outputs)
        self.set_gradients(totals, accumulate)
        return result

    def value_and_grad(self, X: Any, params: np.ndarray | None, reduction: str = "mean",
                       outputs: Sequence[int] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(fn on every row of X, d L / d theta) at the parameter array theta = ``params``.

        The functional form of :meth:`backward` (L as there): theta[i] stands for
        ``parameters[i].data`` and the gradient comes back as an array of the same shape,
        grad[i] = d L / d theta[i]; no Value is read or written.  Pair it with
        :meth:`parameter_array` and :meth:`set_parameters`.  ``params=None`` reads the
        Values' data.
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', not {reduction!r}")
        X = self._check_batch(X)
        batch = X.shape[0]
        values, read = self._forward(X, self._check_parameters(params))
        result = self._assemble(values, batch)
        grads = _Gradients(self._sizes, self._batched)
        grads.arrays[PARAMETERS] = np.zeros(len(self.parameters))  # fused steps write into it
        seed = 1.0 / batch if reduction == "mean" else 1.0
        chosen = range(self.n_outputs) if outputs is None else list(outputs)
        for i in chosen:
            if not (isinstance(i, int) and 0 <= i < self.n_outputs):
                raise ValueError(f"outputs: {i!r} is not an output position; fn returns "
                                 f"{self.n_outputs} output(s), positions 0 to {self.n_outputs - 1}")
        for step, column in [self._outputs[i] for i in chosen]:
            if self._steps[step].needs_grad:  # d L / d output = seed for every sample
                grads.add(Read(step, np.array([column]), False),
                          np.full((batch, 1), seed) if values[step].ndim == 2
                          else np.array([seed * batch]))  # fmt: skip
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            for index, backward_step in self._backward_steps:
                g = grads.arrays[index]
                if g is None:
                    continue
                try:
                    backward_step(g, values[index], read[index], grads)
                except FloatingPointError as error:  # a product of gradients overflowed
                    raise _float_error(error)(
                        f"compiled {self.name}: backward: the gradient flowing back through "
                        f"{self._steps[index].op.name} is not finite ({error})"
                    ) from None
                # Done with this step: free its arrays, so numpy reuses the memory.
                grads.arrays[index] = values[index] = read[index] = None
        totals = grads.arrays[PARAMETERS]
        if not np.isfinite(totals).all():  # matmuls set no floating-point flags
            raise OverflowError(f"compiled {self.name}: backward: a gradient is not finite")
        # a view of some step's array: the caller gets its own copy
        return result, totals if grads.owned[PARAMETERS] else totals.copy()

    def set_gradients(self, totals: np.ndarray, accumulate: bool = False) -> None:
        """Set the parameters' ``.grad`` to ``totals`` (or add them, with ``accumulate``;
        a ``.grad`` of None counts as 0).  Those that did not require grad when the
        function was compiled (constants, frozen weights) are left alone."""
        if self._learned_columns is not None:
            totals = totals[self._learned_columns]
        if not accumulate:
            for parameter, total in zip(self._learned, totals.tolist()):
                parameter.grad = total
            return
        for parameter, total in zip(self._learned, totals.tolist()):
            try:
                parameter.grad += total
            except TypeError:  # None, after zero_grad(set_to_none=True)
                parameter.grad = total

    def _direct_reads(self, index: int) -> list[bool]:
        """For a fused matmul step of the batch: which of its reads (the weights and the
        bias) may write their batch sum straight into the parameters' gradient, because
        no other read touches those parameters; [] if none may."""
        step = self._steps[index]
        if step.fused is None or step.fused.kind != "matmul" or not step.batched:
            return []
        direct = [read.step == PARAMETERS and i > 0 and isinstance(read.columns, slice)
                  and self._wanted[index][i]
                  and bool((self._parameter_readers[read.columns] == 1).all())
                  and (read.shape is not None if i == 1 else self._batch_sums[index][i])
                  for i, read in enumerate(self._reads[index])]  # fmt: skip
        return direct if any(direct) else []

    def _backward_step(self, index: int) -> Callable[..., None]:
        """Step ``index``'s backward, made once: ``f(g, value, args, grads)`` pushes the
        step's gradient ``g`` to the steps it read (its value and the arrays it read are
        given).  What can be decided before any call is decided here."""
        step, reads = self._steps[index], self._reads[index]
        wanted, sums = self._wanted[index], self._batch_sums[index]
        if step.fused is not None:
            fused_backward = step.fused.backward
            direct = self._direct_reads(index)

            def fused(g: np.ndarray, value: np.ndarray, args: list, grads: _Gradients) -> None:
                into = [grads.view(read) if ok else None for read, ok in zip(reads, direct)] \
                    if direct else ()  # fmt: skip
                for i, contribution in fused_backward(g, args, wanted, into):
                    fresh = contribution is not g and contribution.base is None  # not a view
                    grads.add(reads[i], contribution, fresh, sums[i])

            return fused
        if step.op is RELU:  # the table's [x > 0] as a boolean mask: one pass fewer
            read, batch_sum = reads[0], sums[0]

            def relu(g: np.ndarray, value: np.ndarray, args: list, grads: _Gradients) -> None:
                mask = args[0] > 0.0
                # g is this step's own (no other step holds it): masked in place, handed on
                masked = np.multiply(g, mask, out=g) if grads.owned[index] else g * mask
                grads.add(read, masked, True, batch_sum)

            return relu
        derivative = step.op.derivative
        if isinstance(derivative, PerInput):  # only the partials a gradient needs
            derivative = functools.partial(_some, derivative, wanted)
        targets = [(i, reads[i], sums[i]) for i, want in enumerate(wanted) if want]

        def by_the_rule(g: np.ndarray, value: np.ndarray, args: list, grads: _Gradients) -> None:
            try:
                partials = derivative(ARRAY, value, *args)
            except (ArithmeticError, ValueError) as error:
                raise self._step_error(step, args, error, backward=True) from None
            for i, read, batch_sum in targets:
                partial = partials[i]
                # A constant partial of 1 (add, sum) passes the gradient on as it is.
                if type(partial) is float and partial == 1.0:
                    grads.add(read, g, False, batch_sum)
                else:
                    grads.add(read, g * partial, True, batch_sum)

        return by_the_rule


def _some(derivative: PerInput, wanted: Sequence[bool], m: Any, out: Any, *xs: Any) -> tuple:
    """A per-input derivative called as a whole one, evaluating only the ``wanted`` partials."""
    return derivative.some(m, out, xs, wanted)


class _Gradients:
    """The gradient of every step during one backward: arrays shaped like the values."""

    def __init__(self, sizes: list[int], batched: list[bool]) -> None:
        self.sizes, self.batched = sizes, batched
        self.arrays: list[np.ndarray | None] = [None] * len(sizes)
        self.owned = [True] * len(sizes)  # False: the array is shared with another step

    def view(self, read: Read) -> np.ndarray:
        """The part of a step's gradient that ``read`` reads (a slice, shaped as read): a
        view to write into."""
        part = self.arrays[read.step][..., read.columns]
        return part if read.shape is None else part.reshape(*part.shape[:-1], *read.shape)

    def add(self, read: Read, contribution: np.ndarray, fresh: bool = False,
            batch_sum: bool = False) -> None:  # fmt: skip
        """grad[read.step][..., read.columns] += contribution, copying a shared array first
        (``fresh``: the contribution is no other step's, so it may become this one's;
        ``batch_sum``: a batched step sends to one that is not, a parameter shared by every
        sample, so a contribution with a batch axis is summed over it first)."""
        step, columns, current = read.step, read.columns, self.arrays[read.step]
        if batch_sum and contribution.ndim > read.dims:  # matmul's dW has no batch axis
            contribution, fresh = np.add.reduce(contribution, axis=0), True
        if read.broadcast:  # one column read by every node: the readers' sum
            contribution = np.add.reduce(contribution, axis=-1, keepdims=True)
        elif read.shape is not None:  # a (k, n) block of consecutive columns
            contribution = contribution.reshape(*contribution.shape[:-2], -1)
        size = self.sizes[step]
        shape = (contribution.shape[0], size) if self.batched[step] else (size,)
        if columns is None and contribution.shape == shape:
            if current is None:  # no copy: this step's gradient is the contribution
                self.arrays[step], self.owned[step] = contribution, fresh
            elif self.owned[step]:
                current += contribution
            else:
                self.arrays[step], self.owned[step] = current + contribution, True
            return
        if current is None:
            current = np.zeros(shape)
        elif not self.owned[step]:
            current = current.copy()
        self.arrays[step], self.owned[step] = current, True
        if columns is None:
            current += contribution
        elif read.repeats:
            np.add.at(current, (Ellipsis, columns), contribution)
        else:
            current[..., columns] += contribution


def compile(fn: Callable[..., Any], example_inputs: Sequence[Any]) -> CompiledFunction:  # noqa: A001
    """Trace ``fn`` once at ``example_inputs`` and return it compiled for batches.

    ``fn(*values)`` computes ONE sample with ordinary Value ops and may use parameters
    (any Value it closes over, e.g. a model's weights: their ``.data`` is read at every
    call, so optimizer updates take effect).  ``prog(X)`` with X of shape
    (batch, len(example_inputs)) returns fn for every row; ``prog.backward(X)`` also
    accumulates the gradient of the batch mean into each parameter's ``.grad``;
    ``prog.value_and_grad(X, theta)`` does both on a parameter array, touching no Value.

    Refused, with an error naming the cause: Python code in ``fn`` that depends on an
    input's value (TraceError), ops without an array form (TraceError), X of the wrong
    width (ValueError); over a batch, inputs outside an op's domain (ValueError) and
    non-finite results (ArithmeticError), naming the op and the sample.
    """
    return CompiledFunction(fn, example_inputs)
