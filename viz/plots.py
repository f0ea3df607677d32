"""Training plots: loss and accuracy curves, and a 2-D decision boundary (matplotlib),
in English or Portuguese (``lang``: the ``plots`` section of the language tables).  The
classes have the playground's colours: class 0 red, class 1 blue.

matplotlib is optional (the ``plot`` extra: :data:`INSTALL`) and imported only when a plot
is drawn.  Figures are made without pyplot, so plotting never changes a notebook's
matplotlib backend or leaves figures open.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograd.files import write_atomic

from .i18n import check_lang, section

INSTALL = ".venv/bin/pip install -e '.[plot]' in chaingrad's clone (elsewhere: pip install " \
    "matplotlib)"


def _figure(**kwargs: Any):
    """A new matplotlib Figure; ImportError with the install command without matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(f"plots need matplotlib, which is not installed: {INSTALL}") from None
    return Figure(**kwargs)


def save_figure(fig: Any, path: str | os.PathLike) -> Path:
    """Save ``fig`` to ``path`` (format from the extension) durably: rendered in memory,
    then :func:`autograd.files.write_atomic`, so a failed save leaves the old file."""
    path = Path(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix[1:].lower() or None)
    write_atomic(path, buffer.getvalue())
    return path


def points_2d(X: Any, y: Sequence, where: str) -> np.ndarray:
    """X as an (n, 2) array of points with one label each in ``y``; ValueError otherwise."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{where} needs 2-D points, got shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels")
    return X


def plane(X: np.ndarray, resolution: int, margin: float = 0.1
          ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``resolution`` grid coordinates along each axis, covering the points X with a
    margin of ``margin`` x (their range + 1) on every side (0.1: 10% of the range, + 0.1)."""
    pad = margin * (X.max(axis=0) - X.min(axis=0) + 1.0)
    lows, highs = X.min(axis=0) - pad, X.max(axis=0) + pad
    xs, ys = (np.linspace(lo, hi, resolution) for lo, hi in zip(lows, highs))
    return xs, ys


def plot_history(history: Any, path: str | os.PathLike, lang: str = "en") -> Path:
    """Loss and accuracy per epoch, train and validation, saved to ``path``.

    ``history`` has lists ``train_loss``, ``train_accuracy``, ``val_loss`` and
    ``val_accuracy`` (empty ones are left out).  The image format follows the extension;
    ``lang`` ('en', 'pt-BR') is the language of the titles and legends.
    """
    words = section(check_lang(lang), "plots")
    panels = [
        (words["loss"], [(words["train"], "train_loss"), (words["validation"], "val_loss")]),
        (words["accuracy"], [(words["train"], "train_accuracy"),
                             (words["validation"], "val_accuracy")]),
    ]  # fmt: skip
    curves = [[(name, list(getattr(history, attr, None) or [])) for name, attr in series]
              for _, series in panels]  # fmt: skip
    if not any(values for panel in curves for _, values in panel):
        raise ValueError("plot_history: the history has no train_loss, train_accuracy, "
                         "val_loss or val_accuracy values")  # fmt: skip
    fig = _figure(figsize=(10, 4), layout="constrained")
    for ax, (title, _), panel in zip(fig.subplots(1, 2), panels, curves):
        for name, values in panel:
            if values:
                ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=name)
        ax.set(title=title, xlabel=words["epoch"])
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    return save_figure(fig, path)


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    path: str | os.PathLike,
    resolution: int = 60,
    threshold: float | None = None,
    lang: str = "en",
) -> Path:
    """The classes ``model`` predicts over the plane of 2-D data ``X``, with ``X`` on top.

    The classes are :func:`nn.predict`'s: 1 where a single output exceeds ``threshold``
    (default 0.5 after a sigmoid output, else 0), the arg-max of several outputs.
    ``resolution`` is the grid size per axis; the axes are x1 and x2, as in the pictures.
    """
    from nn import predict  # the classes exactly as nn.accuracy counts them

    words = section(check_lang(lang), "plots")

    X = points_2d(X, y, "plot_decision_boundary")
    fig = _figure(figsize=(6, 5), layout="constrained")
    ax = fig.subplots()
    xs, ys = plane(X, resolution)
    grid = np.array(predict(model, [(gx, gy) for gy in ys for gx in xs], threshold))
    grid = grid.reshape(len(ys), len(xs))
    levels = np.arange(max(int(grid.max()), 1) + 2) - 0.5  # one band per class, even if one
    # RdBu: red for class 0, blue for the highest class, as the playground draws them
    ax.contourf(xs, ys, grid, levels=levels, alpha=0.3, cmap="RdBu")
    ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y, dtype=float), cmap="RdBu",
               edgecolors="black", linewidths=0.5, s=20)  # fmt: skip
    ax.set(title=words["decision_boundary"], xlabel="x1", ylabel="x2")
    return save_figure(fig, path)
