"""The official-form writer: schools as a bureau's ``.xlsx`` form (Chinese two-row header)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import schema
from ..errors import DataError

__all__ = ["write_school_form"]

_FORM_TWO_ROW = {canonical: pair for pair, canonical in schema.TWO_ROW_HEADER_ALIASES.items()
                 if canonical in ("students_primary", "students_junior", "classes_primary",
                                  "classes_junior")}


def _first_alias(aliases: dict[str, str]) -> dict[str, str]:
    first: dict[str, str] = {}
    for chinese, canonical in aliases.items():
        first.setdefault(canonical, chinese)
    return first


def write_school_form(schools: pd.DataFrame, path, *, title: str | None = None,
                      sheet: str = "学校") -> Path:
    """Write schools as an official form would have them: an ``.xlsx`` with Chinese headers.

    Headers are the first Chinese alias of each column (``schema.SCHOOL_HEADER_ALIASES``);
    enrolment and classes sit under merged ``在校生数`` / ``班数`` cells over ``小学`` / ``初中``
    (a two-row header); school types and locations are written in Chinese (小学, 城区, ...);
    an optional title row goes above the header. Text cells are neutralised against formula
    injection. The file is written to a temporary name and renamed, so a failure leaves no
    partial workbook. :func:`load_schools` reads it back.

    Parameters
    ----------
    schools : DataFrame
        School rows in canonical columns (as :func:`~edubalance.io.load.load_schools` returns).
    path : str or path-like
        The ``.xlsx`` file to write.
    title : str, optional
        A title row written above the header (e.g. ``"表一"``); none by default.
    sheet : str, default "学校"
        The worksheet's name.

    Returns
    -------
    Path
        The written workbook.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from edubalance.io.sample import generate
    >>> from edubalance.io.load import load_schools
    >>> schools, _ = generate("province", seed=1, years=[2017])
    >>> one = schools[schools["county_name"] == "灵武市"]
    >>> path = write_school_form(one, pathlib.Path(tempfile.mkdtemp()) / "灵武市.xlsx", title="表一")
    >>> bool(load_schools(path)["teachers"].sum() == one["teachers"].sum())
    True
    """
    import openpyxl

    from .write import atomic_target, neutralise_formulas

    path = Path(path)
    columns = [c for c in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS if c in schools]
    missing = [c for c in schema.SCHOOL_COLUMNS if c not in schools]
    if missing:
        raise DataError(f"cannot write a school form without column(s): {', '.join(missing)}")
    frame = schools[columns].copy()
    frame["school_type"] = frame["school_type"].map(_first_alias(schema.SCHOOL_TYPE_ALIASES))
    frame["urban_rural"] = frame["urban_rural"].map(_first_alias(schema.URBAN_RURAL_ALIASES))
    frame = neutralise_formulas(frame.astype(object))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    top = 1
    if title:
        ws.cell(row=1, column=1, value=title)
        top = 2
    for c, column in enumerate(columns, start=1):
        if column in _FORM_TWO_ROW:
            upper, lower = _FORM_TWO_ROW[column]
            if column.endswith("_primary"):  # the upper cell spans the primary/junior pair
                ws.cell(row=top, column=c, value=upper)
                ws.merge_cells(start_row=top, start_column=c, end_row=top, end_column=c + 1)
            ws.cell(row=top + 1, column=c, value=lower)
        else:
            ws.cell(row=top, column=c, value=schema.SCHOOL_HEADER_ALIASES[column][0])
            ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
    for record in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
                   for v in record])
    with atomic_target(path) as tmp:
        book.save(tmp)
    return path
