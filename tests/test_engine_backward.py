"""backward, grad, hessian and the grad modes."""

import contextlib
import math
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value

finite = st.floats(-3.0, 3.0, allow_nan=False)


def test_the_example_in_the_package_docstring():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.backward()
    assert (y.data, x.grad) == (10.0, 7.0)


def test_reused_nodes_are_exact():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_backward_twice_doubles_leaves_and_never_overcounts_interior_nodes():
    x = Value(1.5)
    y = (x * x).tanh() * x
    y.backward()
    first = x.grad
    inner = y.inputs[0]
    inner_grad = inner.grad
    y.backward()
    assert x.grad == 2 * first
    assert inner.grad == inner_grad  # the latest call's gradient, not the sum
    assert y.grad == 1.0


def test_backward_of_a_leaf_accumulates_one():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_intermediate_grads_stay_readable():
    x = Value(0.5)
    h = x * 4.0
    y = h.tanh()
    y.backward()
    assert h.grad == pytest.approx(1 - math.tanh(2.0) ** 2)
    assert x.grad == pytest.approx(4 * h.grad)


def test_a_million_op_chain_needs_no_recursion():
    x = Value(1.0)
    v = x
    for _ in range(500_000):
        v = v * 1.0
        v = v + 0.0
    assert len(v.inputs) == 2
    v.backward()
    assert x.grad == 1.0


def test_topological_order_puts_inputs_first_and_is_deterministic():
    def build():
        a, b = Value(1.0, "a"), Value(2.0, "b")
        return (a * b + a).tanh() + b

    orders = [[(n.op, n.label, n.data) for n in autograd.topological_order(build())]
              for _ in range(2)]
    assert orders[0] == orders[1]
    root = build()
    order = autograd.topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is root
    assert all(position[i] < position[n] for n in order for i in n.inputs)


def test_grad_leaves_dot_grad_untouched_and_zero_for_independent_inputs():
    x, y, unused = Value(2.0), Value(3.0), Value(7.0)
    out = x * y + x
    gx, gy, gu = autograd.grad(out, [x, y, unused])
    assert (gx.data, gy.data, gu.data) == (4.0, 2.0, 0.0)
    assert x.grad == y.grad == out.grad == 0.0
    assert all(isinstance(g, Value) for g in (gx, gy, gu))


def test_grad_of_grad():
    x = Value(0.7)
    (dx,) = autograd.grad(x.tanh(), [x], create_graph=True)
    (ddx,) = autograd.grad(dx, [x], create_graph=True)
    (dddx,) = autograd.grad(ddx, [x])
    t = math.tanh(0.7)
    assert dx.data == pytest.approx(1 - t * t)
    assert ddx.data == pytest.approx(-2 * t * (1 - t * t))
    assert dddx.data == pytest.approx(-2 * (1 - t * t) ** 2 + 4 * t * t * (1 - t * t))


@given(finite, finite)
def test_second_derivatives_against_closed_forms(a, b):
    h = autograd.hessian(lambda x, y: x * x * y + (x * y).exp() + y.sigmoid(), [a, b])
    e = math.exp(a * b)
    s = 1 / (1 + math.exp(-b))
    expected = [
        [2 * b + b * b * e, 2 * a + e + a * b * e],
        [2 * a + e + a * b * e, a * a * e + s * (1 - s) * (1 - 2 * s)],
    ]
    for row, expected_row in zip(h, expected):
        assert row == pytest.approx(expected_row, rel=1e-9, abs=1e-9)


def test_hessian_of_log_and_pow():
    h = autograd.hessian(lambda x: x.log() + x**3, [2.0])
    assert h == [[pytest.approx(-1 / 4 + 6 * 2.0)]]


def test_no_grad_records_nothing_and_works_as_a_decorator():
    x = Value(2.0)
    with autograd.no_grad():
        y = x * 3
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    assert (y.data, y.op, y.inputs) == (6.0, "", ())

    @autograd.no_grad()
    def f(v):
        return v.exp()

    assert f(x).inputs == ()
    assert (x * 3).inputs[0] is x


@contextlib.contextmanager
def entered_in_another_thread(mode):
    """Keep ``mode`` (no_grad, detect_anomaly) entered in a second thread meanwhile."""
    inside, release = threading.Event(), threading.Event()

    def hold():
        with mode():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    inside.wait(5)
    try:
        yield
    finally:
        release.set()
        worker.join()


def test_no_grad_is_per_thread():
    with entered_in_another_thread(autograd.no_grad):
        assert autograd.is_grad_enabled()
        assert (Value(1.0) + 1).op == "add"  # this thread still records


def test_detach_is_a_constant_with_the_same_data():
    x = Value(2.0, label="x")
    d = (x * 2).detach()
    assert (d.data, d.op, d.inputs) == (4.0, "", ())
    (d * x).backward()
    assert x.grad == 4.0


def test_detect_anomaly_names_the_forward_op():
    with autograd.detect_anomaly():
        assert autograd.is_anomaly_enabled()
        with pytest.raises(FloatingPointError, match=r"mul\(inf, 0.0\)"):
            Value(float("inf")) * 0
    assert not autograd.is_anomaly_enabled()


def overflowing_gradient():
    """Forward stays finite (z = 1e10) but dz/dx = 1e310 overflows."""
    x = Value(1e-300)
    return x, (x * 1e300) * 1e10


def test_detect_anomaly_names_the_backward_op():
    x, z = overflowing_gradient()
    with autograd.detect_anomaly(), pytest.raises(
        FloatingPointError, match=r"backward of mul\(1e-300, 1e\+300\) produced inf"
    ):
        z.backward()


def test_a_gradient_overflow_outside_anomaly_mode_is_an_overflow_error():
    x, z = overflowing_gradient()
    with pytest.raises(OverflowError, match="gradient became inf"):
        z.backward()


def test_detect_anomaly_in_one_thread_leaves_other_threads_alone():
    with entered_in_another_thread(autograd.detect_anomaly):
        assert not autograd.is_anomaly_enabled()
        x, z = overflowing_gradient()
        with pytest.raises(OverflowError):  # this thread's ordinary error, not anomaly mode's
            z.backward()


def test_grad_refuses_an_overflowing_gradient_too():
    x, z = overflowing_gradient()
    with pytest.raises(OverflowError, match="grad: the gradient became inf"):
        autograd.grad(z, [x])
