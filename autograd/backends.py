"""The maths an op rule is evaluated with.

Every rule in :mod:`autograd.ops` receives a backend ``m`` as its first argument and
uses only Python's arithmetic operators plus the functions below.  The same rule then
runs on:

* ``FLOAT``  -- plain Python floats (the scalar engine);
* ``ARRAY``  -- numpy arrays, one array per node (the compiled batch mode);
* ``VALUE``  -- :class:`autograd.Value` itself (defined in :mod:`autograd.value`), so a
  derivative can be differentiated again (``grad(..., create_graph=True)``).

A backend's functions raise ``ValueError`` for inputs outside their domain, like
:mod:`math` does; the engine turns that into an error that names the op.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np


def _float_sigmoid(x: float) -> float:
    """Logistic function 1 / (1 + e^-x), exact for any x: e^-|x| never overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _float_pow(x: float, y: float) -> float:
    """x ** y over the reals: a fractional power of a negative base is refused."""
    if x < 0.0 and y != math.floor(y):
        raise ValueError("a negative base needs an integer exponent")
    return x**y


def _float_log_pos(x: float) -> float:
    """log(x) for x > 0, else 0 (used where the factor it multiplies is undefined)."""
    return math.log(x) if x > 0.0 else 0.0


def larger(a: Any, b: Any) -> Any:
    """max(a, b) for two numbers (a on a tie): a conditional expression, 2x cheaper than
    the builtin max on two floats (relu's forward in the scalar engine)."""
    return a if a >= b else b


def smaller(a: Any, b: Any) -> Any:
    """min(a, b) for two numbers (a on a tie)."""
    return a if a <= b else b


def _float_shares(xs: tuple[float, ...], best: float) -> tuple[float, ...]:
    """1/k at each of the k positions holding ``best`` (the max or the min), 0.0
    elsewhere: a tie shares the gradient evenly, as PyTorch's max, amax and maximum do."""
    share = 1.0 / xs.count(best)
    return tuple(share if x == best else 0.0 for x in xs)


def _float_argmax_shares(xs: tuple[float, ...]) -> tuple[float, ...]:
    return _float_shares(xs, max(xs))


def _float_argmin_shares(xs: tuple[float, ...]) -> tuple[float, ...]:
    return _float_shares(xs, min(xs))


# One-input functions every backend has under the name :mod:`math` gives them (on Values:
# the Value method of that name).
MATH_FUNCTIONS = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1",
                  "erf")  # fmt: skip

FLOAT = SimpleNamespace(
    name="float",
    exp=math.exp,
    log=math.log,
    sqrt=math.sqrt,
    tanh=math.tanh,
    sigmoid=_float_sigmoid,
    pow=_float_pow,
    log_pos=_float_log_pos,
    sign=lambda x: float((x > 0.0) - (x < 0.0)),
    abs=abs,
    where=lambda condition, a, b: a if condition else b,
    maximum=larger,
    minimum=smaller,
    sum=sum,
    max=max,
    argmax_shares=_float_argmax_shares,
    min=min,
    argmin_shares=_float_argmin_shares,
    **{name: getattr(math, name) for name in MATH_FUNCTIONS},
)


def _array_sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, overflow-free: exp(-log(1 + e^-x))."""
    return np.exp(-np.logaddexp(0.0, -x))


def _array_pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if np.any((x < 0.0) & (y != np.floor(y))):
        raise ValueError("a negative base needs an integer exponent")
    return np.power(x, y)


def _array_domain(function, condition_name: str, test):
    """Wrap a numpy function so that inputs outside its domain raise ValueError."""

    def checked(x):
        if np.any(~test(np.asarray(x))):
            raise ValueError(f"input outside the domain {condition_name}")
        return function(x)

    return checked


def _array_log_pos(x: np.ndarray) -> np.ndarray:
    positive = x > 0.0
    return np.where(positive, np.log(np.where(positive, x, 1.0)), 0.0)


def _array_shares(xs: tuple[np.ndarray, ...], best) -> tuple[np.ndarray, ...]:
    """For each input, its share where it holds ``best`` (np.max or np.min) of the
    inputs: 1/k for a k-way tie, as on floats (:func:`_float_shares`)."""
    stacked = np.stack(np.broadcast_arrays(*xs))
    hits = (stacked == best(stacked, axis=0)).astype(float)
    return tuple(hits / hits.sum(axis=0))


# erf has no numpy function (and scipy is no dependency): math.erf as a numpy ufunc,
# writing float64 straight into the output.  One call; the very floats of the scalar
# engine (so compiled and scalar agree to the last bit), at about 0.1 us per element.
# (fdlibm's rational approximations in numpy passes were tried: at most 2x faster on
# 128 000 elements, slower below about a thousand, and off by an ulp here and there.)
_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


def _array_erf(x: np.ndarray) -> np.ndarray:
    """erf(x) = 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt, elementwise."""
    x = np.asarray(x, dtype=float)
    return _erf_ufunc(x, out=np.empty_like(x), casting="unsafe")


ARRAY = SimpleNamespace(
    name="array",
    exp=np.exp,
    log=_array_domain(np.log, "x > 0", lambda x: x > 0.0),
    sqrt=_array_domain(np.sqrt, "x >= 0", lambda x: x >= 0.0),
    tanh=np.tanh,
    sigmoid=_array_sigmoid,
    pow=_array_pow,
    log_pos=_array_log_pos,
    sign=np.sign,
    abs=np.abs,
    where=np.where,
    maximum=np.maximum,
    minimum=np.minimum,
    sum=sum,
    max=lambda xs: np.maximum.reduce(np.broadcast_arrays(*xs)),
    argmax_shares=lambda xs: _array_shares(xs, np.max),
    sin=np.sin,
    cos=np.cos,
    tan=np.tan,
    asin=_array_domain(np.arcsin, "-1 <= x <= 1", lambda x: np.abs(x) <= 1.0),
    acos=_array_domain(np.arccos, "-1 <= x <= 1", lambda x: np.abs(x) <= 1.0),
    atan=np.arctan,
    sinh=np.sinh,
    cosh=np.cosh,
    log1p=_array_domain(np.log1p, "x > -1", lambda x: x > -1.0),
    expm1=np.expm1,
    erf=_array_erf,
    min=lambda xs: np.minimum.reduce(np.broadcast_arrays(*xs)),
    argmin_shares=lambda xs: _array_shares(xs, np.min),
)
