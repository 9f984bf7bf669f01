"""Teacher structure from rosters (表三 教职工花名册): per school and county, and against a table.

Built on :mod:`edubalance.io.roster`, which reads the form's values (degrees, titles, backbone
levels, posts, birth dates; see its docstring for every rule). This module adds the structure
researchers and inspectors look at:

* **teachers** (专任教师): roster staff whose post (任职岗位) names a subject taught; 教辅,
  administrative and 工勤 staff counted apart (:func:`edubalance.io.roster.post_kinds`);
* **age bands** (under 30, 30–39, 40–49, 50 and over, at the reference year);
* **degree structure**: postgraduate (硕士/博士), bachelor (本科), associate (专科), secondary
  (中专/中师/高中) and below; and the above-required-degree count of DOMAIN §4.2;
* **title structure**: senior (副高 and above), mid (中级), junior (初级/员级) and none, each
  title read in the series in force for the roster's year and the school's level
  (``title_reform_year``, :func:`edubalance.io.roster.series_title_rank`);
* **specialist shortages**: schools without a teacher of 音乐, 体育, 美术, 英语 or 信息技术;
* **兼职**: teachers teaching outside the subject they trained for (备注), and their share;
* the **teacher indicators** they feed (per 100 students, when a school table gives students):
  teachers, above-degree, mid-title, backbone, PE/arts teachers per 100 students;
* **discrepancies** between what the roster implies and what a school table reports.

Examples
--------
>>> roster = pd.DataFrame({
...     "school_id": ["001", "001", "001", "002"], "姓名": ["王某华", "李某明", "赵某", "张某丽"],
...     "出生年月": ["1972.01", "1990.08.04", "1980.01", "1985.03"],
...     "学历": ["专科", "硕士", "高中", "中师"], "教师资格": ["小学", "小学", "", "小学"],
...     "职称": ["一级", "二级", "", "小学高级"], "任职岗位": ["体育", "英语", "门卫", "语文"],
...     "备注": ["县级骨干", "兼职", "", ""]})
>>> table = school_teachers(roster, reference_year=2017)
>>> table[["school_id", "teachers", "staff_not_teaching", "teachers_postgraduate",
...        "teachers_cross_subject"]].values.tolist()
[['001', 2, 1, 1, 1], ['002', 1, 0, 0, 0]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._compat import moved_names
from ..core.results import ResultDisplay
from ..errors import DataError
from ..io import roster as _roster

__all__ = ["TeacherStructure", "DEGREE_BANDS", "TITLE_BANDS", "COMPARED_COLUMNS",
           "TEACHER_INDICATORS", "school_teachers", "county_teachers", "teacher_indicators",
           "compare_with_schools", "teacher_structure"]

# Figures and tables for people moved to the report layer (issue 28); the old names still work.
__getattr__ = moved_names(__name__, {
    "INDICATORS": "edubalance.analysis.teachers:TEACHER_INDICATORS",  # core.indicators has one
    "age_structure_plot": "edubalance.report.figures.teachers:plot_age_structure",
    "shortage_plot": "edubalance.report.figures.teachers:plot_shortage",
    "county_table": "edubalance.report.teacher_tables:county_table",
    "discrepancy_table": "edubalance.report.teacher_tables:discrepancy_table",
})

DEGREE_BANDS = {"teachers_postgraduate": (5, 99), "teachers_bachelor": (4, 4),
                "teachers_associate": (3, 3), "teachers_secondary": (2, 2),
                "teachers_below_secondary": (1, 1)}
"""Degree structure: column -> (lowest, highest) rank of :func:`edubalance.io.roster.degree_rank`."""
TITLE_BANDS = {"teachers_title_senior": (4, 5), "teachers_title_mid": (3, 3),
               "teachers_title_junior": (1, 2), "teachers_title_none": (0, 0)}
"""Title structure: column -> (lowest, highest) rank of :func:`edubalance.io.roster.title_rank`."""
COMPARED_COLUMNS = ["teachers", "teachers_above_degree", "teachers_mid_title",
                    "teachers_backbone", "teachers_pe_arts"]
"""Counts both a roster and a school table give, compared by :func:`compare_with_schools`."""
TEACHER_INDICATORS = {"teachers_per_100_students": "teachers",
              "above_degree_teachers_per_100_students": "teachers_above_degree",
              "mid_title_teachers_per_100_students": "teachers_mid_title",
              "backbone_teachers_per_100_students": "teachers_backbone",
              "pe_arts_teachers_per_100_students": "teachers_pe_arts"}
"""Teacher indicators of the standards (DOMAIN §4.1, §4.2): name -> roster count per 100 students."""
_ID_COLUMNS = ["county_code", "county_name", "school_id", "school_name"]


_SHARES = {"cross_subject_share": "teachers_cross_subject",
           "above_degree_share": "teachers_above_degree",
           "mid_title_share": "teachers_mid_title", "age_50_plus_share": "teachers_age_50_plus"}
"""Share column -> the count it divides by ``teachers`` (a school's or a county's)."""


def _add_shares(table: pd.DataFrame) -> None:
    """Add the :data:`_SHARES` columns to ``table`` (NaN where it has no teachers)."""
    teachers = table["teachers"].where(table["teachers"] > 0)
    for share, count in _SHARES.items():
        table[share] = table[count] / teachers


def school_teachers(roster: pd.DataFrame, level_by_school=None,
                    reference_year: int | None = None, *,
                    title_reform_year: int = _roster.TITLE_REFORM_YEAR) -> pd.DataFrame:
    """One row per school: ids, teachers, age bands, degree and title structure, specialists.

    Parameters
    ----------
    roster : DataFrame
        As for :func:`edubalance.io.roster.roster_to_school_counts` (e.g. from
        :func:`edubalance.io.load.load_teachers`).
    level_by_school : optional
        School id -> level or school type, or a schools DataFrame (decides the required
        degree; see :mod:`edubalance.io.roster`).
    reference_year : int, optional
        Year of the ages; default the roster's ``year`` column.
    title_reform_year : int
        First roster year read in the unified title series (default 2016); before it a
        primary school's bare titles (高级, 一级, ...) are the old 小学 series.

    Returns
    -------
    DataFrame
        ``school_id`` first, then ``county_code, county_name, school_name`` (when in the
        roster), the counts of :func:`edubalance.io.roster.roster_to_school_counts`, the
        ``DEGREE_BANDS`` and ``TITLE_BANDS`` counts, ``teachers_cross_subject`` (兼职),
        ``n_missing_subjects`` and the shares ``cross_subject_share``,
        ``above_degree_share``, ``mid_title_share``, ``age_50_plus_share``.
    """
    counts = _roster.roster_to_school_counts(roster, level_by_school, reference_year,
                                             title_reform_year=title_reform_year)
    remark = _roster.normalise_text(roster.get("备注", pd.Series("", index=roster.index)))
    teaching = _roster.post_kinds(roster["任职岗位"]) == "teacher"
    degree = _roster.degree_rank(roster["学历"])
    year = pd.Series(reference_year, index=roster.index, dtype=float)
    if "year" in roster:
        year = pd.to_numeric(roster["year"], errors="coerce").fillna(year)
    title = _roster.series_title_rank(roster["职称"], _roster.staff_levels(roster, level_by_school),
                                      year, title_reform_year)
    flags = {column: teaching & degree.between(low, high)
             for column, (low, high) in DEGREE_BANDS.items()}
    flags |= {column: teaching & title.between(low, high)
              for column, (low, high) in TITLE_BANDS.items()}
    flags["teachers_cross_subject"] = teaching & remark.str.contains(
        _roster.CROSS_SUBJECT_PATTERN)
    extra = (pd.DataFrame(flags, index=roster.index).astype("int64")
             .groupby(roster["school_id"].astype(str).to_numpy(), sort=False).sum())
    table = counts.merge(extra, left_on="school_id", right_index=True, how="left")
    ids = [c for c in _ID_COLUMNS if c in roster and c != "school_id"]
    if ids:
        names = (roster.assign(school_id=roster["school_id"].astype(str))
                 .drop_duplicates("school_id")[["school_id", *ids]])
        table = names.merge(table, on="school_id", how="right")
        table = table[["school_id", *ids, *[c for c in table if c not in ids and
                                             c != "school_id"]]]
    table["n_missing_subjects"] = (table["missing_subjects"].str.len() > 0) * (
        table["missing_subjects"].str.count("、") + 1)
    _add_shares(table)
    return table.reset_index(drop=True)


def county_teachers(schools: pd.DataFrame) -> pd.DataFrame:
    """Per county, from :func:`school_teachers`: sums, shares and schools lacking each subject.

    Returns ``county_code, county_name, schools, teachers, staff_not_teaching``, the summed
    count columns, ``schools_without_<subject>`` for each shortage subject, and the shares.

    Parameters
    ----------
    schools : DataFrame
        :func:`school_teachers`.

    Returns
    -------
    DataFrame
    """
    keys = [c for c in ("county_code", "county_name") if c in schools]
    if not keys:
        schools = schools.assign(county_code="all")
        keys = ["county_code"]
    numeric = [c for c in schools.columns if c.startswith(("teachers", "staff_"))
               and pd.api.types.is_integer_dtype(schools[c])]
    grouped = schools.groupby(keys, sort=False)
    table = grouped[numeric].sum()
    table.insert(0, "schools", grouped.size())
    for key in _roster.SUBJECTS:
        table[f"schools_without_{key}"] = grouped[f"teachers_{key}"].agg(lambda s: int((s == 0).sum()))
    table["schools_with_shortage"] = grouped["n_missing_subjects"].agg(lambda s: int((s > 0).sum()))
    _add_shares(table)
    return table.reset_index()


def teacher_indicators(school_table: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Return the teacher indicators (per 100 students) of each roster school, per 学段.

    ``TEACHER_INDICATORS``, computed per section as the standards compute them.

    A plain primary or junior school is one row. A combined school (九年一贯制, 完全中学,
    十二年一贯制) is split as the scoring splits it (:func:`edubalance.core.indicators.split_sections`):
    each compulsory section's own enrolment (``students_primary`` / ``students_junior`` of
    ``schools``) over the section's share of the roster's teachers (national section weights;
    a senior section takes its share and is dropped), so a complete middle school's junior
    indicators do not count its senior pupils. Schools missing from ``schools`` get NaN.

    Parameters
    ----------
    school_table : DataFrame
        :func:`school_teachers` (one row per roster school).
    schools : DataFrame
        A school table with ``school_id``, ``school_type``, ``students_primary``,
        ``students_junior`` (``students_senior`` when present).

    Returns
    -------
    DataFrame
        ``school_id, level, students`` and one column per indicator of ``TEACHER_INDICATORS``.

    Examples
    --------
    >>> table = pd.DataFrame({"school_id": ["a"], "teachers": [104], "teachers_above_degree": [0],
    ...     "teachers_mid_title": [0], "teachers_backbone": [0], "teachers_pe_arts": [0]})
    >>> schools = pd.DataFrame({"school_id": ["a"], "school_type": ["nine_year"],
    ...     "students_primary": [600], "students_junior": [400]})
    >>> teacher_indicators(table, schools)[["level", "students", "teachers_per_100_students"]
    ...     ].round(2).values.tolist()
    [['primary', 600.0, 10.0], ['junior', 400.0, 11.0]]
    """
    from ..schema import SECTION_WEIGHTS

    _students(schools)  # the same check of the school table's columns
    facts = schools.assign(school_id=schools["school_id"].astype(str)).drop_duplicates(
        "school_id", keep="last").set_index("school_id")
    ids = school_table["school_id"].astype(str)
    kinds = facts["school_type"].reindex(ids).to_numpy(dtype=object) if "school_type" in facts \
        else np.full(len(ids), None, dtype=object)
    enrolment = {section: pd.to_numeric(facts[f"students_{section}"], errors="coerce")
                 .reindex(ids).fillna(0).to_numpy(dtype=float)
                 if f"students_{section}" in facts else np.zeros(len(ids))
                 for section in ("primary", "junior", "senior")}
    known = ids.isin(facts.index).to_numpy()
    weight = {section: np.array([SECTION_WEIGHTS.get(kind, {}).get(section, 1.0)
                                 for kind in kinds]) for section in enrolment}
    weighted = sum(weight[s] * enrolment[s] for s in enrolment)
    rows = []
    for level in ("primary", "junior"):
        has = enrolment[level] > 0
        # A school the school table lacks keeps one row (its level unknown), all NaN.
        keep = has | (~known & (level == "primary"))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = weight[level] * enrolment[level] / weighted
        part = pd.DataFrame({"school_id": ids[keep].to_numpy(), "level": level,
                             "students": np.where(known, enrolment[level], np.nan)[keep],
                             "_order": np.flatnonzero(keep)})
        for name, column in TEACHER_INDICATORS.items():
            teachers = school_table[column].to_numpy(dtype=float)[keep] * share[keep]
            with np.errstate(invalid="ignore", divide="ignore"):
                part[name] = np.where(part["students"] > 0, 100 * teachers / part["students"],
                                      np.nan)
        part.loc[~known[keep], "level"] = None
        rows.append(part)
    out = pd.concat(rows, ignore_index=True).sort_values(["_order", "level"], kind="stable",
                                                         key=lambda c: c.map(
                                                             {"primary": 0, "junior": 1})
                                                         if c.name == "level" else c)
    return out.drop(columns="_order").reset_index(drop=True)


def _students(schools: pd.DataFrame) -> pd.Series:
    parts = [c for c in ("students_primary", "students_junior", "students_senior")
             if c in schools]
    if "school_id" not in schools or not parts:
        raise DataError("the school table needs school_id and students_primary/students_junior")
    total = schools[parts].fillna(0).sum(axis=1)
    return pd.Series(total.to_numpy(), index=schools["school_id"].astype(str)).groupby(level=0).last()


def compare_with_schools(school_table: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Where the roster and a school table disagree (one row per school and count).

    Compares ``COMPARED_COLUMNS``. Schools of the roster's counties (or, without county
    codes, all schools of the table) that are missing on one side are listed with status
    ``roster_only`` / ``table_only``; different counts with status ``differs``.

    Parameters
    ----------
    school_table : DataFrame
        :func:`school_teachers`.
    schools : DataFrame
        The school table (canonical columns).

    Returns
    -------
    DataFrame
        ``school_id, status, column, roster, table, difference`` (roster − table); empty when
        everything agrees.

    Examples
    --------
    >>> roster_counts = pd.DataFrame({"school_id": ["a", "b"], "teachers": [5, 3],
    ...     "teachers_above_degree": [4, 3], "teachers_mid_title": [2, 1],
    ...     "teachers_backbone": [1, 0], "teachers_pe_arts": [1, 0]})
    >>> table = roster_counts.assign(teachers=[5, 4])
    >>> compare_with_schools(roster_counts, table).values.tolist()
    [['b', 'differs', 'teachers', 3, 4, -1]]
    """
    missing = [c for c in ["school_id", *COMPARED_COLUMNS] if c not in schools]
    if missing:
        raise DataError(f"the school table lacks column(s): {', '.join(missing)}")
    table = schools.assign(school_id=schools["school_id"].astype(str))
    if "county_code" in school_table and "county_code" in table:
        table = table[table["county_code"].astype(str).isin(school_table["county_code"].astype(str))]
    table = table.drop_duplicates("school_id", keep="last").set_index("school_id")
    roster = school_table.set_index("school_id")
    rows = []
    for school in roster.index.difference(table.index, sort=False):
        rows.append({"school_id": school, "status": "roster_only", "column": "teachers",
                     "roster": roster.at[school, "teachers"], "table": np.nan})
    for school in table.index.difference(roster.index, sort=False):
        rows.append({"school_id": school, "status": "table_only", "column": "teachers",
                     "roster": np.nan, "table": table.at[school, "teachers"]})
    both = roster.index.intersection(table.index, sort=False)
    left = roster.loc[both, COMPARED_COLUMNS].astype("int64")
    right = table.loc[both, COMPARED_COLUMNS].astype("int64")
    differs = (left != right).stack()
    for school, column in differs[differs].index:
        rows.append({"school_id": school, "status": "differs", "column": column,
                     "roster": left.at[school, column], "table": right.at[school, column]})
    result = pd.DataFrame(rows, columns=["school_id", "status", "column", "roster", "table"])
    result["difference"] = result["roster"] - result["table"]
    if result.empty:
        return result
    if result[["roster", "table"]].notna().all().all():
        result = result.astype({"roster": "int64", "table": "int64", "difference": "int64"})
    return result.reset_index(drop=True)


@dataclass(frozen=True, repr=False)
class TeacherStructure(ResultDisplay):
    """Result of :func:`teacher_structure`.

    Parameters
    ----------
    schools : DataFrame
        One row per school (:func:`school_teachers`).
    counties : DataFrame
        One row per county (:func:`county_teachers`).
    indicators : DataFrame or None
        :func:`teacher_indicators` (with a school table).
    discrepancies : DataFrame or None
        :func:`compare_with_schools` (with a school table).
    """

    schools: pd.DataFrame
    counties: pd.DataFrame
    indicators: pd.DataFrame | None
    discrepancies: pd.DataFrame | None

    def to_frame(self) -> pd.DataFrame:
        """Return one row per school (``school_teachers.csv``), with the indicators when known.

        Per section, as ``<indicator>_primary`` / ``<indicator>_junior`` and
        ``students_<level>`` (a combined school has both; :func:`teacher_indicators`).
        """
        if self.indicators is None:
            return self.schools.copy()
        known = self.indicators.dropna(subset=["level"])
        wide = known.pivot(index="school_id", columns="level",
                           values=["students", *TEACHER_INDICATORS])
        wide.columns = [f"{name}_{level}" for name, level in wide.columns]
        order = [f"{name}_{level}" for name in ["students", *TEACHER_INDICATORS]
                 for level in ("primary", "junior") if f"{name}_{level}" in wide.columns]
        return self.schools.merge(wide[order].reset_index(), on="school_id", how="left")


def teacher_structure(roster: pd.DataFrame, schools: pd.DataFrame | None = None, *,
                      reference_year: int | None = None,
                      title_reform_year: int = _roster.TITLE_REFORM_YEAR) -> TeacherStructure:
    """Everything above at once; ``schools`` (optional) of the roster's year.

    Parameters
    ----------
    roster : DataFrame
        The roster (表三), e.g. from :func:`edubalance.io.load.load_teachers`.
    schools : DataFrame, optional
        A school table: the schools' levels, students (indicators) and counts to compare
        with. When it holds several years, the roster's year (``reference_year`` or the
        roster's ``year`` column) is used. None: the roster alone (levels from the school
        names or certificates; no indicators, no comparison).
    reference_year : int, optional
    title_reform_year : int
        See :func:`school_teachers`.

    Returns
    -------
    TeacherStructure

    Examples
    --------
    >>> roster = pd.DataFrame({"school_id": "1", "school_name": "城关小学", "year": 2014,
    ...     "出生年月": "1980.01", "学历": "本科", "职称": ["高级", "一级", ""],
    ...     "任职岗位": ["语文", "数学", "实验员"]})
    >>> alone = teacher_structure(roster)
    >>> alone.schools[["teachers", "teachers_mid_title", "staff_support"]].values.tolist()
    [[2, 1, 1]]
    """
    if roster.empty:
        raise DataError("the roster is empty")
    year = reference_year
    if year is None and "year" in roster:
        years = pd.to_numeric(roster["year"], errors="coerce").dropna().unique()
        year = int(years.max()) if years.size else None
    if schools is not None and "year" in schools and year is not None:
        same = schools[schools["year"] == year]
        if same.empty:
            raise DataError(f"the school table has no rows for the roster's year {year}")
        schools = same
    table = school_teachers(roster, schools, reference_year, title_reform_year=title_reform_year)
    indicators = teacher_indicators(table, schools) if schools is not None else None
    discrepancies = compare_with_schools(table, schools) if schools is not None else None
    return TeacherStructure(schools=table, counties=county_teachers(table),
                            indicators=indicators, discrepancies=discrepancies)
