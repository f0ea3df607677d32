"""Hypothesis strategies for testing autograd engines (this one, or a learner's own).

``expressions()`` draws ``(f, xs)``: ``f`` is a random expression over 1-4 inputs built
from the engine's public ops, ``xs`` a point where every op is inside its domain and
away from its kinks, so its gradient is well defined and :func:`autograd.gradcheck`
is meaningful::

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions

    @given(expressions())
    def test_gradients(case):
        f, xs = case
        assert gradcheck(f, xs)

``repr(f)`` is its formula, e.g. ``f(x0, x1) = tanh(a) + log(a * a + 0.5)  where
a = x0 * x1``: a sub-expression used more than once gets a name and is ONE node of the
graph, so gradients from both uses must add up.

How the expression stays valid (for every point of the input box, not only ``xs``):

* log, sqrt and division only see ``u * u + c`` with c in {0.5, 1, 2}: log(u*u + c),
  sqrt(u*u + c), v / (u*u + c) are defined and smooth everywhere;
* pow is u ** 2, u ** 3, or (u * u + c) ** v with a positive base;
* asin, acos and log1p see u, or 0.9 tanh(u) where |u| could reach 0.9 (inside the
  domain, away from the edges where the derivative is infinite); tan sees u, or tanh(u)
  where |u| could reach 1 (away from the poles at +-pi/2);
* every value is bounded on the box: an argument whose bound would let the result grow
  past ``BOUND`` (e.g. exp of a large u) is first squashed to tanh(u);
* kinks (relu, abs, leaky_relu, elu at 0; clamp at its bounds; max and min where two
  arguments tie) are kept at least 0.25 away from ``xs``: when the argument u is closer
  than that at ``xs``, it becomes u + s with a constant s chosen at draw time (shown in
  the formula), and clamp's bounds are drawn at least that far from u.

``f`` is a plain function of Values: the structure is fixed when drawn and evaluation
has no control flow on ``.data``, so ``f`` can be traced or replayed on other points
(a batch of points near ``xs``).  Restrict the ops drawn with ``ops=[...]`` (names from
:data:`EXPRESSION_OPS`); the guards above may still add mul/add (u * u + c), add/sub
(shifts) and tanh (squashing) nodes.
"""

from __future__ import annotations

import math
import operator
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from . import functions as F
from .value import Value, lift

__all__ = ["BOUND", "EXPRESSION_OPS", "Expression", "expressions", "points", "values"]

BOUND = 100.0
"""Largest |value| (over the input box) a drawn node may reach before squashing."""
_MARGIN = 0.25  # least distance of a kink argument from its kink at the drawn point
_OFFSETS = (0.5, 1.0, 2.0)  # the c of u * u + c

# How each op is evaluated: only the engine's public operators and functions.
_EVAL: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "neg": operator.neg,
    "exp": F.exp,
    "log": F.log,
    "sqrt": F.sqrt,
    "tanh": F.tanh,
    "sigmoid": F.sigmoid,
    "relu": F.relu,
    "abs": F.abs,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "sin": F.sin,
    "cos": F.cos,
    "tan": F.tan,
    "asin": F.asin,
    "acos": F.acos,
    "atan": F.atan,
    "sinh": F.sinh,
    "cosh": F.cosh,
    "log1p": F.log1p,
    "expm1": F.expm1,
    "erf": F.erf,
    "softplus": F.softplus,
    "silu": F.silu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "clamp": F.clamp,
    "clamp_min": lambda x, low: F.clamp(x, min=low),
    "clamp_max": lambda x, high: F.clamp(x, max=high),
    "sum": lambda *xs: F.sum(xs),
    "max": lambda *xs: F.max(xs),
    "min": lambda *xs: F.min(xs),
    "dot": lambda *xs: F.dot(xs[: len(xs) // 2], xs[len(xs) // 2 :]),
}
EXPRESSION_OPS: tuple[str, ...] = tuple(_EVAL)
"""The op names :func:`expressions` can draw (its ``ops`` keyword takes a subset)."""

# Infix ops: symbol, precedence, least precedence of the left and right operand
# before it is parenthesised.
_INFIX = {
    "add": ("+", 1, 1, 1),
    "sub": ("-", 1, 1, 2),
    "mul": ("*", 2, 2, 2),
    "div": ("/", 2, 2, 3),
    "pow": ("**", 3, 4, 4),
}
_ATOM = 5
# Ops written as a call of another function: (the function, the keyword before the rest)
_CALLED_AS = {"gelu_tanh": ("gelu", "approximate='tanh'"), "clamp_min": ("clamp", "min="),
              "clamp_max": ("clamp", "max=")}  # fmt: skip


@dataclass(eq=False)
class _Node:
    """One op of a drawn expression: its arguments are earlier nodes or constants.

    ``value`` is its value at the drawn point, ``bound`` a bound of |value| over the box.
    """

    op: str
    args: tuple[Any, ...]
    bound: float
    value: float = field(init=False)

    def __post_init__(self) -> None:
        if self.op.startswith("x"):  # an input: value set by the caller
            return
        self.value = lift(_EVAL[self.op](*(Value(_value(a)) for a in self.args))).data


def _value(arg: Any) -> float:
    return arg.value if isinstance(arg, _Node) else arg


def _number(c: float) -> str:
    return f"{c:g}"


class Expression:
    """A drawn expression: call it with one number or Value per input; repr is its formula."""

    def __init__(self, inputs: Sequence[_Node], nodes: Sequence[_Node], root: _Node) -> None:
        needed = {root}
        for node in reversed(nodes):  # nodes are topological: arguments first
            if node in needed:
                needed.update(a for a in node.args if isinstance(a, _Node))
        self._inputs = tuple(inputs)
        self._nodes = tuple(n for n in nodes if n in needed)
        self._root = root
        self.n_inputs = len(inputs)

    def __call__(self, *xs: Any) -> Value:
        """Evaluate the expression on ``xs`` with the engine's ops; shared nodes once."""
        if len(xs) != self.n_inputs:
            raise TypeError(f"{self!r} takes {self.n_inputs} inputs, got {len(xs)}")
        # (a number given for an input is a leaf that requires grad: the inputs are variables)
        leaves = (x if isinstance(x, Value) else Value(x) for x in xs)
        env: dict[_Node, Any] = dict(zip(self._inputs, leaves))
        for node in self._nodes:
            env[node] = _EVAL[node.op](*(env[a] if isinstance(a, _Node) else a for a in node.args))
        return lift(env[self._root])

    @property
    def ops(self) -> frozenset[str]:
        """The names of the ops the expression's graph is made of."""
        return frozenset(node.op for node in self._nodes)

    def __repr__(self) -> str:
        uses: dict[_Node, int] = {self._root: 1}
        for node in self._nodes:
            for a in node.args:
                if isinstance(a, _Node):
                    uses[a] = uses.get(a, 0) + 1
        shared = [n for n in self._nodes if uses.get(n, 0) > 1 and n is not self._root]
        names = {node: _name(k) for k, node in enumerate(shared)}
        names.update({x: x.op for x in self._inputs})
        body = _formula(self._root, names, top=True)
        where = "; ".join(f"{names[n]} = {_formula(n, names, top=True)}" for n in shared)
        head = f"f({', '.join(x.op for x in self._inputs)}) = {body}"
        return f"{head}  where {where}" if where else head


def _name(k: int) -> str:
    """a, b, ..., z, a1, b1, ... (never x, the inputs' letter)."""
    letters = string.ascii_lowercase.replace("x", "")
    return letters[k % len(letters)] + (str(k // len(letters)) if k >= len(letters) else "")


def _text(arg: Any, names: dict[_Node, str], least: float) -> str:
    """An argument's text, in parentheses when its precedence is below ``least``."""
    if not isinstance(arg, _Node):
        return _number(arg)
    if arg in names:
        return names[arg]
    return _formula(arg, names, top=False, least=least)


def _formula(node: _Node, names: dict[_Node, str], top: bool, least: float = 0) -> str:
    """The node's formula (not its name), parenthesised when it binds less than ``least``."""
    args = node.args
    if node.op in _INFIX:
        symbol, precedence, left, right = _INFIX[node.op]
        text = f"{_text(args[0], names, left)} {symbol} {_text(args[1], names, right)}"
    elif node.op == "neg":
        precedence, text = 2.5, f"-{_text(args[0], names, _ATOM)}"
    else:
        precedence = _ATOM
        shown = [_text(a, names, 0) for a in args]
        if node.op in ("sum", "max", "min"):
            text = f"{node.op}([{', '.join(shown)}])"
        elif node.op == "dot":
            half = len(shown) // 2
            text = f"dot([{', '.join(shown[:half])}], [{', '.join(shown[half:])}])"
        elif node.op in _CALLED_AS:  # ops reached through a keyword of their function
            function, keyword = _CALLED_AS[node.op]
            text = f"{function}({shown[0]}, {keyword}{', '.join(shown[1:])})"
        else:
            text = f"{node.op}({', '.join(shown)})"
    return f"({text})" if precedence < least and not top else text


def values(min_value: float = -2.0, max_value: float = 2.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], rounded to 4 decimals (readable examples)."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False).map(
        lambda v: min(max(round(v, 4), min_value), max_value)
    )


def points(
    n: int | st.SearchStrategy[int], min_value: float = -2.0, max_value: float = 2.0
) -> st.SearchStrategy[list[float]]:
    """Lists of ``n`` :func:`values` (``n`` may itself be a strategy)."""
    sizes = n if isinstance(n, st.SearchStrategy) else st.just(n)
    return sizes.flatmap(lambda k: st.lists(values(min_value, max_value), min_size=k, max_size=k))


class _Builder:
    """Draws the forms of the ops; every node made is appended to ``nodes``."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw
        self.nodes: list[_Node] = []

    def node(self, op: str, *args: Any, bound: float) -> _Node:
        made = _Node(op, args, bound)
        self.nodes.append(made)
        return made

    def tame(self, u: _Node, limit: float) -> _Node:
        """u, or tanh(u) when u's bound exceeds ``limit``."""
        return u if u.bound <= limit else self.node("tanh", u, bound=1.0)

    def positive(self, u: _Node) -> _Node:
        """u * u + c, c in {0.5, 1, 2}: at least c everywhere."""
        u = self.tame(u, BOUND**0.5)
        c = self.draw(st.sampled_from(_OFFSETS))
        return self.node("add", self.node("mul", u, u, bound=u.bound**2), c, bound=u.bound**2 + c)

    def inside(self, u: _Node, limit: float) -> _Node:
        """u, or limit * tanh(u) when u's bound exceeds ``limit``: |value| < limit."""
        if u.bound <= limit:
            return u
        return self.node("mul", self.node("tanh", u, bound=1.0), limit, bound=limit)

    def clamp(self, op: str, u: _Node) -> _Node:
        """clamp(u, low, high), clamp_min(u, low) or clamp_max(u, high), each bound a
        constant at least _MARGIN from u at the drawn point, on either side of it."""
        gaps = st.sampled_from((0.25, 0.5, 1.0, 1.5))
        below = round(u.value - self.draw(gaps) - 0.01, 2)
        above = round(u.value + self.draw(gaps) + 0.01, 2)
        if op != "clamp":
            bound = self.draw(st.sampled_from((below, above)))
            return self.node(op, u, bound, bound=max(u.bound, abs(bound)))
        low, high = self.draw(st.sampled_from(((below, above), (above, above + 1.0),
                                               (below - 1.0, below))))  # fmt: skip
        return self.node(op, u, low, high, bound=max(abs(low), abs(high)))

    def away_from(self, u: _Node, kink: float) -> _Node:
        """u, or u + s with s chosen so that |u + s - kink| >= _MARGIN at the drawn point."""
        u = self.tame(u, BOUND / 2)
        if abs(u.value - kink) >= _MARGIN:
            return u
        gap = self.draw(st.sampled_from((0.25, 0.5, 1.0, 1.5)))
        side = self.draw(st.sampled_from((1.0, -1.0)))
        s = round(kink + side * (gap + 0.01) - u.value, 2)
        op = "add" if s >= 0 else "sub"
        return self.node(op, u, abs(s), bound=u.bound + abs(s))

    def build(self, op: str, args: list[_Node]) -> _Node:
        """A node of ``op`` on (some of) ``args``, in the op's safe form."""
        a, b = args[0], args[-1]
        if op in ("add", "sub"):
            a, b = self.tame(a, BOUND / 2), self.tame(b, BOUND / 2)
            return self.node(op, a, b, bound=a.bound + b.bound)
        if op == "mul":
            a, b = self.tame(a, BOUND**0.5), self.tame(b, BOUND**0.5)
            return self.node(op, a, b, bound=a.bound * b.bound)
        if op == "div":  # a / (b * b + c)
            a, den = self.tame(a, BOUND / 2), self.positive(b)
            return self.node(op, a, den, bound=a.bound / den.args[1])
        if op == "pow":
            return self.power(a, b)
        if op == "neg":
            return self.node(op, a, bound=a.bound)
        if op == "exp":
            a = self.tame(a, 4.0)
            return self.node(op, a, bound=math.e**a.bound)
        if op in ("log", "sqrt"):
            u = self.positive(a)
            c = u.args[1]
            bound = u.bound**0.5 if op == "sqrt" else max(abs(math.log(c)), math.log(u.bound))
            return self.node(op, u, bound=bound)
        if op in ("tanh", "sigmoid", "sin", "cos", "erf"):
            return self.node(op, a, bound=1.0)
        if op == "atan":
            return self.node(op, a, bound=math.pi / 2)
        if op == "tan":
            u = self.tame(a, 1.0)
            return self.node(op, u, bound=math.tan(u.bound))
        if op in ("asin", "acos", "log1p"):
            u = self.inside(a, 0.9)
            bound = {"asin": math.asin(u.bound), "acos": math.pi, "log1p": -math.log1p(-u.bound)}
            return self.node(op, u, bound=bound[op])
        if op in ("sinh", "cosh", "expm1"):
            u = self.tame(a, 4.0)
            return self.node(op, u, bound=math.e**u.bound)
        if op in ("silu", "gelu", "gelu_tanh"):
            return self.node(op, a, bound=max(a.bound, 0.5))
        if op == "softplus":  # beta x stays below the threshold (20) on the whole box
            u = self.tame(a, 5.0)
            beta = self.draw(st.sampled_from((1.0, 2.0, 0.5)))
            return self.node(op, u, beta, 20.0, bound=u.bound + 2.0)
        if op in ("clamp", "clamp_min", "clamp_max"):
            return self.clamp(op, self.tame(a, BOUND / 2))
        if op in ("relu", "abs"):
            u = self.away_from(a, 0.0)
            return self.node(op, u, bound=u.bound)
        if op in ("leaky_relu", "elu"):
            u = self.away_from(a, 0.0)
            k = self.draw(st.sampled_from((0.01, 0.2) if op == "leaky_relu" else (1.0, 0.5)))
            return self.node(op, u, k, bound=max(u.bound, k))
        return self.many(op, args)

    def power(self, a: _Node, b: _Node) -> _Node:
        """u ** 2, u ** 3, or (u * u + c) ** v for |v| <= 1."""
        k = self.draw(st.sampled_from((2, 3, 0)))
        if k:
            a = self.tame(a, BOUND ** (1 / k))
            return self.node("pow", a, float(k), bound=a.bound**k)
        base, v = self.positive(self.tame(a, 2.0)), self.tame(b, 1.0)
        c = base.args[1]
        return self.node("pow", base, v, bound=max(base.bound, 1.0 / c) ** v.bound)

    def many(self, op: str, args: list[_Node]) -> _Node:
        """sum, dot, max or min of the arguments (max and min with a unique arg-max or
        arg-min, by _MARGIN)."""
        if op == "sum":
            args = [self.tame(u, BOUND / len(args)) for u in args]
            return self.node(op, *args, bound=sum(u.bound for u in args))
        if op == "dot":
            half = len(args) // 2 or 1
            args = [self.tame(u, (BOUND / half) ** 0.5) for u in args[: 2 * half]]
            bound = sum(w.bound * u.bound for w, u in zip(args[:half], args[half:]))
            return self.node(op, *args, bound=bound)
        args = [self.tame(u, BOUND / 2) for u in args]
        sign = 1.0 if op == "max" else -1.0  # min: the top of -u
        top = max(sign * u.value for u in args)
        best = next(u for u in args if sign * u.value == top)
        args = [u if u is best else self.away_from_top(u, top, sign) for u in args]
        return self.node(op, *args, bound=max(u.bound for u in args))

    def away_from_top(self, u: _Node, top: float, sign: float = 1.0) -> _Node:
        """u, or u shifted so that ``sign * u`` is below ``top`` by at least _MARGIN."""
        if top - sign * u.value >= _MARGIN:
            return u
        s = round(top - sign * u.value + self.draw(st.sampled_from((0.25, 0.5, 1.0))) + 0.01, 2)
        return self.node("sub" if sign > 0 else "add", u, s, bound=u.bound + s)


_UNARY = ("neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "leaky_relu", "elu",
          "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1", "erf",
          "softplus", "silu", "gelu", "gelu_tanh", "clamp", "clamp_min", "clamp_max")
_ARITY = {"sum": (2, 4), "max": (2, 3), "min": (2, 3), "dot": (2, 4),
          **{op: (1, 1) for op in _UNARY}}  # fmt: skip


def expressions(
    min_inputs: int = 1,
    max_inputs: int = 4,
    ops: Iterable[str] | None = None,
    max_ops: int = 6,
    min_value: float = -2.0,
    max_value: float = 2.0,
) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    """``(f, xs)``: a random expression over ``min_inputs..max_inputs`` inputs and a point.

    1 to ``max_ops`` ops are drawn from ``ops`` (default :data:`EXPRESSION_OPS`), each on
    earlier nodes (inputs or results: reuse makes shared sub-expressions); the result is
    the last node plus every input or node nothing used.  ``xs`` lies in
    [min_value, max_value]; bounds and domains hold on that whole box.
    """
    chosen = EXPRESSION_OPS if ops is None else tuple(ops)
    unknown = sorted(set(chosen) - set(EXPRESSION_OPS))
    if unknown or not chosen:
        raise ValueError(f"expressions: unknown ops {unknown}; choose from {EXPRESSION_OPS}")
    if not 1 <= min_inputs <= max_inputs or max_ops < 1 or not min_value < max_value:
        raise ValueError("expressions: need 1 <= min_inputs <= max_inputs, max_ops >= 1 "
                         "and min_value < max_value")  # fmt: skip
    return _expressions(chosen, min_inputs, max_inputs, max_ops, min_value, max_value)


@st.composite
def _expressions(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    chosen: tuple[str, ...],
    min_inputs: int,
    max_inputs: int,
    max_ops: int,
    min_value: float,
    max_value: float,
) -> tuple[Expression, list[float]]:
    n = draw(st.integers(min_inputs, max_inputs))
    xs = draw(points(n, min_value, max_value))
    inputs = []
    for i, x in enumerate(xs):
        node = _Node(f"x{i}", (), max(abs(min_value), abs(max_value)))
        node.value = x
        inputs.append(node)
    builder = _Builder(draw)
    pool: list[_Node] = list(inputs)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(chosen))
        low, high = _ARITY.get(op, (2, 2))
        picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=low, max_size=high))
        pool.append(builder.build(op, [pool[k] for k in picks]))
    used = {a for node in builder.nodes for a in node.args if isinstance(a, _Node)}
    unused = [u for u in pool if u not in used]
    root = unused[-1]
    for u in reversed(unused[:-1]):
        root = builder.build("add", [root, u])
    return Expression(inputs, builder.nodes, root), xs
