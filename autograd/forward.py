"""Forward mode, vector-Jacobian products and Jacobians, from the same op table.

Evaluating ``f`` at a point records its graph; with every node's local partials
d node / d input (the op table's ``derivative``, as ``backward`` uses them) that graph
is the linear map ``J`` of ``f`` at the point.  It can be run two ways:

* forward (``jvp``): each node carries a *tangent*, its derivative along the input
  direction ``v``, computed in the order the values were computed::

      tangent(node) = sum_i  d node / d input_i * tangent(input_i)

  One forward pass gives ``J v``: one column of the Jacobian per input direction.
* reverse (``vjp``, what ``backward`` does): each node collects a *cotangent* from the
  nodes that use it, from the outputs back to the inputs::

      cotangent(input_i) += cotangent(node) * d node / d input_i

  One reverse pass gives ``u J``: one row of the Jacobian per output.

So for a loss f: R^n -> R, reverse mode needs 1 pass for the whole gradient and forward
mode n; for g: R -> R^n it is the other way round.  Higher order composes: ``jvp`` of a
function returning ``grad(..., create_graph=True)`` is a Hessian-vector product, and
``jvp(..., create_graph=True)`` evaluates the rules on the VALUE backend, so its
tangents are Values that ``grad`` (or ``jvp`` again) can differentiate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .partials import float_partials, value_partials
from .search import topological_order_of
from .value import Value, _call_text, _is_number, lift

__all__ = ["jacobian", "jvp", "linearize", "vjp"]

Function = Callable[..., Any]


class Linearization:
    """The graph of ``f`` at a point with every node's local partials: the map ``J``.

    ``order`` holds every node the outputs depend on, inputs before the nodes using
    them; ``partials[k]`` the floats d order[k] / d input for each input of order[k]
    (with ``create_graph``, Values made by the op rules on the VALUE backend, so the
    tangents and cotangents computed from them can be differentiated again).
    """

    def __init__(
        self, caller: str, inputs: list[Value], outputs: list[Value], create_graph: bool = False
    ) -> None:
        self.caller = caller
        self.inputs = inputs
        self.outputs = outputs
        self.order = topological_order_of(outputs)
        partials = value_partials if create_graph else _local_partials
        self.partials = [partials(node, caller) for node in self.order]

    def push_forward(self, seeds: dict[Value, float]) -> dict[Value, float]:
        """The tangent of every node, given the tangents of some nodes (the rest are 0)."""
        tangents = dict(seeds)
        for node, partials in zip(self.order, self.partials):
            if not partials or node in seeds:
                continue
            tangent = 0.0
            for x, partial in zip(node.inputs, partials):
                t = tangents.get(x, 0.0)
                if not _is_zero(t):  # a zero adds nothing (and 0 * an infinite partial no NaN)
                    tangent += partial * t
            tangents[node] = tangent
        return tangents

    def pull_back(self, seeds: dict[Value, float]) -> dict[Value, float]:
        """The cotangent of every node, given those of some nodes (the rest are 0).

        It stops at the inputs: an input computed from another input is an independent
        variable, as in :meth:`push_forward` (which never computes a seeded node)."""
        cotangents = dict(seeds)
        inputs = set(self.inputs)
        for node, partials in zip(reversed(self.order), reversed(self.partials)):
            c = cotangents.get(node, 0.0)
            if _is_zero(c) or node in inputs:
                continue
            for x, partial in zip(node.inputs, partials):
                cotangents[x] = cotangents.get(x, 0.0) + c * partial
        return cotangents

    def jvp(self, tangents: Sequence[float]) -> list[float]:
        """J v: the output tangents for input tangents ``v`` (one forward pass)."""
        seeds = _seeds(self.inputs, _vector(tangents, len(self.inputs), self.caller, "tangents"))
        pushed = self.push_forward(seeds)
        return self._finite(pushed, self.outputs, self.order, "tangent")

    def vjp(self, cotangents: Sequence[float]) -> list[float]:
        """u J: the input cotangents for output cotangents ``u`` (one reverse pass)."""
        u = _vector(cotangents, len(self.outputs), self.caller, "cotangents")
        pulled = self.pull_back(_seeds(self.outputs, u))
        return self._finite(pulled, self.inputs, reversed(self.order), "cotangent")

    def _finite(self, found: dict, wanted: list[Value], order: Iterable[Value], what: str) -> list:
        """``found`` at the ``wanted`` nodes, or an OverflowError/ValueError naming the
        first node (in the pass's order) where a value became inf or NaN."""
        values = [found.get(node, 0.0) for node in wanted]
        if all(math.isfinite(_data(x)) for x in values):
            return values
        node = next(n for n in order if n in found and not math.isfinite(_data(found[n])))
        x = _data(found[node])
        if node.inputs:
            at = f" at {_call_text(node.op, node.inputs)}"
        else:  # a leaf: only cotangents reach leaves (tangent seeds are checked finite)
            at = f" at input {wanted.index(node)}" if node in wanted else " at a constant"
        error = ValueError if x != x else OverflowError
        raise error(f"{self.caller}: the {what} became {x}{at}")


def _data(x: Any) -> float:
    """A float, or a Value's data (the tangents and cotangents of create_graph)."""
    return x.data if isinstance(x, Value) else x


def _is_zero(x: Any) -> bool:
    """True for the float 0; never for a Value, whose derivatives may not be 0 (create_graph)."""
    return type(x) is float and x == 0.0


def _local_partials(node: Value, caller: str) -> tuple[float, ...]:
    """d node / d input for each input, as floats (0.0 for an input that does not require
    grad: see :mod:`autograd.partials`); an error naming the op where one is undefined."""
    op = node._rule
    try:
        partials = float_partials(node, needed_only=True)
    except (ArithmeticError, ValueError) as error:
        call = _call_text(op.name, node.inputs)
        if isinstance(error, ZeroDivisionError):
            raise ZeroDivisionError(f"{caller}: the derivative of {call} is undefined "
                                    "(division by zero)") from None  # fmt: skip
        raise type(error)(f"{caller}: the derivative of {call}: {error}") from None
    for partial in partials:
        if partial != partial and any(p != p and x.requires_grad  # (only a needed one counts)
                                      for x, p in zip(node.inputs, partials)):  # fmt: skip
            raise ValueError(f"{caller}: the derivative of {_call_text(op.name, node.inputs)} "
                             "is NaN")  # fmt: skip
    return partials


def _seeds(nodes: Sequence[Value], values: Sequence[float]) -> dict[Value, float]:
    """{node: value}, adding up the values of a node listed twice."""
    seeds: dict[Value, float] = {}
    for node, value in zip(nodes, values):
        seeds[node] = seeds.get(node, 0.0) + value
    return seeds


def _vector(values: Any, n: int, caller: str, name: str) -> list[float]:
    """``values`` as a list of ``n`` finite floats, or a TypeError/ValueError naming it."""
    values = _listed(values)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        if _is_number(values) and n == 1:
            values = [values]  # one number for a single input or output
        else:
            raise TypeError(f"{caller}: {name} must be a sequence of {n} numbers, "
                            f"not {type(values).__name__}")  # fmt: skip
    if len(values) != n:
        raise ValueError(f"{caller}: {name} has length {len(values)}, expected {n}")
    floats = []
    for i, x in enumerate(values):
        if isinstance(x, Value) or not _is_number(x):
            raise TypeError(f"{caller}: {name}[{i}] must be a number, not {type(x).__name__}")
        x = float(x)
        if not math.isfinite(x):
            raise ValueError(f"{caller}: {name}[{i}] is {x}; it must be finite")
        floats.append(x)
    return floats


def _listed(values: Any) -> Any:
    """A numpy vector as a list of floats (as ``hessian`` takes it); anything else as it is."""
    return values.tolist() if hasattr(values, "tolist") and getattr(values, "ndim", 0) == 1 \
        else values  # fmt: skip


def _leaves(primals: Any, caller: str, name: str = "primals") -> list[Value]:
    """The inputs to call ``f`` with: Values as they are, numbers as new leaves."""
    primals = _listed(primals)
    if isinstance(primals, (str, bytes)) or not isinstance(primals, Sequence):
        raise TypeError(f"{caller}: {name} must be a sequence of numbers or Values, "
                        f"not {type(primals).__name__}")  # fmt: skip
    leaves = []
    for i, x in enumerate(primals):
        if not isinstance(x, Value) and not _is_number(x):
            raise TypeError(f"{caller}: {name}[{i}] must be a number or a Value, "
                            f"not {type(x).__name__}")  # fmt: skip
        leaves.append(x if isinstance(x, Value) else Value(x))
    return leaves


def _linearize(
    f: Function, primals: Any, caller: str, create_graph: bool = False, name: str = "primals"
) -> tuple[bool, Linearization]:
    """Evaluate ``f(*primals)`` once: (whether it returned a single Value, its Linearization)."""
    leaves = _leaves(primals, caller, name)
    result = f(*leaves)
    single = isinstance(result, Value)
    outputs = [result] if single else result
    if isinstance(outputs, (str, bytes)) or not isinstance(outputs, Sequence) or not all(
            isinstance(out, Value) for out in outputs):  # fmt: skip
        shown = type(result).__name__ if single or not isinstance(result, Sequence) else \
            "a sequence holding " + ", ".join(sorted({type(o).__name__ for o in result}))
        raise TypeError(f"{caller}: f must return a Value or a sequence of Values, "
                        f"not {shown}")  # fmt: skip
    return single, Linearization(caller, leaves, list(outputs), create_graph)


def _shaped(single: bool, values: list[float]) -> Any:
    """One float for a function returning a single Value, else the list."""
    return values[0] if single else values


def linearize(f: Function, primals: Sequence[Any]) -> tuple[Any, Callable[..., Any]]:
    """(f(x), jvp_fn) at x = ``primals``: ``f`` runs once; each ``jvp_fn(v)`` is one
    forward pass giving J v (shaped like f's result), as in ``torch.func.linearize``."""
    single, lin = _linearize(f, primals, "linearize")
    outputs = _shaped(single, [out.data for out in lin.outputs])
    return outputs, lambda tangents: _shaped(single, lin.jvp(tangents))


def jvp(
    f: Function, primals: Sequence[Any], tangents: Sequence[float], create_graph: bool = False
) -> tuple[Any, Any]:
    """(f(x), J v) at x = ``primals`` along v = ``tangents``: forward mode, one pass.

    ``f(*xs)`` returns a Value or a sequence of Values; the result mirrors it (a float
    and its tangent, or two lists).  For a scalar f, J v = <grad f(x), v>.  A Value
    among ``primals`` is used as the input node itself; numbers become new leaves.
    With ``create_graph=True`` the outputs and tangents are Values whose graphs reach
    back to the primals, so they can be differentiated again (``grad`` of ``jvp``).
    """
    single, lin = _linearize(f, primals, "jvp", create_graph)
    pushed = lin.jvp(tangents)
    if create_graph:
        return _shaped(single, lin.outputs), _shaped(single, [lift(t) for t in pushed])
    return _shaped(single, [out.data for out in lin.outputs]), _shaped(single, pushed)


def vjp(f: Function, primals: Sequence[Any]) -> tuple[Any, Callable[..., list[float]]]:
    """(f(x), vjp_fn) at x = ``primals``; ``vjp_fn(u)`` = u J (reverse mode, one pass).

    ``u`` has one cotangent per output (a number for a single Value); ``vjp_fn``
    returns the list of one cotangent per primal.  ``vjp_fn(1.0)`` of a scalar f is its
    gradient, as ``backward`` computes it.
    """
    single, lin = _linearize(f, primals, "vjp")
    return _shaped(single, [out.data for out in lin.outputs]), lin.vjp


def jacobian(f: Function, xs: Sequence[Any], mode: str = "reverse") -> list:
    """The Jacobian d f_i / d x_j at ``xs``: ``mode="reverse"`` runs one reverse pass per
    output (a row each), ``mode="forward"`` one forward pass per input (a column each).

    Both give the same matrix (a list of rows).  For a single Value output the result
    is its gradient, a list of floats; the Jacobian of ``grad(f, create_graph=True)``
    is the Hessian of f.
    """
    if mode not in ("reverse", "forward"):
        raise ValueError(f"jacobian: mode must be 'reverse' or 'forward', not {mode!r}")
    single, lin = _linearize(f, xs, "jacobian", name="xs")
    m, n = len(lin.outputs), len(lin.inputs)
    if mode == "reverse":
        rows = [lin.vjp(_basis(i, m)) for i in range(m)]
    else:
        columns = [lin.jvp(_basis(j, n)) for j in range(n)]
        rows = [[column[i] for column in columns] for i in range(m)]
    return _shaped(single, rows)


def _basis(i: int, n: int) -> list[float]:
    """The i-th of the n unit vectors."""
    return [1.0 if k == i else 0.0 for k in range(n)]
