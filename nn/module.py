"""``Module``: the base of every layer and model, as ``torch.nn.Module``.

Calling a module runs its ``forward``: ``model(x) == model.forward(x)``.  A module's
parameters are the Values among its attributes, found by walking them in the order
they were set: a Value attribute ``b`` is the parameter ``'b'``, a list ``w`` of Values
gives ``'w.0'``, ``'w.1'``, ..., a dict ``{'a': v}`` gives ``'a'`` behind its name, and a
sub-module (held in an attribute, a list, a dict, a :class:`ModuleList` or a
:class:`ModuleDict`) adds its own names behind a dotted prefix, e.g.
``'layers.0.weight.3.1'``.  Attributes whose name starts with ``_`` are private and
not walked.  Nothing is registered when an attribute is set, so a subclass whose
``__init__`` forgets ``super().__init__()`` works all the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from numbers import Real
from typing import Any

from autograd import Value

from .checks import as_number, not_finite, not_numbers


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

    Numbers become leaves once here, so each neuron of a layer reuses them.  They require
    grad, as any Value does (unlike torch's inputs), so ``x.grad`` holds dL/dx after
    backward and the pictures show it, as micrograd's video does.
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
    define ``forward(self, x)``, as in PyTorch::

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(2, 8)
                self.out = nn.Linear(8, 1)

            def forward(self, x):
                return self.out(nn.ReLU()(self.hidden(x)))

    (A subclass that defines ``__call__`` instead, as chaingrad's first modules did,
    works too: then ``forward`` runs that ``__call__``.)
    """

    training: bool = True
    _repr_children: bool = True  # False: repr is one line, like torch's Linear
    _items_were_layers: bool = False  # Sequential: files older than its torch names say 'layers.i'

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``self.forward(*args, **kwargs)``."""
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What the module computes; subclasses define it."""
        call = type(self).__call__
        if call is not Module.__call__:  # a module that defines __call__ itself
            return call(self, *args, **kwargs)
        raise NotImplementedError(f"{type(self).__name__} has no forward method: define "
                                  "forward(self, x) to say what it computes")  # fmt: skip

    # -- parameters ------------------------------------------------------------------
    def _items(self) -> Iterator[tuple[str, Value | Module]]:
        """(name, item) for each Value or Module among the public attributes, looking
        into lists, tuples and dicts; a container (:class:`ModuleList`) names its own."""
        for name, item in vars(self).items():
            if not name.startswith("_"):
                yield from _found(name, item)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct sub-module, in attribute order."""
        for name, item in self._items():
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
        for name, item in self._items():
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

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's ``grad`` to 0, or to None with ``set_to_none=True``
        (PyTorch's default is True: chaingrad keeps 0, a number a learner can print)."""
        _zero_grads(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter: ``False`` freezes them (they get no
        gradient and optimizers leave them alone).  Returns ``self``."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_ takes True or False, not {requires_grad!r}")
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

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
        if any(key not in params for key in state):  # perhaps a file of older names
            old = names_before_torchs(self, params)
            if all(key in old for key in state):
                state = {old[key]: value for key, value in state.items()}
        problems = key_problems(params, state)
        values = {name: as_number(state[name]) for name in params if name in state}
        others = not_numbers(values)
        if others:
            problems.append(f"values that are not numbers ({len(others)}): {_listing(others)}")
        bad = not_finite({name: x for name, x in values.items()
                          if isinstance(x, Real) and not isinstance(x, bool)})  # fmt: skip
        if bad:
            problems.append(f"values that are not finite ({len(bad)}): {_listing(bad)}")
        if problems:
            raise ValueError(f"load_state_dict into {type(self).__name__}: "
                             + "; ".join(problems))  # fmt: skip
        for name, value in params.items():
            value.data = float(values[name])

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
        children = list(self._shown_children()) if self._repr_children else []
        if not children:
            return head + ")"
        lines = [head + ("" if head.endswith("(") else ",")]
        for name, child in children:
            text = repr(child) if isinstance(child, Module) else _callable_text(child)
            lines.append(f"  ({name.rsplit('.', 1)[-1]}): {text.replace(chr(10), chr(10) + '  ')}")
        return "\n".join(lines) + "\n)"

    def _shown_children(self) -> Iterable[tuple[str, Any]]:
        """(name, item) for each line of the repr: the sub-modules."""
        return self.named_children()


class ModuleList(Module):
    """A list of modules whose parameters the model finds, as ``torch.nn.ModuleList``:
    sub-module i is named ``'i'`` (``'layers.0.weight.0.1'`` when held as ``self.layers``).

    It holds modules but computes nothing: iterate over it in your ``forward``.
    (A plain Python list of modules is found as well; this is PyTorch's way.)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        self._modules: list[Any] = []
        if modules is not None:
            self.extend(modules)

    def _checked(self, module: Any, index: int) -> Any:
        not_an_instance(module, type(self).__name__, index)
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} holds modules; item {index} is a "
                            f"{type(module).__name__}")  # fmt: skip
        return module

    def _items(self) -> Iterator[tuple[str, Value | Module]]:
        yield from super()._items()  # a subclass's own attributes, then the items
        for i, module in enumerate(self._modules):
            yield from _found(str(i), module)

    def append(self, module: Any) -> ModuleList:
        """Add ``module`` at the end; returns ``self``."""
        self._modules.append(self._checked(module, len(self._modules)))
        return self

    def extend(self, modules: Iterable[Any]) -> ModuleList:
        """Add each of ``modules`` at the end; returns ``self``."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Any) -> None:
        """Put ``module`` before position ``index``."""
        self._modules.insert(index, self._checked(module, index))

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._of(self._modules[index])
        return self._modules[index]

    def _of(self, modules: list[Any]) -> ModuleList:
        """A new container of this kind holding ``modules`` (a slice of this one)."""
        return ModuleList(modules)

    def __setitem__(self, index: int, module: Any) -> None:
        self._modules[index] = self._checked(module, index)

    def __delitem__(self, index: int | slice) -> None:
        del self._modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules)


class ModuleDict(Module):
    """A dict of modules by name, as ``torch.nn.ModuleDict``: sub-module ``'key'`` is named
    ``'heads.key'`` when held as ``self.heads``.  Keys are strings without a dot.

    (A plain Python dict of modules is found as well; this is PyTorch's way.)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
                 ) -> None:  # fmt: skip
        self._modules: dict[str, Module] = {}
        if modules is not None:
            self.update(modules)

    def _items(self) -> Iterator[tuple[str, Value | Module]]:
        yield from super()._items()  # a subclass's own attributes, then the items
        for key, module in self._modules.items():
            yield from _found(key, module)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Set each (key, module) of a mapping or of a list of pairs."""
        for key, module in (modules.items() if isinstance(modules, Mapping) else modules):
            self[key] = module

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or "." in key or not key:
            raise KeyError(f"ModuleDict keys are names without a dot, not {key!r}")
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict holds modules; {key!r} is a {type(module).__name__}")
        self._modules[key] = module

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def pop(self, key: str) -> Module:
        """Remove the module of ``key`` and return it."""
        return self._modules.pop(key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """(key, module) pairs, in insertion order."""
        return self._modules.items()


def _found(name: str, item: Any) -> Iterator[tuple[str, Value | Module]]:
    if isinstance(item, (Value, Module)):
        yield name, item
    elif isinstance(item, (list, tuple)):
        for i, inner in enumerate(item):
            yield from _found(f"{name}.{i}", inner)
    elif isinstance(item, dict):
        for key, inner in item.items():
            yield from _found(f"{name}.{key}", inner)


def names_before_torchs(model: Module, names: Iterable[str]) -> dict[str, str]:
    """{older name: name} for ``names`` of ``model``'s parameters or modules: files saved
    before Sequential named its items as torch does call item i of a Sequential at path P
    'P.layers.i' (the parameter '0.1.weight.0.0' of a Sequential in a Sequential was
    'layers.0.layers.1.weight.0.0'), wherever the Sequential sits in the model."""
    paths = [path for path, module in model.named_modules() if module._items_were_layers]
    paths.sort(key=len, reverse=True)  # the deepest first: an insertion moves only what follows
    older = {}
    for name in names:
        old = name
        for path in paths:
            prefix = f"{path}." if path else ""
            if name.startswith(prefix):
                old = f"{old[:len(prefix)]}layers.{old[len(prefix):]}"
        older[old] = name
    return older


def not_an_instance(item: Any, holder: str, index: int) -> None:
    """TypeError for a class given where an instance belongs (``nn.ReLU`` for
    ``nn.ReLU()``), saying to add the parentheses."""
    if isinstance(item, type):
        name = f"nn.{item.__name__}" if item.__module__.split(".")[0] == "nn" else item.__name__
        raise TypeError(f"{holder}: item {index} is the class {name}, not a module: "
                        f"write {name}() with parentheses")  # fmt: skip


def _callable_text(item: Any) -> str:
    """How the repr of a Sequential shows an item that is not a module (a function)."""
    name = getattr(item, "__name__", None)
    return f"function {name}" if name else type(item).__name__


def _zero_grads(params: Iterable[Value], set_to_none: bool) -> None:
    """p.grad = 0.0 (or None) for each p: Module's and the optimizers' ``zero_grad``."""
    if not isinstance(set_to_none, bool):
        raise TypeError(f"zero_grad: set_to_none must be True or False, not {set_to_none!r}")
    grad = None if set_to_none else 0.0
    for p in params:
        p.grad = grad


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
