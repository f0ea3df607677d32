"""What every neuron computes over the input plane: its output at each point of a grid,
as TensorFlow Playground draws it inside each neuron.

For a network of the kinds :func:`viz.mlp.stages` understands (``nn.MLP``, ``Layer``,
``Maxout``, ``nn.Linear``, a ``Sequential`` of them with activation modules) and a batch of
inputs X (N rows), :func:`neuron_outputs` gives, layer by layer, each neuron's output
y = f(w . x + b) -- after its activation and any activation module that follows the
layer -- at every row: one array of shape (neurons, N) per layer.  It runs through
:func:`autograd.compile`: the network is traced once per structure and every call replays
it over the whole batch as numpy matrix products, reading the weights' current ``.data``
(so it follows training), never one scalar graph per point.

:func:`plane_grid` makes the grid over the box of 2-D data; :func:`diverging_rgb` and
:func:`png_data_uri` colour a map on the pictures' one diverging scale (:data:`DIVERGING`:
ColorBrewer's RdBu, colour-blind safe: red negative, near-white 0, blue positive, the
weights' colours of :func:`viz.draw_mlp`).

    >>> import random, nn
    >>> random.seed(0)
    >>> model = nn.MLP(2, [3, 1])
    >>> xs, ys, points = plane_grid([[0.0, 0.0], [1.0, 1.0]], 4)
    >>> points.shape
    (16, 2)
    >>> [layer.shape for layer in neuron_outputs(model, points)]
    [(3, 16), (1, 16)]
"""

from __future__ import annotations

import base64
import struct
import weakref
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Value

from .plots import plane
from .stages import Stage, stages

__all__ = ["DIVERGING", "diverging_rgb", "hex_colour", "neuron_outputs", "plane_grid",
           "png_data_uri", "symmetric_limit"]  # fmt: skip

# ColorBrewer RdBu (7 classes), negative to positive: a colour-blind-safe diverging scale
DIVERGING = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")
_STOPS = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in DIVERGING], dtype=float)

# model -> (structure, compiled program): one trace per structure, replayed at every call
_programs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def plane_grid(X: Any, resolution: int, margin: float = 0.1
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """A ``resolution`` x ``resolution`` grid over the box of the 2-D points ``X``.

    Each side of the box is widened by ``margin`` x (its range + 1) (0.1: 10% of the range,
    plus 0.1).  Returns (xs, ys, points): the axes (ascending, ``resolution`` values each)
    and the (resolution², 2) grid points row by row from the TOP row (largest y) down, so
    ``values.reshape(resolution, resolution)`` of any per-point value is an image, row 0 at
    the top.  ValueError for points that are not 2-D or a resolution below 2.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise ValueError(f"plane_grid needs 2-D points (shape (n, 2)), not shape {X.shape}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plane_grid: resolution must be an int >= 2, not {resolution!r}")
    xs, ys = plane(X, resolution, margin)
    return xs, ys, grid_points(xs, ys)


def grid_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The (len(xs) * len(ys), 2) points of the grid of axes ``xs`` and ``ys`` (ascending),
    row by row from the TOP row (largest y) down: an image's order."""
    gx, gy = np.meshgrid(xs, ys[::-1])
    return np.column_stack([gx.ravel(), gy.ravel()])


def _structure(found: list[Stage]) -> tuple:
    """What a compiled program depends on: which Values are the weights, and the functions."""
    return tuple((tuple(id(w) for w in unit.w), id(unit.b), unit.activation, len(stage.pieces),
                  tuple(map(id, stage.after)))
                 for stage in found for piece in stage.pieces for unit in piece)  # fmt: skip


def _forward(found: list[Stage]):
    """One sample through ``found``: every layer's outputs, all layers in one flat list."""
    from nn import ACTIVATIONS

    def layers(*x: Value) -> list[Value]:
        outputs: list[Value] = []
        inputs = list(x)
        for stage in found:
            pieces = [[ACTIVATIONS[unit.activation](autograd.dot(unit.w, inputs, unit.b))
                       for unit in piece] for piece in stage.pieces]  # fmt: skip
            inputs = pieces[0] if len(pieces) == 1 else [autograd.max(ys) for ys in zip(*pieces)]
            for module in stage.after:  # activation modules: one Value in, one out
                inputs = [module(y) for y in inputs]
            outputs += inputs
        return outputs

    return layers


def _program(model: Any, found: list[Stage]) -> autograd.CompiledFunction:
    """The compiled forward of ``model``, from the cache while its structure is the same."""
    structure = _structure(found)
    try:
        cached = _programs.get(model)
    except TypeError:  # not weak-referenceable or not hashable: compile every time
        cached = None
    if cached is not None and cached[0] == structure:
        return cached[1]
    program = autograd.compile(_forward(found), [0.0] * found[0].inputs)
    try:
        _programs[model] = (structure, program)
    except TypeError:
        pass
    return program


def neuron_outputs(model: Any, inputs: Any) -> list[np.ndarray]:
    """Each layer's neurons' outputs (after the activation) for every row of ``inputs``.

    ``inputs``: an (N, n_in) array (N >= 1) of the network's inputs, e.g. the points of
    :func:`plane_grid` (or features made from them).  Returns one array per layer of shape
    (neurons of the layer, N); a Maxout unit's output is the max of its pieces.  The model
    is compiled once per structure and cached; each call reads the current weights.
    TypeError for a model that is not an MLP-like stack, ValueError for inputs of
    another width.
    """
    found = stages(model)
    X = np.asarray(inputs, dtype=float)
    if X.ndim != 2 or X.shape[1] != found[0].inputs:
        raise ValueError(f"neuron_outputs: inputs must have shape (N, {found[0].inputs}) for "
                         f"this model, not {X.shape}")  # fmt: skip
    from nn.module import in_mode

    with in_mode(model, training=False):
        values = _program(model, found)(X)
    values = values.reshape(len(X), -1)
    outputs, start = [], 0
    for stage in found:
        outputs.append(np.ascontiguousarray(values[:, start : start + stage.width].T))
        start += stage.width
    return outputs


def symmetric_limit(maps: Sequence[np.ndarray], quantile: float = 0.9) -> float:
    """The limit L of a scale -L..L shared by ``maps``: the ``quantile`` of all |values|
    (the strongest 10% saturate, so a few large outputs -- the output layer's, often --
    do not wash the other neurons out), at least 1e-6."""
    values = np.concatenate([np.abs(np.ravel(m)) for m in maps]) if len(maps) else np.zeros(1)
    return float(max(np.quantile(values, quantile), 1e-6))


def diverging_rgb(values: Any, limit: float) -> np.ndarray:
    """The colours of ``values`` on :data:`DIVERGING` from -limit (red) through 0 (near
    white) to +limit (blue), clipped beyond: uint8 RGB, shape values.shape + (3,)."""
    t = (np.clip(np.asarray(values, dtype=float) / limit, -1.0, 1.0) + 1.0) * 0.5
    position = t * (len(DIVERGING) - 1)
    k = np.minimum(position.astype(int), len(DIVERGING) - 2)
    f = (position - k)[..., None]
    return np.rint(_STOPS[k] * (1.0 - f) + _STOPS[k + 1] * f).astype(np.uint8)


def hex_colour(value: float, limit: float) -> str:
    """``value``'s colour on the diverging scale as '#rrggbb' (for a legend)."""
    return "#" + bytes(diverging_rgb(value, limit).tolist()).hex()


def png_data_uri(rgb: np.ndarray) -> str:
    """An (h, w, 3) uint8 image as a 'data:image/png;base64,...' URI (a minimal PNG: one
    zlib-compressed IDAT, no filter), for an SVG ``<image>`` or an HTML ``<img>``."""
    height, width, _ = rgb.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, -1)], axis=1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)  # fmt: skip

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0,
                                                            0, 0))  # fmt: skip
    png += chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
