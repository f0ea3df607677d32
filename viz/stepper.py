"""The step-through page: backward (reverse mode) and forward mode, one node at a time.

Reverse view: frame 0 seeds the output's gradient with 1; each next frame processes one
op node in reverse topological order: the node is highlighted, its local derivative
with respect to each input is written out with the numbers put in
(∂a/∂z = a·(1 − a) = 0.6660 × 0.3340 = 0.2225), and so is what lands in each input's
grad (z.grad += a.grad × ∂a/∂z), which the inputs' boxes accumulate.

Forward view, from one chosen input x: frame 0 seeds x's tangent with 1 (every other
leaf 0); each next frame computes one op node in topological order, its tangent
∂node/∂x = Σ ∂node/∂input_i × ∂input_i/∂x from the same local derivatives.  The last
frame's tangent of the output equals the gradient the reverse view gives x.

``expand=True`` steps a neuron product by product: each ``dot`` is drawn and stepped as
its multiplications w_i·x_i, then one addition (:mod:`viz.view`).  The graph may be a
chaingrad Value or a learner's own micrograd-style Value.  Constants (leaves with
``requires_grad=False``) get no gradient, as in PyTorch.

The page inlines its SVG, styles, script, words (``viz/locales``, section "stepper") and
data: it loads nothing from anywhere.  :func:`step_through` returns it as an object that
Jupyter displays inline (in an ``<iframe srcdoc>``, so several on one page keep their
ids and scripts apart; the frame takes the height of its page).
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from autograd.files import write_atomic

from . import i18n
from .graph import check_size, draw_nodes
from .labels import number
from .pages import fill_template, inline_svg, svg_size
from .rules import BUILT_IN, local_rule, plain, value_rule
from .view import Node, graph_of, is_value, post_order

_TEMPLATE = "stepper.html"
_PANEL_HEIGHT = 330  # px above the graph in the inline view: controls and the frame's table
DEFAULT_FORWARD_INPUTS = 12  # the forward view's inputs when none are given (data grows with each)


def names_of(nodes: list[Node]) -> dict[Node, str]:
    """Each node's name in the rules: its label, else its id (v0, v1, ...)."""
    return {node: node.label or node.id for node in nodes}


def _title(node: Node, names: dict[Node, str]) -> str:
    return f"{node.symbol or node.op} \u2192 {names[node]}"


def _doc(node: Node) -> str:
    """A custom op's own words (the engine's ops have their rules written out)."""
    return "" if node.op in BUILT_IN or not node.op else node.doc


def _nodes(root: Any, expand: bool) -> list[Node]:
    if not is_value(root):
        raise TypeError(f"step_through needs a Value, not {type(root).__name__}")
    return graph_of(root, expand)


def _backward_order(nodes: list[Node]) -> list[Node]:
    """The op nodes in the order backward processes them: each after every node that
    uses it, and siblings in reading order (w1·x1 before w2·x2): the reverse of a
    depth-first post-order that visits each node's inputs last to first."""
    order = post_order(nodes[-1], lambda node: reversed(node.inputs))
    return [node for node in reversed(order) if node.inputs]


def backward_frames(root: Any, expand: bool = False, lang: str = "en",
                    nodes: list[Node] | None = None) -> tuple[list[dict], dict[Node, float]]:
    """The frames of a fresh backward pass from ``root`` and the gradients it ends with
    (by node of :func:`viz.view.graph_of`).

    ``.grad`` is left untouched: the gradients are recomputed from the local partials,
    as ``root.backward()`` on a graph with zeroed gradients would.  Constants get none.
    """
    nodes = nodes if nodes is not None else _nodes(root, expand)
    root_node = nodes[-1]
    names = names_of(nodes)
    grads = {node: 0.0 for node in nodes}
    grads[root_node] = 1.0
    name = names[root_node]
    frames = [{
        "node": root_node.id, "title": i18n.text(lang, "stepper.seed_title", name=name),
        "rule": i18n.text(lang, "stepper.seed_rule"), "upstream": number(1.0),
        "passes": [{"to": root_node.id, "name": name, "local": "", "gives": "",
                    "after": number(1.0), "raw": 1.0}],
    }]  # fmt: skip
    for node in _backward_order(nodes):
        upstream = grads[node]
        passes = []
        for k, (child, local) in enumerate(zip(node.inputs, node.partials)):
            if child.constant:
                continue
            before = grads[child]
            grads[child] += upstream * local
            passes.append({
                "to": child.id, "name": names[child], "k": k, "local": number(local),
                "gives": number(upstream * local), "before": number(before),
                "after": number(grads[child]), "raw": grads[child],
            })  # fmt: skip
        frames.append({"node": node.id, "title": _title(node, names), "rule": _doc(node),
                       "upstream": number(upstream), "passes": passes})  # fmt: skip
    return frames, grads


def forward_frames(root: Any, wrt: Any, expand: bool = False, lang: str = "en",
                   nodes: list[Node] | None = None) -> tuple[list[dict], dict[Node, float]]:
    """The frames of forward mode from the leaf ``wrt`` and every node's tangent
    ∂node/∂wrt (by node of :func:`viz.view.graph_of`; ``wrt`` a Value or such a node).

    Frame 0 seeds ``wrt`` with tangent 1 (the other leaves have 0); each next frame is
    one op node, in topological order, with the tangent, local derivative and
    contribution (local × tangent) of each of its inputs, and their sum: its tangent.
    """
    nodes = nodes if nodes is not None else _nodes(root, expand)
    start = next((n for n in nodes if n is wrt or (n.source is wrt and n.source is not None)),
                 None)  # fmt: skip
    if start is None or start.inputs:
        raise ValueError(f"forward_frames: wrt must be a leaf of the graph, not {wrt!r}")
    names = names_of(nodes)
    tangents = {node: 0.0 for node in nodes}
    tangents[start] = 1.0
    frames = [{
        "node": start.id, "title": i18n.text(lang, "stepper.seed_title", name=names[start]),
        "rule": i18n.text(lang, "stepper.seed_forward_rule"), "tangent": number(1.0),
        "raw": 1.0, "passes": [],
    }]  # fmt: skip
    for node in nodes:
        if not node.inputs:
            continue
        passes = []
        total = 0.0
        for k, (child, local) in enumerate(zip(node.inputs, node.partials)):
            tangent = tangents[child]
            gives = local * tangent if tangent else 0.0  # 0 × an infinite partial: no NaN
            total += gives
            passes.append({"from": child.id, "name": names[child], "k": k,
                           "tangent": number(tangent), "local": number(local),
                           "gives": number(gives)})  # fmt: skip
        tangents[node] = total
        frames.append({"node": node.id, "title": _title(node, names), "rule": _doc(node),
                       "tangent": number(total), "raw": total, "passes": passes})  # fmt: skip
    return frames, tangents


def _forward_inputs(nodes: list[Node], inputs: Iterable[Any] | None) -> tuple[list[Node], int]:
    """The leaves the forward view can start from, and how many more it leaves out:
    ``inputs``, else the first DEFAULT_FORWARD_INPUTS labelled leaves (of all leaves if
    none has a label); never a constant."""
    leaves = [node for node in nodes if node.is_leaf and not node.constant]
    if inputs is None:
        candidates = [leaf for leaf in leaves if leaf.label] or leaves
        shown = candidates[:DEFAULT_FORWARD_INPUTS]
        return shown, len(candidates) - len(shown)
    by_source = {id(leaf.source): leaf for leaf in leaves}
    chosen = []
    for x in inputs:
        if not is_value(x):
            raise TypeError(f"step_through: inputs must be Values, not {type(x).__name__}")
        if id(x) not in by_source:
            raise ValueError(f"step_through: inputs must be leaves the output depends on; "
                             f"{x!r} is not one")  # fmt: skip
        chosen.append(by_source[id(x)])
    return chosen, 0


class StepThrough:
    """The step-through page of a Value: ``.html`` is the whole page, ``.save(path)``
    writes it, and a notebook displays it inline (``_repr_html_``)."""

    def __init__(self, page: str, height: int) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        """The page in an ``<iframe srcdoc>`` (its ids and script cannot meet another's),
        as wide as the output area; the page reports its height and the frame takes it
        (where the notebook runs the output's script; else ``height`` px)."""
        return (f'<iframe class="chaingrad-stepper" srcdoc="{html.escape(self.html)}" '
                f'sandbox="allow-scripts" style="width: 100%; height: {self.height}px; '
                'border: 1px solid #d1d5db; border-radius: 6px"></iframe>'
                "<script>(function () {"
                "var frame = document.currentScript.previousElementSibling;"
                "window.addEventListener('message', function (event) {"
                "if (event.source === frame.contentWindow && event.data && "
                "event.data.chaingradHeight) {"
                "frame.style.boxSizing = 'content-box';"
                "frame.style.height = Math.ceil(event.data.chaingradHeight) + 'px'; }"
                "});}());</script>")  # fmt: skip

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` durably (:func:`autograd.files.write_atomic`) and
        return it."""
        path = Path(path)
        write_atomic(path, self.html)
        return path


def step_through(
    root: Any,
    rankdir: str = "LR",
    max_nodes: int = 1000,
    inputs: Iterable[Any] | None = None,
    *,
    expand: bool = False,
    lang: str = "en",
) -> StepThrough:
    """The step-through page of ``root``: backward, and forward mode from each of ``inputs``.

    ``root`` is a chaingrad Value or a learner's own micrograd-style one.  ``inputs``
    are the leaves the forward view offers (default: the first 12 labelled leaves, or of
    all leaves if none is labelled; each adds one set of frames).  ``expand=True``
    steps each ``dot`` (a neuron's w·x + b) product by product, then the addition.  The
    graph is drawn as by :func:`viz.draw_dot` (at most ``max_nodes`` Values); its SVG
    comes from the system or the embedded Graphviz.  ``lang`` ('en', 'pt-BR') is the
    page's language.  In a notebook, the result displays inline.
    """
    i18n.check_lang(lang)
    nodes = _nodes(root, expand)
    check_size(len(nodes), max_nodes)
    frames, final = backward_frames(root, lang=lang, nodes=nodes)
    names = names_of(nodes)
    forward = []
    chosen, left_out = _forward_inputs(nodes, inputs)
    for x in chosen:
        steps, tangents = forward_frames(root, x, lang=lang, nodes=nodes)
        leaves = {n.id: number(t) for n, t in tangents.items() if n.is_leaf and not n.constant}
        forward.append({"input": x.id, "name": names[x], "frames": steps, "leaves": leaves,
                        "output": names[nodes[-1]], "gradient": number(final[x])})  # fmt: skip
    rules = {node.id: [local_rule(node, k, names, lang) for k in range(len(node.inputs))]
             for node in nodes if node.inputs}  # fmt: skip
    values = {node.id: value_rule(node, names) for node in nodes if node.inputs}
    # room in every grad box for the forward view's longer "tangent 0.1234"
    room = max(len(i18n.text(lang, "stepper.tangent")) - len("grad"), 0) + 2
    graph = draw_nodes(nodes, rankdir, node_ids=True, grads=final, lang=lang, grad_room=room)
    svg = inline_svg(graph.source)
    data = {"reverse": frames, "forward": forward, "forward_left_out": left_out,
            "rules": rules, "values": values, "names": {n.id: names[n] for n in nodes},
            "words": i18n.section(lang, "stepper"),
            "step_of": i18n.section(lang, "common")["step_of"]}  # fmt: skip
    page = fill_template(_TEMPLATE, data, svg, lang, i18n.text(lang, "stepper.page_title"))
    return StepThrough(page, _PANEL_HEIGHT + round(svg_size(svg)[1] * 4 / 3))


def backprop_html(
    root: Any,
    path: str | os.PathLike,
    rankdir: str = "LR",
    max_nodes: int = 1000,
    inputs: Iterable[Any] | None = None,
    *,
    expand: bool = False,
    lang: str = "en",
) -> Path:
    """Write the step-through page of :func:`step_through` to ``path`` and return the path."""
    return step_through(root, rankdir, max_nodes, inputs, expand=expand, lang=lang).save(path)


def rule_text(root: Any, node_label: str, k: int = 0, expand: bool = False,
              lang: str = "en") -> str:  # fmt: skip
    """The written-out local derivative of the node labelled ``node_label`` with respect to
    its input ``k``, as plain text in ``lang``: 'a' of the README's neuron gives
    '∂a/∂z = a·(1 − a) = 0.6660 × 0.3340 = 0.2225'; a rule by cases says which holds,
    '∂y/∂x = 1 if x > 0, else 0; here x = −0.5000 ≤ 0, so 0.0000'."""
    i18n.check_lang(lang)
    nodes = _nodes(root, expand)
    names = names_of(nodes)
    node = next(n for n in nodes if n.label == node_label)
    return plain(local_rule(node, k, names, lang))
