"""Pictures inline in a real JupyterLab at a 1400 px window: the README's neuron graph,
the network and the step-through fit the output area (nothing clipped), and the
step-through's frame takes its page's height."""

import os

import pytest
from jupyter_lab import jupyterlab, lab_browser  # noqa: F401 -- fixtures

NEURON = """import autograd, nn, random, viz
from autograd import Value
x = [Value(0.5, label="x1"), Value(0.3, label="x2"), Value(0.9, label="x3")]
w = [Value(0.4, label="w1"), Value(0.7, label="w2"), Value(0.2, label="w3")]
z = autograd.dot(w, x, Value(0.1, label="b")); z.label = "z"
a = z.sigmoid(); a.label = "a"
a.backward()"""

CELLS = [NEURON, "viz.draw_dot(a)", "viz.draw_dot(a, expand=True)",
         "random.seed(1337)\nviz.draw_mlp(nn.MLP(2, [16, 16, 1]))",
         "viz.step_through(a, expand=True)"]  # fmt: skip

FITS = """(output) => {
  const area = output.getBoundingClientRect();
  const picture = output.querySelector('svg, iframe, img').getBoundingClientRect();
  return {area: [area.left, area.right], picture: [picture.left, picture.right, picture.width]};
}"""


@pytest.fixture(scope="module")
def notebook(jupyterlab, lab_browser):  # noqa: F811
    path = jupyterlab.write_notebook("pictures.ipynb", CELLS)
    page = jupyterlab.open(lab_browser, path, width=1400, height=900)
    jupyterlab.run_all(page)
    yield page
    page.close()


def outputs(page):
    cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
    return [cells.nth(k).locator(".jp-OutputArea-output").last for k in range(1, len(CELLS))]


@pytest.mark.parametrize("k", range(len(CELLS) - 1))
def test_every_picture_fits_the_output_area(notebook, k):
    output = outputs(notebook)[k]
    output.scroll_into_view_if_needed()
    seen = output.evaluate(FITS)
    left, right = seen["area"]
    assert seen["picture"][0] >= left - 1 and seen["picture"][1] <= right + 1, seen
    assert seen["picture"][2] > 300  # shrunk to fit, not to nothing


def test_the_graphs_output_node_is_visible_whole(notebook):
    output = outputs(notebook)[0]
    node = output.locator("svg g.node").filter(has_text="data 0.6660").first  # the output a
    box, area = node.bounding_box(), output.bounding_box()
    assert box["x"] + box["width"] <= area["x"] + area["width"] + 1


def test_the_step_throughs_frame_fits_its_page(notebook):
    output = outputs(notebook)[-1]
    frame = output.locator("iframe.chaingrad-stepper")
    output.scroll_into_view_if_needed()
    inner = frame.content_frame
    inner.locator("#counter").wait_for()
    notebook.wait_for_timeout(300)
    seen = inner.locator("html").evaluate("""e => ({inside: innerHeight, scroll: e.scrollHeight,
        content: document.body.getBoundingClientRect().bottom})""")
    assert seen["scroll"] <= seen["inside"] + 1, seen  # nothing hidden below: no scrollbar
    assert seen["inside"] <= seen["content"] + 40, seen  # and no tall blank under the graph
    svg = inner.locator("#graph svg").bounding_box()
    assert svg["x"] + svg["width"] <= frame.bounding_box()["x"] + frame.bounding_box()["width"]
    inner.locator("#next").click()
    assert inner.locator("#counter").text_content() == "step 1 of 5"
    if os.environ.get("VIZ_NOTEBOOK_SCREENSHOTS"):  # to look at it: a folder for the PNGs
        folder = os.environ["VIZ_NOTEBOOK_SCREENSHOTS"]
        for k, cell in enumerate(outputs(notebook)):
            cell.scroll_into_view_if_needed()
            notebook.screenshot(path=os.path.join(folder, f"notebook_{k}.png"))
