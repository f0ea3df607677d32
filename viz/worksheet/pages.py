"""The printable pages: a student's sheet and its answer key, as self-contained HTML.

Each page prints on A4 portrait (``@page``).  A problem is one box that is never split
across printed pages and that opens with the student's name, so the name is on every
printed page, of the sheet and of the key.  A page loads nothing: the graphs are inline
SVG from the embedded Graphviz (the same bytes on every machine, so the same seed gives
the same files).  The student's graph shows every value and leaves blank the grad box of
every node that has a gradient, but L's (the seed, 1); a constant (an exponent) has none.
The key fills them in and lists, for each asked node, how its gradient arrives: one term
per use of the node, upstream gradient × local derivative, with the rule written out as
the step-through writes it.  Every phrase comes from the ``worksheet`` section of the
language tables (:mod:`viz.i18n`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from autograd import topological_order

from ..graph import draw_dot
from ..i18n import text
from ..labels import number
from ..pages import inline_svg, svg_size
from .problems import OUTPUT, Problem, gradients

# The room a graph gets on an A4 portrait page: the width inside a problem's box, and a
# height that leaves room for the problem's text (the key's table is longer).
GRAPH_WIDTH_MM = 176
GRAPH_HEIGHT_MM = {"sheet": 140, "key": 100}


STYLE = """
@page { size: A4 portrait; margin: 12mm; }
body { font-family: Helvetica, Arial, sans-serif; color: #111827; margin: 0 auto;
       max-width: 186mm; font-size: 10.5pt; }
header { border-bottom: 1px solid #9ca3af; margin-bottom: 3mm; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
.name { font-size: 12pt; margin: 0 0 1mm; }
.intro { color: #374151; margin: 0 0 3mm; }
section.problem { break-inside: avoid; page-break-inside: avoid; margin-bottom: 4mm;
                  border: 1px solid #d1d5db; border-radius: 2mm; padding: 1mm 4mm 2mm; }
.head { display: flex; justify-content: space-between; align-items: baseline; gap: 4mm; }
.who { color: #374151; }
h2 { font-size: 12pt; margin: 1mm 0; }
.expression { font-family: "DejaVu Sans Mono", monospace; font-size: 11pt; margin: 1mm 0; }
.steps { font-family: "DejaVu Sans Mono", monospace; columns: 56mm; margin: 1mm 0 2mm;
         padding-left: 6mm; }
.graph svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
table { border-collapse: collapse; margin-top: 2mm; font-size: 9.5pt; }
th, td { border: 1px solid #9ca3af; padding: 0.4mm 2mm; text-align: left; }
td:nth-child(-n+2) { white-space: nowrap; }
.questions { display: flex; flex-wrap: wrap; gap: 1mm 6mm; margin-top: 2mm; }
.question { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; }
.question span { display: inline-block; width: 28mm; border-bottom: 1px solid #111827;
                 height: 6mm; }
.rule { color: #4b5563; font-size: 8.5pt; }
.seed { color: #6b7280; font-size: 8pt; margin: 1mm 0 0; }
@media print {
  body { max-width: none; }
  section.problem { border-color: #9ca3af; }
}
"""
STYLE += "".join(f".{kind} .graph svg {{ max-height: {mm}mm; }}\n"
                 for kind, mm in GRAPH_HEIGHT_MM.items())  # fmt: skip


def _t(lang: str, key: str, **fields: object) -> str:
    """A phrase of the worksheet section in ``lang``, escaped for HTML."""
    return escape(text(lang, f"worksheet.{key}", **fields))


def _scale(svg: str, height_mm: float) -> float:
    """How much a page shrinks ``svg`` to fit its room (1: not at all)."""
    width, height = svg_size(svg)
    return min(1.0, GRAPH_WIDTH_MM / 25.4 * 72 / width, height_mm / 25.4 * 72 / height)


def _svg(problem: Problem, grads: dict[str, float] | None, height_mm: float) -> str:
    """The problem's graph as inline SVG: ``grads`` filled in, or blank boxes but L's.

    Drawn both top to bottom (one line a box, wide enough to write in) and left to right
    (fields stacked: better for a network's wide layers); the one a page shrinks less."""
    nodes = problem.build()
    root = nodes[OUTPUT]
    order = topological_order(root)
    if grads is None:  # every gradient is left to find but L's; a constant has none
        shown = {root: 1.0}
        blank = [node for node in order if node is not root and node.requires_grad]
    else:
        shown = {node: grads[node.label] for node in order if node.requires_grad and node.label}
        blank = []
    drawn = []
    for layout in ({"rankdir": "TB"}, {"rankdir": "LR", "stacked": True}):
        graph = draw_dot(root, grads=shown, blank=blank, legend=False, **layout)
        graph.attr(ranksep="0.15", nodesep="0.1")  # tight: the graph must fit a printed page
        # The embedded Graphviz, also with a system one: the same SVG on every machine.
        drawn.append(inline_svg(graph.source, backend="embedded"))
    return max(drawn, key=lambda svg: _scale(svg, height_mm))  # the first on a tie


def _page(lang: str, title: str, student: str, level: int, body: list[str]) -> str:
    """The whole page: a header with the title and the student's name, then ``body``."""
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{escape(title)} \u2014 {escape(student)}</title>", f"<style>{STYLE}</style>",
        "</head>", "<body>", "<header>",
        f"<h1>{escape(title)} ({_t(lang, 'level', level=level)})</h1>",
        f'<p class="name">{_t(lang, "student")}: <strong>{escape(student)}</strong></p>',
        "</header>",
        *body, "</body>", "</html>", "",
    ])  # fmt: skip


def _problem_head(lang: str, student: str, number_: int, problem: Problem) -> list[str]:
    """The problem's number beside the student's name (so every printed page has it),
    its formula and its forward steps."""
    steps = "".join(f"<li>{escape(line)}</li>" for line in problem.equations())
    return [f'<div class="head"><h2>{_t(lang, "problem", n=number_)}</h2>'
            f'<span class="who">{escape(student)}</span></div>',
            f'<p class="expression">{escape(problem.expression())}</p>',
            f'<ol class="steps" aria-label="{_t(lang, "steps")}">{steps}</ol>']  # fmt: skip


def student_page(
    student: str, level: int, lang: str, problems: list[tuple[int, Problem]]
) -> str:
    """The sheet a student fills in: per problem the formula, the forward steps, the
    graph with blank grad boxes and one line per asked gradient."""
    body = [f'<p class="intro">{_t(lang, "intro")}</p>']
    for n, problem in problems:
        questions = "".join(
            f'<div class="question">\u2202L/\u2202{escape(name)} = <span></span></div>'
            for name in problem.asked
        )
        body += ['<section class="problem sheet">', *_problem_head(lang, student, n, problem),
                 f'<div class="graph">{_svg(problem, None, GRAPH_HEIGHT_MM["sheet"])}</div>',
                 f'<div class="questions">{questions}</div>',
                 f'<p class="seed">{_t(lang, "seed", seed=problem.seed)}</p>',
                 "</section>"]  # fmt: skip
    return _page(lang, text(lang, "worksheet.title"), student, level, body)


def _term(term: dict[str, Any]) -> str:
    return (f"{number(term['upstream'])} \u00d7 {number(term['local'])} "
            f"<span class=\"rule\">(\u2202L/\u2202{escape(term['via'])} \u00d7 "
            f"{escape(term['rule'])})</span>")  # fmt: skip


def key_page(
    student: str, level: int, lang: str, problems: list[tuple[int, Problem, list[dict[str, Any]]]]
) -> str:
    """The answer key of a student's sheet: the graphs with every gradient, and per asked
    node its value and its terms (``entries`` from :func:`viz.worksheet.problem_key`)."""
    title = f"{text(lang, 'worksheet.key_title')}: {text(lang, 'worksheet.title')}"
    body, height = [], GRAPH_HEIGHT_MM["key"]
    for n, problem, entries in problems:
        rows = "".join(
            f"<tr><td>\u2202L/\u2202{escape(e['node'])}</td><td>{number(e['grad'])}</td>"
            f"<td>{' + '.join(map(_term, e['terms']))}</td></tr>"
            for e in entries
        )
        body += ['<section class="problem key">', *_problem_head(lang, student, n, problem),
                 f'<div class="graph">{_svg(problem, gradients(problem), height)}</div>',
                 f"<table><thead><tr><th>{_t(lang, 'node')}</th><th>\u2202L/\u2202\u00b7</th>"
                 f"<th>{_t(lang, 'how')}</th></tr></thead><tbody>{rows}</tbody></table>",
                 f'<p class="seed">{_t(lang, "seed", seed=problem.seed)}</p>',
                 "</section>"]  # fmt: skip
    return _page(lang, title, student, level, body)
