"""The network picture as a class sees it: rendered by a real Chromium, fitted to a
1920 x 1080 screen, measured -- landscape, every label at least 10 px, no box on
another, no label on another, no edge through a caption or a box it does not join."""

import os
import random
from itertools import combinations

import pytest
from test_viz_stepper import browser  # noqa: F401  (the Chromium fixture)

import nn
from viz import draw_mlp

SCREEN = {"width": 1920, "height": 1080}

MEASURE = """() => {
  const svg = document.querySelector("svg");
  const box = (e) => { const r = e.getBoundingClientRect();
                       return [r.left, r.top, r.right, r.bottom]; };
  const scale = svg.getScreenCTM().a;
  const point = (x, y) => { const p = svg.createSVGPoint(); p.x = x; p.y = y;
                            const q = p.matrixTransform(svg.getScreenCTM()); return [q.x, q.y]; };
  return {
    scale: scale, svg: box(svg),
    boxes: [...svg.querySelectorAll("g.node")].filter((g) => g.querySelector("rect"))
      .map((g) => ({id: g.id, box: box(g.querySelector("rect"))})),
    texts: [...svg.querySelectorAll("text")].map((t) => ({
      text: t.textContent, box: box(t), px: parseFloat(t.getAttribute("font-size")) * scale,
      caption: !!t.closest("g.caption")})),
    edges: [...svg.querySelectorAll("g.edge")].map((g) => {
      const [a, b] = g.querySelector("path").getAttribute("d").slice(1).split(" L")
        .map((p) => p.split(",").map(Number));
      return {id: g.id, from: point(a[0], a[1]), to: point(b[0], b[1]),
              heads: g.querySelectorAll("polygon, marker").length};
    }),
  };
}"""


def overlap(a, b, margin: float = 0.0) -> bool:
    return a[0] < b[2] - margin and b[0] < a[2] - margin and a[1] < b[3] - margin \
        and b[1] < a[3] - margin  # fmt: skip


def crosses(p, q, rect) -> bool:
    """Whether the segment p-q passes through the inside of ``rect`` (sampled finely)."""
    steps = max(2, int(abs(q[0] - p[0]) + abs(q[1] - p[1])))
    inside = (rect[0] + 1, rect[1] + 1, rect[2] - 1, rect[3] - 1)
    for k in range(1, steps):
        x = p[0] + (q[0] - p[0]) * k / steps
        y = p[1] + (q[1] - p[1]) * k / steps
        if inside[0] < x < inside[2] and inside[1] < y < inside[3]:
            return True
    return False


def pictures():
    random.seed(1337)
    moons = nn.MLP(2, [16, 16, 1])
    X, _ = nn.datasets.make_moons(60, noise=0.1, seed=1)
    yield "weights", draw_mlp(moons)
    yield "activations", draw_mlp(moons, show="activations", X=X, lang="pt-BR")
    moons(X[0]).backward()
    yield "grads", draw_mlp(moons, show="grads")
    maxout = nn.Sequential(nn.Maxout(2, 3, pieces=2), nn.Layer(3, 2, "linear"), nn.ReLU(),
                           nn.Dropout(0.2), nn.Layer(2, 1, "sigmoid"))  # fmt: skip
    yield "maxout", draw_mlp(maxout, show="activations", X=X)
    yield "wide", draw_mlp(nn.MLP(40, [50, 1]), lang="pt-BR")
    yield "deep", draw_mlp(nn.MLP(2, [8] * 7 + [1], activation="sigmoid"))


@pytest.fixture(scope="module")
def measured(browser, tmp_path_factory):  # noqa: F811
    folder = tmp_path_factory.mktemp("network")
    page = browser.new_page(viewport=SCREEN)
    results = {}
    for name, picture in pictures():
        path = folder / f"{name}.html"
        path.write_text('<!DOCTYPE html><html><body style="margin:0">'
                        + picture.svg.replace("<svg ", '<svg style="width:100vw;height:100vh" ', 1)
                        + "</body></html>", encoding="utf-8")  # fmt: skip
        page.goto(path.as_uri())
        results[name] = (picture, page.evaluate(MEASURE))
        shots = os.environ.get("VIZ_NETWORK_SCREENSHOTS")
        if shots:
            page.screenshot(path=os.path.join(shots, f"network_{name}.png"))
    page.close()
    return results


NAMES = ["weights", "activations", "grads", "maxout", "wide", "deep"]


@pytest.mark.parametrize("name", NAMES)
def test_landscape_and_every_label_at_least_10px_on_a_1920_by_1080_screen(measured, name):
    picture, seen = measured[name]
    assert picture.layout["width"] > picture.layout["height"]
    small = [(t["text"], round(t["px"], 1)) for t in seen["texts"] if t["px"] < 10]
    if name != "deep":  # up to 2-[16, 16]-1 (an 8-layer network is allowed smaller text)
        assert small == []
    assert min(t["px"] for t in seen["texts"]) >= 8


@pytest.mark.parametrize("name", NAMES)
def test_no_box_overlaps_another_and_no_label_another(measured, name):
    _, seen = measured[name]
    boxes = seen["boxes"]
    assert len(boxes) >= 3
    touching = [(a["id"], b["id"]) for a, b in combinations(boxes, 2)
                if overlap(a["box"], b["box"])]  # fmt: skip
    assert touching == []
    texts = [t for t in seen["texts"] if t["text"].strip()]
    clashes = [(a["text"], b["text"]) for a, b in combinations(texts, 2)
               if overlap(a["box"], b["box"], margin=0.5)]  # fmt: skip
    assert clashes == []


@pytest.mark.parametrize("name", NAMES)
def test_edges_have_no_heads_and_cross_no_caption_and_no_other_box(measured, name):
    _, seen = measured[name]
    captions = [t["box"] for t in seen["texts"] if t["caption"]]
    boxes = {b["id"]: b["box"] for b in seen["boxes"]}
    assert seen["edges"] and all(e["heads"] == 0 for e in seen["edges"])
    through_captions = [e["id"] for e in seen["edges"]
                        if any(crosses(e["from"], e["to"], c) for c in captions)]  # fmt: skip
    assert through_captions == []
    for edge in seen["edges"][::7]:  # a sample: every edge against every box is slow
        ends = [i for i, b in boxes.items()
                if min(abs(b[2] - edge["from"][0]), abs(b[0] - edge["to"][0])) < 1.5
                and (b[1] <= edge["from"][1] <= b[3] or b[1] <= edge["to"][1] <= b[3])]
        crossed = [i for i, b in boxes.items() if i not in ends and crosses(edge["from"],
                                                                             edge["to"], b)]
        assert crossed == [], edge["id"]
