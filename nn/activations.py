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
=============  ==========================================  ==============================
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
    "leaky_relu": lambda z: z.leaky_relu(LEAKY_RELU_SLOPE),
    "elu": lambda z: z.elu(ELU_ALPHA),
}


def get_activation(name: str) -> Callable[[Value], Value]:
    """The function for an activation name; ValueError naming the known ones otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str), not {type(name).__name__}")
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; expected one of {known}") from None


class Activation(Module):
    """An activation applied to each element: ``Activation('tanh')([a, b]) == [tanh(a), tanh(b)]``.

    A single Value (or number) in gives a single Value out.  ``nn.ReLU()``, ``nn.Tanh()``
    and friends are this module with the name fixed.
    """

    def __init__(self, name: str) -> None:
        self._function = get_activation(name)
        self.name = name

    def __call__(self, x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return list(map(self._function, as_values(x)))
        return self._function(as_values([x])[0])

    def extra_repr(self) -> str:
        return repr(self.name)


# activation name -> its module class (nn.ReLU for 'relu', ...), filled below
ACTIVATION_MODULES: dict[str, type[Activation]] = {}


def _named_activation(class_name: str, name: str) -> type[Activation]:
    def __init__(self: Activation) -> None:
        Activation.__init__(self, name)

    doc = f"The {name!r} activation as a module (see :class:`Activation`)."
    module = type(class_name, (Activation,), {"__init__": __init__, "__doc__": doc,
                                               "extra_repr": lambda self: ""})  # fmt: skip
    ACTIVATION_MODULES[name] = module
    return module


Identity = _named_activation("Identity", "linear")
ReLU = _named_activation("ReLU", "relu")
Sigmoid = _named_activation("Sigmoid", "sigmoid")
Tanh = _named_activation("Tanh", "tanh")
LeakyReLU = _named_activation("LeakyReLU", "leaky_relu")
ELU = _named_activation("ELU", "elu")
