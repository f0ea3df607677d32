"""chaingrad's autograd engine: scalar Values, one op table, reverse-mode backward
(and forward mode: jvp, vjp, jacobian).

    >>> from autograd import Value
    >>> x = Value(2.0, label='x')
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad
    7.0

``autograd.max``, ``min``, ``sum`` and ``compile`` are left out of ``__all__``: after
``from autograd import *`` Python's builtins keep those names (they work on Values too,
comparing and adding them; the one-node versions are ``autograd.max`` etc.).
"""

from . import _start  # noqa: F401 -- first of all: see its docstring
from .backprop import grad, hessian, local_partials, topological_order
from .compiled import CompiledFunction
from .compiled import compile as compile  # this and max, min, sum: public, not in __all__
from .custom import custom_op
from .fast_backward import backward
from .forward import jacobian, jvp, linearize, vjp
from .functions import dot
from .functions import max as max
from .functions import min as min
from .functions import sum as sum
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
from .packages import warn_if_hidden as _warn_if_hidden
from .recording import Tape, tape
from .trace import TraceError
from .value import Value

__chaingrad__ = True  # this is chaingrad's package (autograd.packages checks it)
_warn_if_hidden("nn", "viz")  # a learner's own nn.py / viz.py, named before it bites

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
    "no_grad",
    "numerical_grad",
    "tape",
    "topological_order",
    "vjp",
]
