"""Each op's local derivative written out as a teacher writes it, with the numbers put in:

    ∂a/∂z = a·(1 − a) = 0.6660 × 0.3340 = 0.2225

A formula is a list of tokens a page typesets (``viz/stepper.html``): a string is text;
``["v", name]`` a variable (italic, a trailing number as a subscript: x1 → x₁);
``["d", top, bottom]`` the partial ∂top/∂bottom as a fraction; ``["n", "0.6660"]`` a
number; ``["sup", "2"]`` a superscript on what comes before.  The value at the end is
always the engine's own local partial (:attr:`viz.view.Node.partials`); the formula
in front of it is the op table's rule (``autograd/ops.py``) in the learner's notation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd.backends import FLOAT

from .i18n import text
from .labels import number
from .view import Node, dot_parts

Token = Any  # str | list
MINUS = "\u2212"
TIMES = " \u00d7 "


def n(x: float) -> list[str]:
    """A number token, minus signs typeset as such."""
    return ["n", number(x).replace("-", MINUS)]


def v(name: str) -> list[str]:
    return ["v", name]


def d(top: str, bottom: str) -> list[str]:
    return ["d", top, bottom]


def _names(node: Node, names: dict[Node, str]) -> tuple[str, list[str], list[float]]:
    return names[node], [names[x] for x in node.inputs], [x.data for x in node.inputs]


# op name -> (node, k, input names, input data, output name, lang) -> formula and numbers
# (each a token list; the numbers are left out where the formula is a constant)
Rule = Callable[[Node, int, list[str], list[float], str, str], tuple[list, list]]


CASE = object()  # first of a rule's numbers when they say which case holds (see _case)


def _case(name: str, x: float) -> list:
    """The numbers of a rule by cases: which case holds ('x = −0.5000 ≤ 0'), written
    after the rule as '; here x = −0.5000 ≤ 0, so 0.0000' by :func:`local_rule`."""
    return [CASE, v(name), " = ", n(x), " > 0" if x > 0 else " \u2264 0"]


def _relu(node: Node, k: int, xs: list[str], data: list[float], out: str, lang: str):
    formula = ["1 ", text(lang, "stepper.if"), " ", v(xs[0]), " > 0, ", text(lang, "stepper.else"),
               " 0"]  # fmt: skip
    return formula, _case(xs[0], data[0])


def _leaky(node: Node, k: int, xs: list[str], data: list[float], out: str, lang: str):
    x, a = data
    word_if, word_else = text(lang, "stepper.if"), text(lang, "stepper.else")
    if k == 0:
        formula = ["1 ", word_if, " ", v(xs[0]), " > 0, ", word_else, " ", v(xs[1])]
    else:
        formula = ["0 ", word_if, " ", v(xs[0]), " > 0, ", word_else, " ", v(xs[0])]
    return formula, _case(xs[0], x)


def _elu(node: Node, k: int, xs: list[str], data: list[float], out: str, lang: str):
    x, a = data
    word_if, word_else = text(lang, "stepper.if"), text(lang, "stepper.else")
    tail = [v(xs[1]), "\u00b7e", ["sup", xs[0]]] if k == 0 else ["e", ["sup", xs[0]], f" {MINUS} 1"]
    formula = [("1 " if k == 0 else "0 "), word_if, " ", v(xs[0]), " > 0, ", word_else, " ",
               *tail]  # fmt: skip
    return formula, _case(xs[0], x)


def _base(x: float) -> list:
    """A number raised to a power: in parentheses when negative, (−1.9000)², not −1.9000²."""
    return ["(", n(x), ")"] if x < 0 else [n(x)]


def _pow(node: Node, k: int, xs: list[str], data: list[float], out: str, lang: str):
    x = data[0]
    # micrograd's x**k (the exponent part of the op), or a constant exponent: a number
    e = node.exponent if node.exponent is not None else (
        data[1] if k == 0 and node.inputs[1].constant else None)  # fmt: skip
    if e is not None:
        factor, power = f"{e:g}".replace("-", MINUS), f"{e - 1:g}".replace("-", MINUS)
        return ([factor, "\u00b7", v(xs[0]), ["sup", power]],
                [factor, TIMES, *_base(x), ["sup", power]])  # fmt: skip
    y = data[1]
    if k == 0:
        return ([v(xs[1]), "\u00b7", v(xs[0]), ["sup", f"{xs[1]} {MINUS} 1"]],
                [n(y), TIMES, *_base(x), ["sup", number(y - 1).replace("-", MINUS)]])
    return ([v(xs[0]), ["sup", xs[1]], "\u00b7ln ", v(xs[0])],
            [n(node.data), TIMES, "ln ", n(x)])  # fmt: skip


def _mul(node: Node, k: int, xs: list[str], data: list[float], out: str, lang: str):
    if len(xs) != 2:  # a learner's own product of more inputs: its number alone
        return [], []
    other = 1 - k
    return [v(xs[other])], []


RULES: dict[str, Rule] = {
    "add": lambda node, k, xs, data, out, lang: (["1"], []),
    "sum": lambda node, k, xs, data, out, lang: (["1"], []),
    "sub": lambda node, k, xs, data, out, lang: (["1" if k == 0 else MINUS + "1"], []),
    "mul": _mul,
    "div": lambda node, k, xs, data, out, lang: (
        (["1/", v(xs[1])], ["1 / ", n(data[1])]) if k == 0 else
        ([MINUS, v(xs[0]), "/", v(xs[1]), ["sup", "2"]],
         [MINUS, n(data[0]), " / ", *_base(data[1]), ["sup", "2"]])),
    "pow": _pow,
    "neg": lambda node, k, xs, data, out, lang: ([MINUS + "1"], []),
    "abs": lambda node, k, xs, data, out, lang: (["sign(", v(xs[0]), ")"],
                                                 ["sign(", n(data[0]), ")"]),
    "exp": lambda node, k, xs, data, out, lang: (["e", ["sup", xs[0]], " = ", v(out)], []),
    "log": lambda node, k, xs, data, out, lang: (["1/", v(xs[0])], ["1 / ", n(data[0])]),
    "sqrt": lambda node, k, xs, data, out, lang: (["1/(2\u221a", v(xs[0]), ")"],
                                                  ["1 / (2", TIMES, n(node.data), ")"]),
    "tanh": lambda node, k, xs, data, out, lang: (
        [f"1 {MINUS} ", v(out), ["sup", "2"]], [f"1 {MINUS} ", *_base(node.data), ["sup", "2"]]),
    "sigmoid": lambda node, k, xs, data, out, lang: (
        [v(out), f"\u00b7(1 {MINUS} ", v(out), ")"], [n(node.data), TIMES, n(1.0 - node.data)]),
    "relu": _relu,
    "leaky_relu": _leaky,
    "elu": _elu,
    "dot": lambda node, k, xs, data, out, lang: _dot(k, xs, data),
    "max": lambda node, k, xs, data, out, lang: ([text(lang, "stepper.max_rule")], []),
}  # fmt: skip


def _unary(formula: Callable[[str, str], list], numbers: Callable[[float, float], list]) -> Rule:
    """The rule of a one-input op from its formula in the names (x, out) and in the
    numbers (x, out)."""
    return lambda node, k, xs, data, out, lang: (formula(xs[0], out),
                                                 numbers(data[0], node.data))


SQUARED = ["sup", "2"]


RULES.update({
    "sin": _unary(lambda x, o: ["cos ", v(x)], lambda x, o: ["cos(", n(x), ")"]),
    "cos": _unary(lambda x, o: [MINUS + "sin ", v(x)], lambda x, o: [MINUS + "sin(", n(x), ")"]),
    "tan": _unary(lambda x, o: ["1 + ", v(o), SQUARED], lambda x, o: ["1 + ", *_base(o), SQUARED]),
    "asin": _unary(lambda x, o: ["1/\u221a(1 \u2212 ", v(x), SQUARED, ")"],
                   lambda x, o: ["1 / \u221a(1 \u2212 ", *_base(x), SQUARED, ")"]),
    "acos": _unary(lambda x, o: [MINUS + "1/\u221a(1 \u2212 ", v(x), SQUARED, ")"],
                   lambda x, o: [MINUS + "1 / \u221a(1 \u2212 ", *_base(x), SQUARED, ")"]),
    "atan": _unary(lambda x, o: ["1/(1 + ", v(x), SQUARED, ")"],
                   lambda x, o: ["1 / (1 + ", *_base(x), SQUARED, ")"]),
    "sinh": _unary(lambda x, o: ["cosh ", v(x)], lambda x, o: ["cosh(", n(x), ")"]),
    "cosh": _unary(lambda x, o: ["sinh ", v(x)], lambda x, o: ["sinh(", n(x), ")"]),
    "log1p": _unary(lambda x, o: ["1/(1 + ", v(x), ")"], lambda x, o: ["1 / (1 + ", n(x), ")"]),
    "expm1": _unary(lambda x, o: ["e", ["sup", x], " = ", v(o), " + 1"],
                    lambda x, o: [n(o), " + 1"]),
    "erf": _unary(lambda x, o: ["(2/\u221a\u03c0)\u00b7e", ["sup", f"{MINUS}{x}\u00b2"]],
                  lambda x, o: [n(2 / math.sqrt(math.pi)), TIMES, "e",
                                ["sup", f"{MINUS}{number(x * x)}"]]),
    "silu": _unary(lambda x, o: ["\u03c3(", v(x), ")\u00b7(1 + ", v(x), f"\u00b7(1 {MINUS} \u03c3(",
                                 v(x), ")))"],
                   lambda x, o: [n(FLOAT.sigmoid(x)), TIMES, "(1 + ", n(x), TIMES,
                                 n(1.0 - FLOAT.sigmoid(x)), ")"]),
    "gelu": _unary(lambda x, o: ["\u03a6(", v(x), ") + ", v(x), "\u00b7\u03c6(", v(x), ")"],
                   lambda x, o: [n(0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))), " + ", n(x),
                                 TIMES, n(math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))]),
    "min": lambda node, k, xs, data, out, lang: ([text(lang, "stepper.min_rule")], []),
})  # fmt: skip

# The engine's own ops (a custom op's rule is its ``doc``, the learner's own words)
BUILT_IN = frozenset(op.name for op in vars(ops).values() if isinstance(op, ops.Op))


def _dot(k: int, xs: list[str], data: list[float]) -> tuple[list, list]:
    half = len(xs) // 2
    if k >= 2 * half:  # the bias
        return ["1"], []
    other = k + half if k < half else k - half  # d/dw_i = x_i, d/dx_i = w_i
    return [v(xs[other])], []


def local_rule(node: Node, k: int, names: dict[Node, str], lang: str) -> list[Token]:
    """∂node/∂input_k = the rule = the rule with the numbers = the local partial."""
    out, xs, data = _names(node, names)
    local = node.partials[k]
    line: list[Token] = [d(out, xs[k]), " = "]
    rule = RULES.get(node.op)
    formula, numbers = rule(node, k, xs, data, out, lang) if rule else ([], [])
    if numbers and numbers[0] is CASE:  # by cases: the rule; here which case holds, so the value
        return [*line, *formula, "; ", text(lang, "stepper.here"), " ", *numbers[1:], ", ",
                text(lang, "stepper.so"), " ", n(local)]  # fmt: skip
    if formula:
        line += [*formula, " = "]
    if numbers:
        line += [*numbers, " = "]
    if not (formula == [_number_text(local)] and not numbers):
        line.append(n(local))
    elif line[-1] == " = ":
        line.pop()
    return line


def _number_text(x: float) -> str:
    return "1" if x == 1 else MINUS + "1" if x == -1 else ""


def value_rule(node: Node, names: dict[Node, str]) -> list[Token]:
    """How the node's value was computed: z = x·w = 0.5000 × −1.5000 = −0.7500."""
    out, xs, data = _names(node, names)
    symbols = {"add": " + ", "sum": " + ", "sub": f" {MINUS} ", "mul": "\u00b7", "div": " / "}
    line: list[Token] = [v(out), " = "]
    if node.op in symbols and len(xs) >= 2:
        if out != symbols[node.op].join(xs):  # a product named w1·x1 needs no w1·x1 = w1·x1
            for i, name in enumerate(xs):
                line += [symbols[node.op]] if i else []
                line.append(v(name))
            line.append(" = ")
        joiner = TIMES if node.op == "mul" else symbols[node.op]
        for i, x in enumerate(data):
            line += [joiner] if i else []
            line.append(n(x))
    elif node.op == "dot":
        ws, inputs, bias = dot_parts(xs)
        terms = [[v(w), "\u00b7", v(x)] for w, x in zip(ws, inputs)] + [[v(b)] for b in bias]
        for i, term in enumerate(terms):
            line += ([" + "] if i else []) + term
    else:
        function = node.symbol or node.op
        if node.exponent is not None:
            line += [v(xs[0]), ["sup", f"{node.exponent:g}"]]
        else:
            line += [function, "(", *_joined([v(x) for x in xs]), ")"]
        line += [" = "]
        if node.exponent is not None:
            line += [n(data[0]), ["sup", f"{node.exponent:g}"]]
        else:
            line += [function, "(", *_joined([n(x) for x in data]), ")"]
    line += [" = ", n(node.data)]
    return line


def _joined(tokens: list) -> list:
    out: list = []
    for i, token in enumerate(tokens):
        out += [", "] if i else []
        out.append(token)
    return out


def plain(tokens: list[Token]) -> str:
    """The tokens as plain text (for titles, tooltips and tests): ∂a/∂z = a·(1 − a) = ..."""
    parts = []
    for token in tokens:
        if isinstance(token, str):
            parts.append(token)
        elif token[0] == "d":
            parts.append(f"\u2202{_grouped(token[1])}/\u2202{_grouped(token[2])}")
        elif token[0] == "sup":
            parts.append("^" + (token[1] if len(token[1]) == 1 else f"({token[1]})"))
        else:
            parts.append(token[1])
    return "".join(parts)


def _grouped(name: str) -> str:
    """A name inside ∂…: parenthesised when it is a product (w1·x1)."""
    return f"({name})" if "\u00b7" in name else name
