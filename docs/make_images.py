"""Make the README's PNG screenshots: ``python docs/make_images.py`` (needs Chromium).

- ``docs/images/gradient_flow.png``: ``examples/vanishing_gradients.py``'s picture, the
  gradients of the same 8-layer network with sigmoid and with ReLU after one backward pass;
- ``docs/images/playground.png``: the moons demo's training playground
  (``examples/demo.py``'s ``out/playground.html``) at its last epoch.

Pages are opened in headless Chromium (``$CHROMIUM``, or ``chromium`` on PATH) through
playwright, as the browser tests do, and screenshotted; nothing is drawn by hand.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def screenshot(page_path: Path, png: Path, width: int, keys: tuple[str, ...] = ()) -> Path:
    """A full-page PNG of ``page_path`` in headless Chromium after pressing ``keys``."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        sys.exit("Chromium is needed: `sudo apt-get install chromium` (or set CHROMIUM=...)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 100})  # grows to the page
        page.goto(page_path.as_uri())
        for key in keys:
            page.keyboard.press(key)
        page.screenshot(path=str(png), full_page=True)
        browser.close()
    return png


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
        print(screenshot(out / "playground.html", IMAGES / "playground.png", 1100, ("End",)))


if __name__ == "__main__":
    main()
