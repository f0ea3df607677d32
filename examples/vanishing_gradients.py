"""Vanishing gradients: the same 8-layer network with sigmoid, tanh and ReLU.

Three networks ``nn.MLP(2, [8, 8, 8, 8, 8, 8, 8, 1], activation=...)`` start from the
same weights (the same ``random.seed``), take the same batch of 32 two-moons points and
do ONE backward pass of the mean squared error.  The table is the mean |dL/dw| of each
layer.  Backprop multiplies by the activation's slope at every layer on the way back:
a sigmoid's slope s (1 - s) is at most 1/4, so the sigmoid network's first-layer
gradients come out orders of magnitude below its last layer's, and it barely learns at
the start.  tanh (slope at most 1) and ReLU (slope 1 where active) keep them far larger.

Writes ``vanishing_gradients.svg``: the gradient pictures (``viz.draw_mlp(model,
show="grads")``) of the sigmoid and the ReLU network, one above the other.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from _common import out_dir, run, table, wrote

import nn
import viz
from autograd.files import write_atomic
from viz.mlp import layer_summaries

WIDTHS = [8, 8, 8, 8, 8, 8, 8, 1]  # 8 layers: 7 hidden of 8 neurons, 1 output
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SEED = 5


def gradients(activation: str, X: list, y: list) -> nn.MLP:
    """The network with ``activation`` after one backward pass on (X, y)."""
    random.seed(SEED)  # the same initial weights for every activation
    model = nn.MLP(2, WIDTHS, activation=activation)
    nn.loss_and_grads(model, X, y, nn.mse_loss, model.parameters())
    return model


def stacked(svgs: list[str]) -> str:
    """SVG documents placed one above the other in one SVG document."""
    sizes = [tuple(float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"',
                                               svg).groups()) for svg in svgs]  # fmt: skip
    parts, y = [], 0.0
    for svg, (_, height) in zip(svgs, sizes):
        parts.append(svg.replace("<svg ", f'<svg y="{y}" ', 1))
        y += height
    width = max(w for w, _ in sizes)
    return (f'<svg width="{width}" height="{y}" xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink">\n' + "\n".join(parts) + "\n</svg>\n")


def picture(model: nn.MLP, activation: str, span: tuple[float, float]) -> str:
    """The SVG of the gradient view of ``model``, titled with its activation."""
    return viz.draw_mlp(model, show="grads", grad_range=span,
                        title=f"{activation}: darker and thicker = larger |dL/dw| "
                              "(same scale for both)").svg  # fmt: skip


def main(fast: bool = False, out: str = "out") -> dict:
    """One backward pass through 8 sigmoid, tanh and ReLU layers; mean |grad| per layer."""
    X, labels = nn.datasets.make_moons(n_samples=32, noise=0.1, seed=0)
    y = [float(t) for t in labels]
    models = {name: gradients(name, X, y) for name in ACTIVATIONS}
    rows = {name: layer_summaries(model) for name, model in models.items()}
    print("mean |dL/dw| per layer after one backward pass (same weights, same batch):")
    table([(r["name"], *(f"{rows[a][i]['mean_abs_grad']:.2e}" for a in ACTIVATIONS))
           for i, r in enumerate(rows["sigmoid"])], ("layer", *ACTIVATIONS), fmt="{:>14}")
    ratios = {a: rows[a][-1]["mean_abs_grad"] / rows[a][0]["mean_abs_grad"] for a in ACTIVATIONS}
    print("\nlast layer / first layer: " + ", ".join(f"{a} {r:.0f}x" for a, r in ratios.items()))

    folder = out_dir(out)
    grads = [abs(p.grad) for model in models.values() for p in model.parameters() if p.grad]
    span = (min(grads), max(grads))  # one colour scale for both pictures
    svgs = [picture(models[a], a, span) for a in ("sigmoid", "relu")]
    path = Path(folder) / "vanishing_gradients.svg"
    write_atomic(path, stacked(svgs))
    wrote("sigmoid | ReLU gradients", path)
    return {"rows": rows, "ratios": ratios, "path": path}


if __name__ == "__main__":
    run(main)
