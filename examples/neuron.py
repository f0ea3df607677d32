"""One neuron, forward and backward (seed 000, "Exemplo da Ação de um Neurônio").

A neuron takes inputs x = (0.5, 0.3, 0.9), weights w = (0.4, 0.7, 0.2) and bias
b = 0.1, forms the weighted sum z = w . x + b and squashes it: a = sigmoid(z).

    z = 0.4*0.5 + 0.7*0.3 + 0.2*0.9 + 0.1 = 0.20 + 0.21 + 0.18 + 0.10 = 0.69

The slide prints z = 0.65: that is an arithmetic slip, the sum is 0.69.
Then a = sigmoid(0.69) = 0.6660, and backward gives, by the chain rule,

    da/dz   = a (1 - a)          = 0.2225
    da/dw_i = da/dz * x_i        (0.1112, 0.0667, 0.2002)
    da/db   = da/dz * 1          = 0.2225
    da/dx_i = da/dz * w_i        (0.0890, 0.1557, 0.0445)

The example checks those formulas against the engine, then writes the graph
(out/neuron.svg) and the step-through backprop page (out/neuron_backprop.html), which
steps the neuron product by product: w_i x_i, then the addition, then the sigmoid.
"""

from __future__ import annotations

import math

from _common import out_dir, run, wrote

import autograd
import viz
from autograd import Value

INPUTS = (0.5, 0.3, 0.9)
WEIGHTS = (0.4, 0.7, 0.2)
BIAS = 0.1


def neuron(activation: str = "sigmoid") -> dict[str, Value]:
    """Build the seed's neuron with labelled Values and return every node by name."""
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(INPUTS, start=1)]
    ws = [Value(w, label=f"w{i}") for i, w in enumerate(WEIGHTS, start=1)]
    b = Value(BIAS, label="b")
    z = autograd.dot(ws, xs, b)  # w . x + b as ONE node
    z.label = "z"
    a = getattr(z, activation)()
    a.label = "a"
    return {"z": z, "a": a, "b": b, **{v.label: v for v in xs + ws}}


def main(fast: bool = False, out: str = "out") -> dict[str, float]:
    """Seed 000's neuron: z = 0.69 (not 0.65), sigmoid, gradients, graph."""
    print("Forward, term by term:")
    terms = [w * x for w, x in zip(WEIGHTS, INPUTS)]
    for w, x, t in zip(WEIGHTS, INPUTS, terms):
        print(f"  {w} * {x} = {t:.2f}")
    z_by_hand = sum(terms) + BIAS
    print(f"  + bias {BIAS}  ->  z = {z_by_hand:.2f}   (the slide's 0.65 is an arithmetic slip)")

    n = neuron("sigmoid")
    z, a = n["z"], n["a"]
    a.backward()
    print(f"\nWith chaingrad: z = {z.data:.4f}, a = sigmoid(z) = {a.data:.4f}")

    local = a.data * (1 - a.data)  # sigmoid'(z) = a (1 - a)
    print(f"\nBackward (da/dz = a(1 - a) = {local:.4f}):")
    for i in (1, 2, 3):
        w, x = n[f"w{i}"], n[f"x{i}"]
        print(f"  da/dw{i} = {w.grad:.4f}  = da/dz * x{i} = {local:.4f} * {x.data}")
        assert math.isclose(w.grad, local * x.data)
        assert math.isclose(x.grad, local * w.data)
    print(f"  da/db  = {n['b'].grad:.4f}  = da/dz * 1")

    relu = neuron("relu")
    relu["a"].backward()
    print(f"\nWith ReLU instead: a = max(0, z) = {relu['a'].data:.4f}; z > 0, so da/dz = 1 "
          f"and da/dw1 = x1 = {relu['w1'].grad:.4f}")

    folder = out_dir(out)
    print("\nPictures:")
    wrote("graph (data and grad)", viz.render(a, folder / "neuron.svg"))
    wrote("step-through backprop page", viz.backprop_html(a, folder / "neuron_backprop.html",
                                                          expand=True))  # fmt: skip
    return {"z": z.data, "a": a.data, "dz": z.grad,
            **{f"dw{i}": n[f"w{i}"].grad for i in (1, 2, 3)}}


if __name__ == "__main__":
    run(main)
