"""Every example runs in its fast mode, and prints the numbers the seed texts are about.

Examples are imported from examples/ and ``main(fast=True, out=tmp_path)`` is called;
two are also run as scripts, as a newcomer would.
"""

from __future__ import annotations

import importlib
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_"))


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


needs_matplotlib = pytest.mark.skipif(not _has("matplotlib"), reason="matplotlib missing")


@pytest.fixture(scope="module", autouse=True)
def examples_on_path():
    sys.path.insert(0, str(EXAMPLES))
    yield
    sys.path.remove(str(EXAMPLES))


def run_example(name: str, out: Path, capsys) -> tuple[dict, str]:
    result = importlib.import_module(name).main(fast=True, out=str(out))
    return result, capsys.readouterr().out


def test_every_example_is_tested():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(NAMES) <= tested, f"examples without a test: {set(NAMES) - tested}"


def test_neuron(tmp_path, capsys):
    result, printed = run_example("neuron", tmp_path, capsys)
    assert math.isclose(result["z"], 0.69)  # not the slide's 0.65
    assert round(result["a"], 4) == 0.6660
    assert round(result["dz"], 4) == 0.2225
    assert [round(result[f"dw{i}"], 4) for i in (1, 2, 3)] == [0.1112, 0.0667, 0.2002]
    assert "z = 0.69" in printed and "0.65 is an arithmetic slip" in printed
    assert (tmp_path / "neuron.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    assert "<svg" in (tmp_path / "neuron_backprop.html").read_text()


def test_gradient_descent(tmp_path, capsys):
    result, printed = run_example("gradient_descent", tmp_path, capsys)
    assert math.isclose(result["cost_one"], 0.04)
    assert math.isclose(result["cost"], 0.105)
    path = result["path"]
    assert [round(w, 4) for w in path[:4]] == [1.0, 0.8, 0.68, 0.608]
    assert all(math.isclose(w - 0.5, 0.5 * 0.6**t) for t, w in enumerate(path))
    assert abs(path[-1] - 0.5) < 1e-3
    costs = result["line_costs"]
    assert costs["SGD"] < costs["full batch"] and costs["mini-batch 4"] < costs["full batch"]
    assert "= 0.105" in printed


def test_xor(tmp_path, capsys):
    result, printed = run_example("xor", tmp_path, capsys)
    assert result["monotone"]
    assert result["losses"][-1] < result["losses"][0] / 10
    # the loss printed "after N iterations" is measured after the last update
    assert result["final_loss"] < result["losses"][-1]
    assert f"{result['final_loss']:.4f} after 300 iterations" in printed
    predictions = result["predictions"]
    assert predictions[0] < 0.5 < predictions[1] and predictions[2] > 0.5 > predictions[3]


def test_numpy_vs_autograd(tmp_path, capsys):
    result, printed = run_example("numpy_vs_autograd", tmp_path, capsys)
    assert result["max_difference"] < 1e-12
    assert result["losses"][-1] < result["losses"][0]


def test_to_pytorch(tmp_path, capsys):
    result, printed = run_example("to_pytorch", tmp_path, capsys)
    assert result["accuracy"] > 0.8
    if not _has("torch"):
        assert ".venv/bin/pip install -e '.[torch]'" in printed
        return
    assert result["max_output_difference"] < 1e-12 and result["same_predictions"]
    assert result["max_loss_difference"] < 1e-12 and result["max_weight_difference"] < 1e-12
    losses = [ours for _, ours, _ in result["losses"]]
    assert losses == sorted(losses, reverse=True)  # both keep learning
    assert "def torch_step" in printed and "Linear(in_features=16, out_features=1" in printed


def test_activations(tmp_path, capsys):
    result, printed = run_example("activations", tmp_path, capsys)
    assert result["max_error"] < 1e-12
    s, jac = result["softmax"], result["jacobian"]
    assert [round(p, 4) for p in s] == [0.0900, 0.2447, 0.6652]
    assert math.isclose(jac[0][1], -s[0] * s[1])


def test_spirals(tmp_path, capsys):
    result, printed = run_example("spirals", tmp_path, capsys)
    assert [round(p, 4) for p in result["probs"]] == [0.6590, 0.2424, 0.0986]
    assert round(result["loss"], 4) == 0.4170
    assert [round(g, 4) for g in result["grads"]] == [-0.3410, 0.2424, 0.0986]
    history = result["history"]
    assert history.train_loss[-1] < history.train_loss[0]


def test_digits(tmp_path, capsys):
    result, printed = run_example("digits", tmp_path, capsys)
    assert result["test_accuracy"] > 0.5  # one epoch on 200 images in fast mode
    assert "label" in printed


def test_overfitting(tmp_path, capsys):
    result, printed = run_example("overfitting", tmp_path, capsys)
    assert set(result) == {"plain", "dropout 0.5", "L2 1e-2", "early stopping"}
    plain = result["plain"]
    assert plain.train_loss[-1] < plain.train_loss[0]
    assert len(plain.val_loss) == plain.epochs
    # the table measures the model fit returned: early stopping's best-epoch weights
    overfitting = importlib.import_module("overfitting")
    model, _ = overfitting.train("early stopping", 15)
    row = next(line for line in printed.splitlines() if "early stopping" in line)
    train_loss = overfitting.loss(model, overfitting.X_TRAIN, overfitting.Y_TRAIN)
    assert row.split()[3] == f"{train_loss:.4f}"


@needs_matplotlib
def test_demo(tmp_path, capsys):
    result, printed = run_example("demo", tmp_path, capsys)
    assert result["accuracy"] > 0.8  # 20 steps in fast mode; the full run reaches 97%
    for name in ("neuron.svg", "neuron_backprop.html", "mlp.svg", "demo_history.png",
                 "demo_decision_boundary.png", "playground.html"):
        assert (tmp_path / name).stat().st_size > 0, name
        assert name in printed


def test_vanishing_gradients(tmp_path, capsys):
    result, printed = run_example("vanishing_gradients", tmp_path, capsys)
    sigmoid = [row["mean_abs_grad"] for row in result["rows"]["sigmoid"]]
    assert sigmoid[-1] > 1000 * sigmoid[0]  # orders of magnitude between last and first layer
    assert result["ratios"]["relu"] < 10 and result["ratios"]["tanh"] < 100
    assert f"{sigmoid[0]:.2e}" in printed.splitlines()[2]
    svg = result["path"].read_text()
    assert svg.count("<svg") == 3 and "sigmoid:" in svg and "relu:" in svg


@pytest.mark.parametrize("name", ["neuron", "gradient_descent"])
def test_runs_as_a_script(name, tmp_path):
    env = {**os.environ, "CHAINGRAD_FAST": "1"}
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert str(tmp_path.name) in done.stdout


def test_missing_matplotlib_is_a_hint_not_a_crash(tmp_path, capsys, monkeypatch):
    import _common

    def no_matplotlib(*args, **kwargs):
        raise ImportError("plots need matplotlib")

    assert _common.plot("a plot", no_matplotlib) is None
    assert ".venv/bin/pip install -e '.[plot]'" in capsys.readouterr().out


def test_forward_vs_reverse(tmp_path, capsys):
    result, printed = run_example("forward_vs_reverse", tmp_path, capsys)
    rows = {(r["function"][0], r["n"]): r for r in result["rows"]}
    for n in (1, 10, 100):
        assert (rows["f", n]["reverse_passes"], rows["f", n]["forward_passes"]) == (1, n)
        assert (rows["g", n]["reverse_passes"], rows["g", n]["forward_passes"]) == (n, 1)
    assert result["worst_difference"] <= 1e-12
    assert "| f: R^n -> R | 100 | 1 | 100 |" in printed
    assert "| g: R -> R^n | 100 | 100 | 1 |" in printed
