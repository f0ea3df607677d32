"""Every shell command of the docs runs as printed, as tests/test_docs.py runs their Python.

Each ```sh block of the README, the pages in docs/ and the exercises' README runs with
``bash -e``, in order, in one working folder per document laid out as a clone after
``make demo``: the repository's files, its ``.venv`` and an ``out/`` folder.  A failing
command fails the test.  A block fenced ```sh long-running is not run: each of its
commands must be in NOT_RUN, with the reason.  Commands in the text itself (inline code)
must be written the same way, from the clone's environment (``.venv/bin/...``).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WITH_COMMANDS = ["README.md", "docs/tutorial.md", "docs/tutorial.pt-BR.md",
                 "examples/exercises/README.md"]  # fmt: skip
DOCUMENTS = sorted({*WITH_COMMANDS, *(str(p.relative_to(ROOT)) for p in ROOT.glob("docs/*.md"))})
BLOCK = re.compile(r"^```sh([^\n]*)\n(.*?)^```", re.S | re.M)
NOT_RUN = {
    "make demo": "it makes the environment these tests run in (and tests/test_examples.py "
    "runs examples/demo.py)",
    "make test": "it runs this very test suite",
    "make bench": "the benchmarks take minutes: speed is measured there, never in a test",
    "make torch": "it installs torch into the environment the tests run in (.ci/run runs it "
    "before make test)",
    ".venv/bin/pip install": "it downloads from the package registry and changes the "
    "environment the tests run in",
}
# inline code that is a command: a program, a space, its arguments
INLINE_COMMAND = re.compile(r"`((?:python3?|pip3?|chaingrad|jupyter|\.venv/bin/\w+) [^`]+)`")


def shell_blocks(text: str) -> list[tuple[int, bool, str]]:
    """(line number, long-running?, source) of every ```sh block."""
    return [(text.count("\n", 0, m.start()) + 2, "long-running" in m.group(1).split(),
             m.group(2)) for m in BLOCK.finditer(text)]  # fmt: skip


def commands(source: str) -> list[str]:
    """The commands of a block: its lines without comments or blank lines."""
    lines = (line.split(" #", 1)[0].strip() for line in source.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def clone_after_make_demo(folder: Path) -> Path:
    """A working folder that looks like the clone after ``make demo``."""
    for entry in ROOT.iterdir():
        if entry.name not in (".git", "out"):
            (folder / entry.name).symlink_to(entry)
    (folder / "out").mkdir()
    return folder


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_shell_block_runs_as_printed(document, tmp_path):
    if not (ROOT / ".venv" / "bin" / "chaingrad").exists():
        pytest.skip("the clone has no .venv with chaingrad (make demo or make test makes it)")
    work = clone_after_make_demo(tmp_path)
    blocks = shell_blocks((ROOT / document).read_text(encoding="utf-8"))
    ran = 0
    for line, long_running, source in blocks:
        if long_running:
            continue
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", source], cwd=work,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, (f"{document}, block at line {line} failed:\n{source}\n"
                                      f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")  # fmt: skip
        ran += 1
    assert ran >= 1 or document not in WITH_COMMANDS, f"{document} has no shell block that runs"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_command_not_run_is_listed_with_its_reason(document):
    for line, long_running, source in shell_blocks((ROOT / document).read_text("utf-8")):
        for command in commands(source) if long_running else []:
            assert any(command.startswith(known) for known in NOT_RUN), (
                f"{document}, line {line}: {command!r} is not run; say why in NOT_RUN")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_commands_in_the_text_run_from_the_clones_environment(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    for command in INLINE_COMMAND.findall(BLOCK.sub("", text)):
        assert command.startswith(".venv/bin/"), (
            f"{document}: `{command}` would not run as printed; write .venv/bin/...")
    for command in (c for _, _, source in shell_blocks(text) for c in commands(source)):
        assert command.startswith((".venv/bin/", "make ", "printf ")), (document, command)


def test_the_checks_catch_a_bare_python_and_a_failing_command(tmp_path):
    assert INLINE_COMMAND.findall("run `python -m viz x x=1` now") == ["python -m viz x x=1"]
    (line, long_running, source), = shell_blocks("text\n```sh\nfalse\n```\n")
    assert (line, long_running) == (3, False)
    assert subprocess.run(["bash", "-e", "-c", source], cwd=tmp_path).returncode != 0
