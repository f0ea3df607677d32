"""``backprop_html``: a self-contained page that steps through ``backward`` one node at a time.

Frame 0 seeds the output's gradient with 1; each next frame processes one op node in
reverse topological order: the node is highlighted, its local derivative with respect
to each input is shown, and so is the gradient it passes on (upstream × local), which
the inputs' boxes accumulate.  The page inlines its SVG, styles, script and data: it
loads nothing from anywhere.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from autograd import Value, local_partials, topological_order

from .graph import draw_dot
from .labels import number
from .render import pipe_source

_TEMPLATE = "stepper.html"


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


def _script_json(data: object) -> str:
    """JSON that is safe inside a <script> element (no '<', '>' or '&' characters)."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def backprop_html(
    root: Value, path: str | os.PathLike, rankdir: str = "LR", max_nodes: int = 1000
) -> Path:
    """Write the step-through page for ``root`` to ``path`` and return the path.

    The graph is drawn as by :func:`viz.draw_dot` (at most ``max_nodes`` Values); its
    SVG comes from the system or the embedded Graphviz.
    """
    frames, final = backward_frames(root)
    graph = draw_dot(root, rankdir=rankdir, max_nodes=max_nodes, node_ids=True, grads=final)
    svg = pipe_source(graph.source, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype
    template = resources.files("viz").joinpath(_TEMPLATE).read_text(encoding="utf-8")
    page = template.replace("/*FRAMES*/", _script_json(frames)).replace("<!--SVG-->", svg)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
