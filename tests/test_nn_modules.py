"""nn modules: structure, parameters, activations, Dropout/Maxout/Sequential, modes,
state dicts and JSON save/load with every refusal leaving the weights unchanged."""

import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value


def weights(model):
    return [p.data for p in model.parameters()]


# -- structure ---------------------------------------------------------------------------
def test_mlp_structure_names_and_counts():
    model = nn.MLP(3, [4, 2])
    assert [len(layer.neurons) for layer in model.layers] == [4, 2]
    assert all(isinstance(n.b, Value) and len(n.w) == 3 for n in model.layers[0].neurons)
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]
    assert model.layers[0].neurons[0].activation == "relu"
    names = [name for name, _ in model.named_parameters()]
    assert names[:5] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.w.2", "layers.0.neurons.0.b",
                         "layers.0.neurons.1.w.0"]  # fmt: skip
    assert len(names) == len(set(names)) == 4 * 4 + 2 * 5
    assert len(model.parameters()) == 26


def test_neuron_is_one_dot_node_then_the_activation():
    neuron = nn.Neuron(3, activation="tanh")
    out = neuron([1.0, 2.0, 3.0])
    assert out.op == "tanh" and out.inputs[0].op == "dot"
    z = out.inputs[0]
    assert z.inputs[:3] == tuple(neuron.w) and z.inputs[-1] is neuron.b
    expected = math.tanh(sum(w.data * x for w, x in zip(neuron.w, [1, 2, 3])) + neuron.b.data)
    assert out.data == pytest.approx(expected, rel=1e-15)


def test_a_layer_builds_the_graph_its_neurons_would_one_by_one():
    random.seed(3)
    layer = nn.Layer(4, 3, activation="tanh")
    x = [Value(v) for v in (0.5, -1.0, 2.0, 0.25)]
    outs = layer(x)
    for neuron, out in zip(layer.neurons, outs):
        by_hand = autograd.dot(neuron.w, x, neuron.b).tanh()
        assert out.op == "tanh" and out.inputs[0].inputs == by_hand.inputs[0].inputs
        assert out.data == by_hand.data


def test_an_mlp_over_a_batch_builds_the_graphs_it_builds_sample_by_sample():
    random.seed(4)
    model = nn.MLP(3, [4, 4, 2])
    X = [[0.5, -1.0, 2.0], [0.1, 0.2, -0.3], [1.5, 0.0, -2.0]]
    batch = nn.layers.batch_outputs(model, X)
    one_by_one = [model(x) for x in X]
    assert [[v.data for v in out] for out in batch] == [[v.data for v in out] for out in one_by_one]
    node = batch[1][0]
    assert node.op == "dot" and [v.data for v in node.inputs[8:]] == [
        v.data for v in one_by_one[1][0].inputs[8:]]  # the hidden layer's outputs, then b
    assert all(a is b for a, b in zip(node.inputs[:4], model.layers[-1].neurons[0].w))


def test_a_subclass_with_its_own_call_is_run_sample_by_sample():
    class Doubled(nn.MLP):
        def __call__(self, x):
            return super().__call__(x) * 2.0

    random.seed(4)
    model = Doubled(2, [3, 1])
    (out,) = nn.layers.batch_outputs(model, [[1.0, 2.0]])
    assert out.op == "mul" and out.data == 2.0 * nn.MLP.__call__(model, [1.0, 2.0]).data


def test_linear_neuron_output_is_the_dot_node():
    neuron = nn.Neuron(2, activation="linear")
    assert neuron([1.0, 1.0]).op == "dot"


@pytest.mark.parametrize("name, f", [
    ("relu", lambda z: max(z, 0.0)), ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
    ("tanh", math.tanh), ("leaky_relu", lambda z: z if z > 0 else 0.01 * z),
    ("elu", lambda z: z if z > 0 else math.exp(z) - 1), ("linear", lambda z: z),
])  # fmt: skip
def test_activations_by_name_and_as_modules(name, f):
    for z in (-1.5, 0.7):
        assert nn.ACTIVATIONS[name](Value(z)).data == pytest.approx(f(z), rel=1e-15)
        assert nn.Activation(name)([z])[0].data == pytest.approx(f(z), rel=1e-15)
    module = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
              "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "linear": nn.Identity}[name]()  # fmt: skip
    assert module(-1.5).data == pytest.approx(f(-1.5), rel=1e-15)
    arguments = {"leaky_relu": "negative_slope=0.01", "elu": "alpha=1.0"}.get(name, "")
    assert repr(module) == f"{type(module).__name__}({arguments})"  # as torch prints it


def test_mlp_returns_a_value_for_width_one_and_a_list_otherwise():
    assert isinstance(nn.MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = nn.MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(nn.Layer(2, 1)([1.0, 2.0]), list)
    narrow = nn.MLP(2, [1, 1, 3])  # a hidden layer of width 1
    assert len(narrow([Value(1.0), 2])) == 3


def test_mlp_is_micrograds_network():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(7)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(7)
    ours = nn.MLP(2, [16, 16, 1])
    assert [p.data for p in theirs.parameters()] == weights(ours)
    for x in ([0.3, -1.2], [2.0, 0.5]):
        assert ours(x).data == pytest.approx(theirs(x).data, rel=1e-12, abs=1e-12)


def test_random_seed_reproduces_a_model_and_inits():
    random.seed(3)
    a = nn.MLP(4, [8, 2])
    random.seed(3)
    b = nn.MLP(4, [8, 2])
    assert weights(a) == weights(b)
    assert all(-1 <= w <= 1 for w in weights(a))
    xavier = nn.Layer(20, 30, init="xavier")
    he = nn.Layer(20, 30, init="he")
    bound_x, bound_h = math.sqrt(6 / 50), math.sqrt(6 / 20)
    assert max(abs(w.data) for n in xavier.neurons for w in n.w) <= bound_x
    assert max(abs(w.data) for n in he.neurons for w in n.w) > bound_x  # wider than xavier
    assert max(abs(w.data) for n in he.neurons for w in n.w) <= bound_h
    assert all(n.b.data == 0.0 for n in he.neurons)


def test_constructor_errors():
    with pytest.raises(ValueError, match="unknown activation 'relu6'"):
        nn.Neuron(2, activation="relu6")
    with pytest.raises(ValueError, match="unknown init 'normal'"):
        nn.Layer(2, 2, init="normal")
    with pytest.raises(ValueError, match="nin must be at least 1, received 0"):
        nn.MLP(0, [2])
    with pytest.raises(ValueError, match="nouts must be a non-empty list"):
        nn.MLP(2, [])
    with pytest.raises(TypeError, match="nout must be an int, not float"):
        nn.Layer(2, 2.0)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], received 1.5"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("module", [nn.Neuron(3), nn.Layer(3, 2), nn.MLP(3, [2, 1]),
                                    nn.Maxout(3, 2, 2)])  # fmt: skip
def test_wrong_input_width_names_both_widths(module):
    with pytest.raises(ValueError, match="expected an input of width 3, received width 2"):
        module([1.0, 2.0])
    with pytest.raises(TypeError, match="list of numbers or Values"):
        module("abc")
    with pytest.raises(TypeError, match="inputs must be numbers or Values, not str"):
        module([1.0, 2.0, "x"])


def test_gradients_flow_to_inputs_and_parameters():
    model = nn.MLP(2, [3, 1], activation="tanh")
    x = [Value(0.5), Value(-1.0)]

    def f(*v):
        return model(list(v))

    assert autograd.gradcheck(f, [0.5, -1.0])
    out = model(x)
    out.backward()
    assert all(p.grad != 0.0 for p in model.layers[1].neurons[0].w)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# -- Maxout, Dropout, Sequential -----------------------------------------------------------
def test_maxout_takes_the_largest_piece():
    layer = nn.Maxout(2, 3, pieces=4)
    x = [0.5, -2.0]
    out = layer(x)
    assert len(out) == 3 and all(v.op == "max" for v in out)
    for j, v in enumerate(out):
        assert v.data == max(piece.neurons[j]([0.5, -2.0]).data for piece in layer.pieces)
    assert len(layer.parameters()) == 4 * 3 * 3
    assert repr(layer) == "Maxout(2, 3, pieces=4)"


def test_dropout_statistics_and_eval_identity():
    drop = nn.Dropout(0.3, generator=random.Random(0))
    xs = [Value(1.0) for _ in range(20000)]
    out = drop(xs)
    zeros = sum(v.data == 0.0 for v in out)
    assert abs(zeros / len(xs) - 0.3) < 0.015  # ~5 standard deviations (0.0032)
    kept = {v.data for v in out if v.data != 0.0}
    assert kept == {1.0 * (1.0 / (1.0 - 0.3))}
    assert abs(sum(v.data for v in out) / len(xs) - 1.0) < 0.03
    drop.eval()
    same = drop(xs)
    assert all(a is b for a, b in zip(same, xs))


def test_dropout_gradient_is_the_mask_times_the_scale():
    drop = nn.Dropout(0.5, generator=random.Random(1))
    xs = [Value(2.0) for _ in range(50)]
    autograd.sum(drop(xs)).backward()
    assert {x.grad for x in xs} == {0.0, 2.0}
    assert nn.Dropout(0.0)(xs)[0] is xs[0]
    assert all(v.data == 0.0 for v in nn.Dropout(1.0)(xs))


def test_sequential_train_eval_and_repr():
    random.seed(0)
    model = nn.Sequential(nn.Layer(2, 4), nn.Dropout(0.5), nn.Layer(4, 1, activation="sigmoid"))
    assert len(model) == 3 and isinstance(model[1], nn.Dropout)
    assert model.training and model[1].training
    model.eval()
    assert not model.training and not model[1].training
    a, b = model([1.0, 2.0]), model([1.0, 2.0])
    assert a[0].data == b[0].data and 0 < a[0].data < 1
    assert model.train() is model and model[1].training
    assert repr(model) == ("Sequential(\n  (0): Layer(2, 4, activation='relu')\n"
                           "  (1): Dropout(p=0.5)\n"
                           "  (2): Layer(4, 1, activation='sigmoid')\n)")  # fmt: skip
    assert [n for n, _ in model.named_parameters()][0] == "0.neurons.0.w.0"  # torch's names
    with pytest.raises(TypeError, match="item 0 is not callable"):
        nn.Sequential(3)
    with pytest.raises(TypeError, match="mode must be a bool"):
        model.train("no")


def test_a_class_for_a_module_is_refused_and_functions_show_in_the_repr():
    """``nn.ReLU`` without its parentheses: torch refuses it too ('is not a Module
    subclass'); chaingrad says to add them.  Functions, which chaingrad's Sequential
    accepts, each have their line, so the printed indices are the real ones."""
    with pytest.raises(TypeError, match=r"^Sequential: item 1 is the class nn.ReLU, not a "
                                        r"module: write nn.ReLU\(\) with parentheses$"):
        nn.Sequential(nn.Linear(2, 1), nn.ReLU)
    with pytest.raises(TypeError, match=r"^ModuleList: item 0 is the class nn.Tanh"):
        nn.ModuleList([nn.Tanh])
    model = nn.Sequential(nn.Linear(2, 1), math.tanh, lambda x: x)
    assert repr(model) == ("Sequential(\n  (0): Linear(in_features=2, out_features=1, "
                           "bias=True)\n  (1): function tanh\n  (2): function <lambda>\n)")


def test_mlp_repr_is_pytorch_like():
    assert repr(nn.MLP(2, [16, 1])) == ("MLP(\n  (0): Layer(2, 16, activation='relu')\n"
                                        "  (1): Layer(16, 1, activation='linear')\n)")  # fmt: skip
    assert repr(nn.Neuron(3, "tanh")) == "Neuron(3, activation='tanh')"


def test_named_parameters_prefix_is_joined_with_a_dot():
    model = nn.MLP(2, [1])
    assert [name for name, _ in model.named_parameters(prefix="model")] == [
        "model.layers.0.neurons.0.w.0", "model.layers.0.neurons.0.w.1",
        "model.layers.0.neurons.0.b"]  # fmt: skip


def test_shared_parameters_are_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            self.a = nn.Neuron(2)
            self.b = self.a

        def __call__(self, x):
            return self.b(x)

    assert len(Tied().parameters()) == 3


# -- state dicts ------------------------------------------------------------------------------
@given(st.lists(st.floats(-1e6, 1e6), min_size=26, max_size=26))
def test_state_dict_round_trip(values):
    model = nn.MLP(3, [4, 2])
    state = dict(zip(model.state_dict(), values))
    model.load_state_dict(state)
    assert model.state_dict() == state
    assert json.loads(json.dumps(model.state_dict())) == state
    other = nn.MLP(3, [4, 2])
    other.load_state_dict(model.state_dict())
    assert weights(other) == values


def test_load_state_dict_takes_values_tensors_and_numpy_numbers_as_torch_does():
    """Another model's Values (``dict(other.named_parameters())``), one-element tensors
    and numpy scalars are numbers too."""
    import numpy as np

    random.seed(3)
    model, other = nn.MLP(3, [4, 2]), nn.MLP(3, [4, 2])
    model.load_state_dict(dict(other.named_parameters()))
    assert model.state_dict() == other.state_dict()
    model.load_state_dict({k: np.float64(v) * 2 for k, v in other.state_dict().items()})
    assert model.state_dict() == {k: v * 2 for k, v in other.state_dict().items()}


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("layers.1.neurons.0.b"), r"missing keys \(1\): layers.1.neurons.0.b"),
    (lambda s: s.update(extra=1.0), r"unexpected keys \(1\): extra"),
    (lambda s: s.update({"layers.0.neurons.0.w.0": "1.0"}),
     r"values that are not numbers \(1\): layers.0.neurons.0.w.0='1.0' \(str\)"),
    (lambda s: s.update({"layers.0.neurons.0.w.0": float("nan")}),
     r"values that are not finite \(1\): layers.0.neurons.0.w.0=nan"),
    (lambda s: s.update({"layers.0.neurons.0.w.0": True}),
     r"not numbers \(1\): layers.0.neurons.0.w.0=True \(bool\)"),
])  # fmt: skip
def test_load_state_dict_errors_leave_weights_unchanged(edit, message):
    model = nn.MLP(3, [4, 2])
    before = weights(model)
    state = {name: 0.5 for name in model.state_dict()}
    edit(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert weights(model) == before
    with pytest.raises(TypeError, match="expects a mapping"):
        model.load_state_dict([0.5] * 26)
    assert weights(model) == before


# -- save / load --------------------------------------------------------------------------------
def test_save_load_round_trip_is_exact(tmp_path):
    model = nn.MLP(3, [4, 2])
    model.layers[0].neurons[0].w[0].data = 0.1 + 0.2  # a float needing all 17 digits
    path = tmp_path / "model.json"
    model.save(path)
    document = json.loads(path.read_text())
    assert document["format"] == "chaingrad.nn" and document["version"] == 1
    assert document["model"] == "MLP"
    other = nn.MLP(3, [4, 2])
    other.load(path)
    assert weights(other) == weights(model)
    third = nn.MLP(3, [4, 2])
    nn.load(third, str(path))
    assert weights(third) == weights(model)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def with_bias(document, value):
    return dict(document, parameters=dict(document["parameters"],
                                          **{"layers.0.neurons.0.b": value}))  # fmt: skip


def _corrupt_files(tmp_path, good):
    text = good.read_text()
    document = json.loads(text)
    wrong_names = dict(document, parameters={"w": 1.0})
    return {
        "truncated": (text[: len(text) // 2], "not valid JSON"),
        "empty": ("", "not valid JSON"),
        "garbage": ("\x00\xff binary", "not"),
        "list": ("[1, 2]", "JSON list, expected an object"),
        "format": (json.dumps(dict(document, format="pickle")), "not a chaingrad model file"),
        "version": (json.dumps(dict(document, version=99)), "version 99"),
        "no parameters": (json.dumps({"format": "chaingrad.nn", "version": 1}),
                          "no 'parameters' object"),
        "wrong names": (json.dumps(wrong_names), "missing keys"),
        "nan": (json.dumps(with_bias(document, float("nan"))), "not a number JSON allows"),
        "duplicate key": (json.dumps(document).replace('{"format"', '{"format": 1, "format"'),
                          "'format' appears twice"),
        "bad value": (json.dumps(with_bias(document, "x")), "not numbers"),
    }  # fmt: skip


def test_every_bad_file_raises_and_leaves_weights_unchanged(tmp_path):
    good = tmp_path / "good.json"
    nn.MLP(3, [4, 2]).save(good)
    model = nn.MLP(3, [4, 2])
    before = weights(model)
    for name, (content, message) in _corrupt_files(tmp_path, good).items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content.encode("latin-1"))
        with pytest.raises(ValueError, match=message):
            model.load(path)
        assert weights(model) == before, name
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="missing keys"):
        nn.MLP(3, [4, 3]).load(good)
    assert weights(model) == before


def test_save_refuses_non_finite_weights_and_non_modules(tmp_path):
    model = nn.MLP(2, [1])
    model.layers[0].neurons[0].b.data = float("inf")
    with pytest.raises(ValueError, match=r"not finite numbers \(1\): layers\.0\.neurons\.0\.b=inf"):
        model.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()
    with pytest.raises(TypeError, match="needs an nn.Module"):
        nn.save([1.0], tmp_path / "x.json")


def test_named_modules_names_every_sub_module_as_torch_does():
    model = nn.Sequential(nn.Layer(2, 3), nn.Dropout(0.1), nn.Layer(3, 1))
    names = [name for name, _ in model.named_modules()]
    assert names[:3] == ["", "0", "0.neurons.0"]
    assert "1" in names and "2.neurons.0" in names
    assert [m for _, m in model.named_modules()] == list(model.modules())
