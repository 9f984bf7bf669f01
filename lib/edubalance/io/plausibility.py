"""Plausibility of a schools table, with the rules as data (``plausibility.yaml``).

Each violation is a problem naming file, row, column and value; a rule is waived with
``allow=[rule id | column | "all"]`` (e.g. ``allow=["books_per_student"]``).

>>> sorted(rule_ids())[:3]
['books_per_school', 'books_per_student', 'class_size']
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .number_text import plain_number
from .yamldata import safe_load

__all__ = ["RULES_FILE", "rules", "rule_ids", "check", "normalise_allow"]

RULES_FILE = Path(__file__).with_name("plausibility.yaml")


@lru_cache(maxsize=1)
def rules() -> dict:
    """The plausibility rules of ``plausibility.yaml`` (read once).

    Returns
    -------
    dict
        ``per_student``, ``per_school``, ``per_class`` and the named rules.
    """
    return safe_load(RULES_FILE.read_text(encoding="utf-8"))


def rule_ids() -> set[str]:
    """Every rule id a file may waive (``--allow``): ``<column>_per_student`` and the others.

    Returns
    -------
    set of str
    """
    table = rules()
    ids = {k for k in table if k not in ("per_student", "per_school", "per_class")}
    ids |= {f"{c}_per_student" for c in table["per_student"]}
    ids |= {f"{c}_per_school" for c in table["per_school"]}
    ids |= set(table["per_class"])
    return ids


def normalise_allow(allow: Iterable[str] | str | None) -> frozenset[str]:
    """The ``allow`` parameter of the loaders as a set of known rule ids or columns.

    Parameters
    ----------
    allow : str, iterable of str or None
        Plausibility rule ids (``plausibility.yaml``), school columns,
        ``"students_total"`` or ``"all"``; one name or several; None allows nothing.

    Returns
    -------
    frozenset of str
        The names, for :func:`check`.

    Raises
    ------
    ParameterError
        For a name that is neither a rule nor a column.
    """
    from .. import schema
    from ..errors import ParameterError

    if allow is None:
        return frozenset()
    if isinstance(allow, str):
        allow = [allow]
    allow = frozenset(str(a) for a in allow)
    known = rule_ids() | set(schema.SCHOOL_COLUMNS) | {"all", "students_total"}
    unknown = sorted(allow - known)
    if unknown:
        raise ParameterError(f"allow: unknown plausibility rule(s) {', '.join(unknown)} "
                             f"(rules: {', '.join(sorted(rule_ids()))})")
    return allow


def _allowed(allow: frozenset[str], rule: str, column: str) -> bool:
    return "all" in allow or rule in allow or column in allow


def _number(value: float) -> str:
    # Six significant digits, never scientific: a unit slip makes ratios of any size.
    return plain_number(value, significant=6)


def check(out: dict, values: dict, usable: dict, problems, allow: frozenset[str],
          raw_cells: dict) -> None:
    """Add a problem per implausible cell. ``out``: text/year columns; ``values``: numbers.

    Parameters
    ----------
    out : dict of str to Series
        The cleaned text and year columns of the table.
    values : dict of str to Series
        The parsed numeric columns.
    usable : dict of str to Series of bool
        For each numeric column, the cells that hold a number (not blank, not refused).
    problems : Collector
        Where each implausible cell is added (:class:`~edubalance.io.clean.Collector`).
    allow : frozenset of str
        Rule ids or column names not to check (:func:`normalise_allow`); ``"all"`` skips every
        rule.
    raw_cells : dict of str to Series
        The cells as written in the file, shown in the problems.
    """
    table = rules()
    index = next(iter(out.values())).index if out else None
    if "year" in out and not _allowed(allow, "year_range", "year"):
        rule = table["year_range"]
        year = out["year"]
        bad = (year != 0) & ((year < rule["min"]) | (year > rule["max"]))
        problems.add_mask(bad, "year", f"implausible year (expected {rule['min']}–{rule['max']};"
                          " allow with allow=['year_range'])", raw_cells.get("year", year))
    for rule_id in ("county_code_format", "school_id_format"):
        rule = table[rule_id]
        column = rule["column"]
        if column not in out or _allowed(allow, rule_id, column):
            continue
        text = out[column]
        filled = text != ""
        if "pattern" in rule:
            bad = filled & ~text.str.fullmatch(rule["pattern"])
        else:
            # A cheap literal test first: most ids have no dot at all.
            suspect = text.str.contains(rule.get("needs", ""), regex=False)
            bad = filled & suspect
            if bad.any():
                bad &= text.str.fullmatch(rule["not_pattern"])
        problems.add_mask(bad, column, f"{rule['message']} (allow with allow=['{rule_id}'])",
                          text)
    if {"county_code", "county_name"} <= set(out) and \
            not _allowed(allow, "county_name_per_code", "county_name"):
        keys = pd.DataFrame({"code": out["county_code"], "name": out["county_name"]})
        code_ids, codes = pd.factorize(keys["code"])
        name_ids, names = pd.factorize(keys["name"])
        pair_ids = np.unique(code_ids.astype(np.int64) * (len(names) + 1) + name_ids)
        # More (code, name) pairs than codes: some code has two names (seen from integer ids,
        # the usual clean case costs two factorisations).
        if len(pair_ids) > len(codes):
            pairs = keys.drop_duplicates()
            named_twice = pairs.loc[pairs["code"].duplicated() & (pairs["code"] != ""), "code"]
            first = pairs.drop_duplicates("code").set_index("code")["name"]
            suspect = keys["code"].isin(set(named_twice))
            expected_name = keys["code"].where(suspect).map(first)
            bad = suspect & (keys["name"] != expected_name)
            problems.add_mask(bad, "county_name", lambda hits: [
                f"county code {keys['code'].iloc[h]} has another name on an earlier row "
                f"({expected_name.iloc[h]}): one name per code (allow with "
                "allow=['county_name_per_code'])" for h in hits], keys["name"])
    if index is None and values:
        index = next(iter(values.values())).index
    students = pd.Series(0.0, index=index)
    students_ok = pd.Series(True, index=index)
    for column in ("students_primary", "students_junior", "students_senior"):
        if column in values:
            students = students + values[column].fillna(0)
            students_ok &= usable[column]
    # Per-student ratios on NumPy arrays (a dozen rules, each a few array operations).
    enrolled = students.to_numpy(dtype="float64")
    per_student_ok = students_ok.to_numpy(dtype=bool) & (enrolled > 0)
    if "school_type" in out:  # special-education schools and teaching points: not scored
        from .. import schema

        per_student_ok &= ~out["school_type"].isin(
            [schema.SPECIAL_EDUCATION, schema.TEACHING_POINT]).to_numpy()
    divisor = np.where(enrolled > 0, enrolled, np.nan)
    for column, bound in table["per_student"].items():
        rule_id = f"{column}_per_student"
        if column not in values or _allowed(allow, rule_id, column):
            continue
        amount = values[column].to_numpy(dtype="float64", na_value=np.nan)
        ok = usable[column].to_numpy(dtype=bool) & per_student_ok
        ratio = amount / divisor
        bad = np.zeros(len(amount), dtype=bool)
        if "max" in bound:
            bad |= ok & (ratio > bound["max"])
        if "min" in bound:
            bad |= ok & (amount > 0) & (ratio < bound["min"])
        problems.add_mask(bad, column, lambda hits, r=ratio, b=bound, i=rule_id: [
            f"implausible per student: {_number(r[h])} (expected "
            + (f"{_number(b['min'])} to " if "min" in b else "at most ") + f"{_number(b['max'])}"
            + (" when above 0" if "min" in b else "")
            + f"; a unit slip? allow with allow=['{i}'])" for h in hits],
            raw_cells.get(column, values[column]))
    for column, bound in table["per_school"].items():
        rule_id = f"{column}_per_school"
        if _allowed(allow, rule_id, column):
            continue
        if column == "students_total":
            series, ok, shown_column = students, students_ok, "students_primary"
        elif column in values:
            series, ok, shown_column = values[column], usable[column], column
        else:
            continue
        bad = ok & (series > bound["max"])
        problems.add_mask(bad, shown_column, lambda hits, s=series, b=bound, i=rule_id, c=column:
                          [f"implausible {c} for one school: {_number(s.iloc[h])} (at most "
                           f"{_number(b['max'])}; allow with allow=['{i}'])" for h in hits],
                          raw_cells.get(shown_column, series))
    bound = table["per_class"]["class_size"]
    if not _allowed(allow, "class_size", "classes"):
        for section in ("primary", "junior", "senior"):
            s_col, c_col = f"students_{section}", f"classes_{section}"
            if s_col in values and c_col in values:
                classes = values[c_col].to_numpy(dtype="float64", na_value=np.nan)
                ok = usable[s_col].to_numpy(dtype=bool) & usable[c_col].to_numpy(dtype=bool) \
                    & (classes > 0)
                size = values[s_col].to_numpy(dtype="float64", na_value=np.nan) \
                    / np.where(classes > 0, classes, np.nan)
                bad = ok & (size > bound["max"])
                problems.add_mask(bad, c_col, lambda hits, s=size: [
                    f"implausible class size: {_number(s[h])} students per class (at most "
                    f"{bound['max']}; allow with allow=['class_size'])" for h in hits],
                    raw_cells.get(c_col, values[c_col]))
