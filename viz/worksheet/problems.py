"""Random, readable backprop problems: a small expression graph from a seed and a level.

A :class:`Problem` is a recipe (named inputs and a list of steps ``d = a * b``) that the
engine can build again at any time, so a key, a picture and a finite-difference check
all come from the same graph.  Levels:

1. ``+`` and ``*`` only, one input used twice, 3-5 ops (5, 7 or 9 gradients to find);
   every value and gradient is exact to 4 decimals.
2. adds tanh, sigmoid, exp, log and powers, with a sub-expression used twice, 5-9 ops
   (7 to 15 gradients).
3. a tanh or sigmoid neuron (9 gradients), or a 2-2-1 network (15), with the
   squared-error loss.

Constants (an exponent) are ``Value(c, requires_grad=False)``: nobody asks for their
gradient, and the pictures draw them as constants.

Every op's input stays well inside its domain (see ``UNARY``), no value or gradient is
too large or so small that 4 decimals hide it, and a student who works with the
4-decimal numbers printed on the sheet still lands within the grader's tolerance.
Problems come from ``random.Random(seed)`` alone: the same seed (and number of
gradients asked, ``ASKED``) gives the same problem on any machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from autograd import OPS, Value, topological_order
from autograd.value import apply

from .compare import matches
from .handwork import backprop

LEVELS = (1, 2, 3)
OUTPUT = "L"
DIGITS = 4  # the sheets print every number with 4 decimals
MAX_ATTEMPTS = 10_000
_NAMES = "abcdfghjkmnpqrstuvwxyz"  # no e, i, l, o: they read as e^x, 1 or 0
_TRANSCENDENTAL = frozenset({"tanh", "sigmoid", "exp", "log"})

# Unary steps of level 2: (op, constant exponent or None) and where its input must lie
# to be readable (no log near 0, no 1/x near 0, no saturated tanh, no huge powers).
UNARY: dict[tuple[str, float | None], Callable[[float], bool]] = {
    ("tanh", None): lambda x: abs(x) <= 2.5,
    ("sigmoid", None): lambda x: abs(x) <= 3.0,
    ("exp", None): lambda x: -3.0 <= x <= 2.5,
    ("log", None): lambda x: 0.2 <= x <= 50.0,
    ("pow", 2.0): lambda x: abs(x) <= 4.0,
    ("pow", 3.0): lambda x: abs(x) <= 2.5,
    ("pow", -1.0): lambda x: 0.5 <= abs(x) <= 10.0,
}
_UNARY_OPS = frozenset(op for op, _ in UNARY)
MAX_VALUE = 100.0  # largest |data| of any node
MAX_GRAD = 1000.0  # largest |gradient|
MIN_SHOWN = 1e-3  # smallest non-zero |data| or |gradient| (4 decimals must show it)


class GenerationError(RuntimeError):
    """No readable problem was found (never expected: a bug in the generator)."""


@dataclass(frozen=True)
class Step:
    """One node of a problem: ``node = op(args)``; an arg is a node's name or a constant."""

    node: str
    op: str
    args: tuple[str | float, ...]


@dataclass(frozen=True)
class Problem:
    """A backprop exercise: named ``inputs``, ``steps`` ending at ``L``, and the names
    of the nodes whose gradient dL/dnode is ``asked`` (from L back to the inputs)."""

    seed: int
    level: int
    inputs: tuple[tuple[str, float], ...]
    steps: tuple[Step, ...]
    asked: tuple[str, ...]

    def build(self, *values: float) -> dict[str, Value]:
        """The graph as Values, name → Value (``values`` replace the inputs, in order).
        An input whose gradient is not asked (level 3's data x1, x2, y) and a constant
        do not require one (``requires_grad=False``)."""
        data = values or [value for _, value in self.inputs]
        data = [x.item() if isinstance(x, Value) else x for x in data]  # (numerical_grad's)
        nodes = {name: Value(x, label=name, requires_grad=name in self.asked)
                 for (name, _), x in zip(self.inputs, data)}  # fmt: skip
        for step in self.steps:
            _add_node(nodes, step)
        return nodes

    def __call__(self, *values: float) -> Value:
        """L at the given input values (for ``autograd.numerical_grad``)."""
        return self.build(*values)[OUTPUT]

    def equations(self) -> list[str]:
        """The forward pass, one line a step: ``['d = a · b', ..., 'L = h^2']``."""
        return [f"{s.node} = {formula(s.op, [_arg_text(a) for a in s.args])}" for s in self.steps]

    def expression(self) -> str:
        """L as one formula, every step inlined: ``L = (a · b + a) · c``."""
        inlined: dict[str, tuple[str, int]] = {name: (name, ATOM) for name, _ in self.inputs}
        for s in self.steps:
            rank, first, rest = BINDING.get(s.op, (ATOM, 0, 0))
            texts = []
            for k, a in enumerate(s.args):
                text, inner = inlined[a] if isinstance(a, str) else (_arg_text(a), ATOM)
                texts.append(text if inner >= (rest if k else first) else f"({text})")
            inlined[s.node] = (formula(s.op, texts), rank)
        return f"{OUTPUT} = {inlined[OUTPUT][0]}"


def _add_node(nodes: dict[str, Value], step: Step) -> None:
    """``nodes[step.node] = op(args)``, an arg being a node's name or a constant."""
    args = tuple(nodes[a] if isinstance(a, str) else Value(a, requires_grad=False)
                 for a in step.args)  # fmt: skip
    nodes[step.node] = apply(OPS[step.op], *args)
    nodes[step.node].label = step.node


# How tightly each op's text binds, and how tightly its first and later operands must
# bind to go without parentheses: a - (b + c), (a + b) · c, (a · b)^2.  Calls bind tightest.
ATOM = 9
BINDING = {"add": (1, 1, 1), "sub": (1, 1, 2), "mul": (2, 2, 2), "pow": (3, 4, 4),
           "dot": (1, 2, 2)}  # fmt: skip


def formula(op: str, args: list[str]) -> str:
    """One step as text: ``a + b``, ``a · b``, ``a^2``, ``tanh(a)``, ``w1·x1 + w2·x2 + b``."""
    if op == "add":
        return f"{args[0]} + {args[1]}"
    if op == "sub":
        return f"{args[0]} - {args[1]}"
    if op == "mul":
        return f"{args[0]} · {args[1]}"
    if op == "pow":
        return f"{args[0]}^{args[1]}" if not args[1].startswith("-") else f"{args[0]}^({args[1]})"
    if op == "dot":
        n = len(args) // 2
        terms = [f"{w}·{x}" for w, x in zip(args[:n], args[n : 2 * n])]
        return " + ".join(terms + args[2 * n :])
    return f"{op}({', '.join(args)})"


def _arg_text(arg: str | float) -> str:
    return arg if isinstance(arg, str) else f"{arg:g}"


def check_level(level: int) -> int:
    """``level`` itself if it is one of LEVELS, else ValueError naming them."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of 1, 2, 3, not {level!r}")
    return level


def generate_problem(seed: int, level: int, asked: int | None = None) -> Problem:
    """The problem of ``seed`` at ``level`` (1, 2 or 3), asking for ``asked`` gradients
    (one of ``ASKED[level]``; None: as many as the seed draws); ValueError for another
    level or count."""
    check_level(level)
    if asked is not None and asked not in ASKED[level]:
        choices = ", ".join(map(str, ASKED[level]))
        raise ValueError(f"a level-{level} problem asks for one of {choices} gradients, "
                         f"not {asked!r}")  # fmt: skip
    rng = random.Random(seed)
    draft = {1: _level1, 2: _level2, 3: _level3}[level]
    for _ in range(MAX_ATTEMPTS):
        problem = draft(rng, seed, asked)
        if problem is not None and readable(problem):
            return problem
    raise GenerationError(f"no readable level-{level} problem for seed {seed}")


class _Draft:
    """A problem under construction: its Values are evaluated as the steps are added."""

    def __init__(self) -> None:
        self.nodes: dict[str, Value] = {}
        self.inputs: list[tuple[str, float]] = []
        self.steps: list[Step] = []
        self._names = iter(_NAMES)

    def name(self) -> str:
        return next(self._names)

    def input(self, value: float, name: str | None = None) -> str:
        name = name or self.name()
        self.inputs.append((name, value))
        self.nodes[name] = Value(value, label=name)
        return name

    def step(self, op: str, *args: str | float, name: str | None = None) -> str:
        self.steps.append(Step(name or self.name(), op, args))
        _add_node(self.nodes, self.steps[-1])
        return self.steps[-1].node

    def problem(self, seed: int, level: int, asked: set[str]) -> Problem:
        """Rename the last step L and list the asked nodes from L back to the inputs."""
        last = self.steps[-1]
        self.steps[-1] = Step(OUTPUT, last.op, last.args)
        order = [s.node for s in reversed(self.steps[:-1])]
        order += [name for name, _ in reversed(self.inputs)]
        return Problem(seed, level, tuple(self.inputs), tuple(self.steps),
                       tuple(n for n in order if n in asked))  # fmt: skip


def _decimal(rng: random.Random, low: float, high: float) -> float:
    """A non-zero number with one decimal in [low, high]."""
    tenths = [k for k in range(round(low * 10), round(high * 10) + 1) if k]
    return rng.choice(tenths) / 10


def _graph(rng: random.Random, seed: int, level: int, n_ops: int, n_unary: int) -> Problem | None:
    """Levels 1 and 2: binary steps merge the inputs into one output; one binary step
    reuses a node already used (level 1: an input, level 2: an intermediate) so that it
    has two paths to L; unary steps (level 2) wrap a node in a function that suits its
    value.  None when no unary op suits a value."""
    draft = _Draft()
    n_binary = n_ops - n_unary
    frontier = [draft.input(_decimal(rng, -3.0, 3.0)) for _ in range(n_binary)]
    kinds = ["binary"] * n_binary + ["unary"] * n_unary
    rng.shuffle(kinds)
    candidates = [k for k, kind in enumerate(kinds) if kind == "binary" and (level == 1 or k)]
    reuse_at = rng.choice(candidates)
    shared = rng.choice(frontier) if level == 1 else None
    for k, kind in enumerate(kinds):
        if kind == "unary":
            x = frontier.pop(rng.randrange(len(frontier)))
            fitting = [key for key, fits in UNARY.items() if fits(draft.nodes[x].data)]
            if not fitting:
                return None
            op, exponent = rng.choice(fitting)
            frontier.append(draft.step(op, x) if exponent is None else draft.step(op, x, exponent))
            continue
        if k == reuse_at:
            if shared is None:
                shared = rng.choice([s.node for s in draft.steps])
            others = [n for n in frontier if n != shared] or frontier
            first = others[rng.randrange(len(others))]
            frontier.remove(first)
            pair = [first, shared]
            rng.shuffle(pair)
        else:
            pair = [frontier.pop(rng.randrange(len(frontier))) for _ in range(2)]
        frontier.append(draft.step(rng.choice(("add", "mul")), *pair))
    every = {name for name, _ in draft.inputs} | {s.node for s in draft.steps[:-1]}
    return draft.problem(seed, level, every)


# Levels 1 and 2 ask for every input and every step but L: with n ops of which u are
# unary, n - u inputs and n - 1 steps.  Level 2's sizes: (n ops, u unary) -> asked.
_LEVEL2_SIZES = {(n, u): 2 * n - u - 1 for n in range(5, 10) for u in range(2, min(4, n - 3) + 1)}
ASKED = {1: (5, 7, 9), 2: tuple(sorted(set(_LEVEL2_SIZES.values()))), 3: (9, 15)}


def _level1(rng: random.Random, seed: int, asked: int | None) -> Problem | None:
    n_ops = rng.randint(3, 5) if asked is None else (asked + 1) // 2
    return _graph(rng, seed, 1, n_ops, 0)


def _level2(rng: random.Random, seed: int, asked: int | None) -> Problem | None:
    if asked is None:
        n_ops = rng.randint(5, 9)
        n_unary = rng.randint(2, min(4, n_ops - 3))
    else:
        n_ops, n_unary = rng.choice([size for size, n in _LEVEL2_SIZES.items() if n == asked])
    return _graph(rng, seed, 2, n_ops, n_unary)


def _level3(rng: random.Random, seed: int, asked: int | None) -> Problem:
    """A neuron  a = act(x1 w1 + x2 w2 + b)  or a 2-2-1 network, then L = (out - y)^2.

    x1, x2 and the target y are data: their gradients are not asked.  The neuron asks
    for 9 gradients, the network for 15."""
    draft = _Draft()
    act = rng.choice(("tanh", "sigmoid"))
    x1 = draft.input(_decimal(rng, -2.0, 2.0), "x1")
    x2 = draft.input(_decimal(rng, -2.0, 2.0), "x2")
    if (rng.random() < 0.5) if asked is None else asked == 9:
        w1 = draft.input(_decimal(rng, -1.5, 1.5), "w1")
        w2 = draft.input(_decimal(rng, -1.5, 1.5), "w2")
        b = draft.input(_decimal(rng, -1.0, 1.0), "b")
        u1 = draft.step("mul", x1, w1, name="u1")
        u2 = draft.step("mul", x2, w2, name="u2")
        z = draft.step("add", draft.step("add", u1, u2, name="s"), b, name="z")
        out = draft.step(act, z, name="a")
    else:
        hidden = []
        for i in (1, 2):
            w = [draft.input(_decimal(rng, -1.5, 1.5), f"w{i}{j}") for j in (1, 2)]
            b = draft.input(_decimal(rng, -1.0, 1.0), f"b{i}")
            z = draft.step("dot", *w, x1, x2, b, name=f"z{i}")
            hidden.append(draft.step(act, z, name=f"h{i}"))
        v = [draft.input(_decimal(rng, -1.5, 1.5), f"v{j}") for j in (1, 2)]
        c = draft.input(_decimal(rng, -1.0, 1.0), "c")
        out = draft.step("dot", *v, *hidden, c, name="o")
    y = draft.input(_decimal(rng, -0.9, 0.9) if act == "tanh" else rng.randint(1, 9) / 10, "y")
    draft.step("pow", draft.step("sub", out, y, name="r"), 2.0)
    data = {x1, x2, y}
    asked = {name for name, _ in draft.inputs if name not in data}
    return draft.problem(seed, 3, asked | {s.node for s in draft.steps[:-1]})


def gradients(problem: Problem) -> dict[str, float]:
    """dL/dnode for every named node (reverse mode on the problem's graph)."""
    return _gradients(problem.build())


def _gradients(nodes: dict[str, Value]) -> dict[str, float]:
    grads = backprop(topological_order(nodes[OUTPUT]))
    return {name: grads[node] for name, node in nodes.items()}


def _exact(x: float) -> bool:
    """True when x has at most DIGITS decimals (up to float rounding)."""
    return abs(x * 10**DIGITS - round(x * 10**DIGITS)) < 1e-6


def readable(problem: Problem) -> bool:
    """Whether the problem is fit for a sheet (see the module's docstring)."""
    nodes = problem.build()
    for s in problem.steps:
        rule = UNARY.get((s.op, s.args[1] if s.op == "pow" else None))
        if s.op in _UNARY_OPS and (rule is None or not rule(nodes[s.args[0]].data)):
            return False
    order = topological_order(nodes[OUTPUT])
    grads = _gradients(nodes)
    shown = [node.data for node in order] + [grads[name] for name in problem.asked]
    if any(abs(x) > MAX_VALUE for x in shown[: len(order)]):
        return False
    if any(not math.isfinite(x) or abs(x) > MAX_GRAD for x in shown):
        return False
    if any(0 < abs(x) < MIN_SHOWN for x in shown):
        return False
    if not any(s.op in _TRANSCENDENTAL or s.op == "pow" and s.args[1] < 0 for s in problem.steps):
        return all(map(_exact, shown))
    by_hand = _by_hand(order)
    return all(matches(by_hand[nodes[name]], grads[name]) for name in problem.asked)


def _by_hand(order: list[Value]) -> dict[Value, float]:
    """Backprop as a student does it from the sheet: every value read with 4 decimals,
    every gradient written down with 4 decimals."""
    shown = {node: round(node.data, DIGITS) for node in order}
    return backprop(order, data=shown, digits=DIGITS)
