"""County names for readers of English: pinyin, with the Chinese name beside it.

English slides and figures name a county the way Chinese place names are written in Latin
letters (the national romanisation of place names, GB/T 17693): the proper name in pinyin,
written as one word without tones, with an apostrophe where a syllable starting with a, o or
e would run into the one before it (Xi'an), and the administrative suffix as a word of its
own (区 Qu, 县 Xian, 市 Shi, 旗 Qi, 自治县 Zizhixian ...). The readings come from ``pypinyin``
(its phrase dictionary settles most characters with two readings).

- :func:`county_label` - one name: ``Dawukou Qu (大武口区)``, or ``Dawukou`` when space is short;
  Chinese slides keep the Chinese name.
- :func:`county_labels` - the same for a column of names (each distinct name romanised once).

A name with no Chinese character (a code, an English name) is shown as it is.

Examples
--------
>>> county_label("大武口区", "en")
'Dawukou Qu (大武口区)'
>>> county_label("大武口区", "en", short=True)
'Dawukou'
>>> county_label("大武口区", "zh")
'大武口区'
"""
from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from .i18n import DEFAULT_LANG, check_lang

__all__ = ["county_label", "county_labels", "romanize", "SUFFIXES"]

SUFFIXES = (
    ("自治县", "Zizhixian"), ("自治旗", "Zizhiqi"), ("林区", "Linqu"), ("特区", "Tequ"),
    ("新区", "Xinqu"), ("区", "Qu"), ("县", "Xian"), ("市", "Shi"), ("旗", "Qi"),
)
"""Administrative suffixes of county-level names and their romanised words, longest first."""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RUNS = re.compile(_CJK.pattern + "+|" + _CJK.pattern.replace("[", "[^", 1) + "+")
_VOWEL_START = ("a", "o", "e")


def romanize(words: str) -> str:
    """``words`` in pinyin as one capitalised word (the rules for place names).

    Syllables are joined without spaces or tones; an apostrophe separates a syllable starting
    with a, o or e from the one before it; ü is kept. Characters that are not Chinese are kept
    as they are.

    Parameters
    ----------
    words : str
        Chinese characters (other characters pass through).

    Returns
    -------
    str

    Examples
    --------
    >>> romanize("西安"), romanize("吕梁"), romanize("沙坡头")
    ("Xi'an", 'Lüliang', 'Shapotou')
    """
    from pypinyin import Style, lazy_pinyin

    pieces: list[str] = []
    for run in _RUNS.findall(words):
        if not _CJK.match(run):
            pieces.append(run)
            continue
        for syllable in lazy_pinyin(run, style=Style.NORMAL, v_to_u=True):
            if pieces and syllable[:1] in _VOWEL_START and pieces[-1][-1:].isalpha():
                syllable = "'" + syllable
            pieces.append(syllable)
    joined = "".join(pieces)
    return joined[:1].upper() + joined[1:]


@functools.lru_cache(maxsize=8192)
def _romanized(name: str) -> tuple[str, str]:
    """``(proper name, suffix)`` of ``name`` in pinyin; the suffix may be ""."""
    for chinese, latin in SUFFIXES:
        if name.endswith(chinese) and len(name) > len(chinese):
            return romanize(name[: -len(chinese)]), latin
    return romanize(name), ""


def county_label(name, lang: str = DEFAULT_LANG, *, short: bool = False) -> str:
    """The name of a county as a reader of ``lang`` sees it on a slide or a figure.

    Parameters
    ----------
    name : str
        The county's Chinese name (as in the data).
    lang : {"zh", "en"}
        ``zh``: the name itself. ``en``: pinyin with the administrative suffix as a word and
        the Chinese name in brackets (``Dawukou Qu (大武口区)``).
    short : bool
        For figures with many names: the proper name in pinyin only (``Dawukou``).

    Returns
    -------
    str
        A name with no Chinese character is returned unchanged, in every language.

    Examples
    --------
    >>> county_label("灵武市", "en"), county_label("中宁县", "en", short=True)
    ('Lingwu Shi (灵武市)', 'Zhongning')
    >>> county_label("Demo County", "en"), county_label("灵武市")
    ('Demo County', '灵武市')
    """
    check_lang(lang)
    name = str(name)
    if lang == "zh" or not _CJK.search(name):
        return name
    proper, suffix = _romanized(name)
    if short:
        return proper
    return f"{proper} {suffix} ({name})" if suffix else f"{proper} ({name})"


def county_labels(names, lang: str = DEFAULT_LANG, *, short: bool = False) -> list[str]:
    """:func:`county_label` of each name, each distinct name romanised once.

    Parameters
    ----------
    names : iterable of str
    lang : {"zh", "en"}
    short : bool
        See :func:`county_label`.

    Returns
    -------
    list of str
        In the order of ``names``.

    Examples
    --------
    >>> county_labels(["灵武市", "灵武市", "盐池县"], "en", short=True)
    ['Lingwu', 'Lingwu', 'Yanchi']
    """
    check_lang(lang)
    values = pd.Series(list(names), dtype=object).astype(str)
    if lang == "zh" or values.empty:
        return values.tolist()
    codes, uniques = pd.factorize(values)
    shown = [county_label(name, lang, short=short) for name in uniques]
    return np.asarray(shown, dtype=object)[codes].tolist()
