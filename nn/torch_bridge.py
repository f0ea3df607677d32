"""From chaingrad to PyTorch and back: :func:`to_torch`, :func:`from_torch`,
torch-layout state dicts and :func:`to_torch_optimizer`.

torch is optional (the ``torch`` extra) and imported only when one of
these functions needs it, never by ``import nn``.  A model is a chain of parts, and
each part is one torch module, in order (so the torch indices are the parts' indices):

==============================  ===================================================
chaingrad                        torch (float64)
==============================  ===================================================
``Linear(nin, nout, bias)``      ``Linear(nin, nout, bias)``
``Layer(nin, nout, act)``        ``Linear(nin, nout)``, then the activation's module
``MLP(nin, [h, ..., out])``      its layers' parts: ``Linear, ReLU, ..., Linear``
``Sequential(a, b, ...)``        the parts of a, then of b, ...
``ReLU()``, ``Sigmoid()``,       ``ReLU()``, ``Sigmoid()``, ``Tanh()``,
``Tanh()``, ``Identity()``,      ``Identity()``, ``SiLU()``
``SiLU()``
``LeakyReLU(negative_slope)``    ``LeakyReLU(negative_slope)``
``ELU(alpha)``                   ``ELU(alpha)``
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
    Activation,
)
from .checks import is_finite_number
from .layers import MLP, Dropout, Layer, Linear, Neuron, Sequential
from .module import Module, key_problems
from .optim import SGD, Adam, Optimizer

# chaingrad activation name -> the torch.nn class of the same formula.  The arguments an
# activation module takes (ACTIVATION_ARGUMENTS: LeakyReLU's negative_slope, ELU's alpha,
# GELU's approximate, Softplus's beta and threshold) go across as they are.
TORCH_ACTIVATIONS: dict[str, str] = {
    "relu": "ReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "leaky_relu": "LeakyReLU",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "softplus": "Softplus",
}

# ("linear", (weight rows, bias Values or None)) | ("activation", (name, arguments))
# | ("dropout", p)
Part = tuple[str, Any]


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("this needs PyTorch: .venv/bin/pip install -e '.[torch]' in "
                          "chaingrad's clone (elsewhere: pip install torch)") from None
    return torch


# -- chaingrad -> parts --------------------------------------------------------------
def _parts(model: Any, where: str) -> list[Part]:
    """The torch modules ``model`` becomes, in order, as (kind, what) pairs."""
    if isinstance(model, (MLP, Sequential)):
        return [part for layer in model.layers for part in _parts(layer, where)]
    if isinstance(model, Linear):
        return [("linear", (model.weight, model.bias))]
    if isinstance(model, (Layer, Neuron)):
        neurons = model.neurons if isinstance(model, Layer) else [model]
        act = model.activation
        linear = ("linear", ([n.w for n in neurons], [n.b for n in neurons]))
        return [linear, *([] if act == "linear" else [_activation(act, {}, where)])]
    if isinstance(model, Activation):
        return [_activation(model.name, model.arguments, where)]
    if isinstance(model, Dropout):
        return [("dropout", model.p)]
    raise ValueError(f"{where}: {type(model).__name__} has no torch module of the same "
                     "formula (supported: Linear, Layer, MLP, Sequential, activations, Dropout)")


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
        if bias is not None:
            shapes[f"{key}.bias"] = (len(bias),)
    return shapes


def _dotted(prefix: str) -> str:
    return f"{prefix}." if prefix else ""


def _linears(parts: list[Part], prefix: str
             ) -> dict[str, tuple[list[list[Value]], list[Value] | None]]:  # fmt: skip
    """Torch key of each Linear -> (the weight's Values by row, the bias's or None)."""
    return {f"{prefix}{i}": what for i, (kind, what) in enumerate(parts) if kind == "linear"}


# -- state dicts ---------------------------------------------------------------------
def torch_state_dict(model: Module, prefix: str = "", as_tensors: bool = True) -> dict[str, Any]:
    """``model``'s weights in torch's layout (see the module docstring): float64 tensors
    (what torch's ``load_state_dict`` takes), or with ``as_tensors=False`` nested lists
    of floats (no torch needed; JSON-serializable)."""
    prefix = _dotted(prefix)
    state: dict[str, Any] = {}
    for key, (rows, bias) in _linears(_parts(model, "torch_state_dict"), prefix).items():
        state[f"{key}.weight"] = [[w.data for w in row] for row in rows]
        if bias is not None:
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
        for b, x in zip(bias or [], values.get(f"{key}.bias", [])):
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
            rows, bias = what
            modules.append(torch.nn.Linear(len(rows[0]), len(rows), bias=bias is not None,
                                           dtype=torch.float64))  # fmt: skip
        elif kind == "dropout":
            modules.append(torch.nn.Dropout(what))
        elif what[0] == "linear":
            modules.append(torch.nn.Identity())
        else:
            modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[what[0]])(**what[1]))
    sequential = torch.nn.Sequential(*modules)
    sequential.load_state_dict(torch_state_dict(model))
    return sequential.train(model.training)


def to_torch_optimizer(optimizer: Optimizer, model: Module, module: Any) -> Any:
    """A ``torch.optim.SGD`` or ``Adam`` over ``module = nn.to_torch(model)`` with
    ``optimizer``'s parameter groups (each torch tensor in the group that holds its
    Values), options and buffers (momentum, Adam's moments and steps), so training goes
    on in torch as it would have in chaingrad.  torch's optimizer takes whole tensors:
    each weight and bias of ``model`` must be wholly in one group, or wholly outside the
    optimizer (then it is outside torch's too, as a frozen weight), and the optimizer
    must hold nothing else."""
    torch = _torch()
    where = "to_torch_optimizer"
    if type(optimizer) not in (SGD, Adam):
        raise ValueError(f"{where}: {type(optimizer).__name__} has no torch.optim twin here "
                         "(supported: SGD, Adam)")  # fmt: skip
    tensors = [(f"{key}.{name}", rows)
               for key, (weight, bias) in _linears(_parts(model, where), "").items()
               for name, rows in (("weight", weight), ("bias", None if bias is None else [bias]))
               if rows is not None]  # fmt: skip
    index = {id(p): i for i, p in enumerate(optimizer.params)}
    group_of = [k for k, group in enumerate(optimizer.param_groups) for _ in group["params"]]
    members: list[list[tuple[Any, list[int]]]] = [[] for _ in optimizer.param_groups]
    held = 0
    for (name, rows), tensor in zip(tensors, module.parameters()):
        indices = [index.get(id(v)) for row in rows for v in row]
        if all(i is None for i in indices):
            continue
        groups = {group_of[i] for i in indices if i is not None}
        if None in indices or len(groups) > 1:
            raise ValueError(f"{where}: torch's optimizer takes whole tensors, but this one holds "
                             f"part of {name} (or puts it in several groups)")  # fmt: skip
        members[groups.pop()].append((tensor, indices))
        held += len(indices)
    if held != len(optimizer.params):
        raise ValueError(f"{where}: the optimizer holds Values that are not the model's weights")
    state_dict = optimizer.state_dict()
    buffers, state = state_dict["state"], {}
    for k, (tensor, indices) in enumerate(pair for group in members for pair in group):
        entries = [buffers.get(i) for i in indices]
        if all(entry is None for entry in entries):  # no buffers yet (before its first step)
            continue
        steps = {entry.get("step") if entry else None for entry in entries}
        if None in [*entries] or len(steps) > 1:
            raise ValueError(f"{where}: torch keeps one step per tensor, but the numbers of "
                             f"tensor {k} have taken different numbers of steps")  # fmt: skip
        state[k] = {name: torch.tensor([entry[name] for entry in entries],
                                       dtype=torch.float64).reshape(tensor.shape)
                    for name in entries[0] if name != "step"}  # fmt: skip
        if "step" in entries[0]:
            state[k]["step"] = torch.tensor(float(steps.pop()))
    groups = [{**{k: v for k, v in group.items() if k != "params"},
               "params": [tensor for tensor, _ in group_members]}
              for group, group_members in zip(state_dict["param_groups"], members)]  # fmt: skip
    torch_optimizer = getattr(torch.optim, type(optimizer).__name__)(groups)
    torch_optimizer.load_state_dict({"state": state,
                                     "param_groups": torch_optimizer.state_dict()["param_groups"]})
    return torch_optimizer


def from_torch(module: Any) -> MLP | Sequential:
    """A chaingrad model for a ``torch.nn.Sequential`` of ``Linear``, activation,
    ``Identity`` and ``Dropout`` modules, with the same weights (exact: float64, or float32
    widened).  ``Linear, act, Linear, act, ..., Linear[, act]`` with one hidden
    activation becomes an :class:`nn.MLP`, anything else an :class:`nn.Sequential` of
    Layers (a Linear and the activation after it; an :class:`nn.Linear` for a Linear
    without a bias) and modules.
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
    arguments its module takes (LeakyReLU's negative_slope, ...), or None."""
    for name, class_name in TORCH_ACTIVATIONS.items():
        if isinstance(child, getattr(torch.nn, class_name)):
            return name, {k: getattr(child, k) for k in ACTIVATION_ARGUMENTS.get(name, {})}
    return ("linear", {}) if isinstance(child, torch.nn.Identity) else None


def _specs(children: list[Any], torch: Any) -> list[tuple]:
    """("layer" | "unbiased", nin, nout, activation) | ("activation", name, arguments) |
    ("dropout", p) per part."""
    specs: list[tuple] = []
    unsupported = []
    for i, child in enumerate(children):
        activation = _activation_name(child, torch)
        if isinstance(child, torch.nn.Linear):  # a "layer", or an nn.Linear without a bias
            kind = "layer" if child.bias is not None else "unbiased"
            specs.append([kind, child.in_features, child.out_features, "linear"])
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
    layers = [spec for spec in parts if spec[0] in ("layer", "unbiased")]
    for previous, layer in zip(layers, layers[1:]):
        if previous[2] != layer[1]:
            raise ValueError(f"from_torch: a Linear with {previous[2]} outputs feeds one with "
                             f"{layer[1]} inputs")  # fmt: skip
    hidden = {layer[3] for layer in layers[:-1]}
    if layers and all(spec[0] == "layer" for spec in parts) and len(hidden) <= 1:
        return MLP(layers[0][1], [layer[2] for layer in layers],
                   activation=hidden.pop() if hidden else "relu",
                   output_activation=layers[-1][3])  # fmt: skip
    modules: list[Module] = []
    for spec in parts:
        if spec[0] == "layer":
            modules.append(Layer(spec[1], spec[2], spec[3]))
        elif spec[0] == "unbiased":
            modules.append(Linear(spec[1], spec[2], bias=False))
        elif spec[0] == "activation":
            modules.append(ACTIVATION_MODULES[spec[1]](**spec[2]))
        else:
            modules.append(Dropout(spec[1]))
    return Sequential(*modules)
