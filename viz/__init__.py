"""chaingrad's visualisation: pictures of backprop.

- :func:`draw_dot` / :func:`render`: a Value's computation graph with data and grad,
  as SVG without any system Graphviz (PNG/PDF with it), and in notebooks.
- :func:`draw_mlp`: the architecture and weights of an ``nn.MLP``.
- :func:`backprop_html`: a self-contained page that steps through backward.
- :func:`plot_history`, :func:`plot_decision_boundary`: training plots (matplotlib).
- ``python -m viz "tanh(x*w + b)" x=0.5 w=-1.5 b=2 -o graph.svg``: the formula CLI.
- ``python -m viz.worksheet``: printable backprop worksheets, answer keys and grading
  (:mod:`viz.worksheet`).
"""

from .graph import draw_dot
from .mlp import draw_mlp
from .plots import plot_decision_boundary, plot_history
from .render import Diagram, GraphvizNotFoundError, render
from .stepper import backprop_html

__all__ = [
    "Diagram",
    "GraphvizNotFoundError",
    "backprop_html",
    "draw_dot",
    "draw_mlp",
    "plot_decision_boundary",
    "plot_history",
    "render",
]
