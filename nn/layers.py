"""Neurons, layers and networks built from them.

A neuron computes ``f(w . x + b)``: the pre-activation ``w . x + b`` is ONE
``autograd.dot(w, x, b)`` node (d/dw_i = x_i, d/dx_i = w_i, d/db = 1) and the
activation ``f`` one more node (see :mod:`nn.activations`).  :class:`Linear` is
PyTorch's layer: ``W x + b`` with no activation, its weights named ``weight`` and
``bias``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Value
from autograd.block_sums import dots
from autograd.trace import random_input, tracing

from .activations import get_activation
from .checks import whole_number
from .module import Module, ModuleList, as_values, not_an_instance

INITS = ("uniform", "xavier", "he")


def _init_bound(init: str, fan_in: int, fan_out: int) -> float:
    """Half-width a of the uniform(-a, a) initial weights.

    'uniform': a = 1 (micrograd's); 'xavier': a = sqrt(6 / (fan_in + fan_out))
    (torch.nn.init.xavier_uniform_); 'he': a = sqrt(6 / fan_in)
    (torch.nn.init.kaiming_uniform_ for ReLU).
    """
    if init == "uniform":
        return 1.0
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    if init == "he":
        return math.sqrt(6.0 / fan_in)
    if not isinstance(init, str):
        raise TypeError(f"init must be a name (str), not {type(init).__name__}")
    raise ValueError(f"unknown init {init!r}; expected one of {', '.join(map(repr, INITS))}")


class Neuron(Module):
    """``f(w . x + b)`` for an input x of ``nin`` numbers or Values.

    Weights start uniform in (-a, a) with a from ``init`` (see :func:`_init_bound`),
    drawn from Python's ``random`` so ``random.seed(n)`` reproduces a model; the
    bias starts at 0.  ``fan_out`` only matters for ``init='xavier'``.
    """

    _repr_children = False

    def __init__(self, nin: int, activation: str = "relu", init: str = "uniform",
                 fan_out: int = 1) -> None:  # fmt: skip
        whole_number("nin", nin)
        bound = _init_bound(init, nin, fan_out)
        self._act: Callable[[Value], Value] = get_activation(activation)
        self.w: list[Value] = [Value(random.uniform(-bound, bound)) for _ in range(nin)]
        self.b: Value = Value(0.0)
        self.activation: str = activation

    @classmethod
    def _of(cls, w: list[Value], b: Value, activation: str = "linear") -> Neuron:
        """A neuron over the given Values (shared, not copied): a row of a :class:`Linear`."""
        neuron = cls.__new__(cls)
        neuron._act, neuron.w, neuron.b = get_activation(activation), w, b
        neuron.activation = activation
        return neuron

    @property
    def nin(self) -> int:
        """The input width."""
        return len(self.w)

    def forward(self, x: Any) -> Value:
        return self._forward(as_values(x, len(self.w)))

    def _forward(self, x: list[Value]) -> Value:
        """The neuron on an already checked list of Values: the node that
        ``autograd.dot(self.w, x, self.b)`` makes, without re-checking the widths."""
        return self._act(dots([self.w], [self.b], [x])[0][0])

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons reading the same input; always returns a list of ``nout`` Values."""

    _repr_children = False

    def __init__(self, nin: int, nout: int, activation: str = "relu",
                 init: str = "uniform") -> None:  # fmt: skip
        whole_number("nout", nout)
        self.neurons: list[Neuron] = [Neuron(nin, activation, init, fan_out=nout)
                                      for _ in range(nout)]  # fmt: skip
        self.activation: str = activation

    @property
    def nin(self) -> int:
        """The input width."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """The output width."""
        return len(self.neurons)

    def forward(self, x: Any) -> list[Value]:
        return self._forward(as_values(x, self.nin))

    def _forward(self, x: list[Value]) -> list[Value]:
        return self._forward_batch([x])[0]

    def _forward_batch(self, xs: list[list[Value]]) -> list[list[Value]]:
        """``[self._forward(x) for x in xs]``, the weights' data read once for the batch
        and each x's once for all the neurons (see :func:`autograd.block_sums.dots`)."""
        neurons = self.neurons
        activations = [n._act for n in neurons]
        return [[f(z) for f, z in zip(activations, zs)]
                for zs in dots([n.w for n in neurons], [n.b for n in neurons], xs)]  # fmt: skip

    def extra_repr(self) -> str:
        return f"{self.nin}, {self.nout}, activation={self.activation!r}"


class Linear(Layer):
    """``W x + b``: ``out_features`` outputs of ``in_features`` inputs and no activation,
    as ``torch.nn.Linear`` (add an activation module after it, ``nn.ReLU()`` ...).

    ``weight`` is a list of ``out_features`` rows of ``in_features`` Values (torch's
    shape (out, in)) and ``bias`` a list of ``out_features`` Values, or None with
    ``bias=False``; the parameters are named ``'weight.j.i'`` and ``'bias.j'``.  Both start
    uniform in (-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's default
    (``kaiming_uniform_`` with a = sqrt(5), and the same bound for the bias), drawn from
    Python's ``random`` (the weight row by row, then the bias).  Output j is the one
    node ``dot(weight[j], x, bias[j])``; a call always returns a list of
    ``out_features`` Values.  It is a :class:`Layer` whose ``neurons`` are its rows.
    """

    activation = "linear"

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        whole_number("in_features", in_features)
        whole_number("out_features", out_features)
        if not isinstance(bias, bool):
            raise TypeError(f"Linear: bias must be True or False, not {bias!r}")
        bound = 1.0 / math.sqrt(in_features)
        self.weight: list[list[Value]] = [
            [Value(random.uniform(-bound, bound)) for _ in range(in_features)]
            for _ in range(out_features)
        ]
        self.bias: list[Value] | None = (
            [Value(random.uniform(-bound, bound)) for _ in range(out_features)] if bias else None
        )
        # without a bias, dot node j adds the constant 0 of _zeros[j] (not a parameter)
        self._zeros = None if bias else [Value(0.0, requires_grad=False)
                                         for _ in range(out_features)]  # fmt: skip

    @property
    def in_features(self) -> int:
        """The input width."""
        return len(self.weight[0])

    @property
    def out_features(self) -> int:
        """The output width."""
        return len(self.weight)

    nin, nout = in_features, out_features

    def _biases(self) -> list[Value]:
        return self.bias if self.bias is not None else self._zeros

    @property
    def neurons(self) -> list[Neuron]:
        """The rows as Neurons sharing the Values (``neurons[j].w is weight[j]``)."""
        return [Neuron._of(w, b) for w, b in zip(self.weight, self._biases())]

    def _forward_batch(self, xs: list[list[Value]]) -> list[list[Value]]:
        return dots(self.weight, self._biases(), xs)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")  # fmt: skip


class MLP(Module):
    """A multi-layer perceptron: ``Layer(nin, nouts[0])``, ``Layer(nouts[0], nouts[1])``, ...

    Hidden layers use ``activation``, the last one ``output_activation``.  Returns a
    Value when the last width is 1, else a list.  ``MLP(2, [16, 16, 1])`` is
    micrograd's network (ReLU hidden layers, linear output, same initial weights for
    the same ``random.seed``).
    """

    def __init__(self, nin: int, nouts: list[int], activation: str = "relu",
                 output_activation: str = "linear", init: str = "uniform") -> None:  # fmt: skip
        whole_number("nin", nin)
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, not {nouts!r}")
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers: list[Layer] = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, init)
            for i in range(len(nouts))
        ]
        self.activation: str = activation
        self.output_activation: str = output_activation

    @property
    def nin(self) -> int:
        """The input width."""
        return self.layers[0].nin

    def forward(self, x: Any) -> Value | list[Value]:
        return self.forward_batch([x])[0]

    def forward_batch(self, X: Sequence[Any]) -> list[Value | list[Value]]:
        """``[self(x) for x in X]``: the same graphs, built a layer at a time over the
        batch so that each weight's data is read once per batch, not once per sample."""
        xs = [as_values(x, self.layers[0].nin) for x in X]
        for layer in self.layers:
            xs = layer._forward_batch(xs)
        return [x[0] if len(x) == 1 else x for x in xs]


def batch_outputs(model: Callable[[Any], Any], X: Sequence[Any]) -> list[Any]:
    """``[model(x) for x in X]``; for an MLP (not a subclass with its own ``forward`` or
    ``__call__``) through :meth:`MLP.forward_batch`, which builds the same graphs with
    less reading."""
    if isinstance(model, MLP) and type(model).forward is MLP.forward \
            and type(model).__call__ is Module.__call__:  # fmt: skip
        return model.forward_batch(X)
    return [model(x) for x in X]


class Maxout(Module):
    """``nout`` maxout units: output j is ``max_k (w_kj . x + b_kj)`` over ``pieces``
    linear pieces, one ``autograd.max`` node (its gradient shared by tied largest pieces)."""

    _repr_children = False

    def __init__(self, nin: int, nout: int, pieces: int = 2, init: str = "uniform") -> None:
        whole_number("pieces", pieces)
        self.pieces: list[Layer] = [Layer(nin, nout, "linear", init) for _ in range(pieces)]

    def forward(self, x: Any) -> list[Value]:
        x = as_values(x, self.pieces[0].nin)
        outputs = [piece._forward(x) for piece in self.pieces]
        return [autograd.max(zs) for zs in zip(*outputs)]

    def extra_repr(self) -> str:
        first = self.pieces[0]
        return f"{first.nin}, {first.nout}, pieces={len(self.pieces)}"


class Dropout(Module):
    """In training mode each element is zeroed with probability ``p`` and the others
    are scaled by 1 / (1 - p), so the expected output equals the input; in evaluation
    mode it is the identity.  Element i is dropped when the i-th ``draw()`` < p, one draw
    per element from ``generator`` (a ``random.Random``), by default Python's global
    ``random``.

    Traced by ``autograd.compile`` in training mode, the mask is a random input (see
    :func:`autograd.trace.random_input`): x_i * m_i with m_i = 0 or 1 / (1 - p) drawn
    afresh for every sample at every call, from the same generator in the same order,
    so a compiled batch drops exactly what the scalar engine run sample by sample would.
    """

    def __init__(self, p: float = 0.5, generator: random.Random | None = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            raise TypeError(f"Dropout: p must be a number, not {type(p).__name__}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], received {p}")
        self.p = float(p)
        self._random = generator if generator is not None else random

    def forward(self, x: Any) -> Any:
        single = not isinstance(x, (list, tuple))
        xs = as_values([x] if single else x)
        if self.training and self.p > 0.0:
            draw, p, scale = self._random.random, self.p, self._scale()
            if tracing():  # compiled: the mask is an input, drawn at every replay
                xs = [v * random_input(draw, self._mask) for v in xs]
            else:
                xs = [Value(0.0) if draw() < p else v * scale for v in xs]
        return xs[0] if single else xs

    def _scale(self) -> float:
        """1 / (1 - p), the factor of the kept elements (0 when everything is dropped)."""
        return 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0

    def _mask(self, u: np.ndarray) -> np.ndarray:
        """The mask for uniform draws u: 0 where u < p (dropped), else 1 / (1 - p)."""
        return np.where(u < self.p, 0.0, self._scale())

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Sequential(ModuleList):
    """Modules applied in order: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    As in PyTorch, item i is named ``'i'``: the parameters of
    ``Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))`` are ``'0.weight.0.0'``,
    ..., ``'2.bias.0'``; ``model[0]`` is the first Linear, and ``append``, ``insert`` and
    slicing work as on a :class:`ModuleList`.  An item may be any callable (a function
    too), though only modules have parameters.
    """

    _items_were_layers = True  # see Module.load_state_dict

    def __init__(self, *modules: Any) -> None:
        self._modules: list[Any] = []
        self.extend(modules)

    def _checked(self, module: Any, index: int) -> Any:
        not_an_instance(module, "Sequential", index)
        if not callable(module):
            raise TypeError(f"Sequential: item {index} is not callable "
                            f"({type(module).__name__})")  # fmt: skip
        return module

    def _shown_children(self) -> Iterable[tuple[str, Any]]:
        return ((str(i), item) for i, item in enumerate(self._modules))  # functions too

    def _of(self, modules: list[Any]) -> Sequential:
        return Sequential(*modules)

    @property
    def layers(self) -> list[Any]:
        """The items, in order (the list itself)."""
        return self._modules

    def forward(self, x: Any) -> Any:
        for module in self._modules:
            x = module(x)
        return x

