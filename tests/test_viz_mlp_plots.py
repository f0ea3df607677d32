"""viz.draw_mlp and the matplotlib plots (written as real files)."""

import random
import re
import sys
from types import SimpleNamespace

import pytest

import nn
from viz import draw_mlp, embedded, plot_decision_boundary, plot_history
from viz.mlp import NEGATIVE, POSITIVE

PNG = b"\x89PNG"


@pytest.fixture
def model():
    random.seed(1)
    return nn.MLP(2, [3, 2, 1], activation="tanh", output_activation="sigmoid")


def test_draw_mlp_has_one_edge_per_weight_coloured_by_sign(model):
    model.layers[0].neurons[0].w[0].data = 2.0
    model.layers[0].neurons[0].w[1].data = -0.5
    source = draw_mlp(model).source
    edges = re.findall(r"^\t(\w+) -> (\w+) \[(.*)\]$", source, flags=re.M)
    assert len(edges) == 2 * 3 + 3 * 2 + 2 * 1
    style = {(a, b): attrs for a, b, attrs in edges}
    assert POSITIVE in style[("x0", "n0_0")] and "penwidth=4.00" in style[("x0", "n0_0")]
    assert NEGATIVE in style[("x1", "n0_0")] and "penwidth=1.30" in style[("x1", "n0_0")]
    assert "layer 1: tanh (3)" in source and "layer 2: tanh (2)" in source
    assert "output layer: sigmoid (1)" in source and source.count("cluster_layer") == 3
    assert b"</svg>" in embedded.render(source)


def test_draw_mlp_guards_size_and_type(model):
    with pytest.raises(ValueError, match="14 weights, more than max_edges=5; pass max_edges=14"):
        draw_mlp(model, max_edges=5)
    with pytest.raises(TypeError, match="nn.MLP"):
        draw_mlp(object())


def history(val: bool = True):
    return SimpleNamespace(train_loss=[1.0, 0.6, 0.4], train_accuracy=[0.5, 0.7, 0.8],
                           val_loss=[1.1, 0.7, 0.5] if val else [],
                           val_accuracy=[0.5, 0.6, 0.75] if val else [])  # fmt: skip


@pytest.mark.parametrize("val", [True, False])
def test_plot_history_writes_an_image(tmp_path, val):
    path = plot_history(history(val), tmp_path / "history.png")
    assert path.read_bytes().startswith(PNG) and path.stat().st_size > 5_000
    svg = plot_history(history(val), tmp_path / "history.svg").read_text()
    assert ("validation" in svg) == val and "train" in svg


def test_plots_of_a_real_training_run(tmp_path, model):
    X = [[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [0.5, 0.5], [-0.5, -0.5]]
    y = [0, 1, 0, 1, 1, 0]
    history = nn.fit(model, X, y, "bce", nn.optim.SGD(model.parameters(), lr=0.5), epochs=3,
                     validation=(X[:2], y[:2]), progress=False, seed=0)  # fmt: skip
    assert len(history.train_loss) == 3 and len(history.val_accuracy) == 3
    assert plot_history(history, tmp_path / "h.png").read_bytes().startswith(PNG)
    path = plot_decision_boundary(model, X, y, tmp_path / "b.png", resolution=8)
    assert path.read_bytes().startswith(PNG)


def test_plot_history_needs_values(tmp_path):
    with pytest.raises(ValueError, match="no train_loss"):
        plot_history(SimpleNamespace(train_loss=[], val_loss=[]), tmp_path / "h.png")


def test_plot_decision_boundary_writes_an_image(tmp_path, model):
    X = [[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]
    y = [0, 1, 1, 0]
    path = plot_decision_boundary(model, X, y, tmp_path / "boundary.png", resolution=12)
    assert path.read_bytes().startswith(PNG)
    with pytest.raises(ValueError, match="2-D points"):
        plot_decision_boundary(model, [[1.0, 2.0, 3.0]], [0], tmp_path / "bad.png")
    with pytest.raises(ValueError, match="labels"):
        plot_decision_boundary(model, X, y[:2], tmp_path / "bad.png")


def test_plots_without_matplotlib_say_how_to_install_it(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r"pip install 'chaingrad\[plot\]'"):
        plot_history(history(), tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()
