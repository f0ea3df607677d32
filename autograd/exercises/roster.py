"""A class: the roster (one student a line) and each student's problems.

A student's problems depend on the class seed, the student's name and the problem's
number only, so adding a student to the roster changes nobody else's sheet.
"""

from __future__ import annotations

import hashlib

from .problems import Problem, generate_problem


class WorksheetError(ValueError):
    """Bad input to a worksheet command (a roster, key or answers file), naming the line."""


def read_roster(text: str, source: str = "roster") -> list[str]:
    """The names of a roster, one a line (surrounding spaces dropped, blank lines at the
    end ignored); WorksheetError naming the line for a blank or repeated name."""
    lines = text.removeprefix("\ufeff").rstrip().splitlines()
    names: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
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


def class_problems(
    students: list[str], level: int, count: int, seed: int
) -> list[tuple[str, int, Problem]]:
    """(student, problem number from 1, problem) for ``count`` problems per student."""
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"the number of problems must be a positive integer, not {count!r}")
    return [(student, number, generate_problem(problem_seed(seed, student, number), level))
            for student in students for number in range(1, count + 1)]  # fmt: skip
