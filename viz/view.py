"""The graph a picture draws: every node a Value's graph holds, as plain records.

Pictures (:func:`viz.draw_dot`) and the step-through (:mod:`viz.stepper`) read a graph
through :func:`graph_of`, which takes

* a chaingrad ``Value`` (its op, ordered inputs and the op table's local partials), or
* a learner's own micrograd-style Value, duck-typed: ``data``, ``grad``, ``_prev`` (a set
  of the inputs), ``_op`` (the op's symbol: ``'+'``, ``'*'``, ``'tanh'``, ``'**2'``, ...),
  optionally ``label`` and ``_backward``.  The local partial d out / d input is what the
  learner's own ``_backward`` sends to the input for ``out.grad = 1`` (their engine's
  rule, read without changing any gradient), else the symbol's rule.  A set has no
  order: inputs are ordered by label, then data, then the shape of their own graph, so
  the same expression always gives the same picture.

With ``expand=True`` an n-ary ``dot`` node z = w_1 x_1 + ... + w_n x_n + b becomes its
products p_i = w_i x_i (one ``mul`` node each, in order) and one addition z = p_1 + ... +
p_n + b; an n-ary ``sum`` is drawn as that addition.  d p_i / d w_i = x_i, d p_i / d x_i
= w_i and d z / d p_i = d z / d b = 1: the dot's own rule, taken apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from autograd import OPS, Value, local_partials, topological_order
from autograd.backends import FLOAT

T = TypeVar("T")

# micrograd's op symbols -> chaingrad's op names (a '**k' power is 'pow' of one input)
SYMBOLS = {"+": "add", "*": "mul", "-": "sub", "/": "div", "tanh": "tanh", "exp": "exp",
           "log": "log", "ReLU": "relu", "relu": "relu", "sigmoid": "sigmoid",
           "neg": "neg", "sqrt": "sqrt", "abs": "abs"}  # fmt: skip


@dataclass(eq=False)
class Node:
    """One node of a drawn graph.

    ``op`` is chaingrad's op name ('' for a leaf; 'sum' for an expanded addition),
    ``symbol`` what its op box shows, ``partials[i]`` = d node / d inputs[i] (floats),
    ``exponent`` the k of a micrograd ``**k``, ``doc`` the op's math (chaingrad's op_doc).
    """

    label: str
    data: float
    grad: float
    op: str = ""
    symbol: str = ""
    inputs: list[Node] = field(default_factory=list)
    partials: list[float] = field(default_factory=list)
    constant: bool = False
    source: Any = None
    doc: str = ""
    exponent: float | None = None
    feeds: Node | None = None  # an expanded product: the addition it feeds
    id: str = ""

    @property
    def is_leaf(self) -> bool:
        return not self.inputs


def grad_of(v: Any) -> float:
    """``v.grad`` as a float: 0 where there is none (None after ``zero_grad(set_to_none=
    True)``, as in PyTorch)."""
    grad = getattr(v, "grad", None)
    return 0.0 if grad is None else float(grad)


def is_value(obj: Any) -> bool:
    """True for a chaingrad Value or a micrograd-style one (data, grad, _prev, _op)."""
    if isinstance(obj, Value):
        return True
    return all(hasattr(obj, name) for name in ("data", "grad", "_prev", "_op"))


def _is_constant(v: Any) -> bool:
    """A leaf that asks for no gradient: a number the expression holds (drawn as such)."""
    return getattr(v, "requires_grad", True) is False


def graph_of(root: Any, expand: bool = False) -> list[Node]:
    """Every node ``root`` depends on, inputs before the nodes using them (root last),
    each with its id ``v0``, ``v1``, ... in that order."""
    nodes = _chaingrad(root) if isinstance(root, Value) else _duck_typed(root)
    if expand:
        nodes = _expanded(nodes)
    for i, node in enumerate(nodes):
        node.id = f"v{i}"
    return nodes


def _chaingrad(root: Value) -> list[Node]:
    made: dict[Value, Node] = {}
    for v in topological_order(root):
        node = Node(v.label, v.data, grad_of(v), v.op, v.op, [made[x] for x in v.inputs],
                    list(local_partials(v)) if v.inputs else [],
                    not v.inputs and _is_constant(v), v, v.op_doc)  # fmt: skip
        made[v] = node
    return list(made.values())


# -- a learner's own Value ---------------------------------------------------------------

def _symbol(v: Any) -> str:
    op = getattr(v, "_op", "")
    return op if isinstance(op, str) else str(getattr(op, "name", op))


def _signature(v: Any, memo: dict[int, str]) -> str:
    """A digest of v's whole graph (labels, ops, data), the same for equal expressions."""
    key = id(v)
    if key not in memo:
        memo[key] = ""  # a cycle (not a valid graph) cannot recurse forever
        children = sorted(_signature(c, memo) for c in getattr(v, "_prev", ()))
        text = repr((str(getattr(v, "label", "")), _symbol(v), float(v.data), children))
        memo[key] = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return memo[key]


def _ordered_inputs(v: Any, memo: dict[int, str]) -> list[Any]:
    """v's inputs from its ``_prev`` set, in an order that does not depend on memory."""
    return sorted(getattr(v, "_prev", ()), key=lambda c: (
        str(getattr(c, "label", "")), float(c.data), _signature(c, memo)))  # fmt: skip


def _learners_partials(v: Any, inputs: list[Any]) -> list[float] | None:
    """What the learner's ``v._backward()`` sends each input for v.grad = 1 (their own
    rule), with every gradient put back afterwards; None if it cannot be read."""
    backward = getattr(v, "_backward", None)
    if not callable(backward):
        return None
    saved = [(x, x.grad) for x in (v, *inputs)]
    try:
        v.grad = 1.0
        for x in inputs:
            x.grad = 0.0
        backward()
        partials = [float(x.grad) for x in inputs]
    except Exception:  # noqa: BLE001 -- their code: fall back to the symbol's rule
        partials = None
    finally:
        for x, grad in saved:
            x.grad = grad
    return partials


def _symbol_partials(op: str, out: float, xs: list[float], exponent: float | None
                     ) -> list[float]:  # fmt: skip
    """The local partials of micrograd's usual ops, from the data alone: the op table's
    rules (micrograd's ``**k`` is the power rule with its k)."""
    if op == "pow" and exponent is not None:
        return [exponent * xs[0] ** (exponent - 1)]
    rule = OPS.get(op)
    if rule is None or rule.arity not in (None, len(xs)):
        raise TypeError(f"draw_dot: no _backward to read and no rule known for the op "
                        f"{op!r}; give the Value class a _backward (as micrograd's)")
    return list(rule.derivative_seq(FLOAT, out, xs))


def post_order(root: T, inputs_of: Callable[[T], Iterable[T]]) -> list[T]:
    """Every node reachable from ``root`` through ``inputs_of``, each once (by identity)
    and after all of its inputs: a depth-first post-order, with a stack of (node, inputs
    not visited yet) in place of Python's call stack, so a graph may be as deep as memory
    allows."""
    order: list[T] = []
    seen = {id(root)}
    stack = [(root, iter(inputs_of(root)))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(inputs_of(child))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _duck_typed(root: Any) -> list[Node]:
    memo: dict[int, str] = {}
    ordered: dict[int, list[Any]] = {}  # each Value's inputs, sorted once

    def inputs_of(v: Any) -> list[Any]:
        if id(v) not in ordered:
            ordered[id(v)] = _ordered_inputs(v, memo)
        return ordered[id(v)]

    order = post_order(root, inputs_of)
    made: dict[int, Node] = {}
    for v in order:
        inputs = inputs_of(v)
        symbol = _symbol(v) if inputs else ""
        op, exponent = SYMBOLS.get(symbol, symbol), None
        if symbol.startswith("**"):
            op, exponent = "pow", _number(symbol[2:])
        data = float(v.data)
        partials = _learners_partials(v, inputs) if inputs else []
        if op in ("add", "mul") and len(inputs) == 1:
            # a + a or a * a: _prev is a set, so the input used twice is listed once (and
            # its _backward sends both uses' share); drawn as the two uses it is
            inputs = inputs * 2
            partials = None if partials is None else [partials[0] / 2] * 2
        if partials is None:
            partials = _symbol_partials(op, data, [float(x.data) for x in inputs], exponent)
        made[id(v)] = Node(str(getattr(v, "label", "") or ""), data, grad_of(v), op, symbol,
                           [made[id(x)] for x in inputs], partials,
                           not inputs and _is_constant(v), v, exponent=exponent)  # fmt: skip
    return [made[id(v)] for v in order]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# -- n-ary nodes taken apart -------------------------------------------------------------

def _product_label(w: Node, x: Node) -> str:
    return f"{w.label}\u00b7{x.label}" if w.label and x.label else ""



def dot_parts(inputs: Sequence[T]) -> tuple[list[T], list[T], list[T]]:
    """A dot node's inputs (w_1..w_n, x_1..x_n, and b if any) as (ws, xs, [b] or [])."""
    n = len(inputs) // 2
    return list(inputs[:n]), list(inputs[n : 2 * n]), list(inputs[2 * n :])


def _expanded(nodes: list[Node]) -> list[Node]:
    """``nodes`` with each dot node replaced by its products and one addition."""
    out: list[Node] = []
    for node in nodes:
        if node.op == "dot":
            ws, xs, bias = dot_parts(node.inputs)
            products = [Node(_product_label(w, x), w.data * x.data, node.grad, "mul", "mul",
                             [w, x], [x.data, w.data], feeds=node)  # fmt: skip
                        for w, x in zip(ws, xs)]
            out += products
            node.inputs = products + bias
            node.partials = [1.0] * len(node.inputs)
            node.op, node.symbol = "sum", "+"
        elif node.op == "sum":
            node.symbol = "+"
        out.append(node)
    return out
