"""The formula CLI: outputs, gradients, and refusals (one stderr line, exit 2, nothing done)."""

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd import functions as F
from viz.cli import main
from viz.formula import MAX_LENGTH, FormulaError, evaluate, parse


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_python_m_viz_prints_value_and_gradients_and_writes_files(tmp_path):
    svg, page = tmp_path / "graph.svg", tmp_path / "page.html"
    result = subprocess.run(
        [sys.executable, "-m", "viz", "tanh(x*w + b)", "x=0.5", "w=-1.5", "b=2",
         "-o", str(svg), "--html", str(page), "--rankdir", "TB"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    x, w, b = Value(0.5), Value(-1.5), Value(2.0)
    out = F.tanh(x * w + b)
    out.backward()
    lines = result.stdout.splitlines()
    assert lines[0] == f"tanh(x*w + b) = {out.data:.6g}"
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:6]}
    assert [float(v) for v in rows["x"]] == pytest.approx([0.5, x.grad], rel=1e-5)
    assert [float(v) for v in rows["w"]] == pytest.approx([-1.5, w.grad], rel=1e-5)
    assert [float(v) for v in rows["b"]] == pytest.approx([2.0, b.grad], rel=1e-5)
    assert "</svg>" in svg.read_text() and "rankdir" not in svg.read_text()
    assert "<script" in page.read_text()


def test_dot_output_and_list_arguments(capsys, tmp_path):
    path = tmp_path / "g.dot"
    code, out, err = run(capsys, "sum([x, y, x]) * dot([x, y], [1, 2]) + leaky_relu(-x, slope=0.2)",
                         "x=1", "y=2", "-o", str(path))  # fmt: skip
    assert code == 0, err
    assert out.startswith("sum([x, y, x]) * dot([x, y], [1, 2]) + leaky_relu(-x, slope=0.2) = 19.8")
    assert "label=dot" in path.read_text() and "label=leaky_relu" in path.read_text()


def test_lang_gives_the_page_and_the_legend_in_portuguese(capsys, tmp_path):
    svg, page = tmp_path / "g.svg", tmp_path / "g.html"
    code, _, err = run(capsys, "sigmoid(w*x + b)", "x=0.5", "w=0.4", "b=0.1", "-o", str(svg),
                       "--html", str(page), "--lang", "pt-BR")  # fmt: skip
    assert code == 0, err
    assert "legenda" in svg.read_text() and '<html lang="pt-BR">' in page.read_text()
    assert "modo reverso" in page.read_text() and "reverse mode" not in page.read_text()


REFUSALS = [
    (["x.__class__", "x=1"], "attribute access"),
    (["(lambda: 1)()"], "lambda"),
    (["__import__('os').system('echo hacked')"], "attribute access"),
    (["__import__('os')"], "unknown function '__import__'"),
    (["open('f')"], "unknown function 'open'"),
    (["x + y", "x=1"], "unknown variable 'y'"),
    (["x +", "x=1"], "syntax error"),
    (["x[0]", "x=1"], "indexing"),
    (["x if x else 1", "x=1"], "if-expression"),
    (["'text'"], "constant"),
    (["True + 1"], "constant"),
    (["x < 1", "x=1"], "comparison"),
    (["[x, x]", "x=1"], "list outside"),
    (["x // 2", "x=1"], "not allowed in a formula: the operator //"),
    (["x^2", "x=3"], "not allowed in a formula: the operator ^ (use ** for a power: x**2)"),
    (["~x", "x=3"], "not allowed in a formula: the operator ~"),
    (["1ifx", "x=1"], "syntax error at column 1: invalid decimal literal"),
    (["x / 0", "x=1"], "division by zero"),
    (["log(x)", "x=-1"], "domain"),
    (["2 ** 3 ** 1000"], "too large"),
    (["9" * 400], "too large"),
    (["x" + " + x" * (MAX_LENGTH // 4), "x=1"], "too long"),
    (["-" * 500 + "x", "x=1"], "unrecognized arguments"),
    (["--", "-" * 150 + "x", "x=1"], "nested too deeply"),
    (["(" * 300 + "x" + ")" * 300, "x=1"], "nest"),
    (["x", "x=abc"], "not a number"),
    (["x*w", "x=0,5", "w=2"], "x: '0,5' is not a number (use a point: 0.5)"),  # a decimal comma
    (["x", "x=1", "--lang", "pt"], "invalid choice"),
    (["x", "x=nan"], "NaN"),
    (["x", "1x=2"], "NAME=VALUE"),
    (["x", "x=1", "-o", "graph.jpeg"], "extension"),
    (["x", "x=1", "--rankdir", "UP"], "invalid choice"),
    (["exp(x, y)", "x=1", "y=1"], "cannot compute"),
    (["relu(x, alpha=x)", "x=1"], "keyword arguments must be numbers"),
]


@pytest.mark.parametrize(("argv", "reason"), REFUSALS)
def test_refusals_are_one_line_exit_2_and_write_nothing(capsys, tmp_path, monkeypatch, argv,
                                                        reason):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *([] if "-o" in argv else ["-o", "out.svg"]), *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    assert reason in err
    assert out == "" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["-o", "--html"])
def test_an_unwritable_output_is_refused_before_anything_is_written(capsys, tmp_path, option):
    other = {"-o": ["--html", str(tmp_path / "page.html")],
             "--html": ["-o", str(tmp_path / "g.svg")]}  # fmt: skip
    for target in (tmp_path / "missing" / "g.svg", tmp_path):
        code, out, err = run(capsys, "x * 2", "x=1", option, str(target), *other[option])
        assert code == 2 and err.count("\n") == 1 and "not a file in an existing folder" in err
        assert out == "" and list(tmp_path.iterdir()) == []


def test_refusal_through_python_m_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "viz", "__import__('os')"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown function '__import__'")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.parametrize("formula", ["1ifx", "0x1for", "'\\d'", "x^2"])
def test_pythons_own_parser_warnings_never_leak(formula):
    """Python warns about some texts while parsing them (SyntaxWarning: invalid decimal
    literal); the refusal is still the only line printed, even with every warning shown."""
    result = subprocess.run([sys.executable, "-X", "dev", "-W", "always", "-m", "viz", formula,
                             "x=1"], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Warning" not in result.stderr


def test_png_without_system_graphviz_is_a_one_line_refusal(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, out, err = run(capsys, "x * 2", "x=1", "-o", str(tmp_path / "g.png"))
    assert code == 2 and "apt-get install graphviz" in err and err.count("\n") == 1
    assert out == "" and not (tmp_path / "g.png").exists()


def test_formulas_never_reach_eval(monkeypatch):
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec/compile called")

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    out, variables = evaluate("exp(a) / (1 + b ** 2)", {"a": 0.0, "b": 1.0})
    assert out.data == 0.5 and list(variables) == ["a", "b"]
    with pytest.raises(FormulaError, match="unknown variable '__builtins__'"):
        evaluate("__builtins__", {})
    with pytest.raises(FormulaError, match="unknown function 'eval'"):
        parse("eval('1')")


# Random formulas over the allowed grammar, checked against building the same Values by hand.
leaf = st.sampled_from(["x", "y", "2", "0.5"])


def combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})")  # fmt: skip
    unary = st.tuples(st.sampled_from(["tanh", "sigmoid", "-"]), children).map(
        lambda t: f"{t[0]}({t[1]})")  # fmt: skip
    return binary | unary


formulas = st.recursive(leaf, combine, max_leaves=12)


def by_hand(text: str, x: Value, y: Value) -> Value:
    """The formula built directly with the engine (a tiny recursive-descent reader)."""
    text = text.strip()
    if text in ("x", "y"):
        return {"x": x, "y": y}[text]
    if text in ("2", "0.5"):
        return Value(float(text))
    if text.startswith("-("):
        return -by_hand(text[2:-1], x, y)
    name, _, rest = text.partition("(")
    inner = rest[:-1]
    if name:
        return {"tanh": F.tanh, "sigmoid": F.sigmoid}[name](by_hand(inner, x, y))
    depth = 0
    for i, char in enumerate(inner):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and char in "+-*" and inner[i - 1] == " ":
            left, right = by_hand(inner[:i], x, y), by_hand(inner[i + 1 :], x, y)
            return {"+": left + right, "-": left - right, "*": left * right}[char]
    raise AssertionError(text)


@given(formulas, st.floats(-2, 2), st.floats(-2, 2))
def test_formulas_match_the_engine(text, xv, yv):
    out, variables = evaluate(text, {"x": xv, "y": yv})
    x, y = Value(xv), Value(yv)
    expected = by_hand(text, x, y)
    assert out.data == pytest.approx(expected.data, rel=1e-12, abs=1e-12)
    out.backward()
    expected.backward()
    for name, v in variables.items():
        assert v.grad == pytest.approx({"x": x, "y": y}[name].grad, rel=1e-9, abs=1e-12)
        assert math.isfinite(v.grad)
