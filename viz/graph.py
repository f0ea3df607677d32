"""``draw_dot``: the computation graph of a Value, with data and grad on every node.

Each Value is a box (label | data | grad) and each op a separate ellipse named by the
op, so ``a + a`` shows one ``add`` node with two edges from ``a``.  Node ids come from
the traversal order (``v0, v1, ...`` and ``op3`` for the op that made ``v3``), so the
same expression built twice gives the same DOT text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from autograd import Value, topological_order

from .labels import escape, number
from .render import Diagram

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


def _kind(node: Value, root: Value, params: dict[Value, str]) -> str:
    if node is root:
        return "output"
    if node in params:
        return "parameter"
    return "input" if not node.inputs else "intermediate"


def _add_legend(graph: Diagram, kinds: Iterable[str]) -> None:
    """A small cluster with one sample node per node kind present."""
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", fontsize="10", style="dashed", color="#9ca3af")
        previous = None
        for kind in kinds:
            shape = "ellipse" if kind == "op" else "box"
            legend.node(f"legend_{kind}", kind, shape=shape, style="filled",
                        fillcolor=COLOURS[kind], fontsize="10")  # fmt: skip
            if previous:  # an invisible chain lays the samples out in a row
                legend.edge(previous, f"legend_{kind}", style="invis")
            previous = f"legend_{kind}"


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int = 1000,
    params: Params | None = None,
    *,
    node_ids: bool = False,
    grads: Mapping[Value, float] | None = None,
    blank: Iterable[Value] = (),
    stacked: bool = False,
    legend: bool = True,
) -> Diagram:
    """The graph of everything ``root`` depends on, as a ``graphviz.Digraph``.

    ``params`` (name → Value, (name, Value) pairs or a Module with
    ``named_parameters()``) marks parameters and names unlabelled ones.  More than
    ``max_nodes`` Values raises ValueError; graphs of more than ``QUICK_LAYOUT_ABOVE``
    Values get quicker layout settings.  ``grads`` (Value → float) shows those
    gradients instead of ``.grad``, e.g. the result of ``autograd.grad``.  The Values in
    ``blank`` get an empty grad field, to be filled in by hand (a worksheet's questions).
    ``stacked=True`` puts a box's label, data and grad one above the other (narrower
    boxes: an LR graph about half as wide); ``legend=False`` leaves the legend out.
    ``node_ids=True`` sets the SVG ``id`` of every node to its DOT id and titles
    unlabelled boxes with it (the step-through page uses this).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value, not {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    order = topological_order(root)
    check_size(len(order), max_nodes)
    names = parameter_names(params)
    blank = set(blank)
    ids = {node: f"v{i}" for i, node in enumerate(order)}

    graph = Diagram(name="chaingrad", format="svg")
    graph.attr(rankdir=rankdir, fontname="Helvetica")
    if len(order) > QUICK_LAYOUT_ABOVE:
        graph.attr(**QUICK_LAYOUT)
    graph.attr("node", fontname="Helvetica", fontsize="11")
    graph.attr("edge", color="#6b7280", arrowsize="0.6")
    kinds_seen = {"op"} if any(node.inputs for node in order) else set()
    for node in order:
        kind = _kind(node, root, names)
        kinds_seen.add(kind)
        fields = [f"data {number(node.data)}"]
        if show_grad and node in blank:
            fields.append("grad " + BLANK)
        elif show_grad:
            grad = node.grad if grads is None else grads.get(node, 0.0)
            fields.append(f"grad {number(float(grad))}")
        title = node.label or names.get(node, "") or (ids[node] if node_ids else "")
        if title:
            fields.insert(0, escape(title))
        extra = {"id": ids[node]} if node_ids else {}
        graph.node(ids[node], record_label(fields, rankdir, stacked), shape="record",
                   style="filled", fillcolor=COLOURS[kind], **extra)  # fmt: skip
        if node.inputs:
            op_id = f"op{ids[node][1:]}"
            extra = {"id": op_id} if node_ids else {}
            graph.node(op_id, escape(node.op), shape="ellipse", style="filled",
                       fillcolor=COLOURS["op"], **extra)  # fmt: skip
            for child in node.inputs:
                graph.edge(ids[child], op_id)
            graph.edge(op_id, ids[node])
    if legend:
        _add_legend(graph, [k for k in COLOURS if k in kinds_seen])
    return graph
