"""The quickstart notebook, executed in a real Jupyter kernel (nbclient + ipykernel), and
what a person sees in it: SVG graphs and inline step-through pages."""

import html
import math
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the dev extra installs nbclient")
pytest.importorskip("ipykernel", reason="the dev extra installs ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "quickstart.ipynb"


def execute(notebook, folder):
    """Run every cell of ``notebook`` in a fresh kernel working in ``folder``."""
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:  # Jupyter's files go to the test's folder
        patch.setenv("JUPYTER_RUNTIME_DIR", str(folder / "runtime"))
        patch.setenv("IPYTHONDIR", str(folder / "ipython"))
        client.execute()
    return notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    return execute(nbformat.read(NOTEBOOK, as_version=4), folder), folder


def outputs(notebook, mime):
    """(cell source, data) of every displayed output of type ``mime``, in order."""
    return [("".join(cell.source), output["data"][mime])
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if mime in output.get("data", {})]  # fmt: skip


def printed(notebook):
    return "".join(output.get("text", "") for cell in notebook.cells
                   if cell.cell_type == "code" for output in cell.outputs)  # fmt: skip


def test_every_cell_runs_without_an_error(executed):
    notebook, _ = executed
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert errors == []


def test_graphs_display_as_svg(executed):
    notebook, _ = executed
    svgs = outputs(notebook, "image/svg+xml")
    assert [source.split("(")[0] for source, _ in svgs] == ["viz.draw_dot", "viz.draw_mlp"]
    for _, svg in svgs:
        assert "<svg" in svg and "</svg>" in svg


def test_the_steppers_display_inline_each_in_its_own_frame(executed):
    notebook, folder = executed
    pages = [data for _, data in outputs(notebook, "text/html") if "chaingrad-stepper" in data]
    assert len(pages) == 2
    for page in pages:
        assert page.startswith('<iframe class="chaingrad-stepper" srcdoc="')
        document = html.unescape(page.split('srcdoc="', 1)[1].split('"', 1)[0])
        assert "<svg" in document and 'id="mode-forward"' in document
        assert "http://" not in document.replace("http://www.w3.org/", "")  # offline
    saved = (folder / "neuron_step_through.html").read_text(encoding="utf-8")
    assert html.unescape(pages[0].split('srcdoc="', 1)[1].split('"', 1)[0]) == saved


def test_the_printed_numbers(executed):
    notebook, _ = executed
    text = printed(notebook)
    a = 1 / (1 + math.exp(-0.69))
    assert f"z = 0.69, a = {a:.4f}, da/dz = {a * (1 - a):.4f}" in text
    assert f"da/dw1 = {a * (1 - a) * 0.5:.4f}  (one forward pass)" in text
    partials = [round(a * (1 - a) * x, 4) for x in (0.5, 0.3, 0.9, 1.0)]
    assert f"reverse mode, 1 pass:  {partials}" in text
    assert f"forward mode, 4 passes: {partials}" in text
    accuracy = float(text.split("training accuracy ")[1].split("%")[0])
    assert accuracy >= 97
