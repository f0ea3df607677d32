"""nn.datasets, nn.fit, History, early stopping and accuracy."""

import hashlib
import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from nn import datasets


# -- datasets -------------------------------------------------------------------------------
@pytest.mark.parametrize("make, classes", [
    (datasets.make_moons, {0, 1}), (datasets.make_circles, {0, 1}),
    (datasets.make_xor, {0, 1}), (lambda n, seed: datasets.make_spirals(n, 4, seed=seed),
                                  {0, 1, 2, 3}),
    (lambda n, seed: datasets.make_blobs(n, centers=3, seed=seed), {0, 1, 2}),
])  # fmt: skip
def test_generators_shapes_labels_and_seeds(make, classes):
    X, y = make(101, seed=5)
    assert len(X) == len(y) == 101
    assert all(isinstance(row, list) and len(row) == 2 for row in X)
    assert all(isinstance(v, float) for row in X for v in row)
    assert set(y) == classes and all(type(t) is int for t in y)
    assert make(101, seed=5) == (X, y)
    assert make(101, seed=6) != (X, y)


def test_make_moons_without_noise_lies_on_the_half_circles():
    X, y = datasets.make_moons(10, noise=0.0, seed=0)
    assert sorted(y) == [0] * 5 + [1] * 5
    for (a, b), label in zip(X, y):
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - cx, b - cy) == pytest.approx(1.0)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_make_xor_labels_follow_the_signs():
    X, y = datasets.make_xor(200, seed=1)
    assert all(t == int((a > 0) != (b > 0)) for (a, b), t in zip(X, y))


def test_dataset_argument_errors():
    with pytest.raises(ValueError, match="n_samples must be at least 2, received 1"):
        datasets.make_moons(1)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        datasets.make_moons(10, noise=-0.1)
    with pytest.raises(TypeError, match="n_samples must be an int"):
        datasets.make_blobs(10.0)
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\)"):
        datasets.make_circles(10, factor=1.5)


def test_load_digits_ships_inside_chaingrad():
    X, y = datasets.load_digits()
    assert len(X) == len(y) == 1797 and all(len(row) == 64 for row in X)
    assert set(y) == set(range(10)) and all(type(t) is int for t in y)
    assert min(min(row) for row in X) == 0.0 and max(max(row) for row in X) == 1.0
    raw, labels = datasets.load_digits(normalize=False)
    assert labels == y and all(v == int(v) and 0 <= v <= 16 for row in raw for v in row)
    assert raw[0][:8] == [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]  # the top row of a 0
    assert y[:10] == list(range(10))


# SHA-256 of scikit-learn 1.x's load_digits(): data as float64 bytes, then target as int64
# bytes (computed from scikit-learn itself; the next test recomputes it where installed).
SKLEARN_DIGITS_SHA256 = "f6d9e39f37dc45d327f6db33428ee58970ccceabb2535a5c179de35886b70443"


def _digits_fingerprint(data, target) -> str:
    raw = np.asarray(data, dtype=np.float64).tobytes() + np.asarray(target, np.int64).tobytes()
    return hashlib.sha256(raw).hexdigest()


def test_load_digits_has_scikit_learns_images_and_labels_bit_for_bit():
    assert _digits_fingerprint(*datasets.load_digits(normalize=False)) == SKLEARN_DIGITS_SHA256


def test_load_digits_equals_scikit_learns():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    assert _digits_fingerprint(*sklearn_datasets.load_digits(return_X_y=True)) == (
        SKLEARN_DIGITS_SHA256)
    digits = sklearn_datasets.load_digits()
    X, y = datasets.load_digits(normalize=False)
    assert X == digits.data.tolist() and y == digits.target.tolist()
    assert datasets.load_digits()[0] == (digits.data / 16.0).tolist()


@given(st.integers(2, 60), st.floats(0.05, 0.95), st.integers(0, 3))
def test_train_test_split_partitions(n, fraction, seed):
    X = [[float(i)] for i in range(n)]
    y = list(range(n))
    n_test = math.ceil(fraction * n)
    if n_test >= n:
        with pytest.raises(ValueError, match=f"gives {n_test} test samples out of {n}"):
            datasets.train_test_split(X, y, test_size=fraction, seed=seed)
        return
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=fraction, seed=seed)
    assert len(y_te) == len(X_te) == n_test and len(y_tr) == n - n_test
    assert sorted(y_tr + y_te) == y
    assert all(row == [float(t)] for row, t in zip(X_tr + X_te, y_tr + y_te))


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="X has 3 samples but y has 2 labels"):
        datasets.train_test_split([[1], [2], [3]], [1, 2])
    with pytest.raises(ValueError, match="both parts must be non-empty"):
        datasets.train_test_split([[1], [2]], [1, 2], test_size=2)


@given(st.integers(1, 30), st.integers(1, 8), st.booleans())
def test_batches_cover_the_data_once(n, size, shuffle):
    X = [[i] for i in range(n)]
    y = list(range(n))
    got = list(datasets.batches(X, y, size, shuffle=shuffle, seed=0))
    assert all(len(b) == size for b, _ in got[:-1]) and 1 <= len(got[-1][0]) <= size
    labels = [t for _, yb in got for t in yb]
    assert sorted(labels) == y
    assert shuffle or labels == y
    assert all(xb == [[t] for t in yb] for xb, yb in got)


# -- fit ------------------------------------------------------------------------------------------
def moons(n=40, seed=0):
    X, y = datasets.make_moons(n, noise=0.1, seed=seed)
    return X, [2 * t - 1 for t in y]


def manual_step(model, X, y, lr, l2=0.0):
    loss = nn.hinge_loss([model(x) for x in X], y)
    if l2:
        loss = loss + l2 * nn.l2_penalty(model.parameters())
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad


def test_full_batch_fit_equals_the_hand_written_loop():
    X, y = moons()
    random.seed(1)
    a = nn.MLP(2, [8, 1])
    random.seed(1)
    b = nn.MLP(2, [8, 1])
    schedule = lambda k: 1.0 - 0.9 * k / 5  # noqa: E731
    history = nn.fit(a, X, y, nn.hinge_loss, nn.optim.SGD(a.parameters(), lr=1.0), epochs=5,
                     l2=1e-4, lr_schedule=schedule, progress=False, compiled=False)  # fmt: skip
    for k in range(5):
        manual_step(b, X, y, schedule(k), l2=1e-4)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert history.lr == [schedule(k) for k in range(5)]
    assert history.epochs == 5 and len(history.train_accuracy) == 5
    assert history.val_loss == [] and history.val_accuracy == []


def test_batch_size_one_is_per_sample_sgd_in_the_shuffled_order():
    X, y = moons(12)
    random.seed(2)
    a = nn.MLP(2, [4, 1])
    random.seed(2)
    b = nn.MLP(2, [4, 1])
    nn.fit(a, X, y, "hinge", nn.optim.SGD(a.parameters(), lr=0.1), epochs=2, batch_size=1,
           seed=3, progress=False, compiled=False)  # fmt: skip
    rng = random.Random(3)
    for _ in range(2):
        for xb, yb in datasets.batches(X, y, 1, seed=rng.getrandbits(64)):
            manual_step(b, xb, yb, 0.1)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_batch_gradient_is_the_mean_of_single_sample_gradients():
    X, y = moons(6)
    model = nn.MLP(2, [5, 1], activation="tanh")
    params = model.parameters()
    nn.loss_and_grads(model, X, y, nn.mse_loss, params)
    batch = [p.grad for p in params]
    total = [0.0] * len(params)
    for x, t in zip(X, y):
        nn.loss_and_grads(model, [x], [t], nn.mse_loss, params)
        total = [s + p.grad for s, p in zip(total, params)]
    assert batch == pytest.approx([s / len(X) for s in total], rel=1e-12, abs=1e-14)


def test_loss_and_grads_replays_its_tape_with_the_gradients_of_the_search(monkeypatch):
    """nn builds a batch's graph on autograd.tape: backward never searches it, and the
    gradients are the ones a plain backward of the same loss gives."""
    from autograd import fast_backward

    X, y = moons(30)
    random.seed(4)
    model = nn.MLP(2, [8, 8, 1])
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    nn.hinge_loss(model.forward_batch(X), y).backward()  # outside any tape: searched
    searched = [p.grad for p in params]
    monkeypatch.setattr(fast_backward, "search", lambda *args: pytest.fail("searched"))
    nn.loss_and_grads(model, X, y, nn.hinge_loss, params)
    assert [p.grad for p in params] == searched


def test_micrograd_demo_through_fit_reaches_97_percent():
    X, y = moons(100, seed=1337)
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    history = nn.fit(model, X, y, nn.hinge_loss, nn.optim.SGD(model.parameters(), lr=1.0),
                     epochs=100, l2=1e-4, lr_schedule=lambda k: 1.0 - 0.9 * k / 100,
                     progress=False)  # fmt: skip
    assert nn.accuracy(model, X, y) >= 0.97
    assert history.train_loss[-1] < history.train_loss[0] / 5


def test_multiclass_fit_with_validation_adam_and_progress_bar(capsys):
    X, y = datasets.make_blobs(90, centers=3, cluster_std=0.5, seed=0)
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, seed=0)
    random.seed(0)
    model = nn.MLP(2, [8, 3], activation="tanh")
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    history = nn.fit(model, X_tr, y_tr, nn.cross_entropy, optimizer, epochs=15, batch_size=8,
                     validation=(X_te, y_te), seed=0)  # fmt: skip
    assert len(history.val_loss) == len(history.val_accuracy) == 15
    assert history.val_accuracy[-1] == nn.accuracy(model, X_te, y_te) >= 0.9
    assert history.val_loss[-1] < history.val_loss[0]
    assert "val_acc" in capsys.readouterr().err
    nn.fit(model, X_tr, y_tr, "cross_entropy", nn.optim.SGD(model.parameters(), lr=0.01),
           epochs=1, progress=False)  # fmt: skip
    assert capsys.readouterr().err == ""


def test_early_stopping_restores_the_best_weights():
    X, y = moons(30)
    X_val, y_val = moons(30, seed=1)
    random.seed(4)
    model = nn.MLP(2, [8, 1])
    snapshots = []
    history = nn.fit(model, X, y, nn.hinge_loss, nn.optim.SGD(model.parameters(), lr=3.0),
                     epochs=60, validation=(X_val, y_val), early_stopping=3, progress=False,
                     callback=lambda k, h: snapshots.append(model.state_dict()))  # fmt: skip
    assert history.stopped_epoch is not None and history.epochs < 60
    best = history.best_epoch
    assert history.val_loss[best] == min(history.val_loss)
    assert history.epochs - 1 - best == 3
    assert model.state_dict() == snapshots[best]


def test_callback_can_stop_and_regression_has_no_accuracy():
    X = [[x / 10] for x in range(10)]
    y = [2 * x[0] + 1 for x in X]
    model = nn.MLP(1, [1], output_activation="linear")
    history = nn.fit(model, X, y, nn.mse_loss, nn.optim.SGD(model.parameters(), lr=0.3),
                     epochs=50, progress=False, callback=lambda k, h: k == 29)  # fmt: skip
    assert history.epochs == 30 and history.train_accuracy == []
    assert history.train_loss[-1] < 0.05


def test_fit_restores_mode_and_collector():
    import gc

    X, y = moons(8)
    model = nn.Sequential(nn.Layer(2, 4), nn.Dropout(0.2), nn.Layer(4, 1)).eval()
    assert gc.isenabled()
    nn.fit(model, X, y, "hinge", nn.optim.SGD(model.parameters(), lr=0.1), epochs=2,
           progress=False)  # fmt: skip
    assert not model.training and gc.isenabled()


def test_fit_penalties_add_to_the_objective():
    X, y = moons(10)
    random.seed(5)
    model = nn.MLP(2, [3, 1])
    params = model.parameters()
    l1, l2 = 0.01, 0.02
    start = [p.data for p in params]
    nn.fit(model, X, y, "hinge", nn.optim.SGD(params, lr=0.5), epochs=1, l1=l1, l2=l2,
           progress=False)  # fmt: skip
    for p, d in zip(params, start):
        p.data = d
    loss = nn.hinge_loss([model(x) for x in X], y) + l1 * nn.l1_penalty(params) + \
        l2 * nn.l2_penalty(params)
    model.zero_grad()
    loss.backward()
    expected = [p.data - 0.5 * p.grad for p in params]
    nn.fit(model, X, y, "hinge", nn.optim.SGD(params, lr=0.5), epochs=1, l1=l1, l2=l2,
           progress=False)  # fmt: skip
    assert [p.data for p in params] == pytest.approx(expected, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": -1}, ValueError, "epochs must be a whole number >= 0"),
    ({"batch_size": 0}, ValueError, "batch_size must be None or an int >= 1"),
    ({"loss": "mae"}, ValueError, "unknown loss 'mae'"),
    ({"loss": 3}, TypeError, "loss must be a function or a name"),
    ({"optimizer": "sgd"}, TypeError, "optimizer must be an nn.optim optimizer"),
    ({"y": [1, -1]}, ValueError, "X has 4 samples but y has 2 labels"),
    ({"validation": ([[0.0, 0.0]], [1, 1])}, ValueError, "X has 1 samples but y has 2"),
    ({"validation": [[0.0, 0.0]]}, TypeError, "validation must be a pair"),
    ({"early_stopping": 0}, ValueError, "patience must be at least 1"),
    ({"l2": -1.0}, ValueError, "l2 must be >= 0"),
    ({"loss": lambda out, y: 1.0}, TypeError, "must return a Value, not float"),
])  # fmt: skip
def test_fit_errors(kwargs, error, message):
    model = nn.MLP(2, [2, 1])
    arguments = {"X": [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.0, 0.0]], "y": [1, -1, 1, -1],
                 "loss": "hinge", "optimizer": nn.optim.SGD(model.parameters(), lr=0.1),
                 "epochs": 1, "progress": False, **kwargs}  # fmt: skip
    before = model.state_dict()
    with pytest.raises(error, match=message):
        nn.fit(model, **arguments)
    assert model.state_dict() == before


# -- accuracy --------------------------------------------------------------------------------------
def test_accuracy_rules():
    class Fixed(nn.Module):
        def __init__(self, out):
            self.out = out

        def __call__(self, x):
            return [autograd.Value(v) for v in self.out[x[0]]]

    scores = Fixed({0: [0.3], 1: [-0.2], 2: [0.7]})
    assert nn.accuracy(scores, [[0], [1], [2]], [1, -1, -1]) == pytest.approx(2 / 3)
    assert nn.accuracy(scores, [[0], [1], [2]], [1, 0, 0]) == pytest.approx(2 / 3)
    assert nn.accuracy(scores, [[0], [1], [2]], [0, 0, 1], threshold=0.5) == 1.0
    classes = Fixed({0: [0.1, 0.9, 0.0], 1: [2.0, 1.0, 0.0]})
    assert nn.accuracy(classes, [[0], [1]], [1, 1]) == 0.5
    probs = nn.MLP(2, [1], output_activation="sigmoid")
    probs.layers[0].neurons[0].b.data = 0.1  # sigmoid outputs just above 0.5 for x = 0
    probs.layers[0].neurons[0].w[0].data = probs.layers[0].neurons[0].w[1].data = 0.0
    assert nn.accuracy(probs, [[0.0, 0.0]], [1]) == 1.0
    probs.layers[0].neurons[0].b.data = -0.1  # sigmoid output 0.475: class 0 at threshold 0.5
    assert nn.accuracy(probs, [[0.0, 0.0]], [0]) == 1.0
    with pytest.raises(ValueError, match="needs at least one sample"):
        nn.accuracy(probs, [], [])


def test_numpy_arrays_are_accepted_as_data():
    np = pytest.importorskip("numpy")
    X, y = moons(20)
    random.seed(6)
    a = nn.MLP(2, [4, 1])
    random.seed(6)
    b = nn.MLP(2, [4, 1])
    nn.fit(a, np.array(X), np.array(y), "hinge", nn.optim.SGD(a.parameters(), lr=0.1),
           epochs=2, validation=(np.array(X), np.array(y)), progress=False)  # fmt: skip
    nn.fit(b, X, y, "hinge", nn.optim.SGD(b.parameters(), lr=0.1), epochs=2, progress=False)
    assert a.state_dict() == b.state_dict()
    assert nn.accuracy(a, np.array(X), np.array(y)) == nn.accuracy(b, X, y)
    assert a(np.array(X[0])).data == b(X[0]).data
    with pytest.raises(TypeError, match="X and y must be lists"):
        nn.fit(a, {1: 2}, [1], "hinge", nn.optim.SGD(a.parameters(), lr=0.1), epochs=1)


def test_predict_gives_the_classes_accuracy_counts():
    model = nn.MLP(2, [3, 1], output_activation="sigmoid")
    X = [[0.1, 0.2], [-1.0, 2.0], [3.0, -0.5]]
    classes = nn.predict(model, X)
    assert set(classes) <= {0, 1} and len(classes) == 3
    assert nn.accuracy(model, X, classes) == 1.0
    scores = nn.MLP(2, [3, 4])
    picked = nn.predict(scores, X)
    assert picked == [max(range(4), key=[v.data for v in scores(x)].__getitem__) for x in X]


def test_nan_in_the_data_is_named_by_position() -> None:
    model = nn.MLP(2, [2, 1])
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"fit: X\[1\]\[0\] is NaN"):
        nn.fit(model, [[0.0, 1.0], [float("nan"), 0.0]], [0, 1], "mse", opt, 1, progress=False)
    with pytest.raises(ValueError, match=r"fit: y\[0\] is NaN"):
        nn.fit(model, [[0.0, 1.0]], [float("nan")], "mse", opt, 1, progress=False)
