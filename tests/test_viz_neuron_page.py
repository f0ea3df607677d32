"""The README's neuron stepped product by product (``expand=True``), as a class sees it in
a real Chromium: keys, the play button, larger text, both languages -- and the graph
never moves between steps."""

import re

import pytest
from test_viz_stepper import browser  # noqa: F401  (the Chromium fixture)

import autograd
from autograd import Value
from viz import backprop_html, draw_dot, i18n


def readme_neuron():
    x = [Value(0.5, label="x1"), Value(0.3, label="x2"), Value(0.9, label="x3")]
    w = [Value(0.4, label="w1"), Value(0.7, label="w2"), Value(0.2, label="w3")]
    z = autograd.dot(w, x, Value(0.1, label="b"))
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    return a


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("neuron")
    a = readme_neuron()
    return {lang: backprop_html(a, folder / f"{lang}.html", expand=True, lang=lang)
            for lang in i18n.LANGS}  # fmt: skip


def open_page(browser, path, width=1920, height=1080):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return page, errors


def graph_box(page) -> tuple:
    box = page.locator("#graph svg").bounding_box()
    return round(box["x"], 1), round(box["y"], 1), round(box["width"], 1)


def test_the_neuron_is_stepped_product_by_product_with_the_numbers_put_in(browser, pages):  # noqa: F811
    page, errors = open_page(browser, pages["en"])
    counter = page.locator("#counter")
    assert counter.text_content() == "step 0 of 5"
    where = {graph_box(page)}
    titles = []
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        titles.append(page.locator("#title").text_content())
        where.add(graph_box(page))
    assert titles == ["sigmoid \u2192 a", "+ \u2192 z", "mul \u2192 w1\u00b7x1",
                      "mul \u2192 w2\u00b7x2", "mul \u2192 w3\u00b7x3"]  # fmt: skip
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    panel = " ".join(page.locator("#panel").inner_text().split())
    assert "a\u00b7(1 \u2212 a) = 0.6660 \u00d7 0.3340 = 0.2225" in panel
    assert "= 1.0000 \u00d7 0.2225 = 0.2225" in panel  # upstream x local, into z.grad
    assert ".grad += " in panel and "upstream gradient: a.grad = 1.0000" in panel
    assert "s(x)" not in panel and "d/dx" not in panel  # no ASCII rules
    page.keyboard.press("End")  # the last product: w3·x3, d/dw3 = x3
    panel = " ".join(page.locator("#panel").inner_text().split())
    assert "= x3 = 0.9000" in panel and "0.2225 \u00d7 0.9000 = 0.2002" in panel
    assert page.locator("#panel sub").count() > 0  # subscripts, typeset
    assert page.locator("#panel .frac").count() > 0  # partials as fractions
    # forward mode: the same graph place, the input labelled and chosen
    assert page.locator("#wrt-field").is_hidden()
    page.locator("#mode-forward").check()
    assert page.locator("#wrt-field").is_visible()
    page.get_by_label("with respect to").select_option(label="w1")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        where.add(graph_box(page))
    forward = " ".join(page.locator("#panel").inner_text().split())
    assert "= 0.2225 \u00d7 0.5000 = 0.1112" in forward  # da/dw1 = da/dz . dz/dw1
    assert len(where) == 1, where  # the graph never moved
    assert errors == []
    page.close()


def test_play_and_larger_text_keep_the_graph_in_place(browser, pages):  # noqa: F811
    page, errors = open_page(browser, pages["en"], 1400, 900)
    page.clock.install()
    page.reload()
    counter = page.locator("#counter")
    page.click("#play")
    assert "pause" in page.locator("#play").text_content()
    page.clock.run_for(3100)
    assert counter.text_content() == "step 2 of 5"
    page.keyboard.press(" ")  # space pauses
    assert "play" in page.locator("#play").text_content()
    page.clock.run_for(3100)
    assert counter.text_content() == "step 2 of 5"
    svg = page.locator("#graph svg").bounding_box()
    assert svg["y"] + svg["height"] <= 900 + 1  # on its own page the whole graph is in view
    small = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#title')).fontSize)")
    page.click("#size")
    large = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#title')).fontSize)")
    assert large >= 1.4 * small and page.locator("#size").text_content() == "normal text"
    where = set()
    for key in ["Home"] + ["ArrowRight"] * 5:
        page.keyboard.press(key)
        where.add(graph_box(page))
    assert len(where) == 1
    assert errors == []
    page.close()


def test_the_page_speaks_portuguese(browser, pages):  # noqa: F811
    text = pages["pt-BR"].read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in text and "<title>chaingrad: retropropaga" in text
    page, errors = open_page(browser, pages["pt-BR"])
    assert page.locator("#counter").text_content() == "passo 0 de 5"
    page.keyboard.press("ArrowRight")
    shown = page.locator("body").inner_text()
    english, portuguese = i18n.section("en", "stepper"), i18n.section("pt-BR", "stepper")
    left = [english[key] for key in english if english[key] != portuguese[key]
            and "{" not in english[key]
            and re.search(rf"\b{re.escape(english[key])}\b", shown)]  # fmt: skip
    assert left == []
    assert "derivada local" in shown and "gradiente que chega de cima" in shown
    page.locator("#mode-forward").check()
    assert page.get_by_label("em relação a").is_visible()
    assert errors == []
    page.close()


def test_a_dots_inputs_are_drawn_in_pairs():
    source = draw_dot(readme_neuron(), expand=True).source
    assert source.count("label=mul") == 3 and "label=\"+\"" in source
    declared = re.findall(r'label="\{ (w\d|x\d|b) \|', source)
    assert declared == ["w1", "x1", "w2", "x2", "w3", "x3", "b"]  # w1 beside x1, then w2 ...
    plain = draw_dot(readme_neuron()).source
    assert re.findall(r'label="\{ (w\d|x\d|b) \|', plain) == declared
    assert "ordering=in" in plain and "label=dot" in plain
