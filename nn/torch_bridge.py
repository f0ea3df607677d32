"""From chaingrad to PyTorch and back: :func:`to_torch`, :func:`from_torch`,
torch-layout state dicts and :func:`to_torch_optimizer`.

torch is optional (``pip install 'chaingrad[torch]'``) and imported only when one of
these functions needs it, never by ``import nn``.  A model is a chain of parts, and
each part is one torch module, in order (so the torch indices are the parts' indices):

==============================  ===================================================
chaingrad                        torch (float64)
==============================  ===================================================
``Layer(nin, nout, act)``        ``Linear(nin, nout)``, then the activation's module
``MLP(nin, [h, ..., out])``      its layers' parts: ``Linear, ReLU, ..., Linear``
``Sequential(a, b, ...)``        the parts of a, then of b, ...
``ReLU()``, ``Sigmoid()``,       ``ReLU()``, ``Sigmoid()``, ``Tanh()``,
``Tanh()``, ``LeakyReLU()``,     ``LeakyReLU(0.01)``, ``ELU(1.0)``, ``Identity()``,
``ELU()``, ``Identity()``,       ``SiLU()``
``SiLU()``
``GELU(approximate)``            ``GELU(approximate)`` ('none' or 'tanh')
``Softplus(beta, threshold)``    ``Softplus(beta, threshold)``
``Dropout(p)``                   ``Dropout(p)``
==============================  ===================================================

The 'linear' activation of a Layer adds no module.  A torch activation right after a
Linear becomes that Layer's activation, unless it has other arguments than the
defaults (then it is a module of its own).  Neuron j of a layer is row j of
the ``Linear``'s weight (shape (out, in)) and entry j of its bias, so the torch-layout
state dict of ``MLP(2, [16, 16, 1])`` has the keys ``0.weight`` (16, 2), ``0.bias``,
``2.weight`` (16, 16), ``2.bias``, ``4.weight`` (1, 16), ``4.bias`` -- exactly those of
``to_torch(model).state_dict()``; a ``prefix`` gives e.g. ``layers.0.weight`` for a torch
model that holds the Sequential as ``self.layers``.  Anything else (Maxout, an
activation without a torch module of the same formula) is refused by name.
:func:`to_torch_optimizer` carries an SGD or Adam (its momentum, moments and step)
over to ``torch.optim``, so a run can go on in torch where it stopped in chaingrad.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from numbers import Real
from typing import Any

from autograd import Value

from .activations import (
    ACTIVATION_ARGUMENTS,
    ACTIVATION_MODULES,
    ELU_ALPHA,
    LEAKY_RELU_SLOPE,
    Activation,
)
from .checks import is_finite_number
from .layers import MLP, Dropout, Layer, Neuron, Sequential
from .module import Module, key_problems
from .optim import SGD, Adam, Optimizer

# chaingrad activation name -> (torch.nn class name, its fixed arguments): the same
# formula.  The arguments an activation module takes (ACTIVATION_ARGUMENTS: GELU's
# approximate, Softplus's beta and threshold) go across as they are.
TORCH_ACTIVATIONS: dict[str, tuple[str, dict[str, float]]] = {
    "relu": ("ReLU", {}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": LEAKY_RELU_SLOPE}),
    "elu": ("ELU", {"alpha": ELU_ALPHA}),
    "gelu": ("GELU", {}),
    "silu": ("SiLU", {}),
    "softplus": ("Softplus", {}),
}

# ("linear", neurons) | ("activation", (name, arguments)) | ("dropout", p)
Part = tuple[str, Any]


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("this needs PyTorch: pip install 'chaingrad[torch]'") from None
    return torch


# -- chaingrad -> parts --------------------------------------------------------------
def _parts(model: Any, where: str) -> list[Part]:
    """The torch modules ``model`` becomes, in order, as (kind, what) pairs."""
    if isinstance(model, (MLP, Sequential)):
        return [part for layer in model.layers for part in _parts(layer, where)]
    if isinstance(model, (Layer, Neuron)):
        neurons = model.neurons if isinstance(model, Layer) else [model]
        act = model.activation
        return [("linear", neurons),
                *([] if act == "linear" else [_activation(act, {}, where)])]  # fmt: skip
    if isinstance(model, Activation):
        return [_activation(model.name, model.arguments, where)]
    if isinstance(model, Dropout):
        return [("dropout", model.p)]
    raise ValueError(f"{where}: {type(model).__name__} has no torch module of the same "
                     "formula (supported: Layer, MLP, Sequential, activations, Dropout)")


def _activation(name: str, arguments: dict[str, Any], where: str) -> Part:
    if name != "linear" and name not in TORCH_ACTIVATIONS:
        raise ValueError(f"{where}: the activation {name!r} has no torch module of the same "
                         f"formula (supported: {', '.join(['linear', *TORCH_ACTIVATIONS])})")
    return ("activation", (name, arguments))


def _layout(parts: list[Part], prefix: str) -> dict[str, tuple[int, ...]]:
    """Torch-layout key -> shape, for every Linear among ``parts``."""
    shapes = {}
    for key, (rows, bias) in _linears(parts, prefix).items():
        shapes[f"{key}.weight"] = (len(rows), len(rows[0]))
        shapes[f"{key}.bias"] = (len(bias),)
    return shapes


def _dotted(prefix: str) -> str:
    return f"{prefix}." if prefix else ""


def _linears(parts: list[Part], prefix: str) -> dict[str, tuple[list[list[Value]], list[Value]]]:
    """Torch key of each Linear's weight -> (the weight's Values by row, the bias's)."""
    return {f"{prefix}{i}": ([n.w for n in neurons], [n.b for n in neurons])
            for i, (kind, neurons) in enumerate(parts) if kind == "linear"}  # fmt: skip


# -- state dicts ---------------------------------------------------------------------
def torch_state_dict(model: Module, prefix: str = "", as_tensors: bool = True) -> dict[str, Any]:
    """``model``'s weights in torch's layout (see the module docstring): float64 tensors
    (what torch's ``load_state_dict`` takes), or with ``as_tensors=False`` nested lists
    of floats (no torch needed; JSON-serializable)."""
    prefix = _dotted(prefix)
    state: dict[str, Any] = {}
    for key, (rows, bias) in _linears(_parts(model, "torch_state_dict"), prefix).items():
        state[f"{key}.weight"] = [[w.data for w in row] for row in rows]
        state[f"{key}.bias"] = [b.data for b in bias]
    if not as_tensors:
        return state
    torch = _torch()
    return {key: torch.tensor(value, dtype=torch.float64) for key, value in state.items()}


def load_torch_state_dict(model: Module, state: Mapping[str, Any], prefix: str = "") -> None:
    """Set ``model``'s weights from a torch-layout state dict (tensors, numpy arrays or
    nested lists), strict: the same keys and shapes, finite numbers.  Everything is
    checked before a weight is written: on error (ValueError naming the entries) the
    model is unchanged."""
    where = f"load_torch_state_dict into {type(model).__name__}"
    if not isinstance(state, Mapping):
        raise TypeError(f"{where}: expected a mapping name -> tensor, not {type(state).__name__}")
    prefix = _dotted(prefix)
    parts = _parts(model, where)
    shapes = _layout(parts, prefix)
    problems = key_problems(shapes, state)
    values = {key: _as_list(state[key]) for key in shapes if key in state}
    for key, value in values.items():
        odd = next((x for x in _flat(value) if isinstance(x, bool) or not isinstance(x, Real)),
                   None)  # fmt: skip
        shape = _shape(value)
        if odd is not None:  # say so, rather than call a list holding a str "ragged"
            problems.append(f"{key} holds a {type(odd).__name__}, not a number")
        elif shape != shapes[key]:
            problems.append(f"{key} has shape {shape}, expected {shapes[key]}")
        elif not all(map(is_finite_number, _flat(value))):
            problems.append(f"{key} holds values that are not finite numbers")
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    for key, (rows, bias) in _linears(parts, prefix).items():
        for row, numbers in zip(rows, values[f"{key}.weight"]):
            for w, x in zip(row, numbers):
                w.data = float(x)
        for b, x in zip(bias, values[f"{key}.bias"]):
            b.data = float(x)


def _as_list(value: Any) -> Any:
    """A tensor or numpy array as nested lists (lists and numbers as they are)."""
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu()
    return value.tolist() if hasattr(value, "tolist") else value


def _shape(value: Any) -> tuple[int, ...] | str:
    """The shape of nested lists of numbers, or a description of what is wrong."""
    if not isinstance(value, (list, tuple)):
        return "()" if isinstance(value, Real) and not isinstance(value, bool) else \
            f"a {type(value).__name__}"  # fmt: skip
    shapes = {_shape(item) for item in value}
    if len(shapes) > 1 or any(isinstance(s, str) and s != "()" for s in shapes):
        return "ragged"
    inner = shapes.pop() if shapes else ()
    return (len(value),) if inner == "()" else (len(value), *inner)


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _flat(item)]
    return [value]


# -- the modules ---------------------------------------------------------------------
def to_torch(model: Module) -> Any:
    """A ``torch.nn.Sequential`` (float64) that computes what ``model`` computes, with
    the same weights and the same train/eval mode (see the module docstring; in
    training mode each side's Dropout draws its own masks)."""
    torch = _torch()
    modules = []
    for kind, what in _parts(model, "to_torch"):
        if kind == "linear":
            modules.append(torch.nn.Linear(len(what[0].w), len(what), dtype=torch.float64))
        elif kind == "dropout":
            modules.append(torch.nn.Dropout(what))
        elif what[0] == "linear":
            modules.append(torch.nn.Identity())
        else:
            class_name, fixed = TORCH_ACTIVATIONS[what[0]]
            modules.append(getattr(torch.nn, class_name)(**fixed, **what[1]))
    sequential = torch.nn.Sequential(*modules)
    sequential.load_state_dict(torch_state_dict(model))
    return sequential.train(model.training)


def to_torch_optimizer(optimizer: Optimizer, model: Module, module: Any) -> Any:
    """A ``torch.optim.SGD`` or ``Adam`` over ``module = nn.to_torch(model)`` with
    ``optimizer``'s hyper-parameters and buffers (momentum, Adam's moments and step), so
    training goes on in torch as it would have in chaingrad.  ``optimizer`` must hold
    exactly ``model``'s parameters."""
    torch = _torch()
    where = "to_torch_optimizer"
    if type(optimizer) not in (SGD, Adam):
        raise ValueError(f"{where}: {type(optimizer).__name__} has no torch.optim twin here "
                         "(supported: SGD, Adam)")  # fmt: skip
    linears = _linears(_parts(model, where), "")
    tensors = [values for rows, bias in linears.values() for values in (rows, [bias])]
    index = {id(p): i for i, p in enumerate(optimizer.params)}
    if sorted(index.get(id(v), -1) for rows in tensors for row in rows for v in row) != \
            list(range(len(optimizer.params))):  # fmt: skip
        raise ValueError(f"{where}: the optimizer must hold exactly the model's parameters")
    state_dict = optimizer.state_dict()
    buffers, (group,) = state_dict["state"], state_dict["param_groups"]
    state = {}
    shapes = [p.shape for p in module.parameters()]  # weight (out, in), bias (out,), ...
    for k, rows in enumerate(tensors):
        entries = [buffers.get(index[id(v)]) for row in rows for v in row]
        if entries[0] is None:  # no buffers yet (before the first step)
            continue
        state[k] = {name: torch.tensor([e[name] for e in entries],
                                       dtype=torch.float64).reshape(shapes[k])
                    for name in entries[0] if name != "step"}  # fmt: skip
        if isinstance(optimizer, Adam):
            state[k]["step"] = torch.tensor(float(optimizer.steps))
    settings = {name: value for name, value in group.items() if name != "params"}
    torch_optimizer = getattr(torch.optim, type(optimizer).__name__)(module.parameters(),
                                                                     **settings)  # fmt: skip
    torch_optimizer.load_state_dict({"state": state,
                                     "param_groups": torch_optimizer.state_dict()["param_groups"]})
    return torch_optimizer


def from_torch(module: Any) -> MLP | Sequential:
    """A chaingrad model for a ``torch.nn.Sequential`` of ``Linear`` (with bias) and
    activation, ``Identity`` and ``Dropout`` modules, with the same weights (exact:
    float64, or float32 widened).  ``Linear, act, Linear, act, ..., Linear[, act]`` with
    one hidden activation becomes an :class:`nn.MLP`, anything else an
    :class:`nn.Sequential` of Layers (a Linear and the activation after it) and modules.
    Other torch modules are refused by name.  Python's ``random`` is left as it was."""
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: expected a torch.nn.Sequential, not {type(module).__name__}")
    specs = _specs(list(module), torch)
    generator_state = random.getstate()  # the new weights are overwritten: draw nothing
    try:
        model = _build(specs)
    finally:
        random.setstate(generator_state)
    load_torch_state_dict(model, module.state_dict())
    return model.train(module.training)


def _activation_name(child: Any, torch: Any) -> tuple[str, dict[str, Any]] | None:
    """The chaingrad activation of a torch module with the same formula and the
    arguments its module takes (GELU's approximate, ...), or None; ValueError for a known
    activation with other fixed arguments."""
    for name, (class_name, arguments) in TORCH_ACTIVATIONS.items():
        if isinstance(child, getattr(torch.nn, class_name)):
            other = {k: getattr(child, k) for k, v in arguments.items() if getattr(child, k) != v}
            if other:
                raise ValueError(f"from_torch: {child!r} differs from chaingrad's {name!r} "
                                 f"({', '.join(f'{k}={v}' for k, v in arguments.items())})")
            return name, {k: getattr(child, k) for k in ACTIVATION_ARGUMENTS.get(name, {})}
    return ("linear", {}) if isinstance(child, torch.nn.Identity) else None


def _specs(children: list[Any], torch: Any) -> list[tuple]:
    """("layer", nin, nout, activation) | ("activation", name, arguments) | ("dropout", p)
    per part."""
    specs: list[tuple] = []
    unsupported = []
    for i, child in enumerate(children):
        activation = _activation_name(child, torch)
        if isinstance(child, torch.nn.Linear):
            if child.bias is None:
                unsupported.append(f"{i}: {child!r} (chaingrad's neurons always have a bias)")
            specs.append(["layer", child.in_features, child.out_features, "linear"])
        elif activation is not None and not isinstance(child, torch.nn.Identity) and specs \
                and specs[-1][0] == "layer" and specs[-1][3] == "linear" \
                and isinstance(children[i - 1], torch.nn.Linear) \
                and activation[1] == ACTIVATION_ARGUMENTS.get(activation[0], {}):  # fmt: skip
            specs[-1][3] = activation[0]  # the Linear's activation: part of the same Layer
            specs.append(["folded"])
        elif activation is not None:
            specs.append(["activation", *activation])
        elif isinstance(child, torch.nn.Dropout):
            specs.append(["dropout", child.p])
        else:
            unsupported.append(f"{i}: {child!r}")
    if unsupported:
        raise ValueError("from_torch: no chaingrad module for " + "; ".join(unsupported))
    return [tuple(spec) for spec in specs]


def _build(specs: list[tuple]) -> MLP | Sequential:
    parts = [spec for spec in specs if spec[0] != "folded"]
    layers = [spec for spec in parts if spec[0] == "layer"]
    for previous, layer in zip(layers, layers[1:]):
        if previous[2] != layer[1]:
            raise ValueError(f"from_torch: a Linear with {previous[2]} outputs feeds one with "
                             f"{layer[1]} inputs")  # fmt: skip
    hidden = {layer[3] for layer in layers[:-1]}
    if layers and len(layers) == len(parts) and len(hidden) <= 1:
        return MLP(layers[0][1], [layer[2] for layer in layers],
                   activation=hidden.pop() if hidden else "relu",
                   output_activation=layers[-1][3])  # fmt: skip
    modules: list[Module] = []
    for spec in parts:
        if spec[0] == "layer":
            modules.append(Layer(spec[1], spec[2], spec[3]))
        elif spec[0] == "activation":
            modules.append(ACTIVATION_MODULES[spec[1]](**spec[2]))
        else:
            modules.append(Dropout(spec[1]))
    return Sequential(*modules)
