"""The formula CLI: ``chaingrad graph "tanh(x*w + b)" x=0.5 w=-1.5 b=2 -o graph.svg``
(or ``python -m viz ...``).

Prints the formula's value and every variable's gradient, and writes the graph
(``-o``: .svg, .png, .pdf or .dot) and the step-through page (``--html``).  Every
refusal is one line on stderr and exit code 2, with no traceback; refusals (including
an output path whose folder does not exist) come before anything is computed or written.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .embedded import EmbeddedRenderError
from .formula import FormulaError, evaluate, function_names
from .graph import RANKDIRS
from .i18n import LANGS
from .render import FILE_FORMATS, GraphvizNotFoundError, format_of, render, use_system_dot
from .stepper import backprop_html

EXIT_REFUSED = 2
PROG = "python -m viz"
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.+)")


class Refusal(Exception):
    """A reason to stop before doing anything, shown as one line."""


class Parser(argparse.ArgumentParser):
    """An argument parser that refuses (:class:`Refusal`) instead of exiting itself, so
    a command's every refusal is one line and exit code 2 (also ``python -m
    viz.worksheet``'s)."""

    def error(self, message: str) -> NoReturn:
        raise Refusal(f"{message} (see --help)")


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = Parser(
        prog=prog,
        description="Evaluate a formula with chaingrad, backpropagate, print the gradients "
        "and draw the graph.",
        epilog="functions: " + ", ".join(function_names())
        + ".  A formula that starts with '-' goes after '--'.",
    )  # fmt: skip
    parser.add_argument("formula", help='e.g. "tanh(x*w + b)"')
    parser.add_argument("values", nargs="*", metavar="NAME=VALUE", help="variable values")
    parser.add_argument("-o", "--output", help="graph file: " + ", ".join(
        "." + f for f in FILE_FORMATS))  # fmt: skip
    parser.add_argument("--html", help="step-through backprop page to write")
    parser.add_argument("--rankdir", default="LR", choices=RANKDIRS, help="graph direction")
    parser.add_argument("--lang", default="en", choices=LANGS,
                        help="language of the --html page and the graph's legend (en)")
    return parser


def parse_values(assignments: Sequence[str]) -> dict[str, float]:
    """``["x=0.5", "w=-1.5"]`` → ``{"x": 0.5, "w": -1.5}``; Refusal for anything else."""
    values: dict[str, float] = {}
    for text in assignments:
        match = _ASSIGNMENT.fullmatch(text)
        if not match:
            raise Refusal(f"expected NAME=VALUE, got {text!r}")
        name, number = match.groups()
        try:
            values[name] = float(number)
        except ValueError:
            hint = f" (use a point: {number.replace(',', '.')})" if "," in number else ""
            raise Refusal(f"{name}: {number!r} is not a number{hint}") from None
        if values[name] != values[name]:
            raise Refusal(f"{name}: NaN is not allowed")
    return values


def _table(formula: str, result, variables) -> str:
    width = max([8, *map(len, variables)])
    lines = [f"{formula} = {result.data:.6g}", "",
             f"{'variable':<{width}}  {'value':>12}  {'gradient':>12}"]  # fmt: skip
    lines += [f"{name:<{width}}  {v.data:>12.6g}  {v.grad:>12.6g}" for name, v in variables.items()]
    return "\n".join(lines)


def run(argv: Sequence[str], prog: str = PROG) -> int:
    """Run the CLI on ``argv`` (without the program name); returns the exit code."""
    args = _parser(prog).parse_args(list(argv))
    values = parse_values(args.values)
    for option, target in (("-o", args.output), ("--html", args.html)):
        if target and (Path(target).is_dir() or not Path(target).parent.is_dir()):
            raise Refusal(f"{option} {target}: not a file in an existing folder")
    if args.output:
        fmt = format_of(args.output)  # an unknown extension: refuse before computing
        if fmt != "dot":
            use_system_dot(fmt)  # PNG/PDF without Graphviz: refuse before computing anything
    result, variables = evaluate(args.formula, values)
    for name in values.keys() - variables.keys():
        print(f"note: {name} is not used by the formula", file=sys.stderr)
    result.backward()
    print(_table(args.formula.strip(), result, variables))
    if args.output:
        print(f"wrote {render(result, args.output, rankdir=args.rankdir, lang=args.lang)}")
    if args.html:
        print(f"wrote {backprop_html(result, args.html, rankdir=args.rankdir, lang=args.lang)}")
    return 0


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Entry point: like :func:`run`, but every refusal is one stderr line and exit 2."""
    try:
        return run(sys.argv[1:] if argv is None else argv, prog)
    except (Refusal, FormulaError, GraphvizNotFoundError, EmbeddedRenderError,
            ValueError, ArithmeticError, OSError) as error:  # fmt: skip
        message = " ".join(str(error).split())
        print(f"error: {message}", file=sys.stderr)
        return EXIT_REFUSED
