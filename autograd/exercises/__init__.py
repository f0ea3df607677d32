"""Worksheets: seeded random backprop problems, answer keys and a grader (no pictures).

    >>> from autograd.exercises import generate_problem
    >>> problem = generate_problem(2026, level=1)
    >>> problem.expression()
    'L = b · c + a + c'

The printable pages and the command line are :mod:`viz.worksheet`'s.
"""

from .compare import ATOL, RTOL, matches
from .grading import Verdict, grade, load_key, read_answers, report, scores_csv, template_csv
from .keys import answer_key, problem_key
from .problems import LEVELS, OUTPUT, GenerationError, Problem, Step, generate_problem, gradients
from .roster import WorksheetError, class_problems, problem_seed, read_roster
from .text import LANGS

__all__ = [
    "ATOL", "GenerationError", "LANGS", "LEVELS", "OUTPUT", "Problem", "RTOL", "Step",
    "Verdict", "WorksheetError", "answer_key", "class_problems", "generate_problem",
    "gradients", "grade", "load_key", "matches", "problem_key", "problem_seed", "read_answers",
    "read_roster", "report", "scores_csv", "template_csv",
]  # fmt: skip
