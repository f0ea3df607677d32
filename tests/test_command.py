"""The ``chaingrad`` command: its subcommands, each with --help, and its refusals."""

import subprocess
import sys
from pathlib import Path

import pytest

from viz.command import COMMANDS, main

COMMAND = Path(sys.executable).parent / "chaingrad"  # pip's console script for viz.command


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_installed_command_lists_its_subcommands():
    done = subprocess.run([COMMAND, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: chaingrad COMMAND")
    for name in ("graph", "worksheet", "playground"):
        assert f"\n  {name} " in done.stdout


@pytest.mark.parametrize("name", ["graph", "worksheet"])
def test_each_subcommand_has_its_help_under_its_own_name(capsys, name):
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: chaingrad {name} ")


def test_the_playground_has_its_help_under_its_own_name(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["playground", "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("usage: chaingrad playground ")


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_the_playground_refuses_a_port_that_is_none(capsys, port):
    """Not a silent random port: argparse's one-line refusal, exit 2, nothing served."""
    with pytest.raises(SystemExit) as exit_:
        main(["playground", "--port", port, "--no-browser"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "argument --port: " in err.splitlines()[-1]
    assert "is not a port" in err


@pytest.mark.parametrize(("argv", "message"), [
    ([], "error: a command is needed: choose one of graph, worksheet, playground"),
    (["draw"], "error: unknown command 'draw': choose one of graph, worksheet, playground"),
])  # fmt: skip
def test_a_missing_or_unknown_subcommand_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_graph_and_worksheet_do_what_their_modules_do(capsys, tmp_path):
    code, out, _ = run(capsys, "graph", "tanh(x*w + b)", "x=0.5", "w=-1.5", "b=2",
                       "-o", tmp_path / "g.svg")  # fmt: skip
    assert code == 0 and out.startswith("tanh(x*w + b) = 0.848284")
    assert "</svg>" in (tmp_path / "g.svg").read_text(encoding="utf-8")
    (tmp_path / "roster.txt").write_text("name\nAna\nBia\n", encoding="utf-8")
    code, out, _ = run(capsys, "worksheet", "--students", tmp_path / "roster.txt", "--seed", "1",
                       "-o", tmp_path / "out")  # fmt: skip
    assert code == 0 and "wrote 2 sheets" in out
    code, out, _ = run(capsys, "worksheet", "grade", tmp_path / "out" / "key.json", "--template",
                       tmp_path / "answers.csv")  # fmt: skip
    assert code == 0 and (tmp_path / "answers.csv").read_text().startswith("student,")


def test_every_subcommand_names_a_module_of_viz():
    assert set(COMMANDS) == {"graph", "worksheet", "playground"}
    assert all(module.startswith("viz.") for module, _ in COMMANDS.values())
