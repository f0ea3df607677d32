"""A 2-layer sigmoid network built by hand (seed 002, "Como construir sua própria rede neural").

The tutorial's data set is a 4-row table; the output is the XOR of the first two
columns, and the third column is always 1:

    x1 x2 x3 | y
     0  0  1 | 0
     0  1  1 | 1
     1  0  1 | 1
     1  1  1 | 0

The network is y_hat = sigmoid(W2 . sigmoid(W1 x)): 3 inputs, 4 hidden sigmoid
neurons, 1 sigmoid output, weights drawn uniformly from [0, 1) and no biases (the
constant column x3 = 1 lets each hidden neuron learn one anyway).  The loss is the
sum of squared errors, sum_i (y_i - y_hat_i)^2 -- a sum, not the mean the text's
prose mentions -- and each of the 1500 iterations moves every weight by minus its
gradient (learning rate 1, as in the tutorial's code).

The tutorial derives the gradients by hand with the chain rule; here ``backward``
does it.  At the end the predictions sit next to the targets, close but not equal,
and the loss curve decreases monotonically, as the tutorial's plot shows.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from _common import figure, out_dir, plot, run, save_figure, table

import autograd
from autograd import Value

X = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
Y = [0, 1, 1, 0]
HIDDEN = 4


class TwoLayerNetwork:
    """sigmoid(W2 . sigmoid(W1 x)) with W1: 4 x 3 and W2: 1 x 4, no biases."""

    def __init__(self, n_inputs: int = 3, n_hidden: int = HIDDEN, seed: int = 1) -> None:
        rng = random.Random(seed)
        self.w1 = [[Value(rng.random(), f"w1[{j}][{i}]") for i in range(n_inputs)]
                   for j in range(n_hidden)]  # fmt: skip
        self.w2 = [Value(rng.random(), f"w2[{j}]") for j in range(n_hidden)]

    def parameters(self) -> list[Value]:
        return [w for row in self.w1 for w in row] + self.w2

    def __call__(self, x: list[float]) -> Value:
        hidden = [autograd.dot(row, x).sigmoid() for row in self.w1]  # feedforward, layer 1
        return autograd.dot(self.w2, hidden).sigmoid()  # layer 2

    def loss(self) -> Value:
        """Sum of squared errors over the four rows."""
        return autograd.sum((y - self(x)) ** 2 for x, y in zip(X, Y))


def train(net: TwoLayerNetwork, iterations: int, lr: float = 1.0) -> list[float]:
    """Gradient descent on the sum of squares; the loss before each iteration."""
    losses = []
    for _ in range(iterations):
        loss = net.loss()
        for p in net.parameters():
            p.grad = 0.0
        loss.backward()
        for p in net.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


def plot_losses(losses: list[float], filename: str | os.PathLike) -> Path:
    fig, ax = figure()
    ax.plot(range(1, len(losses) + 1), losses)
    ax.set(xlabel="iteration", ylabel="sum of squared errors", title="loss per iteration")
    return save_figure(fig, filename)


def main(fast: bool = False, out: str = "out") -> dict:
    """Seed 002: 1500 iterations of a 3-4-1 sigmoid network on the XOR table."""
    iterations = 300 if fast else 1500
    net = TwoLayerNetwork()
    losses = train(net, iterations)  # each loss is measured before its update
    final = net.loss().data
    print(f"Loss (sum of squares): {losses[0]:.4f} at the start, "
          f"{final:.4f} after {iterations} iterations")
    predictions = [net(x).data for x in X]
    table([(*x, y, p) for x, y, p in zip(X, Y, predictions)],
          ("x1", "x2", "x3", "target", "prediction"), fmt="{:>11}")
    monotone = all(b <= a for a, b in zip(losses, losses[1:]))
    print(f"The loss decreased at every iteration: {monotone}")
    plot("loss curve", plot_losses, losses, out_dir(out) / "xor_loss.png")
    return {"losses": losses, "final_loss": final, "predictions": predictions,
            "monotone": monotone}


if __name__ == "__main__":
    run(main)
