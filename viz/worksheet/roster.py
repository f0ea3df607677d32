"""A class: the roster (one student a line) and each student's problems.

A student's problems depend on the class seed, the student's name and the problem's
number only, so adding a student to the roster changes nobody else's sheet.  How many
gradients problem k asks depends on the class seed and k alone: every sheet of a class
asks for as many answers.
"""

from __future__ import annotations

import hashlib
import random

from .problems import ASKED, Problem, check_level, generate_problem

# A first line that is one of these (any case, with or without a colon) is the roster's
# header, as a spreadsheet's name column exports it, and not a student.
HEADERS = frozenset({
    "name", "names", "full name", "student", "students", "student name", "learner",
    "nome", "nomes", "nome completo", "aluno", "alunos", "aluna", "alunas", "aluno(a)",
    "alunos(as)", "nome do aluno", "nome do(a) aluno(a)", "estudante", "estudantes",
})  # fmt: skip


class WorksheetError(ValueError):
    """Bad input to a worksheet command (a roster, key or answers file), naming the line."""


def _is_header(line: str) -> bool:
    return line.strip().strip("\"'").rstrip(":").strip().casefold() in HEADERS


def read_roster(text: str, source: str = "roster") -> list[str]:
    """The names of a roster, one a line (surrounding spaces dropped, blank lines at the
    end ignored, a header line such as ``name`` or ``nome`` skipped); WorksheetError
    naming the line for a blank or repeated name."""
    lines = text.removeprefix("\ufeff").rstrip().splitlines()
    names: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if number == 1 and _is_header(line):
            continue
        name = " ".join(line.split())
        if not name:
            raise WorksheetError(f"{source} line {number}: the name is blank")
        if name.casefold() in first_line:
            raise WorksheetError(f"{source} line {number}: {name!r} is already on line "
                                 f"{first_line[name.casefold()]}")  # fmt: skip
        first_line[name.casefold()] = number
        names.append(name)
    if not names:
        raise WorksheetError(f"{source}: no names (write one student name a line)")
    return names


def problem_seed(seed: int, student: str, number: int) -> int:
    """The seed of a student's problem ``number``: a hash of the three, same everywhere."""
    digest = hashlib.sha256(f"{seed}\n{student}\n{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def asked_counts(seed: int, level: int, count: int) -> list[int]:
    """How many gradients problems 1..``count`` of a class ask for: drawn from the class
    seed and the problem's number, the same for every student."""
    choices = ASKED[check_level(level)]
    return [random.Random(f"{seed}/{level}/{number}").choice(choices)
            for number in range(1, count + 1)]  # fmt: skip


def class_problems(
    students: list[str], level: int, count: int, seed: int
) -> list[tuple[str, int, Problem]]:
    """(student, problem number from 1, problem) for ``count`` problems per student."""
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"the number of problems must be a positive integer, not {count!r}")
    sizes = asked_counts(seed, level, count)
    return [(student, number, generate_problem(problem_seed(seed, student, number), level, asked))
            for student in students
            for number, asked in enumerate(sizes, start=1)]  # fmt: skip
