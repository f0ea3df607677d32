"""Backprop worksheets: seeded random problems, answer keys, printable pages and a grader.

    >>> from viz.worksheet import generate_problem
    >>> problem = generate_problem(2026, level=1)
    >>> problem.expression()
    'L = b · c + a + c'

- :mod:`~viz.worksheet.problems`: :func:`generate_problem` (a readable expression graph
  from a seed and a level); :mod:`~viz.worksheet.roster`: a class's roster and problems;
- :mod:`~viz.worksheet.keys`: :func:`answer_key` (every asked gradient, its terms and
  the slips that would miss it); :mod:`~viz.worksheet.grading`: a CSV of answers graded
  against the key; :func:`matches`: when an answer counts as right;
- :mod:`~viz.worksheet.pages`: the printable sheet and key of a student
  (:func:`student_page`, :func:`key_page`);
- :mod:`~viz.worksheet.cli`: the command line, ``chaingrad worksheet`` or
  ``python -m viz.worksheet`` (generate, ``grade KEY ANSWERS``, ``grade KEY --template
  blank.csv``).
"""

from .compare import ATOL, RTOL, matches
from .grading import Verdict, grade, load_key, read_answers, report, scores_csv, template_csv
from .keys import answer_key, problem_key
from .pages import key_page, student_page
from .problems import (
    ASKED,
    LEVELS,
    OUTPUT,
    GenerationError,
    Problem,
    Step,
    generate_problem,
    gradients,
)
from .roster import WorksheetError, asked_counts, class_problems, problem_seed, read_roster

__all__ = [
    "ASKED", "ATOL", "GenerationError", "LEVELS", "OUTPUT", "Problem", "RTOL", "Step",
    "Verdict", "WorksheetError", "answer_key", "asked_counts", "class_problems",
    "generate_problem", "gradients", "grade", "key_page", "load_key", "matches",
    "problem_key", "problem_seed", "read_answers", "read_roster", "report", "scores_csv",
    "student_page", "template_csv",
]  # fmt: skip
