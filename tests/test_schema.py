"""edubalance.schema: the fixed vocabularies (levels, languages) and their checks."""
from __future__ import annotations

import pytest

from edubalance.errors import ParameterError
from edubalance.schema import LANGS, LEVEL_ALIASES, LEVELS, check_lang, level_name


def test_the_vocabularies():
    assert LEVELS == ("primary", "junior")
    assert LANGS == ("zh", "en")
    assert set(LEVEL_ALIASES) == set(LEVELS)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_check_lang_returns_a_supported_language(lang):
    assert check_lang(lang) == lang


@pytest.mark.parametrize("lang", ["fr", "ZH", "", None])
def test_check_lang_refuses_anything_else_and_lists_the_choices(lang):
    with pytest.raises(ParameterError, match="use one of zh, en"):
        check_lang(lang)


@pytest.mark.parametrize(("written", "level"), [
    ("primary", "primary"), ("junior", "junior"), (" Primary ", "primary"), ("JUNIOR", "junior"),
    ("小学", "primary"), ("初中", "junior"), ("初级中学", "junior"),
    ("middle  school", "junior"), ("Primary School", "primary")])
def test_level_name_accepts_names_and_aliases_in_any_case_and_spacing(written, level):
    assert level_name(written) == level


def test_level_name_refuses_an_unknown_level_with_the_closest_one():
    with pytest.raises(ParameterError, match="did you mean primary"):
        level_name("primery")
    with pytest.raises(ParameterError, match="unknown level 'high'"):
        level_name("high")
