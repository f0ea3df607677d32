"""Argument checks shared by nn's constructors and data functions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any


def whole_number(name: str, n: Any, minimum: int = 1) -> int:
    """``n`` itself if it is an int >= ``minimum``; TypeError or ValueError naming it."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, received {n}")
    return n


def is_finite_number(x: Any) -> bool:
    """True for a real number (not a bool) that is neither inf nor NaN."""
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)


def as_number(x: Any) -> Any:
    """``x`` as a plain number where it is one in another form: a Value's ``data``, a
    one-element tensor's or numpy scalar's ``item()``; anything else as it is."""
    data = getattr(x, "data", None)
    if isinstance(data, Real) and hasattr(x, "grad"):  # a Value (chaingrad's or a learner's)
        return data
    if callable(getattr(x, "item", None)) and getattr(x, "ndim", 1) == 0:
        return x.item()
    return x


def plain_output(output: Any) -> float | list[float]:
    """A model's output (a Value or number, or a list of them) as plain floats."""
    if isinstance(output, (list, tuple)):
        return [float(as_number(v)) for v in output]
    return float(as_number(output))


def not_numbers(entries: Mapping[str, Any]) -> list[str]:
    """``name=value (type)`` for each entry whose value is not a real number."""
    return [f"{name}={value!r} ({type(value).__name__})" for name, value in entries.items()
            if isinstance(value, bool) or not isinstance(value, Real)]  # fmt: skip


def not_finite(entries: Mapping[str, Any]) -> list[str]:
    """``name=value`` for each entry whose value is not a finite number (for an error)."""
    return [f"{name}={value!r}" for name, value in entries.items() if not is_finite_number(value)]


def finite_number(name: str, x: Any) -> float:
    """``x`` as a float if it is a finite real number; TypeError or ValueError naming it."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{name} must be a number, not {type(x).__name__}")
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, received {x}")
    return float(x)


def non_negative(name: str, x: Any) -> float:
    """``x`` as a float if it is a finite number >= 0; TypeError or ValueError naming it."""
    x = finite_number(name, x)
    if x < 0.0:
        raise ValueError(f"{name} must be >= 0, received {x}")
    return x
