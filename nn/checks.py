"""Argument checks shared by nn's constructors and data functions."""

from __future__ import annotations

from typing import Any


def whole_number(name: str, n: Any, minimum: int = 1) -> int:
    """``n`` itself if it is an int >= ``minimum``; TypeError or ValueError naming it."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be an int, not {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, received {n}")
    return n
