"""Load, clean and validate school, county and teacher-roster files: the public façade.

The work is done in layer 1, :mod:`edubalance.io`: :mod:`~edubalance.io.read` (one decoder,
sniffer and table reader: CSV in UTF-8/BOM/GBK/GB18030/UTF-16, ``.xlsx`` streamed sheet by
sheet, Parquet), :mod:`~edubalance.io.headers` (aliases, units in headers, ``columns=``
mappings, title rows), :mod:`~edubalance.io.units` and :mod:`~edubalance.io.plausibility`
(rules as YAML data), :mod:`~edubalance.io.validate` (checks and the load report) and
:mod:`~edubalance.io.form` (the official-form writer).

Every loader returns a DataFrame with canonical columns (:mod:`edubalance.schema`), keeps the
file's row order, keeps ``county_code`` and ``school_id`` as strings, and either succeeds
completely or raises :class:`DataError` listing every problem found (up to ``max_problems``),
each naming file, sheet, row (as a spreadsheet shows it), column, value and school id. What was
cleaned, converted, dropped or ignored is in ``df.attrs["load_report"]`` (a plain dict, see
:class:`~edubalance.io.validate.LoadReport`) and ``df.attrs["cleaning_log"]``.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "counties.csv").write_text("县代码,县名称,年份,巩固率\\n640202,大武口区,2017,99.1\\n")
>>> counties = load_counties(folder / "counties.csv")
>>> counties.loc[0, "county_code"], counties.columns.tolist()
('640202', ['county_code', 'county_name', 'year', '巩固率'])
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from ..errors import DataError, Problem
from .form import write_school_form
from .headers import normalise_header
from .read import read_table
from .validate import KINDS, MAX_PROBLEMS, LoadReport, load, validate_schools

__all__ = [
    "DataError", "Problem", "MAX_PROBLEMS", "KINDS", "load_schools", "load_counties",
    "load_teachers", "load_table", "register_cli", "normalise_header", "write_school_form",
    "read_table", "validate_schools", "LoadReport",
]


def load_table(path, kind: str = "auto", sheet: str | None = None, *,
               columns: Mapping[str, str] | str | None = None,
               county_code: str | None = None, county_name: str | None = None,
               year: int | None = None, allow: Iterable[str] | str | None = None,
               max_problems: int = MAX_PROBLEMS, include_hidden: bool = False) -> pd.DataFrame:
    """Load a schools, counties or teacher-roster file; ``kind="auto"`` guesses from headers.

    Parameters
    ----------
    path : str, Path or DataFrame
        CSV, ``.xlsx`` or Parquet file (content must match the extension), or a DataFrame
        (validated the same way, rows numbered from 2).
    kind : {"auto", "schools", "counties", "teachers"}
    sheet : str, optional
        Excel sheet to read. By default every visible sheet is considered: sheets with the
        same schema (per level, per township) are combined (a ``sheet`` column says where each
        row came from), sheets without a table are listed in the report, a sheet that looks
        like the same kind of table but does not match is an error; hidden sheets are read
        only when named.
    columns : dict or path of a YAML file, optional
        Header -> canonical column, for headers the package does not know
        (``{"学校": "school_name"}``); a YAML file holds the same pairs (optionally under a
        ``columns:`` key) for a province's forms.
    county_code, county_name, year : optional
        For forms that give them only in the title row (read from there when possible) or not
        at all.
    allow : list of str, optional
        Plausibility rules to waive (rule ids of ``io/plausibility.yaml``, a column, or
        ``"all"``), for a bureau that really has an outlier.
    max_problems : int
        How many problems the :class:`DataError` lists (the rest are counted).
    include_hidden : bool
        Read rows hidden or filtered out in Excel (by default they are excluded and listed in
        the load report).

    Returns
    -------
    DataFrame
        ``attrs``: ``kind``, ``source``, ``cleaning_log`` (list of notes) and ``load_report``.

    Raises
    ------
    DataError
        Listing every problem found (up to ``max_problems``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_text("county_code,county_name,year\\n640202,大武口区,2017\\n")
    >>> load_table(path).attrs["kind"]
    'counties'
    """
    return load(path, kind, sheet, columns=columns, county_code=county_code,
                county_name=county_name, year=year, allow=allow, max_problems=max_problems,
                include_hidden=include_hidden)


def load_schools(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS,
                 **options) -> pd.DataFrame:
    """Load and validate a schools file (CSV, ``.xlsx``, Parquet or a DataFrame).

    Options as :func:`load_table` (``columns``, ``county_code``, ``county_name``, ``year``,
    ``allow``). Units in headers (``教学仪器设备值（万元）``) are converted to the canonical
    unit and reported; implausible values are errors unless allowed.

    Returns
    -------
    DataFrame
        ``schema.SCHOOL_COLUMNS`` (plus optional ``students_senior``, ``classes_senior``,
        ``prefecture`` when present, and ``sheet`` when several sheets were combined) in the
        file's row order; codes as strings, counts as int64, areas and values as float64.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from edubalance import schema
    >>> row = dict(county_code="640202", county_name="大武口区", year=2017, school_id="001",
    ...            school_name="甲小学", school_type="小学", urban_rural="城区",
    ...            students_primary=300, students_junior=None, classes_primary=10,
    ...            classes_junior=None, teachers=20, teachers_above_degree=18,
    ...            teachers_mid_title=9, teachers_backbone=3, teachers_pe_arts=2,
    ...            teaching_area_m2=1500.5, sports_area_m2=3000, equipment_value_cny=600000,
    ...            computers=30, multimedia_classrooms=10, books=9000)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "schools.csv"
    >>> pd.DataFrame([row]).to_csv(path, index=False)
    >>> schools = load_schools(path)
    >>> first = schools.iloc[0]
    >>> first["school_id"], first["school_type"], int(first["students_junior"])
    ('001', 'primary', 0)
    """
    return load_table(path, "schools", sheet, max_problems=max_problems, **options)


def load_counties(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS,
                  **options) -> pd.DataFrame:
    """Load a counties file: ``county_code, county_name, year`` plus every other column.

    Other columns are kept, numeric where they are numeric (int64 when whole and complete,
    else float64 with NaN for blanks), as text otherwise. Examples: see the module docstring.
    """
    return load_table(path, "counties", sheet, max_problems=max_problems, **options)


def load_teachers(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS,
                  **options) -> pd.DataFrame:
    """Load a teacher roster (表三 教职工花名册) with a school id column (学校代码).

    Returns ``school_id`` (and ``county_code, county_name, year, school_name`` when present)
    plus ``schema.ROSTER_COLUMNS`` as text; see :mod:`edubalance.io.roster` for the counts.
    """
    return load_table(path, "teachers", sheet, max_problems=max_problems, **options)


# --------------------------------------------------------------------------------------------
# CLI: edubalance validate FILE...
# --------------------------------------------------------------------------------------------
def register_cli(subparsers) -> None:
    """Add ``validate FILE... [--kind ...] [--sheet NAME] [--columns MAP.yaml] ...``."""
    parser = subparsers.add_parser(
        "validate", help="check school, county or teacher-roster files and list every problem",
        description="Load each file as the loaders would and print every problem found "
                    "(file, sheet, row, column, value, school id), or, for a good file, the "
                    "load report: sheets read, unit conversions, dropped rows, ignored "
                    "columns. Exit code 1 if any file has problems.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--kind", choices=KINDS + ("auto",), default="auto",
                        help="what the files hold (default: guess from the headers)")
    parser.add_argument("--sheet", default=None, help="Excel sheet to read")
    parser.add_argument("--columns", default=None, metavar="MAP.yaml",
                        help="YAML file mapping headers to canonical columns")
    parser.add_argument("--county-code", default=None)
    parser.add_argument("--county-name", default=None)
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--allow", action="append", default=None, metavar="RULE",
                        help="plausibility rule to waive (repeatable)")
    parser.add_argument("--include-hidden", action="store_true",
                        help="read rows hidden or filtered out in Excel (default: excluded and "
                             "listed)")
    parser.add_argument("--max-problems", type=int, default=MAX_PROBLEMS,
                        help=f"problems listed per file (default {MAX_PROBLEMS})")
    parser.set_defaults(func=_cli_validate)


def _cli_validate(args) -> int:
    if args.max_problems < 1:
        raise ValueError("--max-problems must be at least 1")
    options = dict(columns=getattr(args, "columns", None),
                   county_code=getattr(args, "county_code", None),
                   county_name=getattr(args, "county_name", None),
                   year=getattr(args, "year", None), allow=getattr(args, "allow", None),
                   include_hidden=getattr(args, "include_hidden", False))
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            frame = load_table(path, args.kind, args.sheet, max_problems=args.max_problems,
                               **options)
        except DataError as error:
            failed += 1
            print(f"{name}: FAILED: {error.total} problem{'s' if error.total != 1 else ''}")
            several = len({p.sheet for p in error.problems}) > 1
            for problem in error.problems:
                where = f"sheet '{problem.sheet}', " if several and problem.sheet else ""
                print(f"  - {where}{problem.describe(with_file=False)}")
            if error.total > len(error.problems):
                print(f"  ... and {error.total - len(error.problems)} more")
            continue
        except Exception as error:  # never a traceback for a bad file
            failed += 1
            print(f"{name}: FAILED: could not read ({type(error).__name__}: {error})")
            continue
        source = frame.attrs.get("source", name)
        print(f"{name}: OK: {len(frame)} rows ({frame.attrs['kind']}"
              + (f", {source.split(', ', 1)[1]}" if ", sheet" in source else "") + ")")
        report = LoadReport.from_dict(frame.attrs["load_report"])
        for line in report.lines(file_names=False):
            if not line.startswith("sheets read:") or len(report.sheets) > 1:
                print(f"  {line}")
        for note in report.notes:
            print(f"  note: {note.split(': ', 1)[1]}")
    if len(args.files) > 1:
        print(f"{len(args.files) - failed} of {len(args.files)} file(s) OK")
    return 1 if failed else 0
