"""GELU, SiLU and softplus in nn (issue 23): by name in a Layer or MLP, as modules with
PyTorch's arguments and reprs, through the compiled training, save/load, checkpoints,
the torch bridge and the pictures."""

import importlib.util
import math
import random

import pytest

import nn
from autograd import Value
from viz import draw_mlp

NEW = ("gelu", "silu", "softplus")


@pytest.mark.parametrize("name", NEW)
def test_an_activation_by_name_is_the_engine_op_on_each_pre_activation(name):
    random.seed(0)
    model = nn.MLP(2, [4, 1], activation=name)
    layer = model.layers[0]
    x = [0.5, -1.5]
    outputs = layer(x)
    assert [out.op for out in outputs] == [name] * 4
    for neuron, out in zip(layer.neurons, outputs):
        z = sum((w.data * xi for w, xi in zip(neuron.w, x)), neuron.b.data)
        assert out.data == getattr(Value(z), name)().data
    assert repr(model).splitlines()[1] == f"  (0): Layer(2, 4, activation='{name}')"


def test_the_modules_take_pytorchs_arguments_and_print_as_pytorch():
    cases = {
        "GELU()": (nn.GELU(), "gelu", Value(0.7).gelu()),
        "GELU(approximate='tanh')": (nn.GELU(approximate="tanh"), "gelu_tanh",
                                     Value(0.7).gelu(approximate="tanh")),
        "SiLU()": (nn.SiLU(), "silu", Value(0.7).silu()),
        "Softplus()": (nn.Softplus(), "softplus", Value(0.7).softplus()),
        "Softplus(beta=2.0, threshold=0.5)": (nn.Softplus(beta=2.0, threshold=0.5), "softplus",
                                              Value(0.7)),  # 2 * 0.7 > 0.5: x itself
    }
    torch = pytest.importorskip("torch") if importlib.util.find_spec("torch") else None
    for text, (module, op, expected) in cases.items():
        out = module(Value(0.7))
        assert (out.op, out.data) == (op, expected.data), text
        assert [v.data for v in module([0.7, 0.7])] == [expected.data] * 2
        shown = repr(module)
        if torch is not None:  # the very text of torch's module
            assert shown == repr(eval(f"torch.nn.{text}")), text
        assert shown == text.replace("GELU()", "GELU(approximate='none')").replace(
            "Softplus()", "Softplus(beta=1.0, threshold=20.0)")  # fmt: skip
    assert nn.Softplus(beta=2.0).description == "softplus(beta=2.0)"
    assert nn.GELU().description == "gelu" and nn.SiLU().description == "silu"


def test_bad_arguments_are_refused_when_the_module_is_made():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', not 'erf'"):
        nn.GELU(approximate="erf")
    with pytest.raises(TypeError, match="'softplus' activation with beta='2'"):
        nn.Softplus(beta="2")
    with pytest.raises(TypeError, match="the 'relu' activation takes no argument 'beta'"):
        nn.Activation("relu", beta=2.0)
    with pytest.raises(ValueError, match="unknown activation 'swish'.*'gelu', 'silu', 'softplus'"):
        nn.MLP(2, [3, 1], activation="swish")


def model_with_the_new_activations():
    return nn.Sequential(nn.Layer(2, 4, "gelu"), nn.Softplus(beta=2.0), nn.Layer(4, 3, "silu"),
                         nn.GELU(approximate="tanh"), nn.Layer(3, 1, "softplus"))


def test_save_load_and_checkpoints_round_trip(tmp_path):
    random.seed(1)
    model, X = model_with_the_new_activations(), [[0.3, -0.8], [1.5, 0.2]]
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    nn.fit(model, X, [0.5, 1.0], "mse", optimizer, epochs=2, progress=False)
    nn.save(model, tmp_path / "model.json")
    nn.save_checkpoint(tmp_path / "run.json", model, optimizer, epoch=2)
    for load in (lambda m: nn.load(m, tmp_path / "model.json"),
                 lambda m: nn.load_checkpoint(tmp_path / "run.json", m)):  # fmt: skip
        random.seed(2)
        other = model_with_the_new_activations()
        load(other)
        assert [other(x)[0].data for x in X] == [model(x)[0].data for x in X]


def test_compiled_training_equals_the_scalar_engine():
    X = [[0.3, -0.8], [1.5, 0.2], [-1.0, 1.0], [0.0, 0.4]]
    y = [0.5, 1.0, 0.0, 0.25]
    losses = []
    for compiled in (True, False):
        random.seed(3)
        model = model_with_the_new_activations()
        history = nn.fit(model, X, y, "mse", nn.optim.SGD(model.parameters(), lr=0.1),
                         epochs=3, progress=False, compiled=compiled)  # fmt: skip
        losses.append(history.train_loss)
    assert losses[0] == pytest.approx(losses[1], rel=1e-12)


def test_from_torch_keeps_non_default_arguments_as_modules():
    torch = pytest.importorskip("torch")
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.GELU(approximate="tanh"),
                                 torch.nn.Linear(3, 2), torch.nn.Softplus(),
                                 torch.nn.Linear(2, 1), torch.nn.Softplus(beta=3.0)).double()
    model = nn.from_torch(module)
    assert [type(m).__name__ for m in model.layers] == ["Layer", "GELU", "Layer", "Layer",
                                                        "Softplus"]  # fmt: skip
    assert model[1].arguments == {"approximate": "tanh"} and model[2].activation == "softplus"
    assert model[4].arguments == {"beta": 3.0, "threshold": 20.0}
    x = [0.4, -1.1]
    expected = module(torch.tensor([x], dtype=torch.float64)).item()
    assert model(x)[0].data == pytest.approx(expected, rel=1e-14)


def test_the_network_picture_names_the_activations():
    random.seed(4)
    captions = [c["lines"][:2] for c in draw_mlp(model_with_the_new_activations()).layout[
        "captions"]]  # fmt: skip
    assert ["layer 1", "gelu → softplus(beta=2.0) (4)"] in captions
    assert ["layer 2", "silu → gelu(approximate='tanh') (3)"] in captions
    assert ["output layer", "softplus (1)"] in captions


def test_leaky_relu_and_elu_modules_take_pytorchs_arguments():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.ELU(alpha=0.5)) == "ELU(alpha=0.5)"
    assert nn.LeakyReLU(0.2)(Value(-2.0)).data == pytest.approx(-0.4)
    assert nn.ELU(0.5)(Value(-1.0)).data == pytest.approx(0.5 * (math.exp(-1.0) - 1.0))
    assert nn.LeakyReLU().description == "leaky_relu"
    assert nn.ELU(2.0).description == "elu(alpha=2.0)"


def test_leaky_relu_and_elu_arguments_cross_to_torch_and_back():
    torch = pytest.importorskip("torch")
    random.seed(3)
    model = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1), nn.ELU(0.5))
    module = nn.to_torch(model)
    assert isinstance(module[1], torch.nn.LeakyReLU) and module[1].negative_slope == 0.2
    assert isinstance(module[3], torch.nn.ELU) and module[3].alpha == 0.5
    x = [0.4, -1.1]
    expected = module(torch.tensor([x], dtype=torch.float64)).item()
    assert model(x)[0].data == pytest.approx(expected, rel=1e-14)
    back = nn.from_torch(module)
    assert back(x)[0].data == pytest.approx(expected, rel=1e-14)
