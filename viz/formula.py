"""Formulas such as ``tanh(x*w + b)`` turned into Value graphs, never with ``eval``.

The text is parsed by Python's :mod:`ast` and walked with an allow-list: numbers,
variables, ``+ - * / **``, unary ``-``/``+``, calls of the engine's functions
(``autograd.functions.__all__``) with expression arguments, list arguments (for
``sum``, ``dot``, ``max``, ``min``; ``max(x, y, 0)`` works too) and keyword arguments
that are numbers or text (``leaky_relu(x, slope=0.1)``, ``gelu(x, approximate='tanh')``).
Anything else is a :class:`FormulaError` before a single Value is made.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Mapping
from typing import Any

from autograd import Value, functions

MAX_LENGTH = 2000
MAX_SYNTAX_NODES = 2000
MAX_DEPTH = 100

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}  # fmt: skip
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load,
            ast.Call, ast.List, ast.Tuple, ast.keyword, ast.USub, ast.UAdd,
            *_BINARY)  # fmt: skip


class FormulaError(ValueError):
    """The formula is not allowed, malformed or refers to something unknown."""


def function_names() -> list[str]:
    """The functions a formula may call: the engine's free functions."""
    return list(functions.__all__)


# The operators a formula may not use, as the learner typed them; ^ is the one a learner
# means as a power (as in maths and spreadsheets), so its refusal says what to write.
_SYMBOLS = {ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<",
            ast.RShift: ">>", ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@",
            ast.Invert: "~", ast.Not: "not"}  # fmt: skip
_HINTS = {ast.BitXor: " (use ** for a power: x**2)"}


def _describe(node: ast.AST) -> str:
    names = {ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.Subscript:
             "indexing", ast.Compare: "comparison", ast.BoolOp: "and/or",
             ast.IfExp: "if-expression", ast.NamedExpr: "assignment"}  # fmt: skip
    for kind, text in names.items():
        if isinstance(node, kind):
            return text
    if isinstance(node, (ast.operator, ast.unaryop)):  # as met walking the tree: + in a + b
        kind = type(node)
        return f"the operator {_SYMBOLS.get(kind, kind.__name__)}{_HINTS.get(kind, '')}"
    return type(node).__name__


def parse(text: str) -> ast.Expression:
    """The checked syntax tree of ``text``; FormulaError for anything off the allow-list."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula too long: {len(text)} characters (limit {MAX_LENGTH})")
    if not text.strip():
        raise FormulaError("empty formula")
    try:
        with warnings.catch_warnings():  # Python's own warnings ("invalid decimal literal"
            warnings.simplefilter("error")  # in 1ifx) become the one-line refusal below
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        where = f"column {error.offset}" if error.offset else "the end"
        raise FormulaError(f"syntax error at {where}: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula too deeply nested or malformed") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_SYNTAX_NODES:
        raise FormulaError(f"formula too big: {len(nodes)} syntax nodes "
                           f"(limit {MAX_SYNTAX_NODES})")  # fmt: skip
    if _depth(tree) > MAX_DEPTH:
        raise FormulaError(f"formula nested too deeply (limit {MAX_DEPTH} levels)")
    allowed_calls = set(function_names())
    call_arguments = {arg for n in nodes if isinstance(n, ast.Call) for arg in n.args}
    keyword_texts = {k.value for n in nodes if isinstance(n, ast.Call) for k in n.keywords
                     if _is_text(k.value)}  # fmt: skip
    for node in nodes:
        if isinstance(node, (ast.List, ast.Tuple)) and node not in call_arguments:
            raise FormulaError("not allowed in a formula: a list outside a function's arguments")
        if not isinstance(node, _ALLOWED):
            raise FormulaError(f"not allowed in a formula: {_describe(node)}")
        if isinstance(node, ast.Constant) and node not in keyword_texts and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))
        ):
            raise FormulaError(f"not allowed in a formula: the constant {node.value!r}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise FormulaError(f"not allowed in a formula: calling {_describe(node.func)}")
            if node.func.id not in allowed_calls:
                raise FormulaError(f"unknown function {node.func.id!r}; allowed: "
                                   + ", ".join(sorted(allowed_calls)))  # fmt: skip
            for keyword in node.keywords:
                if keyword.arg is None or not (_is_number(keyword.value)
                                               or keyword.value in keyword_texts):
                    raise FormulaError(f"{node.func.id}: keyword arguments must be numbers "
                                       "or text")
    return tree


def _is_number(node: ast.AST) -> bool:
    while isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _depth(tree: ast.AST) -> int:
    """How deeply the syntax tree nests, found without recursion."""
    deepest, level = 0, [tree]
    while level:
        deepest += 1
        level = [child for node in level for child in ast.iter_child_nodes(node)]
    return deepest


def variable_names(tree: ast.Expression) -> list[str]:
    """The variables the formula reads, in order of first appearance."""
    called = {n.func for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n not in called]
    names.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in names))


class _Builder:
    """Walks a checked tree, making Values for variables and number constants."""

    def __init__(self, variables: Mapping[str, Value]) -> None:
        self.variables = variables

    def build(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            return Value(float(node.value))
        if isinstance(node, ast.Name):
            return self.variables[node.id]
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.build(item) for item in node.elts]
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = self.build(node.left), self.build(node.right)
            return _BINARY[type(node.op)](left, right)
        assert isinstance(node, ast.Call)
        function = getattr(functions, node.func.id)
        kwargs = {k.arg: k.value.value if _is_text(k.value) else self.build(k.value).data
                  for k in node.keywords}  # fmt: skip
        return function(*[self.build(arg) for arg in node.args], **kwargs)


def evaluate(text: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The Value of formula ``text`` with variables set from ``values``, and the variables.

    Raises FormulaError for a disallowed or malformed formula, an unset variable, a
    list where a number belongs, or a failing computation (division by zero, ...).
    """
    tree = parse(text)
    names = variable_names(tree)
    missing = [name for name in names if name not in values]
    if missing:
        given = " ".join(f"{name}=1.0" for name in missing)
        raise FormulaError(f"unknown variable {missing[0]!r}: give it a value, e.g. {given}")
    variables = {name: Value(values[name], label=name) for name in names}
    try:
        result = _Builder(variables).build(tree)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise FormulaError(f"cannot compute the formula: {error}") from None
    if not isinstance(result, Value):
        raise FormulaError("the formula must be a number, not a list")
    return result, variables
