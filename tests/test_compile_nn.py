"""nn.fit's compiled step equals nn.loss_and_grads; compiled="auto" falls back and says why."""

from __future__ import annotations

import math
import random
import re
import time

import numpy as np
import pytest

import autograd
import nn
from nn.compiled import CompiledStep, NotCompilable
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
    with pytest.raises(NotCompilable, match="supports the losses .* for 'my_loss'"):
        CompiledStep(model, lambda_named("my_loss"), X, y)
    step = CompiledStep(model, nn.hinge_loss, X, [1] * 10)
    with pytest.raises(ValueError, match="labels must be -1 or 1"):
        step(model, X, y, nn.hinge_loss, model.parameters())
    classifier = nn.MLP(2, [4, 3])
    step = CompiledStep(classifier, nn.cross_entropy, X, y)
    for targets, error in (([3] * 10, ValueError), ([1.5] * 10, TypeError)):
        with pytest.raises(error) as compiled_error:  # what the scalar path says
            step(classifier, X, targets, nn.cross_entropy, classifier.parameters())
        with pytest.raises(error) as scalar_error:
            nn.loss_and_grads(classifier, X, targets, nn.cross_entropy, classifier.parameters())
        assert str(compiled_error.value) == str(scalar_error.value)
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


def dropout_model(p: float = 0.5) -> nn.Module:
    """Two dropout layers: one drawing from Python's random, one from its own generator."""
    return nn.Sequential(nn.Layer(2, 8), nn.Dropout(p), nn.Layer(8, 8, "tanh"),
                         nn.Dropout(0.3, generator=random.Random(7)), nn.Layer(8, 1, "linear"))


def test_dropout_compiles_with_a_fresh_mask_per_sample_and_call() -> None:
    random.seed(0)
    model = dropout_model()
    prog = autograd.compile(lambda a, b: model([a, b]), [0.1, 0.2])
    assert "16 random" in repr(prog)
    X = np.tile([[0.5, -1.0]], (40, 1))  # one sample, 40 times
    random.seed(1)
    first, second = prog(X)[:, 0], prog(X)[:, 0]
    assert len(set(first.round(12))) > 5  # different masks for the same sample
    assert not np.allclose(first, second)  # and again at the next call
    random.seed(1)
    model.layers[3]._random.seed(7)
    scalar = [model(list(row))[0].data for row in np.concatenate([X, X])]
    np.testing.assert_allclose(np.concatenate([first, second]), scalar, rtol=OUT_TOL,
                               atol=OUT_TOL)  # fmt: skip
    model.eval()  # the identity: nothing random left
    prog = autograd.compile(lambda a, b: model([a, b]), [0.1, 0.2])
    assert "random" not in repr(prog)
    np.testing.assert_allclose(prog(X[:2])[:, 0], [model(list(X[0]))[0].data] * 2,
                               rtol=OUT_TOL, atol=OUT_TOL)  # fmt: skip


def twenty_steps(build, X, y, loss, compiled, **options) -> tuple[nn.History, list[float]]:
    """20 SGD steps of nn.fit from the same start (and the same global random state)."""
    random.seed(11)
    model = build().eval()  # fit trains in training mode whatever the mode it is given
    random.seed(12)
    history = nn.fit(model, X, y, loss, nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.5),
                     progress=False, seed=0, compiled=compiled, **options)  # fmt: skip
    return history, [p.data for p in model.parameters()] + [random.random()]


MOONS = nn.datasets.make_moons(50, noise=0.2, seed=6)
LOSSES = {  # loss: (model, targets)
    nn.cross_entropy: (lambda: nn.MLP(2, [6, 3]), [t + int(x[0] > 1.0) for x, t in zip(*MOONS)]),
    nn.mse_loss: (lambda: nn.MLP(2, [6, 2], "tanh"), [[float(t), 0.5 * t] for t in MOONS[1]]),
    nn.hinge_loss: (lambda: nn.MLP(2, [6, 1]), [2 * t - 1 for t in MOONS[1]]),
    nn.bce_with_logits: (lambda: nn.MLP(2, [6, 1]), MOONS[1]),
    nn.binary_cross_entropy: (lambda: nn.MLP(2, [6, 1], output_activation="sigmoid"),
                              MOONS[1]),
}  # fmt: skip


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("batching", [{"epochs": 20},  # full batch
                                      {"epochs": 5, "batch_size": 16},  # 16, 16, 16 and 2
                                      {"epochs": 10, "batch_size": 32, "l2": 1e-3}])  # fmt: skip
def test_compiled_fit_equals_the_scalar_fit_after_20_steps(loss, batching: dict) -> None:
    build, y = LOSSES[loss]
    runs = [twenty_steps(build, MOONS[0], y, loss, compiled, validation=(MOONS[0][:9], y[:9]),
                         **batching) for compiled in (False, True)]  # fmt: skip
    (scalar, scalar_weights), (compiled, compiled_weights) = runs
    np.testing.assert_allclose(compiled.train_loss, scalar.train_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled.val_loss, scalar.val_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled_weights, scalar_weights, rtol=1e-9, atol=1e-9)


def test_samples_that_are_numbers_compile_too() -> None:
    X = [0.1 * i - 1.0 for i in range(21)]  # one feature, each sample a plain number
    y = [abs(x) for x in X]
    runs = [twenty_steps(lambda: nn.MLP(1, [5, 1]), X, y, nn.mse_loss, compiled, epochs=4,
                         batch_size=5, validation=(X[:4], y[:4]))
            for compiled in (False, True)]  # fmt: skip
    (scalar, scalar_weights), (compiled, compiled_weights) = runs
    np.testing.assert_allclose(compiled.train_loss, scalar.train_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled.val_loss, scalar.val_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled_weights, scalar_weights, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("batching", [{"epochs": 20}, {"epochs": 5, "batch_size": 16}])
def test_dropout_fit_compiled_draws_the_scalar_masks(batching: dict) -> None:
    X, y = MOONS
    runs = [twenty_steps(dropout_model, X, y, nn.bce_with_logits, compiled, **batching)
            for compiled in (False, True)]  # fmt: skip
    (scalar, scalar_weights), (compiled, compiled_weights) = runs
    np.testing.assert_allclose(compiled.train_loss, scalar.train_loss, rtol=1e-9, atol=1e-12)
    # the weights, and the next number of Python's random: both consumed it alike
    np.testing.assert_allclose(compiled_weights, scalar_weights, rtol=1e-9, atol=1e-9)


class Branching(nn.Module):
    """A model whose Python code looks at a value: it cannot be traced."""

    def __init__(self) -> None:
        self.mlp = nn.MLP(2, [4, 1])

    def __call__(self, x):
        out = self.mlp(x)
        return out if out > 0 else 0.5 * out


SOFTPLUS = autograd.custom_op("softplus_i14", lambda x: math.log1p(math.exp(x)),
                              lambda x: 1.0 / (1.0 + math.exp(-x)))  # fmt: skip


class Softplus(nn.Module):
    """A model ending in a custom op written for floats only (no array form)."""

    def __init__(self) -> None:
        self.mlp = nn.MLP(2, [4, 1])

    def __call__(self, x):
        return SOFTPLUS(self.mlp(x))


def my_loss(outputs, targets):
    return nn.mse_loss(outputs, targets)


@pytest.mark.parametrize("build, loss, why", [
    (lambda: nn.MLP(2, [4, 1]), my_loss, "supports the losses .* for 'my_loss'"),
    (Branching, nn.mse_loss, r"uses a comparison \(>\) of a value computed from its inputs"),
    (Softplus, nn.mse_loss, "the op 'softplus_i14' has no array form"),
])  # fmt: skip
def test_auto_falls_back_to_the_scalar_engine_and_says_why_once(build, loss, why, capsys) -> None:
    X, y = MOONS[0][:20], [float(t) for t in MOONS[1][:20]]
    auto, auto_weights = twenty_steps(build, X, y, loss, "auto", epochs=4, batch_size=5)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nn.fit: training with the scalar engine")
    assert re.search(why, lines[0])
    scalar, scalar_weights = twenty_steps(build, X, y, loss, False, epochs=4, batch_size=5)
    assert capsys.readouterr().out == ""  # compiled=False: chosen, nothing to say
    assert auto_weights == scalar_weights and auto.train_loss == scalar.train_loss
    error = NotCompilable if loss is my_loss else autograd.TraceError
    with pytest.raises(error, match=why):
        twenty_steps(build, X, y, loss, True, epochs=1)
    with pytest.raises(ValueError, match="compiled must be True, False or 'auto', received 'yes'"):
        twenty_steps(build, X, y, loss, "yes", epochs=1)


def test_auto_compiles_quietly(capsys) -> None:
    X, y = MOONS
    auto, _ = twenty_steps(dropout_model, X, y, nn.bce_with_logits, "auto", epochs=2)
    forced, _ = twenty_steps(dropout_model, X, y, nn.bce_with_logits, True, epochs=2)
    assert capsys.readouterr().out == ""
    assert auto.train_loss == forced.train_loss


def test_random_input_only_while_tracing() -> None:
    with pytest.raises(RuntimeError, match="only while tracing"):
        autograd.trace.random_input(random.random, lambda u: u)


def test_binary_cross_entropy_clamps_like_the_scalar_path() -> None:
    X, y = MOONS[0][:12], MOONS[1][:12]
    random.seed(4)
    model = nn.MLP(2, [3, 1], activation="tanh", output_activation="sigmoid")
    for p in model.layers[1].parameters():
        p.data *= 900.0  # saturated: sigmoid gives exactly 0.0 or 1.0 for some samples
    outputs = [model(x).data for x in X]
    assert 0.0 in outputs and 1.0 in outputs
    assert_same_step(model, X, y, nn.binary_cross_entropy)
    linear = nn.MLP(2, [4, 1])  # outputs outside [0, 1]: refused by both paths
    step = CompiledStep(linear, nn.binary_cross_entropy, X, y)
    with pytest.raises(ValueError, match=r"probabilities must be in \[0, 1\]"):
        step(linear, X, y, nn.binary_cross_entropy, linear.parameters())
    with pytest.raises(ValueError, match=r"probabilities must be in \[0, 1\]"):
        nn.loss_and_grads(linear, X, y, nn.binary_cross_entropy, linear.parameters())


class Named(nn.Module):
    """A model whose samples are dicts: the scalar engine can train it, the compiled
    step cannot read it."""

    def __init__(self) -> None:
        self.mlp = nn.MLP(2, [3, 1])

    def __call__(self, x):
        return self.mlp([x["a"], x["b"]])


def test_auto_falls_back_for_samples_it_cannot_read(capsys) -> None:
    X = [{"a": a, "b": b} for a, b in MOONS[0][:10]]
    y = [float(t) for t in MOONS[1][:10]]
    auto, auto_weights = twenty_steps(Named, X, y, nn.mse_loss, "auto", epochs=2)
    (line,) = capsys.readouterr().out.splitlines()
    assert line == ("nn.fit: training with the scalar engine, not compiled: compiled training "
                    "reads samples that are lists of numbers (or numbers), not dict")
    scalar, scalar_weights = twenty_steps(Named, X, y, nn.mse_loss, False, epochs=2)
    assert auto_weights == scalar_weights
