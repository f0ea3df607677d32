"""The words a learner reads, in every language chaingrad speaks: one table per language.

Each language is one JSON file in ``viz/locales/`` (``en.json``, ``pt-BR.json``), holding
one section per page or picture (``"stepper"``, ``"network"``, ``"playground"``,
``"worksheet"``, ...), each a flat map from a key to a phrase.  Phrases may hold
``{fields}`` (Python's ``str.format`` syntax), filled in by :func:`text`; a page's script
gets its section whole (:func:`section`) and fills the same fields itself.

    >>> text("pt-BR", "common.language")
    'Português (Brasil)'
    >>> text("en", "common.step_of", step=3, steps=7)
    'step 3 of 7'

Every language has the same keys with the same fields (a test checks), so a page never
shows a key in place of a phrase.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("en", "pt-BR")
DEFAULT_LANG = "en"


def check_lang(lang: str) -> str:
    """``lang`` itself if chaingrad speaks it, else ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


@cache
def table(lang: str) -> dict[str, dict[str, str]]:
    """The whole table of ``lang``: section name -> key -> phrase (read once, then kept;
    treat it as read-only)."""
    source = resources.files(__package__).joinpath("locales", f"{check_lang(lang)}.json")
    return json.loads(source.read_text(encoding="utf-8"))


def section(lang: str, name: str) -> dict[str, str]:
    """One section of ``lang``'s table (a copy), as a page's script receives it."""
    return dict(table(lang)[name])


def text(lang: str, key: str, **fields: Any) -> str:
    """The phrase ``"section.key"`` in ``lang``, with its ``{fields}`` filled in."""
    name, _, phrase = key.partition(".")
    return table(lang)[name][phrase].format(**fields)
