r"""Load, clean and validate school, county and teacher-roster files: the public façade.

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
>>> _ = (folder / "counties.csv").write_text("县代码,县名称,年份,巩固率\n640202,大武口区,2017,99.1\n")
>>> counties = load_counties(folder / "counties.csv")
>>> counties.loc[0, "county_code"], counties.columns.tolist()
('640202', ['county_code', 'county_name', 'year', '巩固率'])
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

from ..errors import DataError, Problem
from .form import write_school_form
from .headers import normalise_header
from .read import read_table
from .validate import KINDS, MAX_PROBLEMS, LoadReport, load, validate_schools

__all__ = [
    "add_loader_options", "DataError", "Problem", "MAX_PROBLEMS", "KINDS", "load_schools", "load_counties",
    "load_teachers", "load_table", "register_cli", "normalise_header", "write_school_form",
    "read_table", "validate_schools", "LoadReport", "check_files", "describe_problem",
    "load_report_lines", "VALIDATE_MESSAGES",
]


def load_table(path, kind: str = "auto", sheet: str | None = None, *,
               columns: Mapping[str, str] | str | None = None,
               county_code: str | None = None, county_name: str | None = None,
               year: int | None = None, allow: Iterable[str] | str | None = None,
               max_problems: int = MAX_PROBLEMS, include_hidden: bool = False) -> pd.DataFrame:
    r"""Load a schools, counties or teacher-roster file; ``kind="auto"`` guesses from headers.

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
    >>> _ = path.write_text("county_code,county_name,year\n640202,大武口区,2017\n")
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

    Parameters
    ----------
    path : str, Path or DataFrame
        The file (CSV, ``.xlsx``, ``.xls``/``.ods``/``.et`` or Parquet) or a DataFrame.
    sheet : str, optional
        Excel sheet to read (default: every visible sheet holding such a table, combined).
    max_problems : int, default 50
        How many problems the :class:`DataError` lists (the rest are counted).
    **options
        ``columns``, ``county_code``, ``county_name``, ``year``, ``allow``, ``include_hidden``:
        as for :func:`load_table`.

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

    Parameters
    ----------
    path : str, Path or DataFrame
        The file (CSV, ``.xlsx``, ``.xls``/``.ods``/``.et`` or Parquet) or a DataFrame.
    sheet : str, optional
        Excel sheet to read (default: every visible sheet holding such a table, combined).
    max_problems : int, default 50
        How many problems the :class:`DataError` lists (the rest are counted).
    **options
        ``columns``, ``county_code``, ``county_name``, ``year``, ``allow``, ``include_hidden``:
        as for :func:`load_table`.

    Returns
    -------
    DataFrame
    """
    return load_table(path, "counties", sheet, max_problems=max_problems, **options)


def load_teachers(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS,
                  **options) -> pd.DataFrame:
    """Load a teacher roster (表三 教职工花名册) with a school id column (学校代码).

    Returns ``school_id`` (and ``county_code, county_name, year, school_name`` when present)
    plus ``schema.ROSTER_COLUMNS`` as text; see :mod:`edubalance.io.roster` for the counts.

    Parameters
    ----------
    path : str, Path or DataFrame
        The file (CSV, ``.xlsx``, ``.xls``/``.ods``/``.et`` or Parquet) or a DataFrame.
    sheet : str, optional
        Excel sheet to read (default: every visible sheet holding such a table, combined).
    max_problems : int, default 50
        How many problems the :class:`DataError` lists (the rest are counted).
    **options
        ``columns``, ``county_code``, ``county_name``, ``year``, ``allow``, ``include_hidden``:
        as for :func:`load_table`.

    Returns
    -------
    DataFrame
    """
    return load_table(path, "teachers", sheet, max_problems=max_problems, **options)


# --------------------------------------------------------------------------------------------
# CLI: edubalance validate FILE...
# --------------------------------------------------------------------------------------------
def add_loader_options(parser) -> None:
    """Add the loader options to ``parser`` (or an argument group).

    ``--sheet``, ``--columns``, ``--county-code``, ``--county-name`` and ``--allow``: one
    definition for ``edubalance validate`` and ``edubalance report``, whose options must mean
    the same.

    Parameters
    ----------
    parser : argparse.ArgumentParser or argument group
    """
    parser.add_argument("--sheet", default=None, help="Excel sheet to read")
    parser.add_argument("--columns", default=None, metavar="MAP.yaml",
                        help="YAML file mapping headers to canonical columns")
    parser.add_argument("--county-code", default=None,
                        help="county code, for a file without a county-code column")
    parser.add_argument("--county-name", default=None,
                        help="county name, for a file whose title row does not give it")
    parser.add_argument("--allow", action="append", default=None, metavar="RULE",
                        help="plausibility rule to waive (repeatable)")


def register_cli(subparsers) -> None:
    """Add ``validate FILE... [--kind ...] [--sheet NAME] [--columns MAP.yaml] ...``.

    Parameters
    ----------
    subparsers : argparse subparsers action
        What ``ArgumentParser.add_subparsers()`` returned for ``edubalance``.
    """
    parser = subparsers.add_parser(
        "validate", help="check school, county or teacher-roster files and list every problem",
        description="Load each file as the loaders would and print every problem found "
                    "(file, sheet, row, column, value, school id), or, for a good file, the "
                    "load report: sheets read, unit conversions, dropped rows, ignored "
                    "columns. Exit code 1 if any file has problems.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--kind", choices=KINDS + ("auto",), default="auto",
                        help="what the files hold (default: guess from the headers)")
    add_loader_options(parser)
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--include-hidden", action="store_true",
                        help="read rows hidden or filtered out in Excel (default: excluded and "
                             "listed)")
    parser.add_argument("--max-problems", type=int, default=MAX_PROBLEMS,
                        help=f"problems listed per file (default {MAX_PROBLEMS})")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the answer (default zh, as the reports)")
    parser.set_defaults(func=_cli_validate)


# The summary lines of `edubalance validate`, in English; the CLI passes the message
# catalogue's texts in the user's language instead (``say``; report/messages/validate.yaml
# holds the same keys in Chinese and English).
VALIDATE_MESSAGES = {
    "validate.ok": "{file}: OK: {rows} rows ({kind}{where})",
    "validate.kind.schools": "schools",
    "validate.kind.counties": "counties",
    "validate.kind.teachers": "teachers",
    "validate.in_sheet": ", sheet '{sheet}'",
    "validate.failed": "{file}: FAILED: {count}",
    "validate.problems_one": "1 problem",
    "validate.problems_many": "{n} problems",
    "validate.unreadable": "{file}: FAILED: could not read ({error})",
    "validate.more": "... and {n} more",
    "validate.files_ok": "{ok} of {total} file(s) OK",
    "validate.note": "note: {note}",
    "validate.sheet": "sheet '{sheet}'",
    "validate.row": "row {row}",
    "validate.column": "column '{column}'",
    "validate.school": "school {school}",
    "validate.value": " (value {value})",
    "validate.where": "{where}: {message}",
    "validate.list_sep": ", ",
    "validate.sheets_read": "sheets read: {sheets}",
    "validate.sheet_not_read": "sheet '{sheet}' not read: {reason}",
    "validate.converted": "converted: {what}",
    "validate.dropped.blank": "dropped {n} blank row(s): {where}rows {rows}",
    "validate.dropped.totals": "dropped {n} totals row(s): {where}rows {rows}",
    "validate.dropped.note": "dropped {n} note or footer row(s): {where}rows {rows}",
    "validate.dropped.hidden": "left out {n} hidden or filtered row(s): {where}rows {rows}",
    "validate.dropped.other": "dropped {n} {reason} row(s): {where}rows {rows}",
    "validate.dropped_sheet": "sheet '{sheet}' ",
    "validate.ignored": "ignored columns: {columns}",
    "validate.fact": "{name} = {value}",
    "validate.waived": "plausibility rules waived: {rules}",
    # The most frequent problem messages and notes, by pattern (the English texts are the
    # loader's own words; anything not matched is shown as the loader wrote it).
    "validate.msg.negative": "negative value",
    "validate.msg.not_number": "not a number",
    "validate.msg.not_whole": "count is not a whole number",
    "validate.msg.blank_count": "blank count (a blank is an error, not zero: enter 0 if there "
                                "are none)",
    "validate.msg.blank_value": "blank value (required)",
    "validate.msg.blank_required": "blank {column} (required)",
    "validate.msg.unknown_value": "unknown {column} (expected one of {expected})",
    "validate.note.encoding": "read as {encoding} text",
    "validate.note.taken_title": "{name} = {value} taken from the title row",
    "validate.note.taken_argument": "{name} = {value} taken from the argument",
    "validate.note.ignored": "ignored column(s) not used for {kind}: {columns}",
    "validate.note.dropped_totals": "dropped {n} totals row(s) (合计/总计/小计): rows {rows}",
    "validate.note.dropped_blank": "dropped {n} blank row(s): rows {rows}",
    "validate.note.dropped_note": "dropped {n} note or footer row(s) (注/填表人/审核人): rows "
                                  "{rows}",
    "validate.note.unit": "column '{header}' ({column}) in {unit}: multiplied by {factor} to "
                          "{target}",
}

_PATTERNS = [(re.compile(pattern), key) for pattern, key in (
    (r"^negative value$", "validate.msg.negative"),
    (r"^not a number$", "validate.msg.not_number"),
    (r"^count is not a whole number$", "validate.msg.not_whole"),
    (r"^blank count \(a blank is an error, not zero: enter 0 if there are none\)$",
     "validate.msg.blank_count"),
    (r"^blank value \(required\)$", "validate.msg.blank_value"),
    (r"^blank (?P<column>\w+) \(required\)$", "validate.msg.blank_required"),
    (r"^unknown (?P<column>\w+) \(expected one of (?P<expected>.+)\)$",
     "validate.msg.unknown_value"),
    (r"^read as (?P<encoding>\S+) text$", "validate.note.encoding"),
    (r"^(?P<name>\w+) = (?P<value>.+) taken from the title row$", "validate.note.taken_title"),
    (r"^(?P<name>\w+) = (?P<value>.+) taken from the argument$",
     "validate.note.taken_argument"),
    (r"^ignored column\(s\) not used for (?P<kind>\w+): (?P<columns>.+)$",
     "validate.note.ignored"),
    (r"^dropped (?P<n>\d+) totals row\(s\) \(合计/总计/小计\): rows (?P<rows>.+)$",
     "validate.note.dropped_totals"),
    (r"^dropped (?P<n>\d+) blank row\(s\): rows (?P<rows>.+)$", "validate.note.dropped_blank"),
    (r"^dropped (?P<n>\d+) note or footer row\(s\) \(注/填表人/审核人\): rows (?P<rows>.+)$",
     "validate.note.dropped_note"),
    (r"^column '(?P<header>.+)' \((?P<column>\w+)\) in (?P<unit>\S+): multiplied by "
     r"(?P<factor>\S+) to (?P<target>\S+)$", "validate.note.unit"),
)]


def _words(message: str, say) -> str:
    """A loader message in the language of ``say`` where it is one of :data:`_PATTERNS`."""
    for pattern, key in _PATTERNS:
        found = pattern.match(message)
        if found:
            return say(key, **found.groupdict()) if found.groupdict() else say(key)
    return message


def _english(key: str, **values) -> str:
    return VALIDATE_MESSAGES[key].format(**values)


def describe_problem(problem: Problem, say=None, *, sheet: bool = False) -> str:
    """One problem as ``edubalance validate`` prints it, in the language of ``say``.

    Parameters
    ----------
    problem : Problem
    say : callable, optional
        ``say(key, **values) -> str`` for the keys of :data:`VALIDATE_MESSAGES` (default:
        English; the CLI passes the message catalogue in the user's language).
    sheet : bool
        Name the sheet too (when a file's problems lie in several sheets).

    Examples
    --------
    >>> print(describe_problem(Problem("a.csv", "negative value", row=3, column="books",
    ...                                value=-5, school_id="001")))
    row 3, column 'books', school 001: negative value (value '-5')
    """
    say = say or _english
    parts = []
    if sheet and problem.sheet:
        parts.append(say("validate.sheet", sheet=problem.sheet))
    if problem.row is not None:
        parts.append(say("validate.row", row=problem.row))
    if problem.column:
        shown = problem.column if not problem.header or problem.header == problem.column \
            else f"{problem.header} ({problem.column})"
        parts.append(say("validate.column", column=shown))
    if problem.school_id:
        parts.append(say("validate.school", school=problem.school_id))
    text = _words(problem.message, say)
    if problem.value is not None:
        shown_value = str(problem.value)
        shown_value = shown_value if len(shown_value) <= 60 else shown_value[:57] + "..."
        text += say("validate.value", value=repr(shown_value))
    where = say("validate.list_sep").join(parts)
    return say("validate.where", where=where, message=text) if where else text


def load_report_lines(report: LoadReport, say=None) -> list[str]:
    """The load report's lines as ``edubalance validate`` prints them (without file names).

    Parameters
    ----------
    report : LoadReport
        The report (``LoadReport.from_dict(frame.attrs["load_report"])``).
    say : callable, optional
        ``say(key, **values)`` giving a message of ``messages/*.yaml`` in the user's language;
        English by default.

    Returns
    -------
    list of str

    Examples
    --------
    >>> report = LoadReport(source="a.xlsx", kind="schools", rows=13,
    ...                     dropped_rows=(("学校", "totals", (20,)),))
    >>> load_report_lines(report)
    ["dropped 1 totals row(s): sheet '学校' rows 20"]
    """
    import numpy as np

    from .clean import rows_text

    say = say or _english
    sep = say("validate.list_sep")
    out = []
    if len(report.sheets) > 1:
        out.append(say("validate.sheets_read", sheets=sep.join(report.sheets)))
    for name, reason in report.skipped_sheets:
        out.append(say("validate.sheet_not_read", sheet=name, reason=reason))
    out += [say("validate.converted", what=_words(c.split(": ", 1)[-1], say)) for c in report.conversions]
    for sheet, reason, lines, *texts in report.dropped_rows:
        key = f"validate.dropped.{reason}" if reason in ("blank", "totals", "note", "hidden") \
            else "validate.dropped.other"
        shown = [f"{line} ({text})" if text else str(line)
                 for line, text in zip(lines, (texts[0] if texts else ()), strict=False)]
        rows = (", ".join(shown[:8]) + (f" … +{len(lines) - 8}" if len(lines) > 8 else "")
                if shown else rows_text(np.asarray(lines)))
        out.append(say(key, n=len(lines), reason=reason, rows=rows,
                       where=say("validate.dropped_sheet", sheet=sheet) if sheet else ""))
    if report.ignored_columns:
        out.append(say("validate.ignored", columns=sep.join(report.ignored_columns)))
    for key, value in report.facts:
        out.append(say("validate.fact", name=key, value=value))
    if report.allowed:
        out.append(say("validate.waived", rules=sep.join(report.allowed)))
    return out


def check_files(files, kind: str = "auto", sheet: str | None = None, *, say=None,
                out=print, max_problems: int = MAX_PROBLEMS,
                **options) -> dict[str, pd.DataFrame | None]:
    r"""Load each file as ``edubalance validate`` does and print what it found.

    Parameters
    ----------
    files : list of paths
    kind, sheet, max_problems, **options
        As :func:`load_table` (``columns``, ``county_code``, ``county_name``, ``year``,
        ``allow``).
    say : callable, optional
        ``say(key, **values)`` for the texts (default English, :data:`VALIDATE_MESSAGES`).
    out : callable
        Where each line goes (default ``print``).

    Returns
    -------
    dict
        File name -> the loaded DataFrame, or None for a file with problems.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = path.write_text("county_code,county_name,year\n640202,大武口区,2017\n")
    >>> frames = check_files([path], out=lambda line: None)
    >>> len(frames[str(path)])
    1
    """
    say = say or _english
    frames: dict[str, pd.DataFrame | None] = {}
    for name in map(str, files):
        frames[name] = None
        try:
            frame = load_table(Path(name), kind, sheet, max_problems=max_problems, **options)
        except DataError as error:
            count = say("validate.problems_one") if error.total == 1 \
                else say("validate.problems_many", n=error.total)
            out(say("validate.failed", file=name, count=count))
            several = len({p.sheet for p in error.problems}) > 1
            for problem in error.problems:
                out(f"  - {describe_problem(problem, say, sheet=several)}")
            if error.total > len(error.problems):
                out("  " + say("validate.more", n=error.total - len(error.problems)))
            continue
        except Exception as error:  # never a traceback for a bad file
            out(say("validate.unreadable", file=name, error=f"{type(error).__name__}: {error}"))
            continue
        frames[name] = frame
        source = frame.attrs.get("source", name)
        kind_key = f"validate.kind.{frame.attrs['kind']}"
        sheet_name = source.split(", sheet ", 1)[1].strip("'") if ", sheet " in source else None
        out(say("validate.ok", file=name, rows=len(frame),
                kind=say(kind_key) if kind_key in VALIDATE_MESSAGES else frame.attrs["kind"],
                where=say("validate.in_sheet", sheet=sheet_name) if sheet_name else ""))
        report = LoadReport.from_dict(frame.attrs["load_report"])
        for line in load_report_lines(report, say):
            out(f"  {line}")
        for note in report.notes:
            out("  " + say("validate.note", note=_words(note.split(": ", 1)[1], say)))
    if len(frames) > 1:
        ok = sum(frame is not None for frame in frames.values())
        out(say("validate.files_ok", ok=ok, total=len(frames)))
    return frames


def _cli_validate(args) -> int:
    if args.max_problems < 1:
        raise ValueError("--max-problems must be at least 1")
    options = dict(columns=getattr(args, "columns", None),
                   county_code=getattr(args, "county_code", None),
                   county_name=getattr(args, "county_name", None),
                   year=getattr(args, "year", None), allow=getattr(args, "allow", None),
                   include_hidden=getattr(args, "include_hidden", False))
    # ``args.say``: the message catalogue in the --lang language, set by edubalance.cli (the
    # catalogue lives in a higher layer than this module).
    frames = check_files(args.files, args.kind, args.sheet, say=getattr(args, "say", None),
                         max_problems=args.max_problems, **options)
    return 1 if any(frame is None for frame in frames.values()) else 0
