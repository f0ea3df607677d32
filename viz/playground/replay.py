"""``training_html``: a self-contained page that replays a training run epoch by epoch.

Record the weights while training with a :class:`Snapshots` as ``nn.fit``'s callback::

    snapshots = viz.Snapshots(model, epochs=100)          # at most 60, evenly spaced
    history = nn.fit(model, X, y, ..., epochs=100, callback=snapshots)
    viz.training_html(model, X, y, history, "out/playground.html", snapshots=snapshots)

The page is the live playground's front end (``playground.js``) with a recorded run as
its host: play/pause, step, an epoch slider and keys (space, arrows, Home, End).  For the
selected snapshot it shows, side by side in one window, the network (a heat map of each
neuron's output over the input plane, edges by sign and |w| or by |dL/dw|, a weight's
value and gradient on hover), the decision boundary of a 2-D classifier with the data
over it, and the loss curves (ticks, a log scale) with a marker at that epoch.
Regression and inputs of more than two features get the curves and the network only,
and the page says so.

The heat map is cheap: the model is compiled once (:func:`autograd.compile`) and each
snapshot's weights go through it as numpy matrix products over the whole grid, never
one scalar graph per grid point.  A cell's colour is the model's confidence: for one
output, the output itself after a sigmoid output, else sigmoid(2 (score - threshold));
for two outputs, softmax's probability of class 1; for more, the arg-max class.  The
page inlines everything (no network access) and is written to a temporary file first,
then renamed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
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

from .. import i18n, mlp
from ..activation_maps import grid_points
from ..plots import plane, points_2d
from .frames import (
    CLASS_COLOURS,
    boundary_cells,
    cell_bytes,
    network,
    neuron_maps,
    signed_cells,
)
from .page import playground_page
from .state import CONTROLS, Setup

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
    grid = grid_points(xs, ys)
    with in_mode(model, training=False):
        program = autograd.compile(lambda *x: model(list(x)), X[0])
        sigmoid_output = final_activation(model) == "sigmoid"
        cut = decision_threshold(model, threshold)
        images = []
        for frame in frames:
            with _loaded(params, frame):
                scores = program(grid)
            cells = boundary_cells(scores, sigmoid_output, cut)
            images.append(cell_bytes(cells))
    width = 1 if scores.ndim == 1 else scores.shape[1]
    mode = "classes" if width > 2 else "binary"
    labels = [_class_index(t) for t in y]
    count = max(width, max(labels) + 1) if mode == "classes" else 2
    return {"mode": mode, "size": size, "images": images,
            "extent": [xs[0], xs[-1], ys[0], ys[-1]],
            "points": np.round(X, 4).tolist(), "labels": labels,
            "count": count}  # fmt: skip


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
                  title: str | None = None, threshold: float | None = None,
                  classes: Sequence[str] | None = None, max_neurons: int = 32,
                  interval_ms: int = 150, lang: str = "en") -> Path:  # fmt: skip
    """Write the training playground of ``model`` on (X, y) to ``path``; return the path.

    ``history`` is ``nn.fit``'s History; ``snapshots`` a :class:`Snapshots` recorded
    during that fit (without it the page shows the final weights only).  ``grid``
    cells per axis for the boundary, ``title`` the page's heading (by default "Watching a
    network learn" in the page's language), ``classes`` names for the legend, ``threshold``
    as in :func:`nn.accuracy`; a layer wider than ``max_neurons`` is drawn with its first
    neurons and "... k more".  ``lang``: the page's language ("en" or "pt-BR").  TypeError
    for a model that is not an MLP-like stack, or a history or snapshots of the wrong type
    (or a sample holding something else than numbers); ValueError for an empty history,
    X that is not a list of samples of the model's width of finite numbers, y of another
    length, ``classes`` not naming each class once, or snapshots of another model.
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
    lang = i18n.check_lang(lang)
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
    two_d = points.shape[1] == 2
    classification = bool(getattr(history, "train_accuracy", None))
    note_key = "" if classification and two_d else \
        "playground.regression" if not classification else "playground.wide"  # fmt: skip
    scene: dict[str, Any] = {
        "classification": classification, "two_d": bool(classification and two_d),
        "train": len(points), "locked": list(CONTROLS), "curve": _curve(history),
        "replay": {"count": len(frames), "epochs": len(history.train_loss)},
    }  # fmt: skip
    scene["network"], weights = network(model, max_neurons=max_neurons)
    boundary, pictures = None, None
    if scene["two_d"]:
        boundary = boundary_grids(model, points, y, frames, grid, threshold)
        names = list(classes) if classes is not None else [str(k) for k in range(boundary["count"])]
        if len(names) != boundary["count"]:
            raise ValueError(f"training_html: classes has {len(names)} "
                             f"name{'s' if len(names) != 1 else ''} but the data has "
                             f"{boundary['count']} classes")  # fmt: skip
        scene.update({"size": grid, "extent": boundary["extent"], "points": boundary["points"],
                      "labels": boundary["labels"], "classes": [str(n) for n in names],
                      "palette": list(CLASS_COLOURS) if boundary["mode"] == "classes" else None})
        pictures = _neuron_maps(model, points, grid, scene)
    page_frames = []
    for k, frame in enumerate(frames):
        with _loaded(params, frame):
            page_frames.append({
                "epoch": frame[0], **_losses(history, frame[0]),
                "weights": [round(w.data, 5) if w is not None else None for w in weights],
                "grads": [float(f"{w.grad:.4g}") if w is not None else None for w in weights],
                **({"boundary": boundary["images"][k]} if boundary else {}),
                **({"maps": pictures()} if pictures else {}),
            })  # fmt: skip
    text = {**i18n.section(lang, "live"), **i18n.section(lang, "playground")}
    state = {"setup": Setup().to_dict(), "lang": lang, "text": text, "playing": False,
             "scene": scene, "note": i18n.text(lang, note_key) if note_key else "",
             "detail": "", "epoch": frames[0][0]}  # fmt: skip
    data = {"state": state, "frames": page_frames, "interval": int(interval_ms)}
    title = i18n.text(lang, "playground.title") if title is None else str(title)
    page = playground_page(REPLAY_BOOT, data, title, lang)
    write_atomic(path, page)
    return Path(path)


REPLAY_BOOT = ('replayPage(JSON.parse(document.getElementById("data").textContent), '
               'document.getElementById("playground"));')  # fmt: skip
SMALL_MAP = 16  # cells a side of a neuron's heat map in the replay, at most


def _neuron_maps(model: Any, points: np.ndarray, grid: int, scene: dict[str, Any]
                 ) -> Callable[[], dict[str, str]]:  # fmt: skip
    """A function giving every drawn neuron's heat map at the model's current weights (and,
    into ``scene``, each input's): the boundary's plane, every ``step``-th cell of its grid."""
    xs, ys = plane(points, grid)
    step = max(1, -(-grid // SMALL_MAP))
    rows = np.array([(gx, gy) for gy in ys[::-1][::step] for gx in xs[::step]])
    shape = (len(ys[::step]), len(xs[::step]))
    scene["small"] = shape[0]
    scene["inputs"] = [cell_bytes(signed_cells(column, np.abs(column).max() or 1.0))
                       for column in rows.T]  # fmt: skip
    return lambda: neuron_maps(model, rows, shape, scene["network"]["units"])


def _losses(history: Any, epoch: int) -> dict[str, float]:
    """The train and validation loss and the training accuracy after ``epoch`` (none at
    epoch 0)."""
    found = {}
    for key, values in (("train_loss", history.train_loss), ("test_loss", history.val_loss),
                        ("accuracy", getattr(history, "train_accuracy", None) or [])):
        if 1 <= epoch <= len(values) and math.isfinite(values[epoch - 1]):
            found[key] = float(values[epoch - 1])
    return found


def _curve(history: Any) -> dict[str, Any]:
    """The whole run's loss curves, drawn with a cursor at the shown epoch."""
    def finite(values: Sequence[float]) -> list[float]:
        return [float(v) for v in values] if all(map(math.isfinite, values)) else []

    return {"epochs": list(range(1, len(history.train_loss) + 1)), "cursor": True,
            "train": finite(history.train_loss), "test": finite(history.val_loss or [])}
