"""Excel workbooks for bureau staff: one sheet per :class:`edubalance.report.tables.Table`.

A table's :attr:`~edubalance.report.tables.Table.title` lines (county, standard, year and
date, for ``results.xlsx``) come first, in bold, then a blank row, then the table. Headers are
the tables' readable headers (Chinese by default, with units); the header row is frozen,
bold, filtered (an autofilter over the table) and repeated on every printed page; pages are
landscape A4, fitted to the page width, numbered in the footer. Column widths follow the
content (CJK characters count double), numbers stay numbers with the number format of their
column kind, yes/no columns show 是/否, and every text cell that a spreadsheet could run as a
formula is neutralised (:func:`edubalance.io.write.neutralise_formulas`), the title lines
too. The file is written atomically.

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

With title lines the table starts below them:

>>> _ = write_workbook(path, {"结论": Table(pd.DataFrame({"学校": ["甲"], "学生（人）": [1200]}),
...                                          title=("会宁县 2017年 优质均衡", "生成日期：2026-01-01"))})
>>> sheet = openpyxl.load_workbook(path)["结论"]
>>> sheet["A1"].value, sheet["A4"].value, sheet["B5"].value, sheet.freeze_panes
('会宁县 2017年 优质均衡', '学校', 1200, 'A5')
>>> sheet.auto_filter.ref, sheet.print_title_rows, sheet.page_setup.orientation
('A4:B5', '$4:$4', 'landscape')
"""
from __future__ import annotations

import functools
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
    """Columns a value takes in Excel: CJK (wide) characters count double; floats as ``,.3f``."""
    if isinstance(value, float):
        value = f"{value:,.3f}"
    return _text_width("" if value is None else str(value))


@functools.lru_cache(maxsize=8192)
def _text_width(shown: str) -> int:
    # A workbook repeats its texts (levels, 是/否, school and item names on several sheets).
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
    r"""Text Excel can store, control characters written out.

    Control characters (ESC, BEL, NUL) are written as ``\u001b``: openpyxl would raise
    IllegalCharacterError and the whole job would fail.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def _print_setup(sheet, header_row: int, lang: str) -> None:
    """Landscape A4 page setup, fitted to the page width.

    Landscape A4, fitted to the page width (as many pages down as needed), the header row
    repeated on every page, page numbers in the footer.
    """
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddFooter.center.text = text("report.xlsx_footer", lang)


def write_workbook(path: str | os.PathLike, sheets: Mapping[str, Table]) -> Path:
    r"""Write ``sheets`` (sheet name -> :class:`Table`) to the workbook ``path``, atomically.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write.
    sheets : mapping
        Sheet name (at most 31 characters, none of ``[]:*?/\``) -> :class:`Table`; a
        table's ``title`` lines are written above it.

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
        title = [str(line) for line in getattr(table, "title", ()) or ()]
        if title:
            shown = neutralise_formulas(pd.DataFrame({"title": title}))["title"].tolist()
            for number, line in enumerate(shown):
                sheet.append([line])
                sheet.cell(row=number + 1, column=1).font = Font(bold=True,
                                                                  size=14 if number == 0 else 11)
            sheet.append([])
        header_row = len(title) + 2 if title else 1
        frame = neutralise_formulas(table.frame.reset_index(drop=True))
        headers = [_storable(str(c)) for c in frame.columns]
        sheet.append(headers)
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        kinds = [table.kind(c) for c in table.frame.columns]
        rows = [[_cell(v, k, table.lang) for v, k in zip(row, kinds, strict=True)]
                for row in frame.itertuples(index=False, name=None)]
        for values in rows:
            sheet.append(values)
        # each column's widest cell, its header included (one pass per column, not per row)
        widths = [max(map(_width, column)) for column in zip(headers, *rows, strict=True)]
        for index, (column, kind, width) in enumerate(
                zip(table.frame.columns, kinds, widths, strict=True), start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
            if kind in EXCEL_FORMATS and sheet.max_row > header_row:
                # A value next to its limit gets the decimals that tell them apart (Table.limits).
                digits = table.cell_digits(column)
                for (cell,), places in zip(sheet.iter_rows(min_row=header_row + 1,
                                                           min_col=index, max_col=index),
                                           digits, strict=False):
                    cell.number_format = (EXCEL_FORMATS[kind] if places is None
                                          else "#,##0." + "0" * places)
        sheet.freeze_panes = f"A{header_row + 1}"
        if headers:
            last = get_column_letter(len(headers))
            sheet.auto_filter.ref = f"A{header_row}:{last}{max(sheet.max_row, header_row)}"
        _print_setup(sheet, header_row, table.lang)
    if not book.sheetnames:
        raise ValueError("a workbook needs at least one sheet")
    with atomic_target(path) as tmp:
        book.save(tmp)
    return path
