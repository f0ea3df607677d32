"""Optimizers with ``torch.optim``'s names, defaults, update formulas and parameter groups.

An optimizer holds its parameters (Values) in ``param_groups``, a list of dicts, each
with its ``"params"`` and its own options, as in torch::

    SGD(model.parameters(), lr=0.1)                                 # one group
    SGD([{"params": a, "lr": 0.5}, {"params": b}], lr=0.01)         # b gets lr=0.01

An option a group leaves out is the constructor's (``defaults``); ``add_param_group``
adds a group later; ``group["lr"] = ...`` between steps changes a group's learning rate
(what :mod:`nn.optim.lr_scheduler` does), and ``opt.lr = ...`` sets every group's.
``step()`` updates ``p.data`` from ``p.grad`` for every parameter except, as in torch,
one whose ``grad`` is None (after ``zero_grad(set_to_none=True)``) or whose
``requires_grad`` is False (frozen): that one and its buffers are left alone.

The update formulas are written once, on numpy arrays, in ``_formula`` (one entry
per parameter, in the order of ``params``: the groups one after the other); ``step()``
gathers the Values' ``data`` and ``grad`` into arrays, calls :meth:`Optimizer.update`
and writes ``data`` back, and a compiled training step (:mod:`nn.compiled`) calls
``update`` on its own parameter array.  The buffers (momentum, Adam's moments and step
counts) are arrays held by the optimizer, shared by both.

``state_dict()`` has torch's layout, with a float where torch has a tensor (every
chaingrad parameter is one number) and parameters numbered across the groups::

    {"state": {0: {"momentum_buffer": 0.25}, 1: {...}, ...},
     "param_groups": [{"lr": 0.5, "momentum": 0.9, ..., "params": [0, 1]},
                      {"lr": 0.01, "momentum": 0.9, ..., "params": [2, 3, 4]}]}

A parameter has an entry in ``state`` once it has a buffer (SGD with momentum, or Adam,
after its first step).  ``load_state_dict`` checks everything before it changes
anything: on error the optimizer is left exactly as it was.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

import numpy as np

from autograd import Value

from . import lr_scheduler
from .checks import finite_number, non_negative, not_finite
from .module import Module, _zero_grads

# nn.optim.lr_scheduler, as torch.optim.lr_scheduler: `from nn.optim.lr_scheduler import
# StepLR` finds it here (as `import os.path` finds os's path module)
sys.modules[f"{__name__}.lr_scheduler"] = lr_scheduler

__all__ = ["SGD", "Adam", "Optimizer", "lr_scheduler"]

# keys a parameter group may hold besides "params" and the optimizer's options
# ("initial_lr": the lr a scheduler started from, as torch's schedulers set it)
GROUP_EXTRAS = ("initial_lr",)


def _as_groups(params: Any, owner: str) -> list[Any]:
    """The constructor's ``params`` as a list of parameter groups (dicts)."""
    if isinstance(params, Value):
        raise TypeError(f"{owner}: params must be an iterable of Values, not one Value")
    if isinstance(params, Module):
        raise TypeError(f"{owner}({type(params).__name__.lower()}): pass "
                        "model.parameters(), the model's weights, not the model itself")
    if isinstance(params, Mapping):
        raise TypeError(f"{owner}: put a parameter group in a list: "
                        f"{owner}([{{'params': ...}}], lr=...)")  # fmt: skip
    try:
        items = list(params)
    except TypeError:
        raise TypeError(f"{owner}: params must be model.parameters() (a list of Values) or a "
                        f"list of parameter groups, not {type(params).__name__}") from None
    if not items:
        raise ValueError(f"{owner}: got an empty parameter list")
    return items if isinstance(items[0], Mapping) else [{"params": items}]


def _param_list(params: Any, where: str) -> list[Value]:
    """A group's ``params`` (a Value, or an ordered iterable of Values) as a checked list."""
    if isinstance(params, Value):
        return [params]
    if isinstance(params, (set, frozenset)) or not isinstance(params, Iterable):
        raise TypeError(f"{where}: params must be a list of Values (an ordered collection), "
                        f"not {type(params).__name__}")  # fmt: skip
    params = list(params)
    if not params:
        raise ValueError(f"{where}: got an empty parameter list")
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        if isinstance(p, tuple) and len(p) == 2 and isinstance(p[1], Value):
            raise TypeError(f"{where}: parameter {i} is a (name, Value) pair: pass "
                            "model.parameters(), not model.named_parameters()")  # fmt: skip
        if not isinstance(p, Value):
            raise TypeError(f"{where}: parameter {i} is a {type(p).__name__}, not a Value")
        if seen.setdefault(id(p), i) != i:  # torch warns that this will be an error
            raise ValueError(f"{where}: parameter {i} is parameter {seen[id(p)]} again; "
                             "list each Value once")  # fmt: skip
    return params


class Optimizer:
    """Base class: parameter groups, ``zero_grad()``, ``step()`` and state dicts.

    A subclass gives its options' checks (``_checked_options``), its per-parameter
    buffers (``_BUFFERS``: array names and types) and its formula (``_formula``).
    """

    _BUFFERS: tuple[tuple[str, type], ...] = ()

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        owner = type(self).__name__
        self.defaults: dict[str, Any] = self._checked_options(defaults, owner)
        self.param_groups: list[dict[str, Any]] = []
        self._params: list[Value] = []
        self._spans: list[slice] = []  # where each group's parameters are in _params
        for name, kind in self._BUFFERS:
            setattr(self, name, np.zeros(0, dtype=kind))
        for group in _as_groups(params, owner):
            self.add_param_group(group)

    @staticmethod
    def _checked_options(options: dict[str, Any], where: str) -> dict[str, Any]:
        """The options checked (an error naming ``where`` and the option) and normalised."""
        return {"lr": non_negative(f"{where}: lr", options["lr"])}

    @property
    def params(self) -> list[Value]:
        """Every parameter, the groups one after the other (add more with
        :meth:`add_param_group`, not by changing this list)."""
        return self._params

    @property
    def lr(self) -> float:
        """The first group's learning rate (every group's, when they share one); setting
        it sets every group's."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        value = non_negative(f"{type(self).__name__}: lr", value)
        for group in self.param_groups:
            group["lr"] = value

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group: a dict with ``"params"`` (a Value or a list of Values, none of
        them already in this optimizer) and any options, the others from ``defaults``."""
        where = f"{type(self).__name__}: parameter group {len(self.param_groups)}"
        if not isinstance(param_group, Mapping):
            raise TypeError(f"{where} must be a dict, not {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{where} has no 'params' entry")
        params = _param_list(param_group["params"], where)
        options = _group_options(where, param_group, set(self.defaults))
        extras = {k: options.pop(k) for k in GROUP_EXTRAS if k in options}
        for name, value in extras.items():
            extras[name] = non_negative(f"{where}: {name}", value)
        options = self._checked_options({**self.defaults, **options}, where)
        held = {id(p): k for k, group in enumerate(self.param_groups) for p in group["params"]}
        again = next((i for i, p in enumerate(params) if id(p) in held), None)
        if again is not None:
            raise ValueError(f"{where}: parameter {again} is in parameter group "
                             f"{held[id(params[again])]} already; list each Value once")
        self.param_groups.append({"params": params, **options, **extras})
        start = len(self._params)
        self._params.extend(params)
        self._spans.append(slice(start, len(self._params)))
        for name, kind in self._BUFFERS:
            setattr(self, name, np.concatenate([getattr(self, name),
                                                np.zeros(len(params), dtype=kind)]))  # fmt: skip

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's ``grad`` to 0, or to None with ``set_to_none=True``
        (PyTorch's default is True: chaingrad keeps 0, a number a learner can print;
        ``step()`` skips a parameter whose grad is None)."""
        _zero_grads(self._params, set_to_none)

    def step(self) -> None:
        """Update every parameter once from its current ``grad`` (see :meth:`update`),
        skipping those whose ``grad`` is None or whose ``requires_grad`` is False."""
        params = self._params
        n = len(params)
        grads = [p.grad if p.requires_grad else None for p in params]  # None: left alone
        trainable = None  # all of them, the usual case
        if None in grads:
            trainable = [g is not None for g in grads]
            grads = [0.0 if g is None else g for g in grads]
        data = np.fromiter((p.data for p in params), float, n)
        self.update(data, self._grad_array(grads),
                    None if trainable is None else np.array(trainable))  # fmt: skip
        if trainable is None:
            for p, x in zip(params, data.tolist()):
                p.data = x
        else:
            for p, x, on in zip(params, data.tolist(), trainable):
                if on:
                    p.data = x

    def _grad_array(self, grads: list[Any]) -> np.ndarray:
        """The gradients as an array; a TypeError or ValueError naming the parameter for a
        grad that is not a finite number (backward never leaves one: set by hand)."""
        try:
            array = np.fromiter(grads, float, len(grads))
        except (TypeError, ValueError):
            array = None
        if array is None or not np.isfinite(array).all():
            i, g = next((i, g) for i, g in enumerate(grads)
                        if not isinstance(g, Real) or not math.isfinite(g))  # fmt: skip
            kind = TypeError if not isinstance(g, Real) else ValueError
            raise kind(f"{type(self).__name__}.step: parameter {i} has grad {g!r}, not a "
                       "finite number (backward never leaves one like this: was it set by "
                       "hand?)")  # fmt: skip
        return array

    def update(self, data: np.ndarray, grad: np.ndarray, active: np.ndarray | None = None
               ) -> None:  # fmt: skip
        """One step on arrays: ``data[i]`` (parameter i's value) updated in place from
        ``grad[i]`` by the formula of its group, the buffers advanced.  ``active`` (a
        bool array; None means all) marks the parameters to update: the others and
        their buffers are left alone.  OverflowError when a result overflows (or is
        inf - inf): the learning rate is too large for these gradients."""
        buffers = [getattr(self, name) for name, _ in self._BUFFERS]
        try:
            with np.errstate(over="raise", invalid="raise"):
                for group, span in zip(self.param_groups, self._spans):
                    lr = group["lr"]
                    if type(lr) is not float or not 0.0 <= lr < math.inf:  # set by hand
                        group["lr"] = non_negative(f"{type(self).__name__}: a parameter "
                                                   "group's lr", lr)  # fmt: skip
                    if active is None and len(self._spans) == 1:  # the usual case: one group
                        self._formula(group, data, grad, *buffers)
                    elif active is None or active[span].all():  # views: updated in place
                        self._formula(group, data[span], grad[span], *[b[span] for b in buffers])
                    elif active[span].any():  # copies of the active ones, written back
                        index = span.start + np.flatnonzero(active[span])
                        x, parts = data[index], [b[index] for b in buffers]
                        self._formula(group, x, grad[index], *parts)
                        data[index] = x
                        for b, part in zip(buffers, parts):
                            b[index] = part
        except FloatingPointError:
            raise OverflowError(f"{type(self).__name__}.step: the update overflows "
                                f"(lr={lr:g}): try a smaller learning rate") from None

    def _formula(self, group: dict[str, Any], x: np.ndarray, g: np.ndarray,
                 *buffers: np.ndarray) -> None:  # fmt: skip
        """The update of ``group``'s formula, in place on the parameters ``x`` (gradients
        ``g``) and their buffers (the arrays of ``_BUFFERS``, in that order)."""
        raise NotImplementedError

    def _buffers_copy(self) -> dict[str, np.ndarray]:
        """A copy of the buffers, for :meth:`_restore_buffers` (nn.fit's divergence guard)."""
        return {name: getattr(self, name).copy() for name, _ in self._BUFFERS}

    def _restore_buffers(self, saved: dict[str, np.ndarray]) -> None:
        for name, array in saved.items():
            setattr(self, name, array)

    def __repr__(self) -> str:
        shown = []
        for name in self.defaults:
            values = [group[name] for group in self.param_groups]
            same = all(value == values[0] for value in values)
            shown.append(f"{name}={values[0] if same else values!r}")
        groups = len(self.param_groups)
        where = f" in {groups} groups" if groups > 1 else ""
        return f"{type(self).__name__}({len(self._params)} parameters{where}, {', '.join(shown)})"

    # -- state dicts -----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The groups' options and the per-parameter buffers, in torch's layout (see the
        module docstring): JSON-serializable except that ``state``'s keys are ints."""
        groups = []
        for group, span in zip(self.param_groups, self._spans):
            options = {k: v for k, v in group.items() if k != "params"}
            groups.append({**options, "params": list(range(span.start, span.stop))})
        return {"state": self._buffers_state(), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Set the groups' options and the buffers from a :meth:`state_dict` (of an
        optimizer of this type with groups of the same sizes; ``state`` keys may be
        JSON's strings).

        Everything is checked first -- the layout, the groups and their parameter
        counts, every option (as the constructor checks it) and every buffer (a finite
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
        count = len(self.param_groups)
        if not isinstance(groups, (list, tuple)) or len(groups) != count:
            received = len(groups) if isinstance(groups, (list, tuple)) else type(groups).__name__
            raise ValueError(f"{where}: expected {count} parameter group"
                             f"{'s' if count > 1 else ''}, received {received}")  # fmt: skip
        restored = []
        for k, (saved, group, span) in enumerate(zip(groups, self.param_groups, self._spans)):
            options = _saved_group(f"{where}: parameter group {k}", saved, span,
                                   set(self.defaults))  # fmt: skip
            restored.append({**options, "params": group["params"]})
        try:
            fresh = type(self)(restored, **self.defaults)  # checks each option
        except (TypeError, ValueError) as error:
            raise type(error)(f"{where}: {error}") from None
        fresh._load_buffers(where, _indexed_state(where, state_dict.get("state", {}),
                                                  len(self._params)))  # fmt: skip
        vars(self).update(vars(fresh))

    def _group_of_each(self, name: str) -> list[Any]:
        """Option ``name`` of each parameter's group, in the order of ``params``."""
        return [group[name] for group in self.param_groups for _ in group["params"]]

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

    _BUFFERS = (("velocity", float), ("has_velocity", bool))  # b, and torch's "b is not None"

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:  # fmt: skip
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    @staticmethod
    def _checked_options(options: dict[str, Any], where: str) -> dict[str, Any]:
        checked = {"lr": non_negative(f"{where}: lr", options["lr"]),
                   "momentum": non_negative(f"{where}: momentum", options["momentum"]),
                   "dampening": finite_number(f"{where}: dampening", options["dampening"]),
                   "weight_decay": non_negative(f"{where}: weight_decay",
                                                options["weight_decay"])}  # fmt: skip
        nesterov = options["nesterov"]
        if not isinstance(nesterov, bool):  # bool("false") is True: refuse, don't guess
            raise TypeError(f"{where}: nesterov must be True or False, not {nesterov!r}")
        if nesterov and (checked["momentum"] <= 0.0 or checked["dampening"] != 0.0):
            raise ValueError(f"{where}: nesterov needs momentum > 0 and dampening 0, received "
                             f"momentum={checked['momentum']}, "
                             f"dampening={checked['dampening']}")  # fmt: skip
        return {**checked, "nesterov": nesterov}

    def _formula(self, group: dict[str, Any], x: np.ndarray, g: np.ndarray,
                 velocity: np.ndarray, has_velocity: np.ndarray) -> None:  # fmt: skip
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd:
            g = g + wd * x
        if mu:
            b = np.where(has_velocity, mu * velocity + (1.0 - group["dampening"]) * g, g)
            velocity[...], has_velocity[...] = b, True
            g = g + mu * b if group["nesterov"] else b
        x -= lr * g

    def _buffers_state(self) -> dict[int, dict[str, Any]]:
        buffers = zip(self.velocity.tolist(), self.has_velocity.tolist())
        return {i: {"momentum_buffer": b} for i, (b, has) in enumerate(buffers) if has}

    def _load_buffers(self, where: str, state: dict[int, Mapping[str, Any]]) -> None:
        momentum = self._group_of_each("momentum")
        without = [i for i in state if not momentum[i]]
        if without:
            raise ValueError(f"{where}: SGD without momentum keeps no buffers, received a "
                             f"momentum buffer for parameter {without[0]}")  # fmt: skip
        for i, entry in state.items():
            self.velocity[i] = _buffer(where, i, entry, ("momentum_buffer",))["momentum_buffer"]
            self.has_velocity[i] = True


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (amsgrad off).  On a parameter's step t = 1, 2, ...
    (each parameter counts its own steps, as in torch) with g = grad + weight_decay * p:

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        p <- p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    _BUFFERS = (("m", float), ("v", float), ("steps", np.int64))

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:  # fmt: skip
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay})  # fmt: skip

    @staticmethod
    def _checked_options(options: dict[str, Any], where: str) -> dict[str, Any]:
        betas = options["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{where}: betas must be a pair of numbers, not {betas!r}")
        for k, beta in enumerate(betas):
            beta = finite_number(f"{where}: betas[{k}]", beta)
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{where}: betas[{k}] must be in [0, 1), received {beta}")
        return {"lr": non_negative(f"{where}: lr", options["lr"]),
                "betas": (float(betas[0]), float(betas[1])),
                "eps": non_negative(f"{where}: eps", options["eps"]),
                "weight_decay": non_negative(f"{where}: weight_decay",
                                             options["weight_decay"])}  # fmt: skip

    def _formula(self, group: dict[str, Any], x: np.ndarray, g: np.ndarray, m: np.ndarray,
                 v: np.ndarray, steps: np.ndarray) -> None:  # fmt: skip
        beta1, beta2 = group["betas"]
        wd, eps = group["weight_decay"], group["eps"]
        steps += 1
        step_size, root_correction = _corrections(group["lr"], beta1, beta2, steps)
        if wd:
            g = g + wd * x
        m[...] = beta1 * m + (1.0 - beta1) * g
        v[...] = beta2 * v + (1.0 - beta2) * g * g
        x -= step_size * m / (np.sqrt(v) / root_correction + eps)

    def _buffers_state(self) -> dict[int, dict[str, Any]]:
        buffers = zip(self.steps.tolist(), self.m.tolist(), self.v.tolist())
        return {i: {"step": t, "exp_avg": m, "exp_avg_sq": v}
                for i, (t, m, v) in enumerate(buffers) if t}  # fmt: skip

    def _load_buffers(self, where: str, state: dict[int, Mapping[str, Any]]) -> None:
        for i, entry in state.items():
            entry = _buffer(where, i, entry, ("step", "exp_avg", "exp_avg_sq"))
            if not entry["step"].is_integer() or entry["step"] < 1:
                raise ValueError(f"{where}: the step of parameter {i} must be a whole number "
                                 f">= 1, received {entry['step']}")  # fmt: skip
            if entry["exp_avg_sq"] < 0.0:
                raise ValueError(f"{where}: exp_avg_sq must be >= 0 (a mean of squares), "
                                 f"received {entry['exp_avg_sq']} for parameter {i}")
            self.steps[i] = entry["step"]
            self.m[i], self.v[i] = entry["exp_avg"], entry["exp_avg_sq"]


def _corrections(lr: float, beta1: float, beta2: float, steps: np.ndarray
                 ) -> tuple[float | np.ndarray, float | np.ndarray]:  # fmt: skip
    """Adam's lr / (1 - beta1^t) and sqrt(1 - beta2^t) for each parameter's step count t,
    in Python's float arithmetic: two floats when every t is the same (the usual case)."""
    first = int(steps[0])
    if (steps == first).all():
        return lr / (1.0 - beta1**first), math.sqrt(1.0 - beta2**first)
    by_t = {t: (lr / (1.0 - beta1**t), math.sqrt(1.0 - beta2**t)) for t in set(steps.tolist())}
    pairs = np.array([by_t[t] for t in steps.tolist()])
    return pairs[:, 0], pairs[:, 1]


# torch's flags that chaingrad's optimizers do not have, at the value that means "off"
TORCH_DEFAULTS = {"maximize": False, "foreach": None, "differentiable": False,
                  "fused": None, "capturable": False, "amsgrad": False,
                  "decoupled_weight_decay": False}  # fmt: skip


def _group_options(where: str, group: Mapping[str, Any], names: set[str]) -> dict[str, Any]:
    """A group's entries besides ``"params"``: options among ``names`` and GROUP_EXTRAS;
    torch's flags at their defaults are dropped; anything else is an error."""
    flags = {k: v for k, v in group.items() if k in TORCH_DEFAULTS and k not in names}
    changed = [f"{k}={v!r}" for k, v in flags.items() if v != TORCH_DEFAULTS[k]]
    if changed:
        raise ValueError(f"{where}: not supported by chaingrad: {', '.join(changed)}")
    options = {k: v for k, v in group.items() if k != "params" and k not in flags}
    unknown = sorted(set(options) - names - set(GROUP_EXTRAS), key=str)
    if unknown:
        raise ValueError(f"{where}: unknown option{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}; the options are "
                         f"{', '.join(sorted(names))}")  # fmt: skip
    return options


def _saved_group(where: str, group: Any, span: slice, names: set[str]) -> dict[str, Any]:
    """A saved parameter group's options, checked to be all of ``names`` (plus
    GROUP_EXTRAS and torch's flags at their defaults) over the parameters of ``span``."""
    if not isinstance(group, Mapping):
        raise TypeError(f"{where} must be a dict, not {type(group).__name__}")
    params = group.get("params")
    expected = list(range(span.start, span.stop))
    if not isinstance(params, (list, tuple)) or list(params) != expected:
        shown = f"{len(params)} parameters" if isinstance(params, (list, tuple)) else repr(params)
        raise ValueError(f"{where} must list the parameters {span.start} .. {span.stop - 1} "
                         f"of this optimizer ({len(expected)}), received {shown}")
    options = _group_options(where, group, names)
    missing = sorted(names - set(options))
    if missing:
        raise ValueError(f"{where}: options missing {missing} (a state dict of another "
                         "optimizer?)")  # fmt: skip
    return options


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
