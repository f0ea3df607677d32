"""Write the derivatives!  Each function gets the same numbers as the function it
differentiates (see tasks.py) and returns the tuple of partial derivatives, one per
input.  Replace each ``raise NotImplementedError(...)`` line with your answer, then run

    python check.py

which compares your derivatives with finite differences (autograd.gradcheck) and
prints a table.  Worked answers are in solutions.py: try first!
"""

# What your answers may need (unused until you write them):
import math  # noqa: F401

from tasks import NEURON_X, NEURON_Y, TARGET, sigmoid, softmax  # noqa: F401


def squared_error_backward(y_hat):
    """C = (y_hat - y)^2 with y = NEURON_Y.  Return (dC/dy_hat,)."""
    raise NotImplementedError("not implemented yet")


def sigmoid_backward(z):
    """s(z) = 1 / (1 + e^-z).  Return (ds/dz,).

    Hint: the answer can be written with s(z) itself (use ``sigmoid(z)``).
    """
    raise NotImplementedError("not implemented yet")


def tanh_backward(z):
    """t(z) = tanh(z).  Return (dt/dz,).  Hint: like sigmoid, use t(z) itself."""
    raise NotImplementedError("not implemented yet")


def softplus_backward(z):
    """softplus(z) = log(1 + e^z).  Return (d softplus / dz,).

    Hint: the chain rule, with u = 1 + e^z.  Which function from this file appears?
    """
    raise NotImplementedError("not implemented yet")


def neuron_mse_backward(w1, w2, w3, b):
    """C = (a - y)^2, a = s(z), z = w1 x1 + w2 x2 + w3 x3 + b, x = NEURON_X, y = NEURON_Y.

    Return (dC/dw1, dC/dw2, dC/dw3, dC/db).  The chain rule:
    dC/dw1 = dC/da * da/dz * dz/dw1.
    """
    raise NotImplementedError("not implemented yet")


def softmax_cross_entropy_backward(z0, z1, z2):
    """L = -log p_TARGET with p = softmax(z0, z1, z2).  Return (dL/dz0, dL/dz1, dL/dz2).

    Hint: write L = log(e^z0 + e^z1 + e^z2) - z_TARGET first.
    """
    raise NotImplementedError("not implemented yet")
