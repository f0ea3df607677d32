"""The exercises: solutions pass the checker, templates fail with a friendly message."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

EXERCISES = Path(__file__).resolve().parent.parent / "examples" / "exercises"
NAMES = ["squared_error", "sigmoid", "tanh", "softplus", "neuron_mse", "softmax_cross_entropy"]


def run_checker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(EXERCISES / "check.py"), *args],
        capture_output=True, text=True, timeout=60, cwd=EXERCISES.parent,
    )  # fmt: skip


def rows(output: str) -> dict[str, str]:
    """exercise name -> its table row."""
    return {line.split()[0]: line for line in output.splitlines() if line.split()[:1] in
            [[name] for name in NAMES]}  # fmt: skip


def test_worked_solutions_pass():
    done = run_checker("--solutions")
    assert done.returncode == 0, done.stdout + done.stderr
    table = rows(done.stdout)
    assert sorted(table) == sorted(NAMES)
    assert all(" PASS " in row for row in table.values())
    assert "6 of 6 exercises pass" in done.stdout


def test_templates_fail_with_the_friendly_message_not_a_traceback():
    done = run_checker()
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    table = rows(done.stdout)
    assert sorted(table) == sorted(NAMES)
    for name, row in table.items():
        assert "not implemented yet" in row and f"{name}_backward in exercises.py" in row
    assert "0 of 6 exercises pass" in done.stdout


STUDENT = '''
import math
from solutions import *  # noqa: F403 -- right answers, except:

def sigmoid_backward(z):
    return (math.exp(-z),)  # wrong: forgot to divide by (1 + e^-z)^2

def tanh_backward(z):
    return (1.0, 2.0)  # two partials for one input

def softplus_backward(z):
    return (1 / (z + 5),)  # divides by zero at z = -5
'''


@pytest.fixture
def student_file(tmp_path: Path) -> Path:
    path = tmp_path / "student.py"
    path.write_text(STUDENT)
    return path


def test_a_students_mistakes_are_reported_with_numbers(student_file: Path):
    done = run_checker(str(student_file))
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    table = rows(done.stdout)
    assert " PASS " in table["neuron_mse"] and " PASS " in table["squared_error"]
    # sigmoid at z = -3: yours e^3 = 20.085537, numeric s(1 - s) = 0.045176660
    assert "FAIL" in table["sigmoid"] and "yours 20.085537" in table["sigmoid"]
    assert "numeric 0.04517666" in table["sigmoid"]
    assert "error" in table["tanh"] and "2 partial derivative(s) for 1 input" in table["tanh"]
    assert "ZeroDivisionError" in table["softplus"]
    assert "gradcheck: 1 of 1 differ" in done.stdout  # the full report of the failure


def test_answers_that_do_not_load_are_reported_briefly(tmp_path: Path):
    broken = tmp_path / "broken.py"
    broken.write_text("def sigmoid_backward(z):\n    return (z,\n")
    done = run_checker(str(broken))
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert "Could not load broken.py: SyntaxError" in done.stdout


def test_a_failing_partial_is_named_as_in_the_learners_function(tmp_path: Path):
    answers = tmp_path / "answers.py"
    answers.write_text(
        "from solutions import neuron_mse_backward as right\n\n"
        "def neuron_mse_backward(w1, w2, w3, b):\n"
        "    d = right(w1, w2, w3, b)\n"
        "    return (d[0], 2 * d[1], d[2], d[3])  # wrong in w2 only\n"
    )  # fmt: skip
    done = run_checker(str(answers))
    assert "FAIL" in rows(done.stdout)["neuron_mse"]
    assert "d/dw2 yours" in rows(done.stdout)["neuron_mse"]


def test_the_checker_compares_with_the_worksheet_graders_function(monkeypatch):
    import importlib.util
    import types

    import viz.worksheet

    monkeypatch.syspath_prepend(str(EXERCISES))
    spec = importlib.util.spec_from_file_location("check", EXERCISES / "check.py")
    check = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "check", check)  # its dataclasses look it up there
    spec.loader.exec_module(check)
    assert check.matches is viz.worksheet.matches  # one comparison, not a copy
    task = next(t for t in check.TASKS if t.name == "tanh")
    calls = []

    def spy(given, expected, **tolerances):
        calls.append((given, expected))
        return viz.worksheet.matches(given, expected, **tolerances)

    monkeypatch.setattr(check, "matches", spy)
    answers = types.ModuleType("answers")
    answers.tanh_backward = lambda z: (1.0 - math.tanh(z) ** 2,)
    answers.__file__ = "answers.py"
    assert check.check_task(task, answers).status == "PASS"
    assert len(calls) == len(task.points)
