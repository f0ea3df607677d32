"""``Module``: the base of every layer and model.

A module's parameters are the Values among its attributes, found by walking them in
the order they were set: a Value attribute ``b`` is the parameter ``'b'``, a list ``w``
of Values gives ``'w.0'``, ``'w.1'``, ..., and a sub-module (or a list of them) adds
its own names behind a dotted prefix, e.g. ``'layers.0.neurons.3.w.1'``.
Attributes whose name starts with ``_`` are private and not walked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from numbers import Real
from typing import Any

from autograd import Value

from .checks import not_finite


@contextmanager
def in_mode(model: Any, training: bool) -> Iterator[None]:
    """``with in_mode(model, False):`` the model in evaluation mode (dropout off), or in
    training mode with ``True``; its mode put back afterwards.  Anything that is not a
    Module (a plain function) is left alone."""
    if not isinstance(model, Module):
        yield
        return
    was_training = model.training
    model.train(training)
    try:
        yield
    finally:
        model.train(was_training)


def as_values(x: Any, width: int | None = None) -> list[Value]:
    """``x`` (a list or tuple of numbers or Values, or a 1-d numpy array) as a list of Values.

    Numbers become constant leaves once here, so each neuron of a layer reuses them.
    ``width`` (the expected length) gives a ValueError naming both lengths on mismatch.
    """
    if isinstance(x, Value) or not isinstance(x, (list, tuple)):
        if hasattr(x, "tolist") and getattr(x, "ndim", 0) == 1:  # a 1-d numpy array
            x = x.tolist()
        elif isinstance(x, (Value, Real)) and width == 1:
            x = [x]
        else:
            raise TypeError(f"expected a list of numbers or Values as input, not "
                            f"{type(x).__name__}")  # fmt: skip
    if width is not None and len(x) != width:
        raise ValueError(f"expected an input of width {width}, received width {len(x)}")
    return [v if type(v) is Value else _constant(v) for v in x]


def _constant(v: Any) -> Value:
    if isinstance(v, Value):
        return v
    if isinstance(v, Real):
        return Value(v)
    raise TypeError(f"inputs must be numbers or Values, not {type(v).__name__}")


class Module:
    """Base class: parameters, gradients, train/eval mode and state dicts.

    Subclasses set their parameters and sub-modules as attributes in ``__init__`` and
    define ``__call__``.
    """

    training: bool = True
    _repr_children: bool = True  # False: repr is one line, like torch's Linear

    # -- parameters ------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct sub-module, in attribute order."""
        for name, item in _walk(self):
            if isinstance(item, Module):
                yield name, item

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, each Value once, in attribute order.

        A ``prefix`` is joined with a dot, as in torch: ``prefix='model'`` gives
        ``'model.layers.0.neurons.0.w.0'``, ...
        """
        seen: set[int] = set()
        for name, value in self._named_parameters(f"{prefix}." if prefix else ""):
            if id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def _named_parameters(self, prefix: str) -> Iterator[tuple[str, Value]]:
        for name, item in _walk(self):
            if isinstance(item, Module):
                yield from item._named_parameters(f"{prefix}{name}.")
            else:
                yield prefix + name, item

    def parameters(self) -> list[Value]:
        """Every parameter (each once), in the order of :meth:`named_parameters`."""
        return [value for _, value in self.named_parameters()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ('' or ``prefix``) and every sub-module,
        depth first, as torch names them ('layers.1')."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module, depth first."""
        return (module for _, module in self.named_modules())

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        for p in self.parameters():
            p.grad = 0.0

    # -- modes -----------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (``mode=True``) or evaluation mode for this module and its
        sub-modules (Dropout drops only in training mode).  Returns ``self``."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be a bool, not {type(mode).__name__}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: the same as ``train(False)``.  Returns ``self``."""
        return self.train(False)

    # -- state -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by dotted name: a JSON-serializable dict name -> float."""
        return {name: value.data for name, value in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state`` (strict: the same names, no more, no fewer).

        The whole dict is checked before anything is written, so on error (ValueError
        naming the missing, unexpected or bad entries; TypeError for a non-mapping)
        the weights are left exactly as they were.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict expects a mapping name -> float, not "
                            f"{type(state).__name__}")  # fmt: skip
        params = dict(self.named_parameters())
        problems = key_problems(params, state)
        bad = not_finite({name: state[name] for name in params if name in state})
        if bad:
            problems.append(f"values that are not finite numbers ({len(bad)}): {_listing(bad)}")
        if problems:
            raise ValueError(f"load_state_dict into {type(self).__name__}: "
                             + "; ".join(problems))  # fmt: skip
        for name, value in params.items():
            value.data = float(state[name])

    def save(self, path: Any) -> None:
        """Write the state dict to ``path`` as JSON (see :mod:`nn.serialization`)."""
        from .serialization import save

        save(self, path)

    def load(self, path: Any) -> None:
        """Read weights saved by :meth:`save`; on any error the weights are unchanged."""
        from .serialization import load

        load(self, path)

    # -- repr ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's one-line repr."""
        return ""

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = list(self.named_children()) if self._repr_children else []
        if not children:
            return head + ")"
        lines = [head + ("" if head.endswith("(") else ",")]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name.rsplit('.', 1)[-1]}): {text}")
        return "\n".join(lines) + "\n)"


def _walk(module: Module) -> Iterator[tuple[str, Value | Module]]:
    """(name, item) for each Value or Module among ``module``'s public attributes,
    looking one level into lists and tuples (and lists of lists)."""
    for name, item in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(item, (Value, Module)):
            yield name, item
        elif isinstance(item, (list, tuple)):
            yield from _walk_sequence(name, item)


def _walk_sequence(name: str, items: list | tuple) -> Iterator[tuple[str, Value | Module]]:
    for i, item in enumerate(items):
        if isinstance(item, (Value, Module)):
            yield f"{name}.{i}", item
        elif isinstance(item, (list, tuple)):
            yield from _walk_sequence(f"{name}.{i}", item)


def key_problems(expected: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """What a strict state dict ``given`` lacks or has too many of, against ``expected``'s
    keys: the lines 'missing keys (2): a, b' and 'unexpected keys (1): c', for an error."""
    missing = [key for key in expected if key not in given]
    unexpected = [key for key in given if key not in expected]
    problems = []
    if missing:
        problems.append(f"missing keys ({len(missing)}): {_listing(missing)}")
    if unexpected:
        problems.append(f"unexpected keys ({len(unexpected)}): {_listing(unexpected)}")
    return problems


def _listing(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f", ... ({len(names) - most} more)" if len(names) > most else "")
