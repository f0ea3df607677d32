"""Activation functions by name, and as modules for :class:`nn.Sequential`.

Each activation is one engine op applied to a Value (PyTorch's defaults):

=============  ==========================================  ==============================
name           f(z)                                        f'(z)
=============  ==========================================  ==============================
'linear'       z                                           1
'relu'         max(z, 0)                                   1 if z > 0 else 0
'sigmoid'      1 / (1 + e^-z)                              f(z) (1 - f(z))
'tanh'         tanh(z)                                     1 - f(z)^2
'leaky_relu'   z if z > 0 else 0.01 z                      1 if z > 0 else 0.01
'elu'          z if z > 0 else e^z - 1                     1 if z > 0 else e^z
'gelu'         z Phi(z), Phi the standard normal CDF       Phi(z) + z e^(-z^2/2) / sqrt(2 pi)
'silu'         z sigmoid(z)                                s (1 + z (1 - s)), s = sigmoid(z)
'softplus'     ln(1 + e^z) (z itself where z > 20)         sigmoid(z)
=============  ==========================================  ==============================

As modules, ``nn.LeakyReLU(negative_slope=0.01)``, ``nn.ELU(alpha=1.0)``,
``nn.GELU(approximate='none')`` (or ``'tanh'``) and ``nn.Softplus(beta=1.0,
threshold=20.0)`` take PyTorch's arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Value

from .module import Module, as_values

LEAKY_RELU_SLOPE = 0.01  # torch.nn.LeakyReLU's negative_slope
ELU_ALPHA = 1.0  # torch.nn.ELU's alpha


def _identity(z: Value) -> Value:
    return z


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": _identity,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "leaky_relu": lambda z, negative_slope=LEAKY_RELU_SLOPE: z.leaky_relu(negative_slope),
    "elu": lambda z, alpha=ELU_ALPHA: z.elu(alpha),
    "gelu": Value.gelu,
    "silu": Value.silu,
    "softplus": Value.softplus,
}

# The activations whose module takes arguments, with their defaults (PyTorch's):
# the function of ACTIVATIONS is called with them as keywords.
ACTIVATION_ARGUMENTS: dict[str, dict[str, Any]] = {
    "leaky_relu": {"negative_slope": LEAKY_RELU_SLOPE},
    "elu": {"alpha": ELU_ALPHA},
    "gelu": {"approximate": "none"},
    "softplus": {"beta": 1.0, "threshold": 20.0},
}


def get_activation(name: str, **arguments: Any) -> Callable[[Value], Value]:
    """The function for an activation name (with the arguments it takes, see
    :data:`ACTIVATION_ARGUMENTS`); ValueError naming the known ones otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str), not {type(name).__name__}")
    try:
        function = ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; expected one of {known}") from None
    defaults = ACTIVATION_ARGUMENTS.get(name, {})
    unknown = sorted(set(arguments) - set(defaults))
    if unknown:
        raise TypeError(f"the {name!r} activation takes no argument {unknown[0]!r}")
    if all(defaults[key] == value for key, value in arguments.items()):
        return function  # the defaults: no wrapper to call per element
    def configured(z: Value) -> Value:
        return function(z, **arguments)

    try:  # a bad argument fails now, not at the first forward
        configured(Value(0.0))
    except (TypeError, ValueError, ArithmeticError) as error:
        given = ", ".join(f"{key}={value!r}" for key, value in arguments.items())
        raise type(error)(f"the {name!r} activation with {given}: {error}") from None
    return configured


class Activation(Module):
    """An activation applied to each element: ``Activation('tanh')([a, b]) == [tanh(a), tanh(b)]``.

    A single Value (or number) in gives a single Value out.  ``nn.ReLU()``, ``nn.Tanh()``
    and friends are this module with the name fixed.
    """

    def __init__(self, name: str, **arguments: Any) -> None:
        self._function = get_activation(name, **arguments)
        self.name = name
        self.arguments: dict[str, Any] = {**ACTIVATION_ARGUMENTS.get(name, {}), **arguments}

    def forward(self, x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return list(map(self._function, as_values(x)))
        return self._function(as_values([x])[0])

    def extra_repr(self) -> str:
        """``'tanh'`` for ``Activation('tanh')``; a named module (``nn.ELU``) shows only its
        arguments, as torch does: ``alpha=1.0``."""
        name = [repr(self.name)] if type(self) is Activation else []
        return ", ".join(name + [f"{key}={value!r}" for key, value in self.arguments.items()])

    @property
    def description(self) -> str:
        """The name, with the arguments that differ from the defaults:
        ``'softplus(beta=2.0)'``, ``'gelu(approximate='tanh')'``, ``'relu'``."""
        defaults = ACTIVATION_ARGUMENTS.get(self.name, {})
        changed = [f"{k}={v!r}" for k, v in self.arguments.items() if defaults.get(k) != v]
        return f"{self.name}({', '.join(changed)})" if changed else self.name


# activation name -> its module class (nn.ReLU for 'relu', ...), filled below
ACTIVATION_MODULES: dict[str, type[Activation]] = {}


def _named_activation(class_name: str, name: str) -> type[Activation]:
    def __init__(self: Activation) -> None:
        Activation.__init__(self, name)

    doc = f"The {name!r} activation as a module (see :class:`Activation`)."
    module = type(class_name, (Activation,), {"__init__": __init__, "__doc__": doc})
    ACTIVATION_MODULES[name] = module
    return module


Identity = _named_activation("Identity", "linear")
ReLU = _named_activation("ReLU", "relu")
Sigmoid = _named_activation("Sigmoid", "sigmoid")
Tanh = _named_activation("Tanh", "tanh")
SiLU = _named_activation("SiLU", "silu")


class LeakyReLU(Activation):
    """z if z > 0 else negative_slope z, as ``torch.nn.LeakyReLU``;
    d/dz = 1 if z > 0 else negative_slope."""

    def __init__(self, negative_slope: float = LEAKY_RELU_SLOPE) -> None:
        Activation.__init__(self, "leaky_relu", negative_slope=negative_slope)


class ELU(Activation):
    """z if z > 0 else alpha (e^z - 1), as ``torch.nn.ELU``;  d/dz = 1 if z > 0 else alpha e^z."""

    def __init__(self, alpha: float = ELU_ALPHA) -> None:
        Activation.__init__(self, "elu", alpha=alpha)


class GELU(Activation):
    """z Phi(z), Phi the standard normal CDF, as ``torch.nn.GELU``: ``approximate='none'``
    (the exact erf form) or ``'tanh'`` (z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))) / 2)."""

    def __init__(self, approximate: str = "none") -> None:
        Activation.__init__(self, "gelu", approximate=approximate)


class Softplus(Activation):
    """ln(1 + e^(beta z)) / beta, and z itself where beta z > threshold, as
    ``torch.nn.Softplus``;  d/dz = sigmoid(beta z)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        Activation.__init__(self, "softplus", beta=beta, threshold=threshold)


ACTIVATION_MODULES.update(leaky_relu=LeakyReLU, elu=ELU, gelu=GELU, softplus=Softplus)
