"""Toy data sets, splitting and batching; everything is plain Python lists.

Every generator draws from its own ``random.Random(seed)`` (``seed=None``: a fresh
unpredictable one), so a seed reproduces the data without touching the global
``random`` that model initialisation uses.  Each returns ``(X, y)``: ``X`` a list of
feature lists, ``y`` a list of integer class labels (of numbers for the regression sets
:func:`make_plane` and :func:`make_bumps`).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
from collections.abc import Iterator, Sequence
from importlib import resources

from .checks import non_negative, whole_number

DIGITS_FILE = "digits.csv.gz"  # 1797 rows: pixel00..pixel77, digit


def _linspace(start: float, stop: float, n: int) -> list[float]:
    """n evenly spaced points from start to stop inclusive (numpy.linspace)."""
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1)
    return [start + i * step for i in range(n)]


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random,
            shuffle: bool = True) -> tuple[list[list[float]], list[int]]:  # fmt: skip
    """Shuffle (x, y, label) triples, add Gaussian noise N(0, noise^2) to each coordinate."""
    if shuffle:
        rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] if noise else [x, y]
         for x, y, _ in points]  # fmt: skip
    return X, [label for _, _, label in points]


def make_moons(n_samples: int = 100, noise: float = 0.1,
               seed: int | None = None) -> tuple[list[list[float]], list[int]]:  # fmt: skip
    """Two interleaving half circles (sklearn.datasets.make_moons): label 0 on
    (cos t, sin t), label 1 on (1 - cos t, 1/2 - sin t), t in [0, pi]; the first
    gets n_samples // 2 points, the second the rest."""
    whole_number("n_samples", n_samples, 2)
    noise = non_negative("noise", noise)
    rng = random.Random(seed)
    n_out = n_samples // 2
    outer = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, math.pi, n_out)]
    inner = [(1.0 - math.cos(t), 0.5 - math.sin(t), 1)
             for t in _linspace(0.0, math.pi, n_samples - n_out)]  # fmt: skip
    return _finish(outer + inner, noise, rng)


def make_circles(n_samples: int = 100, noise: float = 0.05, factor: float = 0.5,
                 seed: int | None = None) -> tuple[list[list[float]], list[int]]:  # fmt: skip
    """A large circle (label 0, radius 1) around a small one (label 1, radius ``factor``)."""
    whole_number("n_samples", n_samples, 2)
    noise = non_negative("noise", noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1), received {factor}")
    rng = random.Random(seed)
    n_out = n_samples // 2

    def circle(n: int, radius: float, label: int) -> list[tuple[float, float, int]]:
        angles = [2.0 * math.pi * i / n for i in range(n)]
        return [(radius * math.cos(a), radius * math.sin(a), label) for a in angles]

    return _finish(circle(n_out, 1.0, 0) + circle(n_samples - n_out, factor, 1), noise, rng)


def make_xor(n_samples: int = 100, noise: float = 0.0,
             seed: int | None = None) -> tuple[list[list[float]], list[int]]:  # fmt: skip
    """Points uniform in [-1, 1]^2; label 1 where x and y have different signs, else 0."""
    whole_number("n_samples", n_samples)
    noise = non_negative("noise", noise)
    rng = random.Random(seed)
    points = []
    for _ in range(n_samples):
        x, y = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        points.append((x, y, int((x > 0.0) != (y > 0.0))))
    return _finish(points, noise, rng, shuffle=False)


def make_spirals(n_samples: int = 100, n_classes: int = 3, noise: float = 0.2,
                 seed: int | None = None) -> tuple[list[list[float]], list[int]]:  # fmt: skip
    """``n_classes`` interleaved spiral arms (the CS231n spiral data): arm k has radius
    r in [0, 1] and angle 4k + 4r (+ Gaussian noise of std ``noise`` on the angle)."""
    whole_number("n_samples", n_samples)
    whole_number("n_classes", n_classes, 2)
    noise = non_negative("noise", noise)
    rng = random.Random(seed)
    points = []
    for k in range(n_classes):
        n = n_samples // n_classes + (k < n_samples % n_classes)
        for r in _linspace(0.0, 1.0, n) if n else []:
            angle = 4.0 * (k + r) + (rng.gauss(0.0, noise) if noise else 0.0)
            points.append((r * math.sin(angle), r * math.cos(angle), k))
    return _finish(points, 0.0, rng)


def make_blobs(n_samples: int = 100, centers: int | Sequence[Sequence[float]] = 3,
               n_features: int = 2, cluster_std: float = 1.0,
               center_box: tuple[float, float] = (-10.0, 10.0),
               seed: int | None = None) -> tuple[list[list[float]], list[int]]:  # fmt: skip
    """Gaussian clusters (sklearn.datasets.make_blobs): ``centers`` is a count (centres
    drawn uniform in ``center_box``) or a list of centres; cluster k gets label k."""
    whole_number("n_samples", n_samples)
    cluster_std = non_negative("cluster_std", cluster_std)
    rng = random.Random(seed)
    if isinstance(centers, int):
        whole_number("centers", centers)
        whole_number("n_features", n_features)
        centers = [[rng.uniform(*center_box) for _ in range(n_features)] for _ in range(centers)]
    centers = [list(map(float, c)) for c in centers]
    if not centers:
        raise ValueError("make_blobs: centers must not be empty")
    X, y = [], []
    for i in range(n_samples):
        k = i % len(centers)
        X.append([c + rng.gauss(0.0, cluster_std) for c in centers[k]])
        y.append(k)
    order = list(range(n_samples))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def _uniform_square(n_samples: int, rng: random.Random) -> list[tuple[float, float]]:
    """``n_samples`` points uniform in [-1, 1]^2."""
    return [(rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)) for _ in range(n_samples)]


def make_plane(n_samples: int = 100, noise: float = 0.0,
               seed: int | None = None) -> tuple[list[list[float]], list[float]]:  # fmt: skip
    """Regression on a tilted plane: points uniform in [-1, 1]^2 and the target
    y = (x1 + x2) / 2 + N(0, noise^2), in [-1, 1] without noise."""
    whole_number("n_samples", n_samples)
    noise = non_negative("noise", noise)
    rng = random.Random(seed)
    X, y = [], []
    for x1, x2 in _uniform_square(n_samples, rng):
        X.append([x1, x2])
        y.append((x1 + x2) / 2.0 + (rng.gauss(0.0, noise) if noise else 0.0))
    return X, y


BUMPS = ((-0.5, -0.5, 1.0), (0.5, 0.5, 1.0), (-0.5, 0.5, -1.0), (0.5, -0.5, -1.0))
"""make_bumps' Gaussian bumps: (centre x1, centre x2, height)."""


def make_bumps(n_samples: int = 100, noise: float = 0.0, width: float = 0.3,
               seed: int | None = None) -> tuple[list[list[float]], list[float]]:  # fmt: skip
    """Regression on four Gaussian bumps: points uniform in [-1, 1]^2 and the target
    y = sum_k h_k exp(-|x - c_k|^2 / (2 width^2)) + N(0, noise^2), with hills (h = 1)
    at (-1/2, -1/2) and (1/2, 1/2) and valleys (h = -1) at the other two corners of
    that square."""
    whole_number("n_samples", n_samples)
    noise = non_negative("noise", noise)
    if not width > 0.0:
        raise ValueError(f"width must be > 0, received {width}")
    rng = random.Random(seed)
    X, y = [], []
    for x1, x2 in _uniform_square(n_samples, rng):
        height = sum(h * math.exp(-((x1 - c1) ** 2 + (x2 - c2) ** 2) / (2.0 * width**2))
                     for c1, c2, h in BUMPS)  # fmt: skip
        X.append([x1, x2])
        y.append(height + (rng.gauss(0.0, noise) if noise else 0.0))
    return X, y


def load_digits(normalize: bool = True) -> tuple[list[list[float]], list[int]]:
    """The 1797 8x8 handwritten digits of the UCI "Optical Recognition of Handwritten
    Digits" test set (CC BY 4.0; the same images, labels and order as scikit-learn's
    ``load_digits``), shipped inside chaingrad: 64 pixel values per image, row by row
    (0..16, divided by 16 when ``normalize``), and labels 0..9.  See ``nn/data/README.md``.
    """
    source = resources.files(__package__).joinpath("data", DIGITS_FILE)
    with gzip.open(io.BytesIO(source.read_bytes()), "rt", encoding="ascii") as file:
        rows = list(csv.reader(file))[1:]  # after the header line
    scale = 1.0 / 16.0 if normalize else 1.0
    X = [[int(v) * scale for v in row[:-1]] for row in rows]
    return X, [int(row[-1]) for row in rows]


def _check_pair(X: Sequence, y: Sequence) -> None:
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels")


def train_test_split(X: Sequence, y: Sequence, test_size: float = 0.25,
                     shuffle: bool = True, seed: int | None = None
                     ) -> tuple[list, list, list, list]:  # fmt: skip
    """``(X_train, X_test, y_train, y_test)`` like sklearn's: ``test_size`` is a fraction
    in (0, 1) (the test set gets ceil(test_size * n) samples) or a count."""
    _check_pair(X, y)
    n = len(X)
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), received {test_size}")
        n_test = math.ceil(test_size * n)
    else:
        n_test = whole_number("test_size", test_size)
    if not 0 < n_test < n:
        raise ValueError(f"test_size gives {n_test} test samples out of {n}; "
                         "both parts must be non-empty")  # fmt: skip
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    train, test = order[: n - n_test], order[n - n_test :]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def batches(X: Sequence, y: Sequence, batch_size: int, shuffle: bool = True,
            seed: int | None = None) -> Iterator[tuple[list, list]]:  # fmt: skip
    """Consecutive ``(X_batch, y_batch)`` of ``batch_size`` samples (the last may be
    smaller), in an order shuffled by ``random.Random(seed)`` unless ``shuffle=False``."""
    _check_pair(X, y)
    whole_number("batch_size", batch_size)
    order = list(range(len(X)))
    if shuffle:
        random.Random(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        yield [X[i] for i in chunk], [y[i] for i in chunk]
