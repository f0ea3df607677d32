"""custom_op: user ops from float functions work with backward, grad and gradcheck."""

import math

import numpy as np
import pytest

import autograd
from autograd import OPS, Value, custom_op, grad, gradcheck, no_grad
from autograd.backends import ARRAY


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def _softplus():
    return custom_op(
        "my_softplus",
        lambda x: math.log1p(math.exp(x)),
        lambda x: (_sigmoid(x),),
        doc="log(1 + e^x);  d/dx = sigmoid(x)",
    )


def test_forward_backward_and_node_name():
    softplus = _softplus()
    x = Value(0.5)
    y = softplus(x) * 2
    assert y.data == pytest.approx(2 * math.log1p(math.exp(0.5)))
    assert y.inputs[0].op == "my_softplus"
    y.backward()
    assert x.grad == pytest.approx(2 * _sigmoid(0.5))
    assert "sigmoid" in repr(softplus.op) and softplus.__name__ == "my_softplus"


def test_grad_and_gradcheck_through_a_two_input_custom_op():
    hypot = custom_op(
        "hypot", math.hypot, lambda x, y: (x / math.hypot(x, y), y / math.hypot(x, y))
    )
    x, y = Value(3.0), Value(4.0)
    dx, dy = grad(hypot(x, y) * x, [x, y])
    assert dx.data == pytest.approx(3 / 5 * 3 + 5) and dy.data == pytest.approx(4 / 5 * 3)
    assert gradcheck(lambda a, b: hypot(a, b).tanh() + hypot(b, 1.0), [0.7, -1.3])


def test_variadic_forward_and_numbers_as_inputs():
    mean = custom_op("mean", lambda *xs: sum(xs) / len(xs), lambda *xs: (1 / len(xs),) * len(xs))
    assert mean(1.0, 2.0, Value(6.0)).data == 3.0
    assert gradcheck(lambda a, b, c: mean(a, b * b, c), [1.0, 2.0, 3.0])


def test_a_bare_number_is_accepted_as_the_partial_of_a_one_input_op():
    cube = custom_op("cube", lambda x: x**3, lambda x: 3 * x * x)
    assert gradcheck(cube, [1.3])


def test_wrong_number_of_partials_names_the_op():
    bad = custom_op("bad_pair", lambda x, y: x * y, lambda x, y: (y,))
    x, y = Value(2.0), Value(3.0)
    with pytest.raises(TypeError, match=r"'bad_pair'.*1 partial.*2 input"):
        bad(x, y).backward()
    with pytest.raises(TypeError, match="'bad_pair'"):
        grad(bad(x, y), [x])


def test_non_numbers_name_the_op():
    with pytest.raises(TypeError, match=r"'bad_partial'.*number.*'oops'"):
        custom_op("bad_partial", lambda x: x, lambda x: ("oops",))(Value(1.0)).backward()
    with pytest.raises(TypeError, match=r"'bad_forward'.*forward.*number"):
        custom_op("bad_forward", lambda x: None, lambda x: (1.0,))(1.0)
    with pytest.raises(TypeError, match=r"'bad_kind'.*tuple"):
        custom_op("bad_kind", lambda x, y: x, lambda x, y: {1.0, 0.0})(Value(1.0), 2.0).backward()


def test_forward_domain_errors_name_the_op():
    mylog = custom_op("mylog", math.log, lambda x: (1 / x,), domain="x > 0")
    with pytest.raises(ValueError, match=r"mylog\(-1\.0\).*domain of mylog \(x > 0\)"):
        mylog(-1.0)
    plain = custom_op("plainlog", math.log, lambda x: (1 / x,))
    with pytest.raises(ValueError, match=r"plainlog\(-1\.0\)"):
        plain(-1.0)


def test_backward_errors_name_the_op():
    inv = custom_op("inv_deriv", lambda x: x, lambda x: (1 / x,))
    with pytest.raises(ZeroDivisionError, match="backward of inv_deriv"):
        inv(Value(0.0)).backward()


def test_higher_order_derivatives_through_a_custom_op_raise_a_clear_error():
    softplus = _softplus()
    x = Value(0.2)
    with pytest.raises(TypeError,
                       match=r"create_graph.*'my_softplus'.*no differentiable derivative"):
        grad(softplus(x) * x, [x], create_graph=True)
    with pytest.raises(TypeError, match="my_softplus"):
        autograd.hessian(lambda v: softplus(v), [0.2])


def test_names_cannot_shadow_built_ins_but_can_be_redefined():
    with pytest.raises(ValueError, match="'tanh' is a built-in"):
        custom_op("tanh", math.tanh, lambda x: (1 - math.tanh(x) ** 2,))
    with pytest.raises(TypeError, match="non-empty string"):
        custom_op("", math.tanh, math.tanh)
    first, second = _softplus(), _softplus()  # a re-run notebook cell
    assert "my_softplus" not in OPS
    assert second(0.0).data == first(0.0).data == pytest.approx(math.log(2))


def test_flags_and_vectorized_ops_run_on_arrays():
    softplus = _softplus()
    assert not softplus.op.higher_order and not softplus.op.batchable
    vec = custom_op(
        "vsoftplus", lambda x: np.log1p(np.exp(x)), lambda x: (1 / (1 + np.exp(-x)),),
        vectorized=True,
    )  # fmt: skip
    assert vec.op.batchable
    xs = np.array([-1.0, 0.0, 2.0])
    out = vec.op.forward(ARRAY, xs)
    (partial,) = vec.op.derivative(ARRAY, out, xs)
    assert np.allclose(out, np.log1p(np.exp(xs))) and np.allclose(partial, 1 / (1 + np.exp(-xs)))
    assert gradcheck(vec, [0.4])


def test_call_checks_and_no_grad():
    softplus = _softplus()
    with pytest.raises(TypeError, match="my_softplus takes 1 input"):
        softplus(1.0, 2.0)
    with no_grad():
        assert softplus(Value(1.0)).is_leaf
