"""Tracing: run a one-sample function once and keep the graph it builds.

``trace(fn, example_inputs)`` calls ``fn`` on fresh input leaves and returns the graph
of Values it recorded (see :mod:`autograd.compile`, which replays it over a batch).
A traced graph is only valid for every sample if ``fn`` never looks at the *value* of
its inputs from Python: ``if x > 0:``, ``if x:``, ``float(x)``, ``x.data`` or ``x.detach()``
on a node that depends on an input would bake the example's branch into the graph.

To detect that without touching the engine's hot path, every node built while tracing
is a :class:`_TraceNode` -- a Value subclass whose comparisons, ``bool()``, ``float()``,
``detach()`` and ``.data`` check who is asking.  The engine itself (record, backward)
reads ``.data`` freely; any other code reading the value of a node whose ancestry
contains a traced input raises :class:`TraceError` naming the file and line.  After
tracing, the nodes are turned back into plain Values.

Randomness that must be fresh for every sample (a dropout mask) is not frozen: while
tracing, :func:`random_input` makes one more input leaf whose column is drawn at every
replay -- ``transform(u)`` for a uniform ``u = draw()`` -- one ``draw()`` per sample and
per random input, samples in order, a sample's inputs in the order they were made:
exactly the calls the one-sample code makes when it runs sample after sample.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import backprop, block_sums, fast_backward, partials, search, value
from .modes import is_grad_enabled
from .value import Value, lift

__all__ = ["RandomSource", "Trace", "TraceError", "random_input", "trace", "tracing"]


class TraceError(TypeError):
    """``fn`` cannot be compiled: it reads traced values from Python, or uses an op
    that has no array form."""


_DATA = Value.__dict__["data"]  # the slot that stores a Value's float
# code in these modules may read .data: it is the engine
_ENGINE_GLOBALS = tuple(vars(module) for module in (value, backprop, fast_backward, partials,
                                                    search, block_sums))  # fmt: skip
_lock = threading.Lock()  # one trace at a time: tracing swaps the engine's node factory


class _Tracer:
    """The state of one trace: its input leaves, its thread, and which nodes depend on them."""

    def __init__(self, inputs: list[Value], fn_name: str) -> None:
        self.inputs = inputs
        self.fn_name = fn_name
        self.thread = threading.get_ident()
        self.tainted: set[Value] = set(inputs)
        self.clean: set[Value] = set()
        self.random: list[tuple[Value, RandomSource]] = []

    def depends_on_input(self, node: Any) -> bool:
        """True if a traced input is among ``node``'s ancestors (or is ``node``)."""
        if not isinstance(node, Value):
            return False
        seen, stack = {node}, [node]
        while stack:
            current = stack.pop()
            if current in self.tainted:
                self.tainted.add(node)
                return True
            for parent in current.inputs:
                if parent not in seen and parent not in self.clean:
                    seen.add(parent)
                    stack.append(parent)
        self.clean |= seen  # none of them reaches an input: remember it
        return False

    def check(self, what: str, *nodes: Any) -> None:
        """Raise TraceError if any of ``nodes`` depends on a traced input."""
        if threading.get_ident() != self.thread:
            return
        if any(self.depends_on_input(node) for node in nodes):
            frame = sys._getframe(2)  # 0: check, 1: the _TraceNode method, 2: the caller
            raise TraceError(
                f"compile: {self.fn_name} uses {what} of a value computed from its inputs "
                f"({frame.f_code.co_filename}:{frame.f_lineno}).  A compiled function is "
                "traced once, so Python code may not depend on input values (no `if x > 0:`, "
                "float(x), x.data or x.detach()); use ops instead, e.g. relu, max, abs."
            )


_ACTIVE: _Tracer | None = None


def tracing() -> bool:
    """True while this thread is tracing a function for :func:`autograd.compile`
    (for code that must not be frozen into the graph, such as random dropout masks)."""
    return _ACTIVE is not None and _ACTIVE.thread == threading.get_ident()


@dataclass(frozen=True)
class RandomSource:
    """How a random input's column is made at replay: ``transform(u)``, u = ``draw()``
    (``draw`` is e.g. ``random.random``; ``transform`` maps an array of uniforms)."""

    draw: Callable[[], float]
    transform: Callable[[Any], Any]


def random_input(draw: Callable[[], float], transform: Callable[[Any], Any],
                 label: str = "") -> Value:  # fmt: skip
    """While tracing: a new input leaf holding ``transform(u)``, ``u = draw()`` drawn afresh
    for every sample at every replay (see the module docstring for the order).

    ``transform`` must work on a numpy array of uniforms in [0, 1); the traced example
    value is ``transform(1.0)`` -- nothing is drawn while tracing.
    """
    if not tracing():
        raise RuntimeError("random_input: only while tracing a function for autograd.compile")
    assert _ACTIVE is not None
    example = float(np.asarray(transform(np.ones(1)), dtype=float)[0])
    node = _TraceNode(example, label=label or f"r{len(_ACTIVE.random)}")
    _ACTIVE.tainted.add(node)
    _ACTIVE.random.append((node, RandomSource(draw, transform)))
    return node


def _guarded(name: str, what: str) -> Callable[..., Any]:
    """A Value method that first checks its operands against the active trace."""
    method = getattr(Value, name)

    def guarded(self: Value, *args: Any) -> Any:
        if _ACTIVE is not None:
            _ACTIVE.check(what, self, *args)
        return method(self, *args)

    guarded.__name__ = name
    guarded.__doc__ = method.__doc__
    return guarded


def _read_data(self: Value) -> float:
    """``node.data``: free for the engine, checked for everyone else."""
    if _ACTIVE is not None and sys._getframe(1).f_globals not in _ENGINE_GLOBALS:
        _ACTIVE.check("the .data", self)
    return _DATA.__get__(self, Value)


class _TraceNode(Value):
    """A Value made while tracing; same layout as Value, so it can turn back into one."""

    __slots__ = ()
    data = property(_read_data, _DATA.__set__, doc="The node's float (checked while tracing).")


for _name, _what in [("__lt__", "a comparison (<)"), ("__le__", "a comparison (<=)"),
                     ("__gt__", "a comparison (>)"), ("__ge__", "a comparison (>=)"),
                     ("__float__", "float()"), ("__bool__", "truthiness (bool(), if, while)"),
                     ("detach", "detach()"), ("item", "item()")]:  # fmt: skip
    setattr(_TraceNode, _name, _guarded(_name, _what))


@dataclass
class Trace:
    """A traced graph: the input leaves, the output nodes and every node, inputs first.

    ``inputs`` ends with the random inputs, one per entry of ``random`` (their sources).
    """

    inputs: list[Value]
    outputs: list[Value]
    order: list[Value]
    single: bool  # fn returned one Value rather than a list or tuple
    random: list[RandomSource]


def _outputs(result: Any) -> tuple[list[Value], bool]:
    """fn's result as a list of Values, and whether it was a single one."""
    if isinstance(result, (list, tuple)):
        if not result:
            raise TypeError("compile: fn returned an empty list; it must return Values")
        return [lift(r) for r in result], False
    return [lift(result)], True


def trace(fn: Callable[..., Any], example_inputs: Sequence[Any]) -> Trace:
    """Call ``fn(*inputs)`` once on new input leaves holding ``example_inputs``.

    Raises :class:`TraceError` if ``fn`` reads the value of anything computed from its
    inputs, or computes under ``no_grad`` (that would freeze a value into a constant).
    """
    global _ACTIVE
    if not is_grad_enabled():
        raise TraceError("compile: cannot trace inside no_grad (nothing would be recorded)")
    if tracing():
        raise TraceError("compile: cannot compile inside a function being traced")
    data = [x.data if isinstance(x, Value) else x for x in example_inputs]
    name = getattr(fn, "__qualname__", type(fn).__name__)
    with _lock:
        inputs: list[Value] = [_TraceNode(x, label=f"x{i}") for i, x in enumerate(data)]
        tracer = _Tracer(inputs, name)
        make_node = value._new_value
        value._new_value = lambda cls: make_node(
            _TraceNode if threading.get_ident() == tracer.thread else cls
        )
        _ACTIVE = tracer
        value._TRACING = tracer.thread  # constants' ops are recorded too (see below)
        try:
            outputs, single = _outputs(fn(*inputs))
        finally:
            _ACTIVE = value._TRACING = None
            value._new_value = make_node
    inputs += [node for node, _ in tracer.random]
    order = search.topological_order_of(outputs)
    inputs_set = set(inputs)
    for node in order:
        if type(node) is _TraceNode:
            # While tracing, an op on constants only is recorded all the same (not folded
            # into a constant, as elsewhere: a compiled function reads the constants' and
            # frozen weights' data at every call), so a node with no op is no_grad's.
            if node._rule is None and node not in inputs_set:
                raise TraceError(
                    f"compile: {name} computes a value under no_grad; it would be frozen "
                    "into a constant (move no_grad out of the traced function)"
                )
            node.__class__ = Value  # same layout: the graph is ordinary again
    for node in inputs:
        node.__class__ = Value
    return Trace(inputs, outputs, order, single, [source for _, source in tracer.random])
