"""Compiled batch mode benchmark (issues 7 and 14): micrograd's demo step and a wider MLP.

    .venv/bin/python benchmarks/compiled_speed.py [--sizes 100 1000 10000]

1. The step is micrograd's demo (100 moons points, MLP(2, [16, 16, 1]), hinge loss plus
1e-4 * sum(p * p), zero_grad, forward and backward) with the same initial weights for
every contender:
* micrograd itself (the goal: compiled >= 1000x faster);
* ``autograd.compile`` of the one-sample loss, replayed with ``prog.backward(X)``;
* torch's vectorized step on the same weights, where torch is installed (goal: the
  compiled step within 5x of it).
Before timing, the compiled loss and gradients are checked against micrograd's.

2. Forward + backward of ``nn.MLP(64, [128, 128, 10])`` with cross-entropy (one-hot
targets as traced inputs, the batch mean) at batch 100, 1 000 and 10 000, three ways
on the same weights and data: ``autograd.compile`` two ways -- the Values path
(``prog.backward(X, accumulate=False)`` reads every Value's data and sets its grad, as
torch's step sets every tensor's) and the array path (``prog.value_and_grad(X, theta)``
on a parameter array, what ``nn.fit`` trains with) -- torch's vectorized step and a
hand-written numpy forward + backward.  Goals: compiled <= torch, and <= 2x numpy, at
every size.

Everything runs on one thread (float64): BLAS threads fighting over a shared machine
only add noise.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Callable

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads its BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))

from common import (  # noqa: E402
    best_times,
    micrograd_step_function,
    moons,
    paused_time,
    report,
    verdict,
)
from engine_speed import chaingrad_weights, forward  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd import Value  # noqa: E402
from nn.compiled import _cross_entropy_term  # noqa: E402

ALPHA = 1e-4


def compiled_step_function() -> tuple[Callable[[], float], Callable[[], list[float]]]:
    """The demo step through autograd.compile, and the scalar engine's gradients for it."""
    X, y = moons()
    layers = chaingrad_weights()
    params = [p for layer in layers for w, b, _ in layer for p in (*w, b)]

    def loss(x0: Value, x1: Value, label: Value) -> Value:
        """One sample's hinge loss plus the penalty (the batch mean adds it once)."""
        score = forward(layers, [x0, x1])
        return (1.0 - label * score).relu() + ALPHA * autograd.sum([p * p for p in params])

    batch = np.column_stack([np.array(X), np.array(y, dtype=float)])
    prog = autograd.compile(loss, batch[0])

    def step() -> float:
        for p in params:
            p.grad = 0.0
        return float(prog.backward(batch).mean())

    def scalar_gradients() -> list[float]:
        for p in params:
            p.grad = 0.0
        total = autograd.sum([loss(*map(Value, row)) for row in batch.tolist()])
        (total / len(batch)).backward()
        return [p.grad for p in params]

    def compiled_gradients() -> list[float]:
        step()
        return [p.grad for p in params]

    return step, lambda: (scalar_gradients(), compiled_gradients())


def torch_step_function() -> Callable[[], float] | None:
    """The same step with torch tensors (one matmul per layer), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # tensors of 100 x 16: threads only add overhead
    X, y = moons()
    layers = chaingrad_weights()
    weights = [(torch.tensor([[v.data for v in w] for w, _, _ in layer], dtype=torch.float64,
                             requires_grad=True),
                torch.tensor([b.data for _, b, _ in layer], dtype=torch.float64,
                             requires_grad=True), layer[0][2]) for layer in layers]  # fmt: skip
    params = [t for w, b, _ in weights for t in (w, b)]
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)

    def step() -> float:
        h = Xt
        for w, b, relu in weights:
            h = h @ w.T + b
            h = torch.relu(h) if relu else h
        total = torch.relu(1 - yt * h[:, 0]).mean() + ALPHA * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        total.backward()
        return total.item()

    return step


WIDTHS = (64, [128, 128, 10])


def mlp_problem(batch: int) -> tuple[nn.MLP, np.ndarray, np.ndarray]:
    """nn.MLP(64, [128, 128, 10]) (He init, random.seed(0)), inputs and class labels."""
    random.seed(0)
    model = nn.MLP(*WIDTHS, init="he")
    rng = np.random.default_rng(batch)
    return model, rng.normal(size=(batch, WIDTHS[0])), rng.integers(0, 10, batch)


def compiled_mlp_steps(model: nn.MLP, X: np.ndarray, labels: np.ndarray
                       ) -> tuple[Callable[[], float], Callable[[], float]]:  # fmt: skip
    """The compiled step two ways: prog.backward (reads the Values' .data, sets their
    .grad) and prog.value_and_grad on a parameter array (no Value touched)."""
    n = X.shape[1]
    prog = autograd.compile(lambda *xs: _cross_entropy_term(model(list(xs[:n])), list(xs[n:])),
                            np.zeros(n + 10))  # fmt: skip
    batch = np.concatenate([X, np.eye(10)[labels]], axis=1)
    theta = prog.parameter_array()

    def values_step() -> float:
        return float(prog.backward(batch, accumulate=False).mean())

    def array_step() -> float:
        return float(prog.value_and_grad(batch, theta)[0].mean())

    return values_step, array_step


def layer_arrays(model: nn.MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) per layer: W of shape (out, in) (the model's torch-layout state dict)."""
    state = list(nn.torch_state_dict(model, as_tensors=False).values())
    return [(np.array(W), np.array(b)) for W, b in zip(state[::2], state[1::2])]


def numpy_mlp_step(model: nn.MLP, X: np.ndarray, labels: np.ndarray) -> Callable[[], float]:
    """Hand-written numpy forward + backward of the same network and loss."""
    layers = layer_arrays(model)
    onehot = np.eye(10)[labels]
    batch = X.shape[0]

    def step() -> float:
        hs = [X]
        for i, (W, b) in enumerate(layers):
            z = hs[-1] @ W.T + b
            hs.append(np.maximum(z, 0.0) if i < len(layers) - 1 else z)
        shifted = hs[-1] - hs[-1].max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        total = exps.sum(axis=1, keepdims=True)
        losses = np.log(total[:, 0]) - (onehot * shifted).sum(axis=1)
        g = (exps / total - onehot) / batch
        grads = []
        for i in range(len(layers) - 1, -1, -1):
            W, _ = layers[i]
            grads.append((g.T @ hs[i], g.sum(axis=0)))
            if i:
                g = (g @ W) * (hs[i] > 0.0)
        return float(losses.mean())

    return step


def torch_mlp_step(model: nn.MLP, X: np.ndarray, labels: np.ndarray) -> Callable[[], float] | None:
    """torch's vectorized step (float64, one thread), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    layers = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
              for W, b in layer_arrays(model)]  # fmt: skip
    params = [t for layer in layers for t in layer]
    Xt, yt = torch.tensor(X), torch.tensor(labels)

    def step() -> float:
        h = Xt
        for i, (W, b) in enumerate(layers):
            h = h @ W.T + b
            h = torch.relu(h) if i < len(layers) - 1 else h
        loss = torch.nn.functional.cross_entropy(h, yt)
        for p in params:
            p.grad = None
        loss.backward()
        return loss.item()

    return step


def mlp_speed(sizes: list[int]) -> None:
    """Part 2: the three contenders at each batch size, side by side."""
    print(f"\n2. nn.MLP({WIDTHS[0]}, {WIDTHS[1]}) + cross-entropy, forward + backward "
          "(float64, one thread)")
    for batch in sizes:
        model, X, labels = mlp_problem(batch)
        values_step, array_step = compiled_mlp_steps(model, X, labels)
        contenders = {"Values": values_step, "array": array_step,
                      "numpy": numpy_mlp_step(model, X, labels)}  # fmt: skip
        torch_step = torch_mlp_step(model, X, labels)
        if torch_step is not None:
            contenders["torch"] = torch_step
        losses = {name: step() for name, step in contenders.items()}
        assert max(losses.values()) - min(losses.values()) < 1e-9, f"losses disagree: {losses}"
        # None of them leaves cyclic garbage: timed with the collector paused, or a
        # collection of the model's 26k Values would be charged to whoever triggers it.
        calls = max(2, 4000 // batch)
        times = {name: min(paused_time(step, calls) for _ in range(7))
                 for name, step in contenders.items()}  # fmt: skip
        print(f"   batch {batch:>6}: " + ", ".join(f"{name} {t * 1e3:.2f} ms"
                                                   for name, t in times.items()))  # fmt: skip
        for path in ("Values", "array"):
            to_numpy = times[path] / times["numpy"]
            verdicts = [f"/ numpy {to_numpy:.2f} (goal <= 2: {verdict(to_numpy <= 2)})"]
            if torch_step is not None:
                to_torch = times[path] / times["torch"]
                verdicts.append(f"/ torch {to_torch:.2f} (goal <= 1: {verdict(to_torch <= 1)})")
            print(f"      compiled, {path} path: " + "; ".join(verdicts), flush=True)



def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000],
                        help="batch sizes of part 2")
    args = parser.parse_args(argv)
    micro, _ = micrograd_step_function()
    compiled, gradients = compiled_step_function()
    assert abs(micro().data - compiled()) < 1e-9, "micrograd and compiled losses disagree"
    scalar, batched = gradients()
    assert np.allclose(scalar, batched, rtol=1e-9, atol=1e-12), "gradients disagree"
    contenders = {"micrograd": micro, "compiled": compiled}
    torch_step = torch_step_function()
    if torch_step is not None:
        contenders["torch"] = torch_step
    # Many calls per round for the fast contenders: the final gc.collect() of a round
    # costs milliseconds whatever the garbage, and must not be charged to one call.
    times = best_times(contenders, rounds=5,
                       repeats={"micrograd": 1, "compiled": 1000, "torch": 1000})  # fmt: skip
    print("1. micrograd demo step: MLP(2,[16,16,1]), 100 moons points, hinge + 1e-4 L2, fwd + bwd")
    report("micrograd", times["micrograd"])
    report("autograd.compile, prog.backward(X)", times["compiled"], times["micrograd"], 1000)
    if torch_step is not None:
        report("torch, vectorized (float64, 1 thread)", times["torch"])
        ratio = times["compiled"] / times["torch"]
        print(f"compiled time / torch time: {ratio:.2f} "
              f"(goal <= 5: {verdict(ratio <= 5)})")
    else:
        print("torch is not installed: no torch comparison")
    mlp_speed(args.sizes)


if __name__ == "__main__":
    main()
