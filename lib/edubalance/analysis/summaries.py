"""Province-wide summaries of scoring results: the tables a presentation or an explorer shows.

Pure functions of scoring results (``eb.core.scoring.score``) and standards: no widgets, no
figures, no files. The presentation notebook and :mod:`edubalance.report.explore` call them.

- :func:`standards_table` - every item of one or more standards with its thresholds
- :func:`passing_by_year` - counties passing each standard at every level, per year
- :func:`threshold_shares` - share of school sections meeting each threshold
- :func:`rule_failures` - per rule and level, counties failing, passing, not assessed
- :func:`resources_needed` - what the failing schools need, summed per resource and level

They return data; :mod:`edubalance.report.display` (``resources_for_people``, ``bare_label``)
and :mod:`edubalance.report.clusters` (``cluster_table``, ``cluster_name``) put it in words.

Examples
--------
>>> table = standards_table(["quality-2017"])
>>> len(table), table["item"].iloc[0]
(7, 'above_degree_teachers_per_100_students')
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from .._compat import moved_names as _moved_names
from ..schema import LEVELS

__all__ = ["standards_table", "passing_by_year", "threshold_shares", "rule_failures",
           "resources_needed"]

# What a person reads moved to report (issue 28): the layers forbid importing it here, so the
# former names are served on access, with a DeprecationWarning.
__getattr__ = _moved_names(__name__, {
    "resources_for_people": "edubalance.report.display:resources_for_people",
    "bare_label": "edubalance.report.display:bare_label",
    "cluster_name": "edubalance.report.clusters:cluster_name",
    "cluster_table": "edubalance.report.clusters:cluster_table",
})


def standards_table(names=("basic-2012", "quality-2017")) -> pd.DataFrame:
    """One row per standard x item: Chinese label, unit and per-level thresholds.

    Parameters
    ----------
    names : sequence of str
        Standard names (``eb.core.standards.available_standards()``).

    Returns
    -------
    DataFrame
        ``standard, item, label_zh, unit, primary, junior`` (thresholds; NaN where the
        standard sets none).

    Examples
    --------
    >>> table = standards_table(["quality-2017"])
    >>> table.loc[table["item"] == "sports_area_per_student", ["primary", "junior"]].values.tolist()
    [[7.5, 10.2]]
    """
    from ..core.standards import load_standard

    rows = []
    for name in names:
        standard = load_standard(name)
        for item in standard.items:
            row = {"standard": standard.name, "item": item.name, "label_zh": item.label_zh,
                   "unit": item.unit}
            for level in LEVELS:
                row[level] = standard.threshold(item.name, level)
            rows.append(row)
    return pd.DataFrame(rows, columns=["standard", "item", "label_zh", "unit", *LEVELS])


def passing_by_year(results: Mapping) -> pd.DataFrame:
    """Counties passing a standard at every level, per year and standard.

    A county passes in a year when every level it has passes (a missing verdict counts as
    not passed).

    Parameters
    ----------
    results : mapping of standard name -> ScoringResult

    Returns
    -------
    DataFrame
        ``standard, year, counties_passed, counties, share_passed``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> counties = pd.DataFrame({"county_code": ["1", "1", "2", "2"], "year": 2017,
    ...                          "level": ["primary", "junior"] * 2,
    ...                          "passed": [True, True, True, False]})
    >>> passing_by_year({"basic-2012": SimpleNamespace(counties=counties)}).values.tolist()
    [['basic-2012', 2017, 1, 2, 0.5]]
    """
    parts = []
    for name, result in results.items():
        frame = result.counties
        county_passed = (frame["passed"].astype("boolean").fillna(False)
                         .groupby([frame["year"], frame["county_code"]]).all())
        by_year = county_passed.groupby(level="year").agg(["sum", "size"]).reset_index()
        parts.append(pd.DataFrame({
            "standard": name, "year": by_year["year"].astype(int),
            "counties_passed": by_year["sum"].astype(int),
            "counties": by_year["size"].astype(int)}))
    table = pd.concat(parts, ignore_index=True)
    table["share_passed"] = table["counties_passed"] / table["counties"]
    return table


def threshold_shares(result, year: int) -> pd.DataFrame:
    """Share of school sections meeting each threshold of the standard, per level, in ``year``.

    Parameters
    ----------
    result : ScoringResult
    year : int

    Returns
    -------
    DataFrame
        ``level, item, label_zh, threshold, schools, share_meeting`` (items without a
        threshold are left out), sorted by level then share (weakest first).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> item = SimpleNamespace(name="books", label_zh="生均图书", threshold=True)
    >>> standard = SimpleNamespace(items=[item], threshold=lambda name, level: 20.0)
    >>> indicators = pd.DataFrame({"year": 2017, "level": "primary",
    ...                            "books_met": [True, False, True, True]})
    >>> table = threshold_shares(SimpleNamespace(indicators=indicators, standard=standard), 2017)
    >>> table[["item", "schools", "share_meeting"]].values.tolist()
    [['books', 4, 0.75]]
    """
    frame = result.indicators[result.indicators["year"] == int(year)]
    rows = []
    for item in result.standard.items:
        if not item.threshold:
            continue
        for level, part in frame.groupby("level", sort=False):
            met = part[f"{item.name}_met"].dropna().astype(bool)
            rows.append({"level": level, "item": item.name, "label_zh": item.label_zh,
                         "threshold": result.standard.threshold(item.name, level),
                         "schools": int(met.size),
                         "share_meeting": float(met.mean()) if met.size else float("nan")})
    table = pd.DataFrame(rows, columns=["level", "item", "label_zh", "threshold", "schools",
                                        "share_meeting"])
    return table.sort_values(["level", "share_meeting"], kind="stable").reset_index(drop=True)


def rule_failures(result, year: int) -> pd.DataFrame:
    """Per rule of the standard and level: counties failing, passing and not assessed in ``year``.

    Parameters
    ----------
    result : ScoringResult
    year : int

    Returns
    -------
    DataFrame
        ``rule, level, failed, passed, not_assessed, text`` (counts of counties), most failed
        first.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rule = SimpleNamespace(id="indicator_cv", text="every CV <= limit")
    >>> counties = pd.DataFrame({"year": 2017, "level": "primary",
    ...                          "rule_indicator_cv": ["failed", "passed", "failed"]})
    >>> result = SimpleNamespace(counties=counties, standard=SimpleNamespace(rules=[rule]))
    >>> rule_failures(result, 2017)[["rule", "failed", "passed"]].values.tolist()
    [['indicator_cv', 2, 1]]
    """
    frame = result.counties[result.counties["year"] == int(year)]
    rows = []
    for rule in result.standard.rules:
        column = f"rule_{rule.id}"
        if column not in frame:
            continue
        for level, status in frame.groupby("level", sort=False)[column]:
            counts = status.value_counts()
            rows.append({"rule": rule.id, "level": level,
                         "failed": int(counts.get("failed", 0)),
                         "passed": int(counts.get("passed", 0)),
                         "not_assessed": int(counts.get("not_assessed", 0)),
                         "text": rule.text})
    table = pd.DataFrame(rows, columns=["rule", "level", "failed", "passed", "not_assessed",
                                        "text"])
    return table.sort_values(["failed", "level"], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


def resources_needed(gap_totals: pd.DataFrame) -> pd.DataFrame:
    """What the failing schools need, summed over counties: one row per resource and level.

    Parameters
    ----------
    gap_totals : DataFrame
        Per county, level and resource: ``level, resource, unit, amount, schools`` (as
        ``eb.core.gaps.county_gap_totals`` returns).

    Returns
    -------
    DataFrame
        ``level, resource, unit, amount, schools``, in the order resources first appear.

    Examples
    --------
    >>> gaps = pd.DataFrame({"county_code": ["1", "2", "2"], "level": "primary",
    ...                      "resource": ["teachers", "teachers", "books"],
    ...                      "unit": ["人", "人", "册"], "amount": [2.0, 3.0, 100.0],
    ...                      "schools": [1, 2, 1]})
    >>> resources_needed(gaps).values.tolist()
    [['primary', 'teachers', '人', 5.0, 3], ['primary', 'books', '册', 100.0, 1]]
    """
    columns = ["level", "resource", "unit", "amount", "schools"]
    if gap_totals.empty:
        return pd.DataFrame(columns=columns)
    return (gap_totals.groupby(["level", "resource", "unit"], as_index=False, sort=False)
            [["amount", "schools"]].sum()[columns])
