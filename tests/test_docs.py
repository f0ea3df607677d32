"""The docs cannot drift from the code: every ```python block of the README and of both
tutorials runs, in order, in one namespace per file, inside a temporary folder.

A block written as an interactive session (lines starting with ``>>>``) is checked as a
doctest, so the numbers it shows must be the numbers chaingrad prints.  Other blocks
are executed.  Every ``examples/NAME.py`` a document mentions must exist.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "docs/tutorial.md", "docs/tutorial.pt-BR.md",
             "docs/coming_from_pytorch.md", "docs/coming_from_pytorch.pt-BR.md",
             "docs/engine.md", "docs/engine.pt-BR.md"]
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def code_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, source) of every ```python block."""
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


def run_block(source: str, namespace: dict, where: str) -> None:
    if re.search(r"^\s*>>> ", source, re.M):
        test = doctest.DocTestParser().get_doctest(source, namespace, where, where, 0)
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        messages: list[str] = []
        runner.run(test, out=messages.append, clear_globs=False)
        namespace.update(test.globs)  # DocTest works on a copy; later blocks need the names
        assert not runner.failures, "".join(messages)
    else:
        exec(compile(source, where, "exec"), namespace)


def existing(documents: list[str]) -> list[str]:
    return [d for d in documents if (ROOT / d).exists()]


@pytest.mark.parametrize("document", existing(DOCUMENTS))
def test_code_blocks_run(document, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pictures the docs write go to a temporary out/
    namespace: dict = {"__name__": "__docs__"}
    for line, source in code_blocks((ROOT / document).read_text(encoding="utf-8")):
        run_block(source, namespace, f"{document}, block at line {line}")


@pytest.mark.parametrize("document", existing(DOCUMENTS))
def test_mentioned_examples_exist(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    for path in set(re.findall(r"examples/[\w/]+\.(?:py|md)", text)) - {"examples/NAME.py"}:
        assert (ROOT / path).exists(), f"{document} mentions {path}, which does not exist"


def test_both_tutorials_exist_and_have_code():
    for document in ("docs/tutorial.md", "docs/tutorial.pt-BR.md"):
        assert len(code_blocks((ROOT / document).read_text(encoding="utf-8"))) >= 8, document


def test_a_failing_doctest_block_is_caught():
    with pytest.raises(AssertionError, match="Expected"):
        run_block(">>> 1 + 1\n3\n", {}, "self-test")


SEED_FILES = {"003": "003_study-notes-ann.txt", "004": "004_lecture-slides-ann-intro.txt"}
SEED_OF_EXAMPLE = {"overfitting": "003", "numpy_vs_autograd": "004", "activations": "004"}


def test_seed_numbers_follow_the_seed_files_names():
    for document in ("docs/tutorial.md", "docs/tutorial.pt-BR.md"):
        text = (ROOT / document).read_text(encoding="utf-8")
        assert all(name in text for name in SEED_FILES.values()), document
        assert "each other" not in text and "um do outro" not in text, document
    for example, seed in SEED_OF_EXAMPLE.items():
        text = (ROOT / "examples" / f"{example}.py").read_text(encoding="utf-8")
        mentioned = set(re.findall(r"[Ss]eed (00[34])", text))
        assert mentioned == {seed}, (example, mentioned)


def test_the_tutorials_forward_vs_reverse_tables_count_passes_right():
    """The table of examples/forward_vs_reverse.py: reverse mode 1 pass for f: R^n -> R,
    forward mode 1 for g: R -> R^n, n passes for the other mode."""
    for document in ("docs/tutorial.md", "docs/tutorial.pt-BR.md"):
        text = (ROOT / document).read_text(encoding="utf-8")
        rows = re.findall(r"^\| ([fg]): R[^|]*\| (\d+) \| (\d+) \| (\d+) \|", text, re.M)
        assert [(f, int(n)) for f, n, *_ in rows] == [
            (f, n) for f in "fg" for n in (1, 10, 100, 1000)], document  # fmt: skip
        for f, n, reverse, forward in rows:
            expected = ("1", n) if f == "f" else (n, "1")
            assert (reverse, forward) == expected, (document, f, n)
