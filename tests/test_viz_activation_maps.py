"""Per-neuron heat maps: every neuron's output over a grid, compiled once, the scalar
engine's numbers; the grid over the data; the shared diverging colour scale."""

import base64
import doctest
import random
import struct
import zlib

import numpy as np
import pytest

import nn
from autograd import Value
from viz import activation_maps
from viz.activation_maps import neuron_outputs, plane_grid


class Linear:
    """A PyTorch-shaped layer (weight rows, a bias list): what stages() reads by duck-typing."""

    def __init__(self, nin: int, nout: int, bias: bool = True) -> None:
        self.weight = [[Value(random.uniform(-1, 1)) for _ in range(nin)] for _ in range(nout)]
        self.bias = [Value(random.uniform(-1, 1)) for _ in range(nout)] if bias else None

    def __call__(self, x: list) -> list[Value]:
        biases = self.bias or [0.0] * len(self.weight)
        return [sum((w * xi for w, xi in zip(row, x)), b) for row, b in zip(self.weight, biases)]


def scalar_outputs(layers: list, x: list[float]) -> list[list[float]]:
    """Each layer's outputs for one sample, with the scalar engine."""
    outputs = []
    for layer in layers:
        x = layer(x)
        x = x if isinstance(x, list) else [x]
        outputs.append([v.data for v in x])
    return outputs


def test_every_neurons_output_is_the_scalar_engines_at_every_point():
    random.seed(1)
    model = nn.MLP(2, [5, 4, 1], activation="tanh", output_activation="sigmoid")
    xs, ys, points = plane_grid([[-1.0, 0.0], [2.0, 1.0]], 7)
    maps = neuron_outputs(model, points)
    assert [m.shape for m in maps] == [(5, 49), (4, 49), (1, 49)]
    for k in (0, 11, 48):
        expected = scalar_outputs(model.layers, list(points[k]))
        for layer, values in zip(maps, expected):
            assert layer[:, k] == pytest.approx(values, rel=1e-12, abs=1e-12)


def test_compiled_once_per_structure_and_reads_the_current_weights():
    random.seed(2)
    model = nn.MLP(2, [3, 1])
    points = np.array([[0.5, -0.5], [1.0, 2.0]])
    before = neuron_outputs(model, points)
    program = activation_maps._programs[model][1]
    model.layers[1].neurons[0].b.data += 1.0  # a training step changes the data only
    after = neuron_outputs(model, points)
    assert activation_maps._programs[model][1] is program  # not traced again
    assert after[1] == pytest.approx(before[1] + 1.0) and after[0] == pytest.approx(before[0])
    model.layers[1].neurons[0].w[0] = Value(3.0)  # another Value: another structure
    neuron_outputs(model, points)
    assert activation_maps._programs[model][1] is not program


def test_sequentials_maxout_activation_modules_and_pytorch_shaped_layers():
    random.seed(3)
    model = nn.Sequential(nn.Maxout(2, 3, pieces=2), Linear(3, 2), nn.Tanh(), nn.Dropout(0.5),
                          nn.Layer(2, 1, "sigmoid"))  # fmt: skip
    point = [0.3, -0.8]
    maps = neuron_outputs(model, np.array([point]))
    maxout = model.layers[0](point)
    hidden = [v.data for v in model.layers[1](maxout)]
    assert maps[0][:, 0] == pytest.approx([v.data for v in maxout], rel=1e-12)
    assert maps[1][:, 0] == pytest.approx(np.tanh(hidden), rel=1e-12)  # after the Tanh module
    assert maps[2][0, 0] == pytest.approx(model.layers[4](list(np.tanh(hidden)))[0].data)
    assert model.training  # evaluation mode only while computing: dropout off, then put back


def test_a_layer_without_bias_is_drawn_without_one():
    from viz import draw_mlp

    random.seed(5)
    model = nn.Sequential(Linear(2, 3, bias=False), nn.ReLU(), Linear(3, 1))
    point = [0.4, -0.2]
    maps = neuron_outputs(model, np.array([point]))
    hidden = [max(v.data, 0.0) for v in model.layers[0](point)]
    assert maps[0][:, 0] == pytest.approx(hidden, rel=1e-12)
    boxes = {b["id"]: b for b in draw_mlp(model).layout["boxes"]}
    assert boxes["n0_0"]["label"] == "" and boxes["n1_0"]["label"].startswith("b ")


def test_a_40_by_40_grid_of_micrographs_network():
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    X, _ = nn.datasets.make_moons(100, noise=0.1, seed=1)
    xs, ys, points = plane_grid(X, 40)
    maps = neuron_outputs(model, points)
    assert [m.shape for m in maps] == [(16, 1600), (16, 1600), (1, 1600)]
    assert (maps[0] >= 0).all() and (maps[0] > 0).any()  # ReLU outputs


def test_bad_inputs_are_refused_by_name():
    model = nn.MLP(2, [2, 1])
    with pytest.raises(ValueError, match=r"inputs must have shape \(N, 2\) for this model, not "
                                         r"\(4, 3\)"):  # fmt: skip
        neuron_outputs(model, np.zeros((4, 3)))
    with pytest.raises(TypeError, match="MLP-like stack"):
        neuron_outputs(lambda x: x, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="needs 2-D points"):
        plane_grid([[1.0, 2.0, 3.0]], 10)
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        plane_grid([[1.0, 2.0]], 1)


def test_the_grid_covers_the_data_and_runs_from_the_top_row():
    X = np.array([[0.0, 0.0], [2.0, 4.0]])
    xs, ys, points = plane_grid(X, 5, margin=0.1)
    assert xs[0] == pytest.approx(-0.3) and xs[-1] == pytest.approx(2.3)  # 0.1 x (2 + 1)
    assert ys[0] == pytest.approx(-0.5) and ys[-1] == pytest.approx(4.5)
    assert points.shape == (25, 2)
    assert tuple(points[0]) == (xs[0], ys[-1]) and tuple(points[4]) == (xs[-1], ys[-1])
    assert tuple(points[-1]) == (xs[-1], ys[0])  # the last row is the bottom one


def test_the_colour_scale_is_diverging_and_symmetric():
    colour, scale = activation_maps.hex_colour, activation_maps.DIVERGING
    assert colour(-5.0, 1.0) == scale[0] and colour(1.0, 1.0) == scale[-1]
    assert colour(0.0, 2.0) == scale[3]
    rgb = activation_maps.diverging_rgb(np.linspace(-1, 1, 101), 1.0).astype(int)
    lightness = rgb.sum(axis=1)
    assert lightness.argmax() == 50  # lightest at 0, darker towards both ends
    assert (np.diff(lightness[:51]) >= 0).all() and (np.diff(lightness[50:]) <= 0).all()


def test_the_png_is_a_valid_image_of_the_pixels():
    rgb = activation_maps.diverging_rgb(np.array([[-1.0, 0.0, 1.0], [0.5, -0.5, 0.0]]), 1.0)
    uri = activation_maps.png_data_uri(rgb)
    assert uri.startswith("data:image/png;base64,")
    png = base64.b64decode(uri.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (3, 2)
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    raw = np.frombuffer(zlib.decompress(png[start : start + length]), np.uint8)
    assert (raw.reshape(2, 10)[:, 1:].reshape(2, 3, 3) == rgb).all()


def test_the_module_examples_run():
    assert doctest.testmod(activation_maps).failed == 0
