"""A real JupyterLab for tests that check what a learner sees in a notebook.

The ``jupyterlab`` fixture starts ``jupyter lab`` from this environment on a free local
port, with a token, its own folders (settings, runtime, workspaces: nothing of the
user's is read or written) and its notebooks folder in a temporary directory; it stops
the server at the end of the session.  The ``lab_browser`` fixture is a headless
Chromium for it (one per test module: Playwright runs one at a time).  A test writes a
notebook into ``jupyterlab.root``, opens it in a page and runs every cell as a learner
would (the Run menu)::

    def test_something(jupyterlab, lab_browser):
        path = jupyterlab.write_notebook("demo.ipynb", ["import viz", "viz.draw_dot(a)"])
        page = jupyterlab.open(lab_browser, path, width=1400, height=900)
        jupyterlab.run_all(page)
        output = page.locator(".jp-OutputArea-output").last

Use: ``from jupyter_lab import jupyterlab, lab_browser  # noqa: F401 -- fixtures``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_viz_stepper import CHROMIUM_ARGS, chromium_path

STARTUP_SECONDS = 90
# JupyterLab's news and update checks would ask to fetch from the network: off.
DISABLED = {"@jupyterlab/apputils-extension:announcements": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _notebook(cells: list[str]) -> dict:
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": source} for source in cells],  # fmt: skip
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},  # fmt: skip
        "nbformat": 4,
        "nbformat_minor": 5,
    }


class JupyterLab:
    """A running JupyterLab server: its address, token and notebooks folder."""

    def __init__(self, folder: Path) -> None:
        self.root = folder / "notebooks"
        self.root.mkdir()
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        config = folder / "config"
        (config / "labconfig").mkdir(parents=True)
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": DISABLED}))
        tracker = folder / "settings" / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)  # start the notebook's kernel without asking which
        (tracker / "tracker.jupyterlab-settings").write_text(
            json.dumps({"autoStartDefaultKernel": True}))
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
               "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
               "IPYTHONDIR": str(folder / "ipython"), "JUPYTER_PLATFORM_DIRS": "1"}
        self.log = open(folder / "jupyterlab.log", "wb")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", "--ServerApp.port_retries=0",
             f"--LabApp.user_settings_dir={folder / 'settings'}",
             f"--LabApp.workspaces_dir={folder / 'workspaces'}",
             "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--allow-root"],  # CI runs as root
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.root)  # fmt: skip
        self._wait_until_up(folder / "jupyterlab.log")

    def _wait_until_up(self, log: Path) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.close()
                raise RuntimeError(f"JupyterLab exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}",
                                            timeout=2):  # fmt: skip
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not start in {STARTUP_SECONDS} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def write_notebook(self, name: str, cells: list[str]) -> Path:
        """A notebook of code ``cells`` (their sources) in the server's folder."""
        path = self.root / name
        path.write_text(json.dumps(_notebook(cells)), encoding="utf-8")
        return path

    def open(self, browser, path: Path, width: int = 1400, height: int = 900):
        """A new page (``width`` × ``height``) showing the notebook ``path``, its kernel
        started and idle."""
        relative = path.relative_to(self.root).as_posix()
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{self.url}/lab/tree/{relative}?token={self.token}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
        self._ensure_kernel(page)
        self._wait_idle(page)
        return page

    def _ensure_kernel(self, page) -> None:
        """Make sure the notebook has its Python kernel: now and then JupyterLab opens it
        with "No Kernel" (its list of kernels not loaded yet); then choose it by hand,
        as a learner would (click the kernel's name, pick Python 3)."""
        name = page.locator(".jp-NotebookPanel .jp-KernelName").first
        for _ in range(50):
            if "Python" in name.inner_text():
                return
            page.wait_for_timeout(100)
        name.click()
        dialog = page.locator("dialog.jp-Dialog")
        dialog.locator("select").select_option(label="Python 3 (ipykernel)")
        dialog.get_by_role("button", name="Select").click()
        page.wait_for_function(
            "() => /Python/.test(document.querySelector('.jp-NotebookPanel .jp-KernelName')"
            ".textContent)", timeout=60_000)  # fmt: skip

    def _wait_idle(self, page, timeout: float = 120_000) -> None:
        page.wait_for_function(
            """() => {
                const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
                return status && status.getAttribute('data-status') === 'idle';
            }""",
            timeout=timeout,
        )

    def run_all(self, page, timeout: float = 180_000) -> None:
        """Run every cell (Run menu → Run All Cells) and wait until all have run.  The
        menu is tried again if no cell started: right after the page opens, JupyterLab
        may still be connecting the kernel and ignore the first request."""
        for _ in range(5):
            page.locator(".jp-NotebookPanel").first.click(position={"x": 5, "y": 5})
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                page.wait_for_function(f"() => {_PROMPTS}.some(p => !/\\[ \\]/.test(p))",
                                       timeout=10_000)  # fmt: skip
                break
            except Exception:  # playwright's TimeoutError: no cell started, try again
                continue
        page.wait_for_function(
            f"() => {_PROMPTS}.every(p => /\\[\\d+\\]/.test(p))", timeout=timeout)
        self._wait_idle(page, timeout)


# The text of every code cell's prompt: "[ ]:" not run, "[*]:" running, "[3]:" done.
_PROMPTS = ("[...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]"
            ".map(p => p.textContent)")


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="the dev extra installs jupyterlab")
    server = JupyterLab(tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")  # one Playwright at a time: other modules start their own
def lab_browser():
    executable = chromium_path()
    if executable is None and os.environ.get("CI") == "true":
        pytest.fail("CI must run the JupyterLab tests: .ci/run installs Chromium")
    if executable is None:
        pytest.skip("Chromium is not installed: `sudo apt-get install chromium`")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the dev extra has playwright")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
