"""The evidence form a bureau fills in: one block per county, one row per item of the standard.

``edubalance evidence-form --standard quality-2017 --schools schools.xlsx --out 佐证.xlsx`` writes
it; :func:`edubalance.core.evidence.load` reads it back (the header row is found below the title).
Each row names the item (项目代码, 项目), how it is judged (判定方法), a value cell with Excel data
validation (是/否 from a list; numbers within a range) and a note column. Text from the schools
file (county names) is written as text, formulas neutralised.

Examples
--------
>>> import tempfile, pathlib
>>> from edubalance.core import evidence
>>> path = pathlib.Path(tempfile.mkdtemp()) / "form.xlsx"
>>> _ = write_evidence_form(path, "basic-2012", counties=[("640104", "兴庆区", 2017)])
>>> evidence.load(path, "basic-2012").empty   # nothing filled in yet
True
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..core.standards import Standard, load_standard
from ..io.write import atomic_target
from .i18n import DEFAULT_LANG, check_lang, text

__all__ = ["FORM_COLUMNS", "write_evidence_form", "register_cli"]

FORM_COLUMNS = ("县代码", "县名称", "年份", "项目代码", "项目", "判定方法", "填报值", "备注")
"""The header row (the names :func:`edubalance.core.evidence.load` recognises)."""

_HOW = {"at_least": "填数值，不低于 {limit:g}{unit}", "at_most": "填数值，不高于 {limit:g}{unit}",
        "yes": "填“是”或“否”，需为“是”", "no": "填“是”或“否”，需为“否”"}


def _safe(value) -> str:
    """Text that a spreadsheet shows as text (a leading =, +, -, @ would start a formula)."""
    shown = "" if value is None else str(value)
    return "'" + shown if shown[:1] in ("=", "+", "-", "@", "\t", "\r") else shown


def _counties_of(schools: pd.DataFrame | None, counties, year: int | None) -> list[tuple]:
    if counties is not None:
        return [(str(code), str(name), int(y)) for code, name, y in counties]
    if schools is None:
        return [("", "", int(year) if year else "")]
    keys = schools[["county_code", "county_name", "year"]].drop_duplicates()
    if year is not None:
        keys = keys[keys["year"] == int(year)]
    return [(str(c), str(n), int(y)) for c, n, y in keys.itertuples(index=False)]


def write_evidence_form(path: str | os.PathLike, standard: str | Standard, *,
                        schools: pd.DataFrame | None = None, counties=None,
                        year: int | None = None, lang: str = DEFAULT_LANG) -> Path:
    """Write the evidence form of ``standard`` to ``path`` (``.xlsx``), written atomically.

    Parameters
    ----------
    path : str or Path
        The workbook to write.
    standard : str or Standard
        Whose evidence items the form lists.
    schools : DataFrame, optional
        A school table: one block per county and year in it.
    counties : iterable of (code, name, year), optional
        The blocks, instead of ``schools``; with neither, one block with blank county cells.
    year : int, optional
        Only this year of ``schools``.
    lang : {"zh", "en"}
        Language of the title and notes (the item texts are the standard's, in Chinese).

    Returns
    -------
    Path
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    check_lang(lang)
    std = load_standard(standard)
    blocks = _counties_of(schools, counties, year)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "佐证材料"
    sheet["A1"] = _safe(text("evidence_form.title", lang, standard=std.title_zh or std.title))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _safe(text("evidence_form.note", lang))
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(FORM_COLUMNS))
    sheet.row_dimensions[2].height = 48
    header = 4
    for column, name in enumerate(FORM_COLUMNS, start=1):
        cell = sheet.cell(header, column, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True,
                            showErrorMessage=True, errorTitle="是/否",
                            error="请填写“是”或“否”")
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True, showErrorMessage=True, errorTitle="数值",
                            error="请填写数值（百分比填 85 或 85.5）")
    sheet.add_data_validation(yes_no)
    sheet.add_data_validation(number)
    row = header + 1
    for code, name, block_year in blocks:
        title = sheet.cell(row, 2, _safe(f"{name}（{code}）{block_year}年" if code else ""))
        title.font = Font(bold=True)
        row += 1
        for item in std.evidence:
            values = (code, name, block_year, item.id, item.text_zh,
                      _HOW[item.kind].format(limit=item.limit or 0, unit=item.unit))
            for column, value in enumerate(values, start=1):
                sheet.cell(row, column, _safe(value) if isinstance(value, str) else value)
            sheet.cell(row, 3).number_format = "0"
            (yes_no if item.kind in ("yes", "no") else number).add(sheet.cell(row, 7))
            sheet.cell(row, 5).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    for column, width in zip("ABCDEFGH", (10, 12, 7, 30, 60, 26, 10, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToHeight = 0
    with atomic_target(path) as tmp:
        book.save(tmp)
    return Path(path)


def _cli_evidence_form(args) -> int:
    from ..io.load import load_schools

    schools = load_schools(args.schools) if args.schools else None
    path = write_evidence_form(args.out, args.standard, schools=schools, year=args.year,
                               lang=args.lang)
    print(path)
    return 0


def register_cli(subparsers) -> None:
    """Add ``edubalance evidence-form`` to the command.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``edubalance`` command's subcommands (``parser.add_subparsers()``).

    Returns
    -------
    None
    """
    from ..core.standards import available_standards

    parser = subparsers.add_parser(
        "evidence-form", help="write the evidence form (.xlsx) a bureau fills in",
        description="Write the form of a standard's evidence items (what school data cannot "
                    "decide), one block per county; `--evidence` of `edubalance report`, "
                    "`evidence_path` of the notebooks and eb.evidence.load read it back.")
    parser.add_argument("--standard", required=True, choices=available_standards())
    parser.add_argument("--schools", help="schools file: one block per county and year in it")
    parser.add_argument("--year", type=int, help="only this year of the schools file")
    parser.add_argument("--out", required=True, help="the .xlsx to write")
    parser.add_argument("--lang", choices=["zh", "en"], default=DEFAULT_LANG)
    parser.set_defaults(func=_cli_evidence_form)
