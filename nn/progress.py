"""The progress bar of :func:`nn.fit`: a notebook widget in Jupyter where ipywidgets is
installed (the ``notebook`` extra), plain text elsewhere, and never a warning.

tqdm's own choice (``tqdm.auto``) warns "IProgress not found" as soon as it is imported
in a kernel without ipywidgets, and its text bar goes to stderr, which a notebook shows
as a red box; here the bar is chosen when one is made, from what is really there.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any


def in_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook, JupyterLab, VS Code), not in a terminal."""
    if "ipykernel" not in sys.modules:  # only a kernel imports it: a quick no elsewhere
        return False
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def has_widgets() -> bool:
    """Whether ipywidgets, which draws a notebook's progress bar, can be imported."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def progress_bar(iterable: Iterable, **options: Any) -> Any:
    """``tqdm(iterable, **options)``: the widget bar in a notebook with ipywidgets, a text
    bar on stdout in a notebook without it, the usual text bar on stderr elsewhere."""
    if options.get("disable") or not in_kernel():
        from tqdm.std import tqdm
    elif has_widgets():
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm

        options.setdefault("file", sys.stdout)
    return tqdm(iterable, **options)
