"""``draw_dot``: the computation graph of a Value, with data and grad on every node.

Each Value is a box (label | data | grad) and each op a separate ellipse named by the
op, so ``a + a`` shows one ``add`` node with two edges from ``a``.  A constant (a leaf
with ``requires_grad=False``, e.g. the 2 of ``2 * x``) is a small box with its value
only.  Node ids come from the traversal order (``v0, v1, ...`` and ``op3`` for the op
that made ``v3``), so the same expression built twice gives the same DOT text.  It
draws chaingrad's Values and a learner's own micrograd-style ones (:mod:`viz.view`);
``expand=True`` draws a ``dot`` as its products and one addition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from autograd import Value

from .i18n import check_lang, text
from .labels import escape, number
from .render import Diagram
from .view import Node, dot_parts, graph_of, is_value

RANKDIRS = ("LR", "TB", "RL", "BT")
# Above this many Values, Graphviz gets cheaper crossing-minimisation and network-simplex
# limits: a 1,000-value MLP loss then lays out about twice as fast, slightly less tidily.
QUICK_LAYOUT_ABOVE = 400
QUICK_LAYOUT = {"mclimit": "0.3", "nslimit": "2", "nslimit1": "2"}
BLANK = "\u2003" * 5  # what a blank grad field shows: room to write a number by hand

# fill colours of the node kinds, also used by the legend
COLOURS = {
    "input": "#dbeafe",
    "parameter": "#fde68a",
    "output": "#bbf7d0",
    "intermediate": "#ffffff",
    "constant": "#f3f4f6",
    "op": "#e5e7eb",
}

Params = Mapping[str, Value] | Iterable[tuple[str, Value]] | Any


def parameter_names(params: Params | None) -> dict[Value, str]:
    """Value → name for ``params``: a mapping, (name, Value) pairs, or a Module."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    items = params.items() if isinstance(params, Mapping) else params
    names: dict[Value, str] = {}
    for name, value in items:
        if not isinstance(value, Value):
            raise TypeError(f"params: {name!r} is a {type(value).__name__}, not a Value")
        names.setdefault(value, str(name))
    return names


def check_size(count: int, limit: int, what: str = "values", name: str = "max_nodes") -> None:
    """ValueError naming the count and the ``name=limit`` to raise when a graph is too big."""
    if count > limit:
        raise ValueError(
            f"the graph has {count} {what}, more than {name}={limit}; "
            f"pass {name}={count} (or more) to draw it anyway (large graphs render slowly)"
        )


def record_label(fields: Iterable[str], rankdir: str, stacked: bool = False) -> str:
    """A record label showing ``fields`` (already escaped) side by side, or one above
    the other if ``stacked`` (Graphviz turns fields by 90 degrees in LR and RL)."""
    row = " | ".join(fields)
    return f"{{ {row} }}" if (rankdir in ("LR", "RL")) != stacked else row


def _kind(node: Node, root: Node, params: dict[Value, str]) -> str:
    if node is root:
        return "output"
    if node.source in params:
        return "parameter"
    if node.constant:
        return "constant"
    return "input" if node.is_leaf else "intermediate"


def _add_legend(graph: Diagram, kinds: Iterable[str], lang: str) -> None:
    """A small cluster with one sample node per node kind present."""
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label=escape(text(lang, "stepper.legend")), fontsize="10", style="dashed",
                    color="#9ca3af")  # fmt: skip
        previous = None
        for kind in kinds:
            shape = "ellipse" if kind == "op" else "box"
            legend.node(f"legend_{kind}", escape(text(lang, f"stepper.kind_{kind}")),
                        shape=shape, style="filled", fillcolor=COLOURS[kind],
                        fontsize="10")  # fmt: skip
            if previous:  # an invisible chain lays the samples out in a row
                legend.edge(previous, f"legend_{kind}", style="invis")
            previous = f"legend_{kind}"


def constant_text(x: float) -> str:
    """A constant as a learner wrote it: 2, -1, 0.5 (at most 6 significant digits)."""
    return "0" if x == 0 else f"{x:.6g}"


def draw_dot(
    root: Any,
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int = 1000,
    params: Params | None = None,
    *,
    node_ids: bool = False,
    grads: Mapping[Any, float] | None = None,
    blank: Iterable[Any] = (),
    stacked: bool = False,
    legend: bool = True,
    expand: bool = False,
    lang: str = "en",
) -> Diagram:
    """The graph of everything ``root`` depends on, as a ``graphviz.Digraph``.

    ``root`` is a chaingrad Value or a micrograd-style one (``data``, ``grad``, ``_prev``,
    ``_op``: a learner's own engine, see :mod:`viz.view`).  ``params`` (name → Value,
    (name, Value) pairs or a Module with ``named_parameters()``) marks parameters and
    names unlabelled ones.  More than ``max_nodes`` Values raises ValueError; graphs of
    more than ``QUICK_LAYOUT_ABOVE`` Values get quicker layout settings.  ``grads``
    (Value → float) shows those gradients instead of ``.grad``, e.g. the result of
    ``autograd.grad``.  The Values in ``blank`` get an empty grad field, to be filled in
    by hand (a worksheet's questions); constants (``requires_grad=False`` leaves) show
    their value only.  ``stacked=True`` puts a box's label, data and grad one above the
    other (narrower boxes: an LR graph about half as wide); ``legend=False`` leaves the
    legend out.  ``expand=True`` draws each ``dot`` node as its products w_i·x_i and one
    addition (a neuron step by step), and a dot's inputs in pairs (w1 beside x1).
    ``node_ids=True`` sets the SVG ``id`` of every node to its DOT id and titles
    unlabelled boxes with it (the step-through page uses this).  ``lang`` ('en',
    'pt-BR') is the legend's language.
    """
    if not is_value(root):
        raise TypeError(f"draw_dot needs a Value, not {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    check_lang(lang)
    nodes = graph_of(root, expand)
    check_size(len(nodes), max_nodes)
    shown = None if grads is None else {n: _given_grad(n, grads) for n in nodes}
    blank = set(blank)  # once (a generator would be spent by the first node)
    return draw_nodes(nodes, rankdir, show_grad, parameter_names(params), node_ids=node_ids,
                      grads=shown, blank={n for n in nodes if n.source in blank},
                      stacked=stacked, legend=legend, lang=lang)  # fmt: skip


def _given_grad(node: Node, grads: Mapping[Any, float]) -> float:
    """A node's gradient from ``grads``; an expanded product's is its addition's."""
    source = node.source if node.feeds is None else node.feeds.source
    return float(grads.get(source, 0.0))


def draw_nodes(nodes: list[Node], rankdir: str = "LR", show_grad: bool = True,
               names: dict[Value, str] | None = None, *, node_ids: bool = False,
               grads: Mapping[Node, float] | None = None, blank: Iterable[Node] = (),
               stacked: bool = False, legend: bool = True, lang: str = "en",
               grad_room: int = 0) -> Diagram:  # fmt: skip
    """:func:`draw_dot` of a graph already read by :func:`viz.view.graph_of` (root last);
    ``grad_room`` figure spaces widen every grad field (for a page that writes longer
    text into it)."""
    names = names or {}
    blank = set(blank)
    root = nodes[-1]
    graph = Diagram(name="chaingrad", format="svg")
    graph.attr(rankdir=rankdir, fontname="Helvetica")
    if len(nodes) > QUICK_LAYOUT_ABOVE:
        graph.attr(**QUICK_LAYOUT)
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", color="#6b7280", arrowsize="0.6")
    kinds_seen = {"op"} if any(node.inputs for node in nodes) else set()
    for node in _pair_order(nodes):
        kind = _kind(node, root, names)
        kinds_seen.add(kind)
        extra = {"id": node.id} if node_ids else {}
        if kind == "constant":  # its value, after its name if it has one (x1 = 0.5)
            text = constant_text(node.data)
            graph.node(node.id, escape(f"{node.label} = {text}" if node.label else text),
                       shape="box", style="filled", fillcolor=COLOURS[kind], fontsize="10",
                       **extra)  # fmt: skip
            continue
        fields = [f"data {number(node.data)}"]
        if show_grad and node in blank:
            fields.append("grad " + BLANK)
        elif show_grad:
            grad = node.grad if grads is None else grads.get(node, 0.0)
            fields.append(f"grad {number(grad)}" + "\u2007" * grad_room)
        title = node.label or names.get(node.source, "") or (node.id if node_ids else "")
        if title:
            fields.insert(0, escape(title))
        graph.node(node.id, record_label(fields, rankdir, stacked), shape="record",
                   style="filled", fillcolor=COLOURS[kind], **extra)  # fmt: skip
        if node.inputs:
            op_id = f"op{node.id[1:]}"
            extra = {"id": op_id} if node_ids else {}
            if node.op == "dot":  # its inputs in pairs (w1 beside x1): edges in that order
                extra["ordering"] = "in"
            graph.node(op_id, escape(node.symbol or node.op), shape="ellipse", style="filled",
                       fillcolor=COLOURS["op"], **extra)  # fmt: skip
            for child in _paired(node):
                graph.edge(child.id, op_id)
            graph.edge(op_id, node.id)
    if legend:
        _add_legend(graph, [k for k in COLOURS if k in kinds_seen], lang)
    return graph


def _paired(node: Node) -> list[Node]:
    """A node's inputs as its picture orders them: a dot's as w1, x1, w2, x2, ..., b."""
    if node.op != "dot":
        return node.inputs
    ws, xs, bias = dot_parts(node.inputs)
    return [v for w, x in zip(ws, xs) for v in (w, x)] + bias


def _pair_order(nodes: list[Node]) -> list[Node]:
    """``nodes`` with the leaves a dot reads declared in pairs, w1, x1, w2, x2, ..., just
    before it (Graphviz keeps the declaration order of a rank when nothing else decides
    it); an expanded dot's products likewise each just after its w_i and x_i."""
    def pairs(node: Node) -> bool:
        return node.op in ("dot", "sum") or node.feeds is not None

    deferred = {id(x) for node in nodes if pairs(node) for x in node.inputs if x.is_leaf}
    placed: list[Node] = []
    seen: set[int] = set()
    for node in nodes:
        if id(node) in deferred:
            continue
        group = [x for x in _paired(node) if x.is_leaf] if pairs(node) else []
        for x in [*group, node]:
            if id(x) not in seen:
                seen.add(id(x))
                placed.append(x)
    placed += [x for x in nodes if id(x) not in seen]  # a deferred leaf nothing placed
    return placed
