"""``draw_mlp``: a network's layers, neurons and weights -- or its gradients.

Inputs on the left, one cluster per layer labelled with its activation and, under it,
the layer's mean |w| and mean |grad|.  One edge per weight.

* ``show="weights"``: edge width proportional to |w|, colour by sign (blue ``#2166ac``
  positive, red ``#b2182b`` negative: a colour-blind-safe diverging pair); each neuron
  shows its bias.
* ``show="grads"`` (after ``backward()``): each edge coloured by |dL/dw| on a log
  scale, light for tiny gradients and dark for large ones (so vanishing gradients
  fade away), each neuron by |dL/db|; a legend gives the scale.

It draws an ``nn.MLP``, a ``Layer``, a ``Maxout`` layer (each unit is its linear pieces
feeding a ``max`` node) and an ``nn.Sequential`` of those, with activation and Dropout
modules noted on the layer before them.  Layers wider than ``max_neurons`` show their
first neurons and a "... k more" node instead of an unreadable hairball.  Node and edge
ids are fixed (``x0``, ``n1_3``, ``w1_3_0`` ...), so the DOT text is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

from .graph import RANKDIRS, check_size
from .labels import escape, number
from .render import Diagram

POSITIVE = "#2166ac"
NEGATIVE = "#b2182b"
ZERO = "#9ca3af"
MIN_WIDTH, MAX_WIDTH = 0.4, 4.0
# light -> dark, monotone in lightness (readable in grey and for colour-blind readers)
GRAD_SCALE = ("#fde0c5", "#f59e72", "#c2405b", "#3b0f70")
SHOWN_OF_WIDE = 8  # a layer wider than max_neurons shows this many neurons, then "... k more"
SHOWS = ("weights", "grads")


@dataclass
class Unit:
    """One linear unit: weights w_1..w_n, bias b (None for a layer without bias) and the
    activation it applies itself ('linear' for none)."""

    w: list[Value]
    b: Value | None
    activation: str = "linear"


@dataclass
class Stage:
    """One layer of the picture: its linear pieces (one for a layer, several for a
    Maxout, whose unit j is the max of the pieces' unit j), each a list of units, and the
    activations applied after it (by activation modules that follow it in a Sequential)."""

    pieces: list[list[Unit]]
    activation: str
    notes: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.pieces[0])

    @property
    def inputs(self) -> int:
        return len(self.pieces[0][0].w)

    def weights(self) -> list[Value]:
        return [w for piece in self.pieces for unit in piece for w in unit.w]


def _units(layer: Any) -> list[Unit] | None:
    """The units of a layer-like module, duck-typed: ``neurons`` each with ``w`` and ``b``
    (nn.Layer), or PyTorch's ``weight`` rows with a ``bias`` list (nn.Linear); None for
    anything else."""
    neurons = getattr(layer, "neurons", None)
    if isinstance(neurons, (list, tuple)) and neurons and all(
            isinstance(getattr(n, "w", None), (list, tuple)) for n in neurons):  # fmt: skip
        return [Unit(list(n.w), getattr(n, "b", None), str(getattr(n, "activation", "linear")))
                for n in neurons]  # fmt: skip
    weight = getattr(layer, "weight", None)
    if isinstance(weight, (list, tuple)) and weight and all(
            isinstance(row, (list, tuple)) for row in weight):  # fmt: skip
        bias = getattr(layer, "bias", None)
        biases = list(bias) if isinstance(bias, (list, tuple)) else [None] * len(weight)
        return [Unit(list(row), b) for row, b in zip(weight, biases)]
    return None


def _layer_activation(units: list[Unit]) -> str:
    names = {unit.activation for unit in units}
    return names.pop() if len(names) == 1 else "mixed"


def _activation_name(module: Any) -> str | None:
    """The activation an activation module applies ('relu' for nn.ReLU()), else None."""
    from nn import ACTIVATIONS, Activation

    name = getattr(module, "name", None)
    if isinstance(module, Activation) or (isinstance(name, str) and name in ACTIVATIONS
                                          and not hasattr(module, "parameters")):  # fmt: skip
        return name
    return None


def stages(model: Any) -> list[Stage]:
    """The layers of an MLP-like ``model``; TypeError for anything else, ValueError for
    a layer whose inputs are not the previous layer's outputs.

    Duck-typed: a container has ``layers`` (nn.MLP, nn.Sequential) or is a list; a layer
    has ``neurons`` (each with ``w`` and ``b``) or ``weight`` rows and ``bias`` (nn.Linear);
    a Maxout has ``pieces``; activation modules and Dropout after a layer are noted on it.
    """
    found: list[Stage] = []

    def append(stage: Stage, where: str) -> None:
        if found and stage.inputs != found[-1].width:
            raise ValueError(f"draw_mlp: {where} takes {stage.inputs} inputs but the layer "
                             f"before it gives {found[-1].width}")  # fmt: skip
        found.append(stage)

    def add(module: Any, where: str) -> None:
        units = _units(module)
        pieces = getattr(module, "pieces", None)
        layers = module if isinstance(module, (list, tuple)) else getattr(module, "layers", None)
        if layers is None and units is None and hasattr(module, "__getitem__") \
                and hasattr(module, "__len__"):  # a ModuleList-like container  # fmt: skip
            layers = [module[i] for i in range(len(module))]
        activation = _activation_name(module)
        if units is not None:
            append(Stage([units], _layer_activation(units)), where)
        elif isinstance(pieces, (list, tuple)) and pieces and all(map(_units, pieces)):
            append(Stage([_units(piece) for piece in pieces], f"maxout of {len(pieces)}"),
                   where)  # fmt: skip
        elif isinstance(layers, (list, tuple)):
            for i, item in enumerate(layers):
                add(item, f"{where}[{i}]")
        elif activation is not None and found:
            found[-1].notes.append(activation)
            found[-1].after.append(activation)
        elif type(module).__name__ == "Dropout" and found:  # the identity in evaluation
            found[-1].notes.append(f"dropout p={module.p}")
        else:
            raise TypeError(f"draw_mlp draws an MLP-like stack (nn.MLP, Layer, Maxout or a "
                            f"Sequential of them), but {where} is a {type(module).__name__}")
    add(model, "the model")
    if not found:
        raise TypeError(f"draw_mlp: {type(model).__name__} has no layers to draw")
    return found


def _mean_abs(values: Iterable[float]) -> float:
    values = list(values)
    return sum(map(abs, values)) / len(values) if values else 0.0


def layer_summaries(model: Any) -> list[dict[str, Any]]:
    """Per layer: its ``name``, ``activation``, ``width``, ``mean_abs_w`` (mean |w|) and
    ``mean_abs_grad`` (mean |dL/dw| over its weights, biases left out)."""
    return _summaries(stages(model))


def _summaries(found: list[Stage]) -> list[dict[str, Any]]:
    return [{"name": _layer_name(i, len(found)), "activation": stage.activation,
             "width": stage.width,
             "mean_abs_w": _mean_abs(w.data for w in stage.weights()),
             "mean_abs_grad": _mean_abs(w.grad for w in stage.weights())}
            for i, stage in enumerate(found)]  # fmt: skip


def _layer_name(i: int, count: int) -> str:
    return "output layer" if i == count - 1 else f"layer {i + 1}"


def _shown(count: int, max_neurons: int) -> int:
    return count if count <= max_neurons else min(SHOWN_OF_WIDE, max_neurons)


@dataclass
class Parts:
    """What a picture draws: nodes (id, label, bias Value or None, cluster index; -1 for
    the inputs) and edges (id, tail, head, weight Value or None for a piece -> max edge)."""

    nodes: list[tuple[str, str, Value | None, int]] = field(default_factory=list)
    edges: list[tuple[str, str, str, Value | None]] = field(default_factory=list)
    hidden: dict[int, int] = field(default_factory=dict)  # cluster -> neurons not drawn


def parts(found: list[Stage], max_neurons: int) -> Parts:
    """The nodes and edges of the picture of ``found`` (the ellipsis applied)."""
    drawing = Parts()
    nin = found[0].inputs
    previous = [(k, f"x{k}") for k in range(_shown(nin, max_neurons))]
    drawing.nodes += [(name, f"x{k}", None, -1) for k, name in previous]
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
    return "white" if t is not None and t > 0.6 else "black"


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


def _weight_style(w: Value, largest: float) -> dict[str, str]:
    colour = POSITIVE if w.data > 0 else NEGATIVE if w.data < 0 else ZERO
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (abs(w.data) / largest if largest else 0.0)
    return {"color": colour, "penwidth": f"{width:.2f}", "tooltip": f"w = {number(w.data)}"}


def _grad_style(w: Value, scale: LogScale) -> dict[str, str]:
    t = scale(w.grad)
    colour = ZERO if t is None else grad_colour(t)
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (t or 0.0)
    return {"color": colour, "penwidth": f"{width:.2f}", "tooltip": f"dL/dw = {number(w.grad)}"}


def _add_grad_legend(graph: Diagram, scale: LogScale) -> None:
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="|dL/dw| (log scale)", fontsize="10", style="dashed", color=ZERO)
        previous = None
        for decade in scale.decades():
            name = f"legend_{decade - scale.low}"
            t = scale(10.0**decade)
            legend.node(name, f"1e{decade}", shape="box", style="filled", fontsize="9",
                        fillcolor=grad_colour(t), fontcolor=_text_colour(t))
            if previous:  # an invisible chain lays the samples out in a row
                legend.edge(previous, name, style="invis")
            previous = name


def summary_lines(row: dict[str, Any]) -> list[str]:
    """The two summary lines under a layer, from a row of :func:`layer_summaries`."""
    return [f"mean |w| {number(row['mean_abs_w'])}",
            f"mean |grad| {number(row['mean_abs_grad'])}"]  # fmt: skip


def _cluster_label(row: dict[str, Any], stage: Stage) -> str:
    activation = " \u2192 ".join([stage.activation, *stage.notes])
    lines = [f"{row['name']}: {escape(activation)} ({stage.width})", *summary_lines(row)]
    return "\\n".join(lines)


def draw_mlp(model: Any, show: str = "weights", rankdir: str = "LR", max_edges: int = 5000,
             max_neurons: int = 32,
             grad_range: tuple[float, float] | None = None) -> Diagram:  # fmt: skip
    """The layers, neurons and weights (``show="weights"``) or gradients (``show="grads"``)
    of ``model`` -- an ``nn.MLP``, ``Layer``, ``Maxout`` or ``Sequential`` of them.

    Layers (and inputs) wider than ``max_neurons`` draw their first neurons and a
    "... k more" node.  ``grad_range`` (smallest, largest |grad|) fixes the colour
    scale of the grads view, so pictures of several models compare; by default it
    spans the drawn gradients.  Raises TypeError for a model that is not an MLP-like stack,
    and ValueError for an unknown ``show`` or ``rankdir``, more than ``max_edges``
    drawn weights, a layer taking another number of inputs than the one before gives, or
    a ``grad_range`` that is not two finite numbers 0 <= smallest <= largest.
    """
    if show not in SHOWS:
        raise ValueError(f"draw_mlp: show must be 'weights' or 'grads', not {show!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 1:
        raise ValueError(f"draw_mlp: max_neurons must be an int >= 1, not {max_neurons!r}")
    if grad_range is not None:
        grad_range = _checked_range(grad_range)
    found = stages(model)
    drawing = parts(found, max_neurons)
    weights = [w for *_, w in drawing.edges if w is not None]
    check_size(len(weights), max_edges, what="weights", name="max_edges")
    largest = max((abs(w.data) for w in weights), default=0.0)
    grads = [w.grad for w in weights] + [b.grad for *_, b, _ in drawing.nodes if b]
    scale = LogScale(grad_range or grads)
    no_grads = show == "grads" and grad_range is None and not any(grads)

    graph = Diagram(name="mlp", format="svg")
    if show == "weights":
        caption = "blue: positive weight, red: negative; thicker: larger |w|"
    elif no_grads:
        caption = "no gradients yet: every one is 0 (call backward() on a loss first)"
    else:
        caption = "darker and thicker: larger |dL/dw|; grey: zero gradient"
    # Straight edges and newrank keep the classic picture: every layer a centred column.
    # remincross=false: Graphviz keeps the order _keep_in_order gives each column.
    graph.attr(rankdir=rankdir, fontname="Helvetica", nodesep="0.15", ranksep="2.0",
               splines="line", newrank="true", remincross="false", label=caption,
               fontsize="10")  # fmt: skip
    graph.attr("node", fontname="Helvetica", fontsize="9")
    graph.attr("edge", arrowsize="0.4")
    labels = {-1: f"inputs ({found[0].inputs})"}
    labels |= {i: _cluster_label(row, stage)
               for i, (row, stage) in enumerate(zip(_summaries(found), found))}  # fmt: skip
    for cluster, label in labels.items():
        name = "cluster_inputs" if cluster < 0 else f"cluster_layer{cluster}"
        with graph.subgraph(name=name) as sub:
            sub.attr(label=label, style="rounded", color=ZERO, labelloc="b", id=name)
            for node, text, bias, where in drawing.nodes:
                if where == cluster:
                    sub.node(node, **_node_style(text, bias, show, scale), id=node)
            column = [node for node, text, _, where in drawing.nodes
                      if where == cluster and text != "max"]  # fmt: skip
            if drawing.hidden[cluster]:
                sub.node(f"more{cluster}", f"\u2026 {drawing.hidden[cluster]} more",
                         shape="plaintext", fontsize="10")  # fmt: skip
                column.append(f"more{cluster}")
            _keep_in_order(sub, column, rankdir)
    for edge, tail, head, w in drawing.edges:
        if w is None:
            graph.edge(tail, head, color=ZERO, id=edge)
        else:
            style = _weight_style(w, largest) if show == "weights" else _grad_style(w, scale)
            graph.edge(tail, head, **style, id=edge)
    if show == "grads" and not no_grads:
        _add_grad_legend(graph, scale)
    return graph


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


def _keep_in_order(graph: Diagram, column: list[str], rankdir: str) -> None:
    """Draw ``column``'s nodes as one column in this order (x0, x1, ... top to bottom, or
    left to right for TB/BT), not reordered by Graphviz to cross fewer edges: invisible
    edges between nodes of one rank fix their order (which runs upwards in LR/RL)."""
    pairs = list(zip(column, column[1:]))
    with graph.subgraph() as same:
        same.attr(rank="same")
        for tail, head in pairs if rankdir in ("TB", "BT") else [(b, a) for a, b in pairs]:
            same.edge(tail, head, style="invis")


def _node_style(text: str, bias: Value | None, show: str, scale: LogScale) -> dict[str, str]:
    if bias is None:  # an input, or a Maxout unit's max
        fill = "#dbeafe" if text.startswith("x") else "#e5e7eb"
        return {"label": text, "shape": "circle", "style": "filled", "fillcolor": fill}
    if show == "weights":
        return {"label": f"b {number(bias.data)}", "shape": "circle", "style": "filled",
                "fillcolor": "#fde68a"}  # fmt: skip
    t = scale(bias.grad)
    return {"label": f"\u2202b {number(bias.grad)}", "shape": "circle", "style": "filled",
            "fillcolor": ZERO if t is None else grad_colour(t),
            "fontcolor": _text_colour(t)}  # fmt: skip
