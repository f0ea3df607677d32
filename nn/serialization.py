"""Saving and loading a module's weights as JSON (never pickle).

The file is one JSON object::

    {"format": "chaingrad.nn", "version": 1, "model": "MLP",
     "parameters": {"layers.0.neurons.0.w.0": 0.123, ...}}

Floats are written with ``repr`` precision, so a round trip is exact.  ``load``
reads and checks everything before it changes a weight: on any error (missing file,
truncated or corrupt JSON, wrong format or version, missing or extra names, non-numbers)
it raises and the module is left exactly as it was.
"""

from __future__ import annotations

import json
import os
from typing import Any

from autograd.files import read_json, write_atomic

from .checks import not_finite
from .module import Module, _listing

FORMAT = "chaingrad.nn"
VERSION = 1


def _check_module(module: Any, action: str) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{action} needs an nn.Module, not {type(module).__name__}")


def save(module: Module, path: str | os.PathLike) -> None:
    """Write ``module``'s state dict to ``path`` durably: a temporary file, fsynced,
    then renamed (:func:`autograd.files.write_atomic`), so neither a killed process nor
    a machine crash leaves a half-written file."""
    _check_module(module, "save")
    state = checked_state(module, "save")
    document = {"format": FORMAT, "version": VERSION, "model": type(module).__name__,
                "parameters": state}  # fmt: skip
    write_atomic(path, json.dumps(document, indent=1, allow_nan=False) + "\n")


def read_state(path: str | os.PathLike) -> dict[str, Any]:
    """The parameter dict stored in a file written by :func:`save`, after checking the
    format and version; ValueError naming the problem otherwise."""
    path = os.fspath(path)
    document = read_json(path, "load")
    check_format(document, path, FORMAT, "model", "load")
    state = document.get("parameters")
    if not isinstance(state, dict):
        raise ValueError(f"load: {path} has no 'parameters' object")
    return state


def load(module: Module, path: str | os.PathLike) -> None:
    """Set ``module``'s weights from a file written by :func:`save` (strict: the same
    parameter names).  On any error the weights are unchanged."""
    _check_module(module, "load")
    state = read_state(path)
    try:
        module.load_state_dict(state)
    except ValueError as error:
        raise ValueError(f"load: {os.fspath(path)}: {error}") from None


def checked_state(module: Module, action: str) -> dict[str, float]:
    """``module.state_dict()``, checked to hold only finite numbers (JSON has no others)."""
    state = module.state_dict()
    bad = not_finite(state)
    if bad:
        raise ValueError(f"{action}: {type(module).__name__} has parameters that are not "
                         f"finite numbers ({len(bad)}): {_listing(bad)}")  # fmt: skip
    return state


def check_format(document: Any, path: str | os.PathLike, format: str, kind: str,
                 action: str) -> None:  # fmt: skip
    """ValueError naming ``path`` unless ``document`` is a JSON object of ``format`` (a
    chaingrad ``kind`` file) and this :data:`VERSION`."""
    path = os.fspath(path)
    if not isinstance(document, dict):
        raise ValueError(f"{action}: {path} holds a JSON {type(document).__name__}, "
                         "expected an object")  # fmt: skip
    if document.get("format") != format:
        raise ValueError(f"{action}: {path} is not a chaingrad {kind} file "
                         f"(format {document.get('format')!r}, expected {format!r})")  # fmt: skip
    if document.get("version") != VERSION:
        raise ValueError(f"{action}: {path} has format version {document.get('version')!r}; "
                         f"this chaingrad reads version {VERSION}")  # fmt: skip
