"""Small display helpers for the domain notebooks: readable headers and a Styler for people.

A table shown to a reader has no row index, Chinese headers (``label.<column>``, indicator and
variable labels), integers as integers with thousands separators, a fixed number of decimals,
a dash for a missing value, every cell escaped for HTML (county names are user text), and a
caption. The results files keep their contract column names; only what is shown is renamed.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"county_name": ["<b>甲县</b>"], "n_schools": [12], "gini": [0.12345]})
>>> list(readable(frame).columns)
['县（市、区）', '学校数（所）', '基尼系数']
>>> html = styled(frame, caption="表 1").to_html()
>>> "0.123" in html and "&lt;b&gt;" in html and "<b>甲县" not in html
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .i18n import check_lang, label

__all__ = ["variable_label", "short_label", "new_axes", "readable", "styled"]


def variable_label(name: str, lang: str = "zh") -> str:
    """Label of a column or variable: the catalogue's, else an indicator's Chinese name,
    else the name with spaces for underscores.

    Examples
    --------
    >>> variable_label("books_per_student")
    '生均图书册数（册）'
    >>> variable_label("some_new_column", "en")
    'some new column'
    """
    from .indicators import INDICATORS

    check_lang(lang)
    found = label(str(name), lang)
    if found != str(name):
        return found
    if lang == "zh" and name in INDICATORS:
        return INDICATORS[name].label
    return str(name).replace("_", " ")


def short_label(name: str) -> str:
    """A label without its unit in brackets, for crowded figures.

    Examples
    --------
    >>> short_label("生均图书册数（册）"), short_label("books (volumes)")
    ('生均图书册数', 'books')
    """
    for bracket in ("（", " ("):
        name = name.split(bracket)[0]
    return name


def new_axes(ax=None, figsize=(8, 5)):
    """``ax``, or the Axes of a new figure of ``figsize`` when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def readable(frame: pd.DataFrame, lang: str = "zh", rename: dict | None = None) -> pd.DataFrame:
    """``frame`` with readable headers (``rename`` overrides single columns)."""
    names = {c: (rename or {}).get(c) or variable_label(c, lang) for c in frame.columns}
    return frame.rename(columns=names)


def styled(frame: pd.DataFrame, lang: str = "zh", *, caption: str | None = None,
           digits: int | dict = 3, rename: dict | None = None, translate: bool = True):
    """A pandas Styler for people: no index, readable headers, numbers formatted, escaped.

    ``digits``: decimals of float columns, one number or ``{column: digits}`` (by the
    frame's own column names; others get 3). Whole-number float columns (counts and ranks
    read back as floats) are shown without decimals.
    """
    shown = readable(frame, lang, rename) if translate else frame.copy()
    per_column = digits if isinstance(digits, dict) else {}
    default = 3 if isinstance(digits, dict) else digits
    formats = {}
    for original, column in zip(frame.columns, shown.columns, strict=True):
        values = shown[column]
        places = per_column.get(original, default)
        if pd.api.types.is_bool_dtype(values):
            yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
            formats[column] = lambda v, yes=yes, no=no: yes if v else no
        elif pd.api.types.is_integer_dtype(values):
            formats[column] = "{:,.0f}"
        elif pd.api.types.is_float_dtype(values):
            finite = values[np.isfinite(values.to_numpy(dtype=float))]
            whole = len(finite) and (finite == finite.round()).all() and finite.abs().max() > 1
            formats[column] = "{:,.0f}" if whole else f"{{:,.{places}f}}"
    style = shown.style.hide(axis="index").format(formats, na_rep="—", escape="html")
    if caption:
        style = style.set_caption(caption)
    return style
