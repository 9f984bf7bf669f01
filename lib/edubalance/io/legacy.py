"""Legacy workbooks (``.xls``, WPS ``.et``, OpenDocument ``.ods``) read through python-calamine.

The rows come from calamine (a maintained Rust reader; pandas uses it as its ``"calamine"``
engine); everything after that is the ``.xlsx`` path of :mod:`edubalance.io.read`: the same
header search (title rows, one to three header rows, units in headers and in a unit line),
merged cells filled as Excel shows them, the same cell texts, hence the same validation,
units and plausibility rules. Rows hidden in such a workbook cannot be seen by the reader:
the load report says so.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .headers import HEADER_SEARCH_ROWS, locate_header
from .limits import limits

__all__ = ["LEGACY_SUFFIXES", "read_legacy", "available"]

LEGACY_SUFFIXES = (".xls", ".et", ".ods")


def available() -> bool:
    """Whether the reader of legacy spreadsheets (``python-calamine``) is installed.

    Returns
    -------
    bool
    """
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def _open(path: Path, file: str):
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise DataError([Problem(file, f"{path.suffix.lower()} workbooks need the python-calamine "
                                       "package (pip install python-calamine), or save the file "
                                       "as .xlsx")]) from None
    try:
        with path.open("rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except Exception as error:  # calamine raises its own errors for damaged files
        raise DataError([Problem(file, f"not a readable {path.suffix.lower()} workbook "
                                       f"({type(error).__name__}: {error})")]) from None


def _rows(book, name: str, file: str) -> list[list]:
    sheet = book.get_sheet_by_name(name)
    height, width = sheet.total_height, sheet.total_width
    if height * max(width, 1) > limits()["max_cells"] or height > limits()["max_rows"]:
        raise DataError([Problem(file, f"sheet declares {height:,} x {width:,} cells (limits "
                                       "max_rows/max_cells in io/limits.yaml)", sheet=name)])
    rows = sheet.to_python(skip_empty_area=False)
    merged = []
    try:
        for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ():
            merged.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
    except (AttributeError, TypeError, ValueError):  # older calamine: no merged ranges
        pass
    return rows, merged


def _text(value) -> str:
    from .read import SPACES, _cell_text

    if value is None or value == "":
        return ""
    return _cell_text(value).strip(SPACES) if isinstance(value, str) else _cell_text(value)


def read_legacy(path: Path, file: str, kind: str, sheet: str | None, mapping, complete):
    """A :class:`~edubalance.io.read.RawFile` from a legacy workbook (see the module doc).

    Parameters
    ----------
    path : Path
        The workbook (``.xls``, ``.ods`` or ``.et``), read with python-calamine.
    file : str
        The file's name as problems and notes show it.
    kind : str
        The kind of table looked for (``"schools"``, ``"counties"``, ...), passed to
        ``complete``.
    sheet : str or None
        The sheet to read; None reads every visible sheet holding a table of ``kind``.
    mapping : mapping of str to str
        Header alias -> canonical column, for locating and naming the header.
    complete : callable
        ``complete(found, kind)``: True when a sheet's columns make a table of ``kind``, else
        ``(missing columns, looks like data)`` (as for :func:`~edubalance.io.read.read_raw`).

    Returns
    -------
    RawFile
        One :class:`~edubalance.io.read.RawTable` per usable sheet, with the skipped sheets.
    """
    from .read import (
        MAX_COLUMNS,
        RawFile,
        RawTable,
        _check_width,
        _fill_merged,
        _found,
        _keep_head,
        _label_columns,
        _unit_line,
        choose_sheets,
        title_facts,
        usable_sheets,
    )

    book = _open(path, file)
    result = RawFile(file, [])
    metadata = {m.name: m for m in book.sheets_metadata}
    chosen = choose_sheets(
        book.sheet_names, lambda name: "hidden" in str(getattr(metadata.get(name), "visible",
                                                               "Visible")).lower(),
        sheet, file, result)
    sheets, heads = {}, {}
    for name in chosen:
        rows, merged = _rows(book, name, file)
        head = [[_text(v) for v in row[:MAX_COLUMNS]] for row in rows[:HEADER_SEARCH_ROWS + 1]]
        if any(any(cell for cell in row) for row in head):
            width = max(len(r) for r in head)
            heads[name] = [r + [""] * (width - len(r)) for r in head]
            sheets[name] = (rows, merged, heads[name])
        else:
            heads[name] = []   # an empty sheet
    usable = usable_sheets(heads, sheet, mapping, kind, complete, file, result)
    for name in usable:
        rows, merged, head = sheets[name]
        start, n_header, named = locate_header(head, mapping)
        data_start = start + n_header
        width = len(named)
        body = [[_text(v) for v in row[:width]] + [""] * max(0, width - len(row))
                for row in rows[data_start:]]
        numeric = {c for row in rows[data_start:] for c, v in enumerate(row[:width])
                   if isinstance(v, (int, float)) and not isinstance(v, bool)}
        frame = pd.DataFrame(body, columns=range(width), dtype=object,
                             index=pd.RangeIndex(data_start + 1, data_start + 1 + len(body),
                                                 name="line")) if body else \
            pd.DataFrame(columns=range(width), dtype=object)
        far = [(data_start + 1 + i, c + 1) for i, row in enumerate(rows[data_start:])
               for c in range(width, min(len(row), MAX_COLUMNS)) if _text(row[c])]
        table = RawTable(pd.DataFrame(), {}, {}, data_start, name, path.suffix.lower()[1:], [],
                         title=title_facts([" ".join(r) for r in head[:start]]))
        table.notes.append(f"read with python-calamine ({path.suffix.lower()}); rows hidden in "
                           "this format cannot be seen: check none are")
        if far and _found(named):
            raise DataError([Problem(file, "cell right of the last header column: values "
                                           "without a header", sheet=name, row=line)
                             for line, _ in far[:20]], len(far))
        frame = _check_width(frame, named, file, name)
        if len(frame):
            filled = (frame != "").any(axis=1).to_numpy()
            frame = frame.iloc[:int(np.flatnonzero(filled).max()) + 1 if filled.any() else 0]
        table.merged = [m for m in merged if m[2] > data_start]
        frame = _fill_merged(frame, table)
        table = _keep_head(_unit_line(_label_columns(frame, named, file, table), head[:start]),
                           head)
        columns = list(table.frame.columns)
        table.numeric_ids = {columns[c] for c in numeric if c < len(columns)}
        result.tables.append(table)
    return result
