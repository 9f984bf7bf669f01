"""Load, clean and validate school, county and teacher-roster files.

Files arrive as CSV (UTF-8, UTF-8 with BOM, GBK, GB18030, UTF-16 with BOM), Excel ``.xlsx``
(official forms with Chinese headers, title rows above the header, header rows that span two
lines) or Parquet. Every loader returns a DataFrame with canonical columns
(:mod:`edubalance.schema`), keeps the file's row order, keeps ``county_code`` and ``school_id``
as strings (leading zeros intact), and either succeeds completely or raises :class:`DataError`
listing every problem found (up to ``max_problems``), each naming file, sheet, row (as a
spreadsheet shows it: the header is line 1, so with a two-row header data start on line 3),
column, value and school id.

What is cleaned (and reported in the ``edubalance.data`` log and in
``df.attrs["cleaning_log"]``): surrounding spaces, full-width digits and punctuation
(``１２３``, ``，``, ``．``), thousands separators (``1,234``), blank rows, totals rows
(合计 / 总计 / 小计 in an id or name column), and blank counts of a school section that does
not exist for the school's type (the junior enrolment of a primary school is 0). Everything
else that is wrong is an error, never silently repaired: a blank required count is not zero.

Why hand-written checks rather than pandera
-------------------------------------------
pandera is not a dependency, and it would not save much here: (1) messages must name rows as
the spreadsheet shows them (title rows, one- or two-row headers, dropped totals rows), so
pandera's failure cases would have to be re-mapped anyway; (2) most checks are cross-column
and depend on the school type (a blank junior count is fine for a primary school, an error for
a junior school); (3) users sit behind slow networks, so every dependency counts. The checks
below are vectorised boolean masks over whole columns; Python only loops over the (capped)
list of problems to format them.

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

import csv
import io
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import schema

__all__ = [
    "DataError", "Problem", "MAX_PROBLEMS", "KINDS", "load_schools", "load_counties",
    "load_teachers", "load_table", "register_cli", "normalise_header", "write_school_form",
    "read_table",
]

logger = logging.getLogger("edubalance.data")

MAX_PROBLEMS = 50
"""Default cap on the problems a :class:`DataError` lists (the rest are counted)."""

KINDS = ("schools", "counties", "teachers")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
_HEADER_SEARCH_ROWS = 10  # title rows an official form may carry above its header
_TOTALS_PATTERN = r"合\s*计|总\s*计|小\s*计"
# Encodings accepted from charset-normalizer's guess (UTF-16 only with its BOM: without one,
# almost any even-length junk "decodes").
_CHINESE_FALLBACK_ENCODINGS = ("big5", "big5hkscs", "cp950")

# Full-width digits and the punctuation that appears in numbers; str.translate is vectorised
# by pandas and much cheaper than NFKC on every cell.
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)},
                             "，": ",", "．": ".", "－": "-", "＋": "+", "\u3000": " ",
                             "。": "."})
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_SPACES = " \t\r\n\u3000\u00a0\ufeff"

SCHOOL_TYPE_LABELS = {"primary": "小学", "junior": "初中", "nine_year": "九年一贯制学校",
                      "complete_middle": "完全中学", "twelve_year": "十二年一贯制学校"}
URBAN_RURAL_LABELS = {"urban": "城区", "town": "镇区", "rural": "乡村"}
# Section columns and the school types that have that section.
_SECTION_TYPES = {
    "primary": {"primary", "nine_year", "twelve_year"},
    "junior": {"junior", "nine_year", "complete_middle", "twelve_year"},
    "senior": {"complete_middle", "twelve_year"},
}
_SECTION_COLUMNS = {
    "students_primary": "primary", "classes_primary": "primary",
    "students_junior": "junior", "classes_junior": "junior",
    "students_senior": "senior", "classes_senior": "senior",
}
_TEACHER_SUBCOUNTS = ["teachers_above_degree", "teachers_mid_title", "teachers_backbone",
                      "teachers_pe_arts"]
ROSTER_ID_COLUMNS = ["county_code", "county_name", "year", "school_id", "school_name"]
ROSTER_REQUIRED = ["school_id", "姓名", "出生年月", "学历", "职称", "任职岗位"]


# --------------------------------------------------------------------------------------------
# Problems and the error that carries them
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the line as a spreadsheet shows it (header = line 1), ``column`` the canonical
    column name and ``header`` the column's header as written in the file.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: Any = None
    school_id: str | None = None

    def location(self, with_file: bool = True) -> str:
        parts = []
        if with_file:
            parts.append(self.file)
            if self.sheet:
                parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            shown = self.column if not self.header or self.header == self.column \
                else f"{self.header} ({self.column})"
            parts.append(f"column '{shown}'")
        if self.school_id:
            parts.append(f"school {self.school_id}")
        return ", ".join(parts)

    def describe(self, with_file: bool = True) -> str:
        where = self.location(with_file)
        value = "" if self.value is None else f" (value {_show(self.value)})"
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"

    def __str__(self) -> str:
        return self.describe()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


class DataError(ValueError):
    """An input file cannot be used; ``.problems`` lists what is wrong (structured).

    ``str(error)`` names the file (and sheet) once, then one line per problem, then
    "... and N more" when more than the listed problems were found.
    """

    def __init__(self, problems: Sequence[Problem], total: int | None = None):
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        super().__init__(self.format())

    def format(self) -> str:
        if not self.problems:
            return "invalid data"
        first = self.problems[0]
        head = first.file + (f", sheet '{first.sheet}'" if first.sheet else "")
        same_place = all(p.file == first.file and p.sheet == first.sheet for p in self.problems)
        count = f"{self.total} problem{'s' if self.total != 1 else ''}"
        lines = [f"{head}: {count}" if same_place else count]
        lines += [f"  - {p.describe(with_file=not same_place)}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)


class _Collector:
    """Gathers problems from boolean masks, up to a cap, counting the rest."""

    def __init__(self, file: str, sheet: str | None, cap: int):
        self.file, self.sheet, self.cap = file, sheet, cap
        self.items: list[Problem] = []
        self.total = 0
        self.lines = np.empty(0, dtype=np.int64)
        self.school_ids: np.ndarray | None = None
        self.headers: dict[str, str] = {}

    def bind(self, frame: pd.DataFrame, id_column: str | None = "school_id") -> None:
        self.lines = np.asarray(frame.index, dtype=np.int64)
        self.school_ids = None
        if id_column and id_column in frame:
            self.school_ids = frame[id_column].fillna("").astype(str).to_numpy()

    def add(self, message: str, **fields) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(Problem(self.file, message, sheet=self.sheet, **fields))

    def add_mask(self, mask, column: str | None, message: str | Callable[[np.ndarray], list],
                 values=None) -> None:
        """Add one problem per True in ``mask`` (positions into the bound frame)."""
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        self.total += len(hits)
        hits = hits[:max(self.cap - len(self.items), 0)]
        if not len(hits):
            return
        messages = [message] * len(hits) if isinstance(message, str) else message(hits)
        shown = None if values is None else np.asarray(values, dtype=object)[hits]
        for k, position in enumerate(hits):
            school = self.school_ids[position] if self.school_ids is not None else None
            self.items.append(Problem(
                self.file, messages[k], sheet=self.sheet, row=int(self.lines[position]),
                column=column, header=self.headers.get(column, column) if column else None,
                value=None if shown is None else shown[k], school_id=school or None))

    def raise_if_any(self) -> None:
        if self.total:
            ordered = sorted(self.items, key=lambda p: (p.row or 0))
            raise DataError(ordered, self.total)


def _fail(file: str, message: str, sheet: str | None = None, **fields) -> DataError:
    return DataError([Problem(file, message, sheet=sheet, **fields)])


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------
def normalise_header(text: Any) -> str:
    """Header text as compared with the aliases: NFKC, no spaces, lower case.

    >>> normalise_header(" 县（市、区） ")
    '县(市、区)'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _alias_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, aliases in schema.SCHOOL_HEADER_ALIASES.items():
        for alias in (canonical, *aliases):
            lookup[normalise_header(alias)] = canonical
    for column in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS:
        lookup[normalise_header(column)] = column
    for column in schema.ROSTER_COLUMNS:
        lookup[normalise_header(column)] = column
    lookup.update({normalise_header(k): v for k, v in {
        "序号": "序号", "出生日期": "出生年月", "出生年月日": "出生年月", "最高学历": "学历",
        "第一学历": "学历_first", "专业技术职务": "职称", "职务": "任职岗位", "任教学科": "任职岗位",
        "岗位": "任职岗位", "name": "姓名"}.items()})
    return lookup


_LOOKUP = _alias_lookup()


def _canonical(header: str) -> str | None:
    key = normalise_header(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    # Units in brackets after a header: 专任教师数(人), 教学仪器设备值（万元） stays unknown
    # only if the stem is unknown too.
    stem = re.sub(r"\([^()]*\)$", "", key)
    return _LOOKUP.get(stem)


_TWO_ROW = {(normalise_header(u), normalise_header(lo)): c
            for (u, lo), c in schema.TWO_ROW_HEADER_ALIASES.items()}


def _name_columns(upper: list[str], lower: list[str] | None) -> list[tuple[str, str | None]]:
    """(label as in file, canonical or None) per column, for a one- or two-row header."""
    if lower is None:
        return [(u, _canonical(u)) for u in upper]
    filled, previous = [], ""
    for u, lo in zip(upper, lower):
        # A merged cell spanning sub-headers is blank after its first column.
        previous = u if u else (previous if lo else "")
        filled.append(previous)
    named = []
    for u, lo in zip(filled, lower):
        if u and lo:
            label = f"{u}/{lo}"
            canonical = (_TWO_ROW.get((normalise_header(u), normalise_header(lo)))
                         or _canonical(u + lo) or _canonical(lo + u))
        else:
            label = u or lo
            canonical = _canonical(label)
        named.append((label, canonical))
    return named


def _score(named: list[tuple[str, str | None]]) -> int:
    return len({c for _, c in named if c})


def _locate_header(grid: list[list[str]]) -> tuple[int, int, list[tuple[str, str | None]]]:
    """Find the header among the first rows: (first header row, header rows, column names)."""
    best = (0, 1, _name_columns(grid[0], None)) if grid else (0, 1, [])
    best_score = _score(best[2])
    for r in range(min(_HEADER_SEARCH_ROWS, len(grid))):
        single = _name_columns(grid[r], None)
        if _score(single) > best_score:
            best, best_score = (r, 1, single), _score(single)
        if r + 1 < len(grid):
            double = _name_columns(grid[r], grid[r + 1])
            if _score(double) > max(best_score, _score(single)):
                best, best_score = (r, 2, double), _score(double)
    return best


# --------------------------------------------------------------------------------------------
# Reading files into a grid of text cells
# --------------------------------------------------------------------------------------------
@dataclass
class _Raw:
    frame: pd.DataFrame        # columns = canonical name (or file label); index = file line
    labels: dict[str, str]     # canonical/kept name -> header as in the file
    header_line: int           # last header line (1-based)
    sheet: str | None
    fmt: str
    ignored: list[str]
    notes: list[str]


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    return "text"


_WHAT = {"zip": "an Excel workbook (.xlsx)", "parquet": "a Parquet file",
         "ole": "an old Excel 97-2003 workbook (.xls)", "text": "plain text (CSV)"}


def _decode(raw: bytes, file: str) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        # GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    guess = from_bytes(raw[:200_000]).best()
    if guess is not None and guess.encoding in _CHINESE_FALLBACK_ENCODINGS:
        try:
            return raw.decode(guess.encoding), guess.encoding
        except UnicodeDecodeError:
            pass
    detail = f" (best guess {guess.encoding}, not an encoding of Chinese text)" if guess else ""
    raise _fail(file, "unreadable text encoding: not UTF-8, GBK or GB18030" + detail
                + "; save the file as CSV UTF-8")


def _read_csv_grid(path: Path, file: str) -> tuple[list[list[str]], pd.DataFrame, list[str]]:
    raw = path.read_bytes()
    text, encoding = _decode(raw, file)
    if "\x00" in text:
        raise _fail(file, "contains binary data (NUL bytes), not CSV text")
    if not text.strip(_SPACES):
        raise _fail(file, "file is empty")
    first = next(line for line in text.splitlines() if line.strip(_SPACES))
    sep = max([",", "\t", ";"], key=first.count) if any(c in first for c in ",\t;") else ","
    notes = [] if encoding in ("utf-8", "utf-8-sig") else [f"read as {encoding.upper()} text"]
    options = dict(header=None, dtype=str, keep_default_na=False, skip_blank_lines=False,
                   sep=sep)
    try:
        frame = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:
        # Rows of different lengths (title rows above the header): size the table to the
        # longest row instead.
        width = max(len(row) for row in csv.reader(io.StringIO(text), delimiter=sep))
        try:
            frame = pd.read_csv(io.StringIO(text), names=range(width), **options)
        except pd.errors.ParserError as error:
            raise _fail(file, f"not a readable CSV table: {error}") from None
    frame = frame.fillna("")
    head = frame.iloc[:_HEADER_SEARCH_ROWS + 1].astype(str).to_numpy().tolist()
    return head, frame, notes


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _read_excel_grid(path: Path, file: str, sheet: str | None, kind: str
                     ) -> tuple[list[list[str]], pd.DataFrame, str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException, ...
        raise _fail(file, f"not a readable Excel workbook ({type(error).__name__}: {error})") \
            from None
    try:
        names = book.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise _fail(file, f"no sheet named '{sheet}' (sheets: {', '.join(names)})")
            chosen = sheet
        else:
            chosen = _choose_sheet(book, names, kind)
        rows = [[_cell_text(v) for v in row] for row in book[chosen].iter_rows(values_only=True)]
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    while rows and not any(c.strip(_SPACES) for c in rows[-1]):
        rows.pop()
    if not rows:
        raise _fail(file, "sheet is empty", sheet=chosen)
    frame = pd.DataFrame(rows, dtype=str)
    return rows[:_HEADER_SEARCH_ROWS + 1], frame, chosen


def _choose_sheet(book, names: list[str], kind: str) -> str:
    """The first sheet whose header has every required column; else the best-matching one."""
    best, best_score = names[0], -1
    for name in names:
        head = [[_cell_text(v) for v in row]
                for row in book[name].iter_rows(max_row=_HEADER_SEARCH_ROWS + 1,
                                                values_only=True)]
        if not head:
            continue
        width = max(len(r) for r in head)
        head = [r + [""] * (width - len(r)) for r in head]
        _, _, named = _locate_header(head)
        found = {c for _, c in named if c}
        if not _missing_required(found, kind):
            return name
        if len(found) > best_score:
            best, best_score = name, len(found)
    return best


def _required(kind: str) -> list[str]:
    return {"schools": schema.SCHOOL_COLUMNS, "counties": schema.COUNTY_KEY_COLUMNS,
            "teachers": ROSTER_REQUIRED}.get(kind, schema.COUNTY_KEY_COLUMNS)


def _missing_required(found: Iterable[str], kind: str) -> list[str]:
    found = set(found)
    if kind == "auto":
        return [] if any(not _missing_required(found, k) for k in KINDS) else ["?"]
    return [c for c in _required(kind) if c not in found]


def _read_raw(path: Path, kind: str, sheet: str | None) -> _Raw:
    file = path.name
    if not path.exists():
        raise _fail(str(path), "file not found")
    if path.is_dir():
        raise _fail(str(path), "is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _fail(file, "old Excel 97-2003 .xls workbooks are not supported; "
                          "save it as .xlsx (Excel workbook)")
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES:
        raise _fail(file, f"unsupported file type '{suffix or '(none)'}': use .csv, .xlsx "
                          "or .parquet")
    if path.stat().st_size == 0:
        raise _fail(file, "file is empty")
    with path.open("rb") as handle:
        content = _sniff(handle.read(8))
    expected = "text" if suffix in CSV_SUFFIXES else "zip" if suffix in EXCEL_SUFFIXES \
        else "parquet"
    if content != expected:
        raise _fail(file, f"the file is named '{suffix}' but its content is {_WHAT[content]}, "
                          f"not {_WHAT[expected]}; rename or re-save it")
    notes: list[str] = []
    if sheet is not None and expected != "zip":
        notes.append(f"sheet '{sheet}' ignored: a {suffix} file has no sheets")
        sheet = None
    if expected == "parquet":
        raw = _read_parquet(path, file)
        raw.notes[:0] = notes
        return raw
    if expected == "zip":
        head, grid, chosen = _read_excel_grid(path, file, sheet, kind)
    else:
        head, grid, csv_notes = _read_csv_grid(path, file)
        notes += csv_notes
        chosen = None
    start, n_header, named = _locate_header(head)
    data_start = start + n_header
    frame = grid.iloc[data_start:].set_axis(
        pd.RangeIndex(data_start + 1, data_start + 1 + len(grid) - data_start, name="line"))
    return _label_columns(frame, named, file, chosen, data_start, "xlsx" if chosen else "csv",
                          notes)


def _read_parquet(path: Path, file: str) -> _Raw:
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several kinds for corrupt files
        raise _fail(file, f"not a readable Parquet file ({type(error).__name__}: {error})") \
            from None
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="line")  # as if exported with a header
    named = [(str(c), _canonical(str(c))) for c in frame.columns]
    return _label_columns(frame, named, file, None, 1, "parquet", [])


def _label_columns(frame: pd.DataFrame, named, file, sheet, header_line, fmt, notes) -> _Raw:
    columns, labels, seen, ignored = [], {}, {}, []
    problems = _Collector(file, sheet, MAX_PROBLEMS)
    for position, (label, canonical) in enumerate(named):
        label = str(label).strip(_SPACES)
        name = canonical or label or f"(blank header, column {position + 1})"
        if name in seen:
            if canonical:
                problems.add(f"two columns give '{canonical}': '{seen[name]}' and '{label}'",
                             row=header_line, column=canonical, header=label)
            name = f"{name}#{position + 1}"
            ignored.append(label)
        seen.setdefault(name, label)
        columns.append(name)
        labels[name] = label
    problems.raise_if_any()
    frame = frame.set_axis(columns, axis=1)
    return _Raw(frame, labels, header_line, sheet, fmt, ignored, notes)


# --------------------------------------------------------------------------------------------
# Cleaning (vectorised, every change noted)
# --------------------------------------------------------------------------------------------
def _rows_text(lines: np.ndarray, limit: int = 8) -> str:
    shown = ", ".join(str(int(x)) for x in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def _is_text(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series))


def _strip_cells(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    changed = 0
    stripped = {}
    for column in frame.columns:
        series = frame[column]
        if not _is_text(series):
            continue
        text = series.fillna("").astype(str)
        clean = text.str.strip(_SPACES)
        changed += int((clean != text).sum())
        stripped[column] = clean
    if stripped:
        frame = frame.assign(**stripped)
    if changed:
        notes.append(f"removed surrounding spaces in {changed} cell(s)")
    return frame


def _blank_mask(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    blank = pd.Series(True, index=frame.index)
    for column in columns:
        series = frame[column]
        if _is_text(series):
            blank &= series.isna() | (series.astype(str) == "")
        else:
            blank &= series.isna()
    return blank


def _drop_blank_and_totals(frame: pd.DataFrame, kept: Sequence[str], notes: list[str],
                           id_columns: Sequence[str]) -> pd.DataFrame:
    blank = _blank_mask(frame, kept) if len(kept) else pd.Series(False, index=frame.index)
    if blank.any():
        notes.append(f"dropped {int(blank.sum())} blank row(s): rows "
                     f"{_rows_text(frame.index[blank].to_numpy())}")
    totals = pd.Series(False, index=frame.index)
    for column in [c for c in id_columns if c in frame] + [frame.columns[0]]:
        if _is_text(frame[column]):
            totals |= frame[column].astype(str).str.contains(_TOTALS_PATTERN, regex=True)
    totals &= ~blank
    if totals.any():
        notes.append(f"dropped {int(totals.sum())} totals row(s) (合计/总计/小计): rows "
                     f"{_rows_text(frame.index[totals].to_numpy())}")
    return frame[~(blank | totals)]


def _parse_numbers(series: pd.Series, column: str, label: str, notes: list[str]
                   ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from text cells: (values as float, blank mask, not-a-number mask)."""
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype("float64")
        return values, values.isna(), pd.Series(False, index=series.index) | ~np.isfinite(
            values.fillna(0))
    text = series.fillna("").astype(str)
    blank = text == ""
    values = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
    retry = values.isna() & ~blank
    if retry.any():
        sub = text[retry]
        normal = sub.str.translate(_FULL_WIDTH).str.strip(_SPACES)
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
                         f" cell(s): rows {_rows_text(sub.index[fixed_wide].to_numpy())}")
        if fixed_grouped.any():
            notes.append(f"column {shown}: removed thousands separators in "
                         f"{int(fixed_grouped.sum())} cell(s): rows "
                         f"{_rows_text(sub.index[fixed_grouped].to_numpy())}")
    bad = (values.isna() & ~blank) | np.isinf(values.fillna(0))
    return values, blank, bad


def _clean_ids(series: pd.Series, column: str, label: str, notes: list[str]) -> pd.Series:
    """Codes as text: full-width digits made ASCII; numbers stored as numbers made text."""
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if (whole % 1 == 0).all():
            series = series.astype("Int64")
    if not _is_text(series):
        notes.append(f"column '{label}' ({column}) stored as numbers: read as text "
                     "(leading zeros, if any, were already lost in the file)")
        return series.astype("string").fillna("").astype(str)
    text = series.fillna("").astype(str)
    ascii_text = text.str.translate(_FULL_WIDTH)
    changed = ascii_text != text
    if changed.any():
        notes.append(f"column '{label}' ({column}): converted full-width characters in "
                     f"{int(changed.sum())} cell(s): rows "
                     f"{_rows_text(text.index[changed].to_numpy())}")
    return ascii_text


def _map_vocabulary(series: pd.Series, aliases: dict[str, str], canonical: Sequence[str]
                    ) -> pd.Series:
    lookup = {normalise_header(k): v for k, v in aliases.items()}
    lookup.update({normalise_header(v): v for v in canonical})
    # Normalise each distinct value once: a column has a handful of types, many rows.
    codes, uniques = pd.factorize(series.fillna("").astype(str))
    mapped = np.array([lookup.get(normalise_header(u)) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=series.index).where(lambda m: m.notna(), np.nan)


# --------------------------------------------------------------------------------------------
# Validation per kind
# --------------------------------------------------------------------------------------------
def _check_columns(raw: _Raw, kind: str, problems: _Collector) -> list[str]:
    missing = _missing_required(raw.frame.columns, kind)
    if missing:
        aliases = schema.SCHOOL_HEADER_ALIASES
        shown = [f"{c} ({aliases[c][0]})" if c in aliases else c for c in missing]
        problems.add(f"missing required column{'s' if len(missing) > 1 else ''}: "
                     + ", ".join(shown), row=raw.header_line, column=", ".join(missing))
    return missing


def _check_blank_text(frame, columns, problems):
    for column in columns:
        if column in frame:
            problems.add_mask(frame[column].fillna("").astype(str) == "", column,
                              f"blank {column} (required)")


def _parse_year(frame: pd.DataFrame, problems: _Collector) -> pd.Series:
    series = frame["year"]
    if pd.api.types.is_numeric_dtype(series):
        bad = series.isna() | (series % 1 != 0)
        problems.add_mask(bad, "year", "year is not a whole number", series)
        return series.fillna(0).astype("int64")
    text = series.fillna("").astype(str).str.translate(_FULL_WIDTH).str.strip(_SPACES)
    digits = text.str.extract(r"^(\d{4})(?:\.0)?\s*(?:年|年度)?$", expand=False)
    bad = digits.isna() & (text != "")
    problems.add_mask(bad, "year", "year is not a four-digit year", series)
    return pd.to_numeric(digits, errors="coerce").fillna(0).astype("int64")


def _validate_schools(raw: _Raw, problems: _Collector, notes: list[str]) -> pd.DataFrame:
    _check_columns(raw, "schools", problems)
    wanted = [c for c in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS
              if c in raw.frame]
    unused = [raw.labels[c] for c in raw.frame.columns if c not in wanted]
    if unused:
        notes.append("ignored column(s) not used for schools: " + ", ".join(unused))
    frame = _strip_cells(raw.frame[wanted], notes)
    frame = _drop_blank_and_totals(frame, wanted, notes, ["school_id", "school_name",
                                                           "county_code", "county_name"])
    problems.bind(frame)
    for column in ("county_code", "school_id"):
        if column in frame:
            frame[column] = _clean_ids(frame[column], column, raw.labels[column], notes)
    problems.bind(frame)
    out = {}
    _check_blank_text(frame, ["county_code", "county_name", "school_id", "school_name",
                              "school_type", "urban_rural", "year"], problems)
    for column in ("county_code", "county_name", "school_id", "school_name", "prefecture"):
        if column in frame:
            out[column] = frame[column].fillna("").astype(str)
    if "year" in frame:
        out["year"] = _parse_year(frame, problems)
    vocabularies = {"school_type": (schema.SCHOOL_TYPE_ALIASES, schema.SCHOOL_TYPES,
                                    SCHOOL_TYPE_LABELS),
                    "urban_rural": (schema.URBAN_RURAL_ALIASES, schema.URBAN_RURAL,
                                    URBAN_RURAL_LABELS)}
    for column, (aliases, allowed, labels) in vocabularies.items():
        if column not in frame:
            continue
        mapped = _map_vocabulary(frame[column], aliases, allowed)
        unknown = mapped.isna() & (frame[column].fillna("").astype(str) != "")
        expected = ", ".join(f"{labels[v]}/{v}" for v in allowed)
        problems.add_mask(unknown, column, f"unknown {column} (expected one of {expected})",
                          frame[column])
        out[column] = mapped
    school_type = out.get("school_type", pd.Series(np.nan, index=frame.index, dtype=object))

    values, usable = {}, {}
    for column in schema.NUMERIC_SCHOOL_COLUMNS + ["students_senior", "classes_senior"]:
        if column not in frame:
            continue
        number, blank, bad = _parse_numbers(frame[column], column, raw.labels[column], notes)
        problems.add_mask(bad, column, "not a number", frame[column])
        section = _SECTION_COLUMNS.get(column)
        if section:
            applies = school_type.isin(_SECTION_TYPES[section])
            not_applicable = school_type.notna() & ~applies
            fill = blank & not_applicable
            if fill.any():
                notes.append(f"column '{raw.labels[column]}' ({column}): blank taken as 0 for "
                             f"{int(fill.sum())} school(s) without a {section} section: rows "
                             f"{_rows_text(frame.index[fill].to_numpy())}")
                number = number.mask(fill, 0.0)
            blank_error = blank & applies
        else:
            blank_error = blank
        problems.add_mask(blank_error, column,
                          "blank count (a blank is an error, not zero: enter 0 if there are "
                          "none)" if column in schema.COUNT_COLUMNS + ["students_senior",
                                                                      "classes_senior"]
                          else "blank value (required)")
        negative = number < 0
        problems.add_mask(negative, column, "negative value", frame[column])
        is_count = column not in schema.MEASURE_COLUMNS
        fraction = (number % 1 != 0) & number.notna() & ~negative if is_count else \
            pd.Series(False, index=frame.index)
        problems.add_mask(fraction, column, "count is not a whole number", frame[column])
        values[column] = number
        usable[column] = number.notna() & ~negative & ~fraction

    _check_school_consistency(frame, school_type, values, usable, problems, raw.labels)
    if {"county_code", "year", "school_id"} <= set(frame.columns) and "year" in out:
        _check_duplicates(out, frame, problems)

    problems.raise_if_any()
    result = pd.DataFrame(out, index=frame.index)
    for column, number in values.items():
        result[column] = number.astype("float64" if column in schema.MEASURE_COLUMNS
                                       else "int64")
    order = [c for c in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS if c in result]
    return result[order].reset_index(drop=True)


def _check_school_consistency(frame, school_type, values, usable, problems, labels) -> None:
    def total(columns):
        present = [c for c in columns if c in values]
        ok = pd.Series(True, index=frame.index)
        acc = pd.Series(0.0, index=frame.index)
        for c in present:
            ok &= usable[c]
            acc = acc + values[c].fillna(0)
        return acc, ok & bool(present)

    students, students_ok = total(["students_primary", "students_junior", "students_senior"])
    known = ["students_primary", "students_junior"]
    if all(c in values for c in known):
        problems.add_mask(students_ok & (students == 0), "students_primary",
                          "total enrolment is 0 (per-student indicators need students; "
                          "drop closed schools)", students)
    # Type against enrolment: a section that the school type does not have must be empty.
    for column, section in _SECTION_COLUMNS.items():
        if column not in values:
            continue
        wrong = usable[column] & (values[column] > 0) & school_type.notna() \
            & ~school_type.isin(_SECTION_TYPES[section])
        kinds = school_type.map(SCHOOL_TYPE_LABELS).fillna("")
        problems.add_mask(wrong, column, lambda hits, k=kinds.to_numpy(), s=section:
                          [f"a {k[h]} ({school_type.iloc[h]}) school has {s} "
                           f"{'students' if column.startswith('students') else 'classes'}"
                           for h in hits], frame[column])
    for section in ("primary", "junior", "senior"):
        s_col, c_col = f"students_{section}", f"classes_{section}"
        if s_col in values and c_col in values:
            both = usable[s_col] & usable[c_col]
            problems.add_mask(both & (values[s_col] > 0) & (values[c_col] == 0), c_col,
                              f"0 classes but {section} students enrolled", frame[c_col])
            problems.add_mask(both & (values[s_col] == 0) & (values[c_col] > 0), c_col,
                              f"{section} classes but no {section} students", frame[c_col])
    if "teachers" in values:
        teachers, ok = values["teachers"], usable["teachers"]
        problems.add_mask(
            ok & students_ok & (teachers > students) & (students > 0), "teachers",
            lambda hits: [f"more teachers ({int(teachers.iloc[h])}) than students "
                          f"({int(students.iloc[h])})" for h in hits], frame["teachers"])
        for column in _TEACHER_SUBCOUNTS:
            if column in values:
                over = ok & usable[column] & (values[column] > teachers)
                problems.add_mask(over, column, lambda hits, c=column: [
                    f"{c} ({int(values[c].iloc[h])}) exceeds teachers "
                    f"({int(teachers.iloc[h])})" for h in hits], frame[column])


def _check_duplicates(out, frame, problems) -> None:
    keys = pd.DataFrame({"county_code": out["county_code"], "year": out["year"],
                         "school_id": out["school_id"]})
    valid = keys["school_id"] != ""
    repeated = keys.duplicated(keep="first") & valid
    if not repeated.any():
        return
    lines = pd.Series(frame.index.to_numpy(), index=frame.index)
    first = lines.groupby([keys["county_code"], keys["year"], keys["school_id"]],
                          sort=False).transform("min")
    problems.add_mask(repeated, "school_id", lambda hits: [
        f"duplicate school id in county {keys['county_code'].iloc[h]}, year "
        f"{keys['year'].iloc[h]} (first on row {first.iloc[h]})" for h in hits],
        frame["school_id"])


def _validate_counties(raw: _Raw, problems: _Collector, notes: list[str]) -> pd.DataFrame:
    _check_columns(raw, "counties", problems)
    frame = _strip_cells(raw.frame, notes)
    blank_header = [c for c in frame.columns if c.startswith("(blank header")]
    frame = frame.drop(columns=blank_header)
    frame = _drop_blank_and_totals(frame, list(frame.columns), notes,
                                   ["county_code", "county_name"])
    problems.bind(frame, id_column=None)
    if "county_code" in frame:
        frame["county_code"] = _clean_ids(frame["county_code"], "county_code",
                                          raw.labels["county_code"], notes)
    _check_blank_text(frame, schema.COUNTY_KEY_COLUMNS, problems)
    out = {c: frame[c].fillna("").astype(str) for c in ("county_code", "county_name")
           if c in frame}
    if "year" in frame:
        out["year"] = _parse_year(frame, problems)
    for column in frame.columns:
        if column in schema.COUNTY_KEY_COLUMNS:
            continue
        scratch: list[str] = []
        number, blank, bad = _parse_numbers(frame[column], column, raw.labels[column], scratch)
        filled = int((~blank).sum())
        # "Numeric where numeric": a column is numeric when most of its filled cells are
        # numbers; the few that are not are then typing errors, reported as such.
        if filled and int(bad.sum()) <= filled / 2:
            notes.extend(scratch)
            problems.add_mask(bad, column, "not a number", frame[column])
            whole = number.notna().all() and bool((number % 1 == 0).all())
            out[column] = number.astype("int64") if whole else number
        else:
            out[column] = frame[column]
    if {"county_code", "year"} <= set(out):
        keys = pd.DataFrame({"county_code": out["county_code"], "year": out["year"]})
        repeated = keys.duplicated(keep="first") & (keys["county_code"] != "")
        problems.add_mask(repeated, "county_code", "duplicate county and year",
                          frame["county_code"])
    problems.raise_if_any()
    result = pd.DataFrame(out, index=frame.index)
    order = [c for c in schema.COUNTY_KEY_COLUMNS if c in result] + \
        [c for c in result.columns if c not in schema.COUNTY_KEY_COLUMNS]
    return result[order].reset_index(drop=True)


def _validate_teachers(raw: _Raw, problems: _Collector, notes: list[str]) -> pd.DataFrame:
    from . import roster

    _check_columns(raw, "teachers", problems)
    wanted = [c for c in ROSTER_ID_COLUMNS + schema.ROSTER_COLUMNS if c in raw.frame]
    unused = [raw.labels[c] for c in raw.frame.columns if c not in wanted and c != "序号"]
    if unused:
        notes.append("ignored column(s) not used for the roster: " + ", ".join(unused))
    frame = _strip_cells(raw.frame[wanted], notes)
    frame = _drop_blank_and_totals(frame, [c for c in wanted if c != "序号"], notes,
                                   ["school_id", "school_name", "姓名"])
    if "school_id" in frame:
        frame["school_id"] = _clean_ids(frame["school_id"], "school_id",
                                        raw.labels["school_id"], notes)
    if "county_code" in frame:
        frame["county_code"] = _clean_ids(frame["county_code"], "county_code",
                                          raw.labels["county_code"], notes)
    problems.bind(frame)
    _check_blank_text(frame, ["school_id", "姓名"], problems)
    out = {c: frame[c].fillna("").astype(str) for c in wanted if c != "year"}
    if "year" in frame:
        out["year"] = _parse_year(frame, problems)
    for column in schema.ROSTER_COLUMNS:
        out.setdefault(column, pd.Series("", index=frame.index))
    for column, message, mask in roster.roster_problems(pd.DataFrame(out, index=frame.index)):
        problems.add_mask(mask, column, message, frame[column] if column in frame else None)
    problems.raise_if_any()
    result = pd.DataFrame(out, index=frame.index)
    order = [c for c in ROSTER_ID_COLUMNS if c in result] + schema.ROSTER_COLUMNS
    return result[order].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------------
_VALIDATORS = {"schools": _validate_schools, "counties": _validate_counties,
               "teachers": _validate_teachers}


def _detect_kind(columns: Iterable[str]) -> str:
    columns = set(columns)
    if columns & {"姓名", "出生年月", "任职岗位", "职称", "学历"}:
        return "teachers"
    if "school_id" in columns or len(columns & set(schema.NUMERIC_SCHOOL_COLUMNS)) >= 5:
        return "schools"
    return "counties"


def load_table(path, kind: str = "auto", sheet: str | None = None, *,
               max_problems: int = MAX_PROBLEMS) -> pd.DataFrame:
    """Load a schools, counties or teacher-roster file; ``kind="auto"`` guesses from headers.

    The kind used is in ``df.attrs["kind"]``; cleaning notes in ``df.attrs["cleaning_log"]``.

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
    if kind not in KINDS + ("auto",):
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or auto, not {kind!r}")
    if not isinstance(max_problems, int) or max_problems < 1:
        raise ValueError(f"max_problems must be a positive integer, not {max_problems!r}")
    path = Path(path)
    raw = _read_raw(path, kind, sheet)
    kind = _detect_kind(raw.frame.columns) if kind == "auto" else kind
    if raw.frame.empty:
        raise _fail(path.name, "no data rows below the header", sheet=raw.sheet,
                    row=raw.header_line)
    problems = _Collector(path.name, raw.sheet, max_problems)
    problems.headers = raw.labels
    notes = list(raw.notes)
    frame = _VALIDATORS[kind](raw, problems, notes)
    if frame.empty:
        raise _fail(path.name, "no data rows (only blank or totals rows)", sheet=raw.sheet)
    where = path.name + (f", sheet '{raw.sheet}'" if raw.sheet else "")
    for note in notes:
        logger.info("%s: %s", where, note)
    frame.attrs["cleaning_log"] = [f"{where}: {note}" for note in notes]
    frame.attrs["source"] = where
    frame.attrs["kind"] = kind
    return frame


# Identifier columns that must stay text (leading zeros, 6-digit codes).
_ID_LIKE_COLUMN = re.compile(r"(^|_)(code|id)$|^county_name$|^school_name$|^prefecture$", re.I)


def read_table(path) -> pd.DataFrame:
    """Read any research table (CSV, Excel or Parquet, by extension) without validation.

    For tables that are not schools, counties or rosters (another country's data, a model
    panel); those go through :func:`load_table` and its checks. Id-like columns stay text.

    Columns named ``*_code`` or ``*_id`` (``county_code``, ``school_id``) are read as
    strings so that codes such as ``640104`` keep their exact form.

    Parameters
    ----------
    path : str or path
        ``.csv``/``.txt`` (UTF-8, with or without BOM), ``.xlsx``/``.xlsm``/``.xls`` (first
        sheet) or ``.parquet``/``.pq``.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = pd.DataFrame({"county_code": ["640104"], "y": [1.5]}).to_csv(target, index=False)
    >>> read_table(target)["county_code"].tolist()
    ['640104']
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        text = {c: str for c in header if _ID_LIKE_COLUMN.search(str(c))}
        return pd.read_csv(path, encoding="utf-8-sig", dtype=text)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        header = pd.read_excel(path, nrows=0).columns
        text = {c: str for c in header if _ID_LIKE_COLUMN.search(str(c))}
        return pd.read_excel(path, dtype=text)
    if suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
        for column in frame.columns:
            if _ID_LIKE_COLUMN.search(str(column)):
                values = frame[column]
                frame[column] = values.where(values.isna(), values.astype(str))
        return frame
    raise ValueError(f"cannot read {path.name}: unknown extension {suffix!r}, unsupported file "
                     "type (use .csv, .txt, .xlsx, .xls or .parquet)")


def load_schools(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS
                 ) -> pd.DataFrame:
    """Load and validate a schools file (CSV, ``.xlsx`` or Parquet) into canonical columns.

    Parameters
    ----------
    path : str or Path
    sheet : str, optional
        Excel sheet; by default the first sheet whose header has every required column.
    max_problems : int
        How many problems the :class:`DataError` lists (the rest are counted).

    Returns
    -------
    DataFrame
        ``schema.SCHOOL_COLUMNS`` (plus optional ``students_senior``, ``classes_senior``,
        ``prefecture`` when present) in the file's row order; codes as strings, counts as
        int64, areas and values as float64.

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
    return load_table(path, "schools", sheet, max_problems=max_problems)


def load_counties(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS
                  ) -> pd.DataFrame:
    """Load a counties file: ``county_code, county_name, year`` plus every other column.

    Other columns are kept, numeric where they are numeric (int64 when whole and complete,
    else float64 with NaN for blanks), as text otherwise. Examples: see the module docstring.
    """
    return load_table(path, "counties", sheet, max_problems=max_problems)


def load_teachers(path, sheet: str | None = None, *, max_problems: int = MAX_PROBLEMS
                  ) -> pd.DataFrame:
    """Load a teacher roster (表三 教职工花名册) with a school id column (学校代码).

    Returns ``school_id`` (and ``county_code, county_name, year, school_name`` when present)
    plus ``schema.ROSTER_COLUMNS`` as text; see :mod:`edubalance.roster` for the counts.
    """
    return load_table(path, "teachers", sheet, max_problems=max_problems)


# --------------------------------------------------------------------------------------------
# CLI: edubalance validate FILE...
# --------------------------------------------------------------------------------------------
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

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from edubalance.sample import generate
    >>> schools, _ = generate("province", seed=1, years=[2017])
    >>> one = schools[schools["county_name"] == "灵武市"]
    >>> path = write_school_form(one, pathlib.Path(tempfile.mkdtemp()) / "灵武市.xlsx", title="表一")
    >>> bool(load_schools(path)["teachers"].sum() == one["teachers"].sum())
    True
    """
    import openpyxl

    from .io.write import atomic_target, neutralise_formulas

    path = Path(path)
    columns = [c for c in schema.SCHOOL_COLUMNS + schema.OPTIONAL_SCHOOL_COLUMNS if c in schools]
    missing = [c for c in schema.SCHOOL_COLUMNS if c not in schools]
    if missing:
        raise ValueError(f"cannot write a school form without column(s): {', '.join(missing)}")
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


def register_cli(subparsers) -> None:
    """Add ``validate FILE... [--kind ...] [--sheet NAME]`` to the ``edubalance`` command."""
    parser = subparsers.add_parser(
        "validate", help="check school, county or teacher-roster files and list every problem",
        description="Load each file as the loaders would and print every problem found "
                    "(file, sheet, row, column, value, school id). Exit code 1 if any file "
                    "has problems.")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--kind", choices=KINDS + ("auto",), default="auto",
                        help="what the files hold (default: guess from the headers)")
    parser.add_argument("--sheet", default=None, help="Excel sheet to read")
    parser.add_argument("--max-problems", type=int, default=MAX_PROBLEMS,
                        help=f"problems listed per file (default {MAX_PROBLEMS})")
    parser.set_defaults(func=_cli_validate)


def _cli_validate(args) -> int:
    if args.max_problems < 1:
        raise ValueError("--max-problems must be at least 1")
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            frame = load_table(path, args.kind, args.sheet, max_problems=args.max_problems)
        except DataError as error:
            failed += 1
            print(f"{name}: FAILED: {error.total} problem{'s' if error.total != 1 else ''}")
            for problem in error.problems:
                print(f"  - {problem.describe(with_file=False)}")
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
        for note in frame.attrs.get("cleaning_log", []):
            print(f"  note: {note.split(': ', 1)[1]}")
    if len(args.files) > 1:
        print(f"{len(args.files) - failed} of {len(args.files)} file(s) OK")
    return 1 if failed else 0
