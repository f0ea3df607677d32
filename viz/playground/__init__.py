"""The playground: watch a network learn.

- Replayed: :func:`training_html` writes a page that replays a finished ``nn.fit`` run
  recorded by :class:`Snapshots` (:mod:`viz.playground.replay`).
- Live: :class:`Playground` trains in a notebook, with TensorFlow Playground's controls,
  on a network it builds or on the learner's own model (:mod:`viz.playground.widget`,
  needs the ``notebook`` extra); ``python -m viz.playground`` serves the
  same playground as a page for a projector (:mod:`viz.playground.server`).

Both live hosts share the training (:mod:`.session`, which knows nothing of a view), the
setup that a link carries (:mod:`.state`), the data the views draw (:mod:`.frames`) and
one JavaScript front end (``playground.js``).
"""

from __future__ import annotations

from typing import Any

from .replay import Snapshots, boundary_grids, training_html
from .state import Setup

NOTEBOOK_INSTALL = ".venv/bin/pip install -e '.[notebook]' in chaingrad's clone"

__all__ = ["Playground", "Setup", "Snapshots", "boundary_grids", "main", "training_html"]


def main(argv: list[str] | None = None, prog: str = "python -m viz.playground") -> int:
    """``python -m viz.playground`` (and ``chaingrad playground``): serve the playground."""
    from .server import main as serve

    return serve(argv, prog)


def __getattr__(name: str) -> Any:
    """``Playground`` is imported when first asked for: it needs anywidget (the notebook
    extra), which nothing else here does."""
    if name == "Playground":
        try:
            from .widget import Playground
        except ImportError as error:
            raise ImportError(f"viz.Playground needs anywidget ({error}): "
                              f"{NOTEBOOK_INSTALL}") from None  # fmt: skip
        return Playground
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
