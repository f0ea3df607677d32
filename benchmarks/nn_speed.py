"""nn speed: micrograd's demo step against chaingrad's, 100 demo steps, a digits epoch.

    python benchmarks/nn_speed.py [--rounds 7] [--epochs 5] [--strict]

1. One step of micrograd's demo (moons, 100 points, labels -1/1, MLP(2, [16, 16, 1]),
   loss = mean(relu(1 - y * score)) + 1e-4 * sum(p * p), zero_grad, backward, SGD with
   lr = 1.0 - 0.9 k / 100), in micrograd 0.1.0 and in chaingrad (``nn.loss_and_grads``
   plus ``SGD.step``, what ``nn.fit`` does per step), from the same initial weights.
   The two alternate; each figure is the minimum over rounds, measured with Python's
   cyclic garbage collector on (the default) and again with it paused while timed
   (as ``timeit`` does, and as ``nn.fit`` runs).  Goal: chaingrad >= 50x faster, as each
   runs (micrograd's loop with the collector on, chaingrad's step as in nn.fit); the
   ratios with the collector on for both and paused for both are printed too.
2. 100 such steps through ``nn.fit``.  Goal: >= 97% training accuracy.
3. Digits (scikit-learn's 8x8 images), MLP(64, [32, 10], tanh), softmax
   cross-entropy, SGD on one sample at a time (lr = 0.05 * 0.6^epoch) over a 75%
   training split.
   Goals: every epoch <= 10 s, >= 95% held-out accuracy after a few epochs.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import nn  # noqa: E402

SEED = 1337
STEPS = 100


def demo_lr(k: int) -> float:
    """micrograd's demo schedule."""
    return 1.0 - 0.9 * k / STEPS


def micrograd_step(model, X, y, k: int) -> float:
    """micrograd's demo step, as in its demo notebook; returns the training accuracy."""
    from micrograd.engine import Value as MValue

    inputs = [list(map(MValue, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    model.zero_grad()
    total_loss.backward()
    learning_rate = demo_lr(k)
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return sum(accuracy) / len(accuracy)


def chaingrad_step(model, optimizer, params, X, y, k: int) -> float:
    """The same step as ``nn.fit`` runs it; returns the training accuracy."""
    optimizer.lr = demo_lr(k)
    _, scores = nn.loss_and_grads(model, X, y, nn.hinge_loss, params,
                                  lambda: 1e-4 * nn.l2_penalty(params))  # fmt: skip
    optimizer.step()
    return sum((yi > 0) == (s > 0) for yi, s in zip(y, scores)) / len(y)


def timed(function, *args, gc_paused: bool) -> float:
    """Seconds for one call; with ``gc_paused`` the cyclic collector is off during the
    call (as in ``timeit``) and collects beforehand, untimed."""
    gc.collect()
    if gc_paused:
        gc.disable()
    try:
        start = time.perf_counter()
        function(*args)
        return time.perf_counter() - start
    finally:
        gc.enable()


def moons():
    X, labels = nn.datasets.make_moons(100, noise=0.1, seed=SEED)
    return X, [2 * t - 1 for t in labels]


def step_speed(rounds: int) -> float:
    """The speed-up of chaingrad's demo step over micrograd's, with the collector on
    (how both run by default); the collector-paused figures are printed as well."""
    try:
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        print("micrograd is not installed (pip install micrograd==0.1.0): step comparison skipped")
        return float("nan")
    X, y = moons()
    random.seed(SEED)
    theirs = MicrogradMLP(2, [16, 16, 1])
    random.seed(SEED)
    ours = nn.MLP(2, [16, 16, 1])  # the same initial weights
    params = ours.parameters()
    optimizer = nn.optim.SGD(params, lr=1.0)
    times: dict[tuple[str, bool], list[float]] = {}
    k = 0
    for gc_paused in (False, True):
        for _ in range(rounds):
            for name, step, args in (("micrograd", micrograd_step, (theirs, X, y, k)),
                                     ("chaingrad", chaingrad_step,
                                      (ours, optimizer, params, X, y, k))):  # fmt: skip
                times.setdefault((name, gc_paused), []).append(timed(step, *args,
                                                                     gc_paused=gc_paused))
            k += 1
    drift = max(abs(a.data - b.data) for a, b in zip(theirs.parameters(), params))
    best = {key: min(values) for key, values in times.items()}
    print(f"1. micrograd's demo step, same weights and data; min (median) of {rounds} "
          "alternating rounds")
    for gc_paused, title in ((False, "collector on (Python's default)"),
                             (True, "collector paused while timed (timeit)")):  # fmt: skip
        micro, chain = times["micrograd", gc_paused], times["chaingrad", gc_paused]
        print(f"   {title}:")
        print(f"     micrograd 0.1.0 {min(micro) * 1e3:9.1f} ms ({_median(micro) * 1e3:.1f})")
        print(f"     chaingrad       {min(chain) * 1e3:9.1f} ms ({_median(chain) * 1e3:.1f})")
    as_run = best["micrograd", False] / best["chaingrad", True]
    both_on = best["micrograd", False] / best["chaingrad", False]
    both_paused = best["micrograd", True] / best["chaingrad", True]
    print("   speed-up:")
    print(f"     as each runs (micrograd collector on, nn.fit's step paused) {as_run:6.1f}x"
          f"   goal >= 50x: {_verdict(as_run >= 50)}")
    print(f"     collector on for both                                       {both_on:6.1f}x"
          f"   goal >= 50x: {_verdict(both_on >= 50)}")
    print(f"     collector paused for both (pure computation)                {both_paused:6.1f}x")
    print("   (micrograd's closures make each graph cyclic, so only the collector frees it;")
    print("   chaingrad's graphs are acyclic, freed by reference counting as soon as unused.)")
    print(f"   after {k} identical steps the weights differ by at most {drift:.2e}")
    return as_run


def demo_training() -> float:
    X, y = moons()
    random.seed(SEED)
    model = nn.MLP(2, [16, 16, 1])
    optimizer = nn.optim.SGD(model.parameters(), lr=1.0)
    start = time.perf_counter()
    history = nn.fit(model, X, y, nn.hinge_loss, optimizer, epochs=STEPS, l2=1e-4,
                     lr_schedule=demo_lr, progress=False)  # fmt: skip
    seconds = time.perf_counter() - start
    final = nn.accuracy(model, X, y)
    print(f"2. {STEPS} demo steps with nn.fit: {seconds:.2f} s "
          f"({seconds / STEPS * 1e3:.1f} ms/step)")
    print(f"   final loss {history.train_loss[-1]:.4f}; training accuracy after the last step "
          f"{final:.1%} (goal >= 97%: {_verdict(final >= 0.97)})")  # fmt: skip
    return final


def digits_training(epochs: int) -> tuple[float, float]:
    if epochs < 1:
        print("3. digits skipped (--epochs 0)")
        return float("nan"), float("nan")
    try:
        X, y = nn.datasets.load_digits()
    except ImportError as error:
        print(f"3. digits skipped: {error}")
        return float("nan"), float("nan")
    X_train, X_test, y_train, y_test = nn.datasets.train_test_split(X, y, seed=0)
    random.seed(0)
    model = nn.MLP(64, [32, 10], activation="tanh", init="xavier")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05)
    marks = [time.perf_counter()]
    history = nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=epochs,
                     batch_size=1, validation=(X_test, y_test), seed=0, progress=False,
                     lr_schedule=lambda epoch: 0.05 * 0.6**epoch,
                     callback=lambda epoch, h: marks.append(time.perf_counter()))  # fmt: skip
    times = [b - a for a, b in zip(marks, marks[1:])]
    print(f"3. digits: MLP(64, [32, 10], tanh), plain SGD one sample at a time, "
          f"lr 0.05 * 0.6^epoch, "
          f"{len(X_train)} training / {len(X_test)} held-out images")
    for k, (t, acc, val) in enumerate(zip(times, history.train_accuracy, history.val_accuracy)):
        print(f"   epoch {k + 1}: {t:5.2f} s   train accuracy {acc:.1%}   held-out {val:.1%}")
    slowest, best = max(times), max(history.val_accuracy)
    print(f"   slowest epoch {slowest:.2f} s (goal <= 10 s: {_verdict(slowest <= 10)}); "
          f"best held-out accuracy {best:.1%}, last {history.val_accuracy[-1]:.1%} "
          f"(goal >= 95%: {_verdict(history.val_accuracy[-1] >= 0.95)})")  # fmt: skip
    return slowest, history.val_accuracy[-1]


def _median(xs: list[float]) -> float:
    return sorted(xs)[len(xs) // 2]


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per library")
    parser.add_argument("--epochs", type=int, default=5, help="digits epochs")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    ratio = step_speed(args.rounds)
    accuracy = demo_training()
    slowest, held_out = digits_training(args.epochs)
    missed = not (ratio >= 50 and accuracy >= 0.97 and slowest <= 10 and held_out >= 0.95)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
