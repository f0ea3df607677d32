"""Value itself: construction, operators, numpy interplay and every bad input."""

import fractions
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value


@pytest.mark.parametrize(
    "data, expected",
    [(3, 3.0), (True, 1.0), (np.float32(0.5), 0.5), (np.int64(-4), -4.0),
     (fractions.Fraction(1, 4), 0.25), (np.array(2.5), 2.5), (1e308, 1e308)],
)  # fmt: skip
def test_any_real_number_becomes_a_float(data, expected):
    v = Value(data)
    assert type(v.data) is float and v.data == expected
    assert (v.grad, v.label, v.op, v.inputs) == (0.0, "", "", ())


@pytest.mark.parametrize("bad", ["1.0", None, 1j, [1.0], (1.0,), {}, np.array([1.0, 2.0]), b"1"])
def test_non_real_data_is_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_nan_data_is_refused_and_huge_ints_overflow():
    with pytest.raises(ValueError, match="NaN"):
        Value(float("nan"))
    with pytest.raises(OverflowError, match="too large"):
        Value(10**400)


@pytest.mark.parametrize(
    "make, expected",
    [(lambda v: v + 1, 3.0), (lambda v: 1 + v, 3.0), (lambda v: v - 1, 1.0),
     (lambda v: 1 - v, -1.0), (lambda v: v * 3, 6.0), (lambda v: 3 * v, 6.0),
     (lambda v: v / 4, 0.5), (lambda v: 4 / v, 2.0), (lambda v: v**3, 8.0),
     (lambda v: 3**v, 9.0), (lambda v: v**v, 4.0), (lambda v: -v, -2.0),
     (lambda v: abs(-v), 2.0), (lambda v: +v, 2.0)],
)  # fmt: skip
def test_operators_with_numbers_on_either_side(make, expected):
    assert make(Value(2.0)).data == expected


def test_unsupported_operands_are_type_errors_naming_the_type():
    for bad in ("a", None, [1], 1j):
        with pytest.raises(TypeError, match=type(bad).__name__):
            Value(1.0) + bad
        with pytest.raises(TypeError, match=type(bad).__name__):
            bad / Value(1.0)
    with pytest.raises(TypeError, match="str"):
        assert Value(1.0) < "a"


def test_comparisons_read_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and a >= b and not a > b and 2 > a and b >= 1
    assert a != b and a == a
    assert len({a, b, a}) == 2


def test_op_doc_states_the_math():
    assert Value(1.0).tanh().op_doc == "tanh(x);  d/dx = 1 - tanh(x)^2"
    assert Value(1.0).op_doc == ""


def test_repr_shows_data_grad_and_label():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(-1, label="w1")) == "Value(data=-1.0, grad=0.0, label='w1')"


def test_numpy_defers_to_value():
    v = Value(1.5)
    for out in (np.float64(2) * v, v * np.float64(2), np.int32(2) * v, np.float32(3.0) + v - 1.5):
        assert isinstance(out, Value)
        assert out.data == 3.0
    weights = np.array([Value(1.0), Value(2.0), Value(3.0)], dtype=object)
    xs = np.array([0.5, -1.0, 2.0])
    out = np.dot(weights, xs)
    assert isinstance(out, Value) and out.data == 4.5
    out.backward()
    assert [w.grad for w in weights] == [0.5, -1.0, 2.0]


@pytest.mark.parametrize(
    "make, error, message",
    [(lambda: Value(0.0).log(), ValueError, r"log\(0.0\).*x > 0"),
     (lambda: Value(-1.0).log(), ValueError, r"log\(-1.0\)"),
     (lambda: Value(-4.0).sqrt(), ValueError, r"sqrt\(-4.0\).*x >= 0"),
     (lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow\(-8.0, 0.333.*integer"),
     (lambda: Value(-8.0) ** Value(0.5), ValueError, r"pow\(-8.0, 0.5\)"),
     (lambda: Value(1.0) / 0, ZeroDivisionError, r"div\(1.0, 0.0\)"),
     (lambda: 1 / Value(0.0), ZeroDivisionError, r"div\(1.0, 0.0\)"),
     (lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow\(0.0, -1.0\)"),
     (lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000.0\)"),
     (lambda: Value(1e200) * 1e200, OverflowError, r"mul\(1e\+200, 1e\+200\)"),
     (lambda: Value(10.0) ** 400, OverflowError, r"pow\(10.0, 400.0\)"),
     (lambda: Value(1e308) + 1e308, OverflowError, r"add"),
     (lambda: autograd.max([]), ValueError, "at least one"),
     (lambda: Value(float("inf")) - float("inf"), ValueError, "NaN")],
)  # fmt: skip
def test_bad_inputs_raise_python_errors_naming_the_op(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_infinite_derivative_in_backward_names_the_op():
    y = Value(0.0).sqrt()
    with pytest.raises(ZeroDivisionError, match=r"backward of sqrt\(0.0\)"):
        y.backward()


def test_inf_given_by_the_user_flows_through():
    assert (Value(float("inf")) + 1).data == math.inf
    assert Value(float("-inf")).exp().data == 0.0


@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300))
def test_no_op_ever_returns_nan(a, b):
    ops = (lambda x, y: x * y, lambda x, y: x / y, lambda x, y: x + y, lambda x, y: x - y,
           lambda x, y: abs(x) ** y, lambda x, y: (x * y).exp(), lambda x, y: x.tanh() * y)
    for f in ops:
        try:
            out = f(Value(a), Value(b))
        except (ArithmeticError, ValueError):
            continue
        assert not math.isnan(out.data)
        assert math.isfinite(out.data)
