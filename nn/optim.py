"""Optimizers with ``torch.optim``'s names, defaults and update formulas.

Each holds a list of parameters (Values) and updates ``p.data`` from ``p.grad`` in
``step()``.  The update formulas are written once, on numpy arrays, in ``update(data,
grad)`` (one entry per parameter, in the order of ``params``); ``step()`` gathers the
Values' ``data`` and ``grad`` into arrays, calls it and writes ``data`` back, and a
compiled training step (:mod:`nn.compiled`) calls it on its own parameter array.  The
buffers (momentum, Adam's moments) are arrays held by the optimizer, shared by both.
``lr`` is an ordinary attribute that may be changed between steps (a learning-rate
schedule); an invalid value raises ValueError.

``state_dict()`` has torch's layout, with a float where torch has a tensor (every
chaingrad parameter is one number) and parameters named by their index::

    {"state": {0: {"momentum_buffer": 0.25}, 1: {...}, ...},
     "param_groups": [{"lr": 0.1, "momentum": 0.9, ..., "params": [0, 1, ...]}]}

A parameter has an entry in ``state`` once it has a buffer (SGD with momentum, or Adam,
after the first step).  ``load_state_dict`` checks everything before it changes
anything: on error the optimizer is left exactly as it was.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Value

from .checks import finite_number, non_negative, not_finite

__all__ = ["SGD", "Adam", "Optimizer"]


class Optimizer:
    """Base class: the parameter list, ``zero_grad()``, a validated ``lr``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        owner = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(f"{owner}: params must be an iterable of Values, not one Value")
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{owner}: got an empty parameter list")
        seen: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{owner}: parameter {i} is a {type(p).__name__}, not a Value")
            if seen.setdefault(id(p), i) != i:  # torch warns that this will be an error
                raise ValueError(f"{owner}: parameter {i} is parameter {seen[id(p)]} again; "
                                 "list each Value once")  # fmt: skip
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate (> 0); may be set between steps."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        value = finite_number(f"{type(self).__name__}: lr", value)
        if value <= 0.0:
            raise ValueError(f"{type(self).__name__}: lr must be > 0, received {value}")
        self._lr = value

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current ``grad`` (see :meth:`update`)."""
        n = len(self.params)
        data = np.fromiter((p.data for p in self.params), float, n)
        self.update(data, np.fromiter((p.grad for p in self.params), float, n))
        for p, x in zip(self.params, data.tolist()):
            p.data = x

    def update(self, data: np.ndarray, grad: np.ndarray) -> None:
        """One step on arrays: ``data[i]`` (parameter i's value) updated in place from
        ``grad[i]``, the buffers advanced; the formulas of the class docstring."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr}

    # -- state dicts -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The hyper-parameters and per-parameter buffers, in torch's layout (see the
        module docstring): JSON-serializable except that ``state``'s keys are ints."""
        group = {**self._settings(), "params": list(range(len(self.params)))}
        return {"state": self._buffers_state(), "param_groups": [group]}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Set the hyper-parameters and buffers from a :meth:`state_dict` (of an optimizer
        of this type over as many parameters; ``state`` keys may be JSON's strings).

        Everything is checked first -- the layout, the parameter count, every
        hyper-parameter (as the constructor checks it) and every buffer (a finite
        number) -- so on error (ValueError or TypeError naming the entry) nothing
        changes.  torch's extra flags are accepted at their defaults (``maximize``
        False, ...).
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a dict, not {type(state_dict).__name__}")
        extra = sorted(set(state_dict) - {"state", "param_groups"})
        if extra or "param_groups" not in state_dict:
            raise ValueError(f"{where}: expected the keys 'state' and 'param_groups', "
                             f"received {sorted(state_dict)}")  # fmt: skip
        groups = state_dict["param_groups"]
        if not isinstance(groups, (list, tuple)) or len(groups) != 1:
            count = len(groups) if isinstance(groups, (list, tuple)) else type(groups).__name__
            raise ValueError(f"{where}: expected one parameter group, received {count}")
        settings = _group_settings(where, groups[0], len(self.params), set(self._settings()))
        try:
            fresh = type(self)(self.params, **settings)  # checks each hyper-parameter
        except (TypeError, ValueError) as error:
            raise type(error)(f"{where}: {error}") from None
        fresh._load_buffers(where, _indexed_state(where, state_dict.get("state", {}),
                                                  len(self.params)))  # fmt: skip
        vars(self).update(vars(fresh))

    def _buffers_state(self) -> dict[int, dict[str, Any]]:
        """``state``: index -> that parameter's buffers (none in the base class)."""
        return {}

    def _load_buffers(self, where: str, state: dict[int, Mapping[str, Any]]) -> None:
        """Set the buffers from a checked ``state`` (this is a fresh optimizer)."""
        if state:
            raise ValueError(f"{where}: {type(self).__name__} keeps no per-parameter state, "
                             f"received state for {len(state)} parameters")  # fmt: skip


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    With g = grad + weight_decay * p, and a velocity buffer b (b = g on the first step):

        b <- momentum * b + (1 - dampening) * g          (if momentum > 0)
        d  = g + momentum * b  if nesterov  else  b      (d = g without momentum)
        p <- p - lr * d
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:  # fmt: skip
        super().__init__(params, lr)
        self.momentum = non_negative("SGD: momentum", momentum)
        self.dampening = finite_number("SGD: dampening", dampening)
        self.weight_decay = non_negative("SGD: weight_decay", weight_decay)
        if not isinstance(nesterov, bool):  # bool("false") is True: refuse, don't guess
            raise TypeError(f"SGD: nesterov must be True or False, not {nesterov!r}")
        self.nesterov = nesterov
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0, received "
                             f"momentum={self.momentum}, dampening={self.dampening}")  # fmt: skip
        self.velocity = np.zeros(len(self.params))  # b, where has_velocity
        self.has_velocity = np.zeros(len(self.params), dtype=bool)  # torch's buffer is not None

    def update(self, data: np.ndarray, grad: np.ndarray) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        g = grad + wd * data if wd else grad
        if mu:
            b = np.where(self.has_velocity, mu * self.velocity + (1.0 - self.dampening) * g, g)
            self.velocity, self.has_velocity[:] = b, True
            g = g + mu * b if self.nesterov else b
        data -= lr * g

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov}  # fmt: skip

    def _buffers_state(self) -> dict[int, dict[str, Any]]:
        buffers = zip(self.velocity.tolist(), self.has_velocity.tolist())
        return {i: {"momentum_buffer": b} for i, (b, has) in enumerate(buffers) if has}

    def _load_buffers(self, where: str, state: dict[int, Mapping[str, Any]]) -> None:
        if state and not self.momentum:
            raise ValueError(f"{where}: SGD without momentum keeps no buffers, received "
                             f"momentum buffers for {len(state)} parameters")  # fmt: skip
        for i, entry in state.items():
            self.velocity[i] = _buffer(where, i, entry, ("momentum_buffer",))["momentum_buffer"]
            self.has_velocity[i] = True


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (amsgrad off).  On step t = 1, 2, ... with
    g = grad + weight_decay * p:

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:  # fmt: skip
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair of numbers, not {betas!r}")
        for k, beta in enumerate(betas):
            beta = finite_number(f"Adam: betas[{k}]", beta)
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: betas[{k}] must be in [0, 1), received {beta}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = non_negative("Adam: eps", eps)
        self.weight_decay = non_negative("Adam: weight_decay", weight_decay)
        self.steps = 0
        self.m = np.zeros(len(self.params))
        self.v = np.zeros(len(self.params))

    def update(self, data: np.ndarray, grad: np.ndarray) -> None:
        self.steps += 1
        beta1, beta2 = self.betas
        wd, eps = self.weight_decay, self.eps
        step_size = self.lr / (1.0 - beta1**self.steps)
        root_correction = math.sqrt(1.0 - beta2**self.steps)
        g = grad + wd * data if wd else grad
        self.m = beta1 * self.m + (1.0 - beta1) * g
        self.v = beta2 * self.v + (1.0 - beta2) * g * g
        data -= step_size * self.m / (np.sqrt(self.v) / root_correction + eps)

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}  # fmt: skip

    def _buffers_state(self) -> dict[int, dict[str, Any]]:
        if not self.steps:
            return {}
        return {i: {"step": self.steps, "exp_avg": m, "exp_avg_sq": v}
                for i, (m, v) in enumerate(zip(self.m.tolist(), self.v.tolist()))}  # fmt: skip

    def _load_buffers(self, where: str, state: dict[int, Mapping[str, Any]]) -> None:
        if not state:
            return
        if len(state) != len(self.params):
            raise ValueError(f"{where}: Adam keeps one step count for all parameters; the "
                             f"state covers {len(state)} of {len(self.params)}")  # fmt: skip
        entries = {i: _buffer(where, i, e, ("step", "exp_avg", "exp_avg_sq"))
                   for i, e in state.items()}  # fmt: skip
        steps = {entry["step"] for entry in entries.values()}
        if len(steps) != 1 or not next(iter(steps)).is_integer() or min(steps) < 1:
            raise ValueError(f"{where}: Adam's step must be one whole number >= 1 for all "
                             f"parameters, received {sorted(steps)[:5]}")  # fmt: skip
        negative = [i for i, entry in entries.items() if entry["exp_avg_sq"] < 0.0]
        if negative:
            raise ValueError(f"{where}: exp_avg_sq must be >= 0 (a mean of squares), "
                             f"received {entries[negative[0]]['exp_avg_sq']} "
                             f"for parameter {negative[0]}")  # fmt: skip
        self.steps = int(steps.pop())
        for i, entry in entries.items():
            self.m[i], self.v[i] = entry["exp_avg"], entry["exp_avg_sq"]


# torch's flags that chaingrad's optimizers do not have, at the value that means "off"
TORCH_DEFAULTS = {"maximize": False, "foreach": None, "differentiable": False,
                  "fused": None, "capturable": False, "amsgrad": False,
                  "decoupled_weight_decay": False}  # fmt: skip


def _group_settings(where: str, group: Any, count: int, names: set[str]) -> dict[str, Any]:
    """A parameter group's hyper-parameters, checked to be exactly ``names`` (plus
    torch's flags at their defaults) over the parameters 0 .. count - 1."""
    if not isinstance(group, Mapping):
        raise TypeError(f"{where}: a parameter group must be a dict, not {type(group).__name__}")
    params = group.get("params")
    if not isinstance(params, (list, tuple)) or list(params) != list(range(count)):
        shown = f"{len(params)} parameters" if isinstance(params, (list, tuple)) else repr(params)
        raise ValueError(f"{where}: the parameter group must list the parameters "
                         f"0 .. {count - 1} of this optimizer ({count}), received {shown}")
    flags = {k: v for k, v in group.items() if k in TORCH_DEFAULTS and k not in names}
    changed = [f"{k}={v!r}" for k, v in flags.items() if v != TORCH_DEFAULTS[k]]
    if changed:
        raise ValueError(f"{where}: not supported by chaingrad: {', '.join(changed)}")
    settings = {k: v for k, v in group.items() if k != "params" and k not in flags}
    missing, unexpected = sorted(names - set(settings)), sorted(set(settings) - names)
    if missing or unexpected:
        raise ValueError(f"{where}: hyper-parameters missing {missing}, unexpected "
                         f"{unexpected} (a state dict of another optimizer?)")  # fmt: skip
    return settings


def _indexed_state(where: str, state: Any, count: int) -> dict[int, Mapping[str, Any]]:
    """``state`` with int keys (JSON's strings "0", "1", ... accepted), each < count."""
    if not isinstance(state, Mapping):
        raise TypeError(f"{where}: 'state' must be a dict, not {type(state).__name__}")
    indexed = {}
    for key, entry in state.items():
        index = int(key) if isinstance(key, str) and key.isdigit() else key
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise ValueError(f"{where}: 'state' key {key!r} is not a parameter index "
                             f"0 .. {count - 1}")  # fmt: skip
        if index in indexed:
            raise ValueError(f"{where}: 'state' has parameter {index} twice")
        indexed[index] = entry
    return indexed


def _buffer(where: str, index: int, entry: Any, names: tuple[str, ...]) -> dict[str, float]:
    """One parameter's buffers: exactly ``names``, each a finite number (as floats)."""
    if not isinstance(entry, Mapping) or set(entry) != set(names):
        shown = sorted(entry) if isinstance(entry, Mapping) else type(entry).__name__
        raise ValueError(f"{where}: the state of parameter {index} must have the keys "
                         f"{list(names)}, received {shown}")  # fmt: skip
    bad = not_finite(entry)
    if bad:
        raise ValueError(f"{where}: the state of parameter {index} has values that are "
                         f"not finite numbers: {', '.join(bad)}")  # fmt: skip
    return {k: float(v) for k, v in entry.items()}
