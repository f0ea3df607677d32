"""From chaingrad to PyTorch: the same network, the same predictions, the same loop.

1. Trains micrograd's moons network in chaingrad (what ``make demo`` trains:
   ``nn.MLP(2, [16, 16, 1])``, hinge loss + 1e-4 L2, SGD).
2. ``nn.to_torch(model)`` makes a ``torch.nn.Sequential`` (float64) with the same
   weights: ``Linear(2, 16), ReLU(), Linear(16, 16), ReLU(), Linear(16, 1)``.  Both
   score the 100 points; the largest difference is printed, and whether every
   predicted class agrees.
3. Training goes on for a few steps in both, from the same weights, with the same
   loop -- forward, loss, zero_grad, backward, step -- printed side by side, with
   ``nn.optim.SGD`` and ``torch.optim.SGD``: the losses agree step by step.
   (``nn.to_torch_optimizer`` would carry an optimizer's momentum or Adam state over.)
4. ``nn.from_torch`` brings the torch network back to chaingrad: the same weights as
   the network chaingrad trained itself.

Without torch (``make torch``: PyTorch's CPU build) only step 1 runs.
"""

from __future__ import annotations

import inspect
from typing import Any

from _common import run, table
from demo import train

import nn

LR, L2 = 0.1, 1e-4


def chaingrad_step(model, optimizer, X, y):
    scores = [model(x) for x in X]
    penalty = nn.l2_penalty(model)
    loss = nn.hinge_loss(scores, y) + L2 * penalty
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data


def torch_step(model, optimizer, X, y):
    scores = model(X).squeeze(1)
    penalty = sum((p * p).sum() for p in model.parameters())
    loss = (1 - y * scores).relu().mean() + L2 * penalty
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def side_by_side(left: Any, right: Any) -> None:
    """Print two functions' source next to each other."""
    lines = [inspect.getsource(f).rstrip().splitlines() for f in (left, right)]
    width = max(map(len, lines[0])) + 2
    for a, b in zip(*lines):
        print(f"  {a:<{width}}  {b}")


def main(fast: bool = False, out: str = "out") -> dict:
    """Train the moons network in chaingrad, move it to PyTorch, continue in both."""
    steps = 20 if fast else 100
    print(f"1. chaingrad: MLP(2, [16, 16, 1]) on two moons, {steps} steps of SGD")
    model, X, y = train(steps, progress=False)[:3]
    result: dict[str, Any] = {"accuracy": nn.accuracy(model, X, y)}
    print(f"   training accuracy {result['accuracy']:.0%}")
    try:
        import torch
    except ImportError:
        print("\n(PyTorch is not installed, so steps 2-4 are skipped: "
              "`make torch` installs PyTorch's CPU build)")
        return result

    module = nn.to_torch(model).eval()
    print("\n2. nn.to_torch(model):", str(module).replace("\n", "\n   "))
    X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    ours = [model(x).item() for x in X]
    with torch.no_grad():
        theirs = module(X_t).squeeze(1).tolist()
    result["max_output_difference"] = max(abs(a - b) for a, b in zip(ours, theirs))
    result["same_predictions"] = nn.predict(model, X) == [1 if s > 0 else 0 for s in theirs]
    print(f"   largest difference of the 100 scores: {result['max_output_difference']:.1e}; "
          f"the same class for every point: {result['same_predictions']}")

    more = 5 if fast else 10
    print(f"\n3. {more} more steps in both, the same loop (nn.optim.SGD | torch.optim.SGD, "
          f"lr={LR}):\n")
    side_by_side(chaingrad_step, torch_step)
    optimizer = nn.optim.SGD(model.parameters(), lr=LR)
    torch_optimizer = torch.optim.SGD(module.parameters(), lr=LR)
    losses = [(k + 1, chaingrad_step(model, optimizer, X, y),
               torch_step(module, torch_optimizer, X_t, y_t)) for k in range(more)]  # fmt: skip
    print()
    table([(k, a, b, f"{abs(a - b):.1e}") for k, a, b in losses],
          ("step", "chaingrad", "torch", "difference"), fmt="{:>12}")
    result["losses"] = losses
    result["max_loss_difference"] = max(abs(a - b) for _, a, b in losses)

    back = nn.from_torch(module)
    result["max_weight_difference"] = max(
        abs(a - b) for a, b in zip(back.state_dict().values(), model.state_dict().values()))
    print(f"\n4. nn.from_torch(torch model): an {type(back).__name__}; its weights differ from "
          f"chaingrad's own by at most {result['max_weight_difference']:.1e}")
    return result


if __name__ == "__main__":
    run(main)
