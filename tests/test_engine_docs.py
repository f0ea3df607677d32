"""The engine page (docs/engine.md and its Portuguese twin) quotes the engine's own code:
every ```py block that defines a function of autograd/backprop.py, or an entry of the op
table, is that code, word for word."""

import inspect
import re
from pathlib import Path

import pytest

from autograd import backprop

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["docs/engine.md", "docs/engine.pt-BR.md"]
QUOTE = re.compile(r"^```py\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("page", PAGES)
def test_the_page_quotes_backprop_and_ops_word_for_word(page):
    quotes = QUOTE.findall((ROOT / page).read_text(encoding="utf-8"))
    functions = [q for q in quotes if q.startswith("def ")]
    assert [q.split("(")[0] for q in functions] == ["def chain_rule_step", "def backward"]
    for quote in functions:
        name = quote.split("(")[0][len("def "):]
        assert quote == inspect.getsource(getattr(backprop, name))
    entries = [q for q in quotes if not q.startswith("def ")]
    ops_source = (ROOT / "autograd/ops.py").read_text(encoding="utf-8")
    assert entries and all(entry in ops_source for entry in entries)


def test_the_pages_link_each_other_and_are_linked_from_the_readme_and_tutorials():
    english, portuguese = ((ROOT / page).read_text(encoding="utf-8") for page in PAGES)
    assert "engine.pt-BR.md" in english and "](engine.md)" in portuguese
    assert "docs/engine.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(engine.md)" in (ROOT / "docs/tutorial.md").read_text(encoding="utf-8")
    assert "(engine.pt-BR.md)" in (ROOT / "docs/tutorial.pt-BR.md").read_text(encoding="utf-8")
