"""Text that goes into DOT: escaped labels and compact numbers.

Every piece of user text (a Value's label, an op's name, a parameter's name) passes
through :func:`html_text` before it reaches Graphviz, so quotes, ``<>{}|\\``, control
characters and any unicode come out as plain, ASCII-only HTML-label text.
"""

from __future__ import annotations

import math
import unicodedata
from html import escape

_REPLACEMENT = "\ufffd"


def _printable(char: str) -> str:
    """The character itself, or U+FFFD for control characters and lone surrogates."""
    return _REPLACEMENT if unicodedata.category(char) in ("Cc", "Cs") else char


def html_text(text: object) -> str:
    """``text`` as safe content for a Graphviz HTML-like label.

    ``& < > "`` become entities and every non-ASCII character a numeric character
    reference, so the DOT source is pure ASCII whatever the label holds.
    """
    cleaned = "".join(map(_printable, str(text)))
    return escape(cleaned, quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")


def number(x: float) -> str:
    """A float in at most ~9 characters: 4 decimals in the usual range, else scientific."""
    if not math.isfinite(x):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"
