"""Self-contained HTML pages: a template shipped with viz, filled with JSON and an SVG.

The step-through page (:mod:`viz.stepper`), the training playground
(:mod:`viz.playground`) and the worksheets (:mod:`viz.worksheet`) inline everything they
show, so a page loads nothing from anywhere.  This module holds what they share: the
graph's SVG ready to inline, data as JSON that is safe inside a ``<script>`` element, and
a template's placeholders filled with both.
"""

from __future__ import annotations

import html
import json
import math
import re
from importlib import resources
from typing import Any

from .render import Backend, pipe_source

__all__ = ["fill_template", "inline_svg", "script_json", "svg_size"]

# Graphviz's <svg width="123pt" height="45pt" ...>
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def svg_size(svg: str) -> tuple[float, float]:
    """(width, height) in pt of Graphviz's SVG (1 pt = 4/3 px)."""
    width, height = _SIZE.search(svg).groups()
    return float(width), float(height)


def inline_svg(source: str, backend: Backend = "auto") -> str:
    """The SVG of a DOT ``source``, without the XML prolog and doctype (for inlining)."""
    svg = pipe_source(source, "svg", backend).decode("utf-8")
    return svg[svg.index("<svg") :]


def _finite_json(data: object) -> object:
    """``data`` with every inf or NaN float as the string JavaScript prints for it
    (JSON.parse refuses the bare words; ``String()`` and arithmetic treat both alike)."""
    if isinstance(data, float) and not math.isfinite(data):
        return "NaN" if data != data else ("Infinity" if data > 0 else "-Infinity")
    if isinstance(data, dict):
        return {key: _finite_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite_json(value) for value in data]
    return data


def script_json(data: object) -> str:
    """JSON that JSON.parse reads and that is safe inside a <script> element (no '<',
    '>' or '&' characters)."""
    text = json.dumps(_finite_json(data), ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fill_template(name: str, data: Any, svg: str, lang: str = "en", title: str = "chaingrad"
                  ) -> str:  # fmt: skip
    """The page template ``name`` (a file of the viz package) with ``/*LANG*/`` and
    ``/*TITLE*/`` filled in (escaped), ``/*DATA*/`` replaced by ``data`` as
    :func:`script_json` and ``<!--SVG-->`` by ``svg`` (in that order: no filled-in text
    is searched for a later placeholder but the SVG's)."""
    template = resources.files("viz").joinpath(name).read_text(encoding="utf-8")
    head = template.replace("/*LANG*/", html.escape(lang)).replace("/*TITLE*/", html.escape(title))
    return head.replace("/*DATA*/", script_json(data)).replace("<!--SVG-->", svg)
