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

import autograd
from autograd import Value
from nn.module import in_mode
from nn.training import decision_threshold, final_activation

from .. import mlp
from ..plots import plane
from .session import Session, features

GRID = 48  # cells per side of the boundary's heat map
SMALL = 2  # a neuron's heat map takes every SMALL-th cell: 24 x 24
MAX_CURVE = 300  # points per loss curve sent to the view (evenly thinned beyond)
FEATURE_LABELS = {"x1": "x\u2081", "x2": "x\u2082", "x1^2": "x\u2081\u00b2",
                  "x2^2": "x\u2082\u00b2", "x1x2": "x\u2081x\u2082",
                  "sin_x1": "sin x\u2081", "sin_x2": "sin x\u2082"}  # fmt: skip


def _bytes(cells: np.ndarray) -> str:
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


class NeuronOutputs:
    """Every neuron's output at many inputs at once: ``outputs(rows)`` is a list per layer
    of arrays of shape (neurons, rows), at the model's current weights.

    The layers are those of :func:`viz.mlp.stages` (``nn.MLP``, ``Layer``, a
    ``Sequential`` of layers, activations and dropout); the model is traced once, in
    evaluation mode.  TypeError for a model of other parts (Maxout has no one output
    per neuron before its max).
    """

    def __init__(self, model: Any, example: list[float]) -> None:
        self.widths = [stage.width for stage in mlp.stages(model)]
        self._model = model
        with in_mode(model, training=False):
            self._program = autograd.compile(lambda *x: _layer_outputs(model, list(x)), example)

    def __call__(self, rows: np.ndarray) -> list[np.ndarray]:
        values = self._program(rows).reshape(len(rows), -1)  # traced in evaluation mode
        starts = np.cumsum([0, *self.widths])
        return [values[:, a:b].T for a, b in zip(starts[:-1], starts[1:])]


def _layer_outputs(model: Any, x: list[Value]) -> list[Value]:
    """Every layer's outputs of ``model`` on one input, flattened (activation modules
    applied to the layer before them, dropout skipped: evaluation mode)."""
    from nn import MLP, Activation, Dropout, Layer, Sequential

    found: list[list[Value]] = []

    def run(module: Any, x: Any) -> Any:
        if isinstance(module, Layer):
            x = module(x)
            found.append(x)
        elif isinstance(module, (MLP, Sequential)):
            for item in module.layers:
                x = run(item, x)
        elif isinstance(module, Activation):
            x = module(x)
            found[-1] = x
        elif not isinstance(module, Dropout):
            raise TypeError(f"the playground's network view draws layers, not "
                            f"{type(module).__name__}")  # fmt: skip
        return x

    run(model, x)
    return [v for layer in found for v in layer]


def layout(model: Any, names: Sequence[str] | None = None) -> dict[str, Any]:
    """The network as the view draws it: columns of nodes (the inputs, named ``names``
    or x1, x2, ..., then each layer), and one edge per weight (tail, head): the ids of
    :func:`viz.draw_mlp`'s picture.  TypeError for a model that is not layers of neurons."""
    found = mlp.stages(model)
    names = names or [f"x{k + 1}" for k in range(found[0].inputs)]
    columns = [[{"id": f"x{k}", "label": FEATURE_LABELS.get(name, name)}
                for k, name in enumerate(names)]]  # fmt: skip
    edges = []
    for i, stage in enumerate(found):
        if len(stage.pieces) != 1:
            raise TypeError("the playground's network view draws layers of neurons, not Maxout")
        column = []
        for j, neuron in enumerate(stage.pieces[0].neurons):
            column.append({"id": f"n{i}_{j}", "label": ""})
            tails = columns[-1]
            edges += [[tails[k]["id"], f"n{i}_{j}"] for k in range(len(neuron.w))]
        columns.append(column)
    return {"columns": columns, "edges": edges,
            "activations": [stage.activation for stage in found]}  # fmt: skip


def parameters(model: Any) -> tuple[list[Value], list[Value]]:
    """The weights (in the layout's edge order) and the biases (in its neuron order)."""
    neurons = [n for stage in mlp.stages(model) for n in stage.pieces[0].neurons]
    return [w for n in neurons for w in n.w], [n.b for n in neurons]


class Frames:
    """The scene and the frames of one session's run: made again when it starts over."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.grid: np.ndarray | None = None
        self.neurons: NeuronOutputs | None = None
        try:
            own = session._own_data is not None
            self.network: dict[str, Any] | None = layout(session.model, None if own else
                                                         session.setup.features)  # fmt: skip
            self.weights, self.biases = parameters(session.model)
        except TypeError:
            self.network, self.weights, self.biases = None, [], []
        if session.two_d:
            xs, ys = plane(session.points, GRID)
            self.extent = [xs[0], xs[-1], ys[0], ys[-1]]
            self.grid = np.array([(gx, gy) for gy in ys[::-1] for gx in xs])
            own = session._own_data is not None
            self.rows = self.grid if own else features(self.grid, session.setup.features)
            if self.network is not None and session.engine == "compiled":
                self.neurons = NeuronOutputs(session.model, self.rows[0].tolist())

    def scene(self) -> dict[str, Any]:
        """What stays the same until training starts over (see the module docstring)."""
        session = self.session
        order = np.concatenate([session.train_index, session.test_index])
        scene: dict[str, Any] = {
            "classification": session.classification, "two_d": session.two_d,
            "network": self.network, "train": len(session.train_index),
            "engine": session.engine, "engine_note": session.engine_note,
            "locked": list(session.locked), "size": GRID, "small": GRID // SMALL,
        }  # fmt: skip
        if self.grid is not None:
            targets = [session.targets[i] for i in order]
            scene.update({
                "extent": [round(float(v), 4) for v in self.extent],
                "points": np.round(session.points[order], 4).tolist(),
                "labels": [max(int(t), 0) if session.classification else round(float(t), 4)
                           for t in targets],
                "inputs": [self._small(signed_cells(column, np.abs(column).max() or 1.0))
                           for column in self.rows.T] if self.network else [],
            })  # fmt: skip
        return scene

    def _small(self, cells: np.ndarray) -> str:
        return _bytes(cells.reshape(GRID, GRID)[::SMALL, ::SMALL])

    def frame(self) -> dict[str, Any]:
        """What changes at every epoch (see the module docstring)."""
        session = self.session
        frame: dict[str, Any] = {
            "epoch": session.epoch, "train_loss": session.train_losses[-1],
            "test_loss": session.test_losses[-1], "curve": _curve(session),
            "weights": _finite(w.data for w in self.weights),
            "grads": _finite(w.grad for w in self.weights),
            "biases": _finite(b.data for b in self.biases),
            "bias_grads": _finite(b.grad for b in self.biases),
        }  # fmt: skip
        try:
            if self.neurons is not None:
                layers = self.neurons(self.rows)
                frame["maps"] = [self._small(signed_cells(row)) for layer in layers
                                 for row in layer]  # fmt: skip
                frame["boundary"] = _bytes(self._surface(layers[-1].T))
            elif self.grid is not None:
                frame["boundary"] = _bytes(self._surface(np.asarray(session.outputs(
                    self.rows.tolist()))))  # fmt: skip
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
    return [v if math.isfinite(v) else None for v in values]


def _curve(session: Session) -> dict[str, list]:
    """The loss curves, at most MAX_CURVE points each (always the first and the last)."""
    count = len(session.train_losses)
    index = np.unique(np.linspace(0, count - 1, min(count, MAX_CURVE)).round().astype(int))
    return {"epochs": index.tolist(),
            "train": [session.train_losses[i] for i in index],
            "test": [session.test_losses[i] for i in index]}  # fmt: skip
