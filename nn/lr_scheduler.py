"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``: each sets the ``lr`` of its
optimizer's parameter groups, epoch after epoch, to the very floats torch's would.

It is ``nn.optim.lr_scheduler``, used as in PyTorch::

    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        ...                   # the epoch's optimizer.step() calls
        scheduler.step()      # then once per epoch

(``nn.fit(..., scheduler=scheduler)`` does the same.)  Creating a scheduler records each
group's lr as ``group["initial_lr"]`` (``base_lrs``) and sets ``last_epoch = 0``; each
``step()`` adds 1 to ``last_epoch`` and sets every group's lr:

=====================  ==============================================================
``LambdaLR``           lr = base_lr * lr_lambda(last_epoch)
``StepLR``             lr <- lr * gamma when last_epoch is a multiple of step_size
``MultiStepLR``        lr <- lr * gamma at each milestone (gamma^k if listed k times)
``ExponentialLR``      lr <- lr * gamma
``CosineAnnealingLR``  lr = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2,
                       with t = last_epoch, computed step by step from the last lr
                       as torch does
``ReduceLROnPlateau``  ``step(metric)``: lr <- max(lr * factor, min_lr) once the
                       metric has not improved for more than ``patience`` steps
=====================  ==============================================================

``get_last_lr()`` lists each group's lr after the last step.  ``state_dict()`` holds
the scheduler's settings and position (not the optimizer, nor LambdaLR's functions),
JSON-serializable; ``load_state_dict()`` checks it whole before it changes anything.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from numbers import Real
from typing import Any

from .checks import as_number, finite_number, non_negative, whole_number

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "MultiStepLR",
           "ReduceLROnPlateau", "StepLR"]  # fmt: skip


def _groups(optimizer: Any, owner: str) -> list[dict[str, Any]]:
    """The optimizer's parameter groups; TypeError for anything that has none."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) and "lr" in g for g in groups):
        raise TypeError(f"{owner} schedules an nn.optim optimizer, not a "
                        f"{type(optimizer).__name__}")  # fmt: skip
    return groups


class LRScheduler:
    """Base class: ``base_lrs``, ``last_epoch``, ``step()``, ``get_last_lr()`` and state
    dicts.  A subclass gives ``get_lr()``: the groups' lrs for the new ``last_epoch``.

    ``last_epoch`` other than -1 resumes a schedule (the groups must then hold their
    ``initial_lr``, as a loaded optimizer state dict does).
    """

    _STATELESS = ("optimizer",)  # attributes state_dict leaves out

    def __init__(self, optimizer: Any, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        groups = _groups(optimizer, owner)
        self.optimizer = optimizer
        whole_number(f"{owner}: last_epoch", last_epoch, minimum=-1)
        for k, group in enumerate(groups):
            if last_epoch != -1 and "initial_lr" not in group:
                raise ValueError(f"{owner}: last_epoch={last_epoch} resumes a schedule, but "
                                 f"parameter group {k} has no 'initial_lr': load the "
                                 "optimizer's state dict first, or leave last_epoch at -1")
        self.base_lrs: list[float] = [group.get("initial_lr", group["lr"]) for group in groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._check()
        for group in groups:
            group.setdefault("initial_lr", group["lr"])
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def _check(self) -> None:
        """Check the settings (the constructor's arguments, or a loaded state)."""
        count = len(self.optimizer.param_groups)
        if len(self.base_lrs) != count:
            raise ValueError(f"{type(self).__name__}: base_lrs must have one lr per parameter "
                             f"group ({count}), received {len(self.base_lrs)}")  # fmt: skip

    def get_lr(self) -> list[float]:
        """The lr of each group at the new ``last_epoch`` (called by :meth:`step`)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch: ``last_epoch += 1`` and every group's lr set (call it after
        the epoch's ``optimizer.step()`` calls)."""
        self._step_count += 1
        self.last_epoch += 1
        self._set_lrs(self.get_lr())

    def _set_lrs(self, lrs: list[float]) -> None:
        groups = self.optimizer.param_groups
        for k, (group, lr) in enumerate(zip(groups, lrs)):
            group["lr"] = non_negative(f"{type(self).__name__}: the lr of parameter group {k} "
                                       f"at epoch {self.last_epoch}", lr)  # fmt: skip
        self._last_lr = [group["lr"] for group in groups]

    def get_last_lr(self) -> list[float]:
        """The lr of each parameter group after the last :meth:`step`."""
        return list(self._last_lr)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    # -- state dicts -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The scheduler's settings and position by attribute name, as torch's (without
        the optimizer): JSON-serializable."""
        return {key: _plain(value) for key, value in vars(self).items()
                if key not in self._STATELESS and not key.startswith("_is")}  # fmt: skip

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Set the scheduler from a :meth:`state_dict` of a scheduler of its kind.  All is
        checked first (the same entries, each of its type, the settings as the
        constructor checks them): on error (ValueError or TypeError) nothing changes."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a dict, not {type(state_dict).__name__}")
        mine = self.state_dict()
        if set(state_dict) != set(mine):
            raise ValueError(f"{where}: expected the entries {sorted(mine)}, received "
                             f"{sorted(state_dict, key=str)} (the state of another "
                             "scheduler?)")  # fmt: skip
        scratch = copy.copy(self)
        try:
            for key, example in mine.items():
                setattr(scratch, key, self._restored(key, _like(key, state_dict[key], example)))
            scratch._check()
        except (TypeError, ValueError) as error:
            raise type(error)(f"{where}: {error}") from None
        vars(self).update({key: getattr(scratch, key) for key in mine})

    def _restored(self, key: str, value: Any) -> Any:
        """A state-dict entry as the attribute holds it (see :meth:`state_dict`)."""
        return value


def _plain(value: Any) -> Any:
    """An attribute as JSON holds it: a Counter of milestones as their sorted list."""
    if isinstance(value, Counter):
        return sorted(value.elements())
    return list(value) if isinstance(value, (list, tuple)) else value


def _like(key: str, value: Any, example: Any) -> Any:
    """``value`` checked to be of ``example``'s kind: a list (of such), a bool, a str or
    an int as the example is; a finite number where the example is a float or None
    (None itself too, then)."""
    if isinstance(example, list):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{key} must be a list, not {type(value).__name__}")
        inner = example[0] if example else None
        return [_like(f"{key}[{i}]", item, inner) for i, item in enumerate(value)]
    if isinstance(example, (bool, str, int)) and not isinstance(example, float):
        if type(value) is not type(example):
            raise TypeError(f"{key} must be a {type(example).__name__}, not "
                            f"{type(value).__name__}")  # fmt: skip
        return value
    if isinstance(example, float) or value is not None:
        return finite_number(key, value)
    return value


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(last_epoch), as ``torch.optim.lr_scheduler.LambdaLR``;
    ``lr_lambda`` is one function for every group, or a list with one per group
    (``lambda epoch: min(1.0, (epoch + 1) / 5)`` warms up over 5 epochs).  Its state
    dict leaves the functions out."""

    _STATELESS = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Any, lr_lambda: Callable[[int], float] | list[Callable],
                 last_epoch: int = -1) -> None:  # fmt: skip
        count = len(_groups(optimizer, "LambdaLR"))
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * count
        if len(lambdas) != count:
            raise ValueError(f"LambdaLR: expected {count} lr_lambdas (one per parameter group), "
                             f"received {len(lambdas)}")  # fmt: skip
        for k, function in enumerate(lambdas):
            if not callable(function):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, not "
                                f"{type(function).__name__} (group {k})")  # fmt: skip
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * _factor(f, self.last_epoch)
                for f, base_lr in zip(self.lr_lambdas, self.base_lrs)]  # fmt: skip


def _factor(function: Callable[[int], Any], epoch: int) -> float:
    factor = as_number(function(epoch))
    return finite_number(f"LambdaLR: lr_lambda({epoch})", factor)


class StepLR(LRScheduler):
    """lr <- lr * gamma every ``step_size`` epochs, as ``torch.optim.lr_scheduler.StepLR``:
    base_lr * gamma^(epoch // step_size)."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:  # fmt: skip
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _check(self) -> None:
        super()._check()
        whole_number("StepLR: step_size", self.step_size)
        self.gamma = non_negative("StepLR: gamma", self.gamma)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """lr <- lr * gamma at each epoch of ``milestones``, as
    ``torch.optim.lr_scheduler.MultiStepLR`` (gamma^k at a milestone listed k times)."""

    def __init__(self, optimizer: Any, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:  # fmt: skip
        if not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs, not "
                            f"{type(milestones).__name__}")  # fmt: skip
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _check(self) -> None:
        super()._check()
        for milestone in self.milestones:
            whole_number("MultiStepLR: a milestone", milestone, minimum=0)
        self.gamma = non_negative("MultiStepLR: gamma", self.gamma)

    def _restored(self, key: str, value: Any) -> Any:
        return Counter(value) if key == "milestones" else value

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """lr <- lr * gamma every epoch, as ``torch.optim.lr_scheduler.ExponentialLR``."""

    def __init__(self, optimizer: Any, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _check(self) -> None:
        super()._check()
        self.gamma = non_negative("ExponentialLR: gamma", self.gamma)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from base_lr down to ``eta_min`` over ``T_max`` epochs, as
    ``torch.optim.lr_scheduler.CosineAnnealingLR``:

        lr_t = eta_min + (base_lr - eta_min) (1 + cos(pi t / T_max)) / 2

    computed as torch computes it, from the previous lr:
    lr_t = eta_min + (lr_(t-1) - eta_min) (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max)),
    so the floats are torch's (past T_max it rises again, as torch's does)."""

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:  # fmt: skip
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _check(self) -> None:
        super()._check()
        whole_number("CosineAnnealingLR: T_max", self.T_max)
        self.eta_min = non_negative("CosineAnnealingLR: eta_min", self.eta_min)

    def get_lr(self) -> list[float]:
        t, T, low = self.last_epoch, self.T_max, self.eta_min
        lrs = self._current_lrs()
        if self._is_initial:
            return lrs
        if self._step_count == 1 and t > 0:
            return [low + (base - low) * (1 + math.cos(t * math.pi / T)) / 2
                    for base in self.base_lrs]  # fmt: skip
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (base - low) * (1 - math.cos(math.pi / T)) / 2
                    for base, lr in zip(self.base_lrs, lrs)]  # fmt: skip
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - low) + low for lr in lrs]  # fmt: skip


class ReduceLROnPlateau(LRScheduler):
    """Divide the lr when a metric stops improving, as
    ``torch.optim.lr_scheduler.ReduceLROnPlateau``: ``step(metric)`` after each epoch
    (the validation loss, say).  A metric better than the best so far -- below
    best * (1 - threshold) in mode 'min' with threshold_mode 'rel'; below
    best - threshold with 'abs'; above in mode 'max' -- resets the count of bad epochs;
    when the count exceeds ``patience``, each group's lr becomes
    max(lr * factor, min_lr) (if that lowers it by more than ``eps``) and ``cooldown``
    epochs follow in which bad epochs are not counted."""

    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0.0,
                 eps: float = 1e-8) -> None:  # fmt: skip
        groups = _groups(optimizer, "ReduceLROnPlateau")
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * len(groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._check()
        self.best = self._worst()
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _check(self) -> None:
        where = "ReduceLROnPlateau"
        if self.mode not in ("min", "max"):
            raise ValueError(f"{where}: mode must be 'min' or 'max', not {self.mode!r}")
        if self.threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{where}: threshold_mode must be 'rel' or 'abs', not "
                             f"{self.threshold_mode!r}")  # fmt: skip
        self.factor = non_negative(f"{where}: factor", self.factor)
        if self.factor >= 1.0:
            raise ValueError(f"{where}: factor must be < 1 (the lr is multiplied by it), "
                             f"received {self.factor}")  # fmt: skip
        whole_number(f"{where}: patience", self.patience, minimum=0)
        whole_number(f"{where}: cooldown", self.cooldown, minimum=0)
        self.threshold = non_negative(f"{where}: threshold", self.threshold)
        self.eps = non_negative(f"{where}: eps", self.eps)
        if self.default_min_lr is not None:
            self.default_min_lr = non_negative(f"{where}: min_lr", self.default_min_lr)
        count = len(self.optimizer.param_groups)
        if len(self.min_lrs) != count:
            raise ValueError(f"{where}: expected {count} min_lrs (one per parameter group), "
                             f"received {len(self.min_lrs)}")  # fmt: skip
        self.min_lrs = [non_negative(f"{where}: min_lr", lr) for lr in self.min_lrs]

    def _worst(self) -> float:
        return math.inf if self.mode == "min" else -math.inf

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """One epoch with this value of the monitored metric (a number, or a Value)."""
        current = as_number(metrics)
        if isinstance(current, bool) or not isinstance(current, Real):
            raise TypeError(f"ReduceLROnPlateau.step takes the metric (a number), not "
                            f"{type(metrics).__name__}")  # fmt: skip
        if not math.isfinite(current):
            raise ValueError(f"ReduceLROnPlateau.step: the metric must be a finite number, "
                             f"received {current} (has the loss diverged?)")  # fmt: skip
        current = float(current)
        self.last_epoch += 1
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = self._current_lrs()

    def _is_better(self, a: float) -> bool:
        best, threshold = self.best, self.threshold
        if self.mode == "min":
            return a < best * (1.0 - threshold) if self.threshold_mode == "rel" else \
                a < best - threshold  # fmt: skip
        return a > best * (threshold + 1.0) if self.threshold_mode == "rel" else \
            a > best + threshold  # fmt: skip

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a group was added since
            if self.default_min_lr is None:
                raise ValueError(f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter "
                                 f"groups now, {len(self.min_lrs)} when it was created: set "
                                 "min_lrs to one lr per group")  # fmt: skip
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = group["lr"]
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def state_dict(self) -> dict[str, Any]:
        """As :meth:`LRScheduler.state_dict`; ``best`` is None before the first step
        (torch's inf, which JSON cannot hold)."""
        state = super().state_dict()
        state["best"] = None if math.isinf(self.best) else self.best
        return state

    def _restored(self, key: str, value: Any) -> Any:
        return self._worst() if key == "best" and value is None else value
