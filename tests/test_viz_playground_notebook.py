"""examples/playground.ipynb, executed in a real Jupyter kernel (nbclient + ipykernel): the
widget opens on the learner's own model, trains it, and shows as a widget."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the dev extra installs nbclient")
pytest.importorskip("anywidget", reason="the dev extra installs anywidget")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "playground.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_the_playground_notebook_runs_and_trains_the_learners_model(tmp_path, monkeypatch):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})  # fmt: skip
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    widgets = [o for o in outputs if WIDGET in o.get("data", {})]
    assert len(widgets) == 2  # the learner's playground and the exercise
    text = "".join(o.get("text", "") for o in outputs)
    before, after = text.split("train loss ")[1].split(",")[0].split(" -> ")
    assert "epoch 60:" in text and float(after) < float(before)
    first, reset = text.split("first weight now: ")[1].split("\n")[0], \
        text.split("after reset:      ")[1].split(" at epoch")[0]  # fmt: skip
    assert first != reset and "at epoch 0" in text
