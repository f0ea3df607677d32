"""chaingrad's visualisation: pictures of backprop.

- :func:`draw_dot` / :func:`render`: a Value's computation graph with data and grad,
  as SVG without any system Graphviz (PNG/PDF with it), and in notebooks.
- :func:`draw_mlp`: a network's weights (or gradients, ``show="grads"``, or each
  neuron's output over the input plane, ``show="activations"``), layer by layer, as SVG
  laid out for a 16:9 screen (:mod:`viz.layered`; the heat maps: :mod:`viz.activation_maps`);
  :func:`layer_summaries`: each layer's mean |w| and mean |grad|.
- :func:`step_through` / :func:`backprop_html`: a self-contained page that steps through
  backward and forward mode, every rule written out with its numbers (``expand=True``:
  a neuron product by product), inline in a notebook or written to a file.
- The graph pictures also draw a learner's own micrograd-style Value class
  (:mod:`viz.view`); ``lang="pt-BR"`` speaks Portuguese (:mod:`viz.i18n`).
- :func:`training_html` with :class:`Snapshots`: a page that replays training epoch by
  epoch (decision boundary, loss and accuracy, the network's weights).
- :class:`Playground`: train live in a notebook, with TensorFlow Playground's controls,
  on a network it builds or the learner's own (the ``notebook`` extra);
  ``python -m viz.playground`` serves it as a page.
- :func:`plot_history`, :func:`plot_decision_boundary`: training plots (matplotlib).
- ``chaingrad graph "tanh(x*w + b)" x=0.5 w=-1.5 b=2 -o graph.svg`` (or ``python -m
  viz``): the formula CLI; ``chaingrad`` is :mod:`viz.command`.
- ``chaingrad worksheet`` (or ``python -m viz.worksheet``): printable backprop worksheets,
  answer keys and grading (:mod:`viz.worksheet`).
"""

from . import _packages  # noqa: F401 -- first of all: see its docstring
from .graph import draw_dot
from .mlp import draw_mlp, layer_summaries
from .playground import Snapshots, training_html
from .plots import plot_decision_boundary, plot_history
from .render import Diagram, GraphvizNotFoundError, render
from .stepper import StepThrough, backprop_html, step_through


def __getattr__(name: str) -> object:
    """``viz.Playground`` is imported when first used: it needs anywidget (an extra)."""
    if name == "Playground":
        from . import playground

        return playground.Playground
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Diagram",
    "GraphvizNotFoundError",
    "Playground",
    "Snapshots",
    "StepThrough",
    "backprop_html",
    "draw_dot",
    "draw_mlp",
    "layer_summaries",
    "plot_decision_boundary",
    "plot_history",
    "render",
    "training_html",
    "step_through",
]
