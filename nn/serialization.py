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

from .checks import is_finite_number
from .module import Module, _listing

FORMAT = "chaingrad.nn"
VERSION = 1


def _check_module(module: Any, action: str) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{action} needs an nn.Module, not {type(module).__name__}")


def save(module: Module, path: str | os.PathLike) -> None:
    """Write ``module``'s state dict to ``path`` (written to a temporary file first,
    then renamed, so an interrupted save never leaves a half-written file)."""
    document = {"format": FORMAT, "version": VERSION, "model": type(module).__name__,
                "parameters": checked_state(module, "save")}  # fmt: skip
    write_json_atomic(path, document)


def checked_state(module: Module, action: str) -> dict[str, float]:
    """``module.state_dict()``, checked to hold only finite numbers (JSON has no others)."""
    _check_module(module, action)
    state = module.state_dict()
    bad = [f"{name}={value!r}" for name, value in state.items() if not is_finite_number(value)]
    if bad:
        raise ValueError(f"{action}: {type(module).__name__} has parameters that are not "
                         f"finite numbers ({len(bad)}): {_listing(bad)}")  # fmt: skip
    return state


def write_json_atomic(path: str | os.PathLike, document: Any) -> None:
    """Write ``document`` as JSON to ``path`` through a temporary file and a rename, so
    an interrupted write never leaves a half-written file at ``path``."""
    text = json.dumps(document, indent=1, allow_nan=False)
    path = os.fspath(path)
    temporary = f"{path}.tmp{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; ValueError for a key given twice (json keeps the last)."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {twice!r} appears twice")
    return document


def read_json(path: str | os.PathLike, action: str = "load") -> dict[str, Any]:
    """The JSON object in ``path`` (strict: no NaN or Infinity, no key twice);
    ValueError starting with ``action`` and naming the file otherwise."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file, parse_constant=_reject_constant,
                                 object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as error:
        raise ValueError(f"{action}: {path} is not a text (JSON) file: {error}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{action}: {path} is not valid JSON (corrupt or truncated?): "
                         f"{error}") from None  # fmt: skip
    except ValueError as error:
        raise ValueError(f"{action}: {path}: {error}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{action}: {path} holds a JSON {type(document).__name__}, "
                         "expected an object")  # fmt: skip
    return document


def read_document(path: str | os.PathLike, format: str = FORMAT, kind: str = "model",
                  action: str = "load") -> dict[str, Any]:  # fmt: skip
    """:func:`read_json`, checked to carry ``format`` and this :data:`VERSION`."""
    document = read_json(path, action)
    if document.get("format") != format:
        raise ValueError(f"{action}: {os.fspath(path)} is not a chaingrad {kind} file "
                         f"(format {document.get('format')!r}, expected {format!r})")  # fmt: skip
    if document.get("version") != VERSION:
        raise ValueError(f"{action}: {os.fspath(path)} has format version "
                         f"{document.get('version')!r}; this chaingrad reads version {VERSION}")
    return document


def read_state(path: str | os.PathLike) -> dict[str, Any]:
    """The parameter dict stored in a file written by :func:`save`, after checking the
    format and version; ValueError naming the problem otherwise."""
    path = os.fspath(path)
    document = read_document(path)
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
