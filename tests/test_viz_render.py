"""viz.render / viz.Diagram: files and notebook display, with and without a system Graphviz."""

import shutil
import time

import pytest
from test_viz_graph import svg_texts

from autograd import Value
from autograd import functions as F
from viz import Diagram, GraphvizNotFoundError, draw_dot, embedded, render
from viz.embedded import EmbeddedRenderError

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="system Graphviz not installed (apt-get install graphviz)"
)


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """Hide any system ``dot`` by pointing PATH at an empty directory."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


def values(n: int) -> Value:
    """A sum of ``n - 1`` labelled leaves: exactly ``n`` Values."""
    out = F.sum([Value(i / 10, label=f"x{i}") for i in range(n - 1)])
    out.backward()
    return out


def test_svg_without_system_graphviz(no_system_dot, tmp_path):
    out = F.tanh(Value(0.5, label="x") * Value(-1.5, label="w"))
    out.backward()
    path = render(out, tmp_path / "graph.svg")
    texts = svg_texts(path.read_bytes())
    assert "tanh" in texts and "x" in texts and f"grad {out.inputs[0].inputs[0].grad:.4f}" in texts
    assert embedded.is_compiled()


def test_notebook_display_without_system_graphviz(no_system_dot, tmp_path):
    graph = draw_dot(values(5))
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml", "text/html"]  # the HTML shrinks to the output
    assert bundle["text/html"].startswith('<div class="chaingrad-picture"')
    assert 'style="max-width: 100%; height: auto' in bundle["text/html"] and ">x3</text>" in \
        bundle["text/html"]  # fmt: skip
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml") and ">x3</text>" in bundle[
        "image/svg+xml"
    ]
    assert graph.pipe(format="svg").startswith(b"<?xml")
    written = graph.render(outfile=tmp_path / "nb.svg")
    assert written.endswith("nb.svg") and (tmp_path / "nb.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "nb.gv").read_text() == graph.source
    written = graph.render(tmp_path / "plain", format="svg", cleanup=True)
    assert written.endswith("plain.svg") and not (tmp_path / "plain").exists()


@pytest.mark.parametrize("suffix", ["png", "pdf"])
def test_png_and_pdf_without_system_graphviz_say_how_to_install_it(no_system_dot, tmp_path,
                                                                   suffix):  # fmt: skip
    out = values(3)
    with pytest.raises(GraphvizNotFoundError) as error:
        render(out, tmp_path / f"graph.{suffix}")
    message = str(error.value)
    for command in ("apt-get install graphviz", "brew install graphviz",
                    "choco install graphviz"):  # fmt: skip
        assert command in message
    assert suffix.upper() in message and "\n" not in message
    assert not (tmp_path / f"graph.{suffix}").exists()
    with pytest.raises(GraphvizNotFoundError):
        draw_dot(out).pipe(format=suffix)


@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                               ("svg", b"<?xml")])  # fmt: skip
def test_system_graphviz_formats(tmp_path, suffix, magic):
    path = render(values(4), tmp_path / f"graph.{suffix}", rankdir="TB")
    assert path.read_bytes().startswith(magic)


@needs_dot
def test_diagram_uses_system_graphviz_when_present(tmp_path):
    graph = draw_dot(values(3))
    assert graph.pipe(format="png").startswith(b"\x89PNG")
    assert "image/svg+xml" in graph._repr_mimebundle_()


def test_embedded_fallback_honours_the_layout_engine(no_system_dot):
    graph = draw_dot(values(4))
    dot_svg = graph.pipe(format="svg")
    graph.engine = "neato"
    assert graph.pipe(format="svg") != dot_svg
    assert graph.pipe(format="svg", engine="dot") == dot_svg


def test_embedded_backend_can_be_forced(tmp_path):
    path = render(values(3), tmp_path / "forced.svg", backend="embedded")
    assert "x1" in path.read_text()
    with pytest.raises(ValueError, match="backend"):
        render(values(3), tmp_path / "bad.svg", backend="magic")


def test_dot_files_hold_the_source_and_unknown_extensions_are_refused(tmp_path):
    graph = draw_dot(values(3))
    assert render(graph, tmp_path / "g.dot").read_text() == graph.source
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        render(graph, tmp_path / "g.jpeg")
    with pytest.raises(TypeError, match="drawing options"):
        render(graph, tmp_path / "g.svg", rankdir="TB")


def test_embedded_errors_are_reported_and_do_not_break_the_next_render():
    with pytest.raises(EmbeddedRenderError, match="parse"):
        embedded.render("digraph { a -> ")
    assert b"</svg>" in embedded.render("digraph { a -> b }")


def test_notebook_display_of_100_nodes_is_fast_after_the_first(no_system_dot):
    draw_dot(values(10))._repr_mimebundle_()  # the first display may compile the renderer
    graph = draw_dot(values(100))
    start = time.perf_counter()
    svg = graph._repr_mimebundle_()["image/svg+xml"]
    elapsed = time.perf_counter() - start
    assert ">x98</text>" in svg
    assert elapsed < 1.0, f"100-node display took {elapsed:.2f} s"


def test_diagram_is_a_graphviz_digraph():
    import graphviz

    graph = draw_dot(values(3))
    assert isinstance(graph, Diagram) and isinstance(graph, graphviz.Digraph)
    assert graph.source.startswith("digraph chaingrad {")
