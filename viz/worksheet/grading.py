"""The grader: a key, a CSV of answers, a score and feedback per student.

Answers are a CSV with the header ``student,problem,node,value`` (one row per asked
gradient; the node as labelled on the sheet); fields may also be separated by ``;``, as
a spreadsheet in a Brazilian locale saves them, and values may use a decimal comma.
The CSVs written for a class in Portuguese are that spreadsheet's own: ``;`` between
fields, the header ``aluno;problema;nó;valor``, decimal commas (the ``worksheet``
section of the language tables); either header is read back.
An answer is right when it :func:`~viz.worksheet.compare.matches` the key; a
wrong one is explained by the first slip of the key whose value it matches (see
:mod:`viz.worksheet.keys`).
A blank value or a missing row is an unanswered question.

Every CSV written here is safe to open in a spreadsheet: a text cell that a spreadsheet
would run as a formula (a student named ``=HYPERLINK(...)``) is written with a quote
before it (:func:`spreadsheet_text`), and reading a CSV takes that quote off again.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

from autograd import OPS
from autograd.files import parse_json

from ..i18n import LANGS, text
from .compare import ATOL, RTOL, matches
from .keys import FORMAT
from .roster import WorksheetError

COLUMNS = ("student", "problem", "node", "value")
SCORE_COLUMNS = ("student", "correct", "total", "score")


def _header(lang: str, columns: tuple[str, ...]) -> list[str]:
    """The columns' names in ``lang`` (the tables' ``worksheet.column_*``)."""
    return [text(lang, f"worksheet.column_{name}") for name in columns]


# an answers CSV's header may be in any language chaingrad speaks
_ANSWER_HEADERS = {tuple(h.casefold() for h in _header(lang, COLUMNS)) for lang in LANGS}
Question = tuple[str, int, str]  # (student, problem, node)

SLIPS = ("sign", "paths", "swap")  # the kinds of slip a key names (see .keys)


@dataclass
class Verdict:
    """One student's result: right answers out of the questions, and what went wrong."""

    student: str
    correct: int = 0
    total: int = 0
    feedback: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _fail(source: str, where: str, message: str) -> WorksheetError:
    return WorksheetError(f"{source} {where}: {message}" if where else f"{source}: {message}")


def load_key(text: str, source: str = "key") -> dict[str, Any]:
    """A key written by the worksheet generator, checked; WorksheetError if it is not one."""
    try:
        key = parse_json(text, source)
    except ValueError as error:
        raise WorksheetError(str(error)) from None
    if not isinstance(key, dict) or key.get("format") != FORMAT:
        raise _fail(source, "", f"not a worksheet key (no \"format\": \"{FORMAT}\")")
    answers = key.get("answers")
    if not isinstance(answers, list) or not answers:
        raise _fail(source, "", "the key has no \"answers\" list")
    for number, row in enumerate(answers, start=1):
        ok = (isinstance(row, dict) and isinstance(row.get("student"), str)
              and type(row.get("problem")) is int and isinstance(row.get("node"), str)
              and type(row.get("value")) in (int, float))  # fmt: skip
        if not ok:
            raise _fail(source, f"answer {number}", f"expected {{student, problem, node, "
                        f"value}}, got {json.dumps(row)[:80]}")  # fmt: skip
    return key


def questions(key: dict[str, Any]) -> dict[Question, float]:
    """(student, problem, node) → the expected gradient, in the key's order."""
    return {(r["student"], r["problem"], r["node"]): float(r["value"]) for r in key["answers"]}


def _slips(key: dict[str, Any]) -> dict[Question, list[dict[str, Any]]]:
    """(student, problem, node) → the key's slips for it; a key without them (or with a
    malformed entry) still grades, just without naming slips."""
    found = {}
    problems = key.get("problems")
    for entry in problems if isinstance(problems, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("nodes"), list):
            continue
        for node in entry["nodes"]:
            slips = node.get("slips") if isinstance(node, dict) else None
            if isinstance(slips, list):
                usable = [s for s in slips if isinstance(s, dict) and s.get("kind") in SLIPS
                          and type(s.get("value")) in (int, float)]  # fmt: skip
                found[(entry.get("student"), entry.get("problem"), node.get("node"))] = usable
    return found


def parse_number(text: str) -> float:
    """A decimal number as written by hand: ``-0.25``, ``-0,25`` or ``1e-3``;
    ValueError for anything else, NaN or infinity."""
    text = text.strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as written in Brazil
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is not a finite number")
    return number


def read_answers(
    text: str, key: dict[str, Any], source: str = "answers"
) -> dict[Question, float | None]:
    """The answers of a CSV, each checked against the key; None for a blank value.

    WorksheetError naming the line for a wrong header, a row that is not four fields,
    a student, problem or node that the key does not have, a repeated question or a
    value that is not a number."""
    asked: dict[tuple[str, int], list[str]] = {}  # (student, problem) -> its nodes
    for s, p, n in questions(key):
        asked.setdefault((s, p), []).append(n)
    students = {s for s, _ in asked}
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    # Excel in a Brazilian locale saves CSVs with ';' between fields (and decimal commas)
    delimiter = ";" if first.count(";") == len(COLUMNS) - 1 and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None or tuple(h.strip().casefold() for h in header) not in _ANSWER_HEADERS:
        raise _fail(source, "line 1", f"the header must be {','.join(COLUMNS)}, got "
                    f"{','.join(header or [])!r}")  # fmt: skip
    answers: dict[Question, float | None] = {}
    first_line: dict[Question, int] = {}
    for row in reader:
        where = f"line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise _fail(source, where, f"expected 4 fields ({','.join(COLUMNS)}), got {len(row)}")
        student, problem_text, node, value_text = (from_spreadsheet(cell.strip()) for cell in row)
        if student not in students:
            raise _fail(source, where, f"student {student!r} is not in the key")
        try:
            problem = int(problem_text)
        except ValueError:
            raise _fail(source, where, f"the problem {problem_text!r} is not a number") from None
        nodes = asked.get((student, problem), [])
        if not nodes:
            raise _fail(source, where, f"{student} has no problem {problem} in the key")
        if not node:
            raise _fail(source, where, "the node is blank")
        if node not in nodes:
            raise _fail(source, where, f"problem {problem} of {student} has no node {node!r} "
                        f"(it asks for {', '.join(nodes)})")  # fmt: skip
        question = (student, problem, node)
        if question in first_line:
            raise _fail(source, where, f"{student}, problem {problem}, node {node} is already "
                        f"answered on line {first_line[question]}")  # fmt: skip
        first_line[question] = reader.line_num
        try:
            answers[question] = parse_number(value_text) if value_text else None
        except ValueError:
            raise _fail(source, where, f"the value {value_text!r} is not a number") from None
    return answers


def _shown(x: float, lang: str) -> str:
    """A number in feedback, with ``lang``'s decimal separator (1,0000 in pt-BR)."""
    shown = f"{x + 0.0:.4f}"  # + 0.0 turns -0.0 into 0.0: "0.0000", not "-0.0000"
    return shown.replace(".", text(lang, "worksheet.decimal_separator"))


def grade(
    key: dict[str, Any],
    answers: dict[Question, float | None],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    lang: str = "en",
) -> list[Verdict]:
    """Each student's verdict, in the key's order; a wrong answer's feedback names the
    node, the expected value and the likely slip when one of the key's slips matches."""
    slips = _slips(key)
    verdicts: dict[str, Verdict] = {}
    for question, expected in questions(key).items():
        student, problem, node = question
        verdict = verdicts.setdefault(student, Verdict(student))
        verdict.total += 1
        given = answers.get(question)
        if given is not None and matches(given, expected, rtol, atol):
            verdict.correct += 1
            continue
        fields = dict(problem=problem, node=node, expected=_shown(expected, lang))
        if given is None:
            verdict.feedback.append(text(lang, "worksheet.blank", **fields))
            continue
        line = text(lang, "worksheet.wrong", **fields, given=_shown(given, lang))
        slip = next((s for s in slips.get(question, []) if matches(given, s["value"], rtol, atol)),
                    None)  # fmt: skip
        if slip is not None:
            rule = slip.get("rule") or (OPS[slip["op"]].doc if slip.get("op") in OPS else "")
            try:
                line += " \u2014 " + text(lang, f"worksheet.slip_{slip['kind']}",
                                           **{**slip, "rule": rule})  # fmt: skip
            except KeyError:  # a hand-edited key: a slip without its fields
                pass
        verdict.feedback.append(line)
    return list(verdicts.values())


def report(verdicts: list[Verdict], lang: str = "en") -> str:
    """The grader's printout: per student the score, then one line per wrong answer."""
    lines = []
    for v in verdicts:
        lines.append(text(lang, "worksheet.score", student=v.student, correct=v.correct,
                               total=v.total, percent=100 * v.score))  # fmt: skip
        lines += [f"  - {line}" for line in v.feedback]
    return "\n".join(lines)


# OWASP's rule against CSV injection: a cell starting with one of these is a formula to a
# spreadsheet, and a quote before it makes it text.  A cell starting with the quote itself
# gets one more, so that taking one off when reading restores every cell as it was.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED = (*FORMULA_STARTS, "'")


def spreadsheet_text(cell: str) -> str:
    """``cell`` as a spreadsheet shows it but never runs it: with a ``'`` before a leading
    ``=``, ``+``, ``-``, ``@``, tab, carriage return or ``'``."""
    return "'" + cell if cell.startswith(_QUOTED) else cell


def from_spreadsheet(cell: str) -> str:
    """The text that :func:`spreadsheet_text` wrote as ``cell``: its added quote taken off
    (a cell it did not change, such as ``-0.25`` typed by hand, stays as it is)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_QUOTED) else cell


def _csv(rows: list[list[Any]], lang: str = "en") -> str:
    """The rows as CSV with ``lang``'s field separator (``;`` in pt-BR, as its
    spreadsheets save them), every text cell made safe (:func:`spreadsheet_text`);
    numbers are written as numbers."""
    out = io.StringIO()
    separator = text(lang, "worksheet.csv_separator")
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(
        [spreadsheet_text(cell) if isinstance(cell, str) else cell for cell in row] for row in rows
    )
    return out.getvalue()


def scores_csv(verdicts: list[Verdict], lang: str = "en") -> str:
    """``student,correct,total,score`` (score from 0 to 1, 4 decimals), in ``lang``:
    ``aluno;acertos;total;nota`` with a decimal comma in pt-BR."""
    point = text(lang, "worksheet.decimal_separator")
    return _csv([_header(lang, SCORE_COLUMNS)] + [
        [v.student, v.correct, v.total, f"{v.score:.4f}".replace(".", point)]
        for v in verdicts], lang)  # fmt: skip


def template_csv(key: dict[str, Any]) -> str:
    """The answers CSV to fill in, in the key's language: every question of the key
    with an empty value."""
    lang = key.get("lang") if key.get("lang") in LANGS else "en"
    return _csv([_header(lang, COLUMNS)] + [[s, p, n, ""] for s, p, n in questions(key)],
                lang)  # fmt: skip
