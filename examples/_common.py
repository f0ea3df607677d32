"""Small helpers shared by the examples: the command line, the output folder, optional plots.

Every example is a ``main(fast=False, out="out")`` function plus ``run(main)`` at the
bottom, so ``python examples/NAME.py [--fast] [--out DIR]`` and
``main(fast=True)`` from the test suite do the same thing.  ``--fast`` (or the
environment variable ``CHAINGRAD_FAST=1``) shrinks the training so the example
finishes in a second or two; the numbers it prints are then less polished.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from viz.plots import INSTALL, save_figure  # a durable save: the figures use viz's own

__all__ = ["PLOT_HINT", "figure", "out_dir", "plot", "run", "save_figure", "table", "wrote"]

PLOT_HINT = f"(matplotlib is not installed, so no plot: {INSTALL})"


def run(main: Callable[..., Any]) -> None:
    """Parse ``--fast`` / ``--out`` and call ``main``; the example's docstring is the help."""
    parser = argparse.ArgumentParser(description=main.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true",
                        default=os.environ.get("CHAINGRAD_FAST", "") not in ("", "0"),
                        help="a quick, smaller run (also: CHAINGRAD_FAST=1)")
    parser.add_argument("--out", default="out", help="folder for pictures (default: out)")
    args = parser.parse_args()
    main(fast=args.fast, out=args.out)


def out_dir(out: str | os.PathLike) -> Path:
    """The output folder, created if needed."""
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    return path


def wrote(what: str, path: str | os.PathLike) -> Path:
    """Tell the reader where a file went (relative to the current folder when possible)."""
    path = Path(path)
    try:
        shown = path.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = path
    print(f"  {what:<28} {shown}")
    return path


def plot(what: str, draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Path | None:
    """Call a plotting function; without matplotlib print a hint and return None.

    ``draw`` must return the path it wrote (``viz.plot_*`` and :func:`save_figure` do).
    """
    try:
        path = draw(*args, **kwargs)
    except ImportError:
        print(f"  {what:<28} {PLOT_HINT}")
        return None
    return wrote(what, path)


def figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6, 4)) -> tuple[Any, Any]:
    """A matplotlib Figure and its axes, without pyplot (ImportError without matplotlib)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots(nrows, ncols)


def table(rows: list[tuple], header: tuple[str, ...], fmt: str = "{:>10}") -> None:
    """Print rows under a header, each cell right-aligned; floats with 4 decimals."""
    def cell(x: Any) -> str:
        return fmt.format(f"{x:.4f}" if isinstance(x, float) else str(x))

    print("".join(cell(h) for h in header))
    for row in rows:
        print("".join(cell(x) for x in row))
