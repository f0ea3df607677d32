"""Checkpoints: a model, its optimizer and how far training got, in one JSON file.

::

    {"format": "chaingrad.checkpoint", "version": 1, "model": "MLP",
     "parameters": {"layers.0.neurons.0.w.0": 0.123, ...},     # model.state_dict()
     "optimizer": {"type": "SGD", "state": {...}, "param_groups": [...]},  # or null
     "epoch": 5,                                               # epochs completed
     "history": {"train_loss": [...], ...},                    # nn.History, or null
     "random": {"fit": [3, [...625 ints...], null],            # random.Random states
                "dropout": {"1": [...]}, "global": null},
     "early_stopping": null,                                   # nn.fit's bookkeeping
     "scheduler": {"type": "StepLR", "last_epoch": 5, ...}}    # or null

The file is written durably (:func:`autograd.files.write_atomic`: a temporary file,
fsynced, renamed), so a killed save leaves the previous checkpoint intact.
Loading reads and checks the whole file first; on any error (ValueError naming the
file and the entry) the model, the optimizer and every random generator are left
exactly as they were.  ``nn.fit(..., checkpoint=path)`` writes one after every epoch
and ``nn.fit(..., resume=path)`` continues from it: N epochs, then a resumed run up to
N + M epochs, give bit for bit the weights of N + M epochs straight (same seed), since
the shuffling generator, every Dropout generator, the optimizer's buffers, the epoch
(so the lr schedule's position), the scheduler's state and the history are all
restored.  A file without a "scheduler" entry (written before there was one) reads as
if it were null.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
from collections.abc import Mapping
from typing import Any

from autograd.files import read_json, write_atomic

from .checks import is_finite_number
from .layers import Dropout
from .lr_scheduler import LRScheduler
from .module import Module, names_before_torchs
from .optim import Optimizer
from .serialization import VERSION, _check_module, check_format, checked_state

FORMAT = "chaingrad.checkpoint"
KEYS = ("format", "version", "model", "parameters", "optimizer", "epoch", "history",
        "random", "early_stopping", "scheduler")  # fmt: skip
OPTIONAL = ("scheduler",)  # may be missing: files from before it was saved


def save_checkpoint(path: str | os.PathLike, model: Module, optimizer: Optimizer | None = None,
                    *, epoch: int = 0, history: Any = None, rng: random.Random | None = None,
                    scheduler: LRScheduler | None = None) -> None:  # fmt: skip
    """Write ``model``'s weights, ``optimizer``'s state (:meth:`~nn.optim.Optimizer.state_dict`),
    the number of epochs done, ``history`` (an :class:`nn.History`), the state of ``rng``
    (a ``random.Random`` you shuffle with), of every Dropout's generator and of
    ``scheduler`` (an :mod:`nn.optim.lr_scheduler` scheduler) to ``path``."""
    _save(path, model, optimizer, epoch, history, rng, None, scheduler)


def load_checkpoint(path: str | os.PathLike, model: Module, optimizer: Optimizer | None = None,
                    *, history: Any = None, rng: random.Random | None = None,
                    scheduler: LRScheduler | None = None) -> int:  # fmt: skip
    """Set ``model``, ``optimizer``, ``rng``, ``scheduler`` and the Dropout generators from
    a file of :func:`save_checkpoint`, fill ``history`` (an :class:`nn.History`) with the
    saved one, and return the number of epochs done.  All or nothing: on error nothing
    changes."""
    return _load(path, model, optimizer, history, rng, None, scheduler)


def save_run(path: str | os.PathLike, model: Module, optimizer: Optimizer, history: Any,
             rng: random.Random, monitor: Any, scheduler: LRScheduler | None) -> None:  # fmt: skip
    """What :func:`nn.fit` saves after an epoch (with its early-stopping ``monitor``)."""
    _save(path, model, optimizer, history.epochs, history, rng, monitor, scheduler)


def resume_run(path: str | os.PathLike, model: Module, optimizer: Optimizer, history: Any,
               rng: random.Random, monitor: Any, epochs: int,
               scheduler: LRScheduler | None) -> int:  # fmt: skip
    """Restore what :func:`save_run` saved; the epoch to continue from (``epochs``, so
    none are left, when early stopping had ended that run; a run that diverged saved its
    last good epoch, and resuming it replays the epoch that diverged)."""
    start = _load(path, model, optimizer, history, rng, monitor, scheduler,
                  action="fit(resume=...)", most_epochs=epochs)
    return epochs if history.stopped_epoch is not None else start


# -- writing -------------------------------------------------------------------------
def _save(path: str | os.PathLike, model: Module, optimizer: Optimizer | None, epoch: int,
          history: Any, rng: random.Random | None, monitor: Any,
          scheduler: LRScheduler | None) -> None:  # fmt: skip
    action = "save_checkpoint"
    _check_module(model, action)
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"{action}: optimizer must be an nn.optim optimizer, not "
                        f"{type(optimizer).__name__}")  # fmt: skip
    _whole(action, "epoch", epoch)
    document = {
        "format": FORMAT, "version": VERSION, "model": type(model).__name__,
        "parameters": checked_state(model, action),
        "optimizer": None if optimizer is None else
        {"type": type(optimizer).__name__, **optimizer.state_dict()},
        "epoch": epoch,
        "history": None if history is None else dataclasses.asdict(history),
        "random": {"fit": None if rng is None else _random_state(rng),
                   "dropout": {name: _random_state(g) for name, g in _dropout_generators(model)},
                   "global": _random_state(random) if _uses_global_random(model) else None},
        "early_stopping": None if monitor is None else _monitor_state(monitor),
        "scheduler": None if scheduler is None else
        {"type": type(scheduler).__name__, **scheduler.state_dict()},
    }  # fmt: skip
    try:
        text = json.dumps(document, allow_nan=False)  # one line: half the time of indent=1
    except ValueError as error:  # json refuses inf and NaN
        raise ValueError(f"{action}: {os.fspath(path)}: a number that is not finite in the "
                         f"optimizer state or the history: {error}") from None  # fmt: skip
    write_atomic(path, text + "\n")


def _random_state(generator: Any) -> list:
    version, internal, gauss = generator.getstate()
    return [version, list(internal), gauss]


def _monitor_state(monitor: Any) -> dict[str, Any]:
    return {"best": monitor.best if math.isfinite(monitor.best) else None,
            "best_epoch": monitor.best_epoch, "wait": monitor.wait,
            "best_parameters": monitor.best_state}  # fmt: skip


def _dropout_generators(model: Module) -> list[tuple[str, random.Random]]:
    """(name of the first Dropout using it, generator) for each Dropout's own generator."""
    found: dict[int, tuple[str, random.Random]] = {}
    for name, module in model.named_modules():
        generator = getattr(module, "_random", None) if isinstance(module, Dropout) else None
        if isinstance(generator, random.Random) and id(generator) not in found:
            found[id(generator)] = (name, generator)
    return list(found.values())


def _uses_global_random(model: Module) -> bool:
    """Whether a Dropout of ``model`` draws from Python's global ``random``."""
    return any(isinstance(m, Dropout) and m.p > 0.0 and m._random is random
               for m in model.modules())  # fmt: skip


# -- reading -------------------------------------------------------------------------
def _load(path: str | os.PathLike, model: Module, optimizer: Optimizer | None, history: Any,
          rng: random.Random | None, monitor: Any, scheduler: LRScheduler | None,
          action: str = "load_checkpoint", most_epochs: int | None = None) -> int:  # fmt: skip
    """Check the checkpoint at ``path`` whole, then restore it; its epoch count.  With
    ``most_epochs``, a checkpoint of more epochs than that is refused (before anything
    is restored)."""
    path = os.fspath(path)
    document = read_json(path, action)
    check_format(document, path, FORMAT, "checkpoint", action)
    try:
        restore = _checked(document, model, optimizer, history, rng, monitor, scheduler,
                           most_epochs)  # fmt: skip
    except (TypeError, ValueError) as error:
        raise ValueError(f"{action}: {path}: {error}") from None
    restore()
    return document["epoch"]


def _checked(document: dict[str, Any], model: Module, optimizer: Optimizer | None,
             history: Any, rng: random.Random | None, monitor: Any,
             scheduler: LRScheduler | None, most_epochs: int | None = None) -> Any:  # fmt: skip
    """Check every entry against the objects; a function that restores them all (and
    cannot fail).  The model, the optimizer and the scheduler check their own state
    dicts, so they are loaded here and put back if a later entry is wrong."""
    unexpected = sorted(set(document) - set(KEYS))
    missing = [key for key in KEYS if key not in document and key not in OPTIONAL]
    if missing or unexpected:
        raise ValueError(f"missing entries {missing}, unexpected entries {unexpected}")
    _whole("checkpoint", "epoch", document["epoch"])
    if most_epochs is not None and document["epoch"] > most_epochs:
        raise ValueError(f"it holds {document['epoch']} epochs, more than the {most_epochs} "
                         "asked for (epochs counts the whole run, resumed epochs included)")
    generators = _checked_generators(document["random"], model, rng)
    fields = _checked_history(document["history"], history) if history is not None else None
    saved_optimizer = document["optimizer"]
    if optimizer is not None:
        _check_type("optimizer", saved_optimizer, optimizer)
    saved_scheduler = document.get("scheduler")
    if scheduler is not None:
        _check_type("scheduler", saved_scheduler, scheduler)
    stopping = document["early_stopping"] if monitor is not None else None
    if stopping is not None:
        _checked_monitor(stopping)
    model_before = model.state_dict()
    optimizer_before = optimizer.state_dict() if optimizer is not None else None
    scheduler_before = scheduler.state_dict() if scheduler is not None else None
    try:
        if stopping is not None and stopping["best_parameters"] is not None:
            model.load_state_dict(stopping["best_parameters"])  # checked like the weights
        model.load_state_dict(document["parameters"])
        if optimizer is not None:
            optimizer.load_state_dict({k: v for k, v in saved_optimizer.items() if k != "type"})
        if scheduler is not None:
            scheduler.load_state_dict({k: v for k, v in saved_scheduler.items() if k != "type"})
    except (TypeError, ValueError):
        model.load_state_dict(model_before)
        if optimizer is not None:
            optimizer.load_state_dict(optimizer_before)
        if scheduler is not None:
            scheduler.load_state_dict(scheduler_before)
        raise

    def restore() -> None:
        for generator, state in generators:
            generator.setstate(state)
        if fields is not None:
            for name, value in fields.items():
                setattr(history, name, value)
        if stopping is not None:
            best = stopping["best"]
            monitor.best = math.inf if best is None else float(best)
            monitor.best_epoch, monitor.wait = stopping["best_epoch"], stopping["wait"]
            monitor.best_state = stopping["best_parameters"]

    return restore


def _check_type(entry: str, saved: Any, owner: Any) -> None:
    """ValueError unless ``saved`` is the state of an object of ``owner``'s type."""
    if not isinstance(saved, Mapping):
        raise ValueError(f"it holds no {entry} state")
    saved_type = saved.get("type")
    if saved_type != type(owner).__name__:
        raise ValueError(f"it holds the state of a {saved_type}, not of a "
                         f"{type(owner).__name__}")  # fmt: skip


def _whole(where: str, name: str, n: Any, optional: bool = False) -> None:
    if optional and n is None:
        return
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"{where}: {name} must be a whole number >= 0, received {n!r}")


def _checked_random_state(name: str, state: Any) -> tuple:
    """A JSON random state as ``random.Random.setstate`` takes it, checked on a scratch
    generator; ValueError naming ``name`` otherwise."""
    try:
        version, internal, gauss = state
        if not all(type(x) is int for x in internal):
            raise ValueError("non-integers in the state")
        checked = (version, tuple(internal), gauss)
        random.Random().setstate(checked)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"the random state {name!r} is not a state of random.Random "
                         f"({error})") from None  # fmt: skip
    return checked


def _checked_generators(saved: Any, model: Module, rng: random.Random | None) -> list:
    """(generator, state) pairs for fit's generator, each Dropout's and the global one."""
    if not isinstance(saved, Mapping) or set(saved) != {"fit", "dropout", "global"}:
        raise ValueError("'random' must have the entries 'fit', 'dropout' and 'global'")
    pairs = []
    if rng is not None:
        if saved["fit"] is None:
            raise ValueError("it holds no state of fit's shuffling generator (nn.fit(..., "
                             "checkpoint=path) saves it, save_checkpoint(..., rng=) too)")
        pairs.append((rng, _checked_random_state("fit", saved["fit"])))
    dropout = saved["dropout"]
    own = dict(_dropout_generators(model))
    if isinstance(dropout, Mapping) and set(dropout) != set(own):  # perhaps older names
        older = names_before_torchs(model, own)
        if set(dropout) == set(older):
            dropout = {older[name]: state for name, state in dropout.items()}
    if not isinstance(dropout, Mapping) or set(dropout) != set(own):
        shown = sorted(dropout) if isinstance(dropout, Mapping) else dropout
        raise ValueError(f"it holds the Dropout generators {shown}, the model has {sorted(own)}")
    pairs += [(own[name], _checked_random_state(name, dropout[name])) for name in own]
    if _uses_global_random(model):
        if saved["global"] is None:
            raise ValueError("the model's Dropout draws from Python's random, whose state "
                             "it does not hold")  # fmt: skip
        pairs.append((random, _checked_random_state("global", saved["global"])))
    return pairs


def _checked_history(saved: Any, history: Any) -> dict[str, Any]:
    """The saved history's fields, checked against ``history``'s (an nn.History)."""
    if not isinstance(saved, Mapping):
        raise ValueError("it holds no history")
    names = [f.name for f in dataclasses.fields(history)]
    if set(saved) != set(names):
        raise ValueError(f"the history has the entries {sorted(saved)}, expected {sorted(names)}")
    fields = {}
    for name in names:
        value = saved[name]
        if isinstance(getattr(history, name), list):
            if not isinstance(value, list) or not all(map(is_finite_number, value)):
                raise ValueError(f"history.{name} must be a list of finite numbers")
            fields[name] = [float(x) for x in value]
        else:
            _whole("history", name, value, optional=True)
            fields[name] = value
    return fields


def _checked_monitor(saved: Any) -> None:
    names = {"best", "best_epoch", "wait", "best_parameters"}
    if not isinstance(saved, Mapping) or set(saved) != names:
        raise ValueError(f"'early_stopping' must have the entries {sorted(names)}")
    if saved["best"] is not None and not is_finite_number(saved["best"]):
        raise ValueError(f"early_stopping.best must be a finite number, received {saved['best']!r}")
    _whole("early_stopping", "best_epoch", saved["best_epoch"], optional=True)
    _whole("early_stopping", "wait", saved["wait"])
