"""The array path: compile's value_and_grad on a parameter array, optimizers' update on
arrays, and fit's compiled epochs on arrays written back to the Values."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import autograd
import nn
from autograd import Value


def mlp_program(seed: int = 0) -> tuple[nn.MLP, autograd.CompiledFunction, np.ndarray]:
    random.seed(seed)
    model = nn.MLP(3, [5, 2])
    prog = autograd.compile(lambda *x: model(list(x)), [0.1, 0.2, 0.3])
    X = np.random.default_rng(seed).normal(size=(7, 3))
    return model, prog, X


def test_value_and_grad_is_backward_without_touching_the_values() -> None:
    model, prog, X = mlp_program()
    theta = prog.parameter_array()
    assert theta.tolist() == [p.data for p in prog.parameters]
    for p in model.parameters():
        p.grad = 0.0
    expected = prog.backward(X)
    grads_ref = [p.grad for p in prog.parameters]
    shifted = theta + 0.5  # a point the Values are not at
    for p in model.parameters():
        p.grad = 7.0
    outputs, grads = prog.value_and_grad(X, shifted)
    assert [p.grad for p in model.parameters()] == [7.0] * len(model.parameters())
    assert prog.parameter_array().tolist() == theta.tolist()  # data untouched too
    assert not np.allclose(outputs, expected)  # evaluated at the shifted point
    outputs, grads = prog.value_and_grad(X, theta)
    np.testing.assert_array_equal(outputs, expected)
    np.testing.assert_array_equal(grads, grads_ref)
    np.testing.assert_array_equal(prog(X, theta), expected)


def test_set_parameters_round_trips_and_moves_the_model() -> None:
    model, prog, X = mlp_program(1)
    theta = prog.parameter_array() * 0.5
    at_theta = prog(X, theta)
    prog.set_parameters(theta)
    assert prog.parameter_array().tolist() == theta.tolist()
    np.testing.assert_array_equal(prog(X), at_theta)
    np.testing.assert_allclose([[v.data for v in model(list(row))] for row in X.tolist()],
                               at_theta, rtol=1e-12)  # fmt: skip


@pytest.mark.parametrize("bad, message", [(np.zeros(3), "shape"),
                                          ("nan", "not finite")])  # fmt: skip
def test_a_wrong_parameter_array_is_refused(bad, message: str) -> None:
    _, prog, X = mlp_program()
    if isinstance(bad, str):
        bad = prog.parameter_array()
        bad[2] = math.nan
    with pytest.raises(ValueError, match=message):
        prog.value_and_grad(X, bad)
    with pytest.raises(ValueError, match=message):
        prog.set_parameters(bad)


def reference_step(kind: str, data: list, grads: list, state: dict, lr: float,
                   **kw) -> None:  # fmt: skip
    """The scalar formulas, one parameter at a time (the optimizers' docstrings)."""
    if kind == "sgd":
        mu, wd = kw.get("momentum", 0.0), kw.get("weight_decay", 0.0)
        for i, g in enumerate(grads):
            g = g + wd * data[i] if wd else g
            if mu:
                b = state.get(i)
                b = g if b is None else mu * b + (1.0 - kw.get("dampening", 0.0)) * g
                state[i] = b
                g = g + mu * b if kw.get("nesterov") else b
            data[i] -= lr * g
        return
    beta1, beta2 = kw.get("betas", (0.9, 0.999))
    eps, wd = kw.get("eps", 1e-8), kw.get("weight_decay", 0.0)
    t = state["t"] = state.get("t", 0) + 1
    step_size = lr / (1.0 - beta1**t)
    root = math.sqrt(1.0 - beta2**t)
    for i, g in enumerate(grads):
        g = g + wd * data[i] if wd else g
        m = state[i, "m"] = beta1 * state.get((i, "m"), 0.0) + (1.0 - beta1) * g
        v = state[i, "v"] = beta2 * state.get((i, "v"), 0.0) + (1.0 - beta2) * g * g
        data[i] -= step_size * m / (math.sqrt(v) / root + eps)


@pytest.mark.parametrize("kind, kw", [
    ("sgd", {"lr": 0.1}), ("sgd", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3}),
    ("adam", {"lr": 1e-2}), ("adam", {"lr": 3e-3, "weight_decay": 1e-2, "betas": (0.8, 0.99)}),
])  # fmt: skip
def test_step_on_arrays_gives_the_scalar_formulas_bit_for_bit(kind: str, kw: dict) -> None:
    rng = random.Random(3)
    init = [rng.gauss(0.0, 1.0) for _ in range(50)]
    params = [Value(x) for x in init]
    opt = (nn.optim.SGD if kind == "sgd" else nn.optim.Adam)(params, **kw)
    data, state = list(init), {}
    for _ in range(12):
        grads = [rng.gauss(0.0, 1.0) * 10 ** rng.uniform(-6, 2) for _ in init]
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        reference_step(kind, data, grads, state, **kw)
    assert [p.data for p in params] == data  # the same floats, not merely close


def test_fit_compiled_writes_the_weights_back_before_each_epoch_callback() -> None:
    X, y = nn.datasets.make_moons(40, noise=0.2, seed=4)
    random.seed(4)
    model = nn.MLP(2, [6, 2])
    seen = []

    def callback(epoch: int, history: nn.History) -> None:
        # The Values hold the weights the epoch ended with (compared with the end of fit).
        seen.append([p.data for p in model.parameters()])

    nn.fit(model, X, y, nn.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.2, momentum=0.9),
           epochs=3, batch_size=16, progress=False, seed=1, callback=callback,
           compiled=True)  # fmt: skip
    assert len(seen) == 3 and seen[0] != seen[1] != seen[2]
    assert seen[-1] == [p.data for p in model.parameters()]


def test_fit_compiled_writes_the_weights_back_when_a_step_raises() -> None:
    X, y = nn.datasets.make_moons(40, noise=0.2, seed=5)
    random.seed(5)
    model = nn.MLP(2, [6, 2])
    before = [p.data for p in model.parameters()]
    batches = []
    real_update = nn.optim.SGD.update

    def update(self, data, grad) -> None:
        real_update(self, data, grad)
        batches.append(data.tolist())
        if len(batches) == 2:
            raise RuntimeError("stop here")

    opt = nn.optim.SGD(model.parameters(), lr=0.3)
    opt.update = update.__get__(opt)
    with pytest.raises(RuntimeError, match="stop here"):
        nn.fit(model, X, y, nn.cross_entropy, opt, epochs=2, batch_size=10, progress=False,
               compiled=True)  # fmt: skip
    after = [p.data for p in model.parameters()]
    assert after != before and after == batches[-1]  # the update made so far, not lost


def test_a_wide_max_is_one_stacked_step_with_the_scalar_gradient_at_ties() -> None:
    w = [Value(0.5), Value(-1.0), Value(2.0)]

    def fn(a: Value, b: Value, c: Value) -> Value:  # six products: one step, read stacked
        return autograd.max([a * w[0], b * w[2], c * w[1], a * w[1], b * w[0], c * w[2]]) * w[1]

    prog = autograd.compile(fn, [0.0, 0.0, 0.0])
    assert [s.fused.kind for s in prog._steps if s.fused] == ["max"]
    X = np.array([[2.0, 0.5, 1.0], [0.0, 3.0, 3.0], [1.0, 1.0, -1.0], [0.0, 0.0, 0.0],
                  [-4.0, -1.0, -2.0]])  # fmt: skip
    for p in w:
        p.grad = 0.0
    outputs = prog.backward(X)
    compiled_grads = [p.grad for p in w]
    for p in w:
        p.grad = 0.0
    values = [fn(*map(Value, row)) for row in X.tolist()]
    (autograd.sum(values) / len(values)).backward()
    np.testing.assert_array_equal(outputs, [v.data for v in values])
    np.testing.assert_allclose(compiled_grads, [p.grad for p in w], rtol=1e-12, atol=1e-15)


def test_relu_over_a_layer_writes_in_place_only_where_nothing_else_reads_the_layer() -> None:
    random.seed(7)
    model = nn.MLP(3, [4, 2])
    prog = autograd.compile(lambda *x: model(list(x)), [0.0, 0.0, 0.0])
    assert [s.op.name for s in prog._steps if s.in_place] == ["relu"]

    def both(*x: Value) -> list[Value]:  # the pre-activations are outputs: kept intact
        z = [autograd.dot(n.w, list(x), n.b) for n in model.layers[0].neurons]
        return [*(zi.relu() for zi in z), *z]

    prog_both = autograd.compile(both, [0.0, 0.0, 0.0])
    assert not any(s.in_place for s in prog_both._steps)
    X = np.random.default_rng(7).normal(size=(6, 3))
    out = prog_both(X)
    assert (out[:, 4:] < 0.0).any()
    np.testing.assert_array_equal(out[:, :4], np.maximum(out[:, 4:], 0.0))


def test_an_optimizer_refuses_a_parameter_listed_twice() -> None:
    # Its update is on arrays, one entry per listed parameter: a Value twice has no meaning.
    params = nn.MLP(2, [3, 1]).parameters()
    with pytest.raises(ValueError, match=f"parameter {len(params)} is parameter 0 again"):
        nn.optim.SGD([*params, params[0]], lr=0.1)
    with pytest.raises(ValueError, match="again"):
        nn.optim.Adam([params[1], params[1]])


def scalar_gradients(loss, parameters: list[Value], X: np.ndarray) -> list[float]:
    """d mean(loss) / d p by the scalar engine, one sample at a time."""
    for p in parameters:
        p.grad = 0.0
    total = autograd.sum([loss(*map(Value, row)) for row in X.tolist()]) / len(X)
    total.backward()
    return [p.grad for p in parameters]


def test_a_layer_writes_its_gradient_into_the_parameters_only_when_no_other_step_reads_them(
) -> None:  # fmt: skip
    random.seed(3)
    tied = nn.Layer(4, 4, activation="tanh")  # used twice: both matmuls read its weights
    head = nn.Layer(4, 1, activation="linear")  # read once: written straight in

    def loss(*x: Value) -> Value:
        return head(tied(tied(list(x))))[0] ** 2

    prog = autograd.compile(loss, [0.0] * 4)
    layers = [i for i, step in enumerate(prog._steps) if step.fused]
    assert [any(prog._direct_reads(i)) for i in layers] == [False, False, True]
    X = np.random.default_rng(3).normal(size=(6, 4))
    _, grads = prog.value_and_grad(X, prog.parameter_array())
    weights = tied.parameters() + head.parameters()  # (the traced 2 of ** 2 is one more)
    expected = scalar_gradients(loss, weights, X)
    position = {p: i for i, p in enumerate(prog.parameters)}
    found = [grads[position[p]] for p in weights]
    assert np.allclose(found, expected, rtol=1e-12, atol=1e-15)
    assert min(map(abs, found)) > 0.0
