"""Grad modes: ``no_grad`` and ``detect_anomaly``, per thread.

Each mode is a dict from thread id to nesting depth.  The engine's hot path tests the
dict's truthiness first, so when no thread uses a mode the check costs one global
lookup, and a mode entered in one thread never affects another.
"""

from __future__ import annotations

import contextlib
import threading

NO_GRAD: dict[int, int] = {}
ANOMALY: dict[int, int] = {}
_lock = threading.Lock()


class _ThreadMode(contextlib.ContextDecorator):
    """Context manager and decorator that switches a mode on for the current thread."""

    _depths: dict[int, int]

    def __enter__(self) -> _ThreadMode:
        ident = threading.get_ident()
        with _lock:
            self._depths[ident] = self._depths.get(ident, 0) + 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        ident = threading.get_ident()
        with _lock:
            depth = self._depths[ident] - 1
            if depth:
                self._depths[ident] = depth
            else:
                del self._depths[ident]


class no_grad(_ThreadMode):  # noqa: N801 -- named like torch.no_grad
    """Inside it, ops compute values but record no inputs: results are constants.

    Use as ``with autograd.no_grad(): ...`` or as a decorator ``@autograd.no_grad()``.
    """

    _depths = NO_GRAD


class detect_anomaly(_ThreadMode):  # noqa: N801 -- named like torch.autograd.detect_anomaly
    """Inside it, the first op whose forward or backward gives NaN or inf raises
    ``FloatingPointError`` naming the op and its input values."""

    _depths = ANOMALY


def is_grad_enabled() -> bool:
    """True unless the current thread is inside ``no_grad``."""
    return threading.get_ident() not in NO_GRAD


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly`` in the current thread."""
    return threading.get_ident() in ANOMALY
