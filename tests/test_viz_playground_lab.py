"""The Playground widget in a real JupyterLab, as a learner uses it: run the cell, click
Play (the epoch advances, the loss falls, and the kernel still answers another cell),
change the learning rate, click a neuron (its step-through appears)."""

import os
import re

import pytest

pytest.importorskip("anywidget", reason="the dev extra installs anywidget")

CELLS = [
    "import viz\npg = viz.Playground(hidden=(4, 4), lr=0.1)\npg",
    "print('kernel answers at epoch', pg.epoch, 'lr', pg.session.optimizer.lr)",
    "import nn\nX, y = nn.datasets.make_moons(60, noise=0.1, seed=0)\n"
    "own = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))\n"
    "viz.Playground(own, X, y, loss=nn.cross_entropy)",
]


def run_cell(page, cell, tries: int = 4) -> None:
    """Run ``cell`` as a learner does (click it, Shift+Enter) and wait until it has run; a
    kernel still connecting may drop the first request, so try again."""
    for _ in range(tries):
        count = cell.locator(".jp-InputPrompt").inner_text()
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(
                "([cell, before]) => cell.querySelector('.jp-InputPrompt').textContent !== before"
                " && /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt').textContent)",
                arg=[cell.element_handle(), count], timeout=15_000)  # fmt: skip
            return
        except Exception:  # noqa: BLE001 -- not run yet: try again
            continue
    raise AssertionError(f"the cell did not run in {tries} tries")


def losses(widget) -> tuple[float, float]:
    numbers = re.findall(r"\d+\.\d+", widget.locator(".cg-losses").text_content())
    return float(numbers[0]), float(numbers[1])


def test_the_widget_trains_live_in_jupyterlab(jupyterlab, lab_browser):  # noqa: F811
    path = jupyterlab.write_notebook("playground.ipynb", CELLS)
    page = jupyterlab.open(lab_browser, path, width=1400, height=900)
    first, second = page.locator(".jp-CodeCell").nth(0), page.locator(".jp-CodeCell").nth(1)
    run_cell(page, first)
    widget = page.locator(".cg-playground")
    widget.locator(".cg-neuron").first.wait_for(timeout=60_000)
    start = losses(widget)
    widget.locator(".cg-play").click()
    page.wait_for_function(
        "() => +document.querySelector('.cg-epoch').dataset.epoch >= 30", timeout=60_000)
    # the kernel answers another cell while the widget plays
    run_cell(page, second)
    printed = second.locator(".jp-OutputArea-output")
    printed.wait_for(timeout=30_000)
    text = printed.inner_text()
    assert "kernel answers at epoch" in text and int(text.split("epoch ")[1].split()[0]) > 0
    widget.locator(".cg-play").click()  # pause
    if os.environ.get("LAB_SCREENSHOT"):
        page.screenshot(path=os.environ["LAB_SCREENSHOT"])
    assert losses(widget)[0] < start[0]  # the training loss fell
    # the learning rate changes in the kernel
    widget.locator("select[name=lr]").select_option("0.3")
    run_cell(page, second)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".some(o => o.innerText.includes('lr 0.3'))", timeout=30_000)
    # a neuron opens its step-through
    widget.locator(".cg-neuron.cg-clickable").first.click()
    frame = widget.frame_locator(".cg-detail iframe")
    frame.locator("svg").first.wait_for(timeout=60_000)
    assert "reverse" in frame.locator("body").text_content()
    # the learner's own model and data: the controls they decide are not shown (their
    # values would describe another experiment), the others are
    run_cell(page, page.locator(".jp-CodeCell").nth(2))
    own = page.locator(".cg-playground").nth(1)
    own.locator(".cg-neuron").first.wait_for(timeout=60_000)
    for control in ("data", "problem", "noise", "activation", "features"):
        assert own.locator(f"[data-control={control}]").is_hidden(), control
    assert own.locator("[data-control=lr]").is_visible()
    page.close()
