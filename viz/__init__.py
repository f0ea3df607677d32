"""chaingrad's visualisation: pictures of backprop.

- :func:`draw_dot` / :func:`render`: a Value's computation graph with data and grad,
  as SVG without any system Graphviz (PNG/PDF with it), and in notebooks.
- :func:`draw_mlp`: the architecture and weights of an ``nn.MLP``.
- :func:`step_through` / :func:`backprop_html`: a self-contained page that steps through
  backward and forward mode, inline in a notebook or written to a file.
- :func:`plot_history`, :func:`plot_decision_boundary`: training plots (matplotlib).
- ``python -m viz "tanh(x*w + b)" x=0.5 w=-1.5 b=2 -o graph.svg``: the formula CLI.
"""

from .graph import draw_dot
from .mlp import draw_mlp
from .plots import plot_decision_boundary, plot_history
from .render import Diagram, GraphvizNotFoundError, render
from .stepper import StepThrough, backprop_html, step_through

__all__ = [
    "Diagram",
    "GraphvizNotFoundError",
    "StepThrough",
    "backprop_html",
    "draw_dot",
    "draw_mlp",
    "plot_decision_boundary",
    "plot_history",
    "render",
    "step_through",
]
