"""What Python finds under chaingrad's package names, and what to do when it is not chaingrad.

chaingrad's packages import each other by their plain names (``viz`` imports ``nn`` and
``autograd``), so whatever Python finds first under one of those names is used: a
learner's own ``nn.py`` in the working folder, another ``autograd`` (HIPS autograd: pip
installs both into one ``autograd`` folder, the last one's ``__init__.py`` winning), or
nothing at all in a Python that lacks chaingrad's dependencies (``python3 -m viz`` outside
the project's environment).  :func:`require` imports what a package stands on and checks
each of chaingrad's packages by its mark (``__chaingrad__``); otherwise one ImportError
names the file that hides the package, or the Python that lacks a dependency, and what to
do.  ``nn`` and ``viz`` run it before anything else (their ``_packages`` modules).

This module needs nothing but the standard library, so they can read it from beside
themselves (:func:`runpy.run_path`) when ``autograd`` itself is hidden.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
import types
import warnings
from pathlib import Path

PACKAGES = ("autograd", "nn", "viz")
MARK = "__chaingrad__"  # True in the __init__ of each of chaingrad's packages
ROOT = Path(__file__).resolve().parents[1]  # the folder that holds chaingrad's packages


def require(user: str, *names: str) -> None:
    """Import ``names`` for chaingrad's package ``user``; ImportError (named ``user``,
    so ``python -m`` prints it as one line) saying what hides one of chaingrad's packages
    or which dependency this Python lacks, and what to do."""
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise _cannot_start(user, _why(name, error)) from None
        if name in PACKAGES and getattr(module, MARK, None) is not True:
            raise _cannot_start(user, _hidden(name, module))


def _cannot_start(user: str, reason: str) -> ImportError:
    """The one ImportError of :func:`require`; it keeps ``reason`` so that a package
    importing ``user`` passes the same reason on (an attribute, not a class: each
    package reads its own copy of this module)."""
    error = ImportError(f"chaingrad's {user} cannot start: {reason}", name=user)
    error.chaingrad_reason = reason  # type: ignore[attr-defined]
    return error


class HiddenPackageWarning(UserWarning):
    """A learner's file or folder stands where one of chaingrad's packages should be."""


def warn_if_hidden(*names: str) -> None:
    """Warn, naming the file and what to do, when what Python would import as one of
    ``names`` is not chaingrad's: ``import autograd`` runs it for ``nn`` and ``viz``, so a
    learner's own ``viz.py`` is named before their ``from viz import draw_dot`` fails (the
    engine cannot see that import itself; nothing is imported here, only looked up)."""
    if _origin(sys.modules.get("viz")) == ROOT / "viz":
        return  # chaingrad's viz is starting: its own check names what hides nn, once
    for name in names:
        found = sys.modules.get(name)
        if found is None:
            try:
                found = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                continue
        origin = _origin(found)
        if origin and origin != ROOT / name:  # no origin: a namespace package, no harm
            frame = _learners_frame()
            warnings.warn_explicit(_hidden(name, found), HiddenPackageWarning,
                                   frame.f_code.co_filename, frame.f_lineno)  # fmt: skip


def _learners_frame() -> types.FrameType:
    """The learner's line that started the import: the first frame outside chaingrad's
    packages and Python's import machinery (so the warning shows that line)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and _is_import_machinery(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def _is_import_machinery(filename: str) -> bool:
    """True for chaingrad's own files and Python's importlib (frozen or not)."""
    if filename.startswith("<frozen "):
        return True
    path = Path(filename).resolve()
    return path.parent.name == "importlib" or any(
        path.is_relative_to(ROOT / name) for name in PACKAGES)  # fmt: skip


def _origin(found: object) -> Path | None:
    """The folder a module or spec comes from (a package's own folder), if any."""
    origin = getattr(found, "__file__", None) or getattr(found, "origin", None)
    return Path(origin).resolve().parent if origin else None


def _why(name: str, error: ImportError) -> str:
    """Why importing ``name`` failed, and what to do."""
    if reason := getattr(error, "chaingrad_reason", None):
        return reason  # chaingrad's package ``name`` could not start: say why once
    missing = (error.name or "").partition(".")[0]
    if isinstance(error, ModuleNotFoundError) and missing and missing not in PACKAGES:
        return _lacking(missing)
    found = sys.modules.get(name)
    if found is not None and getattr(found, MARK, None) is not True:
        return _hidden(name, found)
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if _origin(spec) not in (None, ROOT / name):
        return _hidden(name, spec)
    return f"importing {name} failed ({error}); reinstall chaingrad in its own environment"


def _lacking(dependency: str) -> str:
    """A dependency this Python does not have: which Python to use instead."""
    python = ROOT / ".venv" / "bin" / "python"
    if python.exists():  # a clone set up by `make demo`: name its environment
        here = os.path.relpath(python.parent) if python.is_relative_to(Path.cwd()) else str(
            python.parent)  # fmt: skip
        return (f"this Python ({sys.executable}) does not have {dependency}, which chaingrad "
                f"needs. Use chaingrad's environment: {here}/python (e.g. {here}/python -m "
                f"viz ...) or the chaingrad command, {here}/chaingrad")  # fmt: skip
    return (f"this Python ({sys.executable}) does not have {dependency}, which chaingrad "
            f"needs. Run chaingrad with the Python of the environment it is installed in, "
            f"or install chaingrad and its dependencies for this one")  # fmt: skip


def _hidden(name: str, found: object) -> str:
    """What stands where chaingrad's package ``name`` should be (a module or a spec)."""
    origin = getattr(found, "__file__", None) or getattr(found, "origin", None)
    if not origin:
        return (f"the {name} that Python finds is not chaingrad's ({found!r}); rename what "
                f"is called {name} in the working folder, or use an environment of its own")
    path = Path(origin)
    others = [d for d in importlib.metadata.packages_distributions().get(name, [])
              if d.lower() != "chaingrad"]  # fmt: skip
    if path.name == "__init__.py" and others:
        return (f"the {name} that Python finds, {path.parent}, is another package's "
                f"({', '.join(others)}: pip installs it into the same folder as chaingrad's "
                f"{name}). chaingrad needs an environment without it: make a virtual "
                f"environment of its own (python3 -m venv), or pip uninstall "
                f"{' '.join(others)} and reinstall chaingrad")  # fmt: skip
    if path.name == "__init__.py":
        return (f"the folder {path.parent} hides chaingrad's package {name}: rename your "
                f"folder (e.g. my_{name})")  # fmt: skip
    return (f"{path} hides chaingrad's package {name} (Python imports a file of the "
            f"working folder first): rename your file, e.g. to my_{name}.py")
