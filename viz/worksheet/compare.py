"""When an answer counts as right: one comparison for the grader and the exercise checker."""

from __future__ import annotations

import math

RTOL = 1e-3  # relative tolerance of the grader
ATOL = 1e-4  # absolute tolerance: an answer written with 4 decimals may be off by this


def matches(given: float, expected: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """|given - expected| <= atol + rtol |expected|  (False for NaN or inf)."""
    return math.isfinite(given) and abs(given - expected) <= atol + rtol * abs(expected)
