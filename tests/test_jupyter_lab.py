"""The JupyterLab fixture itself: a notebook opens in a real JupyterLab and its cells run
in this environment's kernel, where chaingrad imports (other tests build on it)."""

from jupyter_lab import jupyterlab, lab_browser  # noqa: F401 -- fixtures


def test_a_notebook_runs_in_real_jupyterlab(jupyterlab, lab_browser):  # noqa: F811
    path = jupyterlab.write_notebook("smoke.ipynb", [
        "import autograd\nx = autograd.Value(3.0)\ny = x * x\ny.backward()\nprint('grad', x.grad)",
    ])  # fmt: skip
    page = jupyterlab.open(lab_browser, path)
    jupyterlab.run_all(page)
    assert "grad 6.0" in page.locator(".jp-OutputArea-output").first.inner_text()
    page.close()
