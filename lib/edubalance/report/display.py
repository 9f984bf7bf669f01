"""Small display helpers for the domain notebooks: readable headers, axes, and their tables.

Labels: :func:`variable_label` (``label.<column>``, else an indicator's Chinese name);
tables: :func:`styled`, the package's one table builder (:func:`edubalance.report.tables.styler`)
with these labels as headers. The results files keep their contract column names; only what
is shown is renamed.

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

import pandas as pd

from .._compat import moved_names as _moved_names
from ..schema import LEVELS
from .i18n import label, strip_unit, text
from .tables import format_value, styler

# The package's one Axes helper is plotting._axes (every figure takes ax=None).
__getattr__ = _moved_names(__name__, {"new_axes": "edubalance.report.plotting:_axes"})

__all__ = ["variable_label", "short_label", "bare_label", "readable", "styled",
           "resources_for_people"]


def variable_label(name: str, lang: str = "zh") -> str:
    """Label of a column or variable, also where the catalogue names none.

    Label of a column or variable (:func:`edubalance.report.i18n.label`), for columns the
    catalogue does not name: an indicator's Chinese name, else the name with spaces for
    underscores.

    Parameters
    ----------
    name : str
        Column or variable name.
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    str

    Examples
    --------
    >>> variable_label("books_per_student")
    '生均图书册数（册）'
    >>> variable_label("some_new_column", "en")
    'some new column'
    """
    from ..core.indicators import INDICATORS

    name = str(name)
    indicator = INDICATORS.get(name) if lang == "zh" else None
    return label(name, lang, fallback=indicator.label if indicator else name.replace("_", " "))


def short_label(name: str) -> str:
    """A label without its unit in brackets, for crowded figures.

    What :func:`edubalance.report.i18n.strip_unit` returns.

    Parameters
    ----------
    name : str
        A label with or without a unit.

    Returns
    -------
    str

    Examples
    --------
    >>> short_label("生均图书册数（册）"), short_label("books (volumes)")
    ('生均图书册数', 'books')
    """
    return strip_unit(name)


def bare_label(name: str, lang: str = "zh") -> str:
    """The catalogue's label of a variable without its unit: ``人均GDP（千元）`` -> ``人均GDP``.

    Parameters
    ----------
    name : str
        A column or variable name (``label.<name>`` in the catalogue).
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    str

    Examples
    --------
    >>> bare_label("gdp_per_capita_kcny"), bare_label("gdp_per_capita_kcny", lang="en")
    ('人均GDP', 'GDP per head')
    """
    return strip_unit(label(name, lang))


def resources_for_people(needed: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """What failing schools need as a table to show: one row per resource, one column per level.

    Resources are named by their labels (with units); money is shown in 万元 (10,000 CNY);
    amounts are rounded to whole numbers when whole, else to one decimal, with thousands
    separators ("–" where a level needs nothing).

    Parameters
    ----------
    needed : DataFrame
        ``level, resource, unit, amount, schools``
        (:func:`edubalance.analysis.summaries.resources_needed`).
    lang : {"zh", "en"}
        Language of the labels and numbers.

    Returns
    -------
    DataFrame
        ``resource, primary, junior`` (text).

    Examples
    --------
    >>> needed = pd.DataFrame({"level": ["primary", "junior", "primary"],
    ...                        "resource": ["teachers_pe_arts", "teachers_pe_arts",
    ...                                     "equipment_value_cny"],
    ...                        "unit": ["人", "人", "元"], "amount": [12.0, 3.0, 382000.0],
    ...                        "schools": [4, 1, 3]})
    >>> resources_for_people(needed).values.tolist()
    [['体育艺术专任教师数（人）', '12', '3'], ['教学仪器设备值（万元）', '38.2', '–']]
    """
    frame = needed.copy()
    money = frame["resource"] == "equipment_value_cny"
    frame.loc[money, "amount"] = frame.loc[money, "amount"] / 1e4
    wide = (frame.pivot_table(index="resource", columns="level", values="amount", aggfunc="sum",
                              sort=False).reindex(columns=list(LEVELS)))

    shown = wide.apply(lambda column: column.map(
        lambda value: "–" if pd.isna(value) or value == 0
        else format_value(value, "amount", lang))).reset_index()
    shown["resource"] = [text("slides.resource.equipment_value_wan", lang)
                         if name == "equipment_value_cny" else label(name, lang)
                         for name in shown["resource"]]
    shown.columns.name = None
    return shown[["resource", *LEVELS]]


def readable(frame: pd.DataFrame, lang: str = "zh", rename: dict | None = None) -> pd.DataFrame:
    """``frame`` with readable headers (``rename`` overrides single columns).

    Parameters
    ----------
    frame : DataFrame
        Machine column names.
    lang : {"zh", "en"}
        Language of the headers.
    rename : dict, optional
        Column -> header, overriding :func:`variable_label`.

    Returns
    -------
    DataFrame
        The same values with readable headers.
    """
    names = {c: (rename or {}).get(c) or variable_label(c, lang) for c in frame.columns}
    return frame.rename(columns=names)


def styled(frame: pd.DataFrame, lang: str = "zh", *, caption: str | None = None,
           digits: int | dict = 3, rename: dict | None = None, translate: bool = True):
    """A pandas Styler of ``frame`` for the analysis notebooks.

    :func:`edubalance.report.tables.styler` for the analysis notebooks: headers by
    :func:`variable_label` (``rename`` overrides single columns; ``translate=False`` keeps the
    frame's own), plain numbers with ``digits`` decimals (one number, or ``{column: digits}``
    with 3 for the others), whole-number columns without decimals, "—" for missing.

    Parameters
    ----------
    frame : DataFrame
        Plain values with machine column names; the index is dropped.
    lang : {"zh", "en"}
        Language of the headers and of yes/no.
    caption : str, optional
        Plain text shown above the table.
    digits : int or dict, default 3
        Decimals of numbers that are not whole: one number, or ``{column: digits}``.
    rename : dict, optional
        Column -> header, overriding :func:`variable_label`.
    translate : bool, default True
        False keeps the frame's own headers.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    per_column = digits if isinstance(digits, dict) else {}
    default = 3 if isinstance(digits, dict) else digits

    def header(name):
        if (rename or {}).get(name):
            return rename[name]
        return variable_label(name, lang) if translate else str(name)

    return styler(frame, lang=lang, caption=caption, headers=header, digits=default,
                  decimals=per_column)
