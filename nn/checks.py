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
