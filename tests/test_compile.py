"""autograd.compile: the batch replay equals the scalar engine, sample by sample.

Outputs agree to 1e-12 and parameter gradients to 1e-9 with what the scalar engine
computes on the same batch; every refusal names its cause.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np
import pytest

import autograd
import nn
from autograd import TraceError, Value

OUT_TOL = 1e-12
GRAD_TOL = 1e-9


def scalar_reference(fn: Callable, X: np.ndarray, params: Sequence[Value],
                     reduction: str = "mean") -> tuple[np.ndarray, list[float]]:  # fmt: skip
    """fn on every row with the scalar engine, and d(mean or sum of outputs)/d params."""
    saved = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    outputs, terms = [], []
    for row in X:
        result = fn(*[Value(float(x)) for x in row])
        result = list(result) if isinstance(result, (list, tuple)) else result
        terms.extend(result if isinstance(result, list) else [result])
        outputs.append([r.data for r in result] if isinstance(result, list) else result.data)
    total = autograd.sum(terms)
    (total / len(X) if reduction == "mean" else total).backward()
    grads = [p.grad for p in params]
    for p, g in zip(params, saved):
        p.grad = g
    return np.array(outputs), grads


def compiled_grads(prog: autograd.CompiledFunction, X: np.ndarray, params: Sequence[Value],
                   reduction: str = "mean") -> tuple[np.ndarray, list[float]]:  # fmt: skip
    for p in params:
        p.grad = 0.0
    out = prog.backward(X, reduction=reduction)
    return out, [p.grad for p in params]


def assert_matches(fn: Callable, X: np.ndarray, params: Sequence[Value],
                   reduction: str = "mean") -> autograd.CompiledFunction:  # fmt: skip
    prog = autograd.compile(fn, X[0])
    expected_out, expected_grads = scalar_reference(fn, X, params, reduction)
    np.testing.assert_allclose(prog(X), expected_out, rtol=OUT_TOL, atol=OUT_TOL)
    out, grads = compiled_grads(prog, X, params, reduction)
    np.testing.assert_allclose(out, expected_out, rtol=OUT_TOL, atol=OUT_TOL)
    np.testing.assert_allclose(grads, expected_grads, rtol=GRAD_TOL, atol=GRAD_TOL)
    return prog


class TinyMLP:
    """An MLP of Values and autograd.dot, independent of nn: f(w . x + b) per neuron."""

    def __init__(self, sizes: Sequence[int], seed: int = 0, bias_in_dot: bool = True) -> None:
        rng = random.Random(seed)
        self.layers = [[([Value(rng.uniform(-1, 1)) for _ in range(a)], Value(rng.uniform(-.1, .1)))
                        for _ in range(b)] for a, b in zip(sizes, sizes[1:])]  # fmt: skip
        self.bias_in_dot = bias_in_dot

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]

    def __call__(self, x: Sequence) -> list[Value]:
        for i, layer in enumerate(self.layers):
            if self.bias_in_dot:
                x = [autograd.dot(w, x, b) for w, b in layer]
            else:
                x = [autograd.dot(w, x) + b for w, b in layer]
            if i < len(self.layers) - 1:
                x = [v.relu() for v in x]
        return x


def moons(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with noise; labels -1 and 1."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = np.arange(n) % 2 == 0
    x = np.where(upper, np.cos(t), 1 - np.cos(t)) + rng.normal(0, 0.1, n)
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t)) + rng.normal(0, 0.1, n)
    return np.column_stack([x, y]), np.where(upper, 1.0, -1.0)


@pytest.mark.parametrize("bias_in_dot", [True, False])
def test_moons_mlp_hinge_loss_matches_scalar_engine(bias_in_dot: bool) -> None:
    model = TinyMLP([2, 16, 16, 1], bias_in_dot=bias_in_dot)
    points, labels = moons()

    def loss(x0: Value, x1: Value, y: Value) -> Value:
        return (1.0 - y * model([x0, x1])[0]).relu()

    prog = assert_matches(loss, np.column_stack([points, labels]), model.parameters())
    assert "matmul x16" in prog.summary()  # a layer's dots are one matrix product


def test_moons_scores_and_sum_reduction() -> None:
    model = TinyMLP([2, 8, 1], seed=3)
    points, _ = moons(40)
    assert_matches(lambda a, b: model([a, b])[0], points, model.parameters(), reduction="sum")


def test_digits_mlp_softmax_cross_entropy_matches_scalar_engine() -> None:
    pixels, labels = nn.datasets.load_digits()
    X, y = np.array(pixels[:60]), np.array(labels[:60])
    model = TinyMLP([64, 24, 10], seed=1)

    def loss(*row: Value) -> Value:
        pixels, onehot = row[:64], row[64:]
        logits = model(pixels)
        m = autograd.max(logits)
        shifted = [z - m for z in logits]
        return autograd.sum([s.exp() for s in shifted]).log() - autograd.dot(onehot, shifted)

    batch = np.column_stack([X, np.eye(10)[y]])
    prog = assert_matches(loss, batch, model.parameters())
    assert prog.n_inputs == 74


def test_several_outputs_give_columns_and_sum_their_gradients() -> None:
    w = Value(0.7)
    model = TinyMLP([3, 4, 2], seed=5)
    X = np.random.default_rng(1).normal(size=(12, 3))

    def fn(a: Value, b: Value, c: Value) -> list[Value]:
        out = model([a, b, c])
        return [out[0], (out[1] * w).tanh(), w * w, a]  # a shared and an input output too

    params = [*model.parameters(), w]
    assert autograd.compile(fn, X[0])(X).shape == (12, 4)
    assert_matches(fn, X, params)
    assert_matches(fn, X, params, reduction="sum")


def test_parameter_only_terms_shared_inputs_and_tied_weights() -> None:
    ws = [Value(v) for v in (0.3, -0.2, 0.5)]
    X = np.random.default_rng(2).uniform(0.5, 1.5, size=(9, 2))

    def fn(a: Value, b: Value) -> Value:
        penalty = 0.01 * autograd.dot(ws, ws)  # parameters only: computed once per call
        tied = [autograd.dot([ws[0], ws[0]], [a, b]), autograd.dot([ws[1], ws[0]], [a, b])]
        swapped = autograd.dot([a, b], [ws[2], ws[1]])  # inputs in the first half
        both = autograd.dot([a, b], [b, a])  # no parameter half: not a matmul
        reused = [a + 1.0, a + 2.0, (a * b).log(), (a / b) ** 2, abs(a - b).sqrt()]
        return autograd.sum([*tied, swapped, both, *reused]).sigmoid() + penalty

    assert_matches(fn, X, ws)


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs",
                                "neg", "leaky_relu", "elu", "max", "pow"])  # fmt: skip
def test_every_builtin_op(op: str) -> None:
    w = Value(1.3)
    X = np.random.default_rng(3).uniform(0.2, 2.0, size=(7, 2)) * np.array([1, -1])

    def fn(a: Value, b: Value) -> Value:
        u = w * a + b
        return {"exp": lambda: u.exp(), "log": lambda: (w * a).log(),
                "sqrt": lambda: (w * a).sqrt(), "tanh": lambda: u.tanh(),
                "sigmoid": lambda: u.sigmoid(), "relu": lambda: u.relu(), "abs": lambda: abs(u),
                "neg": lambda: -u, "leaky_relu": lambda: u.leaky_relu(0.1 * w),
                "elu": lambda: u.elu(w), "max": lambda: autograd.max([u, w * b, a]),
                "pow": lambda: (w * a) ** (w * 0.5) + u ** 3}[op]()  # fmt: skip

    assert_matches(fn, X, [w])


def test_parameter_updates_between_calls_take_effect() -> None:
    model = TinyMLP([2, 5, 1], seed=7)
    params = model.parameters()
    points, _ = moons(20)
    prog = autograd.compile(lambda a, b: model([a, b])[0].tanh(), points[0])
    before = prog(points)
    for p in params:
        p.data -= 0.1 * p.data
    after = prog(points)
    assert not np.allclose(before, after)
    expected, _ = scalar_reference(lambda a, b: model([a, b])[0].tanh(), points, params)
    np.testing.assert_allclose(after, expected, rtol=OUT_TOL, atol=OUT_TOL)


def test_backward_accumulates_like_the_scalar_engine() -> None:
    w = Value(2.0)
    prog = autograd.compile(lambda x: w * x, [1.0])
    X = np.array([[1.0], [3.0]])
    prog.backward(X)
    prog.backward(X)
    assert w.grad == pytest.approx(4.0)  # twice the mean of x
    assert prog.backward(X, reduction="sum") == pytest.approx([2.0, 6.0])
    assert w.grad == pytest.approx(8.0)


def test_traced_graph_is_ordinary_afterwards() -> None:
    w = Value(0.5)
    kept = []

    def fn(x: Value) -> Value:
        y = (w * x).tanh()
        kept.append(y)
        return y

    autograd.compile(fn, [0.3])
    assert type(kept[0]) is Value
    assert kept[0] > 0  # no longer checked: the trace is over
    assert kept[0].detach().item() == pytest.approx(np.tanh(0.15))


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("fn, what", [
    (lambda x: x if x > 0 else -x, "comparison"),
    (lambda x: x if 0.0 < (x * 2).tanh() else -x, "comparison"),
    (lambda x: autograd.relu(x) if (x + 1).data > 0 else x, ".data"),
    (lambda x: Value(float(x.exp())), "float()"),
    (lambda x: x.detach() * 2, "detach()"),
    (lambda x: max(autograd.dot([x], [x]), 0.0), "comparison"),
])  # fmt: skip
def test_control_flow_on_traced_data_is_refused(fn: Callable, what: str) -> None:
    with pytest.raises(TraceError, match=rf"uses .*{what}.*test_compile\.py:\d+"):
        autograd.compile(fn, [1.0])


def test_control_flow_on_parameters_is_allowed() -> None:
    w = Value(-0.5)
    prog = autograd.compile(lambda x: x * w if w < 0 else x, [1.0])
    assert prog(np.array([[2.0]])) == pytest.approx([-1.0])


def test_no_grad_inside_the_traced_function_is_refused() -> None:
    def fn(x: Value) -> Value:
        with autograd.no_grad():
            return x * 2

    with pytest.raises(TraceError, match="no_grad"):
        autograd.compile(fn, [1.0])
    with autograd.no_grad(), pytest.raises(TraceError, match="no_grad"):
        autograd.compile(lambda x: x * 2, [1.0])


def test_op_without_array_form_is_refused_by_name() -> None:
    square = autograd.custom_op("square_float_only", lambda x: x * x, lambda x: 2 * x)
    with pytest.raises(TraceError, match="'square_float_only' has no array form"):
        autograd.compile(lambda x: square(x) + 1, [1.0])
    vectorized = autograd.custom_op("square_vectorized", lambda x: x * x, lambda x: 2 * x,
                                    vectorized=True)  # fmt: skip
    w = Value(3.0)
    assert_matches(lambda x: vectorized(w * x), np.array([[1.0], [-2.0]]), [w])


@pytest.mark.parametrize("X, message", [
    (np.zeros((4, 3)), r"shape \(batch, 2\).*\(4, 3\) \(width 3\)"),
    (np.zeros(2), r"shape \(batch, 2\).*1 dimension"),
    (np.zeros((0, 2)), "no rows"),
    (np.array([[1.0, np.nan]]), "NaN"),
    ([[1.0, 2.0], [3.0]], r"array of numbers of shape \(batch, 2\)"),
])  # fmt: skip
def test_batch_of_the_wrong_shape_is_refused(X: np.ndarray, message: str) -> None:
    prog = autograd.compile(lambda a, b: a * b, [1.0, 2.0])
    with pytest.raises(ValueError, match=message):
        prog(X)


def test_domain_error_over_the_batch_names_op_and_sample() -> None:
    w = Value(1.0)
    prog = autograd.compile(lambda x: (x * w - 1.0).log(), [2.0])
    with pytest.raises(ValueError, match=r"sample 2: log\(-0\.5\): outside the domain of log"):
        prog(np.array([[2.0], [3.0], [0.5]]))
    prog = autograd.compile(lambda x: (x * w).sqrt(), [2.0])
    with pytest.raises(ValueError, match=r"sample 1: sqrt\(-1\.0\)"):
        prog.backward(np.array([[2.0], [-1.0]]))


def test_non_finite_results_name_the_op() -> None:
    w = Value(1.0)
    prog = autograd.compile(lambda x: (x * w).exp(), [1.0])
    with pytest.raises(OverflowError, match=r"sample 1: exp\(1000\.0\)"):
        prog(np.array([[1.0], [1000.0]]))
    prog = autograd.compile(lambda x: w / x, [1.0])
    with pytest.raises(ZeroDivisionError, match=r"sample 0: div\(1\.0, 0\.0\)"):
        prog(np.array([[0.0]]))
    prog = autograd.compile(lambda x: (x * w).sqrt(), [1.0])
    with pytest.raises(ZeroDivisionError, match=r"backward of sqrt\(0\.0\)"):
        prog.backward(np.array([[1.0], [0.0]]))
    big = [Value(1e308), Value(1e308)]
    prog = autograd.compile(lambda a, b: autograd.dot(big, [a, b]), [0.1, 0.1])
    with pytest.raises(OverflowError, match=r"dot\(1e\+308, 1e\+308, 2\.0, 2\.0\)"):
        prog(np.array([[0.5, 0.5], [2.0, 2.0]]))


def test_reduction_is_checked() -> None:
    prog = autograd.compile(lambda x: x * 2, [1.0])
    with pytest.raises(ValueError, match="reduction"):
        prog.backward(np.ones((2, 1)), reduction="max")


def test_gradient_overflow_names_the_op() -> None:
    w = Value(1e-300)
    prog = autograd.compile(lambda x, u: (w * x) * u, [1.0, 1.0])
    with pytest.raises(OverflowError, match="backward: the gradient flowing back through mul"):
        prog.backward(np.array([[1e200, 1e200]]), reduction="sum")
    prog = autograd.compile(lambda x: w / x, [1.0])
    with pytest.raises(OverflowError, match=r"sample 0: backward of div\(1e-300, 1e-310\)"):
        prog.backward(np.array([[1e-310]]))


def test_backward_of_chosen_outputs_only() -> None:
    w = Value(2.0)
    prog = autograd.compile(lambda x: [w * x, w * w * x], [1.0])
    out = prog.backward(np.array([[1.0], [3.0]]), outputs=[0])
    assert out.tolist() == [[2.0, 4.0], [6.0, 12.0]]
    assert w.grad == pytest.approx(2.0)  # d/dw of the mean of w x only


def test_a_function_of_parameters_only() -> None:
    w = Value(3.0)
    prog = autograd.compile(lambda: w * w, [])
    assert prog(np.zeros((4, 0))).tolist() == [9.0] * 4
    prog.backward(np.zeros((4, 0)))
    assert w.grad == pytest.approx(6.0)


def test_compile_inside_a_traced_function_is_refused() -> None:
    def fn(x: Value) -> Value:
        autograd.compile(lambda y: y * 2, [1.0])
        return x

    with pytest.raises(TraceError, match="inside a function being traced"):
        autograd.compile(fn, [1.0])
    assert autograd.compile(lambda y: y * 2, [1.0])(np.ones((1, 1))) == pytest.approx([2.0])


def test_other_threads_are_untouched_while_tracing() -> None:
    import threading

    seen = {}

    def other_thread() -> None:
        a = Value(2.0)
        b = (a * 3).tanh()
        seen["type"], seen["compare"], seen["data"] = type(b), b > 0, b.data

    def fn(x: Value) -> Value:
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        return x * 2

    autograd.compile(fn, [1.0])
    assert seen == {"type": Value, "compare": True, "data": pytest.approx(np.tanh(6.0))}


def test_backward_refuses_an_output_position_fn_does_not_have() -> None:
    w = Value(0.5)
    prog = autograd.compile(lambda x: [x * w, x + w], [1.0])
    with pytest.raises(ValueError, match="positions 0 to 1"):
        prog.backward(np.ones((3, 1)), outputs=[2])


def test_a_layer_applied_twice_shares_its_weight_view() -> None:
    layer, head = TinyMLP([4, 4], seed=3), TinyMLP([4, 2], seed=4)
    X = np.random.default_rng(0).normal(size=(7, 4))
    prog = assert_matches(lambda *x: head(layer(layer(list(x)))), X,
                          layer.parameters() + head.parameters())  # fmt: skip
    weights = [r for s in prog._steps if s.fused for r in s.fused.parts[1:]]
    assert [r.shape for r in weights] == [(4, 4), (4, 4), (2, 4)]  # views, not gathers
    assert weights[0].columns == weights[1].columns  # the very same columns, twice


def test_accumulate_false_sets_the_gradients() -> None:
    model = TinyMLP([2, 3, 1])
    prog = autograd.compile(lambda a, b: model([a, b]), [0.0, 0.0])
    X = np.array([[0.5, -1.0], [1.5, 2.0]])
    _, expected = compiled_grads(prog, X, model.parameters())
    for p in model.parameters():
        p.grad = 5.0
    prog.backward(X, accumulate=False)
    np.testing.assert_allclose([p.grad for p in model.parameters()], expected, rtol=1e-15)


def test_nodes_reading_one_column_each_broadcast_it() -> None:
    c = Value(1.5)

    def fn(x: Value, y: Value) -> list[Value]:
        m = autograd.max([x, y])
        same = [x * c, x * c, x * c]  # one step whose every read is one broadcast column
        return [*(v - m for v in (x, y)), *same, autograd.sum(same) * y]

    X = np.array([[0.5, -1.0], [2.0, 3.0], [-1.0, -0.5]])
    prog = assert_matches(fn, X, [c])
    assert any(r.broadcast for s in prog._steps[2:] for r in s.reads)
