"""Gradient checking: compare the engine's derivatives with finite differences.

The numerical derivative of f along input i is the central difference

    d f / d x_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

whose error is O(eps^2) (Taylor: the even terms cancel).  An analytic partial ``a``
passes against the numeric one ``n`` when ``|a - n| <= atol + rtol |n|`` (PyTorch's rule
and defaults).  :func:`gradcheck` checks first derivatives, :func:`gradgradcheck` second
ones: it differentiates the engine's gradient numerically and compares with
``grad(grad(f))``, i.e. the Hessian d^2 f / dx_i dx_j.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .backprop import grad, hessian
from .modes import no_grad
from .value import Value, lift

__all__ = [
    "GradcheckError",
    "GradcheckReport",
    "GradcheckRow",
    "gradcheck",
    "gradcheck_report",
    "gradgradcheck",
    "gradgradcheck_report",
    "last_gradcheck_report",
    "numerical_grad",
]

_last = threading.local()


@dataclass(frozen=True)
class GradcheckRow:
    """One compared partial derivative.

    ``label`` names it (``x1`` for d f / d x1, ``x0,x1`` for d^2 f / dx0 dx1) and
    ``value`` is the input the difference was taken along.
    """

    label: str
    value: float
    analytic: float
    numeric: float
    atol: float
    rtol: float

    @property
    def abs_error(self) -> float:
        """|analytic - numeric|."""
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        """|analytic - numeric| / |numeric|  (0 when both are 0, inf when only numeric is)."""
        if self.abs_error == 0.0:
            return 0.0
        return self.abs_error / abs(self.numeric) if self.numeric else math.inf

    @property
    def ok(self) -> bool:
        """|analytic - numeric| <= atol + rtol |numeric|  (False for NaN)."""
        return self.abs_error <= self.atol + self.rtol * abs(self.numeric)


_COLUMNS = ("", "input", "value", "analytic", "numeric", "abs error", "rel error")


@dataclass(frozen=True)
class GradcheckReport:
    """The outcome of a check: one :class:`GradcheckRow` per partial derivative.

    ``str(report)`` is a table with the failing rows marked ``FAIL``.
    """

    title: str
    rows: tuple[GradcheckRow, ...]
    eps: float

    @property
    def ok(self) -> bool:
        """True when every row passes."""
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> tuple[GradcheckRow, ...]:
        """The rows that do not pass."""
        return tuple(row for row in self.rows if not row.ok)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        first = self.rows[0] if self.rows else None
        tolerances = f"atol={first.atol:g}, rtol={first.rtol:g}, " if first else ""
        verdict = (
            f"{len(self.failures)} of {len(self.rows)} differ"
            if self.failures
            else f"all {len(self.rows)} match"
        )
        lines = [f"{self.title}: {verdict} ({tolerances}eps={self.eps:g})"]
        table = [_COLUMNS] + [
            (
                "FAIL" if not row.ok else "ok",
                row.label,
                f"{row.value:.6g}",
                f"{row.analytic:.10g}",
                f"{row.numeric:.10g}",
                f"{row.abs_error:.3g}",
                f"{row.rel_error:.3g}",
            )
            for row in self.rows
        ]
        widths = [max(len(cells[k]) for cells in table) for k in range(len(_COLUMNS))]
        for cells in table:
            lines.append("  ".join(c.rjust(w) for c, w in zip(cells, widths)).rstrip())
        return "\n".join(lines)


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` / :func:`gradgradcheck` when a partial is wrong.

    The message is the report's table; ``error.report`` holds the
    :class:`GradcheckReport` itself.
    """

    def __init__(self, report: GradcheckReport) -> None:
        super().__init__(str(report))
        self.report = report


def _floats(xs: Sequence[Any]) -> list[float]:
    """The point as floats (Values give their data); ValueError for no point at all."""
    if len(xs) == 0:
        raise ValueError("needs at least one input to check: xs is empty")
    return [x.data if isinstance(x, Value) else float(x) for x in xs]


def _leaves(point: Sequence[float]) -> list[Value]:
    """One leaf per coordinate, labelled x0, x1, ..."""
    return [Value(x, label=f"x{i}") for i, x in enumerate(point)]


def _scalar(out: Any) -> Value:
    """f's result, checked to be one scalar."""
    if isinstance(out, (list, tuple)):
        raise TypeError(f"gradcheck: f must return one Value, not a {type(out).__name__}")
    return lift(out)


def _central_differences(
    g: Callable[[list[float]], list[float]], point: Sequence[float], eps: float
) -> list[list[float]]:
    """Column j: (g(x + eps e_j) - g(x - eps e_j)) / (2 eps), for a vector function g."""
    columns = []
    for j in range(len(point)):
        shifted = []
        for step in (eps, -eps):
            moved = list(point)
            moved[j] += step
            try:
                shifted.append(g(moved))
            except (ArithmeticError, ValueError) as error:
                raise type(error)(
                    f"numerical_grad: f fails at x{j} = {moved[j]!r} "
                    f"(x{j} {'+' if step > 0 else '-'} eps): {error}"
                ) from error
        columns.append([(a - b) / (2.0 * eps) for a, b in zip(*shifted)])
    return columns


def numerical_grad(f: Callable[..., Any], xs: Sequence[Any], eps: float = 1e-6) -> list[float]:
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for each input i.

    ``f`` is called as ``f(*values)`` with one Value per entry of ``xs`` and returns a
    Value (or a number).  The error is O(eps^2) plus rounding of about 1e-16 |f| / eps.
    """
    point = _floats(xs)

    def value_at(p: list[float]) -> list[float]:
        with no_grad():
            return [_scalar(f(*_leaves(p))).data]

    return [column[0] for column in _central_differences(value_at, point, eps)]


def _analytic_grad(f: Callable[..., Any], point: Sequence[float]) -> list[float]:
    """The engine's d f / d x_i at ``point`` (reverse mode, floats)."""
    leaves = _leaves(point)
    return [g.data for g in grad(_scalar(f(*leaves)), leaves)]


def _finish(report: GradcheckReport, raise_exception: bool) -> bool:
    _last.report = report
    if report.ok:
        return True
    if raise_exception:
        raise GradcheckError(report)
    return False


def gradcheck_report(
    f: Callable[..., Any],
    xs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckReport:
    """Compare d f / d x_i from ``grad`` with :func:`numerical_grad`; never raises a mismatch.

    One row per input: its value, the analytic and numeric partial, their absolute and
    relative difference; a row passes when |analytic - numeric| <= atol + rtol |numeric|.
    """
    point = _floats(xs)
    analytic = _analytic_grad(f, point)
    numeric = numerical_grad(f, point, eps)
    rows = tuple(
        GradcheckRow(f"x{i}", x, a, n, atol, rtol)
        for i, (x, a, n) in enumerate(zip(point, analytic, numeric))
    )
    return GradcheckReport("gradcheck", rows, eps)


def gradcheck(
    f: Callable[..., Any],
    xs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True when every d f / d x_i of the engine matches central differences at ``xs``.

    A partial passes when |analytic - numeric| <= atol + rtol |numeric|.  Otherwise raise
    :class:`GradcheckError` whose message is the table of all partials, failing rows
    marked; with ``raise_exception=False`` return False instead.  Either way the report
    stays available as :func:`last_gradcheck_report` (or call :func:`gradcheck_report`).
    """
    return _finish(gradcheck_report(f, xs, eps, atol, rtol), raise_exception)


def gradgradcheck_report(
    f: Callable[..., Any],
    xs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckReport:
    """Compare the engine's second derivatives d^2 f / dx_i dx_j with finite differences.

    Analytic: ``grad`` of each entry of ``grad(f, create_graph=True)``.  Numeric: the
    central difference of the engine's gradient along x_j,
    (g_i(x + eps e_j) - g_i(x - eps e_j)) / (2 eps).  One row per pair (i, j).
    """
    point = _floats(xs)
    analytic = hessian(lambda *values: _scalar(f(*values)), point)
    numeric = _central_differences(lambda p: _analytic_grad(f, p), point, eps)
    rows = tuple(
        GradcheckRow(f"x{i},x{j}", point[j], analytic[i][j], numeric[j][i], atol, rtol)
        for i in range(len(point))
        for j in range(len(point))
    )
    return GradcheckReport("gradgradcheck", rows, eps)


def gradgradcheck(
    f: Callable[..., Any],
    xs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """:func:`gradcheck` for second derivatives d^2 f / dx_i dx_j (see
    :func:`gradgradcheck_report`); raises :class:`GradcheckError` or returns False.

    Through an op without a differentiable derivative (a custom op) the first
    ``grad(create_graph=True)`` raises a TypeError naming that op.
    """
    return _finish(gradgradcheck_report(f, xs, eps, atol, rtol), raise_exception)


def last_gradcheck_report() -> GradcheckReport | None:
    """The report of the latest gradcheck / gradgradcheck in this thread (None before)."""
    return getattr(_last, "report", None)
