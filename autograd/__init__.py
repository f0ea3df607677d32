"""chaingrad's autograd engine: scalar Values, one op table, reverse-mode backward.

    >>> from autograd import Value
    >>> x = Value(2.0, label='x')
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0
"""

from .backprop import backward, grad, hessian, local_partials, topological_order
from .functions import dot, max, sum
from .modes import detect_anomaly, is_anomaly_enabled, is_grad_enabled, no_grad
from .ops import OPS, Op
from .value import Value

__all__ = [
    "OPS",
    "Op",
    "Value",
    "backward",
    "detect_anomaly",
    "dot",
    "grad",
    "hessian",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "local_partials",
    "max",
    "no_grad",
    "sum",
    "topological_order",
]
