"""``draw_mlp``: a network's layers, neurons and weights -- its gradients, or what each
neuron computes over the input plane.

Inputs on the left, a column of boxes per layer (each neuron shows its bias b), one edge
per weight, under each layer its name, activation, width and mean |w|, a legend on top.
The picture is laid out directly (:mod:`viz.layered`), landscape, for a 1920 x 1080 screen
(up to 2-[16, 16]-1, scaled to fit it every label is at least 10 px; with heat maps the
picture is taller than 1080 px at its own size), the same with or without a system
Graphviz; its geometry is also plain data
(``picture.layout``) for pages that redraw it.

* ``show="weights"``: edge width proportional to |w|, colour by sign (blue ``#2166ac``
  positive, red ``#b2182b`` negative: a colour-blind-safe diverging pair).
* ``show="grads"`` (after ``backward()``): each edge coloured by |dL/dw| on a log
  scale, light for tiny gradients and dark for large ones (so vanishing gradients
  fade away), each neuron by |dL/db|; a legend gives the scale.
* ``show="activations"`` with the data X: each neuron's output over the plane as a
  small heat map inside it (:mod:`viz.activation_maps`), on one diverging scale.

It draws an ``nn.MLP``, a ``Layer``, an ``nn.Linear``, a ``Maxout`` layer (each unit is its
linear pieces feeding a ``max`` box) and an ``nn.Sequential`` of those, with activation
and Dropout modules noted on the layer before them (:mod:`viz.stages`).  Layers wider
than ``max_neurons`` show their first neurons and a "... k more" box instead of an
unreadable hairball.  Box and edge ids are fixed (``x0``, ``n1_3``, ``w1_3_0`` ...), so
the picture is deterministic.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Value

from . import layered
from .activation_maps import (
    DIVERGING,
    diverging_rgb,
    hex_colour,
    neuron_outputs,
    plane_grid,
    png_data_uri,
    symmetric_limit,
)
from .graph import check_size
from .i18n import check_lang, text
from .labels import number
from .render import responsive_html
from .stages import Stage, stages
from .view import grad_of

POSITIVE = "#2166ac"
NEGATIVE = "#b2182b"
ZERO = "#9ca3af"
MIN_WIDTH, MAX_WIDTH = 0.4, 4.0
# light -> dark, monotone in lightness (readable in grey and for colour-blind readers)
GRAD_SCALE = ("#fde0c5", "#f59e72", "#c2405b", "#3b0f70")
SHOWN_OF_WIDE = 8  # a layer wider than max_neurons shows this many neurons, then "... k more"
SHOWS = ("weights", "grads", "activations")


def _mean_abs(values: Iterable[float]) -> float:
    values = list(values)
    return sum(map(abs, values)) / len(values) if values else 0.0


def layer_summaries(model: Any) -> list[dict[str, Any]]:
    """Per layer: its ``name``, ``activation``, ``width``, ``mean_abs_w`` (mean |w|) and
    ``mean_abs_grad`` (mean |dL/dw| over its weights, biases left out)."""
    return _summaries(stages(model))


def _summaries(found: list[Stage]) -> list[dict[str, Any]]:
    return [{"name": _layer_name(i, len(found), "en"), "activation": stage.activation,
             "width": stage.width,
             "mean_abs_w": _mean_abs(w.data for w in stage.weights()),
             "mean_abs_grad": _mean_abs(map(grad_of, stage.weights()))}
            for i, stage in enumerate(found)]  # fmt: skip


def _layer_name(i: int, count: int, lang: str) -> str:
    """'layer 1', ..., 'output layer' (in ``lang``)."""
    if i == count - 1:
        return text(lang, "network.output_layer")
    return text(lang, "network.layer", number=i + 1)


def _shown(count: int, max_neurons: int) -> int:
    return count if count <= max_neurons else min(SHOWN_OF_WIDE, max_neurons)


@dataclass
class Parts:
    """What a picture draws: nodes (id, label, bias Value or None, cluster index; -1 for
    the inputs) and edges (id, tail, head, weight Value or None for a piece -> max edge)."""

    nodes: list[tuple[str, str, Value | None, int]] = field(default_factory=list)
    edges: list[tuple[str, str, str, Value | None]] = field(default_factory=list)
    hidden: dict[int, int] = field(default_factory=dict)  # cluster -> neurons not drawn


def parts(found: list[Stage], max_neurons: int, names: Sequence[str] | None = None) -> Parts:
    """The nodes and edges of the picture of ``found`` (the ellipsis applied); the inputs
    labelled ``names`` (default x1, x2, ...)."""
    drawing = Parts()
    nin = found[0].inputs
    names = list(names) if names is not None else [f"x{k + 1}" for k in range(nin)]
    previous = [(k, f"x{k}") for k in range(_shown(nin, max_neurons))]
    drawing.nodes += [(node, names[k], None, -1) for k, node in previous]
    drawing.hidden[-1] = nin - len(previous)
    for i, stage in enumerate(found):
        shown = _shown(stage.width, max_neurons)
        drawing.hidden[i] = stage.width - shown
        current = []
        for j in range(shown):
            unit = f"n{i}_{j}"
            if len(stage.pieces) == 1:
                heads = [(unit, stage.pieces[0][j])]
            else:
                drawing.nodes.append((unit, "max", None, i))
                heads = [(f"{unit}p{p}", piece[j]) for p, piece in enumerate(stage.pieces)]
            for head, unit_of in heads:
                drawing.nodes.append((head, "", unit_of.b, i))
                for k, tail in previous:
                    drawing.edges.append((f"w{head[1:]}_{k}", tail, head, unit_of.w[k]))
                if head != unit:
                    drawing.edges.append((f"m{head[1:]}", head, unit, None))
            current.append((j, unit))
        previous = current
    return drawing


def grad_colour(t: float) -> str:
    """The colour at position ``t`` in [0, 1] of the gradient scale (linear in RGB)."""
    t = min(max(t, 0.0), 1.0) * (len(GRAD_SCALE) - 1)
    k = min(int(t), len(GRAD_SCALE) - 2)
    a, b = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in GRAD_SCALE[k : k + 2])
    return "#" + "".join(f"{round(x + (y - x) * (t - k)):02x}" for x, y in zip(a, b))


def _text_colour(t: float | None) -> str:
    """Text that reads on the scale's colour at ``t``: white on the dark end."""
    return "#ffffff" if t is not None and t > 0.6 else layered.TEXT


class LogScale:
    """Positions in [0, 1] for |g| on a log scale spanning whole decades of ``values``."""

    def __init__(self, values: Iterable[float]) -> None:
        sizes = [abs(v) for v in values if v]
        self.low = math.floor(math.log10(min(sizes))) if sizes else -1
        self.high = max(math.ceil(math.log10(max(sizes))) if sizes else 0, self.low + 1)

    def __call__(self, g: float) -> float | None:
        """None for a zero gradient (drawn grey), else the position of |g|."""
        return None if not g else (math.log10(abs(g)) - self.low) / (self.high - self.low)

    def decades(self) -> list[int]:
        """At most 7 evenly spaced decades for the legend, the lowest and highest always."""
        step = max(1, math.ceil((self.high - self.low) / 6))
        decades = list(range(self.low, self.high + 1, step))
        return decades if decades[-1] == self.high else [*decades, self.high]


def _weight_style(w: Value, largest: float, lang: str) -> dict[str, Any]:
    colour = POSITIVE if w.data > 0 else NEGATIVE if w.data < 0 else ZERO
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (abs(w.data) / largest if largest else 0.0)
    return {"colour": colour, "width": round(width, 2), "value": w.data,
            "title": text(lang, "network.weight_title", value=number(w.data))}  # fmt: skip


def _grad_style(w: Value, scale: LogScale, lang: str) -> dict[str, Any]:
    grad = grad_of(w)
    t = scale(grad)
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (t or 0.0)
    return {"colour": ZERO if t is None else grad_colour(t), "width": round(width, 2),
            "value": grad, "title": text(lang, "network.grad_title", value=number(grad))}


def _caption_lines(i: int, count: int, row: dict[str, Any], stage: Stage, show: str,
                   lang: str) -> list[str]:  # fmt: skip
    """Under a layer: its name, its activation(s) and width, its mean |w| (and |grad|)."""
    name = _layer_name(i, count, lang)
    first = stage.activation
    if len(stage.pieces) > 1:
        first = text(lang, "network.maxout", pieces=len(stage.pieces))
    notes = [text(lang, "network.dropout", p=value) if kind == "dropout" else value
             for kind, value in stage.notes]  # fmt: skip
    lines = [name, text(lang, "network.units", activation=" \u2192 ".join([first, *notes]),
                        count=stage.width),
             text(lang, "network.mean_w", value=number(row["mean_abs_w"]))]  # fmt: skip
    if show == "grads":
        lines.append(text(lang, "network.mean_grad", value=number(row["mean_abs_grad"])))
    return lines


def input_names(count: int, names: Sequence[str] | None = None,
                inputs: Sequence[Any] | None = None) -> list[str]:  # fmt: skip
    """The inputs' names: ``names``, else the labels of the input Values ``inputs`` (x1...
    where one has none), else x1, x2, ... as in the neuron pictures."""
    given = names if names is not None else inputs
    if given is None:
        return [f"x{k + 1}" for k in range(count)]
    if isinstance(given, (str, bytes)) or len(given) != count:
        what = "names" if names is not None else "inputs"
        raise ValueError(f"draw_mlp: {what} must name each of the model's {count} inputs, "
                         f"not {given!r:.60}")  # fmt: skip
    if names is not None:
        return [str(name) for name in names]
    return [str(getattr(v, "label", "") or f"x{k + 1}") for k, v in enumerate(inputs)]


class NetworkPicture:
    """The picture of a network: ``.svg`` (an SVG document), ``.layout`` (the same as
    plain data: every box, edge, caption and legend item with its position in px, see
    :mod:`viz.layered`), ``.save(path)``; a notebook displays it inline, scaled to fit
    the output's width.  ``viz.render(picture, "mlp.svg")`` writes it too."""

    def __init__(self, layout: dict[str, Any]) -> None:
        self.layout = layout
        self.svg = layered.svg(layout)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        """The SVG in a box as wide as the output area (the picture shrinks to fit)."""
        return responsive_html(self.svg)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture to ``path`` (.svg) and return it; see :func:`viz.render` for
        PNG and PDF."""
        from .render import render

        return render(self, path)


def draw_mlp(model: Any, show: str = "weights", rankdir: str = "LR", max_edges: int = 5000,
             max_neurons: int = 32, grad_range: tuple[float, float] | None = None, *,
             X: Any = None, names: Sequence[str] | None = None,
             inputs: Sequence[Any] | None = None, resolution: int = 40, lang: str = "en",
             title: str = "") -> NetworkPicture:  # fmt: skip
    """The picture of ``model`` -- an ``nn.MLP``, ``Layer``, ``Maxout``, ``nn.Linear`` or a
    ``Sequential`` of them -- drawn left to right: inputs, then a column per layer, each
    neuron a box showing its bias b, one edge per weight, under each layer its name,
    activation, width and mean |w|, and a legend on top.

    * ``show="weights"``: an edge's colour is its weight's sign (blue positive, red
      negative), its width |w|.
    * ``show="grads"`` (after ``backward()``): edges and neurons coloured by |dL/dw| and
      |dL/db| on a log scale (dark: large; grey: zero), each layer's mean |grad| too.
      ``grad_range`` (smallest, largest |grad|) fixes the scale, so several pictures
      compare; by default it spans the drawn gradients.
    * ``show="activations"`` with the data ``X`` (2-D points, a 2-input model): inside
      each neuron a heat map of its output over the plane around X (``resolution``
      cells a side, TensorFlow Playground's view), all on one diverging colour scale
      whose legend gives its range; edges as for the weights.

    Inputs are named by ``names``, or by the labels of the Values ``inputs``, else x1, x2,
    ...  Layers (and inputs) wider than ``max_neurons`` draw their first neurons and a
    "... k more" box.  ``lang`` ('en', 'pt-BR') is the language of every word;
    ``title`` a line above the legend.  TypeError for a model that is not an MLP-like
    stack; ValueError for an unknown ``show``, a ``rankdir`` other than 'LR', more than
    ``max_edges`` drawn weights, layers that do not chain, a bad ``grad_range``, or
    ``show="activations"`` without 2-D ``X``.
    """
    check_lang(lang)
    if show not in SHOWS:
        raise ValueError(f"draw_mlp: show must be 'weights', 'grads' or 'activations', "
                         f"not {show!r}")  # fmt: skip
    if rankdir != "LR":
        raise ValueError(f"draw_mlp draws the network left to right (landscape): rankdir "
                         f"must be 'LR', not {rankdir!r}")  # fmt: skip
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 1:
        raise ValueError(f"draw_mlp: max_neurons must be an int >= 1, not {max_neurons!r}")
    if grad_range is not None:
        grad_range = _checked_range(grad_range)
    found = stages(model)
    drawing = parts(found, max_neurons, input_names(found[0].inputs, names, inputs))
    weights = [w for *_, w in drawing.edges if w is not None]
    check_size(len(weights), max_edges, what="weights", name="max_edges")
    maps = _heat_maps(model, found, drawing, X, resolution) if show == "activations" else None
    largest = max((abs(w.data) for w in weights), default=0.0)
    grads = [grad_of(v) for v in weights + [b for *_, b, _ in drawing.nodes if b is not None]]
    scale = LogScale(grad_range or grads)
    no_grads = show == "grads" and grad_range is None and not any(grads)
    index = _parameter_index(model)

    columns = _columns(found, drawing, show, scale, maps, index, lang)
    edges = []
    for edge, tail, head, w in drawing.edges:
        if w is None:  # a Maxout piece -> its max
            edges.append({"id": edge, "from": tail, "to": head, "colour": ZERO, "width": 0.8,
                          "title": ""})  # fmt: skip
            continue
        style = _grad_style(w, scale, lang) if show == "grads" else _weight_style(w, largest, lang)
        edges.append({"id": edge, "from": tail, "to": head, "parameter": index.get(id(w)),
                      **style})  # fmt: skip
    captions = [layered.Caption("cluster_inputs", [0],
                                [text(lang, "network.inputs"), f"({found[0].inputs})"])]
    column = 1
    for i, (row, stage) in enumerate(zip(_summaries(found), found)):
        spans = [column, column + 1] if len(stage.pieces) > 1 else [column]
        captions.append(layered.Caption(f"cluster_layer{i}", spans,
                                        _caption_lines(i, len(found), row, stage, show, lang)))
        column = spans[-1] + 1
    legend = _legend(show, scale, no_grads, maps, lang)
    layout = layered.lay_out(columns, edges, captions, legend, title)
    layout.update(show=show, lang=lang, largest=largest,
                  colours={"positive": POSITIVE, "negative": NEGATIVE, "zero": ZERO,
                           "grad_scale": list(GRAD_SCALE), "diverging": list(DIVERGING)},
                  widths=[MIN_WIDTH, MAX_WIDTH])  # fmt: skip
    if maps is not None:
        layout["maps"] = {"limit": maps["limit"], "resolution": resolution,
                          "extent": maps["extent"]}  # fmt: skip
    return NetworkPicture(layout)


def _parameter_index(model: Any) -> dict[int, int]:
    """id(parameter) -> its position in ``model.parameters()`` (empty without that)."""
    parameters = getattr(model, "parameters", None)
    return {id(p): i for i, p in enumerate(parameters())} if callable(parameters) else {}


def _heat_maps(model: Any, found: list[Stage], drawing: Parts, X: Any,
               resolution: int) -> dict[str, Any]:  # fmt: skip
    """Every drawn box's heat map (inputs and neurons) as a PNG data URI, on one scale."""
    if X is None:
        raise ValueError("draw_mlp: show='activations' needs the data X (2-D points) to draw "
                         "each neuron's output over the plane around it")  # fmt: skip
    if found[0].inputs != 2:
        raise ValueError(f"draw_mlp: show='activations' draws maps over a plane: the model "
                         f"must take 2 inputs, not {found[0].inputs}")  # fmt: skip
    xs, ys, points = plane_grid(X, resolution)
    layers = neuron_outputs(model, points)
    drawn = {node for node, *_ in drawing.nodes}
    values: dict[str, np.ndarray] = {"x0": points[:, 0], "x1": points[:, 1]}
    for i, outputs in enumerate(layers):
        values |= {f"n{i}_{j}": y for j, y in enumerate(outputs) if f"n{i}_{j}" in drawn}
    limit = symmetric_limit([v for node, v in values.items() if node.startswith("n")])
    shape = (resolution, resolution)
    uris = {node: png_data_uri(diverging_rgb(v.reshape(shape), limit))
            for node, v in values.items()}  # fmt: skip
    return {"uris": uris, "limit": limit, "names": [label for _, label, *_ in drawing.nodes[:2]],
            "extent": [float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])]}


NEURON_FILL = "#fef3c7"  # a parameter's colour (the bias), paler than draw_dot's
INPUT_FILL = "#dbeafe"
MAP_SIZE = 46  # px: a heat map inside a box


def _columns(found: list[Stage], drawing: Parts, show: str, scale: LogScale,
             maps: dict[str, Any] | None, index: dict[int, int],
             lang: str) -> list[layered.Column]:  # fmt: skip
    """The boxes of the picture, column by column (a Maxout layer: its pieces, then a
    column of max boxes)."""
    labels: dict[str, str] = {}
    for node, label, bias, _ in drawing.nodes:
        if bias is not None:
            key = "network.bias_grad" if show == "grads" else "network.bias"
            labels[node] = text(lang, key, value=number(grad_of(bias) if show == "grads"
                                                        else bias.data))  # fmt: skip
        else:
            labels[node] = label
    uris = maps["uris"] if maps else {}
    extra = MAP_SIZE + 8 if maps else 0.0
    height = MAP_SIZE + 8 if maps else 30
    neuron_labels = [labels[n] for n, _, b, where in drawing.nodes if where >= 0 and b is not None]
    neuron_width = layered.box_width(neuron_labels, 64, extra)
    input_width = layered.box_width([labels[n] for n, *_, where in drawing.nodes if where < 0],
                                    44, extra)  # fmt: skip

    def box(node: str, bias: Value | None, where: int) -> layered.Box:
        label = labels[node]
        if where < 0:
            return layered.Box(node, label, input_width, height, "input", INPUT_FILL,
                               title=label, map=uris.get(node), map_size=MAP_SIZE)  # fmt: skip
        if bias is None and label == "max":
            return layered.Box(node, label, 56 + extra, height, "max", "#e5e7eb",
                               map=uris.get(node), map_size=MAP_SIZE)  # fmt: skip
        fill, colour = NEURON_FILL, layered.TEXT
        if show == "grads":
            t = scale(grad_of(bias)) if bias is not None else None
            fill = ZERO if t is None else grad_colour(t)
            colour = _text_colour(t)
        elif maps:
            fill = "#ffffff"
        data = {"parameter": index.get(id(bias))} if bias is not None else {}
        return layered.Box(node, label, neuron_width, height, "neuron", fill, colour,
                           title=label, map=uris.get(node), map_size=MAP_SIZE,
                           data=data)  # fmt: skip

    def more(cluster: int) -> list[layered.Box]:
        hidden = drawing.hidden[cluster]
        if not hidden:
            return []
        label = text(lang, "network.more", count=hidden)
        return [layered.Box(f"more{cluster}", label, layered.box_width([label], 40), 20, "more")]

    columns = [layered.Column([box(n, b, w) for n, _, b, w in drawing.nodes if w < 0] + more(-1))]
    for i, stage in enumerate(found):
        mine = [(n, label, b) for n, label, b, w in drawing.nodes if w == i]
        if len(stage.pieces) == 1:
            columns.append(layered.Column([box(n, b, i) for n, _, b in mine] + more(i)))
            continue
        pieces = [box(n, b, i) for n, label, b in mine if label != "max"]
        units = []
        for n, label, _ in mine:
            if label == "max":
                unit = box(n, None, i)
                unit.centre_of = [p.id for p in pieces if p.id.startswith(n + "p")]
                units.append(unit)
        columns += [layered.Column(pieces + more(i)), layered.Column(units)]
    return columns


def _legend(show: str, scale: LogScale, no_grads: bool, maps: dict[str, Any] | None,
            lang: str) -> list[dict[str, Any]]:  # fmt: skip
    """What b, the colours and the widths mean, for this view."""
    item = layered.legend_item
    if show == "grads":
        if no_grads:
            return [item("text", text(lang, "network.no_grads"))]
        stops = [grad_colour(k / 23) for k in range(24)]
        ticks = [[scale(10.0**d), f"1e{d}"] for d in scale.decades()]
        return [item("bar", text(lang, "network.legend_grads"), stops=stops, ticks=ticks),
                item("line", text(lang, "network.legend_zero"), colour=ZERO, width=1.0),
                item("box", text(lang, "network.legend_bias_grad"), colour=grad_colour(0.5),
                     sample="\u2202b")]  # fmt: skip
    items = [item("box", text(lang, "network.legend_bias"), colour=NEURON_FILL, sample="b"),
             item("line", text(lang, "network.legend_positive"), colour=POSITIVE),
             item("line", text(lang, "network.legend_negative"), colour=NEGATIVE),
             item("line", text(lang, "network.legend_width"), colour=ZERO, width=MAX_WIDTH)]
    if maps is not None:
        limit = maps["limit"]
        stops = [hex_colour(limit * (k / 11 - 1), limit) for k in range(23)]
        ticks = [[0, f"\u2212{limit:.2g}"], [0.5, "0"], [1, f"+{limit:.2g}"]]
        label = text(lang, "network.legend_maps", x=maps["names"][0], y=maps["names"][1])
        items.append(item("bar", label, stops=stops, ticks=ticks))
    return items


def _checked_range(grad_range: Any) -> tuple[float, float]:
    """``grad_range`` as (smallest, largest) floats, 0 <= smallest <= largest; else an
    error naming it."""
    from nn.checks import finite_number

    if isinstance(grad_range, (str, bytes)) or not isinstance(grad_range, Sequence) \
            or len(grad_range) != 2:  # fmt: skip
        raise ValueError(f"draw_mlp: grad_range must be a pair (smallest, largest), "
                         f"not {grad_range!r}")  # fmt: skip
    low, high = (finite_number(f"draw_mlp: grad_range[{i}]", x) for i, x in enumerate(grad_range))
    if not 0 <= low <= high:
        raise ValueError(f"draw_mlp: grad_range must be 0 <= smallest <= largest, "
                         f"not {tuple(grad_range)!r}")  # fmt: skip
    return low, high
