"""``fit(..., compiled="auto")``: a training step through :func:`autograd.compile`.

:class:`CompiledStep` stands in for :func:`nn.training.loss_and_grads`.  It traces ONE
sample once -- the model, that sample's loss term with the target as traced inputs, and
the penalty -- and replays it over every batch (a mini-batch of any size, the short
last one too).  Dropout in training mode becomes a random input of the program: a
fresh mask for every sample at every step, drawn from the layer's generator exactly as
the scalar path draws it (see :class:`nn.Dropout`).  Targets are encoded as numbers so no
Python code looks at them while tracing: a class index becomes a one-hot row for
cross-entropy, a label stays a number for the element-wise losses.

Per sample, the traced terms are (k = the model's output width):

* ``cross_entropy``: log(sum_j e^(z_j - m)) - sum_j t_j (z_j - m), m = max_j z_j,
  t one-hot (the max is a node here: its gradient is 1 - sum_j softmax_j = 0);
* ``mse_loss``, ``hinge_loss``, ``bce_with_logits``, ``binary_cross_entropy``: the
  mean over the k outputs of the element-wise term; binary_cross_entropy's log clamped
  at -100 as log(max(p, e^-100)) (the scalar clamp is a Python branch), so a
  probability of exactly 0 or 1 gives the scalar path's loss and gradient.

The batch mean of these is the loss :func:`fit` would compute, the penalty is added to
every sample's term (so once to the mean), and the gradients are the scalar engine's.
What cannot be compiled raises :class:`NotCompilable` (a loss without a traced term,
samples that are not numbers) or :class:`autograd.TraceError` (the model reads a value
from Python, or uses an op with no array form); ``fit(compiled="auto")`` then trains
with the scalar engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from numbers import Real
from typing import Any

import numpy as np

import autograd
from autograd import Value

from .functional import _shifted, log_sum_exp_shifted
from .losses import (
    _LOG_FLOOR,
    _bce_logits_term,
    _bce_term,
    _check_labels,
    _check_probabilities,
    _class_index,
    _hinge_term,
    _reduce,
    _squared_error,
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from .module import Module, in_mode
from .optim import Optimizer


def _cross_entropy_term(logits: list[Value], onehot: list[Value]) -> Value:
    """log(sum_j e^(z_j - m)) - t . (z - m): nn.cross_entropy with a one-hot target."""
    shifted = _shifted(logits, "cross_entropy")
    return log_sum_exp_shifted(shifted) - autograd.dot(onehot, shifted)


_TINY = math.exp(_LOG_FLOOR)  # log(max(p, _TINY)) = max(log p, -100), with no branch


def _log_clamped_traced(x: Value) -> Value:
    """nn.losses' log clamped at -100 as ops: the max passes no gradient where clamped."""
    return autograd.max([x, Value(_TINY)]).log()


def _mean_of(term: Callable[[Value, Value], Value]) -> Callable[[list, list], Value]:
    """The mean over the outputs of one of nn.losses' element-wise terms."""
    return lambda outs, targets: _reduce([term(o, t) for o, t in zip(outs, targets)], "mean")


# loss function -> (per-sample term on (outputs, encoded targets), target encoding);
# the element-wise terms are nn.losses' own, checked there on numbers, here in _targets.
_TERMS: dict[Callable, tuple[Callable[[list, list], Value], str]] = {
    cross_entropy: (_cross_entropy_term, "onehot"),
    mse_loss: (_mean_of(_squared_error), "values"),
    hinge_loss: (_mean_of(_hinge_term), "values"),
    bce_with_logits: (_mean_of(_bce_logits_term), "values"),
    binary_cross_entropy: (_mean_of(lambda p, t: _bce_term(p, t, log=_log_clamped_traced)),
                           "values"),
}


def _matrix(X: Sequence, width: int) -> np.ndarray:
    """X as a (samples, width) float array; ValueError naming the first sample of another
    width (numpy's own message for a ragged list names neither)."""
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is not None and array.ndim == 2 and array.shape[1] == width:
        return array
    if array is not None and array.ndim == 1 and width == 1:  # samples that are numbers
        return array[:, None]
    for i, row in enumerate(X):
        received = len(row) if hasattr(row, "__len__") else 1
        if received != width:
            raise ValueError(f"expected an input of width {width}, received width {received} "
                             f"(sample {i})")  # fmt: skip
    raise ValueError(f"X must hold {width} numbers per sample")


def _as_list(output: Any) -> list:
    return list(output) if isinstance(output, (list, tuple)) else [output]


class NotCompilable(ValueError):
    """``fit`` cannot compile this training step (a loss with no compiled form)."""


class CompiledStep:
    """``loss_and_grads`` for one (model, loss, penalty), compiled for batches.

    ``step(model, X, y, loss, params, penalty)`` sets every p.grad in ``params`` to
    d (mean loss + penalty) / d p (0 for a parameter the loss does not use), and returns
    the mean loss without the penalty and the model's outputs as floats -- like
    :func:`nn.loss_and_grads`.
    """

    def __init__(self, model: Module, loss: Callable, X: Sequence, y: Sequence,
                 penalty: Callable[[], Value] | None = None) -> None:  # fmt: skip
        if loss not in _TERMS:
            known = ", ".join(f.__name__ for f in _TERMS)
            raise NotCompilable(f"compiled training supports the losses {known}; for "
                                f"{getattr(loss, '__name__', loss)!r} use compiled=False or "
                                "autograd.compile directly")  # fmt: skip
        term, self._encoding = _TERMS[loss]
        self._hinge = loss is hinge_loss
        self._probabilities = loss is binary_cross_entropy
        # A sample is a list of numbers, or one number (what model(x) is then given).
        self._numbers = not isinstance(X[0], (list, tuple))
        if self._numbers and not isinstance(X[0], Real):
            raise NotCompilable(f"compiled training reads samples that are lists of numbers "
                                f"(or numbers), not {type(X[0]).__name__}")  # fmt: skip
        self._n_features = 1 if self._numbers else len(X[0])
        with in_mode(model, training=False), autograd.no_grad():  # draws no dropout mask
            example = self._apply(model, [X[0]] if self._numbers else X[0])
        self._single = not isinstance(example, (list, tuple))
        self._width = len(_as_list(example))
        self._onehot = np.eye(self._width)  # row t: class t's one-hot target
        self._rows = {id(row): i for i, row in enumerate(X)}  # rows of fit's X, by identity
        self._features = _matrix(X, self._n_features)

        def sample(*inputs: Value) -> list[Value]:
            outs = _as_list(self._apply(model, inputs[: self._n_features]))
            data_term = term(outs, list(inputs[self._n_features:]))
            total = data_term + penalty() if penalty is not None else data_term
            return [total, data_term, *outs]

        example_row = np.concatenate([self._features[0], self._targets([y[0]])[0]])
        with in_mode(model, training=True):  # fit trains in training mode, whatever the model's
            self.program = autograd.compile(sample, example_row)
        self._traced = set(self.program.parameters)
        self._untraced: tuple[Sequence[Value] | None, list[Value]] = (None, [])
        self._model = model
        self._model_program: autograd.CompiledFunction | None = None

    @property
    def model_program(self) -> autograd.CompiledFunction:
        """The model alone in evaluation mode (no dropout), compiled when first needed."""
        if self._model_program is None:
            model = self._model
            with in_mode(model, training=False):
                self._model_program = autograd.compile(lambda *x: self._apply(model, x),
                                                       self._features[0])  # fmt: skip
        return self._model_program

    def _apply(self, model: Any, features: Sequence) -> Any:
        """The model on one sample's features, passed as fit passes them."""
        return model(features[0] if self._numbers else list(features))

    def _targets(self, y: Sequence) -> np.ndarray:
        """One row per sample: a one-hot class, or the target values (checked)."""
        if self._encoding == "onehot":
            # Fast path: plain ints in range, checked at once; anything else is checked
            # target by target as cross_entropy checks it (its messages).
            ints = all(type(t) is int for t in y)
            classes = np.fromiter(y, np.intp, len(y)) if ints else None
            if classes is None or not ((classes >= 0) & (classes < self._width)).all():
                classes = [_class_index(t, self._width) for t in y]
            return self._onehot[classes]
        targets = np.asarray(y, dtype=float).reshape(len(y), -1)
        if targets.shape[1] != self._width:
            raise ValueError(f"{targets.shape[1]} target(s) per sample but the model has "
                             f"{self._width} output(s)")  # fmt: skip
        if self._hinge:
            _check_labels([], targets.ravel().tolist())
        return targets

    def _rows_of(self, X: Sequence) -> np.ndarray:
        # Fast path: fit's batches are rows of its X, so gather them by identity.
        indices = [self._rows.get(id(row), -1) for row in X]
        return self._features[indices] if min(indices) >= 0 else _matrix(X, self._n_features)

    def evaluate(self, model: Any, X: Sequence) -> list:
        """The model's outputs on X as floats (a float or a list per sample), in
        evaluation mode."""
        return self.model_program(self._rows_of(X)).tolist()

    def _batch(self, X: Sequence, y: Sequence) -> np.ndarray:
        """The program's input rows for a batch: features, then the encoded targets."""
        return np.concatenate([self._rows_of(X), self._targets(y)], axis=1)

    def _outputs(self, result: np.ndarray) -> tuple[float, list]:
        """(mean loss without the penalty, the model's outputs as floats) from a result."""
        outputs = result[:, 2] if self._single else result[:, 2:]
        if self._probabilities:  # binary_cross_entropy refuses what is not a probability
            outside = outputs[~((outputs >= 0.0) & (outputs <= 1.0))]
            _check_probabilities([Value(float(p)) for p in outside[:1]], [])
        try:
            with np.errstate(over="raise"):
                loss = float(result[:, 1].mean())
        except FloatingPointError:  # the scalar engine's sum raises OverflowError too
            raise OverflowError("the mean loss of the batch overflows") from None
        return loss, outputs.tolist()

    def _zero_untraced(self, params: Sequence[Value]) -> None:
        """p.grad = 0 for the parameters in ``params`` the loss does not use."""
        if self._untraced[0] is not params:  # fit passes the same list at every step
            self._untraced = (params, [p for p in params if p not in self._traced])
        for p in self._untraced[1]:
            p.grad = 0.0

    def __call__(self, model: Any, X: Sequence, y: Sequence, loss: Any,
                 params: Sequence[Value], penalty: Any = None) -> tuple[float, list]:  # fmt: skip
        result = self.program.backward(self._batch(X, y), outputs=[0], accumulate=False)
        self._zero_untraced(params)
        return self._outputs(result)

    @contextmanager
    def epoch(self, optimizer: Optimizer, params: Sequence[Value]
              ) -> Iterator[Callable[[Sequence, Sequence], tuple[float, list]]]:  # fmt: skip
        """Training steps on arrays: ``with step.epoch(opt, params) as train:`` gives
        ``train(X, y)``, a step and ``optimizer.update`` -- the same floats as calling
        this step and ``optimizer.step()`` -- on a parameter array theta, read from the
        Values on entering and written back (data, and the last step's grads) on leaving,
        also when a step raises: between the two no Value is touched.
        """
        program = self.program
        theta = program.parameter_array()
        column = {p: i for i, p in enumerate(program.parameters)}
        mine = [(i, column[p]) for i, p in enumerate(optimizer.params) if p in column]
        at_optimizer = np.array([i for i, _ in mine], dtype=np.intp)
        at_program = np.array([j for _, j in mine], dtype=np.intp)
        data = np.fromiter((p.data for p in optimizer.params), float, len(optimizer.params))
        trainable = [p.requires_grad for p in optimizer.params]  # the others are left alone
        update = optimizer.update if all(trainable) else \
            partial(optimizer.update, active=np.array(trainable))  # fmt: skip
        last: list[np.ndarray] = []

        def train(X: Sequence, y: Sequence) -> tuple[float, list]:
            theta[at_program] = data[at_optimizer]
            result, grads = program.value_and_grad(self._batch(X, y), theta, outputs=[0])
            last[:] = [grads]
            grad = np.zeros(len(data))  # 0 for a parameter the loss does not use
            grad[at_optimizer] = grads[at_program]
            update(data, grad)
            return self._outputs(result)

        try:
            yield train
        finally:
            for p, x in zip(optimizer.params, data.tolist()):
                p.data = x
            if last:
                program.set_gradients(last[0])
                self._zero_untraced(params)
