"""The live playground's Python side: the setup that a link carries, the training session,
the widget's traits and API, the learner's own model, and the scalar engine's fallback."""

import asyncio
import base64
import random
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value
from viz.playground import Setup
from viz.playground.explain import neuron_graph
from viz.playground.frames import GRID, Frames
from viz.playground.session import Session, features

anywidget = pytest.importorskip("anywidget", reason="the dev extra installs anywidget")
from viz import Playground  # noqa: E402  (needs anywidget)

setups = st.builds(
    Setup,
    data=st.sampled_from(["circle", "xor", "gauss", "spiral", "moons"]),
    noise=st.sampled_from([0.0, 0.05, 0.35]),
    hidden=st.lists(st.integers(1, 8), max_size=6).map(tuple),
    features=st.sets(st.sampled_from(["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"]),
                     min_size=1).map(tuple),  # fmt: skip
    lr=st.sampled_from([0.001, 0.03, 3.0]),
    regularization=st.sampled_from(["none", "L1", "L2"]),
    seed=st.integers(0, 2**31 - 1),
    hide=st.sets(st.sampled_from(["lr", "seed", "hidden", "data"])).map(tuple),
)


@given(setups)
def test_a_setup_round_trips_through_its_address_and_its_dict(setup):
    assert Setup.from_query(setup.to_query()) == setup
    assert Setup.from_query(f"http://127.0.0.1:8765/?token=abc#{setup.to_query()}") == setup
    assert Setup.from_dict(setup.to_dict()) == setup


def test_a_bad_setup_is_refused_by_name():
    with pytest.raises(ValueError, match="activation must be one of tanh, relu"):
        Setup(activation="softplus")
    with pytest.raises(ValueError, match="lr must be in"):
        Setup.from_query("lr=-1")
    with pytest.raises(ValueError, match="unknown control 'color'"):
        Setup.from_query("#color=red")
    with pytest.raises(ValueError, match="hide names unknown control"):
        Setup(hide=("everything",))
    with pytest.raises(ValueError, match="'plane' is not a classification data set"):
        Setup(data="plane")
    with pytest.raises(ValueError, match="noise=.abc. is not a float"):
        Setup.from_query("noise=abc")
    assert Setup().replace(problem="regression").data == "plane"


def test_features_are_computed_from_the_point():
    points = np.array([[0.5, -2.0]])
    row = features(points, ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"])[0]
    assert row.tolist() == pytest.approx([0.5, -2.0, 0.25, 4.0, -1.0, np.sin(0.5), np.sin(-2.0)])


def test_training_lowers_the_loss_on_the_compiled_path_and_reset_starts_over():
    session = Session(Setup())
    assert session.engine == "compiled" and session.epoch == 0
    first = (session.train_losses[0], [p.data for p in session.model.parameters()])
    session.train(30)
    assert session.epoch == 30 and session.train_losses[-1] < 0.6 * session.train_losses[0]
    assert len(session.X_train) == 100 and len(session.X_test) == 100
    session.reset()
    assert session.epoch == 0 and session.train_losses == [first[0]]
    assert [p.data for p in session.model.parameters()] == first[1]  # the same seed


def test_a_new_learning_rate_goes_on_but_a_new_network_starts_over():
    session = Session(Setup())
    session.train(3)
    assert session.configure(Setup(lr=0.3)) is False
    assert session.epoch == 3 and session.optimizer.lr == 0.3
    assert session.configure(Setup(lr=0.3, hidden=(3,))) is True
    assert session.epoch == 0 and [len(layer.neurons) for layer in session.model.layers] == [3, 1]


def test_the_learners_random_state_is_left_alone():
    random.seed(5)
    expected = random.random()
    random.seed(5)
    Session(Setup(seed=123))
    assert random.random() == expected


def test_frames_hold_a_heat_map_per_neuron_and_the_boundary():
    session = Session(Setup(hidden=(3, 2)))
    frames = Frames(session)
    scene, frame = frames.scene(), frames.frame()
    assert [len(c) for c in scene["network"]["columns"]] == [2, 3, 2, 1]
    assert len(scene["network"]["edges"]) == 2 * 3 + 3 * 2 + 2
    assert len(frame["weights"]) == len(frame["grads"]) == len(scene["network"]["edges"])
    assert len(frame["maps"]) == 3 + 2 + 1 and len(scene["inputs"]) == 2
    assert sorted(frame["maps"]) == ["n0_0", "n0_1", "n0_2", "n1_0", "n1_1", "n2_0"]
    assert len(base64.b64decode(frame["maps"]["n0_0"])) == (GRID // 2) ** 2
    boundary = np.frombuffer(base64.b64decode(frame["boundary"]), dtype=np.uint8)
    assert boundary.size == GRID * GRID
    # the boundary's cells are the model's prediction at those points (scalar engine)
    cell = int(np.argmax(np.abs(boundary.astype(int) - 127)))
    with nn.module.in_mode(session.model, False):
        score = session.model(frames.rows[cell].tolist()).data
    assert (boundary[cell] > 127) == (score > 0)


def test_the_widget_has_traits_and_steps_and_resets():
    pg = Playground(hidden=(4, 4), lr=0.1)
    assert pg.epoch == 0 and isinstance(pg.train_loss, float) and isinstance(pg.test_loss, float)
    start = pg.train_loss
    pg.step(20)
    assert pg.epoch == 20 and pg.frame["epoch"] == 20 and pg.train_loss < start
    assert pg.setup["lr"] == 0.1 and "lr=0.1" in pg.query
    pg.reset()
    assert pg.epoch == 0 and pg.train_loss == start and pg.playing is False
    with pytest.raises(ValueError, match="n must be a whole number"):
        pg.step(0)


def test_a_view_changing_the_setup_is_applied_and_a_bad_one_noted():
    pg = Playground()
    pg.setup = {**pg.setup, "data": "spiral", "hidden": [8, 8, 8]}  # as the front end sets it
    assert pg.session.setup.data == "spiral" and pg.epoch == 0
    assert [c for c in map(len, pg.scene["network"]["columns"])] == [2, 8, 8, 8, 1]
    pg.setup = {**pg.setup, "activation": "nope"}
    assert "activation must be one of" in pg.note and pg.setup["activation"] == "tanh"


def test_from_setup_opens_the_playground_of_a_link():
    link = "http://127.0.0.1:8765/?token=x#" + Setup(data="xor", hidden=(2,), seed=9,
                                                     hide=("seed",)).to_query()  # fmt: skip
    pg = Playground.from_setup(link, lang="pt-BR")
    assert pg.setup["data"] == "xor" and pg.setup["hide"] == ["seed"] and pg.lang == "pt-BR"
    assert pg.text["play"] == "treinar"
    assert Playground.from_setup(pg.setup).query == pg.query


def test_the_learners_own_model_loss_and_optimizer_train():
    random.seed(1)
    X, y = nn.datasets.make_moons(60, noise=0.1, seed=3)
    y = [2 * t - 1 for t in y]
    model = nn.MLP(2, [6, 1], activation="relu")
    optimizer = nn.optim.Adam(model.parameters(), lr=0.02)
    start = [p.data for p in model.parameters()]
    pg = Playground(model, X, y, loss=nn.hinge_loss, optimizer=optimizer, lr=0.02)
    assert pg.model is model and set(pg.scene["locked"]) >= {"hidden", "data", "features"}
    pg.step(15)
    assert pg.train_loss < pg.session.train_losses[0]
    assert [p.data for p in model.parameters()] != start  # the learner's own weights moved
    pg.reset()
    assert [p.data for p in model.parameters()] == start  # ... and are put back


def test_the_learners_optimizer_keeps_its_rate_and_the_setup_says_what_is_theirs():
    """Not the widget's 0.03 over the learner's 0.1; a link of a run on the learner's own
    model and data opens again only with them (it cannot carry them)."""
    random.seed(2)
    X, y = nn.datasets.make_moons(40, noise=0.1, seed=1)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    pg = Playground(model, X, y, loss=nn.cross_entropy, optimizer=optimizer)
    assert optimizer.lr == 0.1 and pg.setup["lr"] == 0.1
    pg.step(1)
    assert optimizer.lr == 0.1
    assert pg.setup["own"] == ["model", "data"] and "own=model,data" in pg.query
    with pytest.raises(ValueError, match=r"this setup trains the learner's own model: give it "
                                         r"too, Playground.from_setup\(setup, model=...\)"):
        Playground.from_setup(pg.query)
    again = Playground.from_setup(pg.query, model, X, y, loss=nn.cross_entropy)
    assert again.setup == pg.setup and again.model is model
    pg.session.configure(pg.session.setup.replace(own=(), lr=0.3))  # a page cannot drop it
    assert pg.session.setup.own == ("model", "data") and optimizer.lr == 0.3
    assert Playground(lr=0.1).setup["own"] == [] and Playground().setup["lr"] == 0.03


class Branchy(nn.Module):
    """A model that reads a value in Python: it cannot be traced, the scalar engine trains it."""

    def __init__(self):
        self.mlp = nn.MLP(2, [4, 1], activation="tanh")

    def __call__(self, x):
        out = self.mlp(x)
        return out if out.data > -1e9 else out * 0.0


def test_a_model_that_cannot_compile_plays_on_the_scalar_engine():
    random.seed(2)
    pg = Playground(Branchy(), lr=0.1)
    assert pg.session.engine == "scalar" and "scalar engine" in pg.note
    start = pg.train_loss
    pg.step(5)
    assert pg.epoch == 5 and pg.train_loss < start
    assert "boundary" in pg.frame and "maps" not in pg.frame  # not an MLP-like stack: no maps


def test_play_trains_on_the_event_loop_between_other_work():
    pg = Playground()

    async def session():
        pg.play()
        assert pg.playing
        ticks = 0
        while pg.epoch < 5:  # other work goes on while it plays
            ticks += 1
            await asyncio.sleep(0.001)
        pg.pause()
        return ticks

    assert asyncio.run(session()) > 1 and pg.playing is False and pg.epoch >= 5

    async def closed():
        pg.play()
        await asyncio.sleep(0.05)
        pg.close()  # closing the widget stops its training
        epoch = pg.epoch
        await asyncio.sleep(0.05)
        return epoch

    assert asyncio.run(closed()) == pg.epoch and pg.playing is False
    with pytest.raises(RuntimeError, match="without one, call step"):
        pg.play()


def test_a_learning_rate_far_too_large_stops_with_a_note():
    pg = Playground(lr=10.0, activation="linear", hidden=(8, 8, 8), data="spiral")
    for _ in range(20):
        pg.step(1)
        if pg.note:
            break
    assert "learning rate is probably too large" in pg.note


def test_clicking_a_neuron_builds_its_step_through():
    pg = Playground(hidden=(3, 2))
    pg.step(2)
    pg._controller.message({"kind": "neuron", "layer": 0, "index": 1})
    assert pg.detail.startswith("<!DOCTYPE html>") and "<svg" in pg.detail
    pg._controller.message({"kind": "close"})
    assert pg.detail == ""
    pg._controller.message({"kind": "neuron", "layer": 7, "index": 0})  # no such neuron
    assert pg.detail == ""


def test_the_neuron_graph_is_the_models_loss_and_ends_at_that_neurons_weights():
    session = Session(Setup(hidden=(3, 2)))
    session.train(2)
    loss = neuron_graph(session, 0, 1)
    x, target = session.X_train[0], session.y_train[0]
    expected = session.loss([session.model(x)], [target])
    assert loss.data == pytest.approx(expected.data, rel=1e-12)
    loss.backward()
    leaves = {v.label: v for v in _leaves(loss)}
    session.model.zero_grad()
    expected.backward()
    neuron = session.model.layers[0].neurons[1]
    assert leaves["w1"].grad == pytest.approx(neuron.w[0].grad, rel=1e-9)
    assert leaves["b"].grad == pytest.approx(neuron.b.grad, rel=1e-9)


def test_the_neuron_graph_of_a_model_with_activation_modules_between_layers():
    """Sequential(Layer, ReLU(), Layer, Tanh(), Layer): the modules after each layer apply
    in the graph of every layer's neuron, the next layer's included."""
    random.seed(4)
    X, y = nn.datasets.make_moons(40, noise=0.1, seed=0)
    model = nn.Sequential(nn.Layer(2, 3), nn.ReLU(), nn.Layer(3, 3), nn.Tanh(),
                          nn.Layer(3, 1, "linear"))  # fmt: skip
    session = Session(Setup(), model, X, [2 * t - 1 for t in y], "hinge")
    x, target = session.X_train[0], session.y_train[0]
    expected = session.loss([model(x)], [target]).data
    for layer in range(3):
        assert neuron_graph(session, layer, 0).data == pytest.approx(expected, rel=1e-12)


def test_only_neurons_with_a_step_through_are_clickable():
    """A Maxout layer has no neuron step-through: the network says so, and the page makes
    no box clickable that the server would leave loading."""
    X, y = nn.datasets.make_moons(40, noise=0.1, seed=0)
    maxout = Playground(nn.Sequential(nn.Maxout(2, 4, pieces=2), nn.Layer(4, 1, "linear")),
                        X, [2 * t - 1 for t in y], loss="hinge")  # fmt: skip
    assert maxout.scene["network"]["explainable"] is False
    assert Playground().scene["network"]["explainable"] is True


def _leaves(root: Value) -> list[Value]:
    seen, stack, leaves = set(), [root], []
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if v.is_leaf:
            leaves.append(v)
        stack.extend(v.inputs)
    return leaves


def test_regression_draws_the_output_surface():
    pg = Playground(data="bumps", problem="regression", hidden=(6,), lr=0.1)
    assert pg.scene["classification"] is False
    start = pg.train_loss
    pg.step(10)
    assert pg.train_loss < start and pg.session.loss is nn.mse_loss


def test_several_classes_and_wide_inputs():
    random.seed(0)
    X, y = nn.datasets.make_spirals(90, n_classes=3, seed=1)
    pg = Playground(nn.MLP(2, [6, 3], activation="relu"), X, y, loss=nn.cross_entropy)
    pg.step(2)
    assert pg.scene["palette"] and sorted(set(pg.scene["labels"])) == [0, 1, 2]
    cells = np.frombuffer(base64.b64decode(pg.frame["boundary"]), dtype=np.uint8)
    assert set(cells.tolist()) <= {0, 1, 2}  # each cell the arg-max class
    wide = Playground(nn.MLP(3, [4, 3]), [[a, b, a * b] for a, b in X], y, loss="cross_entropy")
    wide.step(2)
    assert wide.scene["two_d"] is False and "boundary" not in wide.frame and wide.epoch == 2
    assert [box["label"] for box in wide.scene["network"]["columns"][0]] == ["x1", "x2", "x3"]


def test_a_model_of_another_width_is_refused_by_name():
    with pytest.raises(ValueError, match=r"takes 3 inputs but is fed 2 features \(x1, x2\)"):
        Playground(nn.MLP(3, [2, 1]))
    pg = Playground(nn.MLP(3, [2, 1]), features=("x1", "x2", "x1x2"))
    assert pg.epoch == 0 and len(pg.scene["network"]["columns"][0]) == 3
    with pytest.raises(ValueError, match=r"takes 3 inputs but is fed 2 features"):
        Playground(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)))  # any stack


def test_importing_viz_needs_neither_anywidget_nor_tornado():
    code = "import sys, viz; print('anywidget' in sys.modules, 'tornado' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
