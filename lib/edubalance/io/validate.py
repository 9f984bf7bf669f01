"""Validation of schools, counties and teacher rosters, and the load report.

Either the whole table is valid, or a :class:`~edubalance.errors.DataError` lists every problem
found (up to ``max_problems``), each naming file, sheet, row (as a spreadsheet shows it),
column, value and school id. What was cleaned or converted is never silent: it is in the
:class:`LoadReport` attached to the frame (``frame.attrs["load_report"]``, a plain dict) and in
``frame.attrs["cleaning_log"]``.

Why hand-written checks rather than pandera: messages must name rows as the spreadsheet shows
them (title rows, two-row headers, dropped totals rows), most checks are cross-column and
depend on the school type, and every dependency counts for users behind slow networks. The
checks are vectorised boolean masks; Python only loops over the (capped) problems.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError, ParameterError, Problem
from . import characters, plausibility, rows, units
from .clean import (
    FULL_WIDTH,
    Collector,
    blank_mask,
    clean_ids,
    is_text,
    map_vocabulary,
    parse_numbers,
    rows_text,
    strip_cells,
    totals_mask,
)
from .headers import closest_header, column_mapping, resolve
from .loadreport import LoadReport, ReportDict
from .read import SPACES, RawTable, read_raw

__all__ = ["LoadReport", "ReportDict", "load", "validate_schools", "KINDS", "MAX_PROBLEMS",
           "SCHOOL_TYPE_LABELS", "URBAN_RURAL_LABELS"]

logger = logging.getLogger("edubalance.io.load")

MAX_PROBLEMS = 50
"""Default cap on the problems a :class:`DataError` lists (the rest are counted)."""
KINDS = ("schools", "counties", "teachers")

SCHOOL_TYPE_LABELS = {"primary": "小学", "junior": "初中", "nine_year": "九年一贯制学校",
                      "complete_middle": "完全中学", "twelve_year": "十二年一贯制学校",
                      schema.SPECIAL_EDUCATION: "特殊教育学校", schema.TEACHING_POINT: "教学点"}
URBAN_RURAL_LABELS = {"urban": "城区", "town": "镇区", "rural": "乡村"}
_SECTION_TYPES = {
    "primary": {"primary", "nine_year", "twelve_year", schema.SPECIAL_EDUCATION,
                schema.TEACHING_POINT},
    "junior": {"junior", "nine_year", "complete_middle", "twelve_year", schema.SPECIAL_EDUCATION},
    "senior": {"complete_middle", "twelve_year"},
}
_SECTION_COLUMNS = {
    "students_primary": "primary", "classes_primary": "primary",
    "students_junior": "junior", "classes_junior": "junior",
    "students_senior": "senior", "classes_senior": "senior",
}
_TEACHER_SUBCOUNTS = ["teachers_above_degree", "teachers_mid_title", "teachers_backbone",
                      "teachers_pe_arts"]
ROSTER_ID_COLUMNS = ["county_code", "county_name", "year", "school_id", "school_name"]
ROSTER_REQUIRED = ["school_id", "姓名", "出生年月", "学历", "职称", "任职岗位"]
_NUMERIC = schema.NUMERIC_SCHOOL_COLUMNS + schema.OPTIONAL_COUNT_COLUMNS
_MAY_BE_BLANK = set(schema.MAX_CLASS_SIZE_COLUMNS + schema.SECTION_TEACHER_COLUMNS)
"""Optional counts where a blank means "not given" (kept as NaN, the column as float64)."""
_UNSCORED_TYPES = (schema.SPECIAL_EDUCATION, schema.TEACHING_POINT)


@dataclass
class _Context:
    file: str
    problems: Collector
    allow: frozenset
    facts: dict[str, Any]
    conversions: list[str] = field(default_factory=list)
    dropped: list[tuple] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (where, note)


# ------------------------------------------------------------------------------ columns
_SECTION_OPTIONAL = ["students_primary", "classes_primary", "students_junior", "classes_junior"]
"""A per-level sheet (小学 only) may lack the other level's columns: absent is checked per
school (0 for a school without that section, an error for one with it)."""


def _missing(kind: str, found: Iterable[str]) -> list[str]:
    found = set(found)
    if kind == "schools":
        missing = [c for c in schema.SCHOOL_COLUMNS
                   if c not in found and c not in _SECTION_OPTIONAL]
        for section in ("primary", "junior"):
            pair = [f"students_{section}", f"classes_{section}"]
            if len(set(pair) & found) == 1:  # enrolment without classes or the reverse
                missing += [c for c in pair if c not in found]
        if not {"students_primary", "students_junior"} & found:
            missing += ["students_primary", "students_junior"]
        order = {c: i for i, c in enumerate(schema.SCHOOL_COLUMNS)}
        return sorted(dict.fromkeys(missing), key=order.get)
    required = {"counties": schema.COUNTY_KEY_COLUMNS,
                "teachers": ROSTER_REQUIRED}.get(kind, schema.COUNTY_KEY_COLUMNS)
    return [c for c in required if c not in found]


def _complete_with(facts: Mapping[str, Any]):
    """``complete(found, kind)`` for the reader: True or (missing, looks like data)."""
    def complete(found: Iterable[str], kind: str):
        found = set(found) | set(facts)
        kinds = (_detect_kind(found),) if kind == "auto" else (kind,)
        best = None
        for k in kinds:
            missing = _missing(k, found)
            if not missing:
                return True
            if best is None or len(missing) < len(best):
                best = missing
        relevant = found & (set(schema.SCHOOL_COLUMNS) | set(ROSTER_REQUIRED))
        return best, len(relevant) >= 3
    return complete


def _check_columns(raw: RawTable, kind: str, ctx: _Context) -> list[str]:
    missing = _missing(kind, raw.frame.columns)
    if missing:
        aliases = schema.SCHOOL_HEADER_ALIASES
        shown = [f"{c} ({aliases[c][0]})" if c in aliases else c for c in missing]
        message = (f"missing required column{'s' if len(missing) > 1 else ''}: "
                   + ", ".join(shown))
        known = [c for c in raw.frame.columns if c in set(schema.SCHOOL_COLUMNS)
                 | set(schema.OPTIONAL_SCHOOL_COLUMNS) | set(schema.ROSTER_COLUMNS)]
        if len(known) < 2 and raw.head:
            message = _no_header(raw) + "; " + message
        hints = []
        for label in raw.unknown:
            near = closest_header(label)
            hints.append(f"'{label}'" + (f" (closest known header: {near})" if near else ""))
        if hints:
            message += ". Unrecognised header(s): " + ", ".join(hints) + \
                ". Map them with columns={'header': 'column'}"
        ctx.problems.add(message, sheet=raw.sheet, row=raw.header_line,
                         column=", ".join(missing))
    return missing


def _no_header(raw: RawTable) -> str:
    """'no header found in the first N rows; the closest row is row K (its cells)'."""
    def score(row):
        cells = [c for c in row if str(c).strip()]
        near = sum(1 for c in cells if closest_header(c))
        return (near, len(cells))

    best = max(range(len(raw.head)), key=lambda r: score(raw.head[r]))
    cells = [str(c).strip() for c in raw.head[best] if str(c).strip()][:6]
    return (f"no header found in the first {len(raw.head)} rows; the closest row is row "
            f"{best + 1} ({', '.join(cells) or 'blank'})")


def _apply_facts(raw: RawTable, facts: Mapping[str, Any], ctx: _Context, where: str) -> None:
    """County code/name and year from arguments or the title row, for forms without them."""
    given = {**raw.title, **facts}
    for column in ("county_code", "county_name", "year"):
        if column in raw.frame.columns or column not in given:
            continue
        value = given[column]
        raw.frame[column] = str(value)
        raw.labels[column] = column
        raw.given.add(column)
        source = "argument" if column in facts else "title row"
        ctx.notes.append((where, f"{column} = {value} taken from the {source}"))
        ctx.facts.setdefault(column, value)


def _apply_units(raw: RawTable, column: str, values: pd.Series, ctx: _Context,
                 where: str) -> tuple[pd.Series, bool]:
    unit = raw.units.get(column)
    if unit is None:
        return values, True
    factor = units.factor(column, unit)
    label = raw.labels[column]
    if factor is None:
        accepted = units.accepted(column)
        line = raw.unit_lines.get(column)
        ctx.problems.add(
            f"unknown or incompatible unit '{unit}' "
            + (f"in the unit line '{line}'" if line else f"in header '{label}'") + f" for {column}"
            + (f" (accepted: {', '.join(accepted)})" if accepted else
               " (this column takes no unit)"),
            sheet=raw.sheet, row=raw.header_line, column=column, header=label)
        return values, False
    if factor != 1:
        converted = values * factor
        values = converted.round(6)
        line = raw.unit_lines.get(column)
        ctx.conversions.append(f"{where}: column '{label}' ({column}) in {unit}"
                               + (f" (from the unit line '{line}')" if line else "")
                               + f": multiplied by {factor:g} to {units.canonical_unit(column)}")
    return values, True


def _parse_year(series: pd.Series, problems: Collector) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        bad = series.isna() | (series % 1 != 0)
        problems.add_mask(bad, "year", "year is not a whole number", series)
        return series.fillna(0).astype("int64")
    text = series.fillna("").astype(str).str.translate(FULL_WIDTH).str.strip(SPACES)
    digits = text.str.extract(r"^(\d{4})(?:\.0)?\s*(?:年|年度)?$", expand=False)
    bad = digits.isna() & (text != "")
    problems.add_mask(bad, "year", "year is not a four-digit year", series)
    return pd.to_numeric(digits, errors="coerce").fillna(0).astype("int64")


def _check_characters(frame, columns, raw, problems, notes) -> None:
    """Control characters refused, invisible ones removed, look-alikes normalised (named)."""
    for column in columns:
        if column not in frame or not is_text(frame[column]):
            continue
        label = raw.labels.get(column, column)
        clean, bad = characters.check_text(frame[column], label, notes)
        if bad.any():
            shown = frame[column]
            problems.add_mask(bad, column, lambda hits, v=shown: [
                "control character " + ", ".join(characters.code_points(
                    str(v.iloc[h]), characters.CONTROL)) + " in the cell: retype it (such "
                "characters can repaint a terminal and cannot be stored in Excel)"
                for h in hits], shown)
        frame[column] = clean


def _check_blank_text(frame, columns, problems):
    for column in columns:
        if column in frame:
            series = frame[column]
            blank = series.isna() | (series.astype(str) == "") if is_text(series) \
                else series.isna()
            problems.add_mask(blank, column,
                              f"blank {column} (required)")


def _drop_rows(frame, kept, ctx, raw, where, name_columns, id_column, numeric=(),
               type_column=None):
    """Drop blank rows, totals (by label without id, or by content) and notes/footers.

    A row is blank, and a note fills few cells, by the cells read from the file: columns
    filled in from arguments or the title row (``raw.given``: the county code, name and
    year, in every row) do not make a blank row or a footer line a school's.
    """
    own = [c for c in kept if c not in raw.given]
    blank = blank_mask(frame, own) if len(own) else pd.Series(False, index=frame.index)
    others = [c for c in raw.frame.columns if c not in frame and is_text(raw.frame[c])]
    labels = frame.assign(**{f"\0{c}": raw.frame[c] for c in others})
    label_columns = name_columns + [frame.columns[0]] + [f"\0{c}" for c in others]
    labelled = totals_mask(labels, label_columns, None, blank)
    totals = totals_mask(labels, label_columns, id_column, blank) if labelled.any() \
        else labelled
    labelled = labelled.to_numpy()
    numeric = [c for c in numeric if c in frame]
    numbers = rows.RowNumbers(frame, numeric) if numeric else None
    by_content = rows.content_totals(frame, numeric, type_column, labelled,
                                     numbers=numbers) & ~blank.to_numpy()
    totals = totals | by_content
    # The raw rows of ``frame`` (all of them, as a rule: then no national-size copy).
    same = frame.index.equals(raw.frame.index)
    noted = rows.note_rows(raw.frame if same else raw.frame.loc[frame.index], numeric,
                           numberless=None if numbers is None else numbers.numberless)
    if noted.any():  # a note or footer fills a cell or three, never a school's (a teacher's) row
        cells = frame.iloc[np.flatnonzero(noted)][own]
        filled = cells.notna() & (cells.astype(str).apply(lambda c: c.str.strip(SPACES)) != "")
        noted[np.flatnonzero(noted)] = filled.sum(axis=1).to_numpy() <= 3
    notes_mask = pd.Series(noted, index=frame.index) & ~blank & ~totals
    file_columns = [c for c in raw.frame.columns if c not in raw.given]
    for mask, reason, note in ((blank, "blank", "blank row(s)"),
                               (totals, "totals", "totals row(s) (合计/总计/小计)"),
                               (notes_mask, "note", "note or footer row(s) (注/填表人/审核人)")):
        if mask.any():
            hit = mask.to_numpy()
            lines = frame.index[hit].to_numpy()
            # The row's text as the file has it: its cells in the file's order, not the
            # county name or year filled in from the title row or the arguments.
            texts = () if reason == "blank" else rows.row_texts(
                raw.frame.loc[lines[:50], file_columns], np.ones(min(len(lines), 50), bool))
            shown = rows_text(lines) if not texts else ", ".join(
                f"{line} ({text})" for line, text in zip(lines[:8], texts, strict=False)) + (
                f" and {len(lines) - 8} more" if len(lines) > 8 else "")
            ctx.notes.append((where, f"dropped {int(mask.sum())} {note}: rows {shown}"))
            ctx.dropped.append((raw.sheet or "", reason, tuple(int(x) for x in lines), texts))
    return frame[~(blank | totals | notes_mask).to_numpy()]


# ------------------------------------------------------------------------------ schools
def _schools_sheet(raw: RawTable, ctx: _Context, where: str) -> dict | None:
    problems = ctx.problems
    problems.sheet = raw.sheet
    if _check_columns(raw, "schools", ctx):
        return None
    absent = [c for c in _SECTION_OPTIONAL if c not in raw.frame]
    for column in absent:
        raw.frame[column] = ""
        raw.labels[column] = column
    if absent:
        ctx.notes.append((where, "no column(s) " + ", ".join(absent) + ": taken as 0 for "
                                 "schools without that section"))
    wanted = [c for c in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS
              if c in raw.frame]
    unused = [raw.labels[c] for c in raw.frame.columns if c not in wanted]
    if unused:
        shown = []
        for label in unused:
            near = closest_header(label) if label in raw.unknown else None
            meant = near and resolve(near)[0] not in wanted
            shown.append(label + (f" (closest known header: {near}; map it with columns= if "
                                  "meant)" if meant else ""))
        ctx.notes.append((where, "ignored column(s) not used for schools: " + ", ".join(shown)))
        ctx.ignored += unused
    notes: list[str] = []
    frame = strip_cells(raw.frame[wanted], notes)
    frame = _drop_rows(frame, wanted, ctx, raw, where, ["school_name", "county_name"],
                       "school_id", [c for c in _NUMERIC if c in frame], "school_type")
    for column in ("county_code", "school_id", schema.PARENT_SCHOOL_ID):
        if column in frame:
            frame[column] = clean_ids(frame[column], column, raw.labels[column], notes,
                                      column in raw.numeric_ids)
    problems.bind(frame)
    # (school_type and urban_rural are vocabularies: anything else there is refused anyway.)
    _check_characters(frame, ["county_code", "county_name", "school_id", "school_name",
                              "prefecture", schema.PARENT_SCHOOL_ID], raw, problems, notes)
    out: dict[str, pd.Series] = {}
    _check_blank_text(frame, ["county_code", "county_name", "school_id", "school_name",
                              "school_type", "urban_rural", "year"], problems)
    for column in ("county_code", "county_name", "school_id", "school_name", "prefecture",
                   schema.PARENT_SCHOOL_ID):
        if column in frame:
            out[column] = frame[column].fillna("").astype(str)
    out["year"] = _parse_year(frame["year"], problems)
    vocabularies = {"school_type": (schema.SCHOOL_TYPE_ALIASES, schema.SCHOOL_TYPES,
                                    SCHOOL_TYPE_LABELS),
                    "urban_rural": (schema.URBAN_RURAL_ALIASES, schema.URBAN_RURAL,
                                    URBAN_RURAL_LABELS)}
    for column, (aliases, allowed, labels) in vocabularies.items():
        mapped = map_vocabulary(frame[column], aliases, allowed)
        unknown = mapped.isna() & (frame[column].fillna("").astype(str) != "")
        expected = ", ".join(f"{labels[v]}/{v}" for v in allowed)
        problems.add_mask(unknown, column, f"unknown {column} (expected one of {expected})",
                          frame[column])
        out[column] = mapped
    school_type = out["school_type"]
    known, applies_to = _sections(school_type)

    values, usable = {}, {}
    for column in _NUMERIC:
        if column not in frame:
            continue
        label = raw.labels[column]
        number, blank, bad = parse_numbers(frame[column], column, label, notes)
        number, unit_ok = _apply_units(raw, column, number, ctx, where)
        formulas = raw.formulas.get(column)
        if formulas:
            formula = frame.index.isin(list(formulas))
            problems.add_mask(formula, column, lambda hits, f=formulas: [
                f"formula {f[int(frame.index[h])]} has no saved value (the file was written "
                "by a program that does not calculate): open and save it in Excel, or enter "
                "the value" for h in hits])
            blank = blank & ~formula
        problems.add_mask(bad, column, "not a number", frame[column])
        section = _SECTION_COLUMNS.get(column)
        if section:
            applies = applies_to[section]
            fill = blank & (known & ~applies)
            if fill.any():
                notes.append(f"column '{label}' ({column}): blank taken as 0 for "
                             f"{int(fill.sum())} school(s) without a {section} section: rows "
                             f"{rows_text(frame.index[fill].to_numpy())}")
                number = number.mask(fill, 0.0)
            blank_error = blank & applies
        elif column in _MAY_BE_BLANK:
            blank_error = np.zeros(len(blank), dtype=bool)
        else:
            blank_error = blank
        problems.add_mask(blank_error, column,
                          f"no {column} column in this sheet, but the school has a {section} "
                          "section" if column in absent else
                          "blank count (a blank is an error, not zero: enter 0 if there are "
                          "none)" if column not in schema.MEASURE_COLUMNS
                          else "blank value (required)")
        # The masks as NumPy arrays: a sheet has a dozen numeric columns, and Series
        # arithmetic costs more than the work on a county's few hundred rows.
        as_float = number.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(as_float)
        negative = as_float < 0
        problems.add_mask(negative, column, "negative value", frame[column])
        fraction = np.zeros(len(as_float), dtype=bool)
        if column not in schema.MEASURE_COLUMNS:
            # (floor, not mod: a tenth of the cost; an infinity is not a whole number either)
            fraction = ((as_float != np.floor(as_float)) | np.isinf(as_float)) & present \
                & ~negative
            problems.add_mask(fraction, column, "count is not a whole number", frame[column])
        values[column] = number
        usable[column] = pd.Series(present & ~negative & ~fraction & unit_ok, index=frame.index)
    _check_school_consistency(frame, school_type, values, usable, problems,
                              (known, applies_to))
    _check_special_types(frame, out, school_type, problems, notes, absent)
    ctx.notes += [(where, n) for n in notes]
    return {"out": out, "values": values, "usable": usable, "cells": frame,
            "lines": frame.index.to_numpy(), "sheet": raw.sheet}


def _check_special_types(frame, out, school_type, problems, notes, absent) -> None:
    """Senior sections that must be given; special-education schools and teaching points."""
    senior = school_type.isin(schema.SENIOR_SECTION_TYPES).to_numpy()
    if senior.any() and "students_senior" not in frame:
        problems.add_mask(senior, "students_senior", lambda hits: [
            f"a {SCHOOL_TYPE_LABELS[school_type.iloc[h]]} ({school_type.iloc[h]}) needs its "
            "senior enrolment to split its resources: add a column 高中在校生数 "
            "(students_senior); without it the whole school would be charged to its junior "
            "section" for h in hits])
    point = (school_type == schema.TEACHING_POINT).to_numpy()
    parent = out.get(schema.PARENT_SCHOOL_ID)
    # A teaching point without its central school is loaded and left out of scoring (the
    # report lists it, DOMAIN.md §7); the load report says so, so that the column
    # 所属中心校代码 (parent_school_id) can be added.
    orphan = point if parent is None else point & (parent == "").to_numpy()
    for mask, label, reason in (
            ((school_type == schema.SPECIAL_EDUCATION).to_numpy(),
             "special-education school(s) (特殊教育学校)", "excluded from scoring"),
            (point & ~orphan, "teaching point(s) (教学点)", "counted with its central school"),
            (orphan, "teaching point(s) (教学点) without a central school (所属中心校代码, "
                     "parent_school_id)", "left out of scoring")):
        if mask.any():
            notes.append(f"{int(mask.sum())} {label} {reason}: rows "
                         f"{rows_text(frame.index[mask].to_numpy())}")


def _sections(school_type: pd.Series) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(school type known, {section: the type has it}) as NumPy masks, from type codes."""
    codes, uniques = pd.factorize(school_type)  # a handful of distinct types
    positions = np.array([schema.SCHOOL_TYPES.index(u) if u in schema.SCHOOL_TYPES else -1
                          for u in uniques] + [-1], dtype=np.int64)
    codes = positions[codes]
    applies = {section: np.isin(codes, [schema.SCHOOL_TYPES.index(t) for t in types])
               for section, types in _SECTION_TYPES.items()}
    return codes >= 0, applies


def _check_school_consistency(frame, school_type, values, usable, problems,
                              sections) -> None:
    students = pd.Series(0.0, index=frame.index)
    students_ok = pd.Series(True, index=frame.index)
    for c in ("students_primary", "students_junior", "students_senior"):
        if c in values:
            students_ok &= usable[c]
            students = students + values[c].fillna(0)
    regular = ~school_type.isin(_UNSCORED_TYPES)
    problems.add_mask(students_ok & regular & (students == 0), "students_primary",
                      "total enrolment is 0 (per-student indicators need students; "
                      "drop closed schools)", students)
    known, applies = sections

    def array(column):
        return values[column].to_numpy(dtype="float64", na_value=np.nan)

    for column, section in _SECTION_COLUMNS.items():
        if column not in values:
            continue
        wrong = usable[column].to_numpy(dtype=bool) & (array(column) > 0) & known \
            & ~applies[section]
        noun = "students" if column.startswith("students") else "classes"
        problems.add_mask(wrong, column, lambda hits, s=section, n=noun: [
            f"a {SCHOOL_TYPE_LABELS[school_type.iloc[h]]} ({school_type.iloc[h]}) school "
            f"has {s} {n}" for h in hits], frame[column])
    for section in ("primary", "junior", "senior"):
        s_col, c_col = f"students_{section}", f"classes_{section}"
        if s_col in values and c_col in values:
            both = usable[s_col].to_numpy(dtype=bool) & usable[c_col].to_numpy(dtype=bool)
            enrolled_here, classes = array(s_col), array(c_col)
            problems.add_mask(both & (enrolled_here > 0) & (classes == 0), c_col,
                              f"0 classes but {section} students enrolled", frame[c_col])
            problems.add_mask(both & (enrolled_here == 0) & (classes > 0), c_col,
                              f"{section} classes but no {section} students", frame[c_col])
    teachers = array("teachers")
    ok = usable["teachers"].to_numpy(dtype=bool)
    enrolled = students.to_numpy(dtype="float64")
    problems.add_mask(
        ok & students_ok.to_numpy(dtype=bool) & (teachers > enrolled) & (enrolled > 0),
        "teachers", lambda hits: [f"more teachers ({int(teachers[h])}) than students "
                                  f"({int(enrolled[h])})" for h in hits], frame["teachers"])
    for column in _TEACHER_SUBCOUNTS:
        count = array(column)
        over = ok & usable[column].to_numpy(dtype=bool) & (count > teachers)
        problems.add_mask(over, column, lambda hits, c=count, name=column: [
            f"{name} ({int(c[h])}) exceeds teachers ({int(teachers[h])})" for h in hits],
            frame[column])


def _check_duplicates(out, problems, raw_ids) -> None:
    ids = out["school_id"]
    if ids.nunique(dropna=False) == len(ids):
        return  # ids unique in the whole file: the usual case, and cheap to see
    keys = pd.DataFrame({"county_code": out["county_code"], "year": out["year"],
                         "school_id": out["school_id"]})
    repeated = keys.duplicated(keep="first") & (keys["school_id"] != "")
    if not repeated.any():
        return
    lines = pd.Series(problems.lines, index=keys.index)
    groups = [keys["county_code"], keys["year"], keys["school_id"]]
    first = lines.groupby(groups, sort=False).transform("first")
    sheets = None
    if problems.sheets is not None:
        sheets = pd.Series(problems.sheets, index=keys.index).groupby(
            groups, sort=False).transform("first")

    def where(h):
        if sheets is None:
            return f"row {first.iloc[h]}"
        return f"sheet '{sheets.iloc[h]}', row {first.iloc[h]}"

    problems.add_mask(repeated, "school_id", lambda hits: [
        f"duplicate school id in county {keys['county_code'].iloc[h]}, year "
        f"{keys['year'].iloc[h]} (first on {where(h)}"
        + (f"; this one on sheet '{problems.sheets[h]}'" if problems.sheets is not None else "")
        + ")" for h in hits], raw_ids)


def _combine(parts: list[dict]) -> dict:
    if len(parts) == 1:
        part = dict(parts[0])
        index = pd.RangeIndex(len(part["lines"]))
        for key in ("out", "values", "usable"):
            part[key] = {c: s.set_axis(index) for c, s in part[key].items()}
        part["cells"] = part["cells"].set_axis(index)
        part["sheets"] = None
        return part
    columns = {key: sorted({c for p in parts for c in p[key]}) for key in ("out", "values")}
    combined = {"lines": np.concatenate([p["lines"] for p in parts]),
                "sheets": np.concatenate([[p["sheet"]] * len(p["lines"]) for p in parts])}
    index = pd.RangeIndex(len(combined["lines"]))
    for key in ("out", "values", "usable"):
        names = columns["values" if key == "usable" else key]
        combined[key] = {c: pd.concat([p[key].get(c, pd.Series(np.nan, index=p["cells"].index))
                                       for p in parts], ignore_index=True).set_axis(index)
                         for c in names}
    combined["cells"] = pd.concat([p["cells"] for p in parts], ignore_index=True)
    return combined


def _validate_schools(raws: list[RawTable], ctx: _Context, wheres: list[str]) -> pd.DataFrame:
    parts = [p for raw, where in zip(raws, wheres, strict=True)
             if (p := _schools_sheet(raw, ctx, where)) is not None]
    problems = ctx.problems
    if not parts or len(parts) < len(raws):
        problems.raise_if_any()
    combined = _combine(parts)
    out, values, usable, cells = (combined["out"], combined["values"], combined["usable"],
                                  combined["cells"])
    if len(parts) > 1:
        out["sheet"] = pd.Series(combined["sheets"], index=cells.index).astype(str)
    problems.sheet = None if len(parts) > 1 else parts[0]["sheet"]
    problems.bind(cells, lines=combined["lines"], sheets=combined["sheets"])
    _check_duplicates(out, problems, cells["school_id"])
    plausibility.check(out, values, usable, problems, ctx.allow,
                       {c: cells[c] for c in cells.columns})
    problems.raise_if_any()
    index = cells.index
    del cells, usable, combined, parts  # free memory before the result is built
    order = [c for c in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS + ["sheet"]
             if c in out or c in values]
    columns = {}
    for column in order:
        if column in out:
            columns[column] = out.pop(column)
        else:
            series = values.pop(column)
            columns[column] = series.astype(
                "float64" if column in schema.MEASURE_COLUMNS
                or (column in _MAY_BE_BLANK and series.isna().any()) else "int64")
    return pd.DataFrame(columns, index=index).reset_index(drop=True)


# ------------------------------------------------------------------------------ counties
def _sheet_by_sheet(validate_sheet):
    """A table validator that validates each sheet on its own, then stacks the sheets."""
    def validate(raws: list[RawTable], ctx: _Context, wheres: list[str]) -> pd.DataFrame:
        results = [validate_sheet(raw, ctx, where)
                   for raw, where in zip(raws, wheres, strict=True)]
        ctx.problems.raise_if_any()
        return pd.concat(results, ignore_index=True) if len(results) > 1 else results[0]
    return validate


def _counties_sheet(raw: RawTable, ctx: _Context, where: str) -> pd.DataFrame | None:
    problems = ctx.problems
    problems.sheet = raw.sheet
    _check_columns(raw, "counties", ctx)
    notes: list[str] = []
    frame = strip_cells(raw.frame, notes)
    blank_header = [c for c in frame.columns if c.startswith("(blank header")]
    frame = frame.drop(columns=blank_header)
    frame = _drop_rows(frame, list(frame.columns), ctx, raw, where, ["county_name"],
                       "county_code")
    problems.bind(frame, id_column=None)
    _check_characters(frame, [c for c in frame.columns if is_text(frame[c])], raw, problems,
                      notes)
    if "county_code" in frame:
        frame["county_code"] = clean_ids(frame["county_code"], "county_code",
                                         raw.labels["county_code"], notes,
                                         "county_code" in raw.numeric_ids)
    _check_blank_text(frame, schema.COUNTY_KEY_COLUMNS, problems)
    out = {c: frame[c].fillna("").astype(str) for c in ("county_code", "county_name")
           if c in frame}
    if "year" in frame:
        out["year"] = _parse_year(frame["year"], problems)
    for column in frame.columns:
        if column in schema.COUNTY_KEY_COLUMNS:
            continue
        scratch: list[str] = []
        number, blank, bad = parse_numbers(frame[column], column, raw.labels[column], scratch)
        filled = int((~blank).sum())
        # "Numeric where numeric": a column is numeric when most of its filled cells are
        # numbers; the few that are not are then typing errors, reported as such.
        if filled and int(bad.sum()) <= filled / 2:
            notes.extend(scratch)
            problems.add_mask(bad, column, "not a number", frame[column])
            number, _ = _apply_units(raw, column, number, ctx, where)
            whole = number.notna().all() and bool((number % 1 == 0).all())
            out[column] = number.astype("int64") if whole else number
        else:
            out[column] = frame[column]
    if {"county_code", "year"} <= set(out):
        keys = pd.DataFrame({"county_code": out["county_code"], "year": out["year"]})
        repeated = keys.duplicated(keep="first") & (keys["county_code"] != "")
        problems.add_mask(repeated, "county_code", "duplicate county and year",
                          frame["county_code"])
    ctx.notes += [(where, n) for n in notes]
    result = pd.DataFrame(out, index=frame.index)
    order = [c for c in schema.COUNTY_KEY_COLUMNS if c in result] + \
        [c for c in result.columns if c not in schema.COUNTY_KEY_COLUMNS]
    return result[order].reset_index(drop=True)


# ------------------------------------------------------------------------------ rosters


def _teachers_sheet(raw: RawTable, ctx: _Context, where: str) -> pd.DataFrame | None:
    from . import roster

    problems = ctx.problems
    problems.sheet = raw.sheet
    _check_columns(raw, "teachers", ctx)
    notes: list[str] = []
    wanted = [c for c in ROSTER_ID_COLUMNS + schema.ROSTER_COLUMNS if c in raw.frame]
    unused = [raw.labels[c] for c in raw.frame.columns if c not in wanted and c != "序号"]
    if unused:
        notes.append("ignored column(s) not used for the roster: " + ", ".join(unused))
        ctx.ignored += unused
    frame = strip_cells(raw.frame[wanted], notes)
    frame = _drop_rows(frame, [c for c in wanted if c != "序号"], ctx, raw, where,
                       ["school_id", "school_name", "姓名"], None)
    for column in ("school_id", "county_code"):
        if column in frame:
            frame[column] = clean_ids(frame[column], column, raw.labels[column], notes,
                                      column in raw.numeric_ids)
    problems.bind(frame)
    _check_characters(frame, wanted, raw, problems, notes)
    _check_blank_text(frame, ["school_id", "姓名"], problems)
    out = {c: frame[c].fillna("").astype(str) for c in wanted if c != "year"}
    if "year" in frame:
        out["year"] = _parse_year(frame["year"], problems)
    for column in schema.ROSTER_COLUMNS:
        out.setdefault(column, pd.Series("", index=frame.index))
    for column, message, mask in roster.roster_problems(pd.DataFrame(out, index=frame.index)):
        problems.add_mask(mask, column, message, frame[column] if column in frame else None)
    ctx.notes += [(where, n) for n in notes]
    result = pd.DataFrame(out, index=frame.index)
    order = [c for c in ROSTER_ID_COLUMNS if c in result] + schema.ROSTER_COLUMNS
    return result[order].reset_index(drop=True)


# ------------------------------------------------------------------------------ entry point
_VALIDATORS = {"schools": _validate_schools, "counties": _sheet_by_sheet(_counties_sheet),
               "teachers": _sheet_by_sheet(_teachers_sheet)}


def _hidden_rows(table: RawTable, include: bool, ctx: _Context, where: str) -> None:
    """Rows hidden or filtered out in Excel: excluded and listed, or read when asked."""
    hidden = np.asarray([h for h in table.hidden_rows if h in table.frame.index], dtype=np.int64)
    if not len(hidden):
        return
    if include:
        ctx.notes.append((where, f"read {len(hidden)} row(s) hidden or filtered out in Excel "
                                 f"(include_hidden=True): rows {rows_text(hidden)}"))
        return
    table.frame = table.frame.drop(index=hidden)
    ctx.notes.append((where, f"excluded {len(hidden)} row(s) hidden or filtered out in Excel: "
                             f"rows {rows_text(hidden)} (read them with include_hidden=True)"))
    ctx.dropped.append((table.sheet or "", "hidden", tuple(int(x) for x in hidden), ()))


def _detect_kind(columns: Iterable[str]) -> str:
    columns = set(columns)
    # An extra 姓名 column (the head teacher's name) does not make a schools file a roster.
    if "school_id" in columns and len(columns & set(schema.NUMERIC_SCHOOL_COLUMNS)) >= 5:
        return "schools"
    if columns & {"姓名", "出生年月", "任职岗位", "职称", "学历"}:
        return "teachers"
    if "school_id" in columns or len(columns & set(schema.NUMERIC_SCHOOL_COLUMNS)) >= 5:
        return "schools"
    return "counties"


def _years(raw: RawTable, facts) -> set[int]:
    if "year" in raw.frame:
        text = raw.frame["year"].astype(str).str.translate(FULL_WIDTH)
        found = text.str.extract(r"((?:19|20)\d{2})", expand=False).dropna()
        return set(found.astype(int).unique().tolist())
    year = facts.get("year", raw.title.get("year"))
    return {int(year)} if year is not None else set()


def load(source, kind: str = "auto", sheet: str | None = None, *,
         columns: Mapping[str, str] | str | None = None, county_code: str | None = None,
         county_name: str | None = None, year: int | None = None,
         allow: Iterable[str] | str | None = None,
         max_problems: int = MAX_PROBLEMS, include_hidden: bool = False) -> pd.DataFrame:
    """Read and validate one file or DataFrame (see :func:`edubalance.io.load.load_table`).

    Parameters
    ----------
    source : str, Path or DataFrame
        The file or frame.
    kind : {"auto", "schools", "counties", "teachers"}, default "auto"
        What it holds; ``"auto"`` guesses from the headers.
    sheet : str, optional
        Excel sheet to read.
    columns : dict or path of a YAML file, optional
        The user's header mapping.
    county_code, county_name, year : optional
        Facts for forms that give them only in the title row or not at all.
    allow : str or list of str, optional
        Plausibility rules to waive.
    max_problems : int, default 50
        How many problems the :class:`~edubalance.errors.DataError` lists.
    include_hidden : bool, default False
        Read rows hidden or filtered out in Excel.

    Returns
    -------
    DataFrame
        With ``attrs`` ``kind``, ``source``, ``cleaning_log`` and ``load_report``.

    Raises
    ------
    DataError
        Listing every problem found (up to ``max_problems``).
    """
    if kind not in KINDS + ("auto",):
        raise ParameterError(f"kind must be one of {', '.join(KINDS)} or auto, not {kind!r}")
    if not isinstance(max_problems, int) or isinstance(max_problems, bool) or max_problems < 1:
        raise ParameterError(f"max_problems must be a positive integer, not {max_problems!r}")
    allowed = plausibility.normalise_allow(allow)
    facts = {k: v for k, v in (("county_code", county_code), ("county_name", county_name),
                               ("year", year)) if v is not None}
    if "county_code" in facts:
        facts["county_code"] = str(facts["county_code"])
    mapping = column_mapping(columns)
    raw_file = read_raw(source, kind, sheet, mapping, _complete_with(facts))
    file = raw_file.file
    tables = raw_file.tables
    skipped = list(raw_file.skipped_sheets)
    kind = _detect_kind(set(tables[0].frame.columns) | set(facts)) if kind == "auto" else kind
    mismatched = [(n, r) for n, r in skipped if r.startswith("MISMATCH")]
    skipped = [(n, r) for n, r in skipped if not r.startswith("MISMATCH")]
    if len(tables) > 1:
        first_years = _years(tables[0], facts)
        keep = [tables[0]]
        for table in tables[1:]:
            years = _years(table, facts)
            if first_years and years and not years & first_years:
                skipped.append((table.sheet, f"same columns but other year(s) "
                                             f"{', '.join(map(str, sorted(years)))}: not "
                                             f"combined; choose it with sheet='{table.sheet}'"))
            else:
                keep.append(table)
        tables = keep
    problems = Collector(file, tables[0].sheet, max_problems)
    for name, reason in mismatched:
        # A sheet that looks like data but does not match: never dropped in silence.
        problems.add(f"this sheet looks like a {kind} table but does not match the "
                     f"sheet(s) read ({reason[10:]}); fix its headers (or map them with "
                     "columns=), or choose sheets with sheet=", sheet=name)
    ctx = _Context(file, problems, allowed, {})
    wheres = [file + (f", sheet '{t.sheet}'" if t.sheet else "") for t in tables]
    for table, where in zip(tables, wheres, strict=True):
        problems.headers = table.labels
        ctx.notes += [(where, n) for n in table.notes]
        if table.frame.empty:
            raise DataError([Problem(file, "no data rows below the header", sheet=table.sheet,
                                     row=table.header_line)])
        _apply_facts(table, facts, ctx, where)
        _hidden_rows(table, include_hidden, ctx, where)
    problems.headers = {k: v for t in tables for k, v in t.labels.items()}
    frame = _VALIDATORS[kind](tables, ctx, wheres)
    if frame.empty:
        raise DataError([Problem(file, "no data rows (only blank or totals rows)",
                                 sheet=tables[0].sheet)])
    for where, note in ctx.notes + [("", c) for c in ctx.conversions]:
        logger.info("%s: %s", where, note)
    report = LoadReport(
        source=wheres[0] if len(wheres) == 1 else file, kind=kind, rows=len(frame),
        sheets=tuple(t.sheet for t in tables if t.sheet),
        skipped_sheets=tuple(skipped), conversions=tuple(ctx.conversions),
        dropped_rows=tuple(ctx.dropped), ignored_columns=tuple(dict.fromkeys(ctx.ignored)),
        notes=tuple(f"{w}: {n}" for w, n in ctx.notes),
        facts=tuple(ctx.facts.items()), allowed=tuple(sorted(allowed)))
    frame.attrs["cleaning_log"] = tuple(report.notes) + tuple(report.conversions) + \
        tuple(f"{file}: sheet '{n}' not read: {r}" for n, r in skipped)
    frame.attrs["source"] = report.source
    frame.attrs["kind"] = kind
    frame.attrs["load_report"] = ReportDict(report.to_dict())
    return frame


def validate_schools(frame: pd.DataFrame, *, allow: Iterable[str] | str | None = None,
                     max_problems: int = MAX_PROBLEMS) -> pd.DataFrame:
    """Validate a schools table already in memory, exactly as a schools file is validated.

    What :func:`edubalance.core.scoring.score` calls on its input: NaN, infinite, negative and
    implausible values are a :class:`~edubalance.errors.DataError` (rows numbered as if the
    frame were exported with a header: first row = row 2). Plausibility rules waived when the
    frame was loaded (``allow=``) stay waived.

    Parameters
    ----------
    frame : DataFrame
        Schools in canonical columns.
    allow : str or list of str, optional
        Plausibility rules to waive; by default those waived when ``frame`` was loaded.
    max_problems : int, default 50
        How many problems the error lists.

    Returns
    -------
    DataFrame
        The validated schools (types as :func:`~edubalance.io.load.load_schools` gives them).

    Raises
    ------
    DataError
        For any bad value.

    Examples
    --------
    >>> import pandas as pd
    >>> from edubalance.io.sample import generate
    >>> schools, _ = generate("province", seed=1, years=[2017])
    >>> len(validate_schools(schools)) == len(schools)
    True
    >>> bad = schools.assign(books=schools["books"].astype(float))
    >>> bad.loc[bad.index[0], "books"] = float("nan")
    >>> validate_schools(bad)
    Traceback (most recent call last):
    ...
    edubalance.errors.DataError: <DataFrame>: 1 problem
      - row 2, column 'books', school ...: blank count (a blank is an error, not zero: enter 0 if there are none)
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"expected a DataFrame of schools, not {type(frame).__name__}")
    if allow is None:
        allow = (frame.attrs.get("load_report") or {}).get("allowed") or None
    if frame.attrs:
        frame = frame.copy(deep=False)
        frame.attrs = {}  # pandas would deep-copy them at every step
    return load(frame, "schools", allow=allow, max_problems=max_problems)


