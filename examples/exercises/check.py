"""Check the derivatives of the exercises with finite differences.

    python check.py               # your answers in exercises.py
    python check.py --solutions   # the worked answers
    python check.py path/to/file.py   # any file with the same functions (e.g. a student's)

Each ``<name>_backward`` becomes the backward of a custom op (``autograd.custom_op``)
whose forward is the task's function; ``autograd.gradcheck`` then computes central
differences (f(x + eps) - f(x - eps)) / (2 eps) at every point of the task, and each of
your partials is compared with them by ``viz.worksheet.matches``, the comparison
the worksheet grader uses (here at gradcheck's tolerances).
Exit status 0 when every exercise passes.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tasks import TASKS, Task

from autograd import GradcheckReport, custom_op, gradcheck_report
from viz.worksheet import matches

HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    """The outcome of one exercise: status is PASS, FAIL, not implemented yet, or error."""

    task: Task
    status: str
    detail: str = ""
    report: GradcheckReport | None = None


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _point_text(point: tuple[float, ...]) -> str:
    return "(" + ", ".join(f"{x:g}" for x in point) + ")"


def _input_names(backward: Callable[..., Any], n_inputs: int) -> list[str]:
    """The names of ``backward``'s inputs (``z``, ``w1``, ...), or x0, x1, ... if unknown."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        parameters = inspect.signature(backward).parameters.values()
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in positional]
    return names if len(names) == n_inputs else [f"x{i}" for i in range(n_inputs)]


def check_task(task: Task, module: ModuleType) -> Result:
    """Run gradcheck of the module's backward for ``task`` at each of its points."""
    backward = getattr(module, task.backward_name, None)
    if backward is None:
        return Result(task, "missing", f"define {task.backward_name} in {module.__name__}.py")
    op = custom_op(f"your_{task.name}", task.forward, backward)
    for point in task.points:
        try:
            report = gradcheck_report(op, point)
        except NotImplementedError:
            where = Path(module.__file__).name
            return Result(task, "not implemented yet", f"write {task.backward_name} in {where}")
        except Exception as error:  # a learner's bug: report it, no traceback
            detail = f"at {_point_text(point)}: {type(error).__name__}: {error}"
            return Result(task, "error", detail)
        # the worksheet grader's comparison, at gradcheck's tolerances
        wrong = [(i, row) for i, row in enumerate(report.rows)
                 if not matches(row.analytic, row.numeric, rtol=row.rtol, atol=row.atol)]
        if wrong:
            i, row = wrong[0]
            name = _input_names(backward, len(point))[i]
            detail = (
                f"at {_point_text(point)}: d/d{name} yours {row.analytic:.8g}, "
                f"numeric {row.numeric:.8g}"
            )
            return Result(task, "FAIL", detail, report)
    return Result(task, "PASS", f"{len(task.points)} points")


def table(results: list[Result]) -> str:
    """A pass/fail table, one row per exercise."""
    rows = [("exercise", "function", "status", "detail")] + [
        (r.task.name, r.task.formula, r.status, r.detail) for r in results
    ]
    widths = [max(len(row[k]) for row in rows) for k in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3] for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--solutions", action="store_true", help="check solutions.py")
    group.add_argument("file", nargs="?", type=Path, help="the answers (default exercises.py)")
    args = parser.parse_args(argv)
    path = HERE / "solutions.py" if args.solutions else args.file or HERE / "exercises.py"
    if path.suffix != ".py" or not path.is_file():
        parser.error(f"{path} is not a Python file")
    try:
        module = _load(path)
    except Exception as error:  # e.g. a SyntaxError in the answers: say where, briefly
        print(f"Could not load {path.name}: {type(error).__name__}: {error}")
        return 2
    results = [check_task(task, module) for task in TASKS]
    print(f"Checking {path.name} with autograd.gradcheck\n")
    print(table(results))
    for result in results:
        if result.report is not None:
            print(f"\n{result.task.name}:\n{result.report}")
    done = sum(r.status == "PASS" for r in results)
    print(f"\n{done} of {len(results)} exercises pass.")
    return 0 if done == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
