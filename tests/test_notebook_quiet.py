"""A notebook stays quiet: importing chaingrad prints nothing, and nn.fit's progress bar is
a widget where ipywidgets is installed, plain text on stdout where it is not, never a
warning or a red stderr box.  Executed in a real Jupyter kernel (nbclient + ipykernel)."""

import pytest

pytest.importorskip("ipywidgets", reason="the dev extra installs the notebook extra")
from test_notebook import execute, nbformat  # noqa: E402 -- after the skip

HIDE_IPYWIDGETS = "import sys\nsys.modules['ipywidgets'] = None  # as if it were not installed"
CELLS = [
    "import autograd, nn, viz",
    "import random\nrandom.seed(0)\nX, y = nn.datasets.make_moons(40, noise=0.1, seed=0)\n"
    "model = nn.MLP(2, [4, 1])\n"
    "history = nn.fit(model, X, [2 * t - 1 for t in y], nn.hinge_loss,\n"
    "                 nn.optim.SGD(model.parameters(), lr=0.1), epochs=3)",
]
WIDGET = "application/vnd.jupyter.widget-view+json"


def run(cells, tmp_path):
    """The code cells' outputs after running them in a fresh kernel."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    return [cell.outputs for cell in execute(notebook, tmp_path).cells]


def no_stderr(outputs):
    return [o for o in outputs if o.get("name") == "stderr" or o.output_type == "error"] == []


def test_with_ipywidgets_the_bar_is_a_widget_and_the_imports_print_nothing(tmp_path):
    imported, trained = run(CELLS, tmp_path)
    assert imported == []
    assert no_stderr(trained), trained
    assert any(WIDGET in o.get("data", {}) for o in trained), trained
    assert not any("IProgress" in str(o) or "Warning" in str(o) for o in trained)


def test_without_ipywidgets_the_bar_is_text_on_stdout_and_never_a_warning(tmp_path):
    hidden, imported, trained = run([HIDE_IPYWIDGETS, *CELLS], tmp_path)
    assert hidden == [] and imported == []
    assert no_stderr(trained), trained
    text = "".join(o.get("text", "") for o in trained if o.get("name") == "stdout")
    assert "fit: 100%" in text and "3/3" in text, trained
    assert not any(WIDGET in o.get("data", {}) for o in trained)
    assert "IProgress" not in str(trained) and "Warning" not in str(trained)
