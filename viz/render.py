"""Rendering DOT to files and notebooks, with or without a system Graphviz.

A system ``dot`` on PATH is used when there is one (it does every format).  Without it,
SVG comes from the embedded WebAssembly Graphviz (:mod:`viz.embedded`); PNG and PDF
need the system Graphviz and fail with :class:`GraphvizNotFoundError`, whose message
says how to install it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Literal

import graphviz

from autograd.files import write_atomic

from . import embedded

Backend = Literal["auto", "system", "embedded"]

FILE_FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_HINT = (
    "install Graphviz with `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `choco install graphviz` (Windows)"
)


class GraphvizNotFoundError(RuntimeError):
    """A format that only the system Graphviz can produce was asked for without it."""

    def __init__(self, fmt: str, what: str | None = None) -> None:
        alternative = "" if fmt == "svg" else "; SVG works without it"
        super().__init__(
            f"{what or fmt.upper() + ' output'} needs the Graphviz `dot` program, which is "
            f"not on PATH: {INSTALL_HINT}{alternative}"
        )
        self.format = fmt


def system_dot() -> str | None:
    """The path of the system Graphviz ``dot`` program, or None if it is not on PATH."""
    return shutil.which("dot")


def use_system_dot(fmt: str, backend: Backend = "auto") -> bool:
    """Whether ``fmt`` will be rendered by the system ``dot`` (True) or the embedded one.

    Raises GraphvizNotFoundError when ``fmt`` cannot be rendered at all (PNG or PDF
    without a system Graphviz), and ValueError for an unknown ``backend``.
    """
    if backend not in ("auto", "system", "embedded"):
        raise ValueError(f"backend must be 'auto', 'system' or 'embedded', not {backend!r}")
    if backend == "embedded" or (backend == "auto" and system_dot() is None):
        if fmt != "svg":
            raise GraphvizNotFoundError(fmt)
        return False
    if system_dot() is None:
        raise GraphvizNotFoundError(fmt)
    return True


def pipe_source(
    source: str, fmt: str = "svg", backend: Backend = "auto", engine: str = "dot"
) -> bytes:
    """DOT ``source`` laid out by ``engine`` and rendered to ``fmt`` bytes.

    ``fmt="dot"`` returns the source itself.
    """
    if fmt == "dot":
        return source.encode("utf-8")
    if use_system_dot(fmt, backend):
        return graphviz.pipe(engine, fmt, source.encode("utf-8"), quiet=True)
    return embedded.render(source, "svg", engine)


def responsive_html(svg: str) -> str:
    """An SVG document as HTML for a notebook's output: as wide as the output area at
    most (a wider picture shrinks to fit, keeping its proportions; never clipped)."""
    svg = svg[svg.index("<svg") :]
    svg = svg.replace("<svg", '<svg style="max-width: 100%; height: auto; display: block"', 1)
    return f'<div class="chaingrad-picture" style="max-width: 100%; overflow-x: auto">{svg}</div>'


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders SVG even without a system Graphviz.

    ``.source``, ``.node``, ``.edge``, ``.save`` ... behave as in ``graphviz``;
    ``pipe``, ``render`` and the notebook display fall back to the embedded renderer
    for SVG when ``dot`` is not on PATH.  In a notebook the SVG also comes as HTML that
    shrinks to the output area's width (:func:`responsive_html`), so a wide graph is
    never clipped.
    """

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:  # fmt: skip
        bundle = super()._repr_mimebundle_(include, exclude, **kwargs)
        svg = bundle.get("image/svg+xml")
        if svg is not None and "text/html" not in set(exclude or ()):
            bundle["text/html"] = responsive_html(svg)
        return bundle

    def pipe(  # type: ignore[override]
        self,
        format: str | None = None,
        *args: Any,
        encoding: str | None = None,
        **kwargs: Any,
    ) -> bytes | str:
        """The graph rendered to ``format`` (default ``self.format``) as bytes or text."""
        if system_dot() is not None:
            return super().pipe(format, *args, encoding=encoding, **kwargs)
        engine = kwargs.get("engine") or self.engine
        data = pipe_source(self.source, format or self.format, engine=engine)
        return data.decode(encoding) if encoding else data

    def render(  # type: ignore[override]
        self,
        filename: str | os.PathLike | None = None,
        directory: str | os.PathLike | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Save the source and render it, like ``graphviz.Digraph.render``.

        Without a system Graphviz only SVG can be rendered, and ``view`` is not
        supported; the path of the rendered file is returned.
        """
        options = dict(directory=directory, view=view, cleanup=cleanup, format=format)
        if system_dot() is not None:
            return super().render(filename, **options, **kwargs)
        outfile = kwargs.get("outfile")
        if outfile is not None:
            outfile = Path(outfile)
            if directory is None:
                outfile = Path(self.directory, outfile)
            if filename is None:  # as graphviz does: the source goes next to the output
                filename = outfile.with_suffix(".gv")
        fmt = format or (outfile.suffix[1:] if outfile is not None else self.format)
        if view:
            raise GraphvizNotFoundError(fmt, "opening a viewer (view=True)")
        data = pipe_source(self.source, fmt, engine=kwargs.get("engine") or self.engine)
        source_path = self.save(filename, directory=directory)
        target = outfile if outfile is not None else Path(f"{source_path}.{fmt}")
        write_atomic(target, data)
        if cleanup:
            os.remove(source_path)
        return os.fspath(target)


def format_of(path: str | os.PathLike) -> str:
    """The output format named by ``path``'s extension; ValueError for an unknown one."""
    fmt = Path(path).suffix[1:].lower()
    if fmt not in FILE_FORMATS:
        raise ValueError(
            f"cannot tell the format from the extension of {Path(path).name!r}: use one of "
            + ", ".join("." + f for f in FILE_FORMATS)
        )
    return fmt


def render(
    root_or_graph: Any,
    path: str | os.PathLike,
    *,
    backend: Backend = "auto",
    **draw_options: Any,
) -> Path:
    """Write a Value's graph (drawn with :func:`viz.draw_dot`) or a graph to ``path``.

    The format comes from the extension: ``.svg``, ``.png``, ``.pdf`` or ``.dot``.
    ``draw_options`` (``rankdir``, ``show_grad``, ``max_nodes``, ``params``, ``expand``)
    go to ``draw_dot`` when a Value is given.  A picture drawn without Graphviz (the
    network of :func:`viz.draw_mlp`: it has ``.svg``) is written as SVG only.  Returns
    the path written.
    """
    path = Path(path)
    fmt = format_of(path)
    if isinstance(getattr(root_or_graph, "svg", None), str):  # already drawn, as SVG
        if draw_options:
            raise TypeError("drawing options apply to a Value, not to an already drawn picture")
        if fmt != "svg":
            raise ValueError(f"{type(root_or_graph).__name__} is drawn as SVG: save it as "
                             f".svg, not .{fmt} (a browser or Inkscape turns SVG into PNG or "
                             "PDF)")  # fmt: skip
        write_atomic(path, root_or_graph.svg)
        return path
    if isinstance(root_or_graph, graphviz.Digraph):
        if draw_options:
            raise TypeError("drawing options apply to a Value, not to an already drawn graph")
        source = root_or_graph.source
    else:
        from .graph import draw_dot

        source = draw_dot(root_or_graph, **draw_options).source
    data = pipe_source(source, fmt, backend)
    write_atomic(path, data)
    return path
