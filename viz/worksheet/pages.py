"""The printable pages: a student's sheet and its answer key, as self-contained HTML.

Each page is A4 landscape (``@page``; the graphs run left to right), one problem a
printed page, and loads nothing: the graphs are inline SVG from the embedded Graphviz
(the same bytes on every machine, so the same seed gives the same files).  The
student's graph shows every value and leaves every grad box blank but L's (the seed,
1); the key fills them in and lists, for each asked node, how its gradient arrives: one
term per use of the node, upstream gradient × local derivative, with the op's rule
from the op table.
"""

from __future__ import annotations

from html import escape
from typing import Any

from autograd import topological_order
from autograd.exercises import OUTPUT, Problem, gradients
from autograd.exercises.text import translate

from ..graph import draw_dot
from ..labels import number
from ..pages import inline_svg

PHRASES = {
    "title": {"en": "Backpropagation worksheet", "pt-BR": "Folha de exercícios: retropropagação"},
    "key_title": {"en": "Answer key", "pt-BR": "Gabarito"},
    "level": {"en": "level {level}", "pt-BR": "nível {level}"},
    "student": {"en": "Student", "pt-BR": "Aluno(a)"},
    "intro": {"en": "For each problem: the forward pass is done (every box shows its data). "
                    "Run backward by hand: write dL/d(node) for every node listed, with 4 "
                    "decimals. L's gradient is 1.",
              "pt-BR": "Em cada problema o passo para a frente já está feito (cada caixa mostra "
                       "o seu valor). Faça a retropropagação à mão: escreva dL/d(nó) para cada "
                       "nó da lista, com 4 casas decimais. O gradiente de L é 1."},
    "problem": {"en": "Problem {n}", "pt-BR": "Problema {n}"},
    "steps": {"en": "Forward pass", "pt-BR": "Passo para a frente"},
    "node": {"en": "node", "pt-BR": "nó"},
    "how": {"en": "how (upstream × local, one term per use)",
            "pt-BR": "como (gradiente de cima × derivada local, um termo por uso)"},
    "rule": {"en": "rule", "pt-BR": "regra"},
    "seed": {"en": "problem seed {seed}", "pt-BR": "semente do problema {seed}"},
}  # fmt: skip

STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: Helvetica, Arial, sans-serif; color: #111827; margin: 0 auto;
       max-width: 273mm; font-size: 10.5pt; }
header { border-bottom: 1px solid #9ca3af; margin-bottom: 3mm; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
.name { font-size: 12pt; margin: 0 0 1mm; }
.intro { color: #374151; margin: 0 0 3mm; }
section.problem { break-inside: avoid; page-break-inside: avoid; margin-bottom: 5mm;
                  border: 1px solid #d1d5db; border-radius: 2mm; padding: 1mm 4mm 2mm; }
section.problem + section.problem { break-before: page; page-break-before: always; }
section.key { break-inside: auto; page-break-inside: auto; }
h2 { font-size: 12pt; margin: 1mm 0; }
.expression { font-family: "DejaVu Sans Mono", monospace; font-size: 11pt; margin: 1mm 0; }
.steps { font-family: "DejaVu Sans Mono", monospace; columns: 72mm; margin: 1mm 0 2mm;
         padding-left: 6mm; }
.graph { break-inside: avoid; page-break-inside: avoid; }
.graph svg { max-width: 100%; height: auto; max-height: 95mm; display: block; margin: 0 auto; }
table { border-collapse: collapse; margin-top: 2mm; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #9ca3af; padding: 0.6mm 2.5mm; text-align: left; }
.questions { display: flex; flex-wrap: wrap; gap: 1mm 6mm; margin-top: 2mm; }
.question { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; }
.question span { display: inline-block; width: 28mm; border-bottom: 1px solid #111827;
                 height: 6mm; }
.rule { color: #4b5563; font-size: 9pt; }
.seed { color: #6b7280; font-size: 8pt; }
@media print {
  body { max-width: none; }
  section.problem { border-color: #9ca3af; }
}
"""


def _t(lang: str, key: str, **fields: object) -> str:
    """A phrase of the pages in ``lang``, escaped for HTML."""
    return escape(translate(PHRASES, lang, key, **fields))


def _svg(problem: Problem, grads: dict[str, float] | None) -> str:
    """The problem's graph as inline SVG: ``grads`` filled in, or blank boxes but L's."""
    nodes = problem.build()
    root = nodes[OUTPUT]
    order = topological_order(root)
    if grads is None:
        shown, blank = {root: 1.0}, [node for node in order if node is not root]
    else:
        shown = {node: grads[node.label] for node in order if node.label}
        blank = [node for node in order if not node.label]  # constants: nothing to ask
    graph = draw_dot(root, grads=shown, blank=blank, stacked=True, legend=False)
    graph.attr(ranksep="0.15", nodesep="0.1")  # tight: the graph must fit a printed page
    # The embedded Graphviz, also when a system one exists: the same SVG on every machine.
    return inline_svg(graph.source, backend="embedded")


def _page(lang: str, title: str, student: str, level: int, body: list[str]) -> str:
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


def _problem_head(lang: str, number_: int, problem: Problem) -> list[str]:
    steps = "".join(f"<li>{escape(line)}</li>" for line in problem.equations())
    return [f"<h2>{_t(lang, 'problem', n=number_)}</h2>",
            f'<p class="expression">{escape(problem.expression())}</p>',
            f'<ol class="steps" aria-label="{_t(lang, "steps")}">{steps}</ol>']  # fmt: skip


def student_page(
    student: str, level: int, lang: str, problems: list[tuple[int, Problem]]
) -> str:
    """The sheet a student fills in: per problem the formula, the forward steps, the
    graph with blank grad boxes and one line per asked gradient."""
    title = translate(PHRASES, lang, "title")
    body = [f'<p class="intro">{escape(translate(PHRASES, lang, "intro"))}</p>']
    for n, problem in problems:
        questions = "".join(
            f'<div class="question">\u2202L/\u2202{escape(name)} = <span></span></div>'
            for name in problem.asked
        )
        body += ['<section class="problem">', *_problem_head(lang, n, problem),
                 f'<div class="graph">{_svg(problem, None)}</div>',
                 f'<div class="questions">{questions}</div>', "</section>"]  # fmt: skip
    return _page(lang, title, student, level, body)


def _term(term: dict[str, Any]) -> str:
    return (f"{number(term['upstream'])} \u00d7 {number(term['local'])} "
            f"<span class=\"rule\">(\u2202L/\u2202{escape(term['via'])} \u00d7 "
            f"{escape(term['op'])}: {escape(term['rule'])})</span>")  # fmt: skip


def key_page(
    student: str, level: int, lang: str, problems: list[tuple[int, Problem, list[dict[str, Any]]]]
) -> str:
    """The answer key of a student's sheet: the graphs with every gradient, and per asked
    node its value and its terms (``entries`` from :func:`autograd.exercises.problem_key`)."""
    title = f"{translate(PHRASES, lang, 'key_title')}: {translate(PHRASES, lang, 'title')}"
    body = []
    for n, problem, entries in problems:
        rows = "".join(
            f"<tr><td>\u2202L/\u2202{escape(e['node'])}</td><td>{number(e['grad'])}</td>"
            f"<td>{' + '.join(map(_term, e['terms']))}</td></tr>"
            for e in entries
        )
        body += ['<section class="problem key">', *_problem_head(lang, n, problem),
                 f'<div class="graph">{_svg(problem, gradients(problem))}</div>',
                 f"<table><thead><tr><th>{_t(lang, 'node')}</th><th>\u2202L/\u2202\u00b7</th>"
                 f"<th>{_t(lang, 'how')}</th></tr></thead><tbody>{rows}</tbody></table>",
                 f'<p class="seed">{_t(lang, "seed", seed=problem.seed)}</p>',
                 "</section>"]  # fmt: skip
    return _page(lang, title, student, level, body)
