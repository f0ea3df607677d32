"""``python -m viz.playground``: the served page in a real headless Chromium (it trains live,
its controls change the run, a neuron opens its step-through), and what it refuses: a
foreign Host header, a missing token, another site's socket."""

import http.client
import re
import signal
import subprocess
import sys
import urllib.parse

import pytest
from test_viz_stepper import browser  # noqa: F401  (the Chromium fixture)

pytest.importorskip("tornado", reason="chaingrad depends on tornado")


@pytest.fixture(scope="module")
def served():
    """The playground served on a free port, in Portuguese; (address, process)."""
    process = subprocess.Popen(
        [sys.executable, "-X", "dev", "-m", "viz.playground", "--port", "0", "--no-browser",
         "--lang", "pt-BR"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/\S+", line)
    if match is None:
        process.kill()
        pytest.fail(f"no address printed: {line!r} {process.stderr.read()}")
    yield match.group(0), process
    if process.poll() is None:
        process.kill()
    process.communicate()


def request(url: str, path: str, headers: dict[str, str] | None = None) -> int:
    """The status of GET ``path`` on the server of ``url``."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_address_is_local_with_a_token_and_the_setup(served):
    url, _ = served
    assert url.startswith("http://127.0.0.1:") and "?token=" in url and "#data=moons" in url


def test_a_foreign_host_or_a_missing_token_is_refused(served):
    url, _ = served
    parts = urllib.parse.urlsplit(url)
    good = f"/?{parts.query}"
    assert request(url, good) == 200
    assert request(url, good, {"Host": f"evil.example:{parts.port}"}) == 403  # DNS rebinding
    assert request(url, "/") == 403  # no token
    assert request(url, "/?token=wrong") == 403
    socket_path = f"/socket?{parts.query}"
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    assert request(url, socket_path, upgrade) == 101
    assert request(url, "/socket", upgrade) == 403  # no token: no state changes
    assert request(url, socket_path, {**upgrade, "Origin": "http://evil.example"}) == 403


def test_play_trains_live_and_the_controls_change_the_run(served, browser):  # noqa: F811
    url, _ = served
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(url)
    page.locator(".cg-neuron").first.wait_for()
    assert page.locator(".cg-play").text_content().endswith("treinar")  # pt-BR
    epoch = page.locator(".cg-epoch")
    start = int(epoch.get_attribute("data-epoch"))
    first = page.locator(".cg-boundary").screenshot()
    page.click(".cg-play")
    page.wait_for_function("() => +document.querySelector('.cg-epoch').dataset.epoch >= 40")
    page.click(".cg-play")
    later = int(epoch.get_attribute("data-epoch"))
    assert later > start
    assert page.locator(".cg-boundary").screenshot() != first  # the boundary moved
    losses = page.locator(".cg-losses").text_content()
    assert "perda de treino" in losses
    # the whole page fits the window: no scrolling
    assert page.evaluate("document.documentElement.scrollHeight") <= 900
    # a control changes the run: the setup travels in the address
    page.select_option("select[name=lr]", "0.3")
    page.wait_for_function("() => location.hash.includes('lr=0.3')")
    page.select_option("select[name=data]", "spiral")
    page.wait_for_function("() => location.hash.includes('data=spiral')")
    page.wait_for_function("() => document.querySelector('.cg-epoch').dataset.epoch === '0'")
    page.click(".cg-add-layer")
    page.wait_for_function("() => location.hash.includes('hidden=4,4,4')")
    assert page.locator(".cg-neuron").count() == 2 + 4 + 4 + 4 + 1
    # hovering a weight shows its value and gradient
    page.locator(".cg-hit").first.hover(force=True)
    assert re.search(r"w = -?\d", page.locator(".cg-tip").text_content())
    # the edges coloured by |dL/dw| instead: the gradient flow
    by_weight = page.locator(".cg-edge").first.get_attribute("stroke")
    page.check(".cg-by-gradient")
    assert page.locator(".cg-edge").first.get_attribute("stroke") != by_weight
    assert "∂L/∂w" in page.locator(".cg-net-legend").text_content()
    page.uncheck(".cg-by-gradient")
    # a neuron opens the step-through of one sample's backward pass
    page.locator(".cg-neuron.cg-clickable").first.click()
    frame = page.frame_locator(".cg-detail iframe")
    frame.locator("svg").first.wait_for(timeout=30_000)
    assert "reverse" in frame.locator("body").text_content()
    # in the 1400 x 900 window the step's node is on screen, its labels at least 10 px
    inner = page.locator(".cg-detail iframe").element_handle().content_frame()
    inner.wait_for_function("""() => {  // the graph follows the step once laid out
        const node = document.querySelector('#graph g.current');
        const r = node && node.getBoundingClientRect();
        return r && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight;
    }""", timeout=5_000)  # fmt: skip
    shown = page.locator(".cg-detail iframe").bounding_box()
    current = frame.locator("#graph g.current").first.bounding_box()
    assert shown["y"] <= current["y"] and current["y"] + current["height"] <= min(
        shown["y"] + shown["height"], 900)  # fmt: skip
    assert shown["x"] <= current["x"] and current["x"] + current["width"] <= shown["x"] + shown[
        "width"]  # fmt: skip
    assert frame.locator("#graph text").first.bounding_box()["height"] >= 9.9
    page.click(".cg-close")
    assert page.locator(".cg-detail").is_hidden()
    host = urllib.parse.urlsplit(url).netloc
    assert [r for r in requests if urllib.parse.urlsplit(r).netloc != host
            and not r.startswith(("about:", "data:"))] == []  # fmt: skip
    assert errors == []
    page.close()


def test_a_shared_link_opens_the_same_setup(served, browser):  # noqa: F811
    url, _ = served
    link = url.split("#")[0] + "#data=xor&hidden=2&seed=5&hide=seed,noise"
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(link)
    page.wait_for_function("() => location.hash.includes('data=xor&problem=classification')")
    page.locator(".cg-neuron").nth(3).wait_for()
    assert page.locator(".cg-neuron").count() == 2 + 2 + 1
    assert page.locator("[data-control=seed]").is_hidden()
    assert page.locator("[data-control=noise]").is_hidden()
    assert page.locator("[data-control=lr]").is_visible()
    page.close()


def test_ctrl_c_stops_it_cleanly(served):
    _, process = served
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "stopped" in out
    assert "Traceback" not in err
