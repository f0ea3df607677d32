"""What the playground's views draw, as plain data read from a :class:`Session`.

``scene(session)`` is what changes only when training starts over: the points (train,
then test) and their labels, the plane they lie in, the network's layout and a heat map
of each input feature.  ``frame(session)`` is what changes at every epoch: the decision
boundary (or regression surface) over the plane, each neuron's output over the plane
(TensorFlow Playground's small squares), every weight and bias with its gradient from
the last batch, and the loss curves.

A heat map is ``size`` × ``size`` bytes, row 0 at the top, base64-encoded: 0..255 for
an output from -1 to 1 (clipped), or, for the boundary, the confidence in class 1 as
the replay page draws it (:func:`boundary_cells`).  Every neuron is
evaluated over the whole plane at once, on the model compiled once
(:func:`autograd.compile`), never one scalar graph per grid point.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value
from nn.training import decision_threshold, final_activation

from .. import mlp
from ..activation_maps import grid_points, neuron_outputs
from ..plots import plane
from .explain import explainable
from .session import Session, features

GRID = 48  # cells per side of the boundary's heat map
SMALL = 2  # a neuron's heat map takes every SMALL-th cell: 24 x 24
CLASS_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                 "#F0E442", "#000000")  # Okabe-Ito: colour-blind safe  # fmt: skip
MAX_CURVE = 300  # points per loss curve sent to the view (evenly thinned beyond)
FEATURE_LABELS = {"x1": "x\u2081", "x2": "x\u2082", "x1^2": "x\u2081\u00b2",
                  "x2^2": "x\u2082\u00b2", "x1x2": "x\u2081x\u2082",
                  "sin_x1": "sin x\u2081", "sin_x2": "sin x\u2082"}  # fmt: skip


def cell_bytes(cells: np.ndarray) -> str:
    """Cells of 0..255 as the base64 text of their bytes (a page decodes it into an image)."""
    return base64.b64encode(np.asarray(cells, dtype=np.uint8).tobytes()).decode("ascii")


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


def signed_cells(values: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Outputs as bytes: -scale -> 0, 0 -> 127.5, scale -> 255 (clipped)."""
    return np.rint((np.clip(values / scale, -1.0, 1.0) + 1.0) * 127.5)


MAX_DRAWN = 16  # neurons drawn per layer; a wider layer ends with "... k more"


def network(model: Any, names: Sequence[str] | None = None, max_neurons: int = MAX_DRAWN
            ) -> tuple[dict[str, Any], list[Value | None]]:  # fmt: skip
    """The network view's plain data and the weight behind each edge (None for a Maxout
    piece's edge to its max), both read from the network picture's own layout
    (:func:`viz.draw_mlp`): the same boxes, ids and edges, in columns.  Inputs are named
    ``names``; a layer wider than ``max_neurons`` shows its first neurons and "... k more".
    TypeError for a model that is not an MLP-like stack."""
    picture = mlp.draw_mlp(model, names=names, max_neurons=max_neurons).layout
    boxes = {box["id"]: box for box in picture["boxes"]}
    columns = [[{"id": key, "kind": boxes[key]["kind"],
                 "label": boxes[key]["label"] if boxes[key]["kind"] != "neuron" else ""}
                for key in column] for column in picture["columns"]]  # fmt: skip
    parameters = list(model.parameters())
    edges = [[edge["from"], edge["to"]] for edge in picture["edges"]]
    weights = [parameters[edge["parameter"]] if edge.get("parameter") is not None else None
               for edge in picture["edges"]]  # fmt: skip
    units = [box["id"] for column in columns[1:] for box in column if box["kind"] != "more"]
    return {"columns": columns, "edges": edges, "units": units,
            "explainable": explainable(model)}, weights  # a click on a neuron: its step-through


def neuron_maps(model: Any, rows: np.ndarray, shape: tuple[int, int],
                drawn: Sequence[str]) -> dict[str, str]:
    """Each drawn unit's heat map (id -> bytes, see the module docstring) over ``rows``, a
    grid of ``shape``, from :func:`viz.activation_maps.neuron_outputs` (compiled once,
    the current weights)."""
    maps = {}
    for i, layer in enumerate(neuron_outputs(model, rows)):
        for j, values in enumerate(layer):
            if f"n{i}_{j}" in drawn:
                maps[f"n{i}_{j}"] = cell_bytes(signed_cells(values).reshape(shape))
    return maps


class Frames:
    """The scene and the frames of one session's run: made again when it starts over."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.grid: np.ndarray | None = None
        own = session._own_data is not None
        names = None if own else [FEATURE_LABELS[f] for f in session.setup.features]
        try:
            self.network, self.weights = network(session.model, names)
        except TypeError:
            self.network, self.weights = None, []
        # heat maps where the model compiles (the scalar engine's models may not)
        self.maps = self.network is not None and session.engine == "compiled"
        if session.two_d:
            xs, ys = plane(session.points, GRID)
            self.extent = [xs[0], xs[-1], ys[0], ys[-1]]
            self.grid = grid_points(xs, ys)
            self.rows = self.grid if own else features(self.grid, session.setup.features)
            self.small_rows = self.rows.reshape(GRID, GRID, -1)[::SMALL, ::SMALL].reshape(
                -1, self.rows.shape[1])  # fmt: skip

    def scene(self) -> dict[str, Any]:
        """What stays the same until training starts over (see the module docstring)."""
        session = self.session
        order = np.concatenate([session.train_index, session.test_index])
        scene: dict[str, Any] = {
            "classification": session.classification, "two_d": session.two_d,
            "network": self.network, "train": len(session.train_index),
            "engine": session.engine, "engine_note": session.engine_note,
            "locked": list(session.locked), "size": GRID, "small": GRID // SMALL,
            # several outputs: the boundary's cells are the arg-max class, one colour each
            "palette": list(CLASS_COLOURS) if session.classification and session.width > 2
            else None,
        }  # fmt: skip
        if self.grid is not None:
            targets = [session.targets[i] for i in order]
            scene.update({
                "extent": [round(float(v), 4) for v in self.extent],
                "points": np.round(session.points[order], 4).tolist(),
                "labels": [max(int(t), 0) if session.classification else round(float(t), 4)
                           for t in targets],
                "inputs": [self._small(signed_cells(column, np.abs(column).max() or 1.0))
                           for column in self.rows.T] if self.maps else [],
            })  # fmt: skip
        return scene

    def _small(self, cells: np.ndarray) -> str:
        return cell_bytes(cells.reshape(GRID, GRID)[::SMALL, ::SMALL])

    def frame(self) -> dict[str, Any]:
        """What changes at every epoch (see the module docstring)."""
        session = self.session
        frame: dict[str, Any] = {
            "epoch": session.epoch, "train_loss": session.train_losses[-1],
            "test_loss": session.test_losses[-1], "curve": _curve(session),
            "weights": _finite(w.data if w is not None else None for w in self.weights),
            "grads": _finite(w.grad if w is not None else None for w in self.weights),
        }  # fmt: skip
        try:
            if self.grid is not None:
                frame["boundary"] = cell_bytes(self._surface(np.asarray(session.outputs(
                    self.rows.tolist()))))  # fmt: skip
            if self.maps and self.grid is not None:
                size = GRID // SMALL
                frame["maps"] = neuron_maps(session.model, self.small_rows, (size, size),
                                            self.network["units"])  # fmt: skip
        except (ArithmeticError, ValueError):  # weights that overflow: no new pictures
            pass
        return frame

    def _surface(self, scores: np.ndarray) -> np.ndarray:
        """The boundary's cells (classification), or the regression output (-1..1)."""
        session = self.session
        if scores.ndim == 2 and scores.shape[1] == 1:
            scores = scores[:, 0]
        if not session.classification:
            return signed_cells(scores)
        model = session.model
        return boundary_cells(scores, final_activation(model) == "sigmoid",
                              decision_threshold(model))


def _finite(values: Any) -> list[float | None]:
    """Numbers for JSON: None in place of an inf or NaN (training diverged)."""
    return [v if v is not None and math.isfinite(v) else None for v in values]


def _curve(session: Session) -> dict[str, list]:
    """The loss curves, at most MAX_CURVE points each (always the first and the last)."""
    count = len(session.train_losses)
    index = np.unique(np.linspace(0, count - 1, min(count, MAX_CURVE)).round().astype(int))
    return {"epochs": index.tolist(),
            "train": [session.train_losses[i] for i in index],
            "test": [session.test_losses[i] for i in index]}  # fmt: skip
