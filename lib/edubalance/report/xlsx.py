"""Excel workbooks for bureau staff: one sheet per :class:`edubalance.report.tables.Table`.

Headers are the tables' readable headers (Chinese by default, with units), the header row is
frozen and bold, column widths follow the content (CJK characters count double), numbers stay
numbers with the number format of their column kind, yes/no columns show 是/否, and every text
cell that a spreadsheet could run as a formula is neutralised
(:func:`edubalance.io.write.neutralise_formulas`). The file is written atomically.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from edubalance.report.tables import Table
>>> path = pathlib.Path(tempfile.mkdtemp()) / "results.xlsx"
>>> _ = write_workbook(path, {"结论": Table(pd.DataFrame({"学校": ["=1+1"], "学生（人）": [1200]}),
...                                          kinds={"学生（人）": "int"})})
>>> import openpyxl
>>> sheet = openpyxl.load_workbook(path)["结论"]
>>> sheet["A2"].value, sheet["B2"].value, sheet["B2"].number_format, sheet.freeze_panes
("'=1+1", 1200, '#,##0', 'A2')
"""
from __future__ import annotations

import math
import os
import unicodedata
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..io.write import atomic_target, neutralise_formulas
from .i18n import text
from .tables import EXCEL_FORMATS, Table

__all__ = ["write_workbook"]

_INVALID_SHEET = set('[]:*?/\\')


def _width(value) -> int:
    shown = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in shown)


def _cell(value, kind: str, lang: str):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if kind == "bool":
        return text("bool.yes" if bool(value) else "bool.no", lang)
    if hasattr(value, "item"):  # NumPy scalars -> Python numbers
        value = value.item()
    if isinstance(value, str):
        value = _storable(value)
    return value


def _storable(value: str) -> str:
    """Text Excel can store: control characters (ESC, BEL, NUL) written as ``\\u001b``
    (openpyxl would raise IllegalCharacterError and the whole job would fail)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def write_workbook(path: str | os.PathLike, sheets: Mapping[str, Table]) -> Path:
    """Write ``sheets`` (sheet name -> :class:`Table`) to the workbook ``path``, atomically.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        if not name or len(name) > 31 or set(name) & _INVALID_SHEET:
            raise ValueError(f"sheet name {name!r} is not allowed in Excel")
        sheet = book.create_sheet(title=name)
        frame = neutralise_formulas(table.frame.reset_index(drop=True))
        headers = [_storable(str(c)) for c in frame.columns]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        kinds = [table.kind(c) for c in table.frame.columns]
        widths = [_width(h) for h in headers]
        for row in frame.itertuples(index=False, name=None):
            values = [_cell(v, k, table.lang) for v, k in zip(row, kinds, strict=True)]
            sheet.append(values)
            widths = [max(w, _width(v if not isinstance(v, float) else f"{v:,.3f}"))
                      for w, v in zip(widths, values, strict=True)]
        for index, (kind, width) in enumerate(zip(kinds, widths, strict=True), start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
            if kind in EXCEL_FORMATS and sheet.max_row > 1:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = EXCEL_FORMATS[kind]
        sheet.freeze_panes = "A2"
    if not book.sheetnames:
        raise ValueError("a workbook needs at least one sheet")
    with atomic_target(path) as tmp:
        book.save(tmp)
    return path
