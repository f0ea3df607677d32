"""Make the README's PNG screenshots: ``python docs/make_images.py`` (needs Chromium).

- ``docs/images/gradient_flow.png``: ``examples/vanishing_gradients.py``'s picture, the
  gradients of the same 8-layer network with sigmoid and with ReLU after one backward pass;
- ``docs/images/playground.png``: the moons demo's training playground
  (``examples/demo.py``'s ``out/playground.html``) at its last epoch, at 1400 x 900;
- ``docs/images/live_playground.png``: ``python -m viz.playground`` after a few seconds of
  play on the spiral, at 1400 x 900.

Pages are opened in headless Chromium (``$CHROMIUM``, or ``chromium`` on PATH) through
playwright, as the browser tests do, and screenshotted; nothing is drawn by hand.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def screenshot(page_path: Path | str, png: Path, width: int, keys: tuple[str, ...] = (),
               height: int = 100, play_seconds: float = 0.0) -> Path:  # fmt: skip
    """A full-page PNG of ``page_path`` (a file, or an address) in headless Chromium after
    pressing ``keys`` (and playing a live playground for ``play_seconds``)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        sys.exit("Chromium is needed: `sudo apt-get install chromium` (or set CHROMIUM=...)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})  # grows to the page
        page.goto(page_path if isinstance(page_path, str) else page_path.as_uri())
        for key in keys:
            page.keyboard.press(key)
        if play_seconds:
            page.locator(".cg-neuron").first.wait_for()
            page.click(".cg-play")
            page.wait_for_timeout(play_seconds * 1000)
            page.click(".cg-play")
        page.wait_for_timeout(300)  # the last frame drawn
        page.screenshot(path=str(png), full_page=True)
        browser.close()
    return png


def live_screenshot(png: Path) -> Path:
    """The served live playground on the spiral, after a few seconds of play."""
    server = subprocess.Popen([sys.executable, "-m", "viz.playground", "--port", "0",
                               "--no-browser"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        address = server.stdout.readline().split()[-1].split("#")[0]
        setup = "#data=spiral&hidden=8,8&features=x1,x2,sin_x1,sin_x2&lr=0.1&noise=0.05"
        return screenshot(address + setup, png, 1400, height=900, play_seconds=6)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)


def main() -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    import demo
    import vanishing_gradients

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        svg = vanishing_gradients.main(out=folder)["path"]
        wrapper = out / "gradient_flow.html"
        wrapper.write_text(f'<body style="margin:0"><img src="{svg.name}" style="width:1600px">',
                           encoding="utf-8")
        print(screenshot(wrapper, IMAGES / "gradient_flow.png", 1600))
        demo.main(out=folder)
        print(screenshot(out / "playground.html", IMAGES / "playground.png", 1400, ("End",),
                         height=900))  # fmt: skip
    print(live_screenshot(IMAGES / "live_playground.png"))


if __name__ == "__main__":
    main()
