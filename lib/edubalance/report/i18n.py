"""One message catalogue for everything a person reads: headings, verdicts, captions, labels.

Texts live as data in ``messages/*.yaml`` (one file per area, so areas grow independently);
each entry maps a key to its Chinese and English text::

    verdict.passed:
      zh: 通过
      en: passed

Chinese (``zh``) is the default language of everything a report shows; English (``en``) is
the option. Labels of columns and variables (``label.<name>``) are in the same catalogue.
A key defined in two files is an error, so no text can silently shadow another.

Examples
--------
>>> text("lang.name")
'中文'
>>> text("lang.name", lang="en")
'English'
>>> label("teachers", lang="zh")
'专任教师数'
>>> label("not_a_known_column")
'not_a_known_column'
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from ..io.yamldata import safe_load
from ..schema import LANGS, check_lang

__all__ = ["LANGS", "DEFAULT_LANG", "check_lang", "text", "label", "labels", "strip_unit",
           "catalogue"]

DEFAULT_LANG = "zh"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, by key, from every ``messages/*.yaml`` file of the package.

    Returns
    -------
    dict
        Key -> ``{"zh": ..., "en": ...}``.
    """
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    folder = resources.files(__package__) / "messages"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = safe_load(entry.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"message {key!r} is defined in both {origin[key]} and {entry.name}")
            if not isinstance(texts, dict) or set(texts) != set(LANGS):
                raise ValueError(f"{entry.name}: message {key!r} needs exactly the keys {LANGS}")
            merged[key], origin[key] = {lang: str(texts[lang]) for lang in LANGS}, entry.name
    return merged


def text(key: str, lang: str = DEFAULT_LANG, **values: Any) -> str:
    """The message ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key : str
        The message's key (``verdict.passed``).
    lang : {"zh", "en"}
        Language of the text.
    **values
        Values of the message's placeholders.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        For an unknown key: a missing text is a bug, not a blank.
    """
    check_lang(lang)
    try:
        template = catalogue()[key][lang]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue (edubalance/messages/*.yaml)") from None
    return template.format(**values) if values else template


_UNIT = re.compile(r"\s*(（[^（）]*）|\([^()]*\))$")
"""A unit in brackets at the end of a label: ``（册）``, ``（万元）``, `` (m²)``."""


def strip_unit(shown: str) -> str:
    """``shown`` without the unit in brackets at its end (full-width or ASCII brackets).

    Parameters
    ----------
    shown : str
        A label, e.g. ``生均图书册数（册）``.

    Returns
    -------
    str

    Examples
    --------
    >>> strip_unit("生均图书册数（册）"), strip_unit("books (volumes)"), strip_unit("人均GDP")
    ('生均图书册数', 'books', '人均GDP')
    """
    return _UNIT.sub("", str(shown))


def label(name: str, lang: str = DEFAULT_LANG, *, prefixes: Sequence[str] = ("label",),
          fallback: str | None = None, unit: bool = True) -> str:
    """The readable label of a column, variable or value: the package's one label function.

    Parameters
    ----------
    name : str
        The machine name (a column, an indicator, a standard, a unit ...).
    lang : {"zh", "en"}
        Language of the label.
    prefixes : sequence of str, default ("label",)
        Catalogue areas searched in order for ``<prefix>.<name>`` (e.g. ``("slides.col",
        "label")``: a slide's own header first, else the variable's label).
    fallback : str, optional
        Shown when no area has ``name``; ``name`` itself when None.
    unit : bool, default True
        False drops the unit in brackets at the end (:func:`strip_unit`), for crowded figures.

    Returns
    -------
    str

    Examples
    --------
    >>> label("books_per_student"), label("books_per_student", unit=False)
    ('生均图书册数（册）', '生均图书册数')
    >>> label("basic-2012", "en", prefixes=("slides.standard",)), label("x", fallback="X")
    ('basic balance (2012)', 'X')
    """
    check_lang(lang)
    messages = catalogue()
    found = next((messages[f"{prefix}.{name}"][lang] for prefix in prefixes
                  if f"{prefix}.{name}" in messages), None)
    if found is None:
        found = str(name) if fallback is None else fallback
    return found if unit else strip_unit(found)


def labels(names, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """``{name: label(name, lang)}`` for each name, ready for ``DataFrame.rename``.

    Parameters
    ----------
    names : iterable of str
        Machine names.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    dict
    """
    return {name: label(name, lang) for name in names}
