"""Overfitting, and three ways to fight it (seed 003, "Underfitting e Overfitting").

Seed 003: a model overfits when it learns the details and noise of its training data
instead of the general pattern -- excellent on the training set, poor on new data --
typically because it is too complex for the amount of data.  Its remedies include
L1/L2 regularisation (penalise large weights), dropout (switch off random neurons
while training) and early stopping (stop when the validation loss stops improving).

Here a large network, MLP(2, [32, 32, 1]) with 1185 parameters, learns only 30 noisy
two-moons points and is judged on 100 other points from the same distribution.
Four runs with the same start:

    plain           training loss -> 0, validation loss climbs after a few epochs
    dropout 0.5     nn.Dropout after each hidden layer (only while training)
    L2 1e-2         loss + 0.01 * sum(w^2): large weights cost something
    early stopping  watch the validation loss; stop after 15 epochs without
                    improvement and put back the best weights

The curves are drawn side by side in out/overfitting.png.  Every run is compiled
(nn.fit's default): the dropout run too, with a fresh mask for every sample and step,
the very masks the scalar engine (compiled=False) would draw.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from _common import figure, out_dir, plot, run, save_figure, table

import nn

X_TRAIN, Y_TRAIN = nn.datasets.make_moons(n_samples=30, noise=0.3, seed=3)
X_VAL, Y_VAL = nn.datasets.make_moons(n_samples=100, noise=0.3, seed=4)


def make_model(dropout: float = 0.0) -> nn.Module:
    """MLP(2, [32, 32, 1]) with ReLU, optionally with dropout after each hidden layer."""
    random.seed(0)  # every run starts from the same weights
    if not dropout:
        return nn.MLP(2, [32, 32, 1])
    return nn.Sequential(nn.Layer(2, 32), nn.Dropout(dropout), nn.Layer(32, 32),
                         nn.Dropout(dropout), nn.Layer(32, 1, activation="linear"))


RUNS = {  # name: (model, keyword arguments for nn.fit)
    "plain": (lambda: make_model(), {}),
    "dropout 0.5": (lambda: make_model(dropout=0.5), {}),
    "L2 1e-2": (lambda: make_model(), {"l2": 1e-2}),
    "early stopping": (lambda: make_model(), {"early_stopping": 15}),
}


def train(name: str, epochs: int) -> tuple[nn.Module, nn.History]:
    build, options = RUNS[name]
    model = build()
    history = nn.fit(model, X_TRAIN, Y_TRAIN, nn.bce_with_logits,
                     nn.optim.Adam(model.parameters(), lr=0.01), epochs=epochs,
                     validation=(X_VAL, Y_VAL), progress=False, **options)
    model.eval()  # dropout off from now on: we measure the trained network
    return model, history


def loss(model: nn.Module, X: list, y: list) -> float:
    """The model's loss on (X, y) without dropout or penalty: what the table shows."""
    return nn.bce_with_logits([model(x) for x in X], y).data


def plot_curves(histories: dict[str, nn.History], filename: str | os.PathLike) -> Path:
    fig, axes = figure(1, len(histories), size=(4 * len(histories), 3.5))
    for ax, (name, history) in zip(axes, histories.items()):
        epochs = range(1, history.epochs + 1)
        ax.plot(epochs, history.train_loss, label="training loss")
        ax.plot(epochs, history.val_loss, label="validation loss")
        if history.best_epoch is not None:
            ax.axvline(history.best_epoch + 1, color="gray", linestyle=":", label="best epoch")
        ax.set(title=name, xlabel="epoch", ylim=(0, 2))
        ax.legend(fontsize=8)
    return save_figure(fig, filename)


def main(fast: bool = False, out: str = "out") -> dict:
    """Seed 003: a network that overfits 30 points, then dropout, L2 and early stopping."""
    epochs = 15 if fast else 100
    print(f"MLP(2, [32, 32, 1]) on {len(X_TRAIN)} noisy points, judged on {len(X_VAL)} others; "
          f"up to {epochs} epochs of Adam")
    histories, rows = {}, []
    for name in RUNS:
        model, history = train(name, epochs)
        histories[name] = history
        # every column but "best val" measures the model fit returned (early stopping puts
        # back the best epoch's weights, so its last training loss is not this model's)
        rows.append((name, history.epochs, loss(model, X_TRAIN, Y_TRAIN), min(history.val_loss),
                     loss(model, X_VAL, Y_VAL),
                     nn.accuracy(model, X_TRAIN, Y_TRAIN), nn.accuracy(model, X_VAL, Y_VAL)))
    table(rows, ("run", "epochs", "train loss", "best val", "final val", "train acc",
                 "val acc"), fmt="{:>15}")  # fmt: skip
    print("(plain: the training loss keeps falling while the validation loss rises -- overfitting;"
          "\n the remedies keep the validation loss lower)")
    plot("curves side by side", plot_curves, histories, out_dir(out) / "overfitting.png")
    return {name: history for name, history in histories.items()}


if __name__ == "__main__":
    run(main)
