"""chaingrad's main demo (``make demo``): a network learns, and backprop is drawn.

1. Trains micrograd's classic demo: ``nn.MLP(2, [16, 16, 1])`` (two hidden layers of
   16 ReLU neurons, one linear output) on 100 two-moons points, with the hinge loss
   mean(relu(1 - y * score)) on labels -1 / +1 plus an L2 penalty 1e-4 * sum(w^2),
   full-batch SGD for 100 steps with the learning rate decaying from 1.0 to 0.1.
   It reaches at least 97% training accuracy.
2. Writes pictures into out/ and prints where each one is:
   - neuron.svg               the computation graph of seed 000's neuron, data and grad
   - neuron_backprop.html     a page that steps through its backward pass, each product
                              w_i x_i, then the addition, then the sigmoid, numbers put in
   - mlp.svg                  the trained network, weights coloured by sign and size
   - mlp_activations.svg      the same network, each neuron showing its output over the
                              plane (TensorFlow Playground's view)
   - demo_history.png         loss and accuracy per step
   - demo_decision_boundary.png  what the network predicts over the plane
   - playground.html          the training replayed epoch by epoch: the boundary, the
                              curves and the network's weights (60 snapshots)

Open the .html files in a browser.  Without matplotlib the two plots are skipped.
"""

from __future__ import annotations

import random

from _common import out_dir, plot, run, wrote
from neuron import neuron

import nn
import viz

STEPS = 100


def train(steps: int = STEPS, progress: bool = True,
          snapshots: int = 0) -> tuple[nn.MLP, list, list, nn.History, viz.Snapshots | None]:
    """micrograd's demo: MLP(2, [16, 16, 1]), hinge loss + 1e-4 L2, SGD with lr 1.0 -> 0.1;
    with ``snapshots`` > 0 the weights of that many epochs are recorded for the playground."""
    random.seed(1337)  # the initial weights come from Python's random, as in micrograd
    X, labels = nn.datasets.make_moons(n_samples=100, noise=0.1, seed=1)
    y = [2 * label - 1 for label in labels]  # the hinge loss wants -1 / +1
    model = nn.MLP(2, [16, 16, 1])
    optimizer = nn.optim.SGD(model.parameters(), lr=1.0)
    recorder = viz.Snapshots(model, epochs=steps, count=snapshots) if snapshots else None
    history = nn.fit(model, X, y, nn.hinge_loss, optimizer, epochs=steps, l2=1e-4,
                     lr_schedule=lambda step: 1.0 - 0.9 * step / steps, progress=progress,
                     callback=recorder)  # fmt: skip
    return model, X, y, history, recorder


def main(fast: bool = False, out: str = "out") -> dict:
    """Train MLP(2, [16, 16, 1]) on two moons to >= 97%, then draw backprop into out/."""
    steps = 20 if fast else STEPS
    print(f"Training MLP(2, [16, 16, 1]) on two moons: hinge loss + L2, {steps} steps of SGD")
    model, X, y, history, snapshots = train(steps, snapshots=60)
    n_params = len(model.parameters())
    print(f"{n_params} parameters; training accuracy {nn.accuracy(model, X, y):.0%}, "
          f"loss {history.train_loss[-1]:.4f}")

    folder = out_dir(out)
    print(f"\nWrote into {folder}/:")
    cell = neuron()["a"]
    cell.backward()
    wrote("neuron graph", viz.render(cell, folder / "neuron.svg"))
    wrote("step-through backprop page", viz.backprop_html(cell, folder / "neuron_backprop.html",
                                                          expand=True))  # fmt: skip
    wrote("MLP architecture", viz.render(viz.draw_mlp(model), folder / "mlp.svg"))
    wrote("what each neuron computes", viz.render(
        viz.draw_mlp(model, show="activations", X=X), folder / "mlp_activations.svg"))
    plot("loss and accuracy curves", viz.plot_history, history, folder / "demo_history.png")
    plot("decision boundary", viz.plot_decision_boundary, model, X, y,
         folder / "demo_decision_boundary.png", resolution=25 if fast else 80)
    wrote("training playground page", viz.training_html(
        model, X, y, history, folder / "playground.html", snapshots, classes=["-1", "+1"],
        title="MLP(2, [16, 16, 1]) learns two moons", grid=40 if fast else 100))
    print(f"\nOpen {folder / 'playground.html'} in a browser to watch the network learn.")
    print(f"Next: open {folder / 'neuron_backprop.html'} in a browser, then try the examples "
          "(.venv/bin/python examples/neuron.py, xor.py, spirals.py, ...) and "
          ".venv/bin/chaingrad --help")
    return {"accuracy": nn.accuracy(model, X, y), "history": history}


if __name__ == "__main__":
    run(main)
