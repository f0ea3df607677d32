"""The step-through page: backward (reverse mode) and forward mode, one node at a time.

Reverse view: frame 0 seeds the output's gradient with 1; each next frame processes one
op node in reverse topological order: the node is highlighted, its local derivative
with respect to each input is shown, and so is the gradient it passes on
(upstream × local), which the inputs' boxes accumulate.

Forward view, from one chosen input x: frame 0 seeds x's tangent with 1 (every other
leaf 0); each next frame computes one op node in topological order, its tangent
d node / d x = Σ local_i × tangent(input_i) from the same local derivatives.  The last
frame's tangent of the output equals the gradient the reverse view gives x.

The page inlines its SVG, styles, script and data: it loads nothing from anywhere.
:func:`step_through` returns it as an object that Jupyter displays inline (in an
``<iframe srcdoc>``, so several on one page keep their ids and scripts apart).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path

from autograd import Value, local_partials, topological_order
from autograd.files import write_atomic
from autograd.forward import Linearization

from .graph import draw_dot
from .labels import number
from .pages import fill_template, inline_svg

_TEMPLATE = "stepper.html"
_PANEL_HEIGHT = 300  # px above the graph in the inline view: controls and the frame's table
DEFAULT_FORWARD_INPUTS = 12  # the forward view's inputs when none are given (data grows with each)


def _names(order: list[Value]) -> dict[Value, str]:
    return {node: node.label or f"v{i}" for i, node in enumerate(order)}


def backward_frames(root: Value) -> tuple[list[dict], dict[Value, float]]:
    """The frames of a fresh backward pass from ``root`` and the gradients it ends with.

    ``.grad`` is left untouched: the gradients are recomputed from the engine's local
    partials, as ``root.backward()`` on a graph with zeroed gradients would.
    """
    order = topological_order(root)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    names = _names(order)
    grads = {node: 0.0 for node in order}
    grads[root] = 1.0
    frames = [{
        "node": ids[root], "title": f"seed: d {names[root]} / d {names[root]} = 1",
        "rule": "backward starts at the output with gradient 1", "upstream": number(1.0),
        "passes": [{"to": ids[root], "name": names[root], "local": "", "gives": "",
                    "after": number(1.0), "raw": 1.0}],
    }]  # fmt: skip
    for node in reversed(order):
        if not node.inputs:
            continue
        upstream = grads[node]
        passes = []
        for child, local in zip(node.inputs, local_partials(node)):
            grads[child] += upstream * local
            passes.append({
                "to": ids[child], "name": names[child], "local": number(local),
                "gives": number(upstream * local), "after": number(grads[child]),
                "raw": grads[child],
            })  # fmt: skip
        frames.append({
            "node": ids[node], "title": f"{node.op} \u2192 {names[node]}",
            "rule": node.op_doc, "upstream": number(upstream),
            "passes": passes,
        })  # fmt: skip
    return frames, grads


def forward_frames(root: Value, wrt: Value, linearization: Linearization | None = None
                   ) -> tuple[list[dict], dict[Value, float]]:  # fmt: skip
    """The frames of forward mode from the leaf ``wrt`` and every node's tangent d node / d wrt.

    Frame 0 seeds ``wrt`` with tangent 1 (the other leaves have 0); each next frame is
    one op node, in topological order, with the tangent, local derivative and
    contribution (local × tangent) of each of its inputs, and the sum: its tangent.  The
    tangents are autograd's own forward mode (``autograd.jvp`` runs the same pass);
    ``linearization`` is root's, when the caller has it already (one for every input).
    """
    lin = linearization or Linearization("forward_frames", [wrt], [root])
    if wrt not in lin.order or wrt.inputs:
        raise ValueError(f"forward_frames: wrt must be a leaf of the graph, not {wrt!r}")
    tangents = lin.push_forward({wrt: 1.0})
    ids = {node: f"v{i}" for i, node in enumerate(lin.order)}
    names = _names(lin.order)
    frames = [{
        "node": ids[wrt], "title": f"seed: d {names[wrt]} / d {names[wrt]} = 1",
        "rule": "forward mode starts at the chosen input with tangent 1 (other inputs 0)",
        "tangent": number(1.0), "raw": 1.0, "passes": [],
    }]  # fmt: skip
    for node, partials in zip(lin.order, lin.partials):
        if not partials:
            continue
        passes = []
        for child, local in zip(node.inputs, partials):
            tangent = tangents.get(child, 0.0)
            passes.append({
                "from": ids[child], "name": names[child], "tangent": number(tangent),
                "local": number(local), "gives": number(local * tangent if tangent else 0.0),
            })  # fmt: skip
        frames.append({
            "node": ids[node], "title": f"{node.op} \u2192 {names[node]}",
            "rule": node.op_doc, "tangent": number(tangents[node]), "raw": tangents[node],
            "passes": passes,
        })  # fmt: skip
    return frames, {node: tangents.get(node, 0.0) for node in lin.order}


def _forward_inputs(order: list[Value], inputs: Iterable[Value] | None) -> tuple[list, int]:
    """The leaves the forward view can start from, and how many more it leaves out:
    ``inputs``, else the first DEFAULT_FORWARD_INPUTS labelled leaves (of all leaves if
    none has a label)."""
    leaves = [node for node in order if not node.inputs]
    if inputs is None:
        candidates = [leaf for leaf in leaves if leaf.label] or leaves
        shown = candidates[:DEFAULT_FORWARD_INPUTS]
        return shown, len(candidates) - len(shown)
    chosen = list(inputs)
    for x in chosen:
        if not isinstance(x, Value):
            raise TypeError(f"step_through: inputs must be Values, not {type(x).__name__}")
        if x not in leaves:
            raise ValueError(f"step_through: inputs must be leaves the output depends on; "
                             f"{x!r} is not one")  # fmt: skip
    return chosen, 0


class StepThrough:
    """The step-through page of a Value: ``.html`` is the whole page, ``.save(path)``
    writes it, and a notebook displays it inline (``_repr_html_``)."""

    def __init__(self, page: str, height: int) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        """The page in an ``<iframe srcdoc>``: its ids and script cannot meet another's."""
        return (f'<iframe class="chaingrad-stepper" srcdoc="{html.escape(self.html)}" '
                f'sandbox="allow-scripts" style="width: 100%; height: {self.height}px; '
                'border: 1px solid #d1d5db; border-radius: 6px"></iframe>')  # fmt: skip

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` durably (:func:`autograd.files.write_atomic`) and
        return it."""
        path = Path(path)
        write_atomic(path, self.html)
        return path


def _svg_height(svg: str) -> int:
    """The height in px of Graphviz's SVG (its ``height="123pt"``; 1pt = 4/3 px)."""
    start = svg.index('height="') + len('height="')
    return round(float(svg[start : svg.index("pt", start)]) * 4 / 3)


def step_through(
    root: Value,
    rankdir: str = "LR",
    max_nodes: int = 1000,
    inputs: Iterable[Value] | None = None,
) -> StepThrough:
    """The step-through page of ``root``: backward, and forward mode from each of ``inputs``.

    ``inputs`` are the leaves the forward view offers (default: the first 12 labelled
    leaves, or of all leaves if none is labelled; each adds one set of frames).  The graph
    is drawn as by :func:`viz.draw_dot` (at most ``max_nodes`` Values); its SVG comes
    from the system or the embedded Graphviz.
    In a notebook, the result displays inline.
    """
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs a Value, not {type(root).__name__}")
    frames, final = backward_frames(root)
    order = topological_order(root)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    names = _names(order)
    forward = []
    chosen, left_out = _forward_inputs(order, inputs)
    lin = Linearization("step_through", chosen, [root])  # the local derivatives, once
    for x in chosen:
        steps, tangents = forward_frames(root, x, lin)
        leaves = {ids[n]: number(t) for n, t in tangents.items() if not n.inputs}
        forward.append({"input": ids[x], "name": names[x], "frames": steps, "leaves": leaves,
                        "output": names[root], "gradient": number(final[x])})  # fmt: skip
    graph = draw_dot(root, rankdir=rankdir, max_nodes=max_nodes, node_ids=True, grads=final)
    svg = inline_svg(graph.source)
    data = {"reverse": frames, "forward": forward, "forward_left_out": left_out}
    page = fill_template(_TEMPLATE, data, svg)
    return StepThrough(page, _PANEL_HEIGHT + _svg_height(svg))


def backprop_html(
    root: Value,
    path: str | os.PathLike,
    rankdir: str = "LR",
    max_nodes: int = 1000,
    inputs: Iterable[Value] | None = None,
) -> Path:
    """Write the step-through page of :func:`step_through` to ``path`` and return the path."""
    return step_through(root, rankdir, max_nodes, inputs).save(path)
