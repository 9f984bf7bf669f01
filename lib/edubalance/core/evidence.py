"""Evidence for what school data cannot decide: items of a standard, files that give them, verdicts.

A standard's YAML lists its non-school items under ``evidence:`` (government work score and
public satisfaction for ``basic-2012``; the government-guarantee and education-quality items,
social recognition, vetoes and eligibility for ``quality-2017``; the province's total score for
``ningxia-2010``), each with how it is judged (:data:`~edubalance.core.standards.EVIDENCE_KINDS`):

``at_least`` / ``at_most``  a number against ``limit`` (equal up to floating-point error meets it)
``yes``                     是 needed (e.g. "every school meets the provincial running standard")
``no``                      否 needed (e.g. the vetoes: "admission by examination exists")

An evidence file gives values per county and year, in one of two forms:

- **long**: ``county_code, year, item, value`` (Chinese headers 县代码, 年份, 项目代码, 填报值
  are recognised; the form of ``edubalance evidence-form`` is this form with a title above);
- **wide**: ``county_code, year`` and one column per item, named by its id or one of its
  aliases (the sample's ``counties.csv`` has ``government_work_score`` and ``satisfaction_pct``).

Values are numbers (``85``, ``85.5``, ``85%``, full-width digits) or 是/否 (also yes/no, true/false,
1/0, √/×). A blank cell is "not given". Each item's status for a county and year is one of
``passed``, ``failed``, ``not_assessed`` (not given) or ``assumed`` (a precondition not given,
shown as assumed rather than missing).

Examples
--------
>>> import pandas as pd
>>> items("basic-2012")[["item", "kind", "limit"]].values.tolist()
[['provincial_running_standard', 'yes', nan], ['government_work_score', 'at_least', 85.0], ['satisfaction_pct', 'at_least', 85.0]]
>>> given = normalise(pd.DataFrame({"county_code": ["640104"], "year": [2017],
...                                  "government_work_score": [84.5], "satisfaction_pct": ["90%"]}),
...                   "basic-2012")
>>> judged = judge(given, "basic-2012", pd.DataFrame({"county_code": ["640104"], "year": [2017]}))
>>> judged[["item", "value", "status"]].values.tolist()
[['provincial_running_standard', nan, 'assumed'], ['government_work_score', 84.5, 'failed'], ['satisfaction_pct', 90.0, 'passed']]
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..schema import SCHOOL_HEADER_ALIASES
from .numeric import at_least, at_most, reason_numbers
from .standards import EvidenceItem, Standard, load_standard

__all__ = ["items", "load", "normalise", "judge", "STATUSES", "EVIDENCE_COLUMNS"]

PASSED, FAILED, NOT_ASSESSED, ASSUMED = "passed", "failed", "not_assessed", "assumed"
STATUSES = (PASSED, FAILED, NOT_ASSESSED, ASSUMED)
EVIDENCE_COLUMNS = ["county_code", "year", "item", "value"]
"""Columns of the long form (what :func:`load` and :func:`normalise` return)."""

_LONG_ALIASES = {
    "county_code": ["county_code", *SCHOOL_HEADER_ALIASES["county_code"]],
    "county_name": ["county_name", *SCHOOL_HEADER_ALIASES["county_name"]],
    "year": ["year", *SCHOOL_HEADER_ALIASES["year"]],
    "item": ["item", "项目代码", "项目编号", "指标代码"],
    "value": ["value", "填报值", "值", "数值", "评估值"],
}
_YES = {"是", "yes", "y", "true", "1", "√", "✓", "达到", "符合", "有"}
_NO = {"否", "no", "n", "false", "0", "×", "✗", "未达到", "不符合", "无"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)%?$")


def _standard(standard) -> Standard:
    return load_standard(standard)


def items(standard: str | Standard) -> pd.DataFrame:
    """The non-school items of ``standard``, in the order of its YAML file.

    Parameters
    ----------
    standard : str or Standard
        ``basic-2012``, ``quality-2017``, ``ningxia-2010`` or a loaded standard.

    Returns
    -------
    DataFrame
        ``item, text, kind, limit`` (``text`` in Chinese; ``limit`` NaN for yes/no items), then
        ``text_en, part, unit, veto, when_missing``.

    Examples
    --------
    >>> table = items("quality-2017")
    >>> len(table), table["part"].value_counts().to_dict()["government"]
    (31, 16)
    >>> row = table.set_index("item").loc["q02_disabled_enrolment_pct"]
    >>> row["kind"], float(row["limit"])
    ('at_least', 95.0)
    """
    std = _standard(standard)
    rows = [{"item": e.id, "text": e.text_zh, "kind": e.kind,
             "limit": np.nan if e.limit is None else e.limit, "text_en": e.text_en,
             "part": e.part, "unit": e.unit, "veto": e.veto, "when_missing": e.when_missing}
            for e in std.evidence]
    columns = ["item", "text", "kind", "limit", "text_en", "part", "unit", "veto", "when_missing"]
    return pd.DataFrame(rows, columns=columns).astype({"limit": float, "veto": bool})


# ------------------------------------------------------------------------------ reading values

def _clean_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")


def _parse_values(raw: pd.Series, kinds: pd.Series, file: str, rows, columns) -> np.ndarray:
    """Values as floats (是 = 1, 否 = 0; NaN = not given); a DataError listing every bad cell."""
    text = [_clean_text(v) for v in raw.tolist()]
    out = np.full(len(text), np.nan)
    problems = []
    for position, (cell, kind) in enumerate(zip(text, kinds.tolist(), strict=True)):
        if cell == "":
            continue
        lowered = cell.lower()
        if kind in ("yes", "no"):
            if lowered in _YES:
                out[position] = 1.0
                continue
            if lowered in _NO:
                out[position] = 0.0
                continue
            problems.append((position, "expected 是 or 否"))
            continue
        if _NUMBER.match(cell):
            out[position] = float(cell.rstrip("%"))
            continue
        problems.append((position, "expected a number"))
    if problems:
        raise DataError([Problem(file, message, row=rows[p], column=columns[p],
                                 value=raw.iloc[p]) for p, message in problems])
    return out


def _find_column(frame: pd.DataFrame, name: str) -> str | None:
    wanted = {_clean_text(a).lower() for a in _LONG_ALIASES[name]}
    return next((c for c in frame.columns if _clean_text(c).lower() in wanted), None)


def normalise(evidence: pd.DataFrame, standard: str | Standard, *, file: str = "evidence",
              rows=None) -> pd.DataFrame:
    """Evidence in long or wide form -> the long form of ``standard``'s items.

    Parameters
    ----------
    evidence : DataFrame
        Long (``county_code, year, item, value``) or wide (``county_code, year`` and a
        column per item id or alias); Chinese headers recognised.
    standard : str or Standard
    file : str
        Named in error messages.
    rows : sequence of int, optional
        The spreadsheet row of each row of ``evidence`` (default: header on row 1).

    Returns
    -------
    DataFrame
        ``county_code`` (str), ``year`` (int), ``item``, ``value`` (float; 是 = 1, 否 = 0), one
        row per given value; items of other standards are dropped. A year of recognition given
        for an item counted in years (``years_since_basic_balance``) becomes year - that year.

    Raises
    ------
    DataError
        Missing county or year columns, an unknown item id in the long form, a value that is
        not a number (or 是/否 for a yes/no item), or one county, year and item given twice;
        naming file, row, column and value.
    """
    std = _standard(standard)
    if not isinstance(evidence, pd.DataFrame):
        raise DataError(f"evidence must be a DataFrame or a file, not {type(evidence).__name__}")
    rows = list(rows) if rows is not None else list(range(2, len(evidence) + 2))
    code_col, year_col = _find_column(evidence, "county_code"), _find_column(evidence, "year")
    missing = [name for name, col in (("county_code (县代码)", code_col), ("year (年份)", year_col))
               if col is None]
    if missing:
        raise DataError([Problem(file, f"evidence lacks column(s): {', '.join(missing)}")])
    by_id = {e.id: e for e in std.evidence}
    item_col, value_col = _find_column(evidence, "item"), _find_column(evidence, "value")
    if item_col is not None and value_col is not None:   # long form
        long = pd.DataFrame({"county_code": evidence[code_col], "year": evidence[year_col],
                             "item": evidence[item_col].map(_clean_text),
                             "raw": evidence[value_col], "row": rows,
                             "column": str(value_col)})
        # Rows of other standards' items (one file may serve several) are not this one's.
        long = long[long["item"].isin(list(by_id))]
    else:                                                 # wide form
        pieces = []
        for item in std.evidence:
            names = {_clean_text(n).lower() for n in (item.id, *item.aliases)}
            column = next((c for c in evidence.columns if _clean_text(c).lower() in names), None)
            if column is None:
                continue
            pieces.append(pd.DataFrame({"county_code": evidence[code_col],
                                        "year": evidence[year_col], "item": item.id,
                                        "raw": evidence[column], "row": rows,
                                        "column": str(column)}))
        long = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
            columns=["county_code", "year", "item", "raw", "row", "column"])
    long = long.reset_index(drop=True)
    kinds = long["item"].map({k: v.kind for k, v in by_id.items()})
    values = _parse_values(long["raw"], kinds, file, long["row"].tolist(), long["column"].tolist())
    year = pd.to_numeric(long["year"], errors="coerce")
    bad_year = year.isna() | (year != year.round())
    if bad_year.any():
        at = np.flatnonzero(bad_year.to_numpy())
        raise DataError([Problem(file, "year must be a whole number", row=long["row"][i],
                                 column=str(year_col), value=long["year"][i]) for i in at[:20]])
    out = pd.DataFrame({"county_code": long["county_code"].map(_clean_text).astype("str"),
                        "year": year.astype("int64"), "item": long["item"].astype("str"),
                        "value": values})
    from_year = out["item"].map({k: v.from_year for k, v in by_id.items()}).astype(bool)
    as_year = from_year.to_numpy() & (out["value"].to_numpy() >= 1900)
    out.loc[as_year, "value"] = out["year"][as_year] - out["value"][as_year]
    keep = ~np.isnan(out["value"].to_numpy())
    duplicated = out[keep].duplicated(["county_code", "year", "item"], keep=False)
    if duplicated.any():
        first = np.flatnonzero(keep)[np.flatnonzero(duplicated.to_numpy())]
        raise DataError([Problem(file, "this county, year and item is given more than once",
                                 row=long["row"][i], column=str(long["column"][i]),
                                 value=out["item"][i]) for i in first[:20]])
    return out[keep].reset_index(drop=True)


def _xlsx_rows(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """Read the evidence table of a workbook's first visible sheet.

    The header row is the first that names the county code (title and note rows above it are
    skipped); returns the rows below it and each row's line number.
    """
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next(book[n] for n in book.sheetnames if book[n].sheet_state == "visible")
        # A percentage typed as "85%" is stored as 0.85 with a percent format: shown as 85.
        grid = [[cell.value * 100 if isinstance(cell.value, (int, float))
                 and not isinstance(cell.value, bool)
                 and "%" in str(getattr(cell, "number_format", "") or "") else cell.value
                 for cell in row] for row in sheet.iter_rows()]
    finally:
        book.close()
    wanted = {_clean_text(a).lower() for a in _LONG_ALIASES["county_code"]}
    header_at = next((i for i, row in enumerate(grid[:30])
                      if any(_clean_text(c).lower() in wanted for c in row)), None)
    if header_at is None:
        raise DataError([Problem(path.name, "no header row naming the county code (县代码) in "
                                            "the first 30 rows", sheet=sheet.title)])
    header = [str(c) if c is not None else f"column_{j + 1}" for j, c in enumerate(grid[header_at])]
    body = [row + [None] * (len(header) - len(row)) for row in grid[header_at + 1:]]
    lines = list(range(header_at + 2, header_at + 2 + len(body)))
    frame = pd.DataFrame([row[:len(header)] for row in body], columns=header, dtype=object)
    filled = frame.notna().any(axis=1).to_numpy()
    return frame[filled].reset_index(drop=True), [n for n, f in zip(lines, filled, strict=True) if f]


def load(path, standard: str | Standard | None = None) -> pd.DataFrame:
    """Read an evidence file (CSV, ``.xlsx`` incl. the evidence form, or Parquet).

    Parameters
    ----------
    path : str or Path
    standard : str or Standard, optional
        Keep the items of this standard only; ``None`` reads the items of every shipped
        standard (each value checked against the first standard that names the item).

    Returns
    -------
    DataFrame
        The long form ``county_code, year, item, value`` (see :func:`normalise`).

    Examples
    --------
    >>> evidence = load("data/sample/counties.csv", "basic-2012")
    >>> sorted(evidence["item"].unique())
    ['government_work_score', 'satisfaction_pct']
    >>> evidence.groupby("year").size().loc[2017]
    np.int64(44)
    """
    from ..io.read import read_table

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"evidence file not found: {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame, rows = _xlsx_rows(path)
    else:
        frame = read_table(path)
        rows = list(range(2, len(frame) + 2))
    if standard is not None:
        return normalise(frame, standard, file=path.name, rows=rows)
    from .standards import available_standards

    parts, seen = [], set()
    for name in available_standards():
        part = normalise(frame, name, file=path.name, rows=rows)
        part = part[~part["item"].isin(seen)]
        seen |= set(part["item"])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------------------ judging

def _status(item: EvidenceItem, value: np.ndarray) -> np.ndarray:
    given = ~np.isnan(value)
    if item.kind == "at_least":
        ok = at_least(value, item.limit)
    elif item.kind == "at_most":
        ok = at_most(value, item.limit)
    elif item.kind == "yes":
        ok = value == 1.0
    else:
        ok = value == 0.0
    missing = ASSUMED if item.when_missing == "assumed" else NOT_ASSESSED
    return np.where(given, np.where(ok, PASSED, FAILED), missing).astype(object)


def judge(evidence: pd.DataFrame | None, standard: str | Standard,
          counties: pd.DataFrame) -> pd.DataFrame:
    """Every evidence item of ``standard`` for every county-year of ``counties``.

    Parameters
    ----------
    evidence : DataFrame or None
        Long or wide form (see :func:`normalise`); None = nothing given.
    standard : str or Standard
    counties : DataFrame
        ``county_code, year`` (one row per county and year to judge; duplicates ignored).

    Returns
    -------
    DataFrame
        ``county_code, year, item, text, kind, limit, unit, part, veto, value, status, reason``
        (one row per county, year and item, counties in the given order, items in the
        standard's); ``reason`` says why a failed item failed (``83.2 < 95``, ``是 (yes)``),
        ``""`` for the others.
    """
    std = _standard(standard)
    keys = counties[["county_code", "year"]].astype({"county_code": str}).astype(
        {"year": "int64"}).drop_duplicates().reset_index(drop=True)
    table = items(std)
    n_items, n_keys = len(table), len(keys)
    out = pd.DataFrame({
        "county_code": np.repeat(keys["county_code"].to_numpy(dtype=object), n_items),
        "year": np.repeat(keys["year"].to_numpy(), n_items),
        "item": np.tile(table["item"].to_numpy(dtype=object), n_keys)})
    for column in ("text", "kind", "limit", "unit", "part", "veto"):
        out[column] = np.tile(table[column].to_numpy(), n_keys)
    if evidence is not None and len(evidence):
        if not {"item", "value"} <= set(evidence.columns):
            evidence = normalise(evidence, std)
        given = evidence.astype({"county_code": str, "year": "int64"}).set_index(
            ["county_code", "year", "item"])["value"]
        given = given[~given.index.duplicated()]
        index = pd.MultiIndex.from_frame(out[["county_code", "year", "item"]])
        out["value"] = given.reindex(index).to_numpy(dtype=float)
    else:
        out["value"] = np.nan
    status = np.empty(len(out), dtype=object)
    reason = np.full(len(out), "", dtype=object)
    value = out["value"].to_numpy(dtype=float)
    for position, item in enumerate(std.evidence):
        rows = np.arange(position, len(out), max(n_items, 1))
        status[rows] = _status(item, value[rows])
        failed = rows[status[rows] == FAILED]
        if item.kind in ("at_least", "at_most"):
            sign = "<" if item.kind == "at_least" else ">"
            reason[failed] = reason_numbers(value[failed], item.limit, 1) + f" {sign} {item.limit:g}"
        else:
            reason[failed] = "是 (yes)" if item.kind == "no" else "否 (no)"
    out["status"] = status
    out["reason"] = reason
    return out.astype({"county_code": "str", "item": "str", "status": "str", "text": "str",
                       "kind": "str", "unit": "str", "part": "str", "veto": bool,
                       "reason": "str"})
