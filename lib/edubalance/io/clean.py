"""Vectorised cleaning of raw cells, every change noted; the problem collector.

>>> values, blank, bad = parse_numbers(pd.Series(["１２", "1,234", "", "x"]), "books", "图书", [])
>>> values.tolist()[:2], blank.tolist(), bad.tolist()
([12.0, 1234.0], [False, False, True, False], [False, False, False, True])
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .headers import normalise_header
from .read import SPACES

__all__ = ["Collector", "rows_text", "is_text", "strip_cells", "blank_mask", "parse_numbers",
           "clean_ids", "map_vocabulary", "texts_at", "FULL_WIDTH", "TOTALS_PATTERN",
           "totals_mask"]

# Full-width digits and the punctuation that appears in numbers; str.translate is vectorised
# by pandas and much cheaper than NFKC on every cell.
FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)},
                            "，": ",", "．": ".", "－": "-", "＋": "+", "\u3000": " ",
                            "。": "."})
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
TOTALS_PATTERN = r"合\s*计|总\s*计|小\s*计"
# A totals label: the whole cell, or a region/level before it (全县合计, 小学小计, 城区合计).
# Literal characters, not \\u escapes: pyarrow's RE2 then runs it (fast) instead of Python.
_TOTALS_LABEL = r"^\s*(?:[一-鿿A-Za-z0-9]{0,12}?)(?:合\s*计|总\s*计|小\s*计)\s*[:：]?\s*$"
_PADDED = "^[ \t\r\n　 ﻿]|[ \t\r\n　 ﻿]$"
_HAS_FULL_WIDTH = "[０-９，．－＋　。]"


class Collector:
    """Gathers problems from boolean masks, up to a cap, counting the rest.

    Parameters
    ----------
    file : str
        The file's name, given to every problem.
    sheet : str or None
        The sheet problems are in unless :meth:`bind` says otherwise per row.
    cap : int
        At most this many problems are kept; the rest are only counted (``total``).
    """

    def __init__(self, file: str, sheet: str | None, cap: int):
        self.file, self.sheet, self.cap = file, sheet, cap
        self.items: list[Problem] = []
        self.total = 0
        self.lines = np.empty(0, dtype=np.int64)
        self.sheets: np.ndarray | None = None
        self.school_ids: pd.Series | None = None
        self.headers: dict[str, str] = {}

    def bind(self, frame: pd.DataFrame, id_column: str | None = "school_id", *,
             lines=None, sheets=None) -> None:
        """Point :meth:`add_mask` at a frame: its positions become file lines and schools.

        Parameters
        ----------
        frame : DataFrame
            The table the masks will index (its index holds the file lines unless ``lines`` is
            given).
        id_column : str or None, default "school_id"
            The column whose value names the school of each problem; None for none.
        lines : array-like of int, optional
            The file line of each row, when not the frame's index.
        sheets : array-like of str, optional
            The sheet of each row, for a table read from several sheets.
        """
        self.lines = np.asarray(frame.index if lines is None else lines, dtype=np.int64)
        self.sheets = None if sheets is None else np.asarray(sheets, dtype=object)
        self.school_ids = None
        if id_column and id_column in frame:
            self.school_ids = frame[id_column]  # looked up only at the (few) problem rows

    def add(self, message: str, **fields) -> None:
        """Add one problem (counted even beyond the cap).

        Parameters
        ----------
        message : str
            What is wrong.
        **fields
            :class:`~edubalance.errors.Problem` fields (``row``, ``column``, ``value``...); ``sheet``
            defaults to the collector's.
        """
        self.total += 1
        if len(self.items) < self.cap:
            fields.setdefault("sheet", self.sheet)
            self.items.append(Problem(self.file, message, **fields))

    def add_mask(self, mask, column: str | None, message: str | Callable[[np.ndarray], list],
                 values=None) -> None:
        """Add one problem per True in ``mask`` (positions into the bound frame).

        Parameters
        ----------
        mask : array-like of bool
            The rows with the problem.
        column : str or None
            The canonical column at fault (its header in the file is shown beside it).
        message : str or callable
            The message, or a function of the hit positions returning one message per hit.
        values : array-like, optional
            The column's cells, the value at each hit shown in its problem.
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        self.total += len(hits)
        hits = hits[:max(self.cap - len(self.items), 0)]
        if not len(hits):
            return
        messages = [message] * len(hits) if isinstance(message, str) else message(hits)
        shown = None if values is None else _as_cells(values, hits)
        ids = None if self.school_ids is None else \
            self.school_ids.iloc[hits].fillna("").astype(str).to_numpy()
        for k, position in enumerate(hits):
            school = ids[k] if ids is not None else None
            sheet = self.sheets[position] if self.sheets is not None else self.sheet
            self.items.append(Problem(
                self.file, messages[k], sheet=sheet, row=int(self.lines[position]),
                column=column, header=self.headers.get(column, column) if column else None,
                value=None if shown is None else shown[k], school_id=school or None))

    def raise_if_any(self) -> None:
        """Raise one :class:`DataError` listing every problem found (by sheet and row), if any.

        Raises
        ------
        DataError
            When a problem was found.
        """
        if self.total:
            ordered = sorted(self.items, key=lambda p: (p.sheet or "", p.row or 0))
            raise DataError(ordered, self.total)


def _as_cells(values, hits: np.ndarray) -> np.ndarray:
    """Values at ``hits`` for a message, shown as the file has them.

    Values at ``hits`` for a message; a named numeric column (cells of the file, typed by a
    fast reader) is shown as the file has it: ``-3``, not ``-3.0``.
    """
    picked = np.asarray(values, dtype=object)[hits]
    if isinstance(values, pd.Series) and values.name is not None \
            and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        picked = np.array([None if v is None or v != v else
                           str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))
                           for v in picked], dtype=object)
    return picked


def rows_text(lines: np.ndarray, limit: int = 8) -> str:
    """File lines for a message: the first ``limit`` of them, then how many more.

    Parameters
    ----------
    lines : ndarray of int
        The file lines.
    limit : int, default 8
        How many are listed.

    Returns
    -------
    str
        E.g. ``"3, 4, 9 and 12 more"``.
    """
    shown = ", ".join(str(int(x)) for x in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def is_text(series: pd.Series) -> bool:
    """Whether a column holds text (not numbers, booleans or dates).

    Parameters
    ----------
    series : Series

    Returns
    -------
    bool
    """
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series))


def strip_cells(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The frame with surrounding spaces (ASCII and full-width) removed from every text cell.

    Parameters
    ----------
    frame : DataFrame
        The table as read; not modified.
    notes : list of str
        Where a note counting the changed cells is appended.

    Returns
    -------
    DataFrame
        Text columns as strings without surrounding spaces, blanks as ``""``.
    """
    changed = 0
    stripped = {}
    for column in frame.columns:
        series = frame[column]
        if not is_text(series):
            continue
        text = series.fillna("").astype(str) if series.hasnans or series.dtype != "str" \
            else series
        clean = text.str.strip(SPACES)
        differs = _count_changed(text, clean)
        if differs:
            changed += differs
            stripped[column] = clean
        elif text is not series:
            stripped[column] = text
    if stripped:
        frame = frame.assign(**stripped)
    if changed:
        notes.append(f"removed surrounding spaces in {changed} cell(s)")
    return frame


def _count_changed(before: pd.Series, after: pd.Series) -> int:
    """Cells whose length changed (pyarrow directly when both are Arrow strings: fast)."""
    try:
        import pyarrow.compute as pc

        a, b = before.array._pa_array, after.array._pa_array
        return int(pc.sum(pc.not_equal(pc.binary_length(a), pc.binary_length(b))).as_py() or 0)
    except AttributeError:
        return int((after.str.len() != before.str.len()).sum())


def blank_mask(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Rows blank in every one of ``columns`` (missing, or empty text).

    Parameters
    ----------
    frame : DataFrame
    columns : sequence of str
        The columns that must all be blank.

    Returns
    -------
    Series of bool
        Indexed like ``frame``.
    """
    blank = np.ones(len(frame), dtype=bool)
    for column in columns:
        if not blank.any():
            break  # the usual case after the first column or two: no blank row
        series = frame[column]
        missing = series.isna().to_numpy()
        if is_text(series):
            missing = missing | (series.astype(str) == "").to_numpy()
        blank &= missing
    return pd.Series(blank, index=frame.index)


def totals_mask(frame: pd.DataFrame, name_columns: Sequence[str], id_column: str | None,
                blank: pd.Series) -> pd.Series:
    """Subtotal and total rows of a table.

    Subtotal/total rows: a totals label in a name column AND no id (灵武市总计划小学 with
    an id is a school).

    Parameters
    ----------
    frame : DataFrame
        The table's rows.
    name_columns : sequence of str
        The columns where a totals label (合计/小计/总计) may stand.
    id_column : str or None
        The id column: a row with an id is a school whatever its name.
    blank : Series of bool
        The blank rows (:func:`blank_mask`), never totals.

    Returns
    -------
    Series of bool
    """
    def label(series: pd.Series) -> pd.Series:
        text = series.astype(str)
        candidate = text.str.contains("计", regex=False)  # literal: fast, then the rule
        out = pd.Series(False, index=series.index)
        if candidate.any():
            out[candidate] = text[candidate].str.contains(_TOTALS_LABEL, regex=True)
        return out

    totals = pd.Series(False, index=frame.index)
    for column in dict.fromkeys(c for c in name_columns if c in frame):
        if is_text(frame[column]):
            totals |= label(frame[column])
    if id_column and id_column in frame and totals.any():
        ids = frame[id_column]
        no_id = ids.isna() | (ids.astype(str).str.strip(SPACES) == "")
        if is_text(ids):
            no_id |= label(ids)
        totals &= no_id
    return totals & ~blank


def parse_numbers(series: pd.Series, column: str, label: str, notes: list[str]
                  ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from cells: (values as float, blank mask, not-a-number mask).

    Parameters
    ----------
    series : Series
        The column's cells (numbers, or text with full-width digits or thousands separators).
    column : str
        The canonical column.
    label : str
        The header as written in the file, for the notes.
    notes : list of str
        Where a note is appended for each kind of conversion done.

    Returns
    -------
    values : Series of float
    blank : Series of bool
        The empty cells.
    bad : Series of bool
        The cells that are not a decimal number (text, ``inf``, ``nan``...).
    """
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    if pd.api.types.is_integer_dtype(series) and not isinstance(series.dtype,
                                                                pd.api.extensions.ExtensionDtype):
        none = pd.Series(np.zeros(len(series), dtype=bool), index=series.index)
        return series, none, none  # whole numbers without blanks: nothing to parse
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype("float64")
        return values, values.isna(), pd.Series(~np.isfinite(values.fillna(0).to_numpy()),
                                                index=series.index)
    text = series.fillna("").astype(str)
    blank = text == ""
    values = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
    retry = values.isna() & ~blank
    if retry.any():
        sub = text[retry]
        normal = sub.str.translate(FULL_WIDTH).str.strip(SPACES)
        wide = normal != sub
        grouped = normal.str.fullmatch(_THOUSANDS)
        normal = normal.where(~grouped, normal.str.replace(",", "", regex=False))
        parsed = pd.to_numeric(normal, errors="coerce")
        values.loc[retry] = parsed.astype("float64")
        shown = f"'{label}'" + (f" ({column})" if label != column else "")
        fixed_wide = wide & parsed.notna()
        fixed_grouped = grouped & parsed.notna()
        if fixed_wide.any():
            notes.append(f"column {shown}: converted full-width digits in {int(fixed_wide.sum())}"
                         f" cell(s): rows {rows_text(sub.index[fixed_wide].to_numpy())}")
        if fixed_grouped.any():
            notes.append(f"column {shown}: removed thousands separators in "
                         f"{int(fixed_grouped.sum())} cell(s): rows "
                         f"{rows_text(sub.index[fixed_grouped].to_numpy())}")
    # Only decimal numbers: to_numeric also takes "nan", "inf", "infinity" and "1_000".
    plain = values.notna() & ~blank
    if plain.any():
        odd = text[plain].str.contains(r"[^0-9.,+\-eE\s\uff10-\uff19\uff0c\uff0e\uff0d\uff0b\u3000]",
                                       regex=True)
        if odd.any():
            values.loc[odd[odd].index] = np.nan
    bad = (values.isna() & ~blank) | np.isinf(values.fillna(0))
    return values, blank, bad


def clean_ids(series: pd.Series, column: str, label: str, notes: list[str],
              stored_as_numbers: bool = False) -> pd.Series:
    """Codes as text: full-width digits made ASCII; numbers stored as numbers made text.

    Parameters
    ----------
    series : Series
        The code cells.
    column : str
        The canonical column (``county_code``, ``school_id``).
    label : str
        The header as written in the file, for the notes.
    notes : list of str
        Where a note is appended for each conversion.
    stored_as_numbers : bool, default False
        The file stored the codes as numbers (leading zeros lost): noted.

    Returns
    -------
    Series of str
    """
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if (whole % 1 == 0).all():
            series = series.astype("Int64")
    if not is_text(series) or stored_as_numbers:
        notes.append(f"column '{label}' ({column}) stored as numbers: read as text "
                     "(leading zeros, if any, were already lost in the file; store codes as "
                     "text to keep them)")
        if not is_text(series):
            return series.astype("string").fillna("").astype(str)
    text = series.fillna("").astype(str)
    if not text.str.contains(_HAS_FULL_WIDTH, regex=True).any():
        return text
    ascii_text = text.str.translate(FULL_WIDTH)
    changed = ascii_text != text
    if changed.any():
        notes.append(f"column '{label}' ({column}): converted full-width characters in "
                     f"{int(changed.sum())} cell(s): rows "
                     f"{rows_text(text.index[changed].to_numpy())}")
    return ascii_text


def texts_at(texts: Sequence, positions: np.ndarray):
    """``texts[positions]`` in the dtype pandas gives those texts, taken per row.

    For a column of a few distinct texts over many rows (levels, item names, mapped
    vocabularies of a national file): the few values get pandas' text dtype (Arrow-backed
    ``str``; a None becomes NaN), then Arrow's take repeats them, instead of 200,000 Python
    strings converted one by one. A negative position counts from the end.

    Parameters
    ----------
    texts : sequence
        The distinct values (str or None).
    positions : array of int
        Which value each row takes.

    Returns
    -------
    ExtensionArray
        One value per position, to put in a Series or DataFrame.

    Examples
    --------
    >>> pd.Series(texts_at(["primary", "junior", None], np.array([0, 1, 1, -1]))).tolist()
    ['primary', 'junior', 'junior', nan]
    """
    few = pd.Series(np.asarray(list(texts), dtype=object))
    return few.where(few.notna(), np.nan).array.take(np.asarray(positions))


def map_vocabulary(series: pd.Series, aliases: dict[str, str], canonical: Sequence[str]
                   ) -> pd.Series:
    """A vocabulary column (school type, location) in canonical values; NaN where unknown.

    Parameters
    ----------
    series : Series
        The cells as written (``小学``, ``城区``, ``primary``...).
    aliases : dict of str to str
        Written form -> canonical value.
    canonical : sequence of str
        The canonical values, accepted as written too.

    Returns
    -------
    Series
        Canonical values, NaN for a cell not in the vocabulary.
    """
    lookup = {normalise_header(k): v for k, v in aliases.items()}
    lookup.update({normalise_header(v): v for v in canonical})
    # Normalise each distinct value once: a column has a handful of types, many rows.
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    mapped = [lookup.get(normalise_header(u)) for u in uniques] + [None]
    return pd.Series(texts_at(mapped, codes), index=series.index)
