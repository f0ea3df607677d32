"""The torch bridge: ``import nn`` never imports torch; chaingrad -> torch -> chaingrad
round trips are exact; converted models give the same outputs and gradients (1e-12);
torch-layout state dicts go both ways; what has no torch equivalent is refused by name."""

import builtins
import copy
import importlib.util
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn.activations import ACTIVATIONS
from nn.torch_bridge import TORCH_ACTIVATIONS

ROOT = Path(__file__).resolve().parent.parent


def test_importing_nn_does_not_import_torch():
    code = "import sys, nn, viz; nn.MLP(2, [3, 1]); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


@pytest.fixture
def no_torch(monkeypatch):
    real_import = builtins.__import__

    def without_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_torch)


def test_without_torch_lists_work_and_tensors_say_what_to_install(no_torch):
    random.seed(0)
    model, other = nn.MLP(2, [3, 1]), nn.MLP(2, [3, 1])
    with pytest.raises(ImportError, match=r"\.venv/bin/pip install -e '\.\[torch\]'"):
        nn.to_torch(model)
    with pytest.raises(ImportError, match=r"\.venv/bin/pip install -e '\.\[torch\]'"):
        nn.torch_state_dict(model)
    state = nn.torch_state_dict(model, as_tensors=False)
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert state["0.weight"][1] == [w.data for w in model.layers[0].neurons[1].w]
    nn.load_torch_state_dict(other, state)
    assert other.state_dict() == model.state_dict()


MODELS = {
    "micrograd's MLP": lambda: nn.MLP(2, [16, 16, 1]),
    "tanh MLP, sigmoid output": lambda: nn.MLP(3, [5, 4, 2], "tanh", "sigmoid"),
    "leaky relu and elu": lambda: nn.MLP(2, [4, 3], "leaky_relu", "elu"),
    "linear hidden layers": lambda: nn.MLP(2, [3, 3, 1], "linear"),
    "sequential with dropout": lambda: nn.Sequential(
        nn.Layer(2, 6, "relu"), nn.Dropout(0.3), nn.Layer(6, 4, "tanh"), nn.Identity(),
        nn.Layer(4, 3, "linear"), nn.Sigmoid()),
    "gelu, silu and softplus": lambda: nn.MLP(2, [4, 3, 2], "gelu", "softplus"),
    "their modules, with arguments": lambda: nn.Sequential(
        nn.Layer(2, 5, "silu"), nn.GELU(approximate="tanh"), nn.Layer(5, 4, "linear"),
        nn.Softplus(beta=2.0, threshold=1.0), nn.Layer(4, 2, "linear"), nn.SiLU(),
        nn.GELU()),
}


def torch_or_skip():
    return pytest.importorskip("torch")


def batch(nin, n=7, seed=0):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]


def chaingrad_outputs_and_grads(model, X):
    """Outputs for X, and d(sum of outputs * 1, 2, 3, ...)/d(each weight) by Linear."""
    model.zero_grad()
    outputs = [out if isinstance(out, list) else [out] for out in map(model, X)]
    total = sum((o * (k + 1) for row in outputs for k, o in enumerate(row)), start=0.0)
    total.backward()
    layers = [m for m in model.modules() if isinstance(m, nn.Layer)]
    grads = [([[w.grad for w in n.w] for n in layer.neurons], [n.b.grad for n in layer.neurons])
             for layer in layers]
    return [[o.data for o in row] for row in outputs], grads


def torch_outputs_and_grads(torch, module, X):
    module.zero_grad()
    out = module(torch.tensor(X, dtype=torch.float64))
    (out * torch.arange(1, out.shape[1] + 1, dtype=torch.float64)).sum().backward()
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    return out.tolist(), [(m.weight.grad.tolist(), m.bias.grad.tolist()) for m in linears]


def assert_close(a, b, tol=1e-12):
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_close(x, y, tol)
    else:
        assert math.isclose(a, b, rel_tol=tol, abs_tol=tol), (a, b)


@pytest.mark.parametrize("name", MODELS)
def test_to_torch_and_back_is_exact_and_computes_the_same(name):
    torch = torch_or_skip()
    random.seed(1)
    model = MODELS[name]().eval()  # eval: dropout is the identity on both sides
    module = nn.to_torch(model)
    assert isinstance(module, torch.nn.Sequential) and not module.training
    assert all(p.dtype == torch.float64 for p in module.parameters())
    back = nn.from_torch(module)
    assert type(back) is type(model) and not back.training
    assert back.state_dict() == model.state_dict()
    assert {k: v.tolist() for k, v in nn.torch_state_dict(back).items()} == \
        {k: v.tolist() for k, v in module.state_dict().items()}
    X = batch(module[0].in_features)
    ours, our_grads = chaingrad_outputs_and_grads(model, X)
    theirs, their_grads = torch_outputs_and_grads(torch, module, X)
    assert_close(ours, theirs)
    assert_close(our_grads, their_grads)
    assert_close(chaingrad_outputs_and_grads(back, X), (ours, our_grads), tol=0.0)


def test_from_torch_of_a_hand_written_torch_model():
    torch = torch_or_skip()
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 8), torch.nn.Tanh(),
                                 torch.nn.Linear(8, 2)).double()
    state = random.getstate()
    model = nn.from_torch(module)
    assert random.getstate() == state  # no weights were drawn
    assert isinstance(model, nn.MLP) and model.activation == "tanh"
    assert model.output_activation == "linear"
    X = batch(3, seed=4)
    ours, our_grads = chaingrad_outputs_and_grads(model, X)
    theirs, their_grads = torch_outputs_and_grads(torch, module, X)
    assert_close(ours, theirs)
    assert_close(our_grads, their_grads)


def test_float32_weights_are_widened_exactly():
    torch = torch_or_skip()
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    model = nn.from_torch(module)
    assert model.layers[0].neurons[2].w[1].data == module[0].weight[2, 1].item()


def test_torch_layout_state_dicts_go_both_ways_with_a_prefix():
    torch = torch_or_skip()

    class Net(torch.nn.Module):  # the usual torch pattern: the Sequential as self.layers
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(),
                                              torch.nn.Linear(4, 1)).double()

    random.seed(2)
    model, net = nn.MLP(2, [4, 1]), Net()
    net.load_state_dict(nn.torch_state_dict(model, prefix="layers"))
    assert sorted(net.state_dict()) == ["layers.0.bias", "layers.0.weight",
                                        "layers.2.bias", "layers.2.weight"]
    assert net.layers[2].weight.tolist() == [[w.data for w in model.layers[1].neurons[0].w]]
    with torch.no_grad():
        net.layers[0].bias += 0.5
    nn.load_torch_state_dict(model, net.state_dict(), prefix="layers")
    assert [n.b.data for n in model.layers[0].neurons] == net.layers[0].bias.tolist()
    with pytest.raises(ValueError, match="missing keys"):
        nn.load_torch_state_dict(model, net.state_dict())  # without the prefix


def test_bad_torch_state_dicts_are_refused_and_change_nothing():
    random.seed(3)
    model = nn.MLP(2, [3, 1])
    good = nn.torch_state_dict(model, as_tensors=False)
    cases = {
        "missing": {k: v for k, v in good.items() if k != "2.bias"},
        "unexpected": {**good, "4.weight": [[1.0]]},
        "transposed": {**good, "0.weight": [list(col) for col in zip(*good["0.weight"])]},
        "bias too long": {**good, "2.bias": [0.0, 0.0]},
        "ragged": {**good, "0.weight": [[1.0, 2.0], [3.0], [4.0, 5.0]]},
        "NaN": {**good, "2.weight": [[1.0, float("nan"), 0.0]]},
        "a string": {**good, "2.bias": ["0.5"]},
    }
    before = copy.deepcopy(model.state_dict())
    for name, state in cases.items():
        with pytest.raises(ValueError, match="load_torch_state_dict into MLP") as error:
            nn.load_torch_state_dict(model, state)
        assert model.state_dict() == before, name
        assert error.value.args[0].count(";") < 3, name
    with pytest.raises(ValueError, match=r"2\.bias holds a str, not a number"):
        nn.load_torch_state_dict(model, cases["a string"])
    with pytest.raises(ValueError, match=r"0\.weight has shape ragged"):
        nn.load_torch_state_dict(model, cases["ragged"])
    with pytest.raises(TypeError, match="mapping"):
        nn.load_torch_state_dict(model, [good])


def test_what_torch_has_no_module_for_is_refused_by_name(monkeypatch):
    torch = torch_or_skip()
    with pytest.raises(ValueError, match="Maxout has no torch module"):
        nn.to_torch(nn.Sequential(nn.Maxout(2, 3), nn.Layer(3, 1)))
    monkeypatch.setitem(ACTIVATIONS, "softsign", lambda z: z / (1 + abs(z)))
    with pytest.raises(ValueError, match="'softsign' has no torch module"):
        nn.to_torch(nn.MLP(2, [3, 1], "softsign"))
    with pytest.raises(ValueError, match=r"Softmax.*Conv1d|Conv1d.*Softmax"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Softmax(dim=-1),
                                          torch.nn.Conv1d(1, 1, 1)))
    with pytest.raises(ValueError, match="2 outputs feeds one with 3 inputs"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(3, 1)))
    with pytest.raises(TypeError, match="torch.nn.Sequential, not Linear"):
        nn.from_torch(torch.nn.Linear(2, 2))


def test_a_sequential_of_modules_comes_back_as_layers_with_their_activations():
    torch = torch_or_skip()
    module = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 3), torch.nn.ELU(),
                                 torch.nn.Dropout(0.5), torch.nn.Linear(3, 1), torch.nn.Sigmoid())
    model = nn.from_torch(module)
    assert [type(m).__name__ for m in model.layers] == ["ReLU", "Layer", "Dropout", "Layer"]
    assert (model[1].activation, model[2].p, model[3].activation) == ("elu", 0.5, "sigmoid")
    assert sorted(nn.torch_state_dict(model)) == sorted(module.state_dict())


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch missing")
@settings(max_examples=25)
@given(nin=st.integers(1, 4), widths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
       hidden=st.sampled_from(["linear", *TORCH_ACTIVATIONS]),
       output=st.sampled_from(["linear", *TORCH_ACTIVATIONS]), seed=st.integers(0, 99))
def test_any_mlp_goes_to_torch_and_back_exactly(nin, widths, hidden, output, seed):
    import torch
    random.seed(seed)
    model = nn.MLP(nin, widths, hidden, output)
    module = nn.to_torch(model)
    back = nn.from_torch(module)
    assert isinstance(back, nn.MLP) and back.state_dict() == model.state_dict()
    assert [layer.activation for layer in back.layers] == \
        [layer.activation for layer in model.layers]
    X = batch(nin, n=3, seed=seed)
    assert_close(chaingrad_outputs_and_grads(model, X)[0],
                 torch_outputs_and_grads(torch, module, X)[0])


OPTIMIZERS = {
    "SGD, nesterov momentum, weight decay": lambda ps: nn.optim.SGD(
        ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": lambda ps: nn.optim.Adam(ps, lr=0.05, betas=(0.8, 0.95), weight_decay=0.01),
    # parameter groups: the first layer's 16 numbers (its weight and bias) and the rest
    "SGD, two parameter groups": lambda ps: nn.optim.SGD(
        [{"params": ps[:16], "lr": 0.3, "momentum": 0.5}, {"params": ps[16:]}], lr=0.1,
        momentum=0.9, weight_decay=0.01),
    "Adam, two parameter groups": lambda ps: nn.optim.Adam(
        [{"params": ps[:16]}, {"params": ps[16:], "lr": 0.01, "betas": (0.5, 0.6)}], lr=0.05),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_training_goes_on_in_torch_as_it_would_in_chaingrad(name):
    torch = torch_or_skip()
    X = batch(3, n=8, seed=5)
    y = [int(sum(x) > 0) for x in X]
    random.seed(1)
    model = nn.MLP(3, [4, 2], "tanh")
    optimizer = OPTIMIZERS[name](model.parameters())
    torch_optimizer = nn.to_torch_optimizer(optimizer, model, nn.to_torch(model))
    assert torch_optimizer.state_dict()["state"] == {}  # before the first step
    nn.fit(model, X, y, nn.cross_entropy, optimizer, 3, progress=False)
    module = nn.to_torch(model)
    torch_optimizer = nn.to_torch_optimizer(optimizer, model, module)
    assert type(torch_optimizer).__name__ == type(optimizer).__name__
    nn.fit(model, X, y, nn.cross_entropy, optimizer, 6, progress=False)
    inputs, targets = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
    for _ in range(6):
        loss = torch.nn.functional.cross_entropy(module(inputs), targets)
        torch_optimizer.zero_grad()
        loss.backward()
        torch_optimizer.step()
    ours = {k: v.tolist() for k, v in nn.torch_state_dict(model).items()}
    assert_close(list(ours.values()), [v.tolist() for v in module.state_dict().values()])


def test_to_torch_optimizer_refuses_what_it_cannot_carry():
    torch_or_skip()
    random.seed(1)
    model = nn.MLP(2, [3, 1])
    module = nn.to_torch(model)
    with pytest.raises(ValueError, match="whole tensors, but this one holds part of 0.weight"):
        nn.to_torch_optimizer(nn.optim.SGD(model.parameters()[1:], lr=0.1), model, module)
    with pytest.raises(ValueError, match="holds Values that are not the model's weights"):
        nn.to_torch_optimizer(nn.optim.SGD([*model.parameters(), autograd.Value(1.0)], lr=0.1),
                              model, module)  # fmt: skip

    class Lion(nn.optim.SGD):
        pass

    with pytest.raises(ValueError, match="Lion has no torch.optim twin"):
        nn.to_torch_optimizer(Lion(model.parameters(), lr=0.1), model, module)
