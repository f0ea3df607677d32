"""The layers of an MLP-like model, read by duck-typing: what the network picture
(:func:`viz.draw_mlp`) and the heat maps (:mod:`viz.activation_maps`) draw.

A model is a stack of stages; a stage is one layer of units y_j = f(w_j . x + b_j) (or a
Maxout layer: y_j = max over its pieces of w_pj . x + b_pj), followed by any activation
modules of a Sequential.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

__all__ = ["Stage", "Unit", "stages"]


@dataclass
class Unit:
    """One linear unit: weights w_1..w_n, bias b (None for a layer without bias) and the
    activation it applies itself ('linear' for none)."""

    w: list[Value]
    b: Value | None
    activation: str = "linear"


@dataclass
class Stage:
    """One layer of the picture: its linear pieces (one for a layer, several for a
    Maxout, whose unit j is the max of the pieces' unit j), each a list of units, and the
    activations applied after it (by activation modules that follow it in a Sequential)."""

    pieces: list[list[Unit]]
    activation: str
    # what follows the layer, in order: ("activation", its description) or ("dropout", p)
    notes: list[tuple[str, Any]] = field(default_factory=list)
    after: list[Callable[[Value], Value]] = field(default_factory=list)  # the modules

    @property
    def width(self) -> int:
        return len(self.pieces[0])

    @property
    def inputs(self) -> int:
        return len(self.pieces[0][0].w)

    def weights(self) -> list[Value]:
        return [w for piece in self.pieces for unit in piece for w in unit.w]


def _units(layer: Any) -> list[Unit] | None:
    """The units of a layer-like module, duck-typed: PyTorch's ``weight`` rows with a
    ``bias`` list or None (nn.Linear), or ``neurons`` each with ``w`` and ``b`` (nn.Layer);
    None for anything else."""
    weight = getattr(layer, "weight", None)
    if isinstance(weight, (list, tuple)) and weight and all(
            isinstance(row, (list, tuple)) for row in weight):  # fmt: skip
        bias = getattr(layer, "bias", None)
        biases = list(bias) if isinstance(bias, (list, tuple)) else [None] * len(weight)
        activation = str(getattr(layer, "activation", "linear"))
        return [Unit(list(row), b, activation) for row, b in zip(weight, biases)]
    neurons = getattr(layer, "neurons", None)
    if isinstance(neurons, (list, tuple)) and neurons and all(
            isinstance(getattr(n, "w", None), (list, tuple)) for n in neurons):  # fmt: skip
        return [Unit(list(n.w), getattr(n, "b", None), str(getattr(n, "activation", "linear")))
                for n in neurons]  # fmt: skip
    return None


def _layer_activation(units: list[Unit]) -> str:
    names = {unit.activation for unit in units}
    return names.pop() if len(names) == 1 else "mixed"


def _activation_name(module: Any) -> str | None:
    """The activation an activation module applies ('relu' for nn.ReLU()), else None."""
    from nn import ACTIVATIONS, Activation

    name = getattr(module, "name", None)
    if isinstance(module, Activation) or (isinstance(name, str) and name in ACTIVATIONS
                                          and not hasattr(module, "parameters")):  # fmt: skip
        return name
    return None


def stages(model: Any) -> list[Stage]:
    """The layers of an MLP-like ``model``; TypeError for anything else, ValueError for
    a layer whose inputs are not the previous layer's outputs.

    Duck-typed: a container has ``layers`` (nn.MLP, nn.Sequential) or is a list; a layer
    has ``neurons`` (each with ``w`` and ``b``) or ``weight`` rows and ``bias`` (nn.Linear);
    a Maxout has ``pieces``; activation modules and Dropout after a layer are noted on it.
    """
    found: list[Stage] = []

    def append(stage: Stage, where: str) -> None:
        if found and stage.inputs != found[-1].width:
            raise ValueError(f"draw_mlp: {where} takes {stage.inputs} inputs but the layer "
                             f"before it gives {found[-1].width}")  # fmt: skip
        found.append(stage)

    def add(module: Any, where: str) -> None:
        units = _units(module)
        pieces = getattr(module, "pieces", None)
        layers = module if isinstance(module, (list, tuple)) else getattr(module, "layers", None)
        if layers is None and units is None and hasattr(module, "__getitem__") \
                and hasattr(module, "__len__"):  # a ModuleList-like container  # fmt: skip
            layers = [module[i] for i in range(len(module))]
        activation = _activation_name(module)
        if units is not None:
            append(Stage([units], _layer_activation(units)), where)
        elif isinstance(pieces, (list, tuple)) and pieces and all(map(_units, pieces)):
            append(Stage([_units(piece) for piece in pieces], f"maxout of {len(pieces)}"),
                   where)  # fmt: skip
        elif isinstance(layers, (list, tuple)):
            for i, item in enumerate(layers):
                add(item, f"{where}[{i}]")
        elif activation is not None and found:  # e.g. 'relu', 'softplus(beta=2.0)'
            found[-1].notes.append(("activation", str(getattr(module, "description",
                                                               activation))))  # fmt: skip
            found[-1].after.append(module)
        elif type(module).__name__ == "Dropout" and found:  # the identity in evaluation
            found[-1].notes.append(("dropout", module.p))
        else:
            raise TypeError(f"draw_mlp draws an MLP-like stack (nn.MLP, Layer, Maxout or a "
                            f"Sequential of them), but {where} is a {type(module).__name__}")
    add(model, "the model")
    if not found:
        raise TypeError(f"draw_mlp: {type(model).__name__} has no layers to draw")
    return found
