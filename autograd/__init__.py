"""chaingrad's autograd engine: scalar Values, one op table, reverse-mode backward
(and forward mode: jvp, vjp, jacobian).

    >>> from autograd import Value
    >>> x = Value(2.0, label='x')
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0
"""

from .backprop import grad, hessian, local_partials, topological_order
from .compiled import CompiledFunction, compile
from .custom import custom_op
from .fast_backward import backward
from .forward import jacobian, jvp, linearize, vjp
from .functions import dot, max, sum
from .gradcheck import (
    GradcheckError,
    GradcheckReport,
    gradcheck,
    gradcheck_report,
    gradgradcheck,
    last_gradcheck_report,
    numerical_grad,
)
from .modes import detect_anomaly, is_anomaly_enabled, is_grad_enabled, no_grad
from .ops import OPS, Op
from .recording import Tape, tape
from .trace import TraceError
from .value import Value

__all__ = [
    "CompiledFunction",
    "GradcheckError",
    "GradcheckReport",
    "OPS",
    "Op",
    "Tape",
    "TraceError",
    "Value",
    "backward",
    "compile",
    "custom_op",
    "detect_anomaly",
    "dot",
    "grad",
    "gradcheck",
    "gradcheck_report",
    "gradgradcheck",
    "hessian",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "jacobian",
    "jvp",
    "last_gradcheck_report",
    "linearize",
    "local_partials",
    "max",
    "no_grad",
    "numerical_grad",
    "sum",
    "tape",
    "topological_order",
    "vjp",
]
