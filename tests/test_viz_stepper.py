"""The step-through page: backward and forward frames, self-containment, inline display,
and a real headless Chromium."""

import html
import json
import os
import re
import shutil

import pytest
from hypothesis import given
from test_viz_graph import build, recipes

from autograd import Value, jvp, topological_order
from autograd import functions as F
from viz import backprop_html, step_through
from viz.stepper import backward_frames, forward_frames, rule_text

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
HOSTILE = "</script><script>alert(1)</script> & \"q\" 😀"


def neuron():
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(2.0, label=HOSTILE)
    out = F.tanh(x * w + b)
    out.label = "out"
    return out, x, w, b


def by_source(grads: dict) -> dict:
    """The page's gradients (by drawn node) by the Values they belong to."""
    return {node.source: grad for node, grad in grads.items() if node.source is not None}


@given(recipes)
def test_frames_replay_backward_without_touching_grad(recipe):
    out = build(recipe)  # backward already ran
    expected = {node: node.grad for node in topological_order(out)}
    frames, grads = backward_frames(out)
    assert {node: node.grad for node in expected} == expected  # .grad untouched
    grads = by_source(grads)
    for node, grad in expected.items():
        if not node.inputs:  # leaves: the page's final gradients are the engine's
            assert grads[node] == pytest.approx(grad, rel=1e-9, abs=1e-12)
    order = topological_order(out)
    ops = [f"v{order.index(node)}" for node in order if node.inputs]
    stepped = [f["node"] for f in frames[1:]]
    assert sorted(stepped) == sorted(ops) and len(frames) == 1 + len(ops)
    position = {node: k for k, node in enumerate(stepped)}
    for node in order:  # a node is stepped before its inputs: its gradient is complete
        for x in node.inputs:
            if x.inputs:
                assert position[f"v{order.index(node)}"] < position[f"v{order.index(x)}"]


def test_a_frame_shows_local_derivative_and_what_it_passes():
    out, x, w, b = neuron()
    frames, _ = backward_frames(out)
    assert frames[0]["title"] == "seed: \u2202out/\u2202out = 1"
    assert frames[0]["passes"][0]["after"] == "1.0000"
    tanh = frames[1]
    assert tanh["title"] == "tanh \u2192 out" and tanh["rule"] == ""  # written out instead
    local = 1 - out.data**2
    assert tanh["passes"][0]["local"] == f"{local:.4f}" and tanh["upstream"] == "1.0000"
    mul = frames[-1]
    assert [p["name"] for p in mul["passes"]] == ["x", "w"]
    assert mul["passes"][0]["local"] == "-1.5000"  # d(x*w)/dx = w
    assert rule_text(out, "out") == (f"\u2202out/\u2202v4 = 1 \u2212 out^2 = 1 \u2212 "
                                     f"{out.data:.4f}^2 = {local:.4f}")  # fmt: skip


def test_page_is_self_contained_and_escapes_labels(tmp_path):
    out, *_ = neuron()
    page = backprop_html(out, tmp_path / "page.html").read_text()
    assert "alert(1)</script>" not in page and "<script>alert" not in page
    links = re.findall(r"(?:https?:)?//[^\s\"'<>]+", page)
    assert all(link.startswith("http://www.w3.org/") for link in links), links
    assert not re.search(r"<(?:link|img|iframe)\b|\bsrc\s*=|@import|url\(", page)
    assert page.count("<script") == 2  # the data and the inline script, neither with src


def chromium_path() -> str | None:
    """$CHROMIUM if set, else Debian's chromium (or chromium-browser) on PATH."""
    candidates = [os.environ.get("CHROMIUM")] if os.environ.get("CHROMIUM") else [
        shutil.which("chromium"), shutil.which("chromium-browser")]  # fmt: skip
    return next((c for c in candidates if c and os.path.isfile(c) and os.access(c, os.X_OK)),
                None)  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None and os.environ.get("CI") == "true":
        pytest.fail("CI must run the browser test: .ci/run installs Chromium with "
                    "`apt-get install -y chromium`")  # fmt: skip
    if executable is None:
        pytest.skip("Chromium is not installed: `sudo apt-get install chromium` "
                    "(or set CHROMIUM=/path/to/chromium) to run the browser test")  # fmt: skip
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install playwright"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_page_steps_forward_and_back_in_a_real_browser(browser, tmp_path):
    out, x, w, b = neuron()
    out.backward()
    path = backprop_html(out, tmp_path / "page.html")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    requests, dialogs, errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())

    def grad_shown(node_id: str) -> float:
        return float(page.locator(f"g#{node_id} text").filter(has_text="grad ").get_attribute(
            "data-grad"))  # fmt: skip

    counter = page.locator("#counter")
    assert counter.text_content() == "step 0 of 3"
    assert grad_shown("v0") == 0.0 and grad_shown("v5") == 1.0 and page.is_disabled("#prev")
    page.click("#next")
    assert counter.text_content() == "step 1 of 3"
    assert page.locator("#title").text_content() == "tanh \u2192 out"
    for node_id in ("v5", "op5"):
        assert "current" in page.locator(f"g#{node_id}").get_attribute("class")
    assert "target" in page.locator("g#v4").get_attribute("class")
    page.keyboard.press("ArrowRight")
    rows = page.locator("#passes tbody tr")
    assert rows.count() == 2 and rows.nth(1).locator("td").first.text_content() == HOSTILE
    page.keyboard.press("ArrowRight")
    assert counter.text_content() == "step 3 of 3" and page.is_disabled("#next")
    assert grad_shown("v0") == pytest.approx(x.grad, abs=1e-4)  # x, as backward computed it
    assert float(rows.nth(0).get_attribute("data-grad")) == pytest.approx(x.grad, rel=1e-12)
    page.keyboard.press("ArrowLeft")
    assert counter.text_content() == "step 2 of 3" and grad_shown("v0") == 0.0
    page.locator("#slider").evaluate("s => { s.value = '0'; s.dispatchEvent(new Event('input')); }")
    assert counter.text_content() == "step 0 of 3" and grad_shown("v4") == 0.0
    page.keyboard.press("End")
    assert counter.text_content() == "step 3 of 3"
    shot = page.screenshot(path=os.environ.get("VIZ_SCREENSHOT", str(tmp_path / "page.png")))
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    assert [url for url in requests if not url.startswith("file://")] == []
    assert dialogs == [] and errors == []
    page.close()


@given(recipes)
def test_forward_frames_end_with_the_gradient_and_match_jvp(recipe):
    out = build(recipe)  # backward already ran: every leaf's .grad is d out / d leaf
    order = topological_order(out)
    leaves = [node for node in order if not node.inputs]
    for leaf in leaves[:3]:
        frames, tangents = forward_frames(out, leaf)
        tangents = by_source(tangents)
        ops = [node for node in order if node.inputs]
        assert [f["node"] for f in frames[1:]] == [f"v{order.index(node)}" for node in ops]
        assert tangents[out] == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)
        direction = [1.0 if x is leaf else 0.0 for x in leaves]
        rebuilt = jvp(lambda *xs: out, leaves, direction)[1]  # the leaves are the graph's own
        assert tangents[out] == pytest.approx(rebuilt, rel=1e-12, abs=1e-12)


def test_a_forward_frame_shows_tangents_local_derivatives_and_their_sum():
    out, x, w, b = neuron()
    frames, tangents = forward_frames(out, x)
    tangents = by_source(tangents)
    assert frames[0]["title"] == "seed: \u2202x/\u2202x = 1" and frames[0]["tangent"] == "1.0000"
    mul = frames[1]
    assert mul["title"].startswith("mul") and [p["name"] for p in mul["passes"]] == ["x", "w"]
    assert [(p["tangent"], p["local"], p["gives"]) for p in mul["passes"]] == [
        ("1.0000", "-1.5000", "-1.5000"), ("0.0000", "0.5000", "0.0000")]  # fmt: skip
    assert mul["tangent"] == "-1.5000"
    assert frames[-1]["raw"] == pytest.approx((1 - out.data**2) * -1.5, rel=1e-15)
    assert tangents[b] == 0.0 and tangents[x] == 1.0
    with pytest.raises(ValueError, match="wrt must be a leaf"):
        forward_frames(out, out)


def test_step_through_is_inline_html_and_the_same_page_as_the_file(tmp_path):
    out, x, *_ = neuron()
    shown = step_through(out, inputs=[x])
    inline = shown._repr_html_()
    assert inline.startswith('<iframe class="chaingrad-stepper" srcdoc="')
    assert inline.count("<script") == 1 and "&lt;script" in inline  # the page is escaped
    assert "chaingradHeight" in inline.split("</iframe>", 1)[1]  # the frame takes its height
    assert html.unescape(inline.split('srcdoc="', 1)[1].split('"', 1)[0]) == shown.html
    assert backprop_html(out, tmp_path / "p.html", inputs=[x]).read_text() == shown.html
    assert [p.name for p in tmp_path.iterdir()] == ["p.html"]  # no temporary file left
    with pytest.raises(TypeError, match="step_through needs a Value"):
        step_through(1.0)
    with pytest.raises(ValueError, match="inputs must be leaves"):
        step_through(out, inputs=[out])


def test_forward_view_and_two_inline_steppers_in_a_real_browser(browser, tmp_path):
    out, x, w, b = neuron()
    first, second = step_through(out), step_through(out * x)
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><body>{first._repr_html_()}<p>between</p>"
                    f"{second._repr_html_()}</body></html>", encoding="utf-8")  # fmt: skip
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    one, two = page.frame_locator("iframe").nth(0), page.frame_locator("iframe").nth(1)

    def tangent_shown(frame, node_id: str) -> str:
        return frame.locator(f"g#{node_id} text").filter(has_text="tangent ").get_attribute(
            "data-tangent")  # fmt: skip

    expect = pytest.importorskip("playwright.sync_api").expect  # waits for the page's scripts
    expect(two.locator("#counter")).to_have_text("step 0 of 4")
    one.locator("#mode-forward").check()
    one.locator("#wrt").select_option(label="w")
    expect(one.locator("#counter")).to_have_text("step 0 of 3")
    assert tangent_shown(one, "v1") == "1.0000" and tangent_shown(one, "v5") == "?"
    one.locator("#next").click()
    rows = one.locator("#tangents tbody tr")
    assert rows.count() == 2 and rows.nth(1).locator("td").nth(1).text_content() == "1.0000"
    one.locator("#slider").evaluate("s => { s.value = '3'; s.dispatchEvent(new Event('input')); }")
    out.backward()
    shown = float(one.locator("#sum").get_attribute("data-tangent"))
    assert shown == pytest.approx(w.grad, rel=1e-12)  # forward from w = backward's d out / d w
    assert float(tangent_shown(one, "v5")) == pytest.approx(w.grad, abs=1e-4)
    assert one.locator("#agree").text_content() == (
        f"done: \u2202out/\u2202w = {w.grad:.4f}, the gradient reverse mode gives w "
        f"({w.grad:.4f})")  # fmt: skip
    # the second stepper did not move, and its own controls still work
    expect(two.locator("#counter")).to_have_text("step 0 of 4")
    two.locator("#next").click()
    expect(two.locator("#counter")).to_have_text("step 1 of 4")
    expect(one.locator("#counter")).to_have_text("step 3 of 3")
    one.locator("#mode-reverse").check()
    expect(one.locator("#counter")).to_have_text("step 0 of 3")
    assert one.locator("g#v0 text").filter(has_text="grad ").count() == 1
    page.screenshot(path=os.environ.get("VIZ_FORWARD_SCREENSHOT", str(tmp_path / "two.png")))
    assert errors == []
    page.close()


def test_the_forward_view_offers_labelled_leaves_and_at_most_12_by_default():
    import json

    def data_of(shown):
        return json.loads(shown.html.split('type="application/json">', 1)[1].split("</script>")[0])

    out, x, w, b = neuron()
    assert [v["name"] for v in data_of(step_through(out))["forward"]] == ["x", "w", HOSTILE]
    many = F.sum([Value(float(k)) for k in range(20)])  # no labels: every leaf is a candidate
    data = data_of(step_through(many))
    assert len(data["forward"]) == 12 and data["forward_left_out"] == 8
    assert len(data_of(step_through(many, inputs=many.inputs))["forward"]) == 20


def test_an_infinite_value_still_gives_json_a_browser_parses():
    x, w = Value(float("inf"), label="x"), Value(2.0, label="w")
    page = step_through(x * w).html
    text = re.search(r'<script id="frames" type="application/json">(.*?)</script>', page,
                     re.S).group(1)  # fmt: skip

    def refuse(name):  # JSON.parse knows no Infinity or NaN
        raise ValueError(f"not JSON: {name}")

    data = json.loads(text, parse_constant=refuse)
    assert any(p["raw"] == "Infinity" for frame in data["reverse"] for p in frame["passes"])


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sin",
                                "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p",
                                "expm1", "erf", "silu", "gelu", "softplus"])  # fmt: skip
def test_every_rule_ends_with_the_engines_local_derivative(op):
    from autograd import local_partials

    x = Value(0.5, label="x")
    y = getattr(x, op)()
    y.label = "y"
    text = rule_text(y, "y")
    assert text.startswith("\u2202y/\u2202x = ")
    assert text.endswith(f"{local_partials(y)[0]:.4f}".replace("-", "\u2212"))
    assert "d/dx" not in text and "s(x)" not in text  # typeset, never the ASCII docs


def labelled(value: Value, label: str) -> Value:
    value.label = label
    return value


@pytest.mark.parametrize(("make", "lang", "expected"), [
    # a rule by cases says which case holds as a clause, not '… else 0 = x = −0.5 ≤ 0 = 0'
    (lambda: Value(-0.5, label="x").relu(), "en",
     "\u2202y/\u2202x = 1 if x > 0, else 0; here x = \u22120.5000 \u2264 0, so 0.0000"),
    (lambda: Value(-0.5, label="x").relu(), "pt-BR",
     "\u2202y/\u2202x = 1 se x > 0, sen\u00e3o 0; aqui x = \u22120.5000 \u2264 0, "
     "ent\u00e3o 0.0000"),
    (lambda: Value(2.0, label="x").elu(), "en", "; here x = 2.0000 > 0, so 1.0000"),
    # a negative number raised to a power is in parentheses: 1 − (−0.9640)^2, not 1 − −0.9640^2
    (lambda: Value(-2.0, label="x").tanh(), "en",
     "\u2202y/\u2202x = 1 \u2212 y^2 = 1 \u2212 (\u22120.9640)^2 = 0.0707"),
    (lambda: Value(3.0, label="d") ** 2, "en", "= 2 \u00d7 3.0000^1 = 6.0000"),
    (lambda: Value(-1.9, label="d") ** 2, "en", "= 2 \u00d7 (\u22121.9000)^1 = \u22123.8000"),
])  # fmt: skip
def test_a_rule_is_written_as_a_teacher_writes_it(make, lang, expected):
    """The whole text, or its end where ``expected`` starts with '; ' or '= '."""
    text = rule_text(labelled(make(), "y"), "y", lang=lang)
    assert text.endswith(expected) if expected[0] in ";=" else text == expected


def test_a_graph_too_wide_to_read_scrolls_and_follows_the_step(browser, tmp_path):
    """A long chain in a narrow window: the graph keeps a readable scale (not shrunk to the
    width), scrolls sideways, and each step brings its node into view."""
    x = Value(0.3, label="x")
    y = x
    for _ in range(12):
        y = (y * 1.1).tanh()
    y.label = "out"
    page = browser.new_page(viewport={"width": 700, "height": 900})
    page.goto(backprop_html(y, tmp_path / "chain.html").as_uri())
    box = page.locator("#graph")
    svg = page.locator("#graph svg")
    natural = float(svg.get_attribute("width").removesuffix("pt")) * 4 / 3
    assert svg.bounding_box()["width"] >= 0.7 * natural - 1 > box.bounding_box()["width"]

    def current_in_view() -> bool:
        node = page.locator("#graph g.current").first.bounding_box()
        seen = box.bounding_box()
        return seen["x"] <= node["x"] and node["x"] + node["width"] <= seen["x"] + seen["width"]

    assert current_in_view()  # step 0: the output, at the far right
    page.keyboard.press("End")  # the last step: the first node, at the far left
    assert current_in_view()
    assert page.evaluate("document.getElementById('graph').scrollLeft") < natural / 4
    page.close()
