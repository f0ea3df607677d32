"""Handwritten digit recognition (seed 000, "Exemplo de Reconhecimento de Dígitos").

The seed's talk ends by training its from-scratch network on images of digits.  Here
the images are the 1797 UCI digits of 8 x 8 pixels that ship with chaingrad
(``nn.datasets.load_digits``, the same as scikit-learn's): each image is 64 numbers
(the pixel intensities 0..16 divided by 16), its label one of 0..9.  The network is
``nn.MLP(64, [32, 10], activation='tanh')``: 64 inputs, 32 tanh neurons, 10 outputs
(one score per digit), trained with softmax cross-entropy and Adam on mini-batches
of 32 -- the training steps of the seed: initialise, forward, loss, backprop, update.
A quarter of the images is held out; the network has never seen them and gets at
least 95% of them right.  A few of them are printed as text with the prediction.

``nn.fit(..., compiled=True)`` traces the loss of ONE image once (``autograd.compile``)
and replays that graph, forward and backward, over a whole mini-batch with numpy --
the same derivative rules, the same gradients, so 30 epochs over 1347 images take
seconds instead of minutes.
"""

from __future__ import annotations

import random

from _common import out_dir, plot, run

import nn
import viz

SHADES = " .:-=+*#%@"


def ascii_digit(pixels: list[float]) -> list[str]:
    """An 8 x 8 image (values 0..1) as 8 lines of characters, darker = more ink."""
    return ["".join(SHADES[min(int(p * len(SHADES)), len(SHADES) - 1)] * 2
                    for p in pixels[row * 8:(row + 1) * 8]) for row in range(8)]  # fmt: skip


def main(fast: bool = False, out: str = "out") -> dict:
    """MLP(64, [32, 10]) on the 8x8 digits: >= 95% of the held-out images right."""
    try:
        X, y = nn.datasets.load_digits()
    except ImportError as error:
        print(error)
        return {}
    X_train, X_test, y_train, y_test = nn.datasets.train_test_split(X, y, test_size=0.25, seed=0)
    if fast:
        X_train, y_train, X_test, y_test = X_train[:200], y_train[:200], X_test[:100], y_test[:100]
    random.seed(0)
    model = nn.MLP(64, [32, 10], activation="tanh", init="xavier")
    epochs = 3 if fast else 30
    print(f"{len(X_train)} training images, {len(X_test)} held out; "
          f"{len(model.parameters())} parameters; {epochs} epochs")
    history = nn.fit(model, X_train, y_train, nn.cross_entropy,
                     nn.optim.Adam(model.parameters(), lr=0.01), epochs=epochs,
                     batch_size=32, seed=0, validation=(X_test, y_test), compiled=True)
    test_accuracy = nn.accuracy(model, X_test, y_test)
    print(f"held-out accuracy: {test_accuracy:.1%}")

    print("\nSome held-out images and what the network says:")
    samples = range(6)
    pictures = [ascii_digit(X_test[i]) for i in samples]
    for row in range(8):
        print("   ".join(picture[row] for picture in pictures))
    predicted = nn.predict(model, [X_test[i] for i in samples])
    print("   ".join(f"label {y_test[i]} -> {p}".ljust(16)
                     for i, p in zip(samples, predicted)))  # fmt: skip
    plot("loss and accuracy curves", viz.plot_history, history, out_dir(out) / "digits_history.png")
    return {"test_accuracy": test_accuracy, "history": history}


if __name__ == "__main__":
    run(main)
