"""``training_html``: a self-contained page that replays a training run epoch by epoch.

Record the weights while training with a :class:`Snapshots` as ``nn.fit``'s callback::

    snapshots = viz.Snapshots(model, epochs=100)          # at most 60, evenly spaced
    history = nn.fit(model, X, y, ..., epochs=100, callback=snapshots)
    viz.training_html(model, X, y, history, "out/playground.html", snapshots=snapshots)

The page has a play/pause button and an epoch slider.  For the selected snapshot it
shows the decision boundary of a 2-D classifier as a heat map with the data over it,
the loss and accuracy curves with a marker at that epoch, and the network picture of
:func:`viz.draw_mlp` with that epoch's weights.  Regression and inputs of more than two
features get the curves and the network only, and the page says so.

The heat map is cheap: the model is compiled once (:func:`autograd.compile`) and each
snapshot's weights go through it as numpy matrix products over the whole grid, never
one scalar graph per grid point.  A cell's colour is the model's confidence: for one
output, the output itself after a sigmoid output, else sigmoid(2 (score - threshold));
for two outputs, softmax's probability of class 1; for more, the arg-max class.  The
page inlines everything (no network access) and is written to a temporary file first,
then renamed.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

import autograd
from autograd import Value
from autograd.files import write_atomic
from nn.checks import finite_number, whole_number
from nn.module import in_mode
from nn.training import decision_threshold, final_activation

from .. import mlp
from ..pages import fill_template, inline_svg
from ..plots import plane, points_2d

_TEMPLATE = "playground.html"
BINARY_COLOURS = (mlp.POSITIVE, mlp.NEGATIVE)  # class 0 blue, class 1 red
CLASS_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                 "#F0E442", "#000000")  # Okabe-Ito: colour-blind safe  # fmt: skip
MAX_SNAPSHOTS = 60
Frame = tuple[int, list[float], list[float]]  # (epoch, every parameter's data, its grad)


class Snapshots:
    """The model's weights (and gradients) before training and after chosen epochs:
    ``nn.fit``'s callback.

    Planned for ``epochs`` epochs, it keeps at most ``count`` snapshots, evenly spaced
    from epoch 0 (the weights when it is made, before training) to the last epoch,
    which is always kept -- also when training stops early.  ``frames`` holds
    (epoch, every parameter's data, its grad) tuples: the grads of an epoch are those
    of its last batch (at epoch 0, those the parameters hold when it is made: zero for a
    new model).
    """

    def __init__(self, model: Any, epochs: int, count: int = MAX_SNAPSHOTS) -> None:
        whole_number("Snapshots: epochs", epochs, minimum=0)
        whole_number("Snapshots: count", count)
        if not callable(getattr(model, "parameters", None)):
            raise TypeError(f"Snapshots: model must be an nn module (with parameters()), "
                            f"not {type(model).__name__}")  # fmt: skip
        self._params: list[Value] = list(model.parameters())
        if count == 1:
            self._planned = {epochs}
        else:
            self._planned = {round(i * epochs / (count - 1)) for i in range(count)}
        self.count = count
        self.frames: list[Frame] = []  # epoch 0 first
        if 0 in self._planned:
            self.frames.append(_frame(0, self._params))


    def __call__(self, epoch: int, _history: Any = None) -> None:
        """Called by ``nn.fit`` after epoch ``epoch`` (from 0): keep it if it is planned,
        else remember it as the latest (the last epoch is always kept)."""
        done = epoch + 1
        if self.frames and self.frames[-1][0] == done:
            return
        if self.frames and self.frames[-1][0] not in self._planned:
            self.frames.pop()  # the previous latest, not planned: replaced
        if len(self.frames) == self.count:
            self.frames.pop()  # more epochs than planned: keep the newest as the last
        self.frames.append(_frame(done, self._params))


def _frame(epoch: int, params: list[Value]) -> Frame:
    """The parameters' data and grad now, as the frame of ``epoch``."""
    return epoch, [p.data for p in params], [p.grad for p in params]


@contextmanager
def _loaded(params: list[Value], frame: Frame) -> Iterator[None]:
    """The parameters' data and grad set to a frame's for the duration, then put back."""
    saved = [(p.data, p.grad) for p in params]
    try:
        for p, w, g in zip(params, frame[1], frame[2]):
            p.data, p.grad = w, g
        yield
    finally:
        for p, (w, g) in zip(params, saved):
            p.data, p.grad = w, g


def _class_index(label: Any) -> int:
    """A label as a colour index: -1 and 0 are class 0."""
    return max(int(label), 0)


def boundary_grids(model: Any, X: Any, y: Sequence, frames: list[Frame],
                   size: int = 100, threshold: float | None = None) -> dict[str, Any]:  # fmt: skip
    """The heat map of every frame over a ``size`` x ``size`` grid covering 2-D ``X``:
    one byte per cell (row 0 at the top), base64-encoded, plus what the page needs.

    ValueError for points that are not 2-D.
    """
    X = points_2d(X, y, "the boundary view")
    params = list(model.parameters())
    xs, ys = plane(X, size)
    grid = np.array([(gx, gy) for gy in ys[::-1] for gx in xs])
    with in_mode(model, training=False):
        program = autograd.compile(lambda *x: model(list(x)), X[0])
        sigmoid_output = final_activation(model) == "sigmoid"
        cut = decision_threshold(model, threshold)
        images = []
        for frame in frames:
            with _loaded(params, frame):
                scores = program(grid)
            cells = boundary_cells(scores, sigmoid_output, cut)
            images.append(base64.b64encode(cells.astype(np.uint8).tobytes()).decode("ascii"))
    width = 1 if scores.ndim == 1 else scores.shape[1]
    mode = "classes" if width > 2 else "binary"
    labels = [_class_index(t) for t in y]
    count = max(width, max(labels) + 1) if mode == "classes" else 2
    return {"mode": mode, "size": size, "images": images,
            "extent": [xs[0], xs[-1], ys[0], ys[-1]],
            "points": np.round(X, 4).tolist(), "labels": labels,
            "colours": list(BINARY_COLOURS if mode == "binary" else CLASS_COLOURS),
            "count": count}  # fmt: skip


def boundary_cells(scores: np.ndarray, sigmoid_output: bool, threshold: float) -> np.ndarray:
    """Scores of the grid as bytes: 0..255 for class 0..1 confidence, or a class index."""
    if scores.ndim == 2 and scores.shape[1] > 2:
        return scores.argmax(axis=1)
    if scores.ndim == 2 and scores.shape[1] == 2:  # softmax's probability of class 1
        position = 1.0 / (1.0 + np.exp(np.clip(scores[:, 0] - scores[:, 1], -50, 50)))
    elif sigmoid_output:
        position = scores.reshape(-1)
    else:
        position = 1.0 / (1.0 + np.exp(np.clip(-2.0 * (scores.reshape(-1) - threshold), -50, 50)))
    return np.rint(np.clip(position, 0.0, 1.0) * 255)


def _curves(history: Any) -> dict[str, Any]:
    series = (("loss", "train", "train_loss", mlp.POSITIVE),
              ("loss", "validation", "val_loss", mlp.NEGATIVE),
              ("accuracy", "train", "train_accuracy", mlp.POSITIVE),
              ("accuracy", "validation", "val_accuracy", mlp.NEGATIVE))  # fmt: skip
    curves: dict[str, Any] = {"epochs": len(history.train_loss), "loss": [], "accuracy": []}
    for panel, name, attr, colour in series:
        values = [float(v) for v in getattr(history, attr, None) or []]
        if values and all(map(math.isfinite, values)):
            curves[panel].append({"name": name, "values": values, "colour": colour})
    return curves


def _samples(X: Any, width: int) -> np.ndarray:
    """X as an (n, ``width``) float array; a ValueError or TypeError naming the first
    sample or number that does not fit a model of ``width`` inputs."""
    rows = X.tolist() if hasattr(X, "tolist") else X
    wanted = "X must be a non-empty list of samples, each a list of numbers"
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence) or not rows:
        raise ValueError(f"training_html: {wanted}; got {type(X).__name__} {rows!r:.40}")
    for i, sample in enumerate(rows):
        if isinstance(sample, (str, bytes)) or not isinstance(sample, Sequence):
            raise ValueError(f"training_html: {wanted}; X[{i}] is {type(sample).__name__}")
        if len(sample) != width:
            raise ValueError(f"training_html: the model takes {width} inputs but X[{i}] "
                             f"has {len(sample)}")  # fmt: skip
        for j, x in enumerate(sample):
            finite_number(f"training_html: X[{i}][{j}]", x)
    return np.asarray(rows, dtype=float)


def training_html(model: Any, X: Any, y: Sequence, history: Any, path: str | os.PathLike,
                  snapshots: Snapshots | None = None, *, grid: int = 100,
                  title: str = "Watching a network learn", threshold: float | None = None,
                  classes: Sequence[str] | None = None, max_neurons: int = 32,
                  interval_ms: int = 150) -> Path:  # fmt: skip
    """Write the training playground of ``model`` on (X, y) to ``path``; return the path.

    ``history`` is ``nn.fit``'s History; ``snapshots`` a :class:`Snapshots` recorded
    during that fit (without it the page shows the final weights only).  ``grid``
    cells per axis for the boundary, ``classes`` names for the legend, ``threshold``
    as in :func:`nn.accuracy`.  TypeError for a model that is not an MLP-like stack,
    or a history or snapshots of the wrong type (or a sample holding something else than
    numbers); ValueError for an empty history, X that is not a list of samples of the
    model's width of finite numbers, y of another length, ``classes`` not naming each
    class once, or snapshots of another model.
    """
    found = mlp.stages(model)
    if not hasattr(history, "train_loss"):
        raise TypeError(f"training_html: history must be the History nn.fit returns, not "
                        f"{type(history).__name__}")  # fmt: skip
    if snapshots is not None and not isinstance(snapshots, Snapshots):
        raise TypeError(f"training_html: snapshots must be a viz.Snapshots, not "
                        f"{type(snapshots).__name__}")  # fmt: skip
    if not history.train_loss:
        raise ValueError("training_html: the history is empty (no epochs): train with "
                         "nn.fit first and pass the History it returns")  # fmt: skip
    whole_number("training_html: grid", grid, minimum=2)
    whole_number("training_html: interval_ms", interval_ms)
    points = _samples(X, found[0].inputs)
    if len(y) != len(points):
        raise ValueError(f"training_html: X has {len(points)} samples but y has {len(y)} labels")
    params = list(model.parameters())
    if snapshots is None:
        frames = [_frame(len(history.train_loss), params)]
    else:
        frames = snapshots.frames
        if not frames or len(frames[0][1]) != len(params):
            raise ValueError("training_html: the snapshots were not recorded from this model "
                             "(or hold none): pass the Snapshots given to nn.fit's callback")
    drawing = mlp.parts(found, max_neurons)
    graph = mlp.draw_mlp(model, max_neurons=max_neurons)
    svg = inline_svg(graph.source)

    boundary, note = None, ""
    classification = bool(getattr(history, "train_accuracy", None))
    if not classification:
        note = ("Regression (no accuracy was measured): the page shows the curves and the "
                "network; a decision boundary needs a classifier.")  # fmt: skip
    elif points.shape[1] != 2:
        note = (f"The inputs have {points.shape[1]} features: the page shows the curves and "
                "the network; a decision boundary is drawn for 2-D inputs only.")  # fmt: skip
    else:
        boundary = boundary_grids(model, points, y, frames, grid, threshold)
        names = list(classes) if classes is not None else [str(k) for k in range(boundary["count"])]
        if len(names) != boundary["count"]:
            raise ValueError(f"training_html: classes has {len(names)} "
                             f"name{'s' if len(names) != 1 else ''} but the data has "
                             f"{boundary['count']} classes")  # fmt: skip
        boundary["classes"] = [str(name) for name in names]
    index = {id(p): i for i, p in enumerate(params)}
    edges = [(edge, index[id(w)]) for edge, _, _, w in drawing.edges if w is not None]
    neurons = [(node, index[id(b)]) for node, _, b, _ in drawing.nodes if b is not None]
    largest = max((abs(frame[1][i]) for frame in frames for _, i in edges), default=0.0)
    page_frames = []
    for k, frame in enumerate(frames):
        with _loaded(params, frame):  # the layer summaries draw_mlp shows, at this epoch
            summaries = [mlp.summary_lines(row) for row in mlp.layer_summaries(model)]
        page_frames.append({
            "epoch": frame[0], "summaries": summaries,
            "weights": [float(f"{frame[1][i]:.4g}") for _, i in edges],
            "biases": [f"b {mlp.number(frame[1][i])}" for _, i in neurons],
            **({"grid": boundary["images"][k]} if boundary else {}),
        })  # fmt: skip
    if boundary:
        del boundary["images"]
    data = {
        "title": str(title), "note": note, "frames": page_frames, "curves": _curves(history),
        "boundary": boundary, "interval": int(interval_ms),
        "network": {"edges": [e for e, _ in edges], "neurons": [n for n, _ in neurons],
                    "clusters": [f"cluster_layer{i}" for i in range(len(found))],
                    "largest": largest or 1.0, "positive": mlp.POSITIVE,
                    "negative": mlp.NEGATIVE, "zero": mlp.ZERO,
                    "minWidth": mlp.MIN_WIDTH, "maxWidth": mlp.MAX_WIDTH},
    }  # fmt: skip
    page = fill_template(_TEMPLATE, data, svg)
    write_atomic(path, page)
    return Path(path)
