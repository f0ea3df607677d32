"""Pow at zero as PyTorch (issue 23): x ** 0 is flat even at x = 0; d/dx of 0 ** y is not
needed when the base is a constant, so ``0.0 ** y`` is differentiated in y (to 0) by
backward, grad, vjp, jvp, gradcheck and the compiled mode alike; where a needed partial
is truly infinite (sqrt and x ** 0.5 at 0) the error names the op and the value.  Every
case is held to PyTorch (float64) where it is installed, and to the values PyTorch and
HIPS autograd give (written out) where it is not."""

import math
import re

import numpy as np
import pytest

import autograd
from autograd import Value, grad, gradcheck, gradgradcheck, hessian, jvp, ops, vjp
from autograd.backends import ARRAY, FLOAT

ROOTS = (0.25, 0.5, 0.9)  # 0 < y < 1: d/dx x^y is infinite at x = 0


def test_x_to_the_zero_is_flat_at_zero():
    x = Value(0.0)
    (x**0.0).backward()
    assert x.grad == 0.0
    x = Value(0.0)
    assert grad(x**0.0, [x])[0].data == 0.0
    assert vjp(lambda x: x**0.0, [0.0])[1](1.0) == [0.0]
    assert jvp(lambda x: x**0.0, [0.0], [1.0]) == (1.0, 0.0)
    assert gradcheck(lambda x: x**0.0, [0.0])
    y = Value(0.0)
    (Value(0.0) ** y).backward()  # 0 ** y at y = 0, in y: x^y log x is taken as 0 at x = 0
    assert y.grad == 0.0


def test_the_second_derivative_of_x_to_the_one_is_zero_at_zero():
    x = Value(0.0)
    (first,) = grad(x**1.0, [x], create_graph=True)
    (second,) = grad(first, [x])
    assert (first.data, second.data) == (1.0, 0.0)
    assert hessian(lambda x: x**1.0, [0.0]) == [[0.0]]
    assert gradgradcheck(lambda x: x**1.0, [0.0])


@pytest.mark.parametrize("y0", ROOTS)
def test_zero_to_the_y_is_differentiated_in_y(y0):
    y = Value(y0)
    out = 0.0**y
    out.backward()
    assert (out.data, y.grad) == (0.0, 0.0)
    y = Value(y0)
    assert grad(0.0**y, [y])[0].data == 0.0
    assert vjp(lambda y: 0.0**y, [y0])[1](1.0) == [0.0]
    assert jvp(lambda y: 0.0**y, [y0], [1.0]) == (0.0, 0.0)
    assert gradcheck(lambda y: 0.0**y, [y0])
    (first,) = grad(0.0**y, [y], create_graph=True)  # and again: the second derivative
    assert grad(first, [y])[0].data == 0.0 if first.requires_grad else first.data == 0.0
    assert gradgradcheck(lambda y: 0.0**y, [y0])


@pytest.mark.parametrize("y0", ROOTS)
def test_a_constant_zero_base_stops_nothing_on_a_tape_or_in_a_larger_graph(y0):
    y, w = Value(y0), Value(3.0)
    with autograd.tape():
        out = w * (0.0**y) + y * w
        out.backward()
    assert (y.grad, w.grad) == (3.0, y0)


@pytest.mark.parametrize("make, call", [
    (lambda x: x.sqrt(), "sqrt(0.0)"),
    (lambda x: x**0.5, "pow(0.0, 0.5)"),
])  # fmt: skip
def test_a_needed_infinite_partial_is_still_a_clear_error(make, call):
    x = Value(0.0)
    message = rf"^backward of {re.escape(call)}: division by zero in the derivative \(it is inf"
    with pytest.raises(ZeroDivisionError, match=message):
        make(x).backward()
    with pytest.raises(ZeroDivisionError, match=rf"^backward of {re.escape(call)}"):
        grad(make(x), [x])
    with pytest.raises(ZeroDivisionError, match=rf"^vjp: the derivative of {re.escape(call)} "
                                                r"is undefined"):  # fmt: skip
        vjp(make, [0.0])
    with pytest.raises(ZeroDivisionError, match=rf"^jvp: the derivative of {re.escape(call)}"):
        jvp(make, [0.0], [1.0])


def test_the_compiled_mode_takes_pow_at_zero_as_the_scalar_engine():
    w, y = Value(0.0), Value(0.5)
    prog = autograd.compile(lambda t: w**0.0 * t + 0.0**y * t + w**1.0, [1.0])
    out = prog.backward(np.array([[2.0], [3.0]]))
    assert out.tolist() == [2.0, 3.0]
    assert (w.grad, y.grad) == (1.0, 0.0)  # d/dw (w^0 t + w) = 0 + 1; d/dy 0^y t = 0
    constants = [p for p in prog.parameters if not p.requires_grad]
    assert constants and all(p.grad == 0.0 for p in constants)  # given no gradient
    sqrt_at_zero = autograd.compile(lambda t: w**0.5 * t, [1.0])
    with pytest.raises(ZeroDivisionError, match=r"backward of pow\(0.0, 0.5"):
        sqrt_at_zero.backward(np.array([[1.0]]))


def test_pows_rule_is_one_entry_with_the_same_numbers_on_every_backend():
    xs = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 0.5, -1.5, -2.0])
    ys = np.array([0.0, 1.0, 2.0, 3.0, 0.5, -1.0, 2.0, 3.0])
    out = ops.POW.forward(ARRAY, xs, ys)
    with np.errstate(all="raise"):
        d_base, d_exponent = ops.POW.derivative(ARRAY, out, xs, ys)
    for i, (x, y) in enumerate(zip(xs.tolist(), ys.tolist())):
        scalar = ops.POW.derivative(FLOAT, ops.POW.forward(FLOAT, x, y), x, y)
        assert scalar == (d_base[i], d_exponent[i])
        assert isinstance(ops.POW.derivative(FLOAT, 1.0, 2.0, 3.0), tuple)
    assert ops.POW.derivative.some(FLOAT, 0.0, (0.0, 0.5), (False, True)) == (0.0, 0.0)
    with pytest.raises(ZeroDivisionError):
        ops.POW.derivative.some(FLOAT, 0.0, (0.0, 0.5), (True, False))


# -- against PyTorch (float64) -------------------------------------------------------------

# (x, y) points where x ** y is defined: zero bases, integer powers of negative bases,
# fractional and negative exponents of positive ones
POINTS = [(x, y) for x in (0.0, 0.5, 2.0, -1.5) for y in (0.0, 1.0, 2.0, 3.0, 0.5, 1.5, -1.0, -2.0)
          if not (x == 0.0 and y < 0.0) and not (x < 0.0 and not float(y).is_integer())]
WHICH = ["both", "base", "exponent"]  # which of x, y require grad (the other: a number)


def ours(x0, y0, which):
    """(value, first derivatives, second derivatives) of x ** y in the inputs that require
    grad, by the engine, or the exception it raises."""
    leaves = []
    x = Value(x0) if which != "exponent" else x0
    y = Value(y0) if which != "base" else y0
    leaves = [v for v in (x, y) if isinstance(v, Value)]
    try:
        out = x**y
        first = grad(out, leaves, create_graph=True)
        second = [[g.data for g in grad(d, leaves)] if d.requires_grad else [0.0] * len(leaves)
                  for d in first]  # fmt: skip
    except (ArithmeticError, ValueError) as error:
        return error
    return out.data, [d.data for d in first], second


def theirs(x0, y0, which):
    torch = pytest.importorskip("torch")
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True) if which != "exponent" else x0
    y = torch.tensor(y0, dtype=torch.float64, requires_grad=True) if which != "base" else y0
    leaves = [v for v in (x, y) if isinstance(v, torch.Tensor)]
    out = torch.pow(x, y) if isinstance(x, torch.Tensor) else torch.pow(torch.tensor(
        x, dtype=torch.float64), y)  # fmt: skip
    first = torch.autograd.grad(out, leaves, create_graph=True)
    second = [[(g.item() if g is not None else 0.0)
               for g in torch.autograd.grad(d, leaves, allow_unused=True, retain_graph=True)]
              if d.requires_grad else [0.0] * len(leaves) for d in first]  # fmt: skip
    return out.item(), [d.item() for d in first], second


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("x0, y0", POINTS)
def test_pow_and_its_first_and_second_derivatives_are_pytorchs(x0, y0, which):
    """Equal where PyTorch's numbers are finite.  Where PyTorch has inf (a needed partial
    is infinite: d/dx at x = 0 for 0 < y < 1, d^2/dx^2 for 1 < y < 2) the engine raises the
    error naming pow; where PyTorch has NaN (x^y log x at x = 0: 0 times log 0 in a masked
    branch) the engine has PyTorch's first-order 0.  For a negative base the engine's rule
    takes d/dy = x^y log x as 0 ("0 where x <= 0"): x^y is no real function of y there
    (PyTorch: NaN, log of a negative number), so what involves y is only checked finite."""
    value, first, second = theirs(x0, y0, which)
    expected = first + [d for row in second for d in row]
    wrt = {"both": ["x", "y"], "base": ["x"], "exponent": ["y"]}[which]
    involves_y = [v == "y" for v in wrt] + [a == "y" or b == "y" for a in wrt for b in wrt]
    got = ours(x0, y0, which)
    if any(math.isinf(d) for d in expected):
        assert isinstance(got, ZeroDivisionError) and "pow(0.0" in str(got), got
        return
    assert not isinstance(got, Exception), got
    got_value, got_first, got_second = got
    found = got_first + [d for row in got_second for d in row]
    assert got_value == pytest.approx(value, rel=1e-12)
    for position, (e, g, on_y) in enumerate(zip(expected, found, involves_y)):
        if x0 < 0.0 and on_y:
            assert math.isfinite(g) and (position >= len(first) or g == 0.0)
        elif math.isnan(e):
            assert g == 0.0
        else:
            assert g == pytest.approx(e, rel=1e-12, abs=1e-12), (position, expected, found)
