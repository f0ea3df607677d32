"""The training playground: snapshots, the page's data, bad input, and a real headless Chromium."""

import base64
import json
import os
import random
import re
from types import SimpleNamespace

import numpy as np
import pytest
from test_viz_stepper import browser  # noqa: F401  (the Chromium fixture)

import nn
import viz
from viz.playground import Snapshots, boundary_grids
from viz.plots import plane

HOSTILE = "<script>alert(1)</script>"


def trained(epochs: int = 30, count: int = 60, activation: str = "relu"):
    random.seed(7)
    X, labels = nn.datasets.make_moons(n_samples=40, noise=0.1, seed=2)
    y = [2 * t - 1 for t in labels]
    model = nn.MLP(2, [8, 1], activation=activation)
    snapshots = Snapshots(model, epochs=epochs, count=count)
    history = nn.fit(model, X, y, nn.hinge_loss, nn.optim.SGD(model.parameters(), lr=0.5),
                     epochs=epochs, progress=False, callback=snapshots, compiled=True)
    return model, X, y, history, snapshots


def page_data(path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>',
                                text, re.S).group(1))  # fmt: skip


def test_snapshots_are_evenly_spaced_and_keep_the_first_and_last_epoch():
    *_, snapshots = trained(epochs=100, count=60)
    epochs = [frame[0] for frame in snapshots.frames]
    assert len(epochs) == 60 and epochs[0] == 0 and epochs[-1] == 100
    gaps = np.diff(epochs)
    assert gaps.min() >= 1 and gaps.max() <= 2 and epochs == sorted(set(epochs))
    *_, few = trained(epochs=5, count=60)
    assert [f[0] for f in few.frames] == [0, 1, 2, 3, 4, 5]  # fewer epochs than the count: all


def test_the_last_epoch_is_kept_when_training_stops_early_or_runs_longer():
    model = nn.MLP(2, [2, 1])
    snapshots = Snapshots(model, epochs=100, count=5)  # planned: 0, 25, 50, 75, 100
    for epoch in range(40):  # stopped after epoch 40
        snapshots(epoch, None)
    assert [f[0] for f in snapshots.frames] == [0, 25, 40]
    longer = Snapshots(model, epochs=10, count=3)  # planned: 0, 5, 10
    for epoch in range(20):
        longer(epoch, None)
    assert [f[0] for f in longer.frames] == [0, 5, 20]
    model.layers[0].neurons[0].w[0].data = 123.0
    longer(20, None)
    assert longer.frames[-1][1][0] == 123.0 and len(longer.frames) == 3


@pytest.mark.parametrize("count", [0, -3])
def test_a_snapshot_count_below_one_is_refused(count):
    with pytest.raises(ValueError, match="count must be at least 1"):
        Snapshots(nn.MLP(2, [1]), epochs=10, count=count)
    with pytest.raises(TypeError, match="count must be an int"):
        Snapshots(nn.MLP(2, [1]), epochs=10, count=2.5)


def test_the_heat_map_is_the_models_prediction_on_the_grid(tmp_path):
    model, X, y, history, snapshots = trained()
    grids = boundary_grids(model, X, y, snapshots.frames, size=20)
    last = np.frombuffer(base64.b64decode(grids["images"][-1]), dtype=np.uint8).reshape(20, 20)
    xs, ys = plane(np.asarray(X), 20)
    cells = [(row, col) for row in range(0, 20, 3) for col in range(0, 20, 3)]
    predicted = nn.predict(model, [(xs[col], ys[::-1][row]) for row, col in cells])  # scalar
    shown = [1 if last[row, col] > 127 else -1 for row, col in cells]
    assert shown == [1 if p == 1 else -1 for p in predicted]
    assert grids["images"][0] != grids["images"][-1]  # the boundary moved
    assert model.layers[0].neurons[0].w[0].data == snapshots.frames[-1][1][0]  # weights put back


def test_the_page_is_self_contained_and_holds_every_snapshot(tmp_path):
    model, X, y, history, snapshots = trained()
    path = viz.training_html(model, X, y, history, tmp_path / "play.html", snapshots,
                             classes=[HOSTILE, "b"])  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert HOSTILE not in text  # only as escaped JSON
    pictures = re.sub(r'"(boundary|maps|inputs)": [^]]*', "", text)  # base64 is not a link
    links = re.findall(r"(?:https?:)?//[^\s\"'<>]+", pictures)
    # the served page's socket (same host; the replay's CSP forbids connecting at all)
    links = [link for link in links if not link.startswith("//${location.host}/socket")]
    assert all(link.startswith("http://www.w3.org/") for link in links), links
    assert "default-src 'none'" in text and "connect-src" not in text
    assert not re.search(r"<(?:link|img|iframe)\b|\bsrc\s*=|@import|url\(", text)
    data = page_data(path)
    scene = data["state"]["scene"]
    assert [f["epoch"] for f in data["frames"]] == [f[0] for f in snapshots.frames]
    assert scene["curve"]["train"] == pytest.approx(history.train_loss)
    assert scene["classes"] == [HOSTILE, "b"] and data["state"]["note"] == ""
    assert len(scene["network"]["edges"]) == 2 * 8 + 8
    assert [len(column) for column in scene["network"]["columns"]] == [2, 8, 1]
    last = data["frames"][-1]
    assert last["weights"][0] == pytest.approx(model.layers[0].neurons[0].w[0].data, rel=1e-3)
    assert len(last["maps"]) == 8 + 1 and len(scene["inputs"]) == 2  # a heat map per neuron
    assert last["accuracy"] == pytest.approx(history.train_accuracy[-1])
    assert not list(tmp_path.glob("*.tmp*"))


def test_regression_and_wide_inputs_get_curves_and_network_only(tmp_path):
    random.seed(0)
    model = nn.MLP(3, [4, 1])
    X = [[0.1, 0.2, 0.3], [0.3, -0.1, 0.5], [-0.4, 0.2, 0.0]]
    regression = nn.fit(model, X, [0.5, 1.5, -0.2], "mse", nn.optim.SGD(model.parameters(), lr=0.1),
                        epochs=3, progress=False)  # fmt: skip
    data = page_data(viz.training_html(model, X, [0.5, 1.5, -0.2], regression, tmp_path / "r.html"))
    assert data["state"]["scene"]["two_d"] is False and "Regression" in data["state"]["note"]
    assert "boundary" not in data["frames"][0] and len(data["frames"]) == 1
    wide = nn.fit(model, X, [0, 1, 0], "bce_with_logits", nn.optim.SGD(model.parameters(), lr=0.1),
                  epochs=2, progress=False)  # fmt: skip
    data = page_data(viz.training_html(model, X, [0, 1, 0], wide, tmp_path / "w.html",
                                       lang="pt-BR"))  # fmt: skip
    assert data["state"]["scene"]["two_d"] is False and "não são 2-D" in data["state"]["note"]


def test_bad_input_is_refused_and_leaves_no_file(tmp_path, monkeypatch):
    model, X, y, history, snapshots = trained(epochs=3)
    target = tmp_path / "page.html"
    with pytest.raises(ValueError, match="history is empty"):
        viz.training_html(model, X, y, SimpleNamespace(train_loss=[]), target)
    with pytest.raises(TypeError, match="MLP-like stack"):
        viz.training_html(nn.Sequential(nn.Layer(2, 2), nn.Dropout(0.1), nn.Neuron(2)), X, y,
                          history, target)  # fmt: skip
    with pytest.raises(TypeError, match="MLP-like stack"):
        viz.training_html(nn.Sequential(nn.Layer(2, 2), lambda x: x), X, y, history, target)
    with pytest.raises(ValueError, match="X must be a non-empty list of samples"):
        viz.training_html(model, [1.0, 2.0], y, history, target)
    with pytest.raises(ValueError, match="X has 40 samples but y has 39 labels"):
        viz.training_html(model, X, y[1:], history, target)
    with pytest.raises(TypeError, match="history must be the History nn.fit returns, not list"):
        viz.training_html(model, X, y, [0.5, 0.4], target)
    with pytest.raises(TypeError, match="snapshots must be a viz.Snapshots, not list"):
        viz.training_html(model, X, y, history, target, [])
    with pytest.raises(ValueError, match="not recorded from this model"):
        viz.training_html(model, X, y, history, target, Snapshots(nn.MLP(2, [1]), epochs=3))
    with pytest.raises(ValueError, match="the boundary view needs 2-D points"):
        boundary_grids(model, [[1.0, 2.0, 3.0]], [1], snapshots.frames)

    def interrupted(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError, match="disk full"):
        viz.training_html(model, X, y, history, target, snapshots)
    assert list(tmp_path.iterdir()) == []  # no page, no temporary file


def shows(page, epoch: int) -> None:
    """Wait until the page shows ``epoch`` (it draws at the next animation frame)."""
    page.wait_for_function(f"() => document.querySelector('.cg-epoch').dataset.epoch === '{epoch}'")


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_page_plays_in_a_real_browser(browser, tmp_path, lang):  # noqa: F811
    model, X, y, history, snapshots = trained(epochs=30, count=12)
    path = viz.training_html(model, X, y, history, tmp_path / "play.html", snapshots,
                             classes=[HOSTILE, "b"], interval_ms=150, lang=lang)  # fmt: skip
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests, dialogs, errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(path.as_uri())
    epoch = page.locator(".cg-epoch")
    of = "of" if lang == "en" else "de"
    assert epoch.text_content() == f"0 {of} 30"
    assert HOSTILE in page.locator(".cg-classes").text_content()  # shown as text, never run
    # one window: no scrolling at 1400 x 900; the network beside the boundary; keys on top
    assert page.evaluate("document.documentElement.scrollHeight") <= 900
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    network, boundary = page.locator(".cg-network").bounding_box(), \
        page.locator(".cg-boundary").bounding_box()  # fmt: skip
    assert network["x"] + network["width"] <= boundary["x"]
    assert network["y"] < boundary["y"] + boundary["height"]
    help_box = page.locator(".cg-help").bounding_box()
    assert help_box["y"] < network["y"] and help_box["y"] < 200
    assert page.locator(".cg-neuron").count() == 2 + 8 + 1
    first = page.locator(".cg-boundary").screenshot()
    first_map = page.locator(".cg-neuron canvas").nth(2).screenshot()
    page.locator(".cg-slider").evaluate(
        "s => { s.value = '5'; s.dispatchEvent(new Event('input')); }")
    shows(page, snapshots.frames[5][0])
    page.keyboard.press("End")
    shows(page, 30)
    assert f"{100 * history.train_accuracy[-1]:.1f}%" in page.locator(".cg-losses").text_content()
    assert epoch.text_content() == f"30 {of} 30"
    assert page.locator(".cg-boundary").screenshot() != first  # the boundary moved
    assert page.locator(".cg-neuron canvas").nth(2).screenshot() != first_map  # a neuron's too
    # hovering a weight shows its value
    page.locator(".cg-hit").first.hover(force=True)
    shown = float(re.search(r"w = (-?[\d.e+-]+)", page.locator(".cg-tip").text_content()).group(1))
    assert shown == pytest.approx(model.layers[0].neurons[0].w[0].data, rel=1e-3)
    # the loss axis has ticks, and a log scale on request
    ticks = page.locator(".cg-loss .cg-tick")
    assert ticks.count() >= 4
    page.locator(".cg-log").check()
    assert any(t.startswith("1e") for t in ticks.all_text_contents())
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    seen = {epoch.get_attribute("data-epoch")}
    for _ in range(400):  # the page's CSP forbids eval, so poll from here
        page.wait_for_timeout(25)
        seen.add(epoch.get_attribute("data-epoch"))
        if "30" in seen:
            break
    assert len(seen) > 2 and "30" in seen  # play advanced it, snapshot by snapshot
    page.wait_for_timeout(100)
    assert page.locator(".cg-play").text_content().endswith("play" if lang == "en" else "treinar")
    screenshot = os.environ.get("PLAYGROUND_SCREENSHOT")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    assert [url for url in requests if not url.startswith("file://")] == []
    assert dialogs == [] and errors == []
    page.close()


def test_three_classes_colour_the_arg_max_class():
    random.seed(0)
    X, y = nn.datasets.make_spirals(n_samples=30, n_classes=3, seed=0)
    model = nn.Sequential(nn.Maxout(2, 4, pieces=2), nn.Layer(4, 3, "linear"))
    snapshots = Snapshots(model, epochs=5)
    nn.fit(model, X, y, "cross_entropy", nn.optim.Adam(model.parameters(), lr=0.05), epochs=5,
           progress=False, callback=snapshots)  # fmt: skip
    grids = boundary_grids(model, X, y, snapshots.frames, size=12)
    assert grids["mode"] == "classes" and grids["count"] == 3
    last = np.frombuffer(base64.b64decode(grids["images"][-1]), dtype=np.uint8).reshape(12, 12)
    xs, ys = plane(np.asarray(X), 12)
    cells = [(row, col) for row in range(0, 12, 2) for col in range(0, 12, 2)]
    predicted = nn.predict(model, [(xs[col], ys[::-1][row]) for row, col in cells])
    assert [int(last[row, col]) for row, col in cells] == predicted


def test_samples_that_do_not_fit_the_model_are_refused_by_name(tmp_path):
    model, X, y, history, snapshots = trained(epochs=2)
    target = tmp_path / "page.html"
    with pytest.raises(ValueError, match=r"the model takes 2 inputs but X\[0\] has 3"):
        viz.training_html(model, [x + [0.0] for x in X], y, history, target)  # 3-D X, 2-D model
    with pytest.raises(ValueError, match=r"X\[1\]\[0\] must be finite, received nan"):
        viz.training_html(model, [X[0], [float("nan"), 0.0], *X[2:]], y, history, target)
    with pytest.raises(TypeError, match=r"training_html: X\[0\]\[1\] must be a number, not str"):
        viz.training_html(model, [[0.5, "a"], *X[1:]], y, history, target)
    with pytest.raises(ValueError, match="classes has 1 name but the data has 2 classes"):
        viz.training_html(model, X, y, history, target, classes=["only one"])
    with pytest.raises(ValueError, match="interval_ms must be at least 1, received 0"):
        viz.training_html(model, X, y, history, target, interval_ms=0)
    assert list(tmp_path.iterdir()) == []


def test_snapshots_of_something_that_is_not_a_model_is_a_type_error():
    with pytest.raises(TypeError, match="Snapshots: model must be an nn module .*, not int"):
        Snapshots(3, epochs=5)
