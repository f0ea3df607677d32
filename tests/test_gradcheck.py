"""numerical_grad, gradcheck and gradgradcheck: right answers, readable failures."""

import math

import pytest

import autograd
from autograd import (
    GradcheckError,
    Value,
    custom_op,
    gradcheck,
    gradcheck_report,
    gradgradcheck,
    last_gradcheck_report,
    numerical_grad,
)
from autograd.backends import FLOAT
from autograd.ops import Op
from autograd.value import record

# sigmoid with a deliberately wrong derivative: e^-x instead of s(x) (1 - s(x)).
_sigmoid = lambda x: 1.0 / (1.0 + math.exp(-x))
WRONG_SIGMOID = custom_op("wrong_sigmoid", _sigmoid, lambda x: (math.exp(-x),))


def test_numerical_grad_matches_known_derivatives():
    # f = x^3 y + log(y): df/dx = 3 x^2 y, df/dy = x^3 + 1/y
    got = numerical_grad(lambda x, y: x**3 * y + y.log(), [2.0, 0.5])
    assert got == pytest.approx([3 * 4 * 0.5, 8 + 2.0], rel=1e-8)


def test_numerical_grad_accepts_numbers_as_results_and_values_as_points():
    assert numerical_grad(lambda x: 7.0, [1.0]) == [0.0]
    assert numerical_grad(lambda x: x * x, [Value(3.0)]) == pytest.approx([6.0])


def test_numerical_grad_names_the_perturbed_input_when_f_leaves_its_domain():
    with pytest.raises(ValueError, match=r"x1 = .*x1 - eps.*log"):
        numerical_grad(lambda x, y: x * y.log(), [1.0, 5e-7])


def test_gradcheck_passes_correct_gradients():
    f = lambda x, y, z: (x * y).tanh() + (y * y + 1).sqrt() / z.exp() + autograd.max([x, z])
    assert gradcheck(f, [0.3, -1.2, 0.8]) is True
    assert last_gradcheck_report().ok


def test_gradcheck_catches_a_wrong_derivative_and_shows_both_numbers():
    f = lambda x, y: WRONG_SIGMOID(x) * y
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.5, 2.0])
    report = caught.value.report
    (row,) = report.failures
    assert row.label == "x0"
    assert row.analytic == pytest.approx(math.exp(-0.5) * 2.0)
    s = _sigmoid(0.5)
    assert row.numeric == pytest.approx(s * (1 - s) * 2.0, rel=1e-7)
    message = str(caught.value)
    fail_line = next(line for line in message.splitlines() if line.startswith("FAIL"))
    assert f"{row.analytic:.10g}" in fail_line and f"{row.numeric:.10g}" in fail_line
    assert "1 of 2 differ" in message.splitlines()[0]
    ok_line = next(line for line in message.splitlines() if " x1 " in line)
    assert ok_line.lstrip().startswith("ok")


def test_gradcheck_without_raising_returns_false_and_keeps_the_report():
    assert gradcheck(lambda x: WRONG_SIGMOID(x), [1.0], raise_exception=False) is False
    report = last_gradcheck_report()
    assert not report.ok and [r.label for r in report.failures] == ["x0"]
    assert "FAIL" in str(report)


def test_tolerances_follow_pytorchs_rule():
    # d/dx of this op is off by a relative 1e-4: within rtol=1e-3, outside rtol=1e-5.
    almost = custom_op("almost_square", lambda x: x * x, lambda x: (2 * x * (1 + 1e-4),))
    assert gradcheck(almost, [3.0])
    assert not gradcheck(almost, [3.0], rtol=1e-5, raise_exception=False)
    row = gradcheck_report(almost, [3.0], rtol=1e-5).rows[0]
    assert row.abs_error == pytest.approx(6e-4, rel=1e-4)
    assert row.rel_error == pytest.approx(1e-4, rel=1e-3)


def test_errors_are_runtime_errors_and_need_a_scalar():
    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(TypeError, match="one Value"):
        gradcheck(lambda x: [x, x], [1.0])


def _cube_with_constant_derivative() -> Op:
    """x^3 whose derivative, taken again, is wrong: on Values it returns a constant."""

    def derivative(m, out, x):
        return (3.0 * x * x,) if m is FLOAT else (Value(3.0 * x.data**2),)

    return Op("cube", 1, lambda m, x: x * x * x, derivative, "x^3")


def test_gradgradcheck_passes_correct_second_derivatives():
    f = lambda x, y: x * y * y + x.tanh() * y.exp() + (x * x + 1).log()
    assert gradgradcheck(f, [0.4, -0.7])
    assert len(last_gradcheck_report().rows) == 4


def test_gradgradcheck_catches_a_wrong_second_derivative():
    cube = _cube_with_constant_derivative()
    f = lambda x: record(cube, (x,))
    assert gradcheck(f, [1.5])  # first derivative right
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(f, [1.5])
    (row,) = caught.value.report.failures
    assert row.label == "x0,x0" and row.analytic == 0.0
    assert row.numeric == pytest.approx(6 * 1.5, rel=1e-6)
    assert "gradgradcheck" in str(caught.value)


def test_second_derivatives_through_a_custom_op_fail_naming_it():
    softplus = custom_op("my_softplus", lambda x: math.log1p(math.exp(x)), lambda x: _sigmoid(x))
    with pytest.raises(TypeError, match="'my_softplus'.*create_graph|create_graph.*'my_softplus'"):
        gradgradcheck(lambda x: softplus(x) * x, [0.3])
    with pytest.raises(TypeError, match="my_softplus"):
        autograd.hessian(lambda x: softplus(x), [0.3])


def test_gradcheck_needs_a_point():
    with pytest.raises(ValueError, match="xs is empty"):
        autograd.gradcheck(lambda: Value(1.0), [])
