"""``fit``: the training loop, its ``History``, early stopping and ``accuracy``.

One training step on a batch is :func:`loss_and_grads` (forward every sample, the
loss plus any penalty, zero the gradients, backward) followed by
``optimizer.step()``.  ``loss_and_grads`` is the only place that builds graphs, so a
faster way of computing the same loss and gradients can stand in for it: the compiled
step (:class:`nn.compiled.CompiledStep`) trains each epoch on a parameter array with
``optimizer.update`` and writes it back to the Values at the end of the epoch.
"""

from __future__ import annotations

import gc
import math
import os
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

from autograd import Value, no_grad, tape

from . import checkpoint as checkpoints
from .activations import Activation
from .checks import plain_output
from .compiled import CompiledStep
from .datasets import batches
from .functional import l1_penalty, l2_penalty
from .layers import Sequential, batch_outputs
from .losses import (
    ONE_OUTPUT,
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from .lr_scheduler import LRScheduler, ReduceLROnPlateau
from .module import Module, _listing, in_mode
from .optim import Optimizer
from .progress import progress_bar

LossFunction = Callable[[Any, Any], Value]

LOSSES: dict[str, LossFunction] = {
    "mse": mse_loss,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
    "bce": binary_cross_entropy,
    "bce_with_logits": bce_with_logits,
    "hinge": hinge_loss,
}


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch.

    ``train_loss``: the batch losses of the epoch averaged (weighted by batch size),
    without the l1/l2 penalty; ``train_accuracy``: the fraction of training samples
    classified right by the forward passes of the epoch (each with the weights of its
    batch, before the update); ``val_loss`` / ``val_accuracy``: on the validation set
    after the epoch, in eval mode (empty without validation).  Accuracy lists are
    empty when accuracy is not measured (regression).  ``lr``: the learning rate
    used in each epoch (the first parameter group's).  ``best_epoch`` (0-based) is set
    by early stopping, ``stopped_epoch`` by early stopping or divergence (then it is
    the epoch that diverged, not in the lists).
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """The number of epochs run."""
        return len(self.train_loss)


@dataclass
class EarlyStopping:
    """Stop when the monitored loss (validation loss, or training loss without a
    validation set) has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best`` the weights of the best epoch are put back."""

    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.patience, bool) or not isinstance(self.patience, int):
            raise TypeError(f"patience must be an int, not {type(self.patience).__name__}")
        if self.patience < 1:
            raise ValueError(f"patience must be at least 1, received {self.patience}")
        if not self.min_delta >= 0.0:
            raise ValueError(f"min_delta must be >= 0, received {self.min_delta}")


class _Monitor:
    """Early-stopping bookkeeping: the best loss so far, its epoch and weights."""

    def __init__(self, rule: EarlyStopping, model: Module) -> None:
        self.rule, self.model = rule, model
        self.best, self.best_epoch, self.best_state, self.wait = math.inf, None, None, 0

    def should_stop(self, epoch: int, loss: float) -> bool:
        if loss < self.best - self.rule.min_delta:
            self.best, self.best_epoch, self.wait = loss, epoch, 0
            self.best_state = self.model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.rule.patience

    def restore(self) -> None:
        if self.rule.restore_best and self.best_state is not None:
            self.model.load_state_dict(self.best_state)


def loss_and_grads(model: Callable[[Any], Any], X: Sequence, y: Sequence,
                   loss: LossFunction, params: Sequence[Value],
                   penalty: Callable[[], Value] | None = None) -> tuple[float, list]:  # fmt: skip
    """One batch: outputs = model(x) for x in X, L = loss(outputs, y) (+ penalty()),
    every p in ``params`` gets p.grad = dL/dp.  The batch's graph is built on a tape
    (``autograd.tape``), so backward replays it rather than searching it.

    Returns the loss without the penalty as a float, and the outputs as floats (a
    float or a list of floats per sample).
    """
    with tape():
        outputs = batch_outputs(model, X)
        data_loss = loss(outputs, y)
        if not isinstance(data_loss, Value):
            raise TypeError(f"the loss function must return a Value, not "
                            f"{type(data_loss).__name__}")  # fmt: skip
        total = data_loss + penalty() if penalty is not None else data_loss
        for p in params:
            p.grad = 0.0
        total.backward()
    return data_loss.data, [plain_output(o) for o in outputs]


def final_activation(model: Any) -> str | None:
    """The name of the activation ``model``'s output goes through ('sigmoid', 'linear',
    ...), or None when it cannot tell."""
    if isinstance(model, Sequential) and model.layers:
        return final_activation(model.layers[-1])
    if isinstance(model, Activation):
        return model.name
    return getattr(model, "output_activation", getattr(model, "activation", None))


def _labels_are_classes(y: Sequence) -> bool:
    return all(isinstance(t, Integral) or (isinstance(t, Real) and float(t).is_integer())
               for t in y)  # fmt: skip


def decision_threshold(model: Any, threshold: float | None = None) -> float:
    """The score above which a single output means class 1: ``threshold`` if given,
    else 0.5 after a sigmoid output (a probability) and 0 otherwise (a logit or margin)."""
    if threshold is not None:
        return threshold
    return 0.5 if final_activation(model) == "sigmoid" else 0.0


class _Classifier:
    """Turns an output into a class: the arg-max of a list of scores; for a single
    score, 1 above ``threshold``, else 0 (or -1 when the labels are -1/1)."""

    def __init__(self, model: Any, y: Sequence, threshold: float | None) -> None:
        self.threshold = decision_threshold(model, threshold)
        self.negative = -1 if any(t == -1 for t in y) else 0

    def predict(self, out: Any) -> int:
        """The class of one output (a float, or a list of floats)."""
        if isinstance(out, list) and len(out) == 1:
            out = out[0]
        if isinstance(out, list):
            return max(range(len(out)), key=out.__getitem__)
        return 1 if out > self.threshold else self.negative

    def correct(self, outputs: Sequence, y: Sequence) -> int:
        return sum(self.predict(out) == t for out, t in zip(outputs, y))


def _evaluate(model: Any, X: Sequence) -> list:
    """Outputs as floats in eval mode and without recording graphs; mode restored."""
    with in_mode(model, training=False), no_grad():
        return [plain_output(out) for out in batch_outputs(model, X)]


def accuracy(model: Any, X: Sequence, y: Sequence, threshold: float | None = None) -> float:
    """The fraction of samples classified right (in eval mode).

    Several outputs: the class is the arg-max.  One output: 1 if it is above
    ``threshold`` (default 0.5 after a sigmoid output, else 0), otherwise 0, or -1
    when the labels are -1/1.
    """
    X, y = _check_data(X, y, "accuracy")
    return _Classifier(model, y, threshold).correct(_evaluate(model, X), y) / len(y)


def predict(model: Any, X: Sequence, threshold: float | None = None) -> list[int]:
    """The class ``model`` gives each sample (in eval mode, recording no graph).

    Several outputs: the arg-max.  One output: 1 if it is above ``threshold`` (default
    0.5 after a sigmoid output, else 0), otherwise 0.
    """
    X = X.tolist() if hasattr(X, "tolist") else list(X)  # numpy arrays too
    classifier = _Classifier(model, [], threshold)
    return [classifier.predict(out) for out in _evaluate(model, X)]


def _check_data(X: Any, y: Any, where: str) -> tuple[list, list]:
    """X and y as lists (numpy arrays are converted), checked to match and be non-empty."""
    X, y = (data.tolist() if hasattr(data, "tolist") else data for data in (X, y))
    if not isinstance(X, Sequence) or not isinstance(y, Sequence):
        raise TypeError(f"{where}: X and y must be lists (or numpy arrays), not "
                        f"{type(X).__name__} and {type(y).__name__}")  # fmt: skip
    if len(X) != len(y):
        raise ValueError(f"{where}: X has {len(X)} samples but y has {len(y)} labels")
    if not X:
        raise ValueError(f"{where}: needs at least one sample, received 0")
    for name, data in (("X", X), ("y", y)):
        for i, sample in enumerate(data):
            row = sample if isinstance(sample, (list, tuple)) else (sample,)
            for j, v in enumerate(row):
                if v != v:  # NaN is the one value that differs from itself
                    at = f"{name}[{i}][{j}]" if row is sample else f"{name}[{i}]"
                    raise ValueError(f"{where}: {at} is NaN")
    return list(X), list(y)


def _resolve_loss(loss: str | LossFunction) -> LossFunction:
    if isinstance(loss, str):
        try:
            return LOSSES[loss]
        except KeyError:
            known = ", ".join(map(repr, LOSSES))
            raise ValueError(f"unknown loss {loss!r}; expected one of {known}") from None
    if not callable(loss):
        raise TypeError(f"loss must be a function or a name, not {type(loss).__name__}")
    return loss


def _penalty(params: list[Value], l1: float, l2: float) -> Callable[[], Value] | None:
    """``l1 * sum |p| + l2 * sum p^2`` as a function, or None when both are 0."""
    for name, factor in (("l1", l1), ("l2", l2)):
        if not factor >= 0.0:
            raise ValueError(f"{name} must be >= 0, received {factor}")
    if not l1 and not l2:
        return None
    if not l1:
        return lambda: l2 * l2_penalty(params)
    if not l2:
        return lambda: l1 * l1_penalty(params)
    return lambda: l1 * l1_penalty(params) + l2 * l2_penalty(params)


def _early_stopping(rule: int | EarlyStopping | None) -> EarlyStopping | None:
    if rule is None or isinstance(rule, EarlyStopping):
        return rule
    return EarlyStopping(patience=rule)


def fit(model: Module, X: Sequence, y: Sequence, loss: str | LossFunction,
        optimizer: Optimizer, epochs: int, batch_size: int | None = None,
        validation: tuple[Sequence, Sequence] | None = None,
        early_stopping: int | EarlyStopping | None = None, progress: bool = True,
        l1: float = 0.0, l2: float = 0.0,
        lr_schedule: Callable[[int], float] | None = None,
        shuffle: bool = True, seed: int | None = None,
        checkpoint: str | os.PathLike | None = None, resume: str | os.PathLike | None = None,
        measure_accuracy: bool | None = None, threshold: float | None = None,
        callback: Callable[[int, History], Any] | None = None,
        compiled: bool | str = "auto",
        scheduler: LRScheduler | None = None) -> History:  # fmt: skip
    """Train ``model`` on (X, y) for ``epochs`` epochs and return the :class:`History`.

    Each batch minimises ``loss(outputs, targets) + l1 * sum|p| + l2 * sum p^2``
    with ``optimizer``, which must hold every parameter of ``model`` that requires a
    gradient (freeze the others with ``requires_grad = False``).  ``loss`` is a
    function like :func:`nn.cross_entropy` or one of the names in ``LOSSES``.

    ``batch_size``: None for full batch (in data order), 1 for SGD, else mini-batches
    shuffled each epoch by ``random.Random(seed)`` (unless ``shuffle=False``).
    ``scheduler``: an :mod:`nn.optim.lr_scheduler` scheduler of ``optimizer``, stepped
    once after each epoch as in PyTorch's usual loop (``ReduceLROnPlateau`` with the
    validation loss, or the training loss without validation).  ``lr_schedule(epoch)``
    (epoch from 0; not with a scheduler) sets ``optimizer.lr`` -- every group's --
    before each epoch.  ``validation``: ``(X_val, y_val)``, evaluated after every epoch.
    ``checkpoint``: a file written after every epoch (:mod:`nn.checkpoint`);
    ``resume``: such a file to continue from, up to ``epochs`` epochs in all (bit for
    bit the run that was not interrupted); the History returned has every epoch.
    ``early_stopping``: a patience (int) or an :class:`EarlyStopping`; it watches the
    validation loss (the training loss without validation) and restores the best
    weights.  ``measure_accuracy``: None measures it unless the loss is mean squared
    error or the labels are not whole numbers.  ``callback(epoch, history)`` runs
    after each epoch; returning True stops training.  ``progress`` shows a tqdm bar.
    ``compiled``: ``"auto"`` (the default) traces one sample once and replays it over
    each batch with numpy (:mod:`nn.compiled`: the same losses and gradients, many
    times faster; the weights live in one array during an epoch and are written back
    to the model before validation, callback and checkpoint) when the model and loss
    can be traced, and otherwise trains with the scalar engine, saying why in one
    line; ``False`` always uses the scalar engine (every step builds a graph of
    Values), ``True`` always compiles or raises.

    Divergence: an epoch whose loss (training or validation) is not finite, or
    overflows (an OverflowError), or leaves a parameter that is not finite, stops
    training with one printed line ("nn.fit: loss diverged at epoch 23 (lr=100): try a
    smaller learning rate"); the parameters and the optimizer's buffers are put back
    as they were after the last good epoch, ``history.stopped_epoch`` is that epoch and
    the History of the good epochs is returned.
    Python's cyclic garbage collector is paused while training (graphs have no
    cycles, so reference counting frees them) and switched back on at the end.
    """
    X, y = _check_data(X, y, "fit")
    loss_fn = _resolve_loss(loss)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nn.optim optimizer, not "
                        f"{type(optimizer).__name__}")  # fmt: skip
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, received {epochs!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be None or an int >= 1, received {batch_size!r}")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("validation must be a pair (X_val, y_val)")
        validation = _check_data(validation[0], validation[1], "fit validation")
    _check_scheduler(scheduler, optimizer, lr_schedule)
    _check_optimizer_holds(model, optimizer)
    if loss_fn is cross_entropy:
        _check_several_outputs(model, X[0])
    if measure_accuracy is None:
        measure_accuracy = loss_fn is not mse_loss and _labels_are_classes(y)
    classifier = _Classifier(model, y, threshold) if measure_accuracy else None
    params = list({id(p): p for p in [*model.parameters(), *optimizer.params]}.values())
    penalty = _penalty(model.parameters(), l1, l2)
    stopping = _early_stopping(early_stopping)
    monitor = _Monitor(stopping, model) if stopping else None
    rng = random.Random(seed)
    epoch_steps, evaluate = _step_functions(compiled, model, loss_fn, X, y, penalty)
    history = History()
    start = 0 if resume is None else checkpoints.resume_run(resume, model, optimizer, history,
                                                            rng, monitor, epochs,
                                                            scheduler)  # fmt: skip
    was_training, gc_was_enabled = model.training, gc.isenabled()
    gc.disable()  # graphs are acyclic, freed by reference counting: cycle scans only cost time
    bar = progress_bar(range(start, epochs), desc="fit", unit="epoch", disable=not progress,
                       leave=True)  # fmt: skip
    good = _Snapshot(params, optimizer)  # put back if an epoch diverges
    try:
        for epoch in bar:
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(epoch)
            lr = optimizer.lr
            model.train()
            if batch_size is None or batch_size >= len(X):
                epoch_batches = [(X, y)]
            else:
                epoch_batches = batches(X, y, batch_size, shuffle, seed=rng.getrandbits(64))
            try:
                total_loss, hits = 0.0, 0
                with epoch_steps(optimizer, params) as train:  # the Values are up to date after
                    for Xb, yb in epoch_batches:
                        batch_loss, outputs = train(Xb, yb)
                        total_loss += batch_loss * len(Xb)
                        if classifier:
                            hits += classifier.correct(outputs, yb)
                measured = [total_loss / len(X)]
                if validation is not None:
                    measured += _validate(model, validation, loss_fn, classifier, evaluate)
            except OverflowError:
                measured = [math.inf]
            if not good.advance(measured):
                good.restore()
                bar.close()
                print(f"nn.fit: loss diverged at epoch {epoch} (lr={lr:g}): try a smaller "
                      "learning rate")  # fmt: skip
                history.stopped_epoch = epoch
                break
            history.lr.append(lr)
            history.train_loss.append(measured[0])
            if classifier:
                history.train_accuracy.append(hits / len(X))
            if validation is not None:
                history.val_loss.append(measured[1])
                if classifier:
                    history.val_accuracy.append(measured[2])
            bar.set_postfix(_summary(history), refresh=False)
            monitored = history.val_loss[-1] if validation is not None else history.train_loss[-1]
            if scheduler is not None:
                if isinstance(scheduler, ReduceLROnPlateau):
                    scheduler.step(monitored)
                else:
                    scheduler.step()
            stop = bool(monitor and monitor.should_stop(epoch, monitored))
            if stop:
                history.stopped_epoch = epoch
            if checkpoint is not None:
                checkpoints.save_run(checkpoint, model, optimizer, history, rng, monitor,
                                     scheduler)  # fmt: skip
            if stop or (callback is not None and callback(epoch, history) is True):
                break
    finally:
        bar.close()
        model.train(was_training)
        if gc_was_enabled:
            gc.enable()
    if monitor:
        history.best_epoch = monitor.best_epoch
        monitor.restore()
    return history


class _Snapshot:
    """The parameters' data and the optimizer's buffers after the last good epoch, put
    back by :meth:`restore` when an epoch diverges."""

    def __init__(self, params: list[Value], optimizer: Optimizer) -> None:
        self.params, self.optimizer = params, optimizer
        self.data = [p.data for p in params]
        self.buffers = optimizer._buffers_copy()

    def advance(self, losses: list[float]) -> bool:
        """After an epoch with these losses: False if it diverged (a loss or a parameter
        that is not finite), else True, and this epoch's end is the new good state."""
        data = [p.data for p in self.params]
        # one sum stands for all: inf and NaN carry through it (as does a sum overflowing,
        # which only weights near the largest float can do)
        if not math.isfinite(sum(losses) + sum(data)):
            return False
        self.data, self.buffers = data, self.optimizer._buffers_copy()
        return True

    def restore(self) -> None:
        for p, x in zip(self.params, self.data):
            p.data = x
        self.optimizer._restore_buffers(self.buffers)


def _check_scheduler(scheduler: Any, optimizer: Optimizer, lr_schedule: Any) -> None:
    if scheduler is None:
        return
    if not isinstance(scheduler, LRScheduler):
        raise TypeError(f"fit: scheduler must be an nn.optim.lr_scheduler scheduler, not "
                        f"{type(scheduler).__name__}")  # fmt: skip
    if lr_schedule is not None:
        raise ValueError("fit: give a scheduler or an lr_schedule, not both")
    if scheduler.optimizer is not optimizer:
        raise ValueError("fit: the scheduler drives another optimizer: create it with the "
                         "optimizer you give fit")  # fmt: skip


def _check_optimizer_holds(model: Module, optimizer: Optimizer) -> None:
    """ValueError unless ``optimizer`` holds every parameter of ``model`` that requires a
    gradient (else those would never train)."""
    held = {id(p) for p in optimizer.params}
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    missing = [name for name, p in trainable if id(p) not in held]
    if not missing:
        return
    if len(missing) == len(trainable):
        raise ValueError("fit: the optimizer holds none of the model's parameters: create it "
                         "from this model, as nn.optim.SGD(model.parameters(), lr=0.1)")
    raise ValueError(f"fit: the optimizer holds {len(trainable) - len(missing)} of the model's "
                     f"{len(trainable)} parameters (not {_listing(missing)}): create it with "
                     "model.parameters(), or freeze the others with requires_grad = False")


def _check_several_outputs(model: Any, x: Any) -> None:
    """ValueError (naming the binary losses) for a model with one output: cross-entropy
    needs one score per class."""
    with in_mode(model, training=False), no_grad():
        out = batch_outputs(model, [x])[0]
    if not isinstance(out, (list, tuple)) or len(out) == 1:
        raise ValueError(f"fit: {ONE_OUTPUT}")


def _step_functions(compiled: bool | str, model: Module, loss_fn: LossFunction, X: list, y: list,
                    penalty: Callable[[], Value] | None) -> tuple[Callable, Callable]:  # fmt: skip
    """fit's (epoch_steps, evaluate): compiled (:class:`nn.compiled.CompiledStep`) or the
    scalar engine's (:func:`loss_and_grads`, :func:`_evaluate`), as ``compiled`` asks.
    ``with epoch_steps(optimizer, params) as train:`` gives ``train(X, y)``, one step."""
    auto = isinstance(compiled, str) and compiled == "auto"
    if not (auto or compiled is True or compiled is False):
        raise ValueError(f"compiled must be True, False or 'auto', received {compiled!r}")
    if compiled is False:
        return _scalar_steps(model, loss_fn, penalty), _evaluate
    try:
        step = CompiledStep(model, loss_fn, X, y, penalty)
    except (TypeError, ValueError) as error:  # TraceError and NotCompilable among them
        # auto: whatever keeps the step from compiling (an untraceable model or loss,
        # samples the compiled step does not read) leaves it to the scalar engine, which
        # then raises its own error if the data is wrong for it too.
        if compiled is True:
            raise
        reason = " ".join(str(error).split())  # one line
        print(f"nn.fit: training with the scalar engine, not compiled: {reason}")
        return _scalar_steps(model, loss_fn, penalty), _evaluate
    return step.epoch, step.evaluate


def _scalar_steps(model: Module, loss_fn: LossFunction,
                  penalty: Callable[[], Value] | None) -> Callable:  # fmt: skip
    """``epoch_steps`` on the Values: :func:`loss_and_grads`, then ``optimizer.step()``."""

    @contextmanager
    def epoch_steps(optimizer: Optimizer, params: list[Value]) -> Iterator[Callable]:
        def train(X: Sequence, y: Sequence) -> tuple[float, list]:
            result = loss_and_grads(model, X, y, loss_fn, params, penalty)
            optimizer.step()
            return result

        yield train

    return epoch_steps


def _validate(model: Module, validation: tuple[Sequence, Sequence], loss_fn: LossFunction,
              classifier: _Classifier | None,
              evaluate: Callable[[Any, Sequence], list] = _evaluate) -> list[float]:  # fmt: skip
    """[validation loss] (and the validation accuracy, with a ``classifier``)."""
    X_val, y_val = validation
    outputs = evaluate(model, X_val)
    measured = [loss_fn(outputs, list(y_val)).data]
    if classifier:
        measured.append(classifier.correct(outputs, y_val) / len(y_val))
    return measured


def _summary(history: History) -> dict[str, str]:
    names = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
    short = {"train_loss": "loss", "train_accuracy": "acc", "val_loss": "val_loss",
             "val_accuracy": "val_acc"}  # fmt: skip
    return {short[n]: f"{getattr(history, n)[-1]:.4g}" for n in names if getattr(history, n)}
