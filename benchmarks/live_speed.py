"""How fast the live playground plays: ``python benchmarks/live_speed.py``.

Goals (issue 26):

* the default playground (2-[4, 4]-1 on 200 moons points, half of them for training,
  batch 10) trains >= 30 epochs a second with every picture made for every epoch: the
  decision boundary, every neuron's heat map, the weights and gradients and the loss
  curves, serialised as the server sends them;
* a 2-[8, 8, 8]-1 network on the spiral: >= 10 epochs a second, the same way;
* in the browser (headless Chromium on the served page), >= 10 frames drawn a second
  while it plays.

The first two run the playground's controller as the widget and the server do
(:class:`viz.playground.live.Controller`: one epoch, then one frame).  Exits 1 if a goal
is missed; the browser figure is skipped without Chromium and Playwright.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time

from common import verdict

from viz.playground.live import Controller
from viz.playground.session import Session
from viz.playground.state import Setup

GOAL_DEFAULT, GOAL_SPIRAL, GOAL_FPS = 30.0, 10.0, 10.0
BROWSER_SECONDS = 5.0


def epochs_per_second(setup: Setup, epochs: int) -> tuple[float, int]:
    """Epochs a second, each with its frame made and serialised; and a frame's size."""
    sizes = []
    controller = Controller(Session(setup), "en",
                            lambda changes: sizes.append(len(json.dumps(changes))))  # fmt: skip
    controller.step(3)  # warm up
    start = time.perf_counter()
    for _ in range(epochs):
        controller.step(1)
    return epochs / (time.perf_counter() - start), sizes[-1]


def browser_frames_per_second() -> tuple[float, float] | None:
    """(frames drawn a second, epochs a second) on the served page, or None."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    server = subprocess.Popen([sys.executable, "-m", "viz.playground", "--port", "0",
                               "--no-browser"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        url = re.search(r"http://\S+", server.stdout.readline()).group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=["--headless", "--no-sandbox"])  # fmt: skip
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            page.locator(".cg-neuron").first.wait_for()
            epoch = page.locator(".cg-epoch")
            page.click(".cg-play")
            page.wait_for_timeout(500)
            drawn0, epoch0 = (int(epoch.get_attribute(f"data-{k}")) for k in ("drawn", "epoch"))
            page.wait_for_timeout(BROWSER_SECONDS * 1000)
            drawn1, epoch1 = (int(epoch.get_attribute(f"data-{k}")) for k in ("drawn", "epoch"))
            page.click(".cg-play")
            browser.close()
        return (drawn1 - drawn0) / BROWSER_SECONDS, (epoch1 - epoch0) / BROWSER_SECONDS
    finally:
        server.terminate()
        server.communicate()


def main() -> int:
    default, size = epochs_per_second(Setup(), 150)
    spiral, _ = epochs_per_second(Setup(data="spiral", hidden=(8, 8, 8)), 60)
    ok = [default >= GOAL_DEFAULT, spiral >= GOAL_SPIRAL]
    print("live playground, every picture made for every epoch (one frame per epoch):")
    print(f"  default 2-[4, 4]-1, 200 moons, batch 10: {default:6.1f} epochs/s "
          f"(goal >= {GOAL_DEFAULT:.0f}: {verdict(ok[0])}); a frame is {size / 1e3:.1f} kB")
    print(f"  2-[8, 8, 8]-1 on the spiral:             {spiral:6.1f} epochs/s "
          f"(goal >= {GOAL_SPIRAL:.0f}: {verdict(ok[1])})")
    browser = browser_frames_per_second()
    if browser is None:
        print("  in the browser: skipped (needs Chromium and Playwright)")
    else:
        fps, rate = browser
        ok.append(fps >= GOAL_FPS)
        print(f"  in Chromium, the served page playing:    {fps:6.1f} frames/s drawn, "
              f"{rate:.1f} epochs/s (goal >= {GOAL_FPS:.0f} frames/s: {verdict(ok[-1])})")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
