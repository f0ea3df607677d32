"""``chaingrad``: one command for chaingrad's tools, each a subcommand.

    chaingrad graph "tanh(x*w + b)" x=0.5 w=-1.5 b=2 -o graph.svg   # python -m viz
    chaingrad worksheet --students roster.txt --level 2 --seed 2026  # python -m viz.worksheet
    chaingrad worksheet grade out/key.json answers.csv
    chaingrad playground                                            # python -m viz.playground

A subcommand is a module's own ``main(argv, prog)`` (``prog`` so that its ``--help``
names ``chaingrad SUBCOMMAND``); ``chaingrad SUBCOMMAND --help`` prints its options.
pip installs the command beside the Python it installs chaingrad for, so the command
always runs with chaingrad's dependencies.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

from .cli import EXIT_REFUSED

# subcommand -> (the module whose main(argv) runs it, what it does)
COMMANDS = {
    "graph": ("viz.cli", "a formula's gradients, its graph and its step-through page"),
    "worksheet": ("viz.worksheet.cli", "a class's backprop worksheets and keys; grade answers"),
    "playground": ("viz.playground", "train a network live in the browser"),
}  # fmt: skip


def usage() -> str:
    """The command's help: its subcommands, one line each."""
    width = max(map(len, COMMANDS))
    lines = ["usage: chaingrad COMMAND [ARGUMENTS ...]", "",
             "chaingrad's tools for learning backpropagation.", "", "commands:"]  # fmt: skip
    lines += [f"  {name:<{width}}  {about}" for name, (_, about) in COMMANDS.items()]
    lines += ["", "chaingrad COMMAND --help shows a command's options."]
    return "\n".join(lines)


def entry_point(name: str) -> Callable[..., int]:
    """The ``main(argv, prog)`` of subcommand ``name``'s module."""
    return importlib.import_module(COMMANDS[name][0]).main


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``chaingrad ARGV``: the subcommand's exit code; 2 and one stderr line for an
    unknown or missing one."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    if not argv or argv[0] not in COMMANDS:
        given = f"unknown command {argv[0]!r}" if argv else "a command is needed"
        print(f"error: {given}: choose one of {', '.join(COMMANDS)} (see chaingrad --help)",
              file=sys.stderr)  # fmt: skip
        return EXIT_REFUSED
    name, rest = argv[0], argv[1:]
    return entry_point(name)(rest, prog=f"chaingrad {name}")
