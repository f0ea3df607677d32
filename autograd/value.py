"""``Value``: a scalar that remembers how it was computed.

A Value holds ``data`` (a float), ``grad`` (d root / d self after ``backward``), and, if
an op made it, that op's rule and its ``inputs``.  All arithmetic goes through :func:`record`
(or its fast paths, which share :func:`_node`), which evaluates an entry of the op table
(:mod:`autograd.ops`) on floats and records the node (on the tape too, inside
``autograd.tape()``: see :mod:`autograd.recording`).  Nodes hold no closures, so a
graph is freed as soon as it is unreachable (and, inside a tape, let go by the tape).

``requires_grad`` is PyTorch's: a Value made by ``Value(...)`` requires grad unless told
otherwise, a number lifted to a constant by an op (the 2 of ``2 * x``) does not, and an op's
result requires grad when one of its inputs does -- otherwise it is a constant (no op, no
inputs), as inside ``no_grad``.  ``backward`` gives no gradient to a Value that does not
require grad: its ``.grad`` stays as it was, 0.0 for a new one (micrograd's start value,
which code printing every node's gradient expects; PyTorch shows None there).  A
``.grad`` set to None (``zero_grad(set_to_none=True)``) counts as 0.
"""

from __future__ import annotations

import math
from numbers import Real
from operator import attrgetter
from threading import get_ident
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Union

from . import ops, recording
from .backends import FLOAT, MATH_FUNCTIONS, larger, smaller
from .modes import ANOMALY, NO_GRAD
from .ops import Op
from .recording import FROM_INPUTS, LEAF, LIFTED

_MAX_SHOWN_INPUTS = 6
Operand = Union["Value", Real, float]  # what the arithmetic operators accept

# micrograd's names for its ops (the ``_op`` strings its video draws); other ops show their name
_SYMBOLS = {"add": "+", "sub": "-", "neg": "-", "mul": "*", "div": "/", "relu": "ReLU"}
_NOT_A_FLOAT = (
    "a Value is not a float (float(v) and math.exp(v) would drop its gradient): use v.item() "
    "for the number, or the method v.exp() (v.log(), v.tanh(), ...) to keep the gradient"
)


def _is_number(x: Any) -> bool:
    """True for what float() takes as a real number: ints, floats, numpy scalars, ..."""
    return hasattr(x, "__float__") and not isinstance(x, (str, bytes, complex))


def _as_float(data: Any) -> float:
    """Convert a real number to float; TypeError for anything else, ValueError for NaN."""
    if type(data) is not float:
        if isinstance(data, Value):
            raise TypeError("Value data must be a real number, not a Value (v.item() is its "
                            "number; a new Value of it would be cut from v's graph)")
        if not _is_number(data):
            raise TypeError(f"Value data must be a real number, not {type(data).__name__}")
        try:
            data = float(data)
        except TypeError:
            raise TypeError(
                f"Value data must be a real number, not {type(data).__name__}"
            ) from None
        except OverflowError:
            raise OverflowError("Value: the number is too large for a float") from None
    if data != data:
        raise ValueError("Value: data is NaN")
    return data


class Value:
    """A scalar node of a computation graph.

    ``Value(data, label='', requires_grad=True)``: ``data`` is any real number (converted
    to float).  Operators ``+ - * / **`` and unary ``-``/``abs`` accept numbers or Values on
    either side; comparisons and ``bool()`` read ``data``; ``==`` is identity, so Values are
    hashable.  ``float(v)`` is refused (it would drop the gradient): ``v.item()`` is the number.
    """

    __slots__ = ("data", "grad", "label", "_rule", "inputs", "_tape", "requires_grad")
    __array_ufunc__ = None  # numpy defers to our reflected operators: np.float64(2) * v is a Value

    def __init__(self, data: Any, label: str = "", *, requires_grad: bool = True) -> None:
        self.data: float = _as_float(data)
        self.grad: Any = 0.0  # None after zero_grad(set_to_none=True); backward counts it as 0
        self.label: str = label
        self.requires_grad: bool = requires_grad  # False: backward gives it no gradient
        self._rule: Op | None = None  # the op-table entry that made this node (None: a leaf)
        self.inputs: tuple[Value, ...] = ()
        self._tape: object = LEAF  # see autograd.recording

    @property
    def op(self) -> str:
        """Name of the op that produced this node; '' for a leaf."""
        return self._rule.name if self._rule is not None else ""

    @property
    def op_doc(self) -> str:
        """The op's math, forward and derivative (e.g. 'tanh(x);  d/dx = 1 - tanh(x)^2');
        '' for a leaf.  Custom ops show the ``doc`` they were given."""
        return self._rule.doc if self._rule is not None else ""

    @property
    def is_leaf(self) -> bool:
        """True for a node no op produced (inputs, parameters, constants)."""
        return self._rule is None

    # micrograd's names, as its video teaches them
    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the inputs, as a set."""
        return set(self.inputs)

    @property
    def _op(self) -> str:
        """micrograd's name: the op as a symbol ('+', '-', '*', '/', '**2', 'tanh', 'exp',
        'ReLU', ...; '**' for a power whose exponent requires grad), '' for a leaf."""
        name = self.op
        if name == "pow":
            exponent = self.inputs[1]
            if exponent.requires_grad or not exponent.is_leaf:
                return "**"
            y = exponent.data
            return f"**{int(y) if y.is_integer() else y}"
        return _SYMBOLS.get(name, name)

    def _backward(self) -> None:
        """micrograd's name for this node's own step of backward: for each input x,
        ``x.grad += self.grad * d self / d x`` (once per call; nothing for a leaf).  Step
        backward by hand, node by node: ``L.grad = 1.0; L._backward(); d._backward(); ...``"""
        from .backprop import chain_rule_step

        chain_rule_step(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        raise TypeError(_NOT_A_FLOAT)

    def __int__(self) -> int:
        raise TypeError("a Value is not an int (int(v) would drop its gradient): use "
                        "int(v.item()) for the number")  # fmt: skip

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats the data; ``f"{v}"`` is the repr."""
        return format(self.data, spec) if spec else repr(self)

    def __bool__(self) -> bool:
        """The data's truthiness, as for a one-element torch tensor: False only for 0."""
        return self.data != 0.0

    def item(self) -> float:
        """The data as a plain float (PyTorch's ``tensor.item()``)."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with the same data and no history, which does not require grad
        (PyTorch's ``detach``)."""
        return Value(self.data, self.label, requires_grad=False)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None) -> None:
        """Fill ``.grad`` of every node this Value depends on with d self / d node.

        ``gradient`` (PyTorch's name) seeds this Value's gradient: 1 by default, so the
        nodes get ``gradient * d self / d node``.  A Value that does not require grad gets
        no gradient; a ``.grad`` of None (``zero_grad(set_to_none=True)``) counts as 0.

        Leaves accumulate across calls and op nodes hold the latest call's gradient, so a
        second ``backward()`` doubles the leaves' gradients: PyTorch's behaviour with
        ``retain_graph=True`` (without it PyTorch refuses a second call).  micrograd's
        leaves accumulate too, but it resets no op node either, so where the graph has
        op nodes between the leaves and the output its second call adds more than that.
        Here the graph is always kept: ``retain_graph`` is accepted and changes nothing.

        This runs :func:`autograd.fast_backward.backward`, which computes the same floats
        as the textbook :func:`autograd.backprop.backward`, faster.
        """
        from .fast_backward import backward

        backward(self, gradient, retain_graph)

    # Comparisons read data; == and hash stay identity.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data_of(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data_of(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data_of(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data_of(other)

    def __pos__(self) -> Value:
        return self

    if TYPE_CHECKING:  # made from the op table below the class; declared for editors

        def __add__(self, other: Operand) -> Value: ...
        def __radd__(self, other: Operand) -> Value: ...
        def __sub__(self, other: Operand) -> Value: ...
        def __rsub__(self, other: Operand) -> Value: ...
        def __mul__(self, other: Operand) -> Value: ...
        def __rmul__(self, other: Operand) -> Value: ...
        def __truediv__(self, other: Operand) -> Value: ...
        def __rtruediv__(self, other: Operand) -> Value: ...
        def __pow__(self, other: Operand) -> Value: ...
        def __rpow__(self, other: Operand) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def abs(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...

    def leaky_relu(self, slope: Any = 0.01) -> Value:
        """x if x > 0 else slope * x;  d/dx = 1 if x > 0 else slope."""
        return apply(ops.LEAKY_RELU, self, _argument("leaky_relu", "slope", slope))

    def elu(self, alpha: Any = 1.0) -> Value:
        """x if x > 0 else alpha (e^x - 1);  d/dx = 1 if x > 0 else alpha e^x."""
        return apply(ops.ELU, self, _argument("elu", "alpha", alpha))

    def softplus(self, beta: Any = 1.0, threshold: Any = 20.0) -> Value:
        """ln(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's
        softplus);  d/dx = sigmoid(beta x), or 1 where beta x > threshold."""
        beta = _argument("softplus", "beta", beta)
        if beta.data == 0.0:
            raise ValueError("softplus: beta must not be 0 (it divides by beta)")
        return apply(ops.SOFTPLUS, self, beta, _argument("softplus", "threshold", threshold))

    def gelu(self, approximate: str = "none") -> Value:
        """x Phi(x), Phi the standard normal CDF (PyTorch's exact form, ``'none'``), or with
        ``approximate='tanh'`` x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2;
        d/dx = Phi(x) + x e^(-x^2/2) / sqrt(2 pi)."""
        if approximate == "none":
            return apply(ops.GELU, self)
        if approximate == "tanh":
            return apply(ops.GELU_TANH, self)
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', not {approximate!r}")

    def clamp(self, min: Any = None, max: Any = None) -> Value:  # noqa: A002 -- torch's names
        """x held to [min, max] (either bound may be left out);  d/dx = 1 where
        min <= x <= max, the bounds included (PyTorch's convention), else 0."""
        if min is None and max is None:
            raise TypeError("clamp: give min, max or both")
        if max is None:
            return apply(ops.CLAMP_MIN, self, _argument("clamp", "min", min))
        if min is None:
            return apply(ops.CLAMP_MAX, self, _argument("clamp", "max", max))
        return apply(ops.CLAMP, self, _argument("clamp", "min", min),
                     _argument("clamp", "max", max))  # fmt: skip

    if TYPE_CHECKING:  # one-input ops of the table, made below the class

        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def tan(self) -> Value: ...
        def asin(self) -> Value: ...
        def acos(self) -> Value: ...
        def atan(self) -> Value: ...
        def sinh(self) -> Value: ...
        def cosh(self) -> Value: ...
        def log1p(self) -> Value: ...
        def expm1(self) -> Value: ...
        def erf(self) -> Value: ...
        def silu(self) -> Value: ...


def _data_of(x: Any) -> float:
    """A Value's data (through ``item()`` for a subclass, which tracing checks), or a number."""
    return x.data if type(x) is Value else x.item() if isinstance(x, Value) else _as_float(x)


def lift(x: Any) -> Value:
    """x itself if it is a Value, else a new constant leaf (it does not require grad);
    TypeError for non-numbers."""
    return x if isinstance(x, Value) else _constant(x)


def _operand(x: Any) -> Value | None:
    """Like :func:`lift`, but None (so the operator returns NotImplemented) for non-numbers."""
    if isinstance(x, Value):
        return x
    return _constant(x) if _is_number(x) else None


def _constant(x: Any) -> Value:
    """``Value(x, requires_grad=False)``, made without a keyword argument to parse: an op
    lifts every number it meets."""
    constant = object.__new__(Value)
    constant.data = _as_float(x)
    constant.grad = 0.0
    constant.label = ""
    constant.requires_grad = False
    constant._rule = None
    constant.inputs = ()
    constant._tape = LIFTED  # (autograd.search: no other node uses it)
    return constant


def _call_text(name: str, inputs: tuple[Value, ...]) -> str:
    """'log(-1.0)': an op's name and its input values, for error messages."""
    shown = ", ".join(repr(v.data) for v in inputs[:_MAX_SHOWN_INPUTS])
    if len(inputs) > _MAX_SHOWN_INPUTS:
        shown += f", ... ({len(inputs)} inputs)"
    return f"{name}({shown})"


def _forward_error(op: Op, inputs: tuple[Value, ...], error: Exception) -> Exception:
    """The error of a failed forward, re-raised with the op and its inputs named."""
    call = _call_text(op.name, inputs)
    if isinstance(error, ZeroDivisionError):
        return ZeroDivisionError(f"{call}: division by zero")
    if isinstance(error, OverflowError):
        return OverflowError(f"{call}: the result is too large for a float")
    if isinstance(error, ValueError) and op.domain:
        return ValueError(f"{call}: outside the domain of {op.name} ({op.domain})")
    return type(error)(f"{call}: {error}")


def _non_finite(op: Op, inputs: tuple[Value, ...], out: float) -> None:
    """Raise for a forward result that is inf or NaN, unless inf just flows through.

    From finite inputs a table op gives NaN only through an overflowing intermediate
    (1e300 * 1e10 - 1e300 * 1e10 is inf - inf): an OverflowError, as Python's fsum says."""
    call = _call_text(op.name, inputs)
    if ANOMALY and get_ident() in ANOMALY:
        raise FloatingPointError(f"{call} produced {out} (detect_anomaly)")
    finite_inputs = all(math.isfinite(v.data) for v in inputs)
    if out != out:
        if finite_inputs and ops.OPS.get(op.name) is op:
            raise OverflowError(f"{call}: an intermediate result overflows (the result "
                                "would be NaN)")  # fmt: skip
        raise ValueError(f"{call}: the result is NaN")
    if finite_inputs:
        raise OverflowError(f"{call}: the result overflows to {out}")


def apply(op: Op, *inputs: Value) -> Value:
    """Evaluate ``op`` on the inputs' data and return the new node.

    Inside ``no_grad``, or when no input requires grad, the node records no op and no
    inputs: it is a constant.
    """
    return record(op, inputs)


_requires_grad = attrgetter("requires_grad")


def record(op: Op, inputs: tuple[Value, ...]) -> Value:
    """:func:`apply` for a ready-made tuple of inputs (numbers among them become
    constants).  The operators and unary methods have their own fast path (below)."""
    try:
        try:
            data = [v.data for v in inputs]
        except AttributeError:  # numbers among the inputs: lift them only then
            inputs = tuple(map(lift, inputs))
            data = [v.data for v in inputs]
        out = op.forward_seq(FLOAT, data)  # the data list as it is: no star-args repacking
    except (ArithmeticError, ValueError) as error:
        raise _forward_error(op, inputs, error) from None
    # (the first input usually requires grad: a weight)
    requires_grad = inputs and inputs[0].requires_grad or any(map(_requires_grad, inputs))
    return _node(op, inputs, out, requires_grad)


_TRACING: int | None = None  # the thread tracing a function for autograd.compile, if any


def _node(op: Op, inputs: tuple[Value, ...], out: float, requires_grad: bool,
          mark: Any = FROM_INPUTS) -> Value:  # fmt: skip
    """The node for ``out = op(*inputs)``: raises for inf or NaN (see :func:`_non_finite`);
    a constant when it does not ``requires_grad`` (no input does) or inside ``no_grad``;
    else it records the op and its inputs, and goes on the tape if one is open (marked
    ``mark`` when the caller worked the mark out: see :mod:`autograd.recording`)."""
    if out - out:  # true only for inf and NaN
        _non_finite(op, inputs, out)
    node = _new_value(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.requires_grad = requires_grad
    # (a trace records its constants' ops too, so a compiled function reads fresh data)
    if not requires_grad and _TRACING != get_ident() or NO_GRAD and get_ident() in NO_GRAD:
        node.requires_grad = False
        node._rule = None
        node.inputs = ()
        node._tape = LEAF
        return node
    node._rule = op
    node.inputs = inputs
    tape = recording.OPEN
    if tape is None:
        node._tape = None
    else:  # on the tape (autograd.recording): recorded, and marked as the record's or not
        token, recorded, leaves = tape.now
        recorded.append(node)
        if mark is FROM_INPUTS:
            # at once for an activation of a recorded node (most nodes but a layer's sums)
            one_recorded = len(inputs) == 1 and inputs[0]._tape is token
            mark = token if one_recorded else recording.mark(token, leaves, inputs)
        node._tape = mark
    return node


# The node factory: skips __init__'s validation (record's data is already a float).
# autograd.trace swaps it while tracing, to build nodes that notice data reads.
_new_value = object.__new__


def _unary_method(op: Op):
    forward = op.forward

    def method(self: Value) -> Value:
        # record's unary path without its dispatch on arity: one call fewer per relu
        try:
            out = forward(FLOAT, self.data)
        except (ArithmeticError, ValueError) as error:
            raise _forward_error(op, (self,), error) from None
        return _node(op, (self,), out, self.requires_grad)

    method.__name__ = op.name
    method.__doc__ = op.doc
    return method


def _binary_method(op: Op, reflected: bool):
    forward = op.forward

    def method(self: Value, other: Any) -> Value:
        if type(other) is not Value:
            other = _operand(other)
            if other is None:
                return NotImplemented
        # record's binary path without its dispatch on arity: one call fewer per operator
        try:
            out = forward(FLOAT, self.data, other.data)
        except (ArithmeticError, ValueError) as error:
            raise _forward_error(op, (self, other), error) from None
        return _node(op, (self, other), out, self.requires_grad or other.requires_grad)

    def reflected_method(self: Value, other: Any) -> Value:
        """``other op self``, other not a Value (Python calls __rop__ only then)."""
        other = _operand(other)
        return NotImplemented if other is None else method(other, self)

    chosen = reflected_method if reflected else method
    chosen.__doc__ = op.doc
    return chosen


for _name, _op in [("add", ops.ADD), ("sub", ops.SUB), ("mul", ops.MUL),
                   ("truediv", ops.DIV), ("pow", ops.POW)]:  # fmt: skip
    setattr(Value, f"__{_name}__", _binary_method(_op, reflected=False))
    setattr(Value, f"__r{_name}__", _binary_method(_op, reflected=True))
for _name, _op in [("__neg__", ops.NEG), ("__abs__", ops.ABS), ("abs", ops.ABS)]:
    setattr(Value, _name, _unary_method(_op))
for _op in (ops.EXP, ops.LOG, ops.SQRT, ops.TANH, ops.SIGMOID, ops.RELU):
    setattr(Value, _op.name, _unary_method(_op))
for _op in (ops.SIN, ops.COS, ops.TAN, ops.ASIN, ops.ACOS, ops.ATAN, ops.SINH, ops.COSH,
            ops.LOG1P, ops.EXPM1, ops.ERF, ops.SILU):  # fmt: skip
    setattr(Value, _op.name, _unary_method(_op))


def _argument(op: str, name: str, x: Any) -> Value:
    """An op's parameter (a slope, a bound) lifted to a Value; TypeError naming the op and
    the argument for anything but a number or a Value."""
    try:
        return lift(x)
    except TypeError:
        raise TypeError(f"{op}: {name} must be a number or a Value, not "
                        f"{type(x).__name__}") from None  # fmt: skip


def _on_values(method):
    """A Value method as a backend function: numbers are lifted to constants first."""
    return lambda x: method(lift(x))


def _on_data(function):
    """A FLOAT backend function of a sequence of numbers, given Values: their data."""
    return lambda xs: function(tuple(_data_of(x) for x in xs))


# The backend that evaluates rules on Values, so a derivative is itself a graph.
VALUE = SimpleNamespace(
    name="value",
    pow=lambda x, y: lift(x) ** y,
    log_pos=lambda x: lift(x).log() if x > 0.0 else 0.0,
    sign=lambda x: FLOAT.sign(_data_of(x)),
    abs=abs,
    where=lambda condition, a, b: a if condition else b,
    maximum=larger,  # Values compare by data
    minimum=smaller,
    sum=lambda xs: apply(ops.SUM, *map(lift, xs)),
    max=lambda xs: apply(ops.MAX, *map(lift, xs)),
    argmax_shares=_on_data(FLOAT.argmax_shares),
    min=lambda xs: apply(ops.MIN, *map(lift, xs)),
    argmin_shares=_on_data(FLOAT.argmin_shares),
    **{name: _on_values(getattr(Value, name))
       for name in ("exp", "log", "sqrt", "tanh", "sigmoid", *MATH_FUNCTIONS)},
)
