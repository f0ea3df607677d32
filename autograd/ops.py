"""The op table: every differentiable operation, defined once.

An entry holds the forward function and the local derivative side by side.  Both are
written against a backend ``m`` (see :mod:`autograd.backends`) using only arithmetic
operators and ``m.*`` functions, so one rule serves the scalar engine (floats), the
compiled batch mode (numpy arrays) and higher-order derivatives (Values).

``forward(m, *xs)`` returns the output; ``derivative(m, out, *xs)`` returns the tuple of
partials d out / d x_i, given the inputs and the already computed output.  Adding an op
is one call to :func:`define`.  An n-ary op's rules (sum, dot, max) are written taking
the inputs as ONE sequence, ``forward(m, xs)`` and ``derivative(m, out, xs)``: the engine
calls them so with the data list it already has (``Op.forward_seq``), and the op's
``forward``/``derivative`` spread the usual positional form onto them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import mul


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of the engine.

    ``arity`` is the number of inputs, or ``None`` for n-ary ops (sum, dot, max).
    ``domain`` names the inputs an op accepts (used in error messages);
    ``higher_order`` is False for ops whose derivative cannot be differentiated again
    and ``batchable`` False for ops whose rules only run on floats, not on numpy
    arrays (both are custom ops written with plain float functions).

    ``forward_seq(m, xs)`` and ``derivative_seq(m, out, xs)`` are the same two rules
    called with the inputs as one sequence (by default: spread onto ``forward`` and
    ``derivative``); the scalar engine calls n-ary ops through them.
    """

    name: str
    arity: int | None
    forward: Callable
    derivative: Callable
    doc: str
    domain: str = ""
    higher_order: bool = True
    batchable: bool = True
    forward_seq: Callable = None  # type: ignore[assignment]  # set in __post_init__
    derivative_seq: Callable = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        forward, derivative = self.forward, self.derivative
        if self.forward_seq is None:
            object.__setattr__(self, "forward_seq", lambda m, xs: forward(m, *xs))
        if self.derivative_seq is None:
            object.__setattr__(self, "derivative_seq",
                               lambda m, out, xs: derivative(m, out, *xs))  # fmt: skip

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.doc})"


OPS: dict[str, Op] = {}


def define(
    name: str,
    arity: int | None,
    forward: Callable,
    derivative: Callable,
    doc: str,
    domain: str = "",
    higher_order: bool = True,
    batchable: bool = True,
) -> Op:
    """Add an op to the table and return it.  Names are unique.

    For an n-ary op (``arity=None``) the rules take the inputs as one sequence:
    ``forward(m, xs)``, ``derivative(m, out, xs)``.
    """
    if name in OPS:
        raise ValueError(f"an op named {name!r} is already defined")
    if arity is None:  # the rules as written take a sequence; spread the positional form
        forward_seq, derivative_seq = forward, derivative
        op = Op(name, arity, lambda m, *xs: forward_seq(m, xs),
                lambda m, out, *xs: derivative_seq(m, out, xs), doc, domain, higher_order,
                batchable, forward_seq, derivative_seq)  # fmt: skip
    else:
        op = Op(name, arity, forward, derivative, doc, domain, higher_order, batchable)
    OPS[name] = op
    return op


def weighted_sum(m, w, x, b=None):
    """w_1 x_1 + ... + w_n x_n (+ b): dot's forward for the weights, inputs and bias apart
    (:func:`autograd.block_sums.weighted_sums` calls it with the data of a whole layer)."""
    products = m.sum(map(mul, w, x))
    return products if b is None else products + b


def _dot(m, xs):
    """w . x (+ b) for xs = (w_1..w_n, x_1..x_n) or (w_1..w_n, x_1..x_n, b)."""
    n, bias = divmod(len(xs), 2)
    return weighted_sum(m, xs[:n], xs[n : 2 * n], xs[-1] if bias else None)


def _dot_partials(m, out, xs):
    """d/dw_i = x_i and d/dx_i = w_i (the inputs, halves swapped); d/db = 1."""
    n = len(xs) // 2
    if len(xs) % 2:  # one list built in one go: backward calls this once per dot node
        return [*xs[n:-1], *xs[:n], 1.0]
    return [*xs[n:], *xs[:n]]


class PerInput:
    """A derivative given as one rule per input: ``PerInput(d_x, d_y)``, each called as
    ``d_x(m, out, x, y)``.  Called like any derivative it returns every partial; where
    that fails, the engine calls :meth:`some` to evaluate only those a gradient needs, so
    a partial that is infinite where no gradient needs it (d/dx x^y at a constant x = 0)
    stops nothing.  Write an op's derivative so when one of its partials may be infinite."""

    __slots__ = ("partials",)

    def __init__(self, *partials: Callable) -> None:
        self.partials = partials

    def __call__(self, m, out, *xs) -> tuple:
        return tuple(d(m, out, *xs) for d in self.partials)

    def some(self, m, out, xs, needed) -> tuple:
        """The partials of the inputs flagged in ``needed``, and 0.0 for the others."""
        return tuple(d(m, out, *xs) if need else 0.0 for d, need in zip(self.partials, needed))


def _pow_d_base(m, out, x, y):
    """d/dx x^y = y x^(y-1), and 0 where y = 0 (x^0 = 1 is flat even at x = 0, as in
    PyTorch), where x^(y-1) is not even evaluated: x^0 stands in for it."""
    nonzero = (y > 0.0) | (y < 0.0)  # y != 0 on every backend (a Value's == is identity)
    return m.where(nonzero, y * m.pow(x, m.where(nonzero, y - 1.0, 0.0)), 0.0)


# fmt: off
ADD = define("add", 2, lambda m, x, y: x + y,
             lambda m, out, x, y: (1.0, 1.0),
             "x + y;  d/dx = 1, d/dy = 1")
SUB = define("sub", 2, lambda m, x, y: x - y,
             lambda m, out, x, y: (1.0, -1.0),
             "x - y;  d/dx = 1, d/dy = -1")
MUL = define("mul", 2, lambda m, x, y: x * y,
             lambda m, out, x, y: (y, x),
             "x * y;  d/dx = y, d/dy = x")
DIV = define("div", 2, lambda m, x, y: x / y,
             lambda m, out, x, y: (1.0 / y, -out / y),
             "x / y;  d/dx = 1/y, d/dy = -x/y^2", domain="y != 0")
POW = define("pow", 2, lambda m, x, y: m.pow(x, y),
             PerInput(_pow_d_base, lambda m, out, x, y: out * m.log_pos(x)),
             "x ** y;  d/dx = y x^(y-1) (0 where y = 0), d/dy = x^y log(x)  (0 where x <= 0)",
             domain="x >= 0 or y an integer")
NEG = define("neg", 1, lambda m, x: -x,
             lambda m, out, x: (-1.0,),
             "-x;  d/dx = -1")
ABS = define("abs", 1, lambda m, x: m.abs(x),
             lambda m, out, x: (m.sign(x),),
             "|x|;  d/dx = sign(x)  (0 at x = 0)")
EXP = define("exp", 1, lambda m, x: m.exp(x),
             lambda m, out, x: (out,),
             "e^x;  d/dx = e^x")
LOG = define("log", 1, lambda m, x: m.log(x),
             lambda m, out, x: (1.0 / x,),
             "ln x;  d/dx = 1/x", domain="x > 0")
SQRT = define("sqrt", 1, lambda m, x: m.sqrt(x),
              lambda m, out, x: (0.5 / out,),
              "sqrt(x);  d/dx = 1 / (2 sqrt(x))", domain="x >= 0")
TANH = define("tanh", 1, lambda m, x: m.tanh(x),
              lambda m, out, x: (1.0 - out * out,),
              "tanh(x);  d/dx = 1 - tanh(x)^2")
SIGMOID = define("sigmoid", 1, lambda m, x: m.sigmoid(x),
                 lambda m, out, x: (out * (1.0 - out),),
                 "s(x) = 1 / (1 + e^-x);  d/dx = s(x) (1 - s(x))")
RELU = define("relu", 1, lambda m, x: m.maximum(x, 0.0),
              lambda m, out, x: ((x > 0.0) * 1.0,),  # [x > 0] as a number: no backend call
              "max(x, 0);  d/dx = 1 if x > 0 else 0")
LEAKY_RELU = define("leaky_relu", 2, lambda m, x, slope: m.where(x > 0.0, x, slope * x),
                    lambda m, out, x, slope: (m.where(x > 0.0, 1.0, slope),
                                              m.where(x > 0.0, 0.0, x)),
                    "x if x > 0 else a x;  d/dx = 1 if x > 0 else a,  d/da = 0 if x > 0 else x")
ELU = define("elu", 2,
             lambda m, x, alpha: m.where(x > 0.0, x, alpha * (m.exp(m.minimum(x, 0.0)) - 1.0)),
             lambda m, out, x, alpha: (m.where(x > 0.0, 1.0, alpha * m.exp(m.minimum(x, 0.0))),
                                       m.where(x > 0.0, 0.0, m.exp(m.minimum(x, 0.0)) - 1.0)),
             "x if x > 0 else a (e^x - 1);  d/dx = 1 if x > 0 else a e^x,"
             "  d/da = 0 if x > 0 else e^x - 1")
SUM = define("sum", None, lambda m, xs: m.sum(xs),
             lambda m, out, xs: (1.0,) * len(xs),
             "x_1 + ... + x_n;  d/dx_i = 1")
DOT = define("dot", None, _dot, _dot_partials,
             "w_1 x_1 + ... + w_n x_n (+ b);  d/dw_i = x_i, d/dx_i = w_i, d/db = 1")
MAX = define("max", None, lambda m, xs: m.max(xs),
             lambda m, out, xs: m.onehot_argmax(xs),
             "max(x_1..x_n);  d/dx_i = 1 at the first arg-max, else 0")
# fmt: on
