"""Per-school indicator values, with combined schools split into primary and junior sections.

The unit of assessment is a school *section*: a plain primary or junior school is one section;
a nine-year (九年一贯制), complete middle (完全中学) or twelve-year (十二年一贯制) school is split
into its primary, junior and senior sections. Section enrolments are known; resources are known
only for the whole school, so they are shared out by weighted enrolment with the national
weights (DOMAIN §2, ``schema.SECTION_WEIGHTS``)::

    share of section s = w_s * P_s / sum_k (w_k * P_k)

A nine-year school with 600 primary and 400 junior pupils gives its primary section
600 / (600 + 1.1 * 400) = 57.7 % of its teachers, floor area, books, ...

Senior sections (optional column ``students_senior``, default 0) take their share in the split
and are then dropped: they are not part of compulsory education. Sections with no pupils are
not rows (their indicators are undefined).

What the statistics forms give per section is used as given, not split:

- **teachers by 学段**: columns ``<teacher column>_primary`` / ``_junior`` (e.g.
  ``teachers_primary``, ``teachers_mid_title_junior``; a two-row header 专任教师数 over 小学 /
  初中). A combined school whose teachers are split by the weights above is flagged in the
  section column ``teachers_split`` (an approximation the report names).
- **the largest class**: ``max_class_size_primary`` / ``max_class_size_junior`` (最大班额)
  become the section column ``max_class_size`` (NaN where not given), so that a class-size rule
  can be judged on every class rather than on the average.

Schools the official assessment leaves out (:func:`excluded_schools`): special-education
schools (``school_type`` ``special_education``, 特殊教育学校) are not scored; a teaching point
(``teaching_point``, 教学点) is counted with its central school named in ``parent_school_id``
(pupils, classes and resources added to that school's), or left out when none is named.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError, did_you_mean
from ..io.clean import texts_at
from ..schema import LEVELS, RESOURCE_COLUMNS, SECTION_WEIGHTS

__all__ = ["Indicator", "INDICATORS", "OUTPUT_ID_COLUMNS", "TEACHER_COLUMNS", "EXCLUDED_TYPES",
           "compute_indicators", "split_sections", "excluded_schools", "merge_teaching_points"]


class Indicator(NamedTuple):
    """How one per-school indicator is computed: ``multiplier * numerator / students``.

    Parameters
    ----------
    numerator : str
        The school column counted (e.g. ``books``).
    multiplier : float
        1 (per student) or 100 (per 100 students).
    unit : str
        Unit of the indicator.
    label : str
        Chinese label.

    """

    numerator: str
    multiplier: float
    unit: str
    label: str


INDICATORS: dict[str, Indicator] = {
    "teaching_area_per_student": Indicator("teaching_area_m2", 1.0, "m²", "生均教学及辅助用房面积"),
    "sports_area_per_student": Indicator("sports_area_m2", 1.0, "m²", "生均体育运动场馆面积"),
    "equipment_value_per_student": Indicator("equipment_value_cny", 1.0, "元",
                                             "生均教学仪器设备值"),
    "computers_per_100_students": Indicator("computers", 100.0, "台", "每百名学生拥有计算机台数"),
    "books_per_student": Indicator("books", 1.0, "册", "生均图书册数"),
    "teachers_per_100_students": Indicator("teachers", 100.0, "人", "每百名学生拥有专任教师数"),
    "above_degree_teachers_per_100_students": Indicator(
        "teachers_above_degree", 100.0, "人", "每百名学生拥有高于规定学历教师数"),
    "mid_title_teachers_per_100_students": Indicator(
        "teachers_mid_title", 100.0, "人", "每百名学生拥有中级及以上专业技术职务教师数"),
    "backbone_teachers_per_100_students": Indicator(
        "teachers_backbone", 100.0, "人", "每百名学生拥有县级及以上骨干教师数"),
    "pe_arts_teachers_per_100_students": Indicator(
        "teachers_pe_arts", 100.0, "人", "每百名学生拥有体育、艺术专任教师数"),
    "multimedia_classrooms_per_100_students": Indicator(
        "multimedia_classrooms", 100.0, "间", "每百名学生拥有网络多媒体教室数"),
}
"""Indicator name -> (numerator column, multiplier, unit, Chinese label)."""

OUTPUT_ID_COLUMNS = ["county_code", "county_name", "year", "school_id", "school_name",
                     "school_type", "urban_rural", "level", "students", "classes"]

_SECTIONS = ("primary", "junior", "senior")
TEACHER_COLUMNS = ["teachers", "teachers_above_degree", "teachers_mid_title", "teachers_backbone",
                   "teachers_pe_arts"]
"""Teacher counts; ``<column>_primary`` / ``<column>_junior`` give them per 学段."""
SPECIAL_EDUCATION, TEACHING_POINT = "special_education", "teaching_point"
EXCLUDED_TYPES = (SPECIAL_EDUCATION, TEACHING_POINT)
"""School types that are not assessed as schools of their own."""
_COMBINED = ("nine_year", "complete_middle", "twelve_year")
_REQUIRED = ["county_code", "county_name", "year", "school_id", "school_name", "school_type",
             "urban_rural", "students_primary", "students_junior", "classes_primary",
             "classes_junior", *RESOURCE_COLUMNS]


def _check_schools(schools: pd.DataFrame) -> None:
    if not isinstance(schools, pd.DataFrame):
        raise DataError(f"schools must be a pandas DataFrame, not {type(schools).__name__}")
    missing = [c for c in _REQUIRED if c not in schools.columns]
    if missing:
        raise DataError(f"schools table lacks column(s): {', '.join(missing)}"
                        f"{did_you_mean(missing, map(str, schools.columns))}")
    counts = schools[["students_primary", "students_junior"]
                     + (["students_senior"] if "students_senior" in schools else [])]
    if (counts.astype(float) < 0).to_numpy().any():
        raise DataError("schools table has negative enrolments; clean it with eb.io.load first")


def _section_weights(school_type: pd.Series) -> dict[str, np.ndarray]:
    """National weight of each section for each school (1.0 where the type has no weights)."""
    # Factorise once: mapping a few distinct types is far cheaper than mapping every row.
    codes, types = pd.factorize(school_type)
    weights = {}
    for section in _SECTIONS:
        per_type = np.array([SECTION_WEIGHTS.get(t, {}).get(section, 1.0) for t in types]
                            + [1.0])
        weights[section] = per_type[codes]  # code -1 (missing type) takes the final 1.0
    return weights


def split_sections(schools: pd.DataFrame) -> pd.DataFrame:
    """Split every school into primary and junior sections, sharing resources by weighted enrolment.

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns (CONTRACTS.md); ``students_senior`` optional (default 0).

    Returns
    -------
    DataFrame
        One row per school x level with pupils, in school order (primary before junior):
        the school's id columns, ``level``, ``students``, ``classes``, ``school_students``
        (compulsory enrolment of the whole school, for the school-size rule) and each
        resource column holding the section's share.

    Examples
    --------
    >>> school = pd.DataFrame([dict(county_code="1", county_name="甲县", year=2017,
    ...     school_id="s1", school_name="一贯制学校", school_type="nine_year", urban_rural="rural",
    ...     students_primary=600, students_junior=400, classes_primary=12, classes_junior=8,
    ...     teachers=104, teachers_above_degree=0, teachers_mid_title=0, teachers_backbone=0,
    ...     teachers_pe_arts=0, teaching_area_m2=0, sports_area_m2=0, equipment_value_cny=0,
    ...     computers=0, multimedia_classrooms=0, books=0)])
    >>> split_sections(school)[["level", "students", "teachers"]].round(2).values.tolist()
    [['primary', 600, 60.0], ['junior', 400, 44.0]]
    """
    _check_schools(schools)
    schools = merge_teaching_points(schools)
    scored = ~schools["school_type"].isin(EXCLUDED_TYPES).to_numpy(dtype=bool)
    if not scored.all():  # (no copy of a national table that has none to leave out)
        schools = schools[scored]
    enrolment = {
        "primary": schools["students_primary"].to_numpy(dtype=float),
        "junior": schools["students_junior"].to_numpy(dtype=float),
        "senior": (schools["students_senior"].fillna(0).to_numpy(dtype=float)
                   if "students_senior" in schools else np.zeros(len(schools))),
    }
    weights = _section_weights(schools["school_type"])
    weighted_total = sum(weights[s] * enrolment[s] for s in _SECTIONS)
    compulsory = enrolment["primary"] + enrolment["junior"]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {level: weights[level] * enrolment[level] / weighted_total for level in LEVELS}
    # Row r of the output is (school, level) = divmod(position, 2): primary before junior,
    # schools in input order. Gather everything by one integer index instead of concatenating.
    keep = np.column_stack([enrolment[level] > 0 for level in LEVELS]).ravel()
    position = np.flatnonzero(keep)
    school, level_index = np.divmod(position, len(LEVELS))
    ids = schools[_REQUIRED[:7]].take(school).reset_index(drop=True)
    columns: dict = {name: ids[name] for name in ids.columns}
    columns["level"] = pd.Series(texts_at(LEVELS, level_index), index=ids.index)
    students = np.column_stack([schools[f"students_{lv}"].to_numpy() for lv in LEVELS]).ravel()
    classes = np.column_stack([schools[f"classes_{lv}"].to_numpy() for lv in LEVELS]).ravel()
    columns["students"] = students[position]
    columns["classes"] = classes[position]
    columns["school_students"] = compulsory[school]
    share = np.column_stack([shares[lv] for lv in LEVELS]).ravel()[position]
    # Each resource column its own array: a national table's dozen columns are not stacked
    # into one block and copied (a DataFrame built with copy=False keeps them as given).
    for column in RESOURCE_COLUMNS:
        columns[column] = schools[column].to_numpy(dtype=float)[school] * share
    sections = pd.DataFrame(columns, index=ids.index, copy=False)
    level_of_row = np.asarray(LEVELS, dtype=object)[level_index]
    combined = schools["school_type"].isin(_COMBINED).to_numpy(dtype=bool)[school]
    given = np.ones(len(position), dtype=bool)
    for column in TEACHER_COLUMNS:
        by_level = [f"{column}_{lv}" for lv in LEVELS]
        if not set(by_level) <= set(schools.columns):
            given &= ~combined
            continue
        values = np.column_stack([pd.to_numeric(schools[c], errors="coerce").to_numpy(dtype=float)
                                  for c in by_level]).ravel()[position]
        known = np.isfinite(values)
        # As given wherever the form gives the section's count; the split elsewhere.
        sections[column] = np.where(known, values, sections[column].to_numpy(dtype=float))
        given &= known | ~combined
    sections["teachers_split"] = combined & ~given
    max_class = np.full(len(position), np.nan)
    for lv in LEVELS:
        column = f"max_class_size_{lv}"
        if column in schools:
            values = pd.to_numeric(schools[column], errors="coerce").to_numpy(dtype=float)
            mine = level_of_row == lv
            max_class[mine] = values[school[mine]]
    sections["max_class_size"] = max_class
    return sections.reset_index(drop=True)


def excluded_schools(schools: pd.DataFrame) -> pd.DataFrame:
    """The schools the assessment does not score as schools of their own, and why.

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns; ``school_type`` may be ``special_education`` or
        ``teaching_point``, ``parent_school_id`` optional.

    Returns
    -------
    DataFrame
        ``county_code, county_name, year, school_id, school_name, school_type, reason,
        parent_school_id``; ``reason`` is ``special_education`` (not scored),
        ``merged`` (a teaching point counted with the central school ``parent_school_id``)
        or ``no_parent`` (a teaching point with no central school in the data: left out).

    Examples
    --------
    >>> schools = pd.DataFrame({"county_code": ["1"] * 3, "county_name": ["甲县"] * 3,
    ...     "year": [2017] * 3, "school_id": ["a", "b", "c"],
    ...     "school_name": ["中心小学", "某教学点", "特教学校"],
    ...     "school_type": ["primary", "teaching_point", "special_education"],
    ...     "parent_school_id": [None, "a", None]})
    >>> excluded_schools(schools)[["school_id", "reason"]].values.tolist()
    [['b', 'merged'], ['c', 'special_education']]
    """
    columns = ["county_code", "county_name", "year", "school_id", "school_name", "school_type",
               "reason", "parent_school_id"]
    types = schools["school_type"].astype("str")
    mask = types.isin(EXCLUDED_TYPES).to_numpy(dtype=bool)
    if not mask.any():
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "year" else "str")
                             for c in columns})
    out = schools.loc[mask, columns[:6]].copy()
    parent = _parent_found(schools)[mask]
    out["reason"] = np.where(types[mask] == SPECIAL_EDUCATION, "special_education",
                             np.where(parent, "merged", "no_parent"))
    out["parent_school_id"] = (schools.loc[mask, "parent_school_id"].astype("str")
                               .where(parent) if "parent_school_id" in schools
                               else pd.Series(pd.NA, index=out.index, dtype="str"))
    return out.astype({c: "str" for c in columns if c != "year"}).reset_index(drop=True)


def _parent_found(schools: pd.DataFrame) -> np.ndarray:
    """Per row: a teaching point whose ``parent_school_id`` names a school of its county-year."""
    points = (schools["school_type"] == TEACHING_POINT).to_numpy(dtype=bool)
    if "parent_school_id" not in schools or not points.any():
        return np.zeros(len(schools), dtype=bool)
    keys = pd.MultiIndex.from_frame(schools[["county_code", "year", "school_id"]].astype(str))
    wanted = pd.MultiIndex.from_arrays([schools["county_code"].astype(str),
                                        schools["year"].astype(str),
                                        schools["parent_school_id"].astype(str)])
    return points & wanted.isin(keys[~points & ~(schools["school_type"] == SPECIAL_EDUCATION)
                                     .to_numpy(dtype=bool)])


def merge_teaching_points(schools: pd.DataFrame) -> pd.DataFrame:
    """Teaching points added to their central schools (pupils, classes, resources, teachers).

    Teaching points with no central school in the data stay as rows (and are then left out of
    scoring, see :func:`excluded_schools`).

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns with ``school_type`` and, for teaching points,
        ``parent_school_id`` (the central school's ``school_id`` in the same county and year).

    Returns
    -------
    DataFrame
        The schools without the merged teaching points, whose pupils, classes, teachers and
        resources are added to their central schools; ``schools`` itself when there is nothing
        to merge.

    Examples
    --------
    >>> schools = pd.DataFrame({"county_code": ["1", "1"], "year": [2017, 2017],
    ...     "school_id": ["a", "b"], "school_type": ["primary", "teaching_point"],
    ...     "parent_school_id": [None, "a"], "students_primary": [300, 20], "books": [6000, 300]})
    >>> merge_teaching_points(schools)[["school_id", "students_primary", "books"]].values.tolist()
    [['a', 320, 6300]]
    """
    found = _parent_found(schools)
    if not found.any():
        return schools
    additive = [c for c in schools.columns if c.startswith(("students_", "classes_", "teachers"))
                or c in RESOURCE_COLUMNS]
    points = schools[found]
    key = ["county_code", "year", "school_id"]
    added = (points.assign(school_id=points["parent_school_id"])
             .astype({"county_code": str, "school_id": str})
             .groupby(["county_code", "year", "school_id"], sort=False)[additive]
             .sum(min_count=1))
    rest = schools[~found]
    index = pd.MultiIndex.from_frame(rest[key].astype({"county_code": str, "school_id": str}))
    extra = added.reindex(index).fillna(0).to_numpy(dtype=float)
    merged = rest.copy()
    for j, column in enumerate(additive):
        values = merged[column].to_numpy(dtype=float) + extra[:, j]
        merged[column] = values.astype(merged[column].dtype) if np.isfinite(values).all() \
            else values
    return merged


def add_indicator_columns(sections: pd.DataFrame) -> pd.DataFrame:
    """Add every indicator of :data:`INDICATORS` to a frame of sections (``students`` > 0)."""
    students = sections["students"].to_numpy(dtype=float)
    values = {name: ind.multiplier * sections[ind.numerator].to_numpy(dtype=float) / students
              for name, ind in INDICATORS.items()}
    return pd.concat([sections, pd.DataFrame(values, index=sections.index, copy=False)], axis=1)


def compute_indicators(schools: pd.DataFrame) -> pd.DataFrame:
    """Per-section indicator values (the shared contract of CONTRACTS.md).

    Parameters
    ----------
    schools : DataFrame
        Canonical school columns; ``students_senior`` optional.

    Returns
    -------
    DataFrame
        One row per school x level section with pupils: ``county_code, county_name, year,
        school_id, school_name, school_type, urban_rural, level, students, classes`` and one
        column per indicator of :data:`INDICATORS`.

    Examples
    --------
    >>> school = pd.DataFrame([dict(county_code="1", county_name="甲县", year=2017,
    ...     school_id="s1", school_name="甲小学", school_type="primary", urban_rural="rural",
    ...     students_primary=200, students_junior=0, classes_primary=6, classes_junior=0,
    ...     teachers=12, teachers_above_degree=10, teachers_mid_title=6, teachers_backbone=2,
    ...     teachers_pe_arts=2, teaching_area_m2=900, sports_area_m2=1600,
    ...     equipment_value_cny=400000, computers=20, multimedia_classrooms=5, books=4000)])
    >>> row = compute_indicators(school).iloc[0]
    >>> row["teaching_area_per_student"], row["teachers_per_100_students"]
    (np.float64(4.5), np.float64(6.0))
    """
    sections = add_indicator_columns(split_sections(schools))
    return sections[OUTPUT_ID_COLUMNS + list(INDICATORS)]
