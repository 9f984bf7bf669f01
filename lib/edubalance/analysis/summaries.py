"""Province-wide summaries of scoring results: the tables a presentation or an explorer shows.

Pure functions of scoring results (``eb.core.scoring.score``) and standards: no widgets, no
figures, no files. The presentation notebook and :mod:`edubalance.report.explore` call them.

- :func:`standards_table` - every item of one or more standards with its thresholds
- :func:`passing_by_year` - counties passing each standard at every level, per year
- :func:`threshold_shares` - share of school sections meeting each threshold
- :func:`rule_failures` - per rule and level, counties failing, passing, not assessed
- :func:`resources_needed` - what the failing schools need, summed per resource and level
- :func:`cluster_table` - groups of counties with Chinese (or English) names and profiles

Examples
--------
>>> table = standards_table(["quality-2017"])
>>> len(table), table["item"].iloc[0]
(7, 'above_degree_teachers_per_100_students')
"""
from __future__ import annotations

import re
from typing import Mapping

import numpy as np
import pandas as pd

from ..schema import LEVELS

__all__ = ["standards_table", "passing_by_year", "threshold_shares", "rule_failures",
           "resources_needed", "resources_for_people", "bare_label", "cluster_name", "cluster_table"]


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


def resources_for_people(needed: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`resources_needed` as a table to show: one row per resource, one column per level.

    Resources are named by their labels (with units); money is shown in 万元 (10,000 CNY);
    amounts are rounded to whole numbers when whole, else to one decimal, with thousands
    separators ("–" where a level needs nothing).

    Parameters
    ----------
    needed : DataFrame
        ``level, resource, unit, amount, schools`` (:func:`resources_needed`).
    lang : {"zh", "en"}

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
    from ..report.i18n import label, text
    from ..report.tables import format_value

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


def bare_label(name: str, lang: str = "zh") -> str:
    """The label of a variable without its unit: ``人均GDP（千元）`` -> ``人均GDP``.

    Examples
    --------
    >>> bare_label("gdp_per_capita_kcny"), bare_label("gdp_per_capita_kcny", lang="en")
    ('人均GDP', 'GDP per head')
    """
    from ..report.i18n import label

    return re.sub(r"\s*(（[^（）]*）|\([^()]*\))$", "", label(name, lang))


def cluster_name(cluster: int, lang: str = "zh") -> str:
    """The readable name of cluster ``cluster`` (0-based): ``第1类`` / ``cluster 1``.

    The one cluster name of the package: the clustering figures, reports and slides all use
    it (``report.figures.clustering`` re-exports it).

    Examples
    --------
    >>> cluster_name(0), cluster_name(2, lang="en")
    ('第1类', 'cluster 3')
    """
    from ..report.i18n import text

    return text("cluster.name", lang, number=int(cluster) + 1)


def cluster_table(labels, ids, profiles: pd.DataFrame, *, lang: str = "zh",
                  threshold: float = 0.5, max_terms: int = 3) -> pd.DataFrame:
    """One row per group of counties: name, size, share, profile in words, members.

    Parameters
    ----------
    labels : array-like of int
        Cluster of each unit (0-based), as ``ClusterFit.labels``.
    ids : array-like of str
        Unit names in the same order (e.g. county names).
    profiles : DataFrame
        ``cluster, feature, z`` per cluster and feature (``eb.analysis.clustering.models.cluster_profiles``).
    lang : {"zh", "en"}
    threshold, max_terms
        Features with ``|z| >= threshold`` describe a group, largest first, at most
        ``max_terms``.

    Returns
    -------
    DataFrame
        ``cluster, name, size, share, profile, members``; ``profile`` names features by their
        labels (``eb.report.i18n.label``), ``members`` joins the unit names with ``、`` (zh) or
        ``", "`` (en).

    Examples
    --------
    >>> profiles = pd.DataFrame({"cluster": [0, 0, 1, 1],
    ...                          "feature": ["gdp_per_capita_kcny", "urbanisation_pct"] * 2,
    ...                          "z": [1.2, 0.1, -0.9, 0.0]})
    >>> table = cluster_table([0, 1, 1], ["甲县", "乙县", "丙县"], profiles)
    >>> table[["name", "size", "profile", "members"]].values.tolist()
    [['第1类', 1, '人均GDP较高', '甲县'], ['第2类', 2, '人均GDP较低', '乙县、丙县']]
    """
    from ..report.i18n import check_lang, text

    check_lang(lang)
    labels = np.asarray(labels, dtype=int)
    ids = pd.Series(np.asarray(ids), dtype=object).astype(str)
    if len(ids) != len(labels):
        raise ValueError(f"{len(ids)} ids for {len(labels)} cluster labels")
    separator = text("slides.list_separator", lang)
    rows = []
    for cluster in sorted(set(labels.tolist())):
        group = profiles[profiles["cluster"] == cluster]
        strong = group[group["z"].abs() >= threshold]
        strong = strong.reindex(strong["z"].abs().sort_values(ascending=False,
                                                              kind="stable").index)[:max_terms]
        terms = [text("slides.cluster.high" if z > 0 else "slides.cluster.low", lang,
                      feature=bare_label(feature, lang))
                 for feature, z in zip(strong["feature"], strong["z"], strict=True)]
        members = ids[labels == cluster].tolist()
        rows.append({"cluster": cluster, "name": cluster_name(cluster, lang),
                     "size": len(members), "share": len(members) / len(labels),
                     "profile": separator.join(terms) if terms
                     else text("slides.cluster.average", lang),
                     "members": separator.join(members)})
    return pd.DataFrame(rows, columns=["cluster", "name", "size", "share", "profile", "members"])
