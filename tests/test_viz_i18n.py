"""The language tables: every language has the same sections, keys and fields."""

import string

import pytest

from viz import i18n


def _fields(phrase: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(phrase) if name}


def test_every_language_has_the_same_keys_and_fields():
    english = i18n.table("en")
    for lang in i18n.LANGS:
        other = i18n.table(lang)
        assert other.keys() == english.keys(), lang
        for name, phrases in english.items():
            assert other[name].keys() == phrases.keys(), (lang, name)
            for key, phrase in phrases.items():
                assert _fields(other[name][key]) == _fields(phrase), (lang, name, key)
                assert other[name][key].strip(), (lang, name, key)


def test_text_fills_fields_and_refuses_unknown_languages():
    assert i18n.text("pt-BR", "common.step_of", step=2, steps=5) == "passo 2 de 5"
    assert i18n.section("en", "common")["language"] == "English"
    with pytest.raises(ValueError, match="lang must be one of en, pt-BR, not 'fr'"):
        i18n.text("fr", "common.language")
