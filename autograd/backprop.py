"""Reverse-mode differentiation: the chain rule applied in reverse topological order.

For every node, from the root back to the leaves,

    input.grad += node.grad * d node / d input

where the local partial ``d node / d input`` comes from the node's entry in the op table.
The order is found iteratively, so graph depth is limited by memory, not by Python's
recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from threading import get_ident
from typing import Any

from . import recording
from .backends import FLOAT
from .modes import ANOMALY
from .value import VALUE, Value, _call_text, lift

_grad = attrgetter("grad")


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each once, inputs before the nodes using them."""
    order: list[Value] = []
    _depth_first(root, order, order)
    return order


def topological_order_of(roots: Iterable[Value]) -> list[Value]:
    """:func:`topological_order` for several roots at once (the outputs of a function):
    every node any of them depends on, once, inputs before the nodes using them."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        _depth_first(root, order, order, seen)
    return order


def _depth_first(root: Value, nodes: list[Value], leaves: list[Value],
                 seen: set[Value] | None = None) -> None:  # fmt: skip
    """Append ``root``'s op nodes to ``nodes``, inputs first, and its leaves to ``leaves``
    (which may be ``nodes`` itself, for one topological order of both); nodes already in
    ``seen`` (found from an earlier root) are skipped.

    An iterative depth-first search: each stack entry is a node and an iterator over
    its remaining inputs; a node is emitted when all its inputs have been.  A node whose
    inputs have all been seen already is emitted at once (in a DAG a seen input is never
    one still on the stack): one set test in C instead of a stack round trip, which
    spares a neuron's shared weights and inputs being looked at one by one again.  So is
    a one-input node (an activation) whose input is complete at once: both are emitted.
    """
    if seen is None:
        seen = set()
    elif root in seen:
        return
    seen.add(root)
    if root._op is None:
        leaves.append(root)
        return
    # Bound methods in locals: the loop runs once per edge not settled by a set test.
    mark, done, emit, emit_leaf = seen.add, seen.issuperset, nodes.append, leaves.append
    stack = [(root, iter(root.inputs))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in seen:
                mark(child)
                inputs = child.inputs
                if child._op is None:
                    emit_leaf(child)  # a leaf is complete at once
                elif done(inputs):
                    emit(child)  # so is a node whose inputs are all done
                elif len(inputs) == 1 and done(inputs[0].inputs):
                    # relu(dot(...)): the dot is complete, so is the relu (no stack round trip)
                    mark(inputs[0])
                    (emit_leaf if inputs[0]._op is None else emit)(inputs[0])
                    emit(child)
                else:
                    stack.append((child, iter(inputs)))
                    break
        else:
            stack.pop()
            emit(node)


def float_partials(node: Value) -> tuple[float, ...]:
    """d node / d input for each of ``node.inputs``, in order: the op's rule on floats,
    raising the rule's own error where a partial is undefined (callers name the op).

    A leaf has no inputs and returns ().
    """
    if node._op is None:
        return ()
    return tuple(node._op.derivative_seq(FLOAT, node.data, [v.data for v in node.inputs]))


def local_partials(node: Value) -> tuple[float, ...]:
    """d node / d input for each of ``node.inputs``, in order, as floats; an error
    naming the op and its inputs where one is undefined.

    A leaf has no inputs and returns ().
    """
    try:
        return float_partials(node)
    except (ArithmeticError, ValueError) as error:
        raise _backward_error(node, error) from None


def value_partials(node: Value, caller: str) -> tuple[Any, ...]:
    """d node / d input for each input as Values (or constants), evaluated by the op's
    rule on the VALUE backend: a graph of their own, which can be differentiated again.
    TypeError (``caller`` named) for an op whose derivative is plain numbers only."""
    op = node._op
    if op is None:
        return ()
    if not op.higher_order:
        raise TypeError(f"{caller}(create_graph=True): the op {op.name!r} has no "
                        "differentiable derivative (its backward returns plain numbers)")
    return tuple(op.derivative(VALUE, node, *node.inputs))


def _backward_error(node: Value, error: Exception) -> Exception:
    """An error from a local derivative, re-raised with the op and its inputs named."""
    call = _call_text(node.op, node.inputs)
    if ANOMALY and get_ident() in ANOMALY:
        return FloatingPointError(f"backward of {call}: {error} (detect_anomaly)")
    if isinstance(error, ZeroDivisionError):
        return ZeroDivisionError(f"backward of {call}: division by zero in the derivative "
                                 "(it is infinite or undefined here)")
    return type(error)(f"backward of {call}: {error}")


def _non_finite_gradient(node: Value, gradient: float, caller: str = "backward",
                         source: str = "") -> Exception:  # fmt: skip
    """The error for a gradient that became inf or NaN while flowing into ``node``
    (``source``: where it came from, see :func:`_first_non_finite_contribution`)."""
    users = f" (reaching {_call_text(node.op, node.inputs)})" if node._op else ""
    message = f"{caller}: the gradient became {gradient}{users}{source}"
    if ANOMALY and get_ident() in ANOMALY:
        return FloatingPointError(message + " (detect_anomaly)")
    if gradient != gradient:
        return ValueError(message)
    return OverflowError(message)


def _first_non_finite_contribution(processed: Iterable[Value]) -> str:
    """Where backward's first inf or NaN came from: the first of the ``processed`` op
    nodes (in the order backward took them) that sent one to an input.  Run only after
    a gradient has become inf or NaN, to name the op in the error."""
    for node in processed:
        g = node.grad
        if g == 0.0 or g - g:  # nothing sent, or a gradient that was already bad
            continue
        for position, partial in enumerate(local_partials(node)):
            contribution = g * partial
            if contribution - contribution:
                return (f"; it came from backward of {_call_text(node.op, node.inputs)}, which "
                        f"sent {contribution} to its input {position} (upstream gradient {g}, "
                        f"local derivative {partial})")
    return ""


def _check_contributions(node: Value, g: float, partials: Sequence[float]) -> None:
    """In detect_anomaly: raise if this node's backward sends inf or NaN to an input."""
    for partial in partials:
        contribution = g * partial
        if contribution - contribution:
            raise FloatingPointError(
                f"backward of {_call_text(node.op, node.inputs)} produced {contribution} "
                f"(upstream gradient {g}, local derivative {partial}) (detect_anomaly)"
            )


def backward(root: Value) -> None:
    """Seed ``root.grad`` with 1 and push gradients to every node it depends on.

    Interior nodes are reset first, so they hold this call's gradient; leaves accumulate.
    The nodes come in the order they were made from the open tape when it recorded
    ``root``'s whole graph (:mod:`autograd.recording`), else from a depth-first search.
    """
    recorded = recording.take(root)
    if recorded is None:
        nodes: list[Value] = []
        leaves: list[Value] = []
        _depth_first(root, nodes, leaves)
    else:
        nodes, leaves = recorded  # every node recorded before root; leaves met, repeated
    for node in nodes:
        node.grad = 0.0
    root.grad += 1.0
    anomaly = bool(ANOMALY) and get_ident() in ANOMALY  # detect_anomaly in this thread
    blocked = None
    try:
        for node in reversed(nodes):  # every user of a node comes before it
            g = node.grad
            if g == 0.0:  # a zero gradient adds nothing
                continue
            if g - g:  # inf or NaN
                blocked = node
                break
            op = node._op
            inputs = node.inputs
            arity = len(inputs)
            # Fast paths for the common arities avoid building lists of data.
            if arity == 1:
                (a,) = inputs
                (da,) = op.derivative(FLOAT, node.data, a.data)
                if anomaly:
                    _check_contributions(node, g, (da,))
                a.grad += g * da
            elif arity == 2:
                a, b = inputs
                da, db = op.derivative(FLOAT, node.data, a.data, b.data)
                if anomaly:
                    _check_contributions(node, g, (da, db))
                a.grad += g * da
                b.grad += g * db
            else:
                partials = op.derivative_seq(FLOAT, node.data, [v.data for v in inputs])
                if anomaly:
                    _check_contributions(node, g, partials)
                for a, da in zip(inputs, partials):
                    a.grad += g * da
    except FloatingPointError:
        raise
    except (ArithmeticError, ValueError) as error:
        raise _backward_error(node, error) from None
    if blocked is not None:
        raise _non_finite_gradient(blocked, blocked.grad,
                                   source=_first_non_finite_contribution(reversed(nodes)))
    # Each op node's gradient was checked in the loop; the leaves' only now.
    total = sum(map(_grad, leaves))  # inf or NaN anywhere makes the sum non-finite
    if total - total:
        if recorded is not None:  # the tape's leaves include some root does not depend on
            leaves = []
            _depth_first(root, [], leaves)
        for node in leaves:
            if node.grad - node.grad:
                source = _first_non_finite_contribution(reversed(nodes))
                raise _non_finite_gradient(node, node.grad, source=source)


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """d output / d x for each x in ``inputs``, leaving every ``.grad`` untouched.

    An input the output does not depend on gets 0.  With ``create_graph=True`` the
    chain rule itself is recorded with Value ops, so the results can be differentiated
    again (``grad`` of ``grad``).
    """
    output = lift(output)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, not {type(x).__name__}")
    grads: dict[Value, Any] = {output: Value(1.0) if create_graph else 1.0}
    for node in reversed(topological_order(output)):
        g = grads.get(node)
        op = node._op
        if op is None or g is None:
            continue
        if create_graph:
            partials = value_partials(node, "grad")
        else:
            partials = local_partials(node)
        for x, partial in zip(node.inputs, partials):
            contribution = g * partial
            grads[x] = grads[x] + contribution if x in grads else contribution
    for node, g in grads.items():
        if not create_graph and g - g:  # (with create_graph, the ops check themselves)
            raise _non_finite_gradient(node, g, caller="grad")
    return [lift(grads.get(x, 0.0)) for x in inputs]


def hessian(f: Callable[..., Value], xs: Iterable[float]) -> list[list[float]]:
    """The matrix of second derivatives d^2 f / dx_i dx_j at ``xs``; ``f(*values)``."""
    leaves = [Value(x) for x in xs]
    first = grad(lift(f(*leaves)), leaves, create_graph=True)
    return [[g.data for g in grad(d, leaves)] for d in first]
