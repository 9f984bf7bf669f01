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

from functools import lru_cache
from importlib import resources
from typing import Any

from ..io.yamldata import safe_load
from ..schema import LANGS, check_lang

__all__ = ["LANGS", "DEFAULT_LANG", "check_lang", "text", "label", "labels", "catalogue"]

DEFAULT_LANG = "zh"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, by key, from every ``messages/*.yaml`` file of the package."""
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

    Raises ``KeyError`` for an unknown key: a missing text is a bug, not a blank.
    """
    check_lang(lang)
    try:
        template = catalogue()[key][lang]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue (edubalance/messages/*.yaml)") from None
    return template.format(**values) if values else template


def label(name: str, lang: str = DEFAULT_LANG) -> str:
    """The readable label of a column or variable (``label.<name>``), or ``name`` itself."""
    check_lang(lang)
    entry = catalogue().get(f"label.{name}")
    return entry[lang] if entry else name


def labels(names, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """``{name: label(name, lang)}`` for each name, ready for ``DataFrame.rename``."""
    return {name: label(name, lang) for name in names}
