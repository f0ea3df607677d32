"""A playground page: ``viz/playground.html`` with the front end (``playground.js`` and
its styles) inlined, the host's data, and one line that boots the host.

The replayed run (:func:`viz.training_html`) and the served page
(:mod:`viz.playground.server`) are the same page with a different host: the first
carries every recorded frame and plays them itself, the second talks to Python over a
WebSocket.  Each placeholder is filled in one pass, so no filled-in text is read again.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from typing import Any

from ..pages import script_json

_PLACEHOLDER = re.compile(r"/\*(LANG|CSP|TITLE|CSS|DATA|MODULE|BOOT)\*/")
OFFLINE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
               "img-src data:")  # fmt: skip


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def front_end() -> tuple[str, str]:
    """The front end's module and styles, as shipped."""
    return _asset("playground.js"), _asset("playground.css")


def playground_page(boot: str, data: Any, title: str, lang: str, csp: str = OFFLINE_CSP) -> str:
    """The page, ``boot`` being the statement that starts the host (it may read the page's
    ``data`` with ``JSON.parse(document.getElementById("data").textContent)``)."""
    module, css = front_end()
    attribute = html.escape(csp, quote=False).replace('"', "&quot;")  # keeps CSP's ' quotes
    parts = {"LANG": html.escape(lang), "CSP": attribute, "TITLE": html.escape(title),
             "CSS": css, "DATA": script_json(data), "MODULE": module, "BOOT": boot}  # fmt: skip
    template = resources.files("viz").joinpath("playground.html").read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(lambda match: parts[match.group(1)], template)
