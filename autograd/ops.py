"""The op table: every differentiable operation, defined once.

An entry holds the forward function and the local derivative side by side.  Both are
written against a backend ``m`` (see :mod:`autograd.backends`) using only arithmetic
operators and ``m.*`` functions, so one rule serves the scalar engine (floats), the
compiled batch mode (numpy arrays) and higher-order derivatives (Values).

``forward(m, *xs)`` returns the output; ``derivative(m, out, *xs)`` returns the tuple of
partials d out / d x_i, given the inputs and the already computed output.  Adding an op
is one call to :func:`define`.  An n-ary op's rules (sum, dot, max, min) are written taking
the inputs as ONE sequence, ``forward(m, xs)`` and ``derivative(m, out, xs)``: the engine
calls them so with the data list it already has (``Op.forward_seq``), and the op's
``forward``/``derivative`` spread the usual positional form onto them.
"""

from __future__ import annotations

import math
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


def _softplus(m, x, beta, threshold):
    """log(1 + e^(beta x)) / beta, or x where beta x > threshold (PyTorch's softplus; the
    exponent is capped at the threshold, so neither branch overflows where unused)."""
    bx = x * beta
    return m.where(bx > threshold, x, m.log1p(m.exp(m.minimum(bx, threshold))) / beta)


def _softplus_partials(m, out, x, beta, threshold):
    """d/dx = sigmoid(beta x), d/dbeta = (x sigmoid(beta x) - out) / beta, d/dthreshold = 0
    (d/dx = 1, d/dbeta = 0 where beta x > threshold, since out = x there)."""
    bx = x * beta
    s = m.sigmoid(bx)
    above = bx > threshold
    return (m.where(above, 1.0, s), m.where(above, 0.0, (x * s - out) / beta), 0.0)


def _silu_partials(m, out, x):
    """d/dx = s (1 + x (1 - s)), s = sigmoid(x) (evaluated once)."""
    s = m.sigmoid(x)
    return (s * (1.0 + x * (1.0 - s)),)


# GELU's constants as PyTorch computes them (C's M_2_SQRTPI, M_SQRT1_2, M_SQRT2):
_2_SQRTPI = 1.12837916709551257390
_SQRT1_2 = 0.70710678118654752440
_SQRT2 = 1.41421356237309504880
_GELU_PDF = _2_SQRTPI * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi)
_GELU_TANH_SCALE = _SQRT2 * _2_SQRTPI * 0.5  # sqrt(2 / pi)
_GELU_TANH_CUBIC = 0.044715


def _gelu_tanh_inner(m, x):
    """tanh(sqrt(2/pi) (x + 0.044715 x^3)): the tanh approximation of 2 Phi(x) - 1."""
    return m.tanh(_GELU_TANH_SCALE * (x + _GELU_TANH_CUBIC * (x * x * x)))


def _gelu_tanh_partials(m, out, x):
    """d/dx = (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2),  t the inner tanh."""
    t = _gelu_tanh_inner(m, x)
    slope = _GELU_TANH_SCALE * (1.0 + 3.0 * _GELU_TANH_CUBIC * (x * x))
    return (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * slope,)


def _clamp_partials(m, out, x, low, high):
    """PyTorch's clamp backward: d/dx = 1 where low <= x <= high (the bounds included),
    d/dlow = 1 where x < low < high, d/dhigh = 1 where x > high or high < low (then the
    result is high)."""
    return (((x >= low) & (x <= high)) * 1.0, ((x < low) & (low < high)) * 1.0,
            ((x > high) | (high < low)) * 1.0)


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
             lambda m, out, xs: m.argmax_shares(xs),
             "max(x_1..x_n);  d/dx_i = 1/k at each of the k arg-maxes (1 for one), else 0")
MIN = define("min", None, lambda m, xs: m.min(xs),
             lambda m, out, xs: m.argmin_shares(xs),
             "min(x_1..x_n);  d/dx_i = 1/k at each of the k arg-mins (1 for one), else 0")
SIN = define("sin", 1, lambda m, x: m.sin(x),
             lambda m, out, x: (m.cos(x),),
             "sin(x);  d/dx = cos(x)")
COS = define("cos", 1, lambda m, x: m.cos(x),
             lambda m, out, x: (-m.sin(x),),
             "cos(x);  d/dx = -sin(x)")
TAN = define("tan", 1, lambda m, x: m.tan(x),
             lambda m, out, x: (1.0 + out * out,),
             "tan(x);  d/dx = 1 + tan(x)^2")
ASIN = define("asin", 1, lambda m, x: m.asin(x),
              lambda m, out, x: (1.0 / m.sqrt(1.0 - x * x),),
              "asin(x);  d/dx = 1 / sqrt(1 - x^2)  (infinite at x = +-1)",
              domain="-1 <= x <= 1")
ACOS = define("acos", 1, lambda m, x: m.acos(x),
              lambda m, out, x: (-1.0 / m.sqrt(1.0 - x * x),),
              "acos(x);  d/dx = -1 / sqrt(1 - x^2)  (infinite at x = +-1)",
              domain="-1 <= x <= 1")
ATAN = define("atan", 1, lambda m, x: m.atan(x),
              lambda m, out, x: (1.0 / (1.0 + x * x),),
              "atan(x);  d/dx = 1 / (1 + x^2)")
SINH = define("sinh", 1, lambda m, x: m.sinh(x),
              lambda m, out, x: (m.cosh(x),),
              "sinh(x) = (e^x - e^-x) / 2;  d/dx = cosh(x)")
COSH = define("cosh", 1, lambda m, x: m.cosh(x),
              lambda m, out, x: (m.sinh(x),),
              "cosh(x) = (e^x + e^-x) / 2;  d/dx = sinh(x)")
LOG1P = define("log1p", 1, lambda m, x: m.log1p(x),
               lambda m, out, x: (1.0 / (1.0 + x),),
               "ln(1 + x), exact near 0;  d/dx = 1 / (1 + x)", domain="x > -1")
EXPM1 = define("expm1", 1, lambda m, x: m.expm1(x),
               lambda m, out, x: (out + 1.0,),
               "e^x - 1, exact near 0;  d/dx = e^x = expm1(x) + 1")
ERF = define("erf", 1, lambda m, x: m.erf(x),
             lambda m, out, x: (2.0 / math.sqrt(math.pi) * m.exp(-(x * x)),),
             "erf(x) = 2/sqrt(pi) * integral_0^x e^(-t^2) dt;  d/dx = 2/sqrt(pi) e^(-x^2)")
SOFTPLUS = define("softplus", 3, _softplus, _softplus_partials,
                  "ln(1 + e^(b x)) / b, or x where b x > t (b = beta, t = threshold);  "
                  "d/dx = sigmoid(b x), d/db = (x sigmoid(b x) - out) / b, d/dt = 0  "
                  "(1, 0, 0 where b x > t)")
SILU = define("silu", 1, lambda m, x: x * m.sigmoid(x), _silu_partials,
              "x s(x), s = sigmoid;  d/dx = s(x) (1 + x (1 - s(x)))")
GELU = define("gelu", 1, lambda m, x: x * 0.5 * (1.0 + m.erf(x * _SQRT1_2)),
              lambda m, out, x: (0.5 * (1.0 + m.erf(x * _SQRT1_2))
                                 + x * (_GELU_PDF * m.exp(x * x * -0.5)),),
              "x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  "
              "d/dx = Phi(x) + x e^(-x^2/2) / sqrt(2 pi)")
GELU_TANH = define("gelu_tanh", 1, lambda m, x: 0.5 * x * (1.0 + _gelu_tanh_inner(m, x)),
                   _gelu_tanh_partials,
                   "x (1 + t) / 2, t = tanh(sqrt(2/pi) (x + 0.044715 x^3));  "
                   "d/dx = (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 0.134145 x^2)")
CLAMP = define("clamp", 3, lambda m, x, low, high: m.minimum(m.maximum(x, low), high),
               _clamp_partials,
               "min(max(x, low), high);  d/dx = 1 if low <= x <= high else 0, "
               "d/dlow = 1 if x < low (< high), d/dhigh = 1 if x > high")
CLAMP_MIN = define("clamp_min", 2, lambda m, x, low: m.maximum(x, low),
                   lambda m, out, x, low: ((x >= low) * 1.0, (x < low) * 1.0),
                   "max(x, low);  d/dx = 1 if x >= low else 0, d/dlow = 1 if x < low else 0")
CLAMP_MAX = define("clamp_max", 2, lambda m, x, high: m.minimum(x, high),
                   lambda m, out, x, high: ((x <= high) * 1.0, (x > high) * 1.0),
                   "min(x, high);  d/dx = 1 if x <= high else 0, d/dhigh = 1 if x > high else 0")
# fmt: on
