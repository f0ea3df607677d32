"""Worked answers to exercises.py, with the derivation of each.

Every answer is the chain rule ("regra da cadeia"): write the function as a chain of
simple steps, differentiate each step, multiply.
"""

import math

from tasks import NEURON_X, NEURON_Y, TARGET, sigmoid, softmax


def squared_error_backward(y_hat):
    """C = (y_hat - y)^2  =>  dC/dy_hat = 2 (y_hat - y).

    At the slides' example y_hat = 0.8, y = 1: C = 0.04 and dC/dy_hat = -0.4, so
    raising y_hat lowers the cost.
    """
    return (2.0 * (y_hat - NEURON_Y),)


def sigmoid_backward(z):
    """s = 1 / (1 + e^-z) = (1 + e^-z)^-1.

    ds/dz = -(1 + e^-z)^-2 * (-e^-z) = e^-z / (1 + e^-z)^2
          = 1 / (1 + e^-z) * e^-z / (1 + e^-z) = s (1 - s),
    since e^-z / (1 + e^-z) = 1 - 1 / (1 + e^-z).  Largest at z = 0 (0.25); near 0 for
    large |z|: the vanishing gradient of the slides.
    """
    s = sigmoid(z)
    return (s * (1.0 - s),)


def tanh_backward(z):
    """t = sinh / cosh  =>  dt/dz = (cosh^2 - sinh^2) / cosh^2 = 1 - t^2."""
    t = math.tanh(z)
    return (1.0 - t * t,)


def softplus_backward(z):
    """softplus = log(u), u = 1 + e^z: d/dz = (1/u) * e^z = e^z / (1 + e^z) = s(z).

    The derivative of the smooth ReLU is the sigmoid.
    """
    return (sigmoid(z),)


def neuron_mse_backward(w1, w2, w3, b):
    """C = (a - y)^2, a = s(z), z = w . x + b.

    dC/da = 2 (a - y);  da/dz = s(z) (1 - s(z));  dz/dw_i = x_i,  dz/db = 1.
    So dC/dw_i = 2 (a - y) s'(z) x_i and dC/db = 2 (a - y) s'(z): the weight's effect
    scales with its input x_i ("how strong the previous neuron is").
    """
    x1, x2, x3 = NEURON_X
    a = sigmoid(w1 * x1 + w2 * x2 + w3 * x3 + b)
    delta = 2.0 * (a - NEURON_Y) * a * (1.0 - a)  # dC/dz
    return (delta * x1, delta * x2, delta * x3, delta)


def softmax_cross_entropy_backward(z0, z1, z2):
    """L = -log p_k, p = softmax(z), k = TARGET.

    -log(e^z_k / sum_j e^z_j) = log(sum_j e^z_j) - z_k, so
    dL/dz_j = e^z_j / sum e^z - [j == k] = p_j - [j == k].

    Via the softmax Jacobian: dp_k/dz_j = p_k ([j == k] - p_j) (some slides write
    p_k (1 - p_j), which is only right for j == k), and dL/dz_j = -(1/p_k) dp_k/dz_j.
    """
    p = softmax(z0, z1, z2)
    return tuple(p_j - (1.0 if j == TARGET else 0.0) for j, p_j in enumerate(p))
