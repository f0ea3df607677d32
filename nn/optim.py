"""Optimizers with ``torch.optim``'s names, defaults and update formulas.

Each holds a list of parameters (Values) and updates ``p.data`` from ``p.grad`` in
``step()``.  ``lr`` is an ordinary attribute that may be changed between steps (a
learning-rate schedule); an invalid value raises ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd import Value

from .checks import finite_number, non_negative

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
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{owner}: parameter {i} is a {type(p).__name__}, not a Value")
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
        """Update every parameter once from its current ``grad``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr}


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
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0, received "
                             f"momentum={self.momentum}, dampening={self.dampening}")  # fmt: skip
        self.velocity: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            if mu:
                b = self.velocity[i]
                b = g if b is None else mu * b + (1.0 - self.dampening) * g
                self.velocity[i] = b
                g = g + mu * b if self.nesterov else b
            p.data -= lr * g

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov}  # fmt: skip


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
        self.m: list[float] = [0.0] * len(self.params)
        self.v: list[float] = [0.0] * len(self.params)

    def step(self) -> None:
        self.steps += 1
        beta1, beta2 = self.betas
        wd, eps, m, v = self.weight_decay, self.eps, self.m, self.v
        step_size = self.lr / (1.0 - beta1**self.steps)
        root_correction = math.sqrt(1.0 - beta2**self.steps)
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_correction + eps)

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}  # fmt: skip
