"""Three classes: softmax, cross-entropy and Adam on the spiral data (seeds 000 and 001).

Seed 001 extends the binary classifier to several classes (chihuahua, muffin or
sloth?) by replacing the sigmoid with softmax, s_j = e^z_j / sum_k e^z_k; seed 000
pairs it with the cross-entropy loss, -1/n sum_i sum_j y_ij log(s_ij), where y_i is the
one-hot target.  For one sample with logits z = (2.0, 1.0, 0.1) and class 0:

    softmax(z)          = (0.6590, 0.2424, 0.0986)
    cross-entropy       = -log(0.6590) = 0.4170
    d loss / d z        = softmax(z) - one_hot = (-0.3410, 0.2424, 0.0986)

The last line is why softmax and cross-entropy are used together: the gradient is
simply "predicted minus wanted".  Then ``nn.MLP(2, [16, 16, 3])`` learns three
interleaved spiral arms (150 points, a fifth held out) with ``nn.cross_entropy`` and
the Adam optimizer on mini-batches of 16.
"""

from __future__ import annotations

import random

from _common import out_dir, plot, run

import nn
import viz
from autograd import Value


def worked_example() -> dict:
    """Cross-entropy of logits (2.0, 1.0, 0.1) against class 0, and its gradient."""
    logits = [Value(2.0), Value(1.0), Value(0.1)]
    probs = [p.data for p in nn.softmax(logits)]
    loss = nn.cross_entropy(logits, 0)
    loss.backward()
    grads = [z.grad for z in logits]
    print(f"softmax(2.0, 1.0, 0.1) = ({', '.join(f'{p:.4f}' for p in probs)})")
    print(f"cross-entropy for class 0 = -log({probs[0]:.4f}) = {loss.data:.4f}")
    print(f"d loss / d logits = ({', '.join(f'{g:+.4f}' for g in grads)})"
          "  = softmax - one_hot(0)")
    return {"probs": probs, "loss": loss.data, "grads": grads}


def main(fast: bool = False, out: str = "out") -> dict:
    """Softmax cross-entropy worked out by hand, then an MLP learns 3 spirals with Adam."""
    worked = worked_example()

    random.seed(0)
    X, y = nn.datasets.make_spirals(n_samples=150, n_classes=3, noise=0.2, seed=0)
    X_train, X_val, y_train, y_val = nn.datasets.train_test_split(X, y, test_size=0.2, seed=0)
    model = nn.MLP(2, [16, 16, 3])
    epochs = 5 if fast else 40
    print(f"\nTraining MLP(2, [16, 16, 3]) on {len(X_train)} spiral points, "
          f"{epochs} epochs of Adam")
    history = nn.fit(model, X_train, y_train, nn.cross_entropy,
                     nn.optim.Adam(model.parameters(), lr=0.02), epochs=epochs,
                     batch_size=16, seed=0, validation=(X_val, y_val))
    print(f"accuracy: {history.train_accuracy[-1]:.0%} on the training points, "
          f"{history.val_accuracy[-1]:.0%} on the {len(X_val)} held-out points")

    folder = out_dir(out)
    plot("loss and accuracy curves", viz.plot_history, history, folder / "spirals_history.png")
    plot("decision boundary", viz.plot_decision_boundary, model, X, y,
         folder / "spirals_decision_boundary.png", resolution=20 if fast else 60)
    return {**worked, "history": history}


if __name__ == "__main__":
    run(main)
