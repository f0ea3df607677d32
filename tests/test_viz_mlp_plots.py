"""viz.draw_mlp and the matplotlib plots (written as real files)."""

import json
import os
import random
import re
import sys
from types import SimpleNamespace

import pytest

import nn
import viz
from autograd import Value
from viz import draw_mlp, plot_decision_boundary, plot_history
from viz import mlp as viz_mlp
from viz.activation_maps import neuron_outputs, plane_grid, symmetric_limit
from viz.mlp import NEGATIVE, POSITIVE

PNG = b"\x89PNG"


@pytest.fixture
def model():
    random.seed(1)
    return nn.MLP(2, [3, 2, 1], activation="tanh", output_activation="sigmoid")


def edges_of(picture) -> dict:
    return {(e["from"], e["to"]): e for e in picture.layout["edges"]}


def boxes_of(picture) -> dict:
    return {b["id"]: b for b in picture.layout["boxes"]}


def captions_of(picture) -> list[list[str]]:
    return [c["lines"] for c in picture.layout["captions"]]


def test_draw_mlp_has_one_edge_per_weight_coloured_by_sign(model):
    model.layers[0].neurons[0].w[0].data = 2.0
    model.layers[0].neurons[0].w[1].data = -0.5
    picture = draw_mlp(model)
    edges = edges_of(picture)
    assert len(edges) == 2 * 3 + 3 * 2 + 2 * 1
    first, second = edges[("x0", "n0_0")], edges[("x1", "n0_0")]
    assert first["colour"] == POSITIVE and first["width"] == 4.0 and first["value"] == 2.0
    assert second["colour"] == NEGATIVE and second["width"] == 1.3
    captions = captions_of(picture)
    assert captions[1][:2] == ["layer 1", "tanh (3)"] and captions[2][:2] == ["layer 2", "tanh (2)"]
    assert captions[3][:2] == ["output layer", "sigmoid (1)"] and captions[0] == ["inputs", "(2)"]
    assert [boxes_of(picture)[f"x{k}"]["label"] for k in (0, 1)] == ["x1", "x2"]
    assert picture.svg.startswith("<svg") and picture.svg.rstrip().endswith("</svg>")
    assert 'id="w0_0_0"' in picture.svg and "mean |grad|" not in picture.svg  # weights only
    assert picture._repr_svg_() == picture.svg
    json.dumps(picture.layout)  # plain data


def test_inputs_are_named_as_the_learner_named_them(model):
    named = boxes_of(draw_mlp(model, names=["age", "height"]))
    assert [named["x0"]["label"], named["x1"]["label"]] == ["age", "height"]
    values = [Value(1.0, label="temperature"), Value(2.0)]
    labelled = boxes_of(draw_mlp(model, inputs=values))
    assert [labelled["x0"]["label"], labelled["x1"]["label"]] == ["temperature", "x2"]
    with pytest.raises(ValueError, match="names must name each of the model's 2 inputs"):
        draw_mlp(model, names=["a"])


def test_the_legend_says_what_b_the_colours_and_the_widths_mean(model):
    labels = [item["label"] for item in draw_mlp(model).layout["legend"]]
    assert labels == ["b: the neuron's bias, in z = w\u00b7x + b", "positive weight",
                      "negative weight", "thicker: larger |w|"]  # fmt: skip
    portuguese = draw_mlp(model, lang="pt-BR")
    assert [item["label"] for item in portuguese.layout["legend"]][1] == "peso positivo"
    assert captions_of(portuguese)[3][0] == "camada de sa\u00edda"
    with pytest.raises(ValueError, match="lang must be one of en, pt-BR, not 'fr'"):
        draw_mlp(model, lang="fr")


def test_render_writes_the_picture_as_svg_only(model, tmp_path):
    path = viz.render(draw_mlp(model), tmp_path / "mlp.svg")
    assert path.read_text(encoding="utf-8") == draw_mlp(model).svg
    with pytest.raises(ValueError, match=r"drawn as SVG: save it as .svg, not .png"):
        viz.render(draw_mlp(model), tmp_path / "mlp.png")
    with pytest.raises(TypeError, match="drawing options apply to a Value"):
        viz.render(draw_mlp(model), tmp_path / "mlp.svg", rankdir="TB")
    with pytest.raises(ValueError, match="left to right .landscape.: rankdir must be 'LR'"):
        draw_mlp(model, rankdir="TB")


def test_the_activations_view_draws_each_neurons_output_over_the_plane(model):
    X = [[-1.0, -1.0], [1.0, 1.0], [0.5, -0.5]]
    picture = draw_mlp(model, show="activations", X=X, resolution=12)
    boxes = boxes_of(picture)
    neurons = [b for b in boxes.values() if b["kind"] == "neuron"]
    assert len(neurons) == 6 and all(b["map"].startswith("data:image/png;base64,")
                                     for b in neurons)  # fmt: skip
    assert boxes["x0"]["map"] != boxes["x1"]["map"]  # x1 grows to the right, x2 upwards
    maps = picture.layout["maps"]
    outputs = [m for layer in neuron_outputs(model, plane_grid(X, 12)[2]) for m in layer]
    assert maps["limit"] == pytest.approx(symmetric_limit(outputs))
    bar = picture.layout["legend"][-1]
    assert bar["kind"] == "bar" and bar["label"] == (
        "in each neuron: its output over the plane (x1 \u2192, x2 \u2191)")
    with pytest.raises(ValueError, match="needs the data X"):
        draw_mlp(model, show="activations")
    with pytest.raises(ValueError, match="must take 2 inputs, not 3"):
        draw_mlp(nn.MLP(3, [2, 1]), show="activations", X=[[0, 0, 0]])


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


def test_plots_speak_portuguese_and_colour_the_classes_as_the_playground(tmp_path, model):
    """pt-BR titles and legends; class 0 red and class 1 blue (RdBu's ends), as the
    playground pages draw them, on axes x1 and x2."""
    svg = plot_history(history(), tmp_path / "h.svg", lang="pt-BR").read_text()
    assert all(word in svg for word in ("perda", "acurácia", "época", "treino", "validação"))
    assert "validation" not in svg and "epoch" not in svg
    X = [[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]
    svg = plot_decision_boundary(model, X, [0, 1, 1, 0], tmp_path / "b.svg", resolution=8,
                                 lang="pt-BR").read_text()  # fmt: skip
    assert "fronteira de decisão" in svg and "decision boundary" not in svg
    points = re.findall(r"fill: #([0-9a-f]{6})", svg)[-4:]  # the scatter, in X's order
    assert points == ["67001f", "053061", "053061", "67001f"]
    with pytest.raises(ValueError, match="lang must be one of en, pt-BR"):
        plot_history(history(), tmp_path / "x.png", lang="pt")


def test_plots_without_matplotlib_say_how_to_install_it(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r"\.venv/bin/pip install -e '\.\[plot\]'"):
        plot_history(history(), tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()


def test_grads_view_colours_by_log_gradient_with_a_legend(model):
    model([0.3, -0.7]).backward()
    picture = draw_mlp(model, show="grads")
    colours = {e["id"]: e["colour"] for e in picture.layout["edges"]}
    assert len(colours) == 2 * 3 + 3 * 2 + 2 * 1
    first, last = model.layers[0].neurons[0].w[0], model.layers[2].neurons[0].w[0]
    scale = viz_mlp.LogScale([p.grad for p in model.parameters()])  # every one is drawn
    for edge, w in (("w0_0_0", first), ("w2_0_0", last)):
        assert w.grad != 0.0 and colours[edge] == viz_mlp.grad_colour(scale(w.grad))
    bar = picture.layout["legend"][0]
    assert bar["kind"] == "bar" and "log scale" in bar["label"]
    assert bar["ticks"][0][1] == f"1e{scale.low}" and bar["ticks"][-1] == [1.0, f"1e{scale.high}"]
    assert all(b["label"].startswith("\u2202b ") for b in boxes_of(picture).values()
               if b["kind"] == "neuron")  # fmt: skip
    assert captions_of(picture)[1][-1].startswith("mean |\u2202L/\u2202w| ")
    with pytest.raises(ValueError, match="show must be 'weights', 'grads' or 'activations', "
                                         "not 'data'"):  # fmt: skip
        draw_mlp(model, show="data")


def test_layer_summaries_are_the_means_of_each_layer(model):
    model([0.3, -0.7]).backward()
    rows = viz_mlp.layer_summaries(model)
    assert [r["name"] for r in rows] == ["layer 1", "layer 2", "output layer"]
    weights = [w for n in model.layers[1].neurons for w in n.w]
    assert rows[1]["mean_abs_w"] == pytest.approx(sum(abs(w.data) for w in weights) / 6)
    assert rows[1]["mean_abs_grad"] == pytest.approx(sum(abs(w.grad) for w in weights) / 6)
    assert captions_of(draw_mlp(model))[2][2] == f"mean |w| {rows[1]['mean_abs_w']:.4f}"


def test_wide_layers_draw_an_ellipsis_and_the_picture_is_deterministic():
    random.seed(3)
    wide = draw_mlp(nn.MLP(40, [50, 1]))
    labels = [b["label"] for b in wide.layout["boxes"] if b["kind"] == "more"]
    assert labels == ["\u2026 32 more", "\u2026 42 more"]
    assert len(wide.layout["edges"]) == 8 * 8 + 8 * 1  # 8 x 8, 8 -> 1
    random.seed(3)
    assert draw_mlp(nn.MLP(40, [50, 1])).svg == wide.svg


def test_maxout_and_sequential_of_layers():
    random.seed(4)
    model = nn.Sequential(nn.Maxout(2, 3, pieces=2), nn.Layer(3, 2, "linear"), nn.ReLU(),
                          nn.Layer(2, 1, "linear"))  # fmt: skip
    picture = draw_mlp(model)
    boxes = boxes_of(picture)
    units = [b for b in boxes.values() if b["kind"] == "max"]
    assert len(units) == 3 and all(b["label"] == "max" for b in units)
    pieces = [boxes["n0_0p0"], boxes["n0_0p1"]]
    assert boxes["n0_0"]["y"] == pytest.approx((pieces[0]["y"] + pieces[1]["y"]) / 2)
    captions = captions_of(picture)
    assert captions[1][1] == "maxout of 2 (3)" and captions[2][1] == "linear \u2192 relu (2)"
    ids = [e["id"] for e in picture.layout["edges"]]
    assert len([i for i in ids if i.startswith("w")]) == 2 * 2 * 3 + 3 * 2 + 2 * 1
    assert len([i for i in ids if i.startswith("m")]) == 6  # piece -> max edges
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
    legend = draw_mlp(model, show="grads", grad_range=(1e-4, 2.0)).layout["legend"][0]
    ticks = [label for _, label in legend["ticks"]]
    assert ticks[0] == "1e-4" and ticks[-1] == "1e1" and "1e-5" not in ticks


def test_neurons_are_drawn_in_order_the_ellipsis_last():
    random.seed(3)
    boxes = boxes_of(draw_mlp(nn.MLP(40, [50, 1])))
    for column in ([f"x{k}" for k in range(8)] + ["more-1"],
                   [f"n0_{j}" for j in range(8)] + ["more0"]):  # fmt: skip
        along = [boxes[name]["y"] for name in column]  # top to bottom (SVG y grows down)
        assert along == sorted(along) and len(set(along)) == len(along), column
        assert len({boxes[name]["x"] for name in column}) == 1  # one column


def test_the_grads_view_before_backward_says_there_are_no_gradients_yet():
    model = nn.MLP(2, [3, 1])
    legend = draw_mlp(model, show="grads").layout["legend"]
    assert [item["kind"] for item in legend] == ["text"]
    assert "no gradients yet" in legend[0]["label"]
    model([0.5, -1.0]).backward()
    legend = draw_mlp(model, show="grads").layout["legend"]
    assert legend[0]["kind"] == "bar" and "no gradients yet" not in str(legend)


def test_grads_set_to_none_are_drawn_as_no_gradient(model):
    for p in model.parameters():  # what zero_grad(set_to_none=True) leaves, as in PyTorch
        p.grad = None
    legend = draw_mlp(model, show="grads").layout["legend"]
    assert "no gradients yet" in legend[0]["label"]
    x = Value(2.0, label="x")
    y = x * x
    x.grad = y.grad = None
    assert "grad 0.0000" in viz.draw_dot(y).source
