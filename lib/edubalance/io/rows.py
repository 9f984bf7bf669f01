"""Rows of a bureau form that are not schools: totals found by their numbers, notes, footers.

A subtotal row is recognised by its content, not its name: a row whose numeric cells equal the
column sums of the rows above it (all rows above, the rows since the previous total, or the
rows above of its own school type) is a total, whatever its name or id (``小学合计`` with the
county code as 学校代码 and 学校类型 小学 is a total). Totals found in one pass are left out of
the sums of the next, so a grand total below per-level subtotals is found too. Everything is
cumulative sums over the whole table; Python loops only over the (few) passes.

Notes (``注：…``, ``说明：…``) and footers (``填表人：…``, ``审核人：…``) below a table are rows
whose text starts with such a label and whose numeric cells are blank.

>>> frame = pd.DataFrame({"school_name": ["a", "b", "小学合计"], "n": [1.0, 2.0, 3.0],
...                       "m": [4.0, 5.0, 9.0], "k": [1.0, 1.0, 2.0]})
>>> content_totals(frame, ["n", "m", "k"], None).tolist()
[False, False, True]
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from .clean import FULL_WIDTH, is_text

__all__ = ["content_totals", "note_rows", "row_texts", "NOTE_LABEL", "numeric_matrix",
           "numeric_column", "RowNumbers"]

NOTE_LABEL = (r"^\s*(?:注|附注|说明|备注|填表说明|填表人|填报人|审核人|审核|制表人|制表|负责人|"
              r"单位负责人|校长|统计员|统计负责人|填表日期|填报日期|报送日期|制表日期|联系电话|"
              r"联系人|数据来源)\s*(?:\d+\s*)?[:：、.．]")
"""The start of a note or footer line under a table."""
_MIN_COLUMNS = 3
"""Numeric cells a row needs before its numbers can identify it as a total."""
_PASSES = 4


def numeric_column(series: pd.Series) -> np.ndarray | None:
    """One column's numeric cells as floats (NaN for blank or not a number); None for booleans.

    Parameters
    ----------
    series : Series
        A numeric or text column (full-width digits and thousands separators read).

    Returns
    -------
    ndarray or None
        A float array (read-only: it may be the column's own), or None for a boolean column
        (no numbers to compare).

    Examples
    --------
    >>> numeric_column(pd.Series(["1,200", "３", "", "n/a"])).tolist()
    [1200.0, 3.0, nan, nan]
    """
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype="float64", na_value=np.nan)
    text = series.fillna("").astype(str)
    text = text.str.translate(FULL_WIDTH).str.replace(",", "", regex=False)
    number = pd.to_numeric(text.where(text.str.fullmatch(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)"
                                                         r"(?:[eE][+-]?\d+)?\s*")),
                           errors="coerce")
    return number.to_numpy(dtype="float64", na_value=np.nan)


def numeric_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The numeric cells of ``columns`` as a float matrix (NaN for blank or not a number).

    Parameters
    ----------
    frame : DataFrame
        The table, numeric or text columns (full-width digits and thousands separators read).
    columns : sequence of str
        The columns to convert, in this order; boolean columns stay NaN.

    Returns
    -------
    ndarray
        A ``(len(frame), len(columns))`` float matrix.
    """
    out = np.full((len(frame), len(columns)), np.nan)
    for j, column in enumerate(columns):
        values = numeric_column(frame[column])
        if values is not None:
            out[:, j] = values
    return out


class RowNumbers:
    """What :func:`content_totals` and :func:`note_rows` need of each row's numeric cells.

    Gathered column by column, so that a national table (200,000 rows by a dozen or more
    columns) is never held as a matrix and its copies: the matrix itself is built only when
    the sums find a candidate total (:meth:`matrix`), which most files never have.

    Parameters
    ----------
    frame : DataFrame
        The table's rows, in file order.
    columns : sequence of str
        The numeric columns (those missing from ``frame`` are left out).
    matrix : ndarray, optional
        :func:`numeric_matrix` of the columns, when already computed.

    Examples
    --------
    >>> frame = pd.DataFrame({"n": [1.0, None, 3.0], "m": ["2", "", "x"]})
    >>> numbers = RowNumbers(frame, ["n", "m"])
    >>> numbers.filled.tolist(), numbers.numberless.tolist()
    ([2, 0, 1], [False, True, False])
    """

    def __init__(self, frame: pd.DataFrame, columns: Sequence[str],
                 matrix: np.ndarray | None = None) -> None:
        self.frame = frame
        self.columns = [c for c in columns if c in frame]
        n = len(frame)
        # One weighted sum of the columns: a total row's is the sum of the rows' (a necessary
        # condition for every column's to be), at one column's cost.
        self.weights = 1.0 + np.arange(len(self.columns)) * 0.6180339887
        self.projected = np.zeros(n)
        self.filled = np.zeros(n, dtype=np.int64)     # finite cells
        self.largest = np.full(n, -np.inf)            # largest cell, blank as 0
        numbers = np.zeros(n, dtype=bool)             # any cell not NaN
        for weight, column in zip(self.weights, self.columns, strict=True):
            values = numeric_column(frame[column])
            if values is None:
                continue
            numbers |= ~np.isnan(values)
            # Infinite cells are errors, reported elsewhere: blank here (not for ``numbers``).
            finite = np.isfinite(values)
            self.filled += finite
            values = np.where(finite, values, 0.0)
            self.projected += weight * values
            np.maximum(self.largest, values, out=self.largest)
        self.numberless = ~numbers
        self._matrix = matrix

    def matrix(self) -> np.ndarray:
        """:func:`numeric_matrix` of the columns (built once)."""
        if self._matrix is None:
            self._matrix = numeric_matrix(self.frame, self.columns)
        return self._matrix


def _exclusive_cumsum(values: np.ndarray) -> np.ndarray:
    total = np.cumsum(values, axis=0)
    return total - values


def _matches(x: np.ndarray, sums: np.ndarray, counts: np.ndarray, filled: np.ndarray,
             min_rows: np.ndarray, atol: float) -> np.ndarray:
    close = np.abs(x - sums) <= 1e-6 * np.abs(sums) + atol
    return np.where(filled, close, True).all(axis=1) & (counts >= min_rows)


def _passes(x: np.ndarray, candidate: np.ndarray, min_rows: np.ndarray,
            groups: np.ndarray | None, atol: float) -> np.ndarray:
    """Totals among ``candidate`` rows of ``x`` (NaN = blank), pass after pass."""
    n = len(x)
    filled = ~np.isnan(x)
    z = np.where(filled, x, 0.0)
    index = np.arange(n)
    totals = np.zeros(n, dtype=bool)
    for _ in range(_PASSES):
        keep = ~totals
        w = z * keep[:, None]
        inclusive = np.cumsum(w, axis=0)
        inclusive_count = np.cumsum(keep.astype(np.int64))
        above, count = inclusive - w, inclusive_count - keep
        found = _matches(x, above, count, filled, min_rows, atol)
        # Since the previous total: subtract what was summed up to that row.
        last = np.maximum.accumulate(np.where(totals, index, -1))
        last = np.concatenate([[-1], last[:-1]])
        if (last >= 0).any():
            base = np.where(last[:, None] >= 0, inclusive[np.maximum(last, 0)], 0.0)
            base_count = np.where(last >= 0, inclusive_count[np.maximum(last, 0)], 0)
            found |= _matches(x, above - base, count - base_count, filled, min_rows, atol)
        if groups is not None and groups.max() > 0:
            by_type, by_count = np.empty_like(w), np.empty(n, dtype=np.int64)
            for group in np.unique(groups):  # a handful of school types
                rows = groups == group
                by_type[rows] = _exclusive_cumsum(w[rows])
                by_count[rows] = _exclusive_cumsum(keep[rows].astype(np.int64))
            found |= _matches(x, by_type, by_count, filled, min_rows, atol)
        found &= candidate
        if not (found & ~totals).any():
            break
        totals |= found
    return totals


def content_totals(frame: pd.DataFrame, columns: Sequence[str], type_column: str | None,
                   labelled: np.ndarray | None = None, x: np.ndarray | None = None,
                   numbers: RowNumbers | None = None) -> np.ndarray:
    """Rows whose numbers are the column sums of the rows above them (see the module doc).

    ``labelled`` marks rows with a totals label (合计/小计/总计): for those, the sum of a single
    row above is enough; an unlabelled row must sum at least two rows. The passes run first on
    one weighted sum of the columns (a necessary condition, one column's work), then on every
    column only if that finds a candidate.

    Parameters
    ----------
    frame : DataFrame
        The table's rows, in file order.
    columns : sequence of str
        The numeric columns to compare (those missing from ``frame`` are ignored); at least three
        are needed.
    type_column : str or None
        A column (e.g. school type) within which totals are looked for separately; None for the
        whole table.
    labelled : ndarray of bool, optional
        Rows carrying a totals label.
    x : ndarray, optional
        :func:`numeric_matrix` of ``columns`` when already computed.
    numbers : RowNumbers, optional
        :class:`RowNumbers` of ``columns`` when already computed (then ``x`` is not needed).

    Returns
    -------
    ndarray of bool
        True for the rows that are totals of rows above them.
    """
    columns = [c for c in columns if c in frame]
    n = len(frame)
    if n < 2 or len(columns) < _MIN_COLUMNS:
        return np.zeros(n, dtype=bool)
    if numbers is None:
        numbers = RowNumbers(frame, columns, matrix=x)
    candidate = (numbers.filled >= _MIN_COLUMNS) & (numbers.largest > 0)
    if not candidate.any():
        return np.zeros(n, dtype=bool)
    min_rows = np.where(labelled if labelled is not None else False, 1, 2)
    groups = None
    if type_column and type_column in frame:
        groups = pd.factorize(frame[type_column].fillna("").astype(str))[0]
    maybe = _passes(numbers.projected[:, None], candidate, min_rows, groups,
                    0.005 * float(numbers.weights.sum()))
    if not maybe.any():
        return maybe
    # Every row again, column by column: a blank cell in a total row can hide it from the sum.
    # (Infinite cells are errors, reported elsewhere: blank here.)
    x = numbers.matrix()
    return _passes(np.where(np.isfinite(x), x, np.nan), candidate, min_rows, groups, 0.005)


def note_rows(raw: pd.DataFrame, numeric_columns: Sequence[str],
              x: np.ndarray | None = None, numberless: np.ndarray | None = None) -> np.ndarray:
    """Notes and footers: a text cell starting with 注：/填表人：/审核人：… and no numbers.

    ``x`` (the numeric matrix of ``numeric_columns``) or ``numberless`` (its rows without any
    number, :attr:`RowNumbers.numberless`), when already computed: only rows without any
    number are then looked at (none, in most files).

    Parameters
    ----------
    raw : DataFrame
        The table's rows as read (text cells).
    numeric_columns : sequence of str
        The columns that hold numbers in a data row.
    x : ndarray, optional
        :func:`numeric_matrix` of ``numeric_columns`` when already computed.
    numberless : ndarray of bool, optional
        The rows of ``raw`` without any number in ``numeric_columns``, when already known.

    Returns
    -------
    ndarray of bool
        True for the note and footer rows.
    """
    n = len(raw)
    hit = np.zeros(n, dtype=bool)
    if numberless is None and x is not None and x.shape[1]:
        numberless = np.isnan(x).all(axis=1)
    if numberless is not None:
        rows = np.flatnonzero(numberless)
        if not len(rows):
            return hit
        hit[rows] = note_rows(raw.iloc[rows], ())
        return hit
    for column in raw.columns:
        series = raw[column]
        if not is_text(series):
            continue
        text = series.fillna("").astype(str)
        maybe = text.str.contains("[:：、.．]", regex=True)
        if maybe.any():
            hit[maybe.to_numpy()] |= text[maybe].str.contains(NOTE_LABEL, regex=True).to_numpy()
    if not hit.any():
        return hit
    present = [c for c in numeric_columns if c in raw]
    if present:
        numbers = ~np.isnan(numeric_matrix(raw.iloc[np.flatnonzero(hit)], present))
        hit[np.flatnonzero(hit)] = ~numbers.any(axis=1)
    return hit


def row_texts(raw: pd.DataFrame, mask: np.ndarray, limit: int = 50) -> tuple[str, ...]:
    """The text of each masked row (its non-blank text cells joined), for the load report.

    Parameters
    ----------
    raw : DataFrame
        The table's rows as read.
    mask : ndarray of bool
        The rows to describe (e.g. those dropped as totals or notes).
    limit : int, default 50
        At most this many rows are described.

    Returns
    -------
    tuple of str
        One text per row, cut at 80 characters.
    """
    rows = raw.iloc[np.flatnonzero(mask)[:limit]]
    texts = []
    for values in rows.itertuples(index=False):  # only the few dropped rows
        cells = [str(v).strip() for v in values
                 if isinstance(v, str) and v.strip() and not re.fullmatch(r"[\d.,\s-]*", v)]
        text = " ".join(dict.fromkeys(cells))
        texts.append(text[:80] + ("…" if len(text) > 80 else ""))
    return tuple(texts)
