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
            raise ImportError(f"chaingrad's {user} cannot start: {_why(name, error)}",
                              name=user) from None  # fmt: skip
        if name in PACKAGES and getattr(module, MARK, None) is not True:
            raise ImportError(f"chaingrad's {user} cannot start: {_hidden(name, module)}",
                              name=user)  # fmt: skip


def _why(name: str, error: ImportError) -> str:
    """Why importing ``name`` failed, and what to do."""
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
    if spec is not None and spec.origin and Path(spec.origin).parent != ROOT / name:
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
