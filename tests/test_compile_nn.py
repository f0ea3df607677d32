"""nn.fit(..., compiled=True): the compiled step equals nn.loss_and_grads."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

import autograd
import nn
from nn.compiled import CompiledStep
from nn.training import _penalty

OUT_TOL = 1e-12
GRAD_TOL = 1e-9


def assert_same_step(model: nn.Module, X: list, y: list, loss, l2: float = 0.0) -> None:
    """One batch through loss_and_grads and through CompiledStep: same loss, outputs, grads."""
    params = model.parameters()
    penalty = _penalty(params, 0.0, l2)
    loss_ref, outputs_ref = nn.loss_and_grads(model, X, y, loss, params, penalty)
    grads_ref = [p.grad for p in params]
    step = CompiledStep(model, loss, X, y, penalty)
    for p in params:
        p.grad = 123.0  # the step zeroes them first, like loss_and_grads
    loss_compiled, outputs = step(model, X, y, loss, params, penalty)
    assert loss_compiled == pytest.approx(loss_ref, rel=OUT_TOL, abs=OUT_TOL)
    np.testing.assert_allclose(outputs, outputs_ref, rtol=OUT_TOL, atol=OUT_TOL)
    np.testing.assert_allclose([p.grad for p in params], grads_ref, rtol=GRAD_TOL, atol=GRAD_TOL)
    np.testing.assert_allclose(step.evaluate(model, X), outputs_ref, rtol=OUT_TOL, atol=OUT_TOL)


def test_moons_mlp_hinge_with_l2() -> None:
    random.seed(1337)
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=1)
    assert_same_step(nn.MLP(2, [16, 16, 1]), X, [2 * t - 1 for t in y], nn.hinge_loss, l2=1e-4)


def test_digits_mlp_cross_entropy() -> None:
    pytest.importorskip("sklearn")
    X, y = nn.datasets.load_digits()
    random.seed(0)
    assert_same_step(nn.MLP(64, [24, 10], activation="tanh"), X[:120], y[:120],
                     nn.cross_entropy, l2=1e-3)  # fmt: skip


@pytest.mark.parametrize("loss, output_activation, targets", [
    (nn.mse_loss, "linear", lambda t: [float(t), 1.0 - t]),
    (nn.bce_with_logits, "linear", lambda t: [float(t), 1.0 - t]),
    (nn.binary_cross_entropy, "sigmoid", lambda t: float(t)),
    (nn.mse_loss, "tanh", lambda t: 0.5 * t),
])  # fmt: skip
def test_elementwise_losses(loss, output_activation: str, targets) -> None:
    random.seed(2)
    X, y = nn.datasets.make_moons(30, noise=0.2, seed=2)
    width = 2 if isinstance(targets(0), list) else 1
    model = nn.MLP(2, [8, width], output_activation=output_activation, init="xavier")
    assert_same_step(model, X, [targets(t) for t in y], loss)


def test_fit_compiled_follows_the_same_path_as_fit() -> None:
    X, y = nn.datasets.make_moons(60, noise=0.1, seed=3)
    y = [2 * t - 1 for t in y]
    histories, weights = [], []
    for compiled in (False, True):
        random.seed(5)
        model = nn.MLP(2, [8, 8, 1])
        history = nn.fit(model, X, y, "hinge", nn.optim.SGD(model.parameters(), lr=0.1),
                         epochs=4, batch_size=16, l2=1e-4, seed=0, progress=False,
                         validation=(X[:20], y[:20]), compiled=compiled)  # fmt: skip
        histories.append(history)
        weights.append([p.data for p in model.parameters()])
    scalar, compiled_history = histories
    np.testing.assert_allclose(compiled_history.train_loss, scalar.train_loss, rtol=1e-9)
    np.testing.assert_allclose(compiled_history.val_loss, scalar.val_loss, rtol=1e-9)
    assert compiled_history.train_accuracy == scalar.train_accuracy
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-9, atol=1e-12)


def test_digits_train_on_the_full_set_in_seconds() -> None:
    pytest.importorskip("sklearn")
    X, y = nn.datasets.load_digits()
    random.seed(0)
    model = nn.MLP(64, [32, 10], init="he")
    start = time.perf_counter()
    history = nn.fit(model, X, y, "cross_entropy", nn.optim.Adam(model.parameters(), lr=0.01),
                     epochs=8, batch_size=64, seed=0, progress=False, compiled=True)  # fmt: skip
    seconds = time.perf_counter() - start
    assert history.train_accuracy[-1] > 0.9
    assert seconds < 20, f"8 epochs of 1797 digits took {seconds:.1f} s"


def test_refusals() -> None:
    X, y = nn.datasets.make_moons(10, seed=4)
    model = nn.MLP(2, [4, 1])
    with pytest.raises(ValueError, match="Dropout"):
        CompiledStep(nn.Sequential(nn.Dropout(0.2), model), nn.hinge_loss, X, y)
    with pytest.raises(ValueError, match="supports the losses .* for 'my_loss'"):
        CompiledStep(model, lambda_named("my_loss"), X, y)
    step = CompiledStep(model, nn.hinge_loss, X, [1] * 10)
    with pytest.raises(ValueError, match="labels must be -1 or 1"):
        step(model, X, y, nn.hinge_loss, model.parameters())
    classifier = nn.MLP(2, [4, 3])
    step = CompiledStep(classifier, nn.cross_entropy, X, y)
    with pytest.raises(ValueError, match="class indices 0 to 2"):
        step(classifier, X, [3] * 10, nn.cross_entropy, classifier.parameters())
    with pytest.raises(ValueError, match="2 target"):
        CompiledStep(model, nn.mse_loss, X, [[0.0, 1.0]] * 10)
    ragged = [*X[:3], [0.5], *X[4:]]
    with pytest.raises(ValueError, match=r"width 2, received width 1 \(sample 3\)"):
        CompiledStep(model, nn.hinge_loss, ragged, [1] * 10)
    step = CompiledStep(model, nn.hinge_loss, X, [1] * 10)
    with pytest.raises(ValueError, match=r"width 2, received width 3 \(sample 1\)"):
        step.evaluate(model, [[0.0, 1.0], [1.0, 2.0, 3.0]])


def lambda_named(name: str):
    def loss(outputs, targets):
        return nn.mse_loss(outputs, targets)

    loss.__name__ = name
    return loss


def test_dropout_in_training_mode_is_refused_by_compile() -> None:
    model = nn.Sequential(nn.Layer(2, 4), nn.Dropout(0.5), nn.Layer(4, 1, "linear"))
    with pytest.raises(autograd.TraceError, match="Dropout in training mode.*eval"):
        autograd.compile(lambda a, b: model([a, b]), [0.1, 0.2])
    model.eval()  # the identity: nothing random to freeze
    prog = autograd.compile(lambda a, b: model([a, b]), [0.1, 0.2])
    X = np.array([[0.5, -1.0], [2.0, 0.3]])
    expected = [model(list(row))[0].data for row in X]
    np.testing.assert_allclose(prog(X)[:, 0], expected, rtol=OUT_TOL, atol=OUT_TOL)
