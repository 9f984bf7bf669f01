"""Teacher structure for people: the per-county table and the roster-versus-table differences.

The structure itself is computed by :mod:`edubalance.analysis.teachers`; these functions show it
as :class:`edubalance.report.tables.Table` objects in ``lang`` (``zh`` default, ``en``): labels
for the indicators and columns, counts with thousands separators, shares as percentages.
"""
from __future__ import annotations

import pandas as pd

from .i18n import DEFAULT_LANG, label, text
from .tables import Table, format_value

__all__ = ["county_table", "discrepancy_table"]


def county_table(counties: pd.DataFrame, lang: str = DEFAULT_LANG) -> Table:
    """The per-county structure as a :class:`edubalance.report.tables.Table`, one row per indicator.

    Counts with thousands separators, shares as percentages; columns are the counties.

    Parameters
    ----------
    counties : DataFrame
        One row per county (``TeacherStructure.counties``,
        :func:`edubalance.analysis.teachers.county_teachers`); every numeric column becomes a
        row of the table, a column ending in ``_share`` shown as a percentage.
    lang : {"zh", "en"}
        Language of the labels and the caption.

    Returns
    -------
    Table

    Examples
    --------
    >>> frame = pd.DataFrame({"county_code": ["1"], "county_name": ["甲县"], "teachers": [1234],
    ...                       "cross_subject_share": [0.125]})
    >>> county_table(frame).display_frame().to_dict("records")
    [{'指标': '专任教师数', '甲县': '1,234'}, {'指标': '兼职比例', '甲县': '12.5%'}]
    """
    names = counties.get("county_name", counties["county_code"]).astype(str).tolist()
    rows = [c for c in counties.columns if c not in ("county_code", "county_name")
            and pd.api.types.is_numeric_dtype(counties[c])]
    shown = {label("indicator", lang): [label(c, lang) for c in rows]}
    for position, name in enumerate(names):
        shown[name] = [format_value(100 * counties[c].iloc[position], "pct", lang)
                       if c.endswith("_share") else
                       format_value(counties[c].iloc[position], "int", lang) for c in rows]
    # Already formatted; the kind only right-aligns the counties' columns (text passes through).
    return Table(pd.DataFrame(shown), kinds={name: "int" for name in names},
                 caption=text("teachers.counties_caption", lang), lang=lang)


def discrepancy_table(discrepancies: pd.DataFrame, lang: str = DEFAULT_LANG,
                      top: int = 50) -> Table:
    """The first ``top`` rows of the roster-versus-table comparison as a Table in ``lang``.

    Parameters
    ----------
    discrepancies : DataFrame
        :func:`edubalance.analysis.teachers.compare_with_schools` (``TeacherStructure
        .discrepancies``): ``school_id, status, column, roster, table, difference``.
    lang : {"zh", "en"}
        Language of the statuses, labels and caption.
    top : int
        Rows shown.

    Returns
    -------
    Table

    Examples
    --------
    >>> frame = pd.DataFrame({"school_id": ["1"], "status": ["differs"], "column": ["teachers"],
    ...                       "roster": [3], "table": [4], "difference": [-1]})
    >>> discrepancy_table(frame, "en").display_frame().iloc[0].tolist()
    ['1', 'counts differ', 'full-time teachers', '3', '4', '-1']
    """
    frame = discrepancies.head(top).copy()
    frame["status"] = [text(f"teachers.status.{s}", lang) for s in frame["status"]]
    frame["column"] = [label(c, lang) for c in frame["column"]]
    columns = ["school_id", "status", "column", "roster", "table", "difference"]
    frame = frame[columns].rename(columns={c: label(c, lang) for c in columns})
    kinds = {label(c, lang): "int" for c in ("roster", "table", "difference")}
    return Table(frame, kinds=kinds, caption=text("teachers.discrepancies_caption", lang, n=top),
                 lang=lang)
