"""A model learning from data an epoch at a time: the playground's training, with no view
(TensorFlow Playground's ``nn.ts`` beside its ``playground.ts``).

:class:`Session` makes the points and an ``nn.MLP`` from a :class:`Setup` -- or trains the
learner's own model, loss and optimizer on their own data.  Each point (x1, x2) is fed to
the network as the setup's features (x1, x2, x1², x2², x1·x2, sin x1, sin x2).  One epoch
is what ``nn.fit`` does in one: shuffled mini-batches of ``batch_size``, each a step of
the optimizer on

    L = loss(outputs, targets) + rate * sum_p |p|   (L1)   or   + rate * sum_p p^2   (L2),

on the compiled path (:class:`nn.compiled.CompiledStep`: one traced sample replayed over
each batch with numpy), or on the scalar engine when the model cannot be compiled.
After each epoch the train and test losses are measured on every point, in evaluation
mode.  What a picture needs is read from the session by :mod:`viz.playground.frames`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

import nn
from autograd import no_grad
from nn.checks import plain_output
from nn.compiled import CompiledStep
from nn.module import in_mode

from ..stages import stages
from .state import Setup

# the features a point (x1, x2) can be fed as, on numpy columns
FEATURE_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}

# the controls a learner's own model, data or optimizer decide instead
MODEL_CONTROLS = ("hidden", "activation", "features")
DATA_CONTROLS = ("data", "problem", "noise", "points")


def features(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The feature columns ``names`` of 2-D ``points``: shape (n, len(names))."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURE_FUNCTIONS[name](x1, x2) for name in names], axis=1)


def make_data(setup: Setup) -> tuple[np.ndarray, list]:
    """The setup's points and targets: ``setup.points`` of ``setup.data`` with its noise,
    drawn from ``setup.seed`` (class labels 0 / 1, or regression targets)."""
    n, noise, seed = setup.points, setup.noise, setup.seed
    makers: dict[str, Callable[[], tuple[list, list]]] = {
        "circle": lambda: nn.datasets.make_circles(n, noise=noise / 2, seed=seed),
        "xor": lambda: nn.datasets.make_xor(n, noise=noise / 2, seed=seed),
        "gauss": lambda: nn.datasets.make_blobs(n, centers=[[-0.6, -0.6], [0.6, 0.6]],
                                                cluster_std=0.15 + noise, seed=seed),
        "spiral": lambda: nn.datasets.make_spirals(n, n_classes=2, noise=noise, seed=seed),
        "moons": lambda: nn.datasets.make_moons(n, noise=noise, seed=seed),
        "plane": lambda: nn.datasets.make_plane(n, noise=noise / 2, seed=seed),
        "bumps": lambda: nn.datasets.make_bumps(n, noise=noise / 2, seed=seed),
    }  # fmt: skip
    X, y = makers[setup.data]()
    return np.asarray(X, dtype=float), list(y)


@contextmanager
def _seeded(seed: int):
    """Python's global ``random`` seeded for the duration (nn draws initial weights from
    it), then put back as it was: the learner's own random state is not disturbed."""
    saved = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved)


def _default_loss(y: Sequence, width: int) -> Callable:
    """The loss for targets ``y`` and a model of ``width`` outputs: cross-entropy for
    several outputs, the hinge loss for labels -1 / 1, binary cross-entropy on the logit
    for 0 / 1, mean squared error for anything else."""
    labels = set(y)
    if width > 1:
        return nn.cross_entropy
    if labels <= {-1, 1}:
        return nn.hinge_loss
    if labels <= {0, 1}:
        return nn.bce_with_logits
    return nn.mse_loss


class Session:
    """The state of one playground run: data, model, optimizer, epoch and loss history.

    ``model``, ``X``, ``y``, ``loss`` and ``optimizer`` are the learner's own (each may
    be None: the setup makes it).  ``locked`` names the controls they decide.
    """

    def __init__(self, setup: Setup, model: Any = None, X: Any = None, y: Any = None,
                 loss: Callable | str | None = None, optimizer: nn.optim.Optimizer | None = None
                 ) -> None:  # fmt: skip
        if (X is None) != (y is None):
            raise ValueError("Playground: give both X and y, or neither (the setup's data)")
        if optimizer is not None and model is None:
            raise ValueError("Playground: an optimizer needs the model it optimizes")
        if optimizer is not None and not isinstance(optimizer, nn.optim.Optimizer):
            raise TypeError(f"Playground: optimizer must be an nn.optim optimizer, not "
                            f"{type(optimizer).__name__}")  # fmt: skip
        if model is not None and not callable(getattr(model, "parameters", None)):
            raise TypeError(f"Playground: model must be an nn module, not {type(model).__name__}")
        for kind, given, passing in (("model", model, "model=..."), ("data", X, "X=..., y=...")):
            if kind in setup.own and given is None:
                raise ValueError(f"Playground: this setup trains the learner's own {kind}: "
                                 f"give it too, Playground.from_setup(setup, {passing})")
        setup = setup.replace(own=tuple(kind for kind, given in (("model", model), ("data", X))
                                        if given is not None))  # fmt: skip
        self._own_model, self._own_optimizer, self._own_loss = model, optimizer, loss
        self._own_data = None if X is None else _own_data(X, y)
        self._initial = None if model is None else (model.state_dict(), optimizer and
                                                    optimizer.state_dict())  # fmt: skip
        self.locked = tuple((MODEL_CONTROLS if model is not None else ())
                            + (DATA_CONTROLS if X is not None else ()))  # fmt: skip
        self.setup = setup
        self.reset()

    # -- building -------------------------------------------------------------------------
    def reset(self) -> None:
        """Epoch 0: the data drawn again, the model made again from the seed (the learner's
        own put back to its weights and optimizer state at the start)."""
        setup = self.setup
        if self._own_data is not None:
            points, targets = self._own_data
        else:
            points, targets = make_data(setup)
        self.points, self.targets = points, targets
        self.two_d = points.shape[1] == 2
        rows = features(points, setup.features) if self._own_data is None else points
        split = np.random.default_rng(setup.seed).permutation(len(rows))
        n_train = min(max(1, round(len(rows) * setup.train_percent / 100)), len(rows) - 1)
        self.train_index, self.test_index = split[:n_train], split[n_train:]
        self.X_train = rows[self.train_index].tolist()  # rows as lists: CompiledStep's form
        self.X_test = rows[self.test_index].tolist()
        self.y_train = [targets[i] for i in self.train_index]
        self.y_test = [targets[i] for i in self.test_index]
        self.model = self._model(rows.shape[1])
        wants = _input_width(self.model, rows.shape[1])
        if wants != rows.shape[1]:
            fed = f"{rows.shape[1]} features ({', '.join(setup.features)})" \
                if self._own_data is None else f"samples of {rows.shape[1]} numbers"  # fmt: skip
            raise ValueError(f"Playground: the model takes {wants} inputs but is fed {fed}: "
                             f"choose as many features, or give your own X")  # fmt: skip
        self.width = width = len(_as_list(_evaluate_one(self.model, self.X_train[0])))
        loss = self._own_loss or _default_loss(targets, width)
        self.loss = nn.LOSSES[loss] if isinstance(loss, str) else loss
        self.classification = self.loss is not nn.mse_loss
        if self._own_optimizer is not None:
            self.optimizer = self._own_optimizer
            if self._initial and self._initial[1] is not None:
                self.optimizer.load_state_dict(self._initial[1])
        else:
            self.optimizer = nn.optim.SGD(self.model.parameters(), lr=setup.lr)
        self.optimizer.lr = setup.lr
        self.params = list({id(p): p for p in [*self.model.parameters(),
                                               *self.optimizer.params]}.values())  # fmt: skip
        self._rng = random.Random(setup.seed)
        self._dropout = any(isinstance(m, nn.Dropout) for m in self.model.modules())
        self.epoch = 0
        self.train_losses: list[float] = []
        self.test_losses: list[float] = []
        self._compile()
        self._measure()

    def _model(self, width: int) -> Any:
        """The learner's model (its starting weights put back), or an MLP from the setup."""
        if self._own_model is not None:
            if self._initial:
                self._own_model.load_state_dict(self._initial[0])
            return self._own_model
        setup = self.setup
        init = "he" if setup.activation == "relu" else "xavier"
        with _seeded(setup.seed):
            return nn.MLP(width, [*setup.hidden, 1], activation=setup.activation, init=init)

    def _compile(self) -> None:
        """The training step: compiled where the model and loss can be traced, else the
        scalar engine (``engine`` says which, ``engine_note`` why)."""
        setup = self.setup
        rate = setup.reg_rate if setup.regularization != "none" else 0.0
        params = self.model.parameters()
        penalty = None
        if rate and setup.regularization == "L1":
            penalty = lambda: rate * nn.l1_penalty(params)  # noqa: E731
        elif rate:
            penalty = lambda: rate * nn.l2_penalty(params)  # noqa: E731
        self._penalty = penalty
        try:
            self._step: CompiledStep | None = CompiledStep(self.model, self.loss, self.X_train,
                                                           self.y_train, penalty)  # fmt: skip
            self.engine, self.engine_note = "compiled", ""
        except (TypeError, ValueError) as error:  # TraceError and NotCompilable among them
            self._step = None
            self.engine, self.engine_note = "scalar", " ".join(str(error).split())

    def configure(self, setup: Setup) -> bool:
        """Take a new setup; True when it starts training over (new data, network or
        features), False when training goes on (learning rate, batch size,
        regularization, hidden controls)."""
        # what the learner gave stays theirs: no page or address changes ``own``
        old, self.setup = self.setup, setup.replace(own=self.setup.own)
        setup = self.setup
        keep = ("lr", "batch_size", "regularization", "reg_rate", "hide")
        if all(getattr(old, f) == getattr(setup, f) for f in vars(setup) if f not in keep):
            self.optimizer.lr = setup.lr
            if (old.regularization, old.reg_rate) != (setup.regularization, setup.reg_rate):
                self._compile()
            return False
        self.reset()
        return True

    # -- training -----------------------------------------------------------------------
    def train(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs (each: shuffled batches, one optimizer step per batch),
        then measure the losses.  An ArithmeticError or ValueError (a step overflowed: the
        learning rate is too large) leaves the weights of the last good step."""
        for _ in range(epochs):
            batch_size = min(self.setup.batch_size, len(self.X_train))
            order = nn.datasets.batches(self.X_train, self.y_train, batch_size,
                                        seed=self._rng.getrandbits(64))  # fmt: skip
            if self._step is not None:
                with self._step.epoch(self.optimizer, self.params) as step:
                    for Xb, yb in order:
                        step(Xb, yb)
            else:
                for Xb, yb in order:
                    nn.loss_and_grads(self.model, Xb, yb, self.loss, self.params, self._penalty)
                    self.optimizer.step()
            self.epoch += 1
            self._measure()

    def _measure(self) -> None:
        """Append the loss on the train and the test points (evaluation mode, no penalty)."""
        self.train_losses.append(self._loss(self.X_train, self.y_train))
        self.test_losses.append(self._loss(self.X_test, self.y_test))

    def _loss(self, X: list, y: list) -> float:
        if self._step is not None and not self._dropout:
            # Fast path: the compiled step's own program, its column 1 being each sample's
            # loss term (its rows encoded by the step itself); the same floats as the loss
            value = float(self._step.program(self._step._batch(X, y))[:, 1].mean())
        else:
            value = self.loss(self.outputs(X), y).item()
        if not math.isfinite(value):
            raise OverflowError(f"the loss is {value}: training diverged")
        return value

    def outputs(self, X: list) -> list:
        """The model's outputs on rows ``X`` as floats, in evaluation mode."""
        if self._step is not None:
            return self._step.evaluate(self.model, X)
        with in_mode(self.model, training=False), no_grad():
            return [plain_output(self.model(x)) for x in X]


def _own_data(X: Any, y: Any) -> tuple[np.ndarray, list]:
    """The learner's X as an (n, width) array of finite numbers, and y as a list."""
    X = X.tolist() if hasattr(X, "tolist") else X
    y = y.tolist() if hasattr(y, "tolist") else list(y)
    try:
        points = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("Playground: X must be a list of samples, each a list of numbers") \
            from None  # fmt: skip
    if points.ndim != 2 or len(points) < 2:
        raise ValueError(f"Playground: X must hold at least 2 samples of numbers, got shape "
                         f"{points.shape}")  # fmt: skip
    if not np.isfinite(points).all():
        raise ValueError("Playground: X holds a number that is not finite")
    if len(y) != len(points):
        raise ValueError(f"Playground: X has {len(points)} samples but y has {len(y)} labels")
    return points, y


def _input_width(model: Any, default: int) -> int:
    """How many inputs ``model`` takes: its first layer's (any MLP-like stack,
    :func:`viz.stages.stages`), else its ``nin``, else ``default`` (not known)."""
    try:
        return stages(model)[0].inputs
    except (TypeError, ValueError, IndexError):
        return getattr(model, "nin", default)


def _as_list(output: Any) -> list:
    return list(output) if isinstance(output, (list, tuple)) else [output]


def _evaluate_one(model: Any, row: list) -> Any:
    with in_mode(model, training=False), no_grad():
        return model(row)
