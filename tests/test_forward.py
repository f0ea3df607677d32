"""Forward mode (jvp), vjp and jacobian: the op table's partials run both ways."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, custom_op, grad, hessian, jacobian, jvp, linearize, vjp
from autograd import functions as F
from autograd.testing import expressions, points


def assert_close(actual, expected, tol):
    np.testing.assert_allclose(np.array(actual), np.array(expected), rtol=tol, atol=tol)


def direction(n):
    return points(n, -1.0, 1.0)


cases = expressions().flatmap(lambda case: st.tuples(st.just(case), direction(len(case[1]))))


@given(cases)
def test_jvp_is_the_gradient_dotted_with_the_direction(drawn):
    (f, xs), v = drawn
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    gradient = [g.data for g in grad(out, leaves)]
    value, tangent = jvp(f, xs, v)
    assert value == out.data
    assert tangent == pytest.approx(sum(g * t for g, t in zip(gradient, v)), rel=1e-12, abs=1e-12)


@given(cases)
def test_jvp_agrees_with_finite_differences(drawn):
    (f, xs), v = drawn
    eps = 1e-6

    def along(t):
        return f(*[x + t * d for x, d in zip(xs, v)]).data

    _, tangent = jvp(f, xs, v)
    assert tangent == pytest.approx((along(eps) - along(-eps)) / (2 * eps), rel=1e-5, abs=1e-5)


def several_outputs(f, n_outputs):
    """A function R^n -> R^m made of ``f`` and simple functions of its inputs."""

    def g(*xs):
        y = f(*xs)
        return [y, *[y * x + k for k, x in zip(range(n_outputs - 1), xs)]][:n_outputs]

    return g


@given(expressions(), st.integers(1, 3))
def test_forward_and_reverse_jacobians_are_equal(case, n_outputs):
    f, xs = case
    g = several_outputs(f, n_outputs)
    reverse, forward = jacobian(g, xs), jacobian(g, xs, mode="forward")
    assert len(reverse) == len(g(*[Value(x) for x in xs]))
    assert_close(reverse, forward, 1e-12)
    leaves = [Value(x) for x in xs]
    assert jacobian(f, xs, mode="forward") == pytest.approx(
        [d.data for d in grad(f(*leaves), leaves)], rel=1e-12, abs=1e-12
    )


@given(cases)
def test_forward_over_reverse_hessian_vector_product(drawn):
    (f, xs), v = drawn

    def gradient(*leaves):
        return grad(f(*leaves), leaves, create_graph=True)

    _, hv = jvp(gradient, xs, v)
    h = hessian(f, xs)
    expected = [sum(h_ij * v_j for h_ij, v_j in zip(row, v)) for row in h]
    assert hv == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert_close(jacobian(gradient, xs, mode="forward"), h, 1e-9)
    assert_close(jacobian(gradient, xs), h, 1e-9)


@given(cases)
def test_reverse_over_forward_and_forward_over_forward_agree_with_hessian(drawn):
    (f, xs), v = drawn
    h = hessian(f, xs)
    hv = [sum(h_ij * v_j for h_ij, v_j in zip(row, v)) for row in h]
    leaves = [Value(x) for x in xs]
    _, tangent = jvp(f, leaves, v, create_graph=True)  # a Value: <grad f, v> as a graph
    assert_close([d.data for d in grad(tangent, leaves)], hv, 1e-9)

    def directional(*ys):
        return jvp(f, ys, v, create_graph=True)[1]

    assert_close(jvp(directional, xs, v)[1], sum(a * b for a, b in zip(hv, v)), 1e-9)


def test_jvp_of_a_neuron_by_hand():
    # y = tanh(w x + b) at x = 0.5, w = -1.5, b = 2: dy = (1 - y^2)(x dw + w dx + db)
    y = math.tanh(-1.5 * 0.5 + 2.0)
    value, tangent = jvp(lambda x, w, b: F.tanh(w * x + b), [0.5, -1.5, 2.0], [1.0, 0.0, 0.0])
    assert value == y and tangent == pytest.approx((1 - y * y) * -1.5, rel=1e-15)


def test_vjp_and_linearize():
    def g(t):
        return [t * t, F.exp(t), F.sum([t, t, 3.0])]

    outputs, pullback = vjp(g, [1.0])
    assert outputs == [1.0, math.e, 5.0]
    assert pullback([1.0, 1.0, 1.0]) == [2.0 + math.e + 2.0]
    assert pullback([0.0, 0.0, 2.0]) == [4.0]  # the pullback can be used again
    outputs, push = linearize(g, [1.0])
    assert push([1.0]) == [2.0, math.e, 2.0] and push(3.0) == [6.0, 3 * math.e, 6.0]
    value, pull = vjp(lambda x, y: x * y, [3.0, 4.0])
    assert value == 12.0 and pull(1.0) == [4.0, 3.0]


def test_n_ary_nodes_and_custom_ops():
    softplus = custom_op("softplus_fwd", lambda x: math.log1p(math.exp(x)),
                         lambda x: 1 / (1 + math.exp(-x)))  # fmt: skip

    def f(a, b, c):
        return softplus(autograd.dot([a, b], [c, 2.0], 1.0)) + F.max([a, b, c]) + F.sum([a, c])

    xs = [0.3, -0.2, 0.9]
    reverse = jacobian(f, xs)
    assert_close(jacobian(f, xs, mode="forward"), reverse, 1e-15)
    s = 1 / (1 + math.exp(-(0.3 * 0.9 - 0.2 * 2 + 1)))
    assert reverse == pytest.approx([s * 0.9 + 1, s * 2, s * 0.3 + 1 + 1], rel=1e-15)


def test_an_output_that_is_an_input_and_an_input_used_twice():
    value, tangents = jvp(lambda x, y: [x, x * y, Value(7.0)], [2.0, 3.0], [1.0, 10.0])
    assert value == [2.0, 6.0, 7.0] and tangents == [1.0, 3.0 + 20.0, 0.0]
    x = Value(2.0)
    assert jacobian(lambda a, b: a * b, [x, x]) == [4.0, 4.0]  # one node: d(x*x)/dx twice


def test_relu_at_its_kink_has_the_partial_of_the_table():
    assert jvp(lambda x: F.relu(x), [0.0], [1.0]) == (0.0, 0.0)
    assert jvp(lambda x: abs(x), [0.0], [1.0]) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: jvp(lambda x, y: x * y, [1.0, 2.0], [1.0]), ValueError,
         "jvp: tangents has length 1, expected 2"),
        (lambda: jvp(lambda x: x, [1.0], "a"), TypeError, "tangents must be a sequence"),
        (lambda: jvp(lambda x: x, [1.0], [Value(1.0)]), TypeError, r"tangents\[0\] must be"),
        (lambda: jvp(lambda x: x, [1.0], [math.nan]), ValueError, r"tangents\[0\] is nan"),
        (lambda: jvp(lambda x: x, 1.0, [1.0]), TypeError, "primals must be a sequence"),
        (lambda: jvp(lambda x: x, ["1"], [1.0]), TypeError, r"primals\[0\] must be a number"),
        (lambda: jvp(lambda x: 2.0, [1.0], [1.0]), TypeError,
         "jvp: f must return a Value or a sequence of Values, not float"),
        (lambda: vjp(lambda x: [x, 2], [1.0]), TypeError, "sequence holding Value, int"),
        (lambda: vjp(lambda x: [x, x], [1.0])[1](1.0), TypeError, "cotangents must be"),
        (lambda: jvp(lambda x: F.sqrt(x), [0.0], [1.0]), ZeroDivisionError,
         r"jvp: the derivative of sqrt\(0.0\) is undefined"),
        (lambda: jvp(lambda x: F.log(x), [0.0], [1.0]), ValueError, r"log\(0.0\)"),
        (lambda: jacobian(lambda x: x ** 0.5, [0.0]), ZeroDivisionError,
         r"jacobian: the derivative of pow\(0.0, 0.5\)"),
        (lambda: jacobian(lambda x: x, [1.0], mode="fwd"), ValueError, "mode must be"),
        (lambda: jvp(custom_op("twice", lambda x: 2 * x, lambda x: 2.0), [1.0], [1.0],
                     create_graph=True), TypeError, r"jvp\(create_graph=True\): the op 'twice'"),
        (lambda: jvp(lambda x: x * 1e300, [1.0], [1e300]), OverflowError,
         r"jvp: the tangent became inf at mul\(1.0, 1e\+300\)"),
        (lambda: jvp(lambda x: F.log(x) * 2, [1e-320], [1.0]), OverflowError,
         r"jvp: the tangent became inf at log\(1e-320\)"),
        (lambda: vjp(lambda x: x * 1e300, [1.0])[1](1e300), OverflowError,
         "vjp: the cotangent became inf at input 0"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_vectors_are_accepted_as_hessian_accepts_them():
    def f(x, y):
        return x * y * y

    at, v = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    assert jvp(f, at, v) == jvp(f, [1.0, 2.0], [1.0, 0.0]) == (4.0, 4.0)
    assert jacobian(f, at, mode="forward") == jacobian(f, at) == [4.0, 4.0]
    assert vjp(f, at)[1](np.array([1.0])) == [4.0, 4.0]
    assert hessian(f, at) == jacobian(lambda x, y: grad(f(x, y), [x, y], create_graph=True), at)
    with pytest.raises(TypeError, match="jacobian: xs must be a sequence of numbers or Values"):
        jacobian(f, 1.0)


def test_primals_that_depend_on_each_other_are_independent_inputs_in_both_modes():
    x = Value(2.0)
    y = x * 3  # a primal computed from another primal: d(a b)/da holds b fixed
    forward, reverse = jacobian(lambda a, b: a * b, [x, y], mode="forward"), jacobian(
        lambda a, b: a * b, [x, y])  # fmt: skip
    assert forward == reverse == [6.0, 2.0]
    assert vjp(lambda a, b: a * b, [x, y])[1](1.0) == [6.0, 2.0]
