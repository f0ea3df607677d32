"""One sample's backward pass, ending at one neuron's weights: what a click on a neuron shows.

For neuron j of layer i and a training sample x, the graph is built from the loss back
to that neuron only: its inputs are leaves holding the values the layers before it give
for x (``h1``, ``h2``, ... for a hidden layer, the features ``x1``, ``x2``, ... for the
first), the neuron is ``a = act(w1·h1 + w2·h2 + ... + b)`` with its own weights as leaves.
In the next layer each neuron k is ``act(w_k·a + c_k)``: only its product with this
neuron, the rest of its sum (the other neurons' products and its bias) being one number
``c_k`` for this sample, since it does not depend on this neuron; the layers after that
are built whole, then the loss.  Backward from the loss ends at ``w1 ... wn`` and ``b``:
the chain rule from L to this neuron's weights, one product at a time (the
step-through's ``expand=True``), and dL/dw is what the engine computes on the whole
network.  Every leaf is a new Value, so the model's own ``.grad`` stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd
from autograd import Value, no_grad
from nn.activations import get_activation

from ..stages import Unit, stages
from ..stepper import StepThrough, step_through
from .session import Session


def explainable(model: Any) -> bool:
    """True when a neuron of ``model`` has a step-through (not for Maxout layers)."""
    try:
        _layers(model)
    except IndexError:
        return False
    return True


def _layers(model: Any) -> list[tuple[list[Unit], list[Callable[[Value], Value]]]]:
    """Each layer's units and the activation modules applied after it
    (:func:`viz.stages.stages`); IndexError for a Maxout layer (its units are pieces
    under a max)."""
    found = stages(model)
    if any(len(stage.pieces) != 1 for stage in found):
        raise IndexError("the step-through follows layers of neurons, not Maxout")
    return [(stage.pieces[0], stage.after) for stage in found]


def _unit(unit: Unit, after: list[Callable[[Value], Value]], x: list[Value],
          names: tuple[str, str, str]) -> Value:  # fmt: skip
    """``act(w · x + b)`` with the unit's weights as new, labelled leaves."""
    weight, bias, out = names
    w = [Value(p.data, label=f"{weight}{k + 1}") for k, p in enumerate(unit.w)]
    b = Value(unit.b.data if unit.b is not None else 0.0, label=bias)
    z = autograd.dot(w, x, b)
    z.label = f"z{out}"
    a = _activated(unit, after, z)
    a.label = f"a{out}"
    return a


def _activated(unit: Unit, after: list[Callable[[Value], Value]], z: Value) -> Value:
    """The unit's activation of ``z``, then the activation modules after its layer (each
    with its own arguments)."""
    a = get_activation(unit.activation)(z)
    for module in after:
        a = module(a)
    return a


def _values(layer: tuple[list[Unit], list[Callable[[Value], Value]]], x: list[float]
            ) -> list[float]:  # fmt: skip
    """A layer's outputs on the numbers ``x``, as numbers."""
    units, after = layer
    with no_grad():
        return [_unit(unit, after, [Value(v) for v in x], ("w", "b", "")).data for unit in units]


def neuron_graph(session: Session, layer: int, index: int, sample: int = 0) -> Value:
    """The loss of training sample ``sample`` as a graph that reaches back to neuron
    ``index`` of ``layer`` (see the module docstring); IndexError for a neuron the model
    does not have."""
    layers = _layers(session.model)
    if not (0 <= layer < len(layers) and 0 <= index < len(layers[layer][0])):
        raise IndexError(f"the model has no neuron {index} in layer {layer}")
    x, target = session.X_train[sample], session.y_train[sample]
    values = [list(map(float, x))]
    for earlier in layers[:layer]:
        values.append(_values(earlier, values[-1]))
    prefix = "x" if layer == 0 else "h"
    inputs = [Value(v, label=f"{prefix}{k + 1}") for k, v in enumerate(values[-1])]
    units, after = layers[layer]
    neuron = _unit(units[index], after, inputs, ("w", "b", ""))
    current = [neuron]
    if layer + 1 < len(layers):  # the next layer: only its products with this neuron
        others = _values(layers[layer], values[-1])
        units, after = layers[layer + 1]
        current = []
        for k, unit in enumerate(units):
            where = f"{layer + 2}.{k + 1}"
            rest = sum(w.data * a for m, (w, a) in enumerate(zip(unit.w, others)) if m != index)
            rest += unit.b.data if unit.b is not None else 0.0
            w = Value(unit.w[index].data, label=f"w{where}.{index + 1}")
            z = w * neuron + Value(rest, label=f"c{where}")
            z.label = f"z{where}"
            a = _activated(unit, after, z)
            a.label = f"a{where}"
            current.append(a)
    for i, (units, after) in enumerate(layers[layer + 2:], start=layer + 2):
        current = [_unit(unit, after, current, (f"w{i + 1}.{j + 1}.", f"b{i + 1}.{j + 1}",
                                                f"{i + 1}.{j + 1}"))
                   for j, unit in enumerate(units)]  # fmt: skip
    output = current[0] if len(current) == 1 else current
    try:  # the sample's own term: no mean over a batch of one (a sum of one, then / 1)
        (loss,) = session.loss([output], [target], reduction="none")
    except TypeError:  # a learner's loss without torch's reduction argument
        loss = session.loss([output], [target])
    loss.label = "L"
    return loss


def neuron_step_through(session: Session, layer: int, index: int, lang: str = "en"
                        ) -> StepThrough:  # fmt: skip
    """The step-through of :func:`neuron_graph`, expanded product by product
    (``expand=True``), in ``lang``."""
    return step_through(neuron_graph(session, layer, index), expand=True, lang=lang)
