"""A layered picture laid out directly: columns of boxes left to right, straight edges
between neighbouring columns, captions in one row under the columns, a legend on top.

:func:`lay_out` turns columns, edges, captions and a legend into plain data -- every
position and size in px, every label and colour -- and :func:`svg` writes that data as
one SVG.  The data is JSON-ready (``json.dumps(picture.layout)``), so a page's script can
draw the very same geometry (the live playground does).  No Graphviz is involved: the
picture is the same with or without a system ``dot``.

The layout (all lengths in px, y growing downwards; ``viz.draw_mlp(...).layout``):

* ``width``, ``height``: the picture; ``font`` (px of every label), ``line`` (px
  between caption lines); ``title``: None or {x, y, text};
* ``boxes``: [{id, kind ('input', 'neuron', 'max', 'more'), label, x, y (the centre),
  w, h, fill, text (the label's colour), title, column, parameter (for a neuron: the
  index of its bias in ``model.parameters()``), map and map_size (a heat map: a PNG
  data URI drawn as a map_size square at the box's left, centred vertically, inset by
  (h - map_size) / 2)}];
* ``columns``: the box ids of each column, top to bottom;
* ``edges``: [{id, from, to (box ids), x1, y1, x2, y2 (the right edge's middle of
  ``from`` to the left edge's middle of ``to``), colour, width, value (the weight, or
  its gradient), parameter (its index in ``model.parameters()``), title}];
* ``captions``: [{id, x (the centre), y (the first line's middle), lines, columns}],
  the first line bold and one px larger;
* ``legend``: [{kind ('line', 'box', 'bar', 'text'), label, x, y (top-left), w, h,
  colour / width / sample / stops / ticks}].

``draw_mlp`` adds ``show``, ``lang``, ``largest`` (the largest |w| drawn: widths are
MIN + (MAX - MIN) |w| / largest with ``widths`` = [MIN, MAX]), ``colours`` (positive,
negative, zero, the gradient and diverging scales) and, with heat maps, ``maps``
({limit, resolution, extent: [x min, x max, y min, y max]}).

The rules that keep it readable: boxes of a column never touch (a gap of at least
``V_GAP``); neighbouring columns keep their captions apart; captions sit in one row below
the tallest column, where no edge goes; edges carry no arrowheads (inputs are on the
left, the output on the right).  Text is sized for a 1920 x 1080 screen: the picture's
aspect is kept near 16:9 and every label is ``FONT`` px before scaling.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from .labels import text_width

FONT = 13  # px: every label (captions' first lines FONT + 1, bold)
FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif"
LINE = 17  # px between caption lines
MARGIN = 16
V_GAP = 10  # px between the boxes of a column
MIN_GAP, MAX_GAP = 120, 380  # px between neighbouring columns (box edge to box edge)
CAPTION_GAP = 16  # px at least between neighbouring captions
ASPECT = 16 / 9
TEXT = "#111827"
OUTLINE = "#6b7280"


@dataclass
class Box:
    """A node: ``label`` centred in it (or right of its heat map), ``map`` a data URI."""

    id: str
    label: str
    w: float
    h: float
    kind: str = "neuron"
    fill: str = "#ffffff"
    text: str = TEXT
    title: str = ""
    map: str | None = None
    map_size: float = 0.0
    centre_of: list[str] = field(default_factory=list)  # its y: the mean of these boxes'
    data: dict[str, Any] = field(default_factory=dict)  # anything else the page wants


@dataclass
class Column:
    boxes: list[Box]


@dataclass
class Caption:
    """Lines under the columns ``columns`` (indices), the first in bold."""

    id: str
    columns: list[int]
    lines: list[str]


def box_width(labels: list[str], minimum: float, extra: float = 0.0) -> float:
    """A width that holds the widest of ``labels`` with padding (and ``extra`` px more)."""
    return max(minimum, max((text_width(t, FONT) for t in labels), default=0.0) + 16 + extra)


def _caption_width(lines: list[str]) -> float:
    return max((text_width(line, FONT + (i == 0)) for i, line in enumerate(lines)), default=0.0)


def _legend_rows(items: list[dict[str, Any]], width: float) -> list[list[dict[str, Any]]]:
    """The legend's items flowed into rows at most ``width`` px wide."""
    rows: list[list[dict[str, Any]]] = [[]]
    used = 0.0
    for item in items:
        size = item["w"]
        if rows[-1] and used + size > width:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += size + 24
    return rows


def legend_item(kind: str, label: str, **style: Any) -> dict[str, Any]:
    """An item of the legend: a ``kind`` of sample ('line', 'box', 'bar', 'text') and its
    label; a 'bar' has ``stops`` (colours, left to right) and ``ticks``: [position in
    0..1, label] pairs under it (labels too close to the next are left out)."""
    sample = {"line": 30, "box": 22, "bar": 180, "text": 0}[kind]
    width = sample + (8 if sample else 0) + text_width(label, FONT)
    return {"kind": kind, "label": label, "w": width, **style}


def lay_out(columns: list[Column], edges: list[dict[str, Any]], captions: list[Caption],
            legend: list[dict[str, Any]], title: str = "") -> dict[str, Any]:  # fmt: skip
    """Positions for everything: the picture as plain data (see the module's docstring).

    ``edges`` are dicts with ``id``, ``from`` and ``to`` (box ids in neighbouring
    columns) and their style (``colour``, ``width``, ``title``, ...), returned with their
    end points added.
    """
    heights = [sum(b.h for b in c.boxes if not b.centre_of) + V_GAP * (
        len([b for b in c.boxes if not b.centre_of]) - 1) for c in columns]  # fmt: skip
    tallest = max(heights)
    caption_lines = max((len(c.lines) for c in captions), default=0)
    body = tallest + (18 + caption_lines * LINE if captions else 0)
    widths = [max(b.w for b in c.boxes) for c in columns]
    # Column gaps: near 16:9 overall, within limits, and wide enough for the captions.
    target = ASPECT * (body + 2 * LINE + 60) - 2 * MARGIN
    free = (target - sum(widths)) / max(len(columns) - 1, 1)
    gaps = [min(max(free, MIN_GAP), MAX_GAP)] * (len(columns) - 1)
    centres = _centres(widths, gaps)
    for _ in range(len(captions)):  # widen the gaps until no two captions meet
        spans = [_span(c, centres) for c in captions]
        moved = False
        for (left, caption), (right, other) in zip(zip(spans, captions), zip(spans[1:],
                                                                             captions[1:])):
            need = (_caption_width(caption.lines) + _caption_width(other.lines)) / 2 + CAPTION_GAP
            short = need - (right - left)
            if short > 0:
                gaps[other.columns[0] - 1] += short
                moved = True
        if not moved:
            break
        centres = _centres(widths, gaps)
    content_width = centres[-1] + widths[-1] / 2 if columns else 0.0
    first_column = min(0.0, min((_span(c, centres) - _caption_width(c.lines) / 2
                                 for c in captions), default=0.0))  # fmt: skip
    last_column = max([content_width] + [_span(c, centres) + _caption_width(c.lines) / 2
                                         for c in captions])  # fmt: skip
    inner = last_column - first_column
    rows = _legend_rows(legend, max(inner, 600.0))
    legend_width = max((sum(i["w"] for i in row) + 24 * (len(row) - 1) for row in rows),
                       default=0.0)  # fmt: skip
    width = max(inner, legend_width, text_width(title, FONT + 3)) + 2 * MARGIN
    shift = MARGIN - first_column + (width - 2 * MARGIN - inner) / 2

    y = MARGIN
    placed_title = None
    if title:
        placed_title = {"x": width / 2, "y": y + FONT, "text": title}
        y += FONT + 3 + 12
    placed_legend = []
    for row in rows if legend else []:
        row_width = sum(i["w"] for i in row) + 24 * (len(row) - 1)
        x = (width - row_width) / 2
        height = 34 if any(i["kind"] == "bar" for i in row) else 20
        for item in row:
            placed_legend.append({**item, "x": x, "y": y, "h": height})
            x += item["w"] + 24
        y += height + 8
    top = y + 14
    boxes: dict[str, dict[str, Any]] = {}
    placed_columns = []
    for c, (column, height) in enumerate(zip(columns, heights)):
        x = shift + centres[c]
        yy = top + (tallest - height) / 2
        placed = []
        for box in column.boxes:
            if box.centre_of:
                continue
            placed.append(_placed(box, x, yy + box.h / 2, c))
            yy += box.h + V_GAP
        for box in column.boxes:
            if box.centre_of:
                ys = [boxes[i]["y"] for i in box.centre_of]
                placed.append(_placed(box, x, sum(ys) / len(ys), c))
        for item in placed:
            boxes[item["id"]] = item
        placed_columns.append([item["id"] for item in placed])
    placed_edges = []
    for edge in edges:
        a, b = boxes[edge["from"]], boxes[edge["to"]]
        placed_edges.append({**edge, "x1": round(a["x"] + a["w"] / 2, 2), "y1": round(a["y"], 2),
                             "x2": round(b["x"] - b["w"] / 2, 2), "y2": round(b["y"], 2)})
    caption_top = top + tallest + 18
    placed_captions = [{"id": c.id, "x": round(shift + _span(c, centres), 2), "y": caption_top,
                        "lines": c.lines, "columns": c.columns} for c in captions]  # fmt: skip
    height = caption_top + (caption_lines * LINE if captions else 0) + MARGIN
    return {"width": round(width), "height": round(height), "font": FONT, "line": LINE,
            "title": placed_title, "legend": placed_legend, "boxes": list(boxes.values()),
            "columns": placed_columns, "edges": placed_edges,
            "captions": placed_captions}  # fmt: skip


def _centres(widths: list[float], gaps: list[float]) -> list[float]:
    centres, x = [], 0.0
    for i, w in enumerate(widths):
        centres.append(x + w / 2)
        x += w + (gaps[i] if i < len(gaps) else 0.0)
    return centres


def _span(caption: Caption, centres: list[float]) -> float:
    """The x of a caption's centre: the middle of its columns."""
    xs = [centres[i] for i in caption.columns]
    return (min(xs) + max(xs)) / 2


def _placed(box: Box, x: float, y: float, column: int) -> dict[str, Any]:
    item = {"id": box.id, "kind": box.kind, "label": box.label, "x": round(x, 2),
            "y": round(y, 2), "w": round(box.w, 2), "h": round(box.h, 2), "fill": box.fill,
            "text": box.text, "title": box.title, "column": column, **box.data}  # fmt: skip
    if box.map:
        item["map"] = box.map
        item["map_size"] = box.map_size
    return item


# -- SVG -------------------------------------------------------------------------------

def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _text(x: float, y: float, text: str, size: float = FONT, anchor: str = "middle",
          colour: str = TEXT, bold: bool = False) -> str:  # fmt: skip
    """A line of text whose visual middle is at y (the baseline 0.35 em lower)."""
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.2f}" y="{y + 0.35 * size:.2f}" font-size="{size}" '
            f'text-anchor="{anchor}" fill="{colour}"{weight}>{_e(text)}</text>')


def _box_svg(b: dict[str, Any]) -> list[str]:
    x0, y0 = b["x"] - b["w"] / 2, b["y"] - b["h"] / 2
    out = [f'<g id="{_e(b["id"])}" class="node {b["kind"]}">']
    if b["title"]:
        out.append(f"<title>{_e(b['title'])}</title>")
    if b["kind"] == "more":
        out.append(_text(b["x"], b["y"], b["label"]))
        out.append("</g>")
        return out
    radius = b["h"] / 2 if b["kind"] in ("input", "max") and not b.get("map") else 6
    out.append(f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{b["w"]:.2f}" height="{b["h"]:.2f}" '
               f'rx="{radius:.2f}" fill="{b["fill"]}" stroke="{OUTLINE}" stroke-width="1"/>')
    if b.get("map"):
        size = b["map_size"]
        mx, my = x0 + (b["h"] - size) / 2, b["y"] - size / 2
        out.append(f'<image class="map" x="{mx:.2f}" y="{my:.2f}" width="{size}" height="{size}" '
                   f'preserveAspectRatio="none" xlink:href="{b["map"]}"/>')
        out.append(f'<rect x="{mx:.2f}" y="{my:.2f}" width="{size}" height="{size}" fill="none" '
                   f'stroke="{OUTLINE}" stroke-width="0.5"/>')
        label_x = (mx + size + x0 + b["w"]) / 2
        out.append(_text(label_x, b["y"], b["label"], colour=b["text"]))
    else:
        out.append(_text(b["x"], b["y"], b["label"], colour=b["text"]))
    out.append("</g>")
    return out


def _spaced(ticks: list, length: float) -> list:
    """The [position, label] ticks of a bar ``length`` px long that can be read: a tick
    whose label would come within 10 px of the one before is left out, except the last,
    which displaces it.  (The first label starts at its tick, the last ends at it, the
    others are centred on theirs, as :func:`_legend_svg` draws them.)"""
    kept: list = []

    def extent(tick: list) -> tuple[float, float]:
        width, at = text_width(tick[1], FONT), length * tick[0]
        if tick[0] == 0:
            return at, at + width
        return (at - width, at) if tick[0] == 1 else (at - width / 2, at + width / 2)

    def clear(a: list, b: list) -> bool:
        return extent(b)[0] - extent(a)[1] >= 10

    for k, tick in enumerate(ticks):
        if not kept or clear(kept[-1], tick):
            kept.append(tick)
        elif k == len(ticks) - 1 and len(kept) > 1:
            kept[-1] = tick
    return kept


def _legend_svg(item: dict[str, Any]) -> list[str]:
    x, y, kind = item["x"], item["y"] + 10, item["kind"]
    out = [f'<g class="legend-item {kind}">']
    if kind == "line":
        out.append(f'<line x1="{x:.2f}" y1="{y:.2f}" x2="{x + 30:.2f}" y2="{y:.2f}" '
                   f'stroke="{item["colour"]}" stroke-width="{item.get("width", 2.5)}"/>')
        x += 38
    elif kind == "box":
        out.append(f'<rect x="{x:.2f}" y="{y - 9:.2f}" width="22" height="18" rx="4" '
                   f'fill="{item["colour"]}" stroke="{OUTLINE}"/>')
        if item.get("sample"):
            out.append(_text(x + 11, y, item["sample"], size=FONT - 1))
        x += 30
    elif kind == "bar":
        stops = item["stops"]
        step = 180 / len(stops)
        for k, colour in enumerate(stops):
            out.append(f'<rect x="{x + k * step:.2f}" y="{y - 8:.2f}" width="{step + 0.5:.2f}" '
                       f'height="14" fill="{colour}"/>')
        out.append(f'<rect x="{x:.2f}" y="{y - 8:.2f}" width="180" height="14" fill="none" '
                   f'stroke="{OUTLINE}" stroke-width="0.5"/>')
        kept = _spaced(item.get("ticks", []), 180)
        for t, tick in kept:
            anchor = "start" if t == 0 else "end" if t == 1 else "middle"
            out.append(_text(x + 180 * t, y + 16, tick, anchor=anchor))
        x += 188
    out.append(_text(x, y, item["label"], anchor="start"))
    out.append("</g>")
    return out


def svg(layout: dict[str, Any]) -> str:
    """The picture described by ``layout`` (from :func:`lay_out`) as an SVG document."""
    width, height = layout["width"], layout["height"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'class="chaingrad-network" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']  # fmt: skip
    if layout["title"]:
        t = layout["title"]
        out.append(f'<g class="title">{_text(t["x"], t["y"], t["text"], FONT + 3, bold=True)}</g>')
    out.append('<g class="legend">')
    for item in layout["legend"]:
        out += _legend_svg(item)
    out.append('</g>\n<g class="edges" fill="none">')
    for e in layout["edges"]:
        title = f"<title>{_e(e['title'])}</title>" if e.get("title") else ""
        out.append(f'<g id="{_e(e["id"])}" class="edge">{title}<path d="M{e["x1"]},{e["y1"]} '
                   f'L{e["x2"]},{e["y2"]}" stroke="{e["colour"]}" '
                   f'stroke-width="{e["width"]}" stroke-opacity="0.85"/></g>')
    out.append('</g>\n<g class="nodes">')
    for b in layout["boxes"]:
        out += _box_svg(b)
    out.append('</g>\n<g class="captions">')
    for c in layout["captions"]:
        out.append(f'<g id="{_e(c["id"])}" class="caption">')
        for i, line in enumerate(c["lines"]):
            out.append(_text(c["x"], c["y"] + i * layout["line"], line, FONT + (i == 0),
                             bold=i == 0))  # fmt: skip
        out.append("</g>")
    out.append("</g>\n</svg>\n")
    return "\n".join(out)
