"""The languages of the worksheets and their phrases: English and Brazilian Portuguese."""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "pt-BR")


def check_lang(lang: str) -> str:
    """``lang`` itself if it is one of LANGS, else ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def translate(table: Mapping[str, Mapping[str, str]], lang: str, key: str, **fields: object) -> str:
    """The phrase ``key`` of ``table`` in ``lang``, with ``{fields}`` filled in."""
    return table[key][check_lang(lang)].format(**fields)
