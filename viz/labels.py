"""Text that goes into DOT: escaped labels and compact numbers.

Every piece of user text (a Value's label, an op's name, a parameter's name) passes
through :func:`escape` before it reaches Graphviz.  ASCII punctuation that means
something to DOT or to record labels (``" < > { } | &``) becomes a numeric character
reference (``&#123;``), which Graphviz turns back into the character only *after* it
has split quotes and record fields; a backslash is doubled so ``\\N`` or ``\\l`` stay
literal; control characters and lone surrogates become U+FFFD; other unicode stays as
it is (UTF-8), since Graphviz mangles references beyond U+FFFF.
"""

from __future__ import annotations

import math
import unicodedata

_SAFE_ASCII = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;_+-*/=()[]!?'#%^~@$"
)


def _escape_char(char: str) -> str:
    if char in _SAFE_ASCII:
        return char
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) in ("Cc", "Cs"):  # control characters, lone surrogates
        return "\ufffd"
    return f"&#{ord(char)};" if char < "\x80" else char


def escape(text: object) -> str:
    """``text`` as literal label text for Graphviz (plain or record labels)."""
    return "".join(map(_escape_char, str(text)))


def number(x: float) -> str:
    """A float in at most ~10 characters: 4 decimals in the usual range, else scientific."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0.0000"  # not "-0.0000" for -0.0 (e.g. -1.2 * 0.0)
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.4f}"
    return f"{x:.3e}"


# Advance widths of Helvetica / Arial (Liberation Sans) in em, for laying text out
# without a font at hand; anything else counts as 0.6 em, wide symbols as 1 em.
_NARROW = dict.fromkeys("ijlI.,:;'|!", 0.26) | dict.fromkeys("ftr ()[]-/", 0.33)
_WIDE = dict.fromkeys("mwMW%@\u2026\u2192\u2190\u2014", 1.0) | dict.fromkeys(
    "ABCDEFGHKNOPQRSTUVXYZ", 0.69)  # fmt: skip
_ADVANCE = _NARROW | _WIDE | dict.fromkeys("0123456789abcdeghknopqsuvxyz$#_+=<>~^", 0.56)


def text_width(text: str, size: float) -> float:
    """The width in px of ``text`` set in Helvetica at ``size`` px, over-estimated by 8%
    (Liberation Sans has the same widths; other sans fonts are up to 8% wider)."""
    return 1.08 * size * sum(_ADVANCE.get(char, 0.6) for char in text)
