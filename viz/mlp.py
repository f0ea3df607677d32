"""``draw_mlp``: the architecture of an ``nn.MLP`` and the current value of its weights.

Inputs on the left, one cluster per layer labelled with its activation, one edge per
weight: blue for positive, red for negative, thicker for larger magnitude.  Each neuron
shows its bias.
"""

from __future__ import annotations

from typing import Any

from .graph import RANKDIRS, check_size
from .labels import escape, number
from .render import Diagram

POSITIVE = "#2563eb"
NEGATIVE = "#dc2626"
ZERO = "#9ca3af"
MIN_WIDTH, MAX_WIDTH = 0.4, 4.0


def _layer_activation(layer: Any) -> str:
    names = {str(getattr(neuron, "activation", "linear")) for neuron in layer.neurons}
    return names.pop() if len(names) == 1 else "mixed"


def _edge_style(weight: float, largest: float) -> dict[str, str]:
    colour = POSITIVE if weight > 0 else NEGATIVE if weight < 0 else ZERO
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (abs(weight) / largest if largest else 0.0)
    return {"color": colour, "penwidth": f"{width:.2f}", "tooltip": f"w = {number(weight)}"}


def draw_mlp(model: Any, rankdir: str = "LR", max_edges: int = 5000) -> Diagram:
    """The layers, neurons and weights of ``model`` (an ``nn.MLP``) as a graph.

    Raises TypeError for an object without ``.layers`` of neurons, and ValueError when
    the model has more than ``max_edges`` weights.
    """
    layers = list(getattr(model, "layers", None) or [])
    if not layers or not all(hasattr(layer, "neurons") for layer in layers):
        raise TypeError(f"draw_mlp needs an nn.MLP (with .layers of neurons), "
                        f"not {type(model).__name__}")  # fmt: skip
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    weights = [w.data for layer in layers for neuron in layer.neurons for w in neuron.w]
    check_size(len(weights), max_edges, what="weights", name="max_edges")
    largest = max((abs(w) for w in weights), default=0.0)

    graph = Diagram(name="mlp", format="svg")
    # Straight edges and newrank keep the classic picture: every layer a centred column.
    graph.attr(rankdir=rankdir, fontname="Helvetica", nodesep="0.15", ranksep="2.0",
               splines="line", newrank="true",
               label="blue: positive weight, red: negative; thicker: larger |w|",
               fontsize="10")  # fmt: skip
    graph.attr("node", fontname="Helvetica", fontsize="9")
    graph.attr("edge", arrowsize="0.4")
    nin = len(layers[0].neurons[0].w) if layers[0].neurons else 0
    previous = [f"x{k}" for k in range(nin)]
    with graph.subgraph(name="cluster_inputs") as inputs:
        inputs.attr(label=f"inputs ({nin})", style="rounded", color="#9ca3af")
        for k, name in enumerate(previous):
            inputs.node(name, f"x{k}", shape="circle", style="filled", fillcolor="#dbeafe")
    for i, layer in enumerate(layers):
        current = [f"n{i}_{j}" for j in range(len(layer.neurons))]
        kind = "output layer" if i == len(layers) - 1 else f"layer {i + 1}"
        with graph.subgraph(name=f"cluster_layer{i}") as cluster:
            cluster.attr(label=f"{kind}: {escape(_layer_activation(layer))} ({len(current)})",
                         style="rounded", color="#9ca3af")  # fmt: skip
            for name, neuron in zip(current, layer.neurons):
                cluster.node(name, f"b {number(neuron.b.data)}", shape="circle",
                             style="filled", fillcolor="#fde68a", fixedsize="false")  # fmt: skip
        for name, neuron in zip(current, layer.neurons):
            for source, w in zip(previous, neuron.w):
                graph.edge(source, name, **_edge_style(w.data, largest))
        previous = current
    return graph
