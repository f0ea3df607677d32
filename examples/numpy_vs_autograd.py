"""The 20-line numpy training loop, and the same gradients from chaingrad (seed 004).

The lecture slides train a 2-layer network, y_pred = sigmoid(x W1) W2, on random data
(N = 64 samples, D_in = 1000 inputs, H = 100 hidden units, D_out = 10 outputs) with
the sum of squared errors and a learning rate of 1e-4.  The gradients are written out
by hand, one line per step of the chain rule, backwards:

    grad_y_pred = 2 (y_pred - y)                  d loss / d y_pred
    grad_w2     = h^T grad_y_pred                 y_pred = h W2
    grad_h      = grad_y_pred W2^T
    grad_w1     = x^T (grad_h * h * (1 - h))      h = sigmoid(x W1), sigmoid' = h (1 - h)

(The slide's title says f = W2 max(0, W1 x), a ReLU network, but its code uses a
sigmoid; this example follows the code.  There are no biases.)

chaingrad builds the same network from scalar Values and finds every gradient by
``backward``; on a small case (N = 4, D_in = 5, H = 3, D_out = 2) the two agree to
1e-12.  Hand-written gradients are fast but must be re-derived whenever the network
changes; autograd derives them from the forward pass.
"""

from __future__ import annotations

import numpy as np
from _common import run

import autograd
from autograd import Value


def numpy_step(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """The slide's forward and hand-written backward: (loss, grad_w1, grad_w2)."""
    h = 1 / (1 + np.exp(-x.dot(w1)))
    y_pred = h.dot(w2)
    loss = np.square(y_pred - y).sum()

    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h.T.dot(grad_y_pred)
    grad_h = grad_y_pred.dot(w2.T)
    grad_w1 = x.T.dot(grad_h * h * (1 - h))
    return loss, grad_w1, grad_w2


def numpy_training(iterations: int, seed: int = 0) -> list[float]:
    """The slide's loop (N, D_in, H, D_out = 64, 1000, 100, 10; lr 1e-4); the losses."""
    rng = np.random.default_rng(seed)
    N, D_in, H, D_out = 64, 1000, 100, 10
    x, y = rng.standard_normal((N, D_in)), rng.standard_normal((N, D_out))
    w1, w2 = rng.standard_normal((D_in, H)), rng.standard_normal((H, D_out))
    losses = []
    for _ in range(iterations):
        loss, grad_w1, grad_w2 = numpy_step(x, y, w1, w2)
        losses.append(loss)
        w1 -= 1e-4 * grad_w1
        w2 -= 1e-4 * grad_w2
    return losses


def autograd_gradients(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """The same loss from scalar Values; backward fills the gradients."""
    W1 = [[Value(w) for w in row] for row in w1]
    W2 = [[Value(w) for w in row] for row in w2]
    terms = []
    for xs, ys in zip(x.tolist(), y.tolist()):
        h = [autograd.dot([row[j] for row in W1], xs).sigmoid() for j in range(len(W1[0]))]
        y_pred = [autograd.dot(h, [row[k] for row in W2]) for k in range(len(W2[0]))]
        terms += [(p - t) ** 2 for p, t in zip(y_pred, ys)]
    loss = autograd.sum(terms)
    loss.backward()

    def grads(matrix: list[list[Value]]) -> np.ndarray:
        return np.array([[w.grad for w in row] for row in matrix])

    return loss.data, grads(W1), grads(W2)


def main(fast: bool = False, out: str = "out") -> dict:
    """Seed 004: the numpy loop trains; chaingrad's gradients match it to 1e-12."""
    iterations = 100 if fast else 2000
    losses = numpy_training(iterations)
    print(f"numpy loop, {iterations} iterations: loss {losses[0]:.1f} -> {losses[-1]:.4f}")

    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 5)), rng.standard_normal((4, 2))
    w1, w2 = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    np_loss, np_w1, np_w2 = numpy_step(x, y, w1, w2)
    ag_loss, ag_w1, ag_w2 = autograd_gradients(x, y, w1, w2)
    diff = max(abs(np_loss - ag_loss), np.abs(np_w1 - ag_w1).max(), np.abs(np_w2 - ag_w2).max())
    print("\nSmall case (N=4, D_in=5, H=3, D_out=2): numpy by hand vs chaingrad's backward")
    print(f"  loss            {np_loss:.12f}   {ag_loss:.12f}")
    print(f"  grad_w1[0][0]   {np_w1[0, 0]:.12f}   {ag_w1[0, 0]:.12f}")
    print(f"  grad_w2[0][0]   {np_w2[0, 0]:.12f}   {ag_w2[0, 0]:.12f}")
    print(f"  largest difference over all {np_w1.size + np_w2.size} gradients: {diff:.1e}")
    assert diff < 1e-12, diff
    return {"losses": losses, "max_difference": diff}


if __name__ == "__main__":
    run(main)
