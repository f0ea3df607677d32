"""One sample's backward pass, ending at one neuron's weights: what a click on a neuron shows.

For neuron j of layer i and a training sample x, the graph is built from the loss back
to that neuron only: the layer's inputs are leaves holding the values the layers before
it give for x (``a1``, ``a2``, ... for a hidden layer, the features for the first), the
neuron is ``act(w1·a1 + w2·a2 + ... + b)`` with its own weights as leaves, the other
neurons of its layer are leaves holding their outputs, and the layers after it are
built whole.  Backward from the loss then ends at ``w1 ... wn`` and ``b``: the chain
rule from L to this neuron's weights, one product at a time (the step-through's
``expand=True``).  Every leaf is a new Value, so the model's own ``.grad`` stays as it was.
"""

from __future__ import annotations

import inspect
from typing import Any

import autograd
from autograd import Value, no_grad
from nn.activations import get_activation
from nn.module import in_mode

from .. import mlp
from ..stepper import StepThrough, step_through
from .session import Session


def _neurons(model: Any) -> list[list[Any]]:
    """The neurons of each layer (the layers :func:`viz.mlp.stages` finds)."""
    return [list(stage.pieces[0].neurons) for stage in mlp.stages(model)]


def _neuron(neuron: Any, x: list[Value], names: tuple[str, str, str]) -> Value:
    """``act(w · x + b)`` with the neuron's weights as new, labelled leaves."""
    weight, bias, out = names
    w = [Value(p.data, label=f"{weight}{k + 1}") for k, p in enumerate(neuron.w)]
    b = Value(neuron.b.data, label=bias)
    z = autograd.dot(w, x, b)
    z.label = f"z{out}"
    a = get_activation(neuron.activation)(z)
    a.label = f"a{out}"
    return a


def neuron_graph(session: Session, layer: int, index: int, sample: int = 0) -> Value:
    """The loss of training sample ``sample`` as a graph that reaches back to neuron
    ``index`` of ``layer`` (see the module docstring); IndexError for a neuron the model
    does not have."""
    layers = _neurons(session.model)
    if not (0 <= layer < len(layers) and 0 <= index < len(layers[layer])):
        raise IndexError(f"the model has no neuron {index} in layer {layer}")
    x, target = session.X_train[sample], session.y_train[sample]
    with no_grad(), in_mode(session.model, training=False):
        values = [list(map(float, x))]
        for neurons in layers[:layer]:
            values.append([float(n(values[-1]).data) for n in neurons])
    prefix = "x" if layer == 0 else "h"
    inputs = [Value(v, label=f"{prefix}{k + 1}") for k, v in enumerate(values[-1])]
    with no_grad(), in_mode(session.model, training=False):
        others = [float(n(values[-1]).data) for n in layers[layer]]
    current = [Value(v, label=f"a{layer + 1}.{k + 1}") for k, v in enumerate(others)]
    current[index] = _neuron(layers[layer][index], inputs, ("w", "b", ""))
    for i, neurons in enumerate(layers[layer + 1:], start=layer + 1):
        current = [_neuron(n, current, (f"w{i + 1}.{j + 1}.", f"b{i + 1}.{j + 1}",
                                        f"{i + 1}.{j + 1}"))
                   for j, n in enumerate(neurons)]  # fmt: skip
    output = current[0] if len(current) == 1 else current
    loss = session.loss([output], [target])
    loss.label = "L"
    return loss


def neuron_step_through(session: Session, layer: int, index: int, lang: str = "en"
                        ) -> StepThrough:  # fmt: skip
    """The step-through of :func:`neuron_graph`, expanded product by product where the
    step-through can (``expand=True``), in ``lang`` where it speaks it."""
    root = neuron_graph(session, layer, index)
    accepted = inspect.signature(step_through).parameters
    options = {k: v for k, v in (("expand", True), ("lang", lang)) if k in accepted}
    return step_through(root, **options)
