"""nn.optim: each update checked against torch's formula written out by hand, step for
step against torch.optim itself (when torch is installed), and every refusal."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value
from nn.optim import SGD, Adam

small = st.floats(-2, 2, allow_nan=False)


def params_with_grads(data, grads):
    ps = [Value(d) for d in data]
    for p, g in zip(ps, grads):
        p.grad = g
    return ps


def test_sgd_plain_step():
    (p,) = params_with_grads([1.0], [0.5])
    SGD([p], lr=0.1).step()
    assert p.data == 1.0 - 0.1 * 0.5


def test_sgd_momentum_weight_decay_and_nesterov_by_hand():
    lr, mu, wd, damp = 0.1, 0.9, 0.01, 0.0
    for nesterov in (False, True):
        (p,) = params_with_grads([1.0], [0.5])
        opt = SGD([p], lr=lr, momentum=mu, weight_decay=wd, nesterov=nesterov)
        x, b = 1.0, None
        for grad in (0.5, -0.25, 0.125):
            p.grad = grad
            opt.step()
            g = grad + wd * x
            b = g if b is None else mu * b + (1 - damp) * g
            x -= lr * (g + mu * b if nesterov else b)
            assert p.data == pytest.approx(x, rel=1e-15)


def test_sgd_dampening_applies_from_the_second_step():
    (p,) = params_with_grads([0.0], [1.0])
    opt = SGD([p], lr=1.0, momentum=0.5, dampening=0.5)
    opt.step()  # b = g = 1
    assert p.data == -1.0
    opt.step()  # b = 0.5 * 1 + 0.5 * 1 = 1
    assert p.data == -2.0


def test_adam_first_steps_by_hand():
    lr, b1, b2, eps, wd = 0.01, 0.8, 0.9, 1e-8, 0.1
    (p,) = params_with_grads([1.0], [0.0])
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    x, m, v = 1.0, 0.0, 0.0
    for t, grad in enumerate((0.5, -1.0, 2.0), start=1):
        p.grad = grad
        opt.step()
        g = grad + wd * x
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
        assert p.data == pytest.approx(x, rel=1e-14)


def test_adam_first_step_moves_each_weight_by_about_lr():
    ps = params_with_grads([0.0, 0.0], [3.0, -1e-3])
    Adam(ps, lr=0.5).step()
    assert [p.data for p in ps] == pytest.approx([-0.5, 0.5], rel=1e-4)


def test_zero_grad_and_mutable_lr():
    ps = params_with_grads([1.0, 2.0], [3.0, 4.0])
    opt = SGD(ps, lr=0.1)
    opt.lr = 0.5
    opt.step()
    assert [p.data for p in ps] == [1.0 - 1.5, 2.0 - 2.0]
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]
    assert "SGD(2 parameters, lr=0.5" in repr(opt)


@pytest.mark.parametrize("make, message", [
    (lambda ps: SGD(ps, lr=-1), "lr must be >= 0, received -1.0"),
    (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "momentum must be >= 0, received -0.5"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "weight_decay must be >= 0"),
    (lambda ps: SGD(ps, lr=0.1, nesterov=True), "nesterov needs momentum > 0"),
    (lambda ps: Adam(ps, lr=-0.5), "lr must be >= 0"),
    (lambda ps: Adam(ps, betas=(1.0, 0.9)), r"betas\[0\] must be in \[0, 1\), received 1.0"),
    (lambda ps: Adam(ps, betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\), received -0.1"),
    (lambda ps: Adam(ps, eps=-1e-8), "eps must be >= 0"),
    (lambda ps: Adam(ps, lr=float("nan")), "lr must be finite"),
    (lambda ps: SGD([], lr=0.1), "empty parameter list"),
])  # fmt: skip
def test_invalid_hyper_parameters(make, message):
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_invalid_types_and_lr_assignment():
    with pytest.raises(TypeError, match="parameter 1 is a float"):
        SGD([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(TypeError, match="not one Value"):
        Adam(Value(1.0))
    with pytest.raises(TypeError, match="lr must be a number, not str"):
        SGD([Value(1.0)], lr="0.1")
    with pytest.raises(TypeError, match="betas must be a pair"):
        Adam([Value(1.0)], betas=0.9)
    opt = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.lr = -0.1
    assert opt.lr == 0.1
    opt.lr = 0.0  # as torch: a schedule may reach 0
    assert opt.lr == 0.0


@given(st.lists(small, min_size=1, max_size=4), st.lists(st.lists(small, min_size=4, max_size=4),
       min_size=1, max_size=4), st.sampled_from(["sgd", "momentum", "nesterov", "adam",
                                                   "adam_wd"]))  # fmt: skip
def test_step_for_step_equal_to_torch(data, grad_rows, kind):
    torch = pytest.importorskip("torch")
    configs = {
        "sgd": (SGD, torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.01}),
        "momentum": (SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}),
        "nesterov": (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True,
                                            "weight_decay": 0.1}),
        "adam": (Adam, torch.optim.Adam, {"lr": 0.01}),
        "adam_wd": (Adam, torch.optim.Adam, {"lr": 0.1, "betas": (0.5, 0.6), "eps": 1e-6,
                                             "weight_decay": 0.2}),
    }  # fmt: skip
    ours_cls, theirs_cls, kwargs = configs[kind]
    ps = [Value(d) for d in data]
    tensor = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    ours, theirs = ours_cls(ps, **kwargs), theirs_cls([tensor], **kwargs)
    for row in grad_rows:
        grads = row[: len(data)]
        for p, g in zip(ps, grads):
            p.grad = g
        tensor.grad = torch.tensor(grads, dtype=torch.float64)
        ours.step()
        theirs.step()
        assert [p.data for p in ps] == pytest.approx(tensor.tolist(), rel=1e-12, abs=1e-12)


def test_optimizers_are_exposed_as_nn_optim():
    assert nn.optim.SGD is SGD and nn.optim.Adam is Adam


@pytest.mark.parametrize("optimizer", [SGD, Adam])
@pytest.mark.parametrize(("grad", "error"), [(math.nan, ValueError), (-math.inf, ValueError),
                                             ("x", TypeError)])  # fmt: skip
def test_a_grad_set_by_hand_to_no_finite_number_is_named_not_stepped(optimizer, grad, error):
    """Never a silent NaN weight: the step names the parameter and its grad, and changes
    nothing (the other parameter keeps its value too)."""
    good, bad = Value(1.0), Value(2.0)
    good.grad, bad.grad = 0.5, grad
    opt = optimizer([good, bad], lr=0.1)
    with pytest.raises(error, match=rf"^{optimizer.__name__}\.step: parameter 1 has grad "
                                    rf"{re.escape(repr(grad))}, not a finite number"):
        opt.step()
    assert (good.data, bad.data) == (1.0, 2.0)
