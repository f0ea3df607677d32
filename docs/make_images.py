"""Make the README's PNG screenshots: ``python docs/make_images.py [NAME ...]`` (needs Chromium).

- ``docs/images/network.png``: the moons demo's trained network (``examples/demo.py``'s
  ``out/mlp.svg``): weights by colour and width, each neuron's bias, the legend;
- ``docs/images/network_activations.png``: the same network with each neuron's output
  over the plane as a heat map in it (``out/mlp_activations.svg``);
- ``docs/images/neuron_step.png``: the README neuron's step-through page, stepped product
  by product (``expand=True``), at its first step: the sigmoid's rule with the numbers;
- ``docs/images/gradient_flow.png``: ``examples/vanishing_gradients.py``'s picture, the
  gradients of the same 8-layer network with sigmoid and with ReLU after one backward pass;
- ``docs/images/playground.png``: the moons demo's training playground
  (``examples/demo.py``'s ``out/playground.html``) at its last epoch, at 1400 x 900;
- ``docs/images/live_playground.png``: ``python -m viz.playground`` after a few seconds of
  play on the spiral, at 1400 x 900;
- ``docs/images/worksheet.png``: the first printed page (A4, as Chromium prints it to PDF)
  of a level-2 worksheet in Portuguese, read back by poppler's ``pdftoppm``.

Without NAMEs every image is made; with them, only those (``network``, ``neuron_step``,
...).  To add one, add a function to ``IMAGES``: it gets the temporary folder the
examples wrote into and returns the PNGs it made.  Pages are opened in headless Chromium
(``$CHROMIUM``, or ``chromium`` on PATH) through playwright, as the browser tests do, and
screenshotted; nothing is drawn by hand.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES_DIR = ROOT / "docs" / "images"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def screenshot(page_path: Path | str, png: Path, width: int, keys: tuple[str, ...] = (),
               height: int | None = None, play_seconds: float = 0.0) -> Path:  # fmt: skip
    """A PNG of ``page_path`` (a file, or an address) in headless Chromium after pressing
    ``keys`` (and playing a live playground for ``play_seconds``): the whole page, or the
    first ``height`` px of it."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        sys.exit("Chromium is needed: `sudo apt-get install chromium` (or set CHROMIUM=...)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height or 100})
        page.goto(page_path if isinstance(page_path, str) else page_path.as_uri())
        for key in keys:
            page.keyboard.press(key)
        if play_seconds:
            page.locator(".cg-neuron").first.wait_for()
            page.click(".cg-play")
            page.wait_for_timeout(play_seconds * 1000)
            page.click(".cg-play")
            page.wait_for_timeout(300)  # the last frame drawn
        page.screenshot(path=str(png), full_page=height is None)
        browser.close()
    return _compact(png)


def _compact(png: Path) -> Path:
    """The PNG in 256 colours (a third of the bytes, no visible change), if Pillow is
    installed (it comes with matplotlib)."""
    try:
        from PIL import Image
    except ImportError:
        return png
    with Image.open(png) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=0)
    small.save(png, optimize=True)
    return png


def picture(svg: Path, png: Path, width: int) -> Path:
    """A PNG of an SVG picture ``width`` px wide."""
    wrapper = svg.with_suffix(".html")
    wrapper.write_text(f'<body style="margin:0"><img src="{svg.name}" style="width:{width}px">',
                       encoding="utf-8")
    return screenshot(wrapper, png, width)


def _demo(out: Path) -> None:
    """examples/demo.py's pictures, written once into ``out``."""
    if not (out / "mlp.svg").exists():
        import demo

        demo.main(out=str(out))


def network(out: Path) -> list[Path]:
    _demo(out)
    return [picture(out / "mlp.svg", IMAGES_DIR / "network.png", 1600),
            picture(out / "mlp_activations.svg", IMAGES_DIR / "network_activations.png", 1600)]


def neuron_step(out: Path) -> list[Path]:
    from neuron import neuron  # the README's neuron, as examples/neuron.py builds it

    import viz

    page = viz.backprop_html(neuron()["a"], out / "neuron_step.html", expand=True)
    return [screenshot(page, IMAGES_DIR / "neuron_step.png", 1400, ("ArrowRight",), 900)]


def gradient_flow(out: Path) -> list[Path]:
    import vanishing_gradients

    svg = vanishing_gradients.main(out=str(out))["path"]
    return [picture(svg, IMAGES_DIR / "gradient_flow.png", 1600)]


def playground(out: Path) -> list[Path]:
    _demo(out)
    return [screenshot(out / "playground.html", IMAGES_DIR / "playground.png", 1400, ("End",),
                       900)]  # fmt: skip


def live_playground(out: Path) -> list[Path]:
    """The served live playground on the spiral, after a few seconds of play."""
    server = subprocess.Popen([sys.executable, "-m", "viz.playground", "--port", "0",
                               "--no-browser"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        address = server.stdout.readline().split()[-1].split("#")[0]
        setup = "#data=spiral&hidden=8,8&features=x1,x2,sin_x1,sin_x2&lr=0.1&noise=0.05"
        return [screenshot(address + setup, IMAGES_DIR / "live_playground.png", 1400, (), 900,
                           play_seconds=6)]  # fmt: skip
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)


def worksheet(out: Path) -> list[Path]:
    """A student's level-2 sheet in Portuguese, printed to PDF; its first page as PNG."""
    from playwright.sync_api import sync_playwright

    roster = out / "roster.txt"
    roster.write_text("nome\nAna Souza\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "viz.worksheet", "--students", str(roster),
                    "--level", "2", "--seed", "2026", "--lang", "pt-BR", "-o",
                    str(out / "sheets")], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page()
        page.goto((out / "sheets" / "01-ana-souza.html").as_uri())
        page.pdf(path=str(out / "sheet.pdf"), prefer_css_page_size=True, print_background=True)
        browser.close()
    png = IMAGES_DIR / "worksheet.png"
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile",
                    str(out / "sheet.pdf"), str(png.with_suffix(""))], check=True)  # fmt: skip
    return [_compact(png)]


IMAGES: dict[str, Callable[[Path], list[Path]]] = {
    "network": network,
    "neuron_step": neuron_step,
    "gradient_flow": gradient_flow,
    "playground": playground,
    "live_playground": live_playground,
    "worksheet": worksheet,
}


def main(names: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "examples"))
    unknown = sorted(set(names) - set(IMAGES))
    if unknown:
        sys.exit(f"unknown image(s) {', '.join(unknown)}; known: {', '.join(IMAGES)}")
    IMAGES_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name in names or list(IMAGES):
            for png in IMAGES[name](Path(folder)):
                print(png)


if __name__ == "__main__":
    main(sys.argv[1:])
