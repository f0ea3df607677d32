"""Forward against reverse mode, and the step-through page: ``python benchmarks/forward_speed.py``.

Issue 12 sets no speed goal; these are the figures for the closing note:

- one gradient of the demo MLP's hinge loss (micrograd's demo step, 100 moons points,
  337 parameters) by reverse mode (``autograd.grad``: one pass) and by forward mode
  (``autograd.jacobian(mode="forward")``: one pass per parameter), and one forward pass
  alone (``jvp``, one directional derivative) against one reverse pass;
- the Jacobian of f: R^n -> R and g: R -> R^n for n = 1000, both modes;
- building the step-through page (``viz.step_through``) of one sample's loss of that
  MLP (about 400 Values), with its default 12 forward-mode inputs, and its size.

Every pair is timed alternating, best of several rounds (benchmarks/common.py).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from common import best_times, moons, report  # noqa: E402
from forward_vs_reverse import neuron_loss, neurons_of_one_input  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import viz  # noqa: E402
from autograd import grad  # noqa: E402


def demo_loss():
    """micrograd's demo loss as f(*parameters), and the parameters.

    The parameters are the MLP's own Values: given as primals, they are the input nodes
    of the graph ``f`` builds (``f`` reads them from the model, not from its arguments).
    """
    X, y = moons()
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    params = model.parameters()

    def f(*_params):
        scores = [model(x) for x in X]
        hinge = autograd.sum([(1 - yi * s).relu() for yi, s in zip(y, scores)]) / len(X)
        return hinge + 1e-4 * autograd.sum([p * p for p in params])

    return f, params


def jacobians(function, xs) -> dict:
    """The two ways to the Jacobian of ``function`` at ``xs``, for best_times."""
    return {mode: lambda mode=mode: autograd.jacobian(function, xs, mode=mode)
            for mode in ("reverse", "forward")}  # fmt: skip


def main() -> int:
    f, params = demo_loss()
    print(f"demo MLP loss: {len(params)} parameters, {len(autograd.topological_order(f()))}"
          " Values in its graph")  # fmt: skip
    times = best_times({
        "reverse": lambda: grad(f(), params),
        "jvp": lambda: autograd.jvp(f, params, [1.0] * len(params)),
    }, rounds=5)  # fmt: skip
    report("gradient by reverse mode (1 pass)", times["reverse"])
    report("one directional derivative by jvp (1 pass)", times["jvp"])
    forward = best_times({"forward": lambda: autograd.jacobian(f, params, mode="forward")},
                         rounds=1)["forward"]  # fmt: skip
    report(f"gradient by forward mode ({len(params)} passes)", forward)
    print(f"  forward / reverse for the whole gradient: {forward / times['reverse']:.0f}x")

    rng = random.Random(12)
    for name, make, mode_fast in (("f: R^1000 -> R", neuron_loss, "reverse"),
                                  ("g: R -> R^1000", neurons_of_one_input, "forward")):  # fmt: skip
        function, xs = make(1000, rng)
        pair = best_times(jacobians(function, xs), rounds=2)
        for mode in ("reverse", "forward"):
            report(f"{name} Jacobian, {mode} mode", pair[mode])
        slow = "forward" if mode_fast == "reverse" else "reverse"
        print(f"  {slow} / {mode_fast}: {pair[slow] / pair[mode_fast]:.0f}x")

    model = nn.MLP(2, [16, 16, 1])
    one = (model([0.3, -0.2]) - 1.0) ** 2
    seconds = best_times({"page": lambda: viz.step_through(one)}, rounds=3)["page"]
    size = len(viz.step_through(one).html.encode("utf-8"))
    report(f"step_through page, {len(autograd.topological_order(one))} Values", seconds)
    print(f"  page size {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
