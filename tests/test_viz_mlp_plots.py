"""viz.draw_mlp and the matplotlib plots (written as real files)."""

import html
import os
import random
import re
import sys
from types import SimpleNamespace

import pytest

import nn
from viz import draw_mlp, embedded, plot_decision_boundary, plot_history
from viz import mlp as viz_mlp
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
    assert "output layer: sigmoid (1)" in source and source.count("subgraph cluster_layer") == 3
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
    with pytest.raises(ImportError, match=r"\.venv/bin/pip install -e '\.\[plot\]'"):
        plot_history(history(), tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()


def test_grads_view_colours_by_log_gradient_with_a_legend(model):
    model([0.3, -0.7]).backward()
    source = draw_mlp(model, show="grads").source
    assert "cluster_legend" in source and "|dL/dw| (log scale)" in source
    colours = {edge: colour for colour, edge in re.findall(r'color="(#\w+)".* id=(w\w+)', source)}
    assert len(colours) == 2 * 3 + 3 * 2 + 2 * 1
    first, last = model.layers[0].neurons[0].w[0], model.layers[2].neurons[0].w[0]
    scale = viz_mlp.LogScale([p.grad for p in model.parameters()])  # every one is drawn
    for edge, w in (("w0_0_0", first), ("w2_0_0", last)):
        assert w.grad != 0.0 and colours[edge] == viz_mlp.grad_colour(scale(w.grad))
    assert "1e" in source and "\u2202b " in source  # legend decades, bias gradients
    with pytest.raises(ValueError, match="show must be 'weights' or 'grads', not 'data'"):
        draw_mlp(model, show="data")


def test_layer_summaries_are_the_means_of_each_layer(model):
    model([0.3, -0.7]).backward()
    rows = viz_mlp.layer_summaries(model)
    assert [r["name"] for r in rows] == ["layer 1", "layer 2", "output layer"]
    weights = [w for n in model.layers[1].neurons for w in n.w]
    assert rows[1]["mean_abs_w"] == pytest.approx(sum(abs(w.data) for w in weights) / 6)
    assert rows[1]["mean_abs_grad"] == pytest.approx(sum(abs(w.grad) for w in weights) / 6)
    assert f"mean |w| {rows[1]['mean_abs_w']:.4f}" in draw_mlp(model).source


def test_wide_layers_draw_an_ellipsis_and_the_dot_is_deterministic():
    random.seed(3)
    wide = nn.MLP(40, [50, 1])
    source = draw_mlp(wide).source
    assert "\u2026 32 more" in source and "\u2026 42 more" in source
    assert len(re.findall(r" -> \S+ \[[^]]*id=w", source)) == 8 * 8 + 8 * 1  # 8 x 8, 8 -> 1
    random.seed(3)
    assert draw_mlp(nn.MLP(40, [50, 1])).source == source
    assert b"</svg>" in embedded.render(source)


def test_maxout_and_sequential_of_layers():
    random.seed(4)
    model = nn.Sequential(nn.Maxout(2, 3, pieces=2), nn.Layer(3, 2, "linear"), nn.ReLU(),
                          nn.Layer(2, 1, "linear"))  # fmt: skip
    source = draw_mlp(model).source
    assert source.count('label=max') == 3 and "maxout of 2 (3)" in source
    assert "layer 2: linear \u2192 relu (2)" in source
    assert len(re.findall(r"id=w\w+", source)) == 2 * 2 * 3 + 3 * 2 + 2 * 1
    assert len(re.findall(r"id=m\w+", source)) == 6  # piece -> max edges
    with pytest.raises(TypeError, match=r"the model\[0\] is a ReLU"):
        draw_mlp(nn.Sequential(nn.ReLU(), nn.Layer(2, 1)))
    with pytest.raises(TypeError, match="MLP-like stack"):
        draw_mlp(nn.Sequential(nn.Layer(2, 2), lambda x: x))


def test_a_plot_that_fails_while_saving_leaves_the_old_file(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    path = plot_history(history(), tmp_path / "history.png")
    old = path.read_bytes()
    real_savefig = Figure.savefig

    def half_then_crash(self, target, **kwargs):
        real_savefig(self, target, **kwargs)
        target.truncate(100) if hasattr(target, "truncate") else os.truncate(target, 100)
        raise RuntimeError("killed mid-save")

    monkeypatch.setattr(Figure, "savefig", half_then_crash)
    with pytest.raises(RuntimeError, match="killed"):
        plot_history(history(False), path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.png"]


@pytest.mark.parametrize("values", [[1e-7, 0.5], [1e-6, 0.5], [1e-9, 3.0], [0.001, 0.002]])
def test_the_grad_legend_spans_the_whole_scale(values):
    scale = viz_mlp.LogScale(values)
    decades = scale.decades()
    assert decades[0] == scale.low and decades[-1] == scale.high  # the darkest colour too
    assert 10.0 ** decades[0] <= min(values) and 10.0 ** decades[-1] >= max(values)


@pytest.mark.parametrize("widths", [(4, 3), (3, 4)])
def test_layers_that_do_not_chain_are_refused_by_name(widths):
    produced, taken = widths
    model = nn.Sequential(nn.Layer(2, produced), nn.Layer(taken, 1))
    message = f"model\\[1\\] takes {taken} inputs but the layer before it gives {produced}"
    with pytest.raises(ValueError, match=message):
        draw_mlp(model)


@pytest.mark.parametrize("grad_range, error, message", [
    ((1e-3,), ValueError, r"grad_range must be a pair \(smallest, largest\), not \(0.001,\)"),
    ("ab", ValueError, "grad_range must be a pair"),
    ((float("nan"), 1.0), ValueError, r"grad_range\[0\] must be finite, received nan"),
    ((1e-3, "a"), TypeError, r"grad_range\[1\] must be a number, not str"),
    ((1.0, 1e-3), ValueError, r"grad_range must be 0 <= smallest <= largest, not \(1.0, 0.001\)"),
    ((-1.0, 1.0), ValueError, "grad_range must be 0 <= smallest <= largest"),
])  # fmt: skip
def test_a_bad_grad_range_is_refused_by_name(model, grad_range, error, message):
    with pytest.raises(error, match=message):
        draw_mlp(model, show="grads", grad_range=grad_range)
    legend = draw_mlp(model, show="grads", grad_range=(1e-4, 2.0)).source
    assert "\"1e-4\"" in legend and "\"1e1\"" in legend and "\"1e-5\"" not in legend


@pytest.mark.parametrize("rankdir, axis", [("LR", 1), ("TB", 0)])
def test_neurons_are_drawn_in_order_the_ellipsis_last(rankdir, axis):
    random.seed(3)
    svg = embedded.render(draw_mlp(nn.MLP(40, [50, 1]), rankdir=rankdir).source).decode("utf-8")
    where = {html.unescape(name): (float(x), float(y)) for name, x, y in re.findall(
        r'class="node">\s*<title>([^<]*)</title>\s*<\w+[^>]*? c?x="([-\d.]+)" c?y="([-\d.]+)"',
        svg)}  # fmt: skip
    for column in ([f"x{k}" for k in range(8)] + ["more-1"],
                   [f"n0_{j}" for j in range(8)] + ["more0"]):  # fmt: skip
        along = [where[name][axis] for name in column]  # top to bottom (SVG y grows down)
        assert along == sorted(along) and len(set(along)) == len(along), column  # or left to right


def test_the_grads_view_before_backward_says_there_are_no_gradients_yet():
    model = nn.MLP(2, [3, 1])
    source = draw_mlp(model, show="grads").source
    assert "no gradients yet" in source and "cluster_legend" not in source
    model([0.5, -1.0]).backward()
    source = draw_mlp(model, show="grads").source
    assert "no gradients yet" not in source and "cluster_legend" in source
