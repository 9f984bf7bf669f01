"""One decoder, sniffer and table reader for every table the package reads.

CSV (UTF-8, UTF-8 with BOM, GBK, GB18030, UTF-16 with BOM; comma, tab or semicolon), Excel
``.xlsx``/``.xlsm`` (streamed in read-only mode, every sheet considered, hidden sheets only
when named, a guard against sheets that declare millions of cells) and Parquet. A file whose
content does not match its extension is rejected as such.

:func:`read_raw` gives the validator raw tables with located headers (title rows, one- or
two-row headers, units in headers, line numbers as a spreadsheet shows them);
:func:`read_table` gives any research table as it is (no validation, id-like columns as text).

Examples
--------
>>> import tempfile, os
>>> target = os.path.join(tempfile.mkdtemp(), "t.csv")
>>> _ = pd.DataFrame({"county_code": ["040104"], "y": [1.5]}).to_csv(target, index=False)
>>> read_table(target)["county_code"].tolist()
['040104']
"""
from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError, Problem
from .headers import (
    HEADER_SEARCH_ROWS,
    locate_header,
    name_columns,
    normalise_header,
    title_facts,
    title_units,
)

__all__ = ["read_raw", "read_table", "RawTable", "RawFile", "CSV_SUFFIXES", "EXCEL_SUFFIXES",
           "PARQUET_SUFFIXES", "MAX_COLUMNS", "SPACES", "fail"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
MAX_COLUMNS = 512
"""Columns read from a sheet; cells further right are reported and ignored (a stray cell in
column XFD must not make the reader allocate a 16,384-column grid)."""
STREAM_BYTES = 128 * 2**20
"""CSV files larger than this are streamed from disk by pyarrow (memory ~ the table)."""
HEAD_BYTES = 2**20
"""Bytes decoded up front from a streamed file, to find its header and encoding."""
PROGRESS_BYTES = 64 * 2**20
"""CSV files at least this large are read in blocks with a progress bar (on a terminal)."""
SPACES = " \t\r\n\u3000\u00a0\ufeff"
_CHINESE_FALLBACK_ENCODINGS = ("big5", "big5hkscs", "cp950")
_TEXT_COLUMNS = {"county_code", "county_name", "school_id", "school_name", "school_type",
                 "urban_rural", "prefecture", schema.PARENT_SCHOOL_ID, *schema.ROSTER_COLUMNS}
_ID_LIKE_COLUMN = re.compile(r"(^|_)(code|id)$|^county_name$|^school_name$|^prefecture$", re.I)


def fail(file: str, message: str, sheet: str | None = None, **fields) -> DataError:
    """A :class:`~edubalance.errors.DataError` with one problem, for ``raise fail(...)``.

    Parameters
    ----------
    file : str
        The file's name.
    message : str
        What is wrong.
    sheet : str, optional
        The sheet.
    **fields
        Other :class:`~edubalance.errors.Problem` fields (``row``, ``column``...).

    Returns
    -------
    DataError
    """
    return DataError([Problem(file, message, sheet=sheet, **fields)])


@dataclass
class RawTable:
    """One table as read: columns named canonically where recognised, index = file line.

    Parameters
    ----------
    frame : DataFrame
        The cells as text, indexed by file line.
    labels : dict of str to str
        Column -> its header as written in the file.
    units : dict of str to str
        Column -> the unit written in its header.
    header_line : int
        The last header line (1-based).
    sheet : str or None
        The sheet read (None for CSV and Parquet).
    fmt : str
        The format read (``"csv"``, ``"xlsx"``, ``"xls"``, ``"parquet"``, ``"frame"``...).
    notes : list of str, optional
        What reading did, for the load report.
    title : dict, optional
        County and year found in the title rows (:func:`~edubalance.io.headers.title_facts`).
    numeric_ids : set of str, optional
        Id columns the file stored as numbers.
    formulas : dict, optional
        Column -> {line: formula} for cells holding a formula.
    unknown : list of str, optional
        Headers not recognised.
    unit_lines : dict of str to str, optional
        Column -> the unit line above the header its unit came from.
    hidden_rows : list of int, optional
        Lines hidden or filtered out in the workbook.
    head : list of list of str, optional
        The rows searched for the header.
    merged : list of (int, int, int, int), optional
        Merged cell ranges (first row, first column, last row, last column).
    given : set of str, optional
        Columns filled in from arguments or the title row, not read from the file.
    """

    frame: pd.DataFrame
    labels: dict[str, str]          # name -> header as in the file
    units: dict[str, str]           # name -> unit written in the header
    header_line: int                # last header line (1-based)
    sheet: str | None
    fmt: str
    notes: list[str] = field(default_factory=list)
    title: dict[str, Any] = field(default_factory=dict)
    numeric_ids: set[str] = field(default_factory=set)
    formulas: dict[str, dict[int, str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)   # headers not recognised
    unit_lines: dict[str, str] = field(default_factory=dict)  # name -> unit line above
    hidden_rows: list[int] = field(default_factory=list)  # rows hidden or filtered out (xlsx)
    head: list[list[str]] = field(default_factory=list)  # the rows searched for the header
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2)
    # Columns filled in from arguments or the title row (county code, name, year): the same
    # value in every row, none of it read from the file.
    given: set[str] = field(default_factory=set)


def _keep_head(table: RawTable, head: list[list[str]]) -> RawTable:
    table.head = [list(map(str, row)) for row in head[:HEADER_SEARCH_ROWS]]
    return table


def _unit_line(table: RawTable, above: list[list[str]]) -> RawTable:
    """Units from a line under the title (金额单位：千元) for columns without a unit of their own."""
    found = title_units([" ".join(str(c) for c in row if str(c).strip()) for row in above])
    for column, (unit, line) in found.items():
        own = re.search(r"[(\[/][^()\[\]/]+[)\]]?$", normalise_header(table.labels.get(column, "")))
        if column in table.frame.columns and column not in table.units and not own:
            table.units[column] = unit
            table.unit_lines[column] = line
    return table


@dataclass
class RawFile:
    """The tables read from one file, and the sheets skipped.

    Parameters
    ----------
    file : str
        The file's name.
    tables : list of RawTable
        One per sheet read (one for CSV and Parquet).
    skipped_sheets : list of (str, str), optional
        Each sheet not read, with why.
    """

    file: str
    tables: list[RawTable]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)


# ------------------------------------------------------------------------------ sniffing
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


def decode(raw: bytes, file: str) -> tuple[str, str]:
    """Text and encoding of a CSV file's bytes (UTF-8/BOM, UTF-16 with BOM, GBK/GB18030)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encodings = ["utf-32"]
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
    raise fail(file, "unreadable text encoding: not UTF-8, GBK or GB18030" + detail
               + "; save the file as CSV UTF-8")


def _decode_head(raw: bytes, file: str, partial: bool) -> tuple[str, str]:
    """Decode the bytes read (of a large file, its first bytes only).

    Decode the bytes read; of a large file only its first bytes were read (``partial``):
    the whole lines among them are decoded and the fast reader checks the rest.
    """
    if partial and not raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        cut = raw.rfind(b"\n")
        try:
            return decode(raw[:cut + 1] if cut > 0 else raw, file)
        except DataError:
            pass
    return decode(raw, file)


def _check_path(path: Path) -> str:
    """The content kind ('text', 'zip', 'parquet') after checking name against content."""
    file = path.name
    if not path.exists():
        raise fail(str(path), "file not found")
    if path.is_dir():
        raise fail(str(path), "is a folder, not a file")
    suffix = path.suffix.lower()
    from .legacy import LEGACY_SUFFIXES

    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + LEGACY_SUFFIXES:
        raise fail(file, f"unsupported file type '{suffix or '(none)'}': use .csv, .xlsx, "
                         ".xls, .ods or .parquet")
    if path.stat().st_size == 0:
        raise fail(file, "file is empty")
    with path.open("rb") as handle:
        content = _sniff(handle.read(8))
    if suffix in LEGACY_SUFFIXES:
        # .xls/.et: an OLE compound file; .ods: a zip (OpenDocument). Read by python-calamine.
        if content == "text" or content == "parquet":
            raise fail(file, f"the file is named '{suffix}' but its content is "
                             f"{_WHAT[content]}; rename or re-save it")
        return "legacy"
    expected = "text" if suffix in CSV_SUFFIXES else "zip" if suffix in EXCEL_SUFFIXES \
        else "parquet"
    if content != expected:
        raise fail(file, f"the file is named '{suffix}' but its content is {_WHAT[content]}, "
                         f"not {_WHAT[expected]}; rename or re-save it")
    if content == "zip":
        _check_workbook_parts(path, file)
    return expected


def _check_workbook_parts(path: Path, file: str) -> None:
    """Refuse an OpenDocument or other zip named .xlsx, and parts beyond the limits.

    An OpenDocument (.ods) or other zip named .xlsx, and parts beyond the limits
    (``io/limits.yaml``): each a clear :class:`DataError` before any part is expanded.
    """
    import zipfile

    from .limits import limits

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names and "[Content_Types].xml" not in names:
                kind = archive.read("mimetype")[:100].decode("ascii", "replace")
                what = "an OpenDocument spreadsheet (.ods)" if "opendocument.spreadsheet" in kind \
                    else f"an OpenDocument file ({kind})"
                raise fail(file, f"the file is named '{path.suffix.lower()}' but its content is "
                                 f"{what}, not an Excel workbook; name it .ods or save it as .xlsx "
                                 "in LibreOffice/WPS")
    except zipfile.BadZipFile as error:
        raise fail(file, f"not a readable Excel workbook (damaged zip: {error})") from None
    if "[Content_Types].xml" not in names:
        raise fail(file, "a zip archive but not an Excel workbook (no [Content_Types].xml); "
                         "save it as .xlsx")
    limit = limits()
    for info in infos:
        name = info.filename
        if name == "xl/sharedStrings.xml" and info.file_size > limit["shared_strings_bytes"]:
            raise fail(file, f"the workbook's shared strings expand to {info.file_size:,} bytes "
                             f"(limit {limit['shared_strings_bytes']:,}, io/limits.yaml): not a "
                             "school table; re-save it or split it")
        if name.startswith("xl/worksheets/") and info.file_size > limit["sheet_xml_bytes"]:
            raise fail(file, f"a sheet of the workbook ({name}) expands to {info.file_size:,} "
                             f"bytes (limit {limit['sheet_xml_bytes']:,}, io/limits.yaml)")
        if info.compress_size and info.file_size / info.compress_size > limit["compression_ratio"] \
                and info.file_size > 2**24:
            raise fail(file, f"part {name} of the workbook expands {info.file_size // max(info.compress_size, 1):,} "
                             f"times (limit {limit['compression_ratio']}, io/limits.yaml): a zip "
                             "bomb or a damaged file")


# ------------------------------------------------------------------------------ naming
def _label_columns(frame: pd.DataFrame, named, file: str, table: RawTable) -> RawTable:
    columns, labels, units, seen, unknown = [], {}, {}, {}, []
    problems = []
    for position, (label, canonical, unit) in enumerate(named):
        label = str(label).strip(SPACES)
        name = canonical or label or f"(blank header, column {position + 1})"
        if name in seen:
            if canonical:
                problems.append(Problem(file, f"two columns give '{canonical}': "
                                              f"'{seen[name]}' and '{label}'", sheet=table.sheet,
                                        row=table.header_line, column=canonical, header=label))
            name = f"{name}#{position + 1}"
        elif not canonical and label:
            unknown.append(label)
        seen.setdefault(name, label)
        columns.append(name)
        labels[name] = label
        if unit and canonical:
            units[name] = unit
    if problems:
        raise DataError(problems)
    table.frame = frame.set_axis(columns, axis=1)
    table.labels, table.units, table.unknown = labels, units, unknown
    return table


def _found(named) -> set[str]:
    return {c for _, c, _ in named if c}


# ------------------------------------------------------------------------------ CSV
def _separator(text_head: str) -> str:
    first = next((line for line in text_head.splitlines() if line.strip(SPACES)), "")
    return max([",", "\t", ";"], key=first.count) if any(c in first for c in ",\t;") else ","


def _csv_head(text: str, sep: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[:200_000]), delimiter=sep)
    head = []
    for row in reader:
        head.append([c for c in row])
        if len(head) > HEADER_SEARCH_ROWS:
            break
    width = max((len(r) for r in head), default=0)
    return [r + [""] * (width - len(r)) for r in head]


def _fast_csv(data: bytes | Path, sep: str, start: int, header: list[str], named, file: str
              ) -> pd.DataFrame | None:
    """Read a plain one-row-header table with pyarrow; None when the slow path must look."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(len(header))]
    text_cols = {names[i] for i, (_, canonical, _) in enumerate(named)
                 if canonical in _TEXT_COLUMNS or canonical is None}
    # Arrow's integer parser takes hexadecimal (0x33DB); its float parser does not. When the
    # bytes hold "0x" anywhere, numbers are read as float64, so such a cell sends the table to
    # the careful reader, which refuses it (a memchr-fast search; most files have none).
    number_types = {n: pa.float64() for n in names if n not in text_cols} \
        if _has_hex_prefix(data) else {}
    try:
        options = dict(
            read_options=pacsv.ReadOptions(skip_rows=start + 1, column_names=names,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={**{n: pa.string() for n in text_cols}, **number_types},
                null_values=[""],
                strings_can_be_null=False, true_values=[], false_values=[]))
        if isinstance(data, Path):
            # Large file: streamed in blocks (memory ~ the table, not the file plus buffers),
            # with a progress bar on a terminal.
            table = _csv_streamed(data, options, file)
        else:
            table = pacsv.read_csv(pa.py_buffer(data), **options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows, blank lines, quoted newlines: the careful reader says which
    import pyarrow.compute as pc

    for column in table.columns:  # "nan", "inf" written in cells: the careful reader refuses
        if pa.types.is_floating(column.type) and (
                pc.any(pc.is_nan(column)).as_py() or pc.any(pc.is_inf(column)).as_py()):
            return None
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    for column in frame.columns:  # "" in a numeric column came through as null: fine
        if frame[column].dtype == object:
            return None
    return frame


def _has_hex_prefix(data: bytes | Path) -> bool:
    if isinstance(data, Path):
        with data.open("rb") as handle:
            tail = b""
            for block in iter(lambda: handle.read(1 << 24), b""):
                if _has_hex_prefix(tail + block):
                    return True
                tail = block[-1:]
        return False
    # One-byte searches are memchr: most Chinese tables hold no x at all.
    return (data.find(b"x") >= 0 and data.find(b"0x") >= 0) or \
        (data.find(b"X") >= 0 and data.find(b"0X") >= 0)


def _csv_streamed(path: Path, options: dict, file: str):
    """Read block by block; a progress bar for large files on a terminal."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    total = path.stat().st_size
    with pa.OSFile(str(path)) as source:
        reader = pacsv.open_csv(source, **options)
        if total < PROGRESS_BYTES or not sys.stderr.isatty():
            return reader.read_all()
        from tqdm.auto import tqdm

        batches = []
        with tqdm(total=total, unit="B", unit_scale=True, desc=f"reading {file}") as bar:
            for batch in reader:
                batches.append(batch)
                bar.update(min(source.tell(), total) - bar.n)
            bar.update(total - bar.n)
        return pa.Table.from_batches(batches, schema=reader.schema)


def _slow_csv(text: str, sep: str, file: str) -> pd.DataFrame:
    options = dict(header=None, dtype=str, keep_default_na=False, skip_blank_lines=False,
                   sep=sep)
    width = max(len(row) for row in csv.reader(io.StringIO(text), delimiter=sep))
    try:
        frame = pd.read_csv(io.StringIO(text), names=range(width), **options)
    except pd.errors.ParserError as error:
        raise fail(file, f"not a readable CSV table: {error}") from None
    return frame.fillna("")


def _read_csv(path: Path, file: str, mapping) -> RawTable:
    size = path.stat().st_size
    with path.open("rb") as handle:
        raw = handle.read(HEAD_BYTES if size > STREAM_BYTES else size)
    # Of a large file only the head is decoded here; pyarrow checks the rest is UTF-8.
    partial = size > HEAD_BYTES
    text, encoding = _decode_head(raw[:HEAD_BYTES], file, partial)
    if partial and encoding not in ("utf-8", "utf-8-sig"):
        raw = path.read_bytes() if len(raw) < size else raw
        text, encoding = decode(raw, file)
        partial = False
    if "\x00" in text[:100_000]:
        raise fail(file, "contains binary data (NUL bytes), not CSV text")
    if not text.strip(SPACES):
        raise fail(file, "file is empty")
    sep = _separator(text[:100_000])
    notes = [] if encoding in ("utf-8", "utf-8-sig") else [f"read as {encoding.upper()} text"]
    head = _csv_head(text, sep)
    start, n_header, named = locate_header(head, mapping)
    table = RawTable(pd.DataFrame(), {}, {}, start + n_header, None, "csv", notes,
                     title=title_facts([" ".join(r) for r in head[:start]]))
    if n_header == 1 and _found(named):
        if len(raw) < size:  # large UTF-8 file: pyarrow reads (and checks) it from disk
            data = path
        else:
            data = raw[3:] if encoding == "utf-8-sig" else raw if encoding == "utf-8" \
                else text.encode("utf-8")
        frame = _fast_csv(data, sep, start, head[start], named, file)
        if frame is not None:
            frame.index = pd.RangeIndex(start + 2, start + 2 + len(frame), name="line")
            return _keep_head(_unit_line(_label_columns(frame, named, file, table), head[:start]), head)
    if partial:
        raw = path.read_bytes() if len(raw) < size else raw
        text, encoding = decode(raw, file)  # the whole file, for the careful reader
        if encoding not in ("utf-8", "utf-8-sig"):
            table.notes.append(f"read as {encoding.upper()} text")
    grid = _slow_csv(text, sep, file)
    data_start = start + n_header
    frame = grid.iloc[data_start:]
    frame = frame.set_axis(pd.RangeIndex(data_start + 1, data_start + 1 + len(frame),
                                         name="line"))
    frame = _check_width(frame, named, file, None)
    return _keep_head(_unit_line(_label_columns(frame, named, file, table), head[:start]), head)


def _check_width(frame: pd.DataFrame, named, file: str, sheet: str | None) -> pd.DataFrame:
    """Cells right of the last header cell are an error (unquoted 2,537, a stray comma)."""
    if not _found(named):  # no header at all: the validator says so, once
        return frame.iloc[:, :len(named)] if frame.shape[1] > len(named) else frame
    last = max((i for i, (label, _, _) in enumerate(named) if str(label).strip(SPACES)),
               default=-1)
    width = len(named)
    if frame.shape[1] > width:
        extra = frame.iloc[:, width:]
        named = list(named) + [("", None, None)] * (frame.shape[1] - width)
    else:
        extra = frame.iloc[:, last + 1:]
    if extra.shape[1]:
        filled = (extra.astype(str).apply(lambda s: s.str.strip(SPACES)) != "").any(axis=1)
        if filled.any():
            lines = frame.index[filled.to_numpy()]
            counts = (frame.astype(str).apply(lambda s: s.str.strip(SPACES)) != "")
            problems = []
            for line in lines[:20]:
                row = counts.loc[line].to_numpy()
                cells = int(np.flatnonzero(row).max()) + 1
                if sheet is None:
                    message = (f"row has {cells} cells but the header has {last + 1}: values "
                               "would shift. An unquoted number with a thousands separator "
                               "(2,537) or a stray separator? Quote such numbers or remove the "
                               "separator")
                else:
                    from openpyxl.utils import get_column_letter

                    message = (f"cell right of the last header column ({get_column_letter(cells)}"
                               f"{int(line)}): a value without a header")
                problems.append(Problem(file, message, sheet=sheet, row=int(line)))
            raise DataError(problems, int(filled.sum()))
    return frame.iloc[:, :len(named)] if frame.shape[1] > len(named) else frame


# ------------------------------------------------------------------------------ Excel
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


def _parser_class():
    from openpyxl.worksheet._reader import WorkSheetParser

    class Parser(WorkSheetParser):
        """The openpyxl sheet parser, keeping only whether a row is hidden.

        openpyxl's sheet parser, keeping only what the loader needs from a row's attributes:
        whether it is hidden (a row hidden or filtered out in Excel). Rows without cells cost
        one attribute lookup (a million formatted blank rows must not hold a dict each).
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.hidden_rows: set[int] = set()

        def parse_row(self, row):
            r = row.get("r")
            if r is not None:
                try:
                    self.row_counter = int(r)
                except ValueError:
                    self.row_counter = int(float(r))
            else:
                self.row_counter += 1
            self.col_counter = 0
            if row.get("hidden") in ("1", "true"):
                self.hidden_rows.add(self.row_counter)
            if not len(row):
                return self.row_counter, []
            return self.row_counter, [self.parse_cell(el) for el in row]

        def parse(self):
            """Rows and merged ranges only, with lxml when it is installed.

            Rows and merged ranges only, with lxml when it is installed (several times
            faster than ElementTree; entities not resolved, no network, no huge trees).
            """
            try:
                from lxml.etree import iterparse
            except ImportError:  # pragma: no cover - lxml comes with the notebook stack
                yield from super().parse()
                return
            from openpyxl.worksheet.merge import MergeCells
            from openpyxl.xml.constants import SHEET_MAIN_NS

            row_tag, merge_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}mergeCells"
            for _, element in iterparse(self.source, events=("end",), tag=(row_tag, merge_tag),
                                        resolve_entities=False, no_network=True,
                                        huge_tree=False, load_dtd=False):
                if element.tag == row_tag:
                    row = self.parse_row(element)
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while element.getprevious() is not None:  # free the rows already read
                        del parent[0]
                    yield row
                else:
                    self.merged_cells = MergeCells.from_tree(element)
                    element.clear()

    return Parser


def _sheet_rows(ws, data_only: bool = True, max_rows: int | None = None,
                parser_out: list | None = None) -> Iterator[tuple[int, list[dict]]]:
    """(line, cells) of the rows present in the sheet's XML: no padding to the declared size.

    ``parser_out``: the parser is appended to it (its ``hidden_rows`` and ``merged_cells`` are
    complete once the rows are consumed).
    """
    book = ws.parent
    with ws._get_source() as src:
        parser = _parser_class()(src, ws._shared_strings, data_only=data_only,
                                 epoch=book.epoch, date_formats=book._date_formats,
                                 timedelta_formats=book._timedelta_formats)
        if parser_out is not None:
            parser_out.append(parser)
        for line, cells in parser.parse():
            if max_rows is not None and line > max_rows:
                break
            yield line, cells


def _merged_ranges(parser, data_start: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges reaching the data rows: (first row, first column, last row, last column)."""
    from openpyxl.utils.cell import range_boundaries

    merged = getattr(parser, "merged_cells", None)
    out = []
    for cell_range in getattr(merged, "mergeCell", None) or ():
        c1, r1, c2, r2 = range_boundaries(cell_range.ref)
        if r2 > data_start:
            out.append((r1, c1, r2, c2))
    return out


def _fill_merged(frame: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    """Fill the cells of merged ranges with the range's value, as Excel shows them.

    Cells of merged ranges in the data filled with the range's value, as Excel shows them
    (县代码 merged down the table); one block assignment per range.
    """
    from openpyxl.utils import get_column_letter

    filled = []
    for r1, c1, r2, c2 in table.merged:
        if r1 not in frame.index or c1 > frame.shape[1]:
            continue
        value = frame.iat[frame.index.get_loc(r1), c1 - 1]
        rows = (frame.index >= r1) & (frame.index <= r2)
        columns = list(range(c1 - 1, min(c2, frame.shape[1])))
        if value != "" and rows.sum() * len(columns) > 1:
            frame.iloc[np.flatnonzero(rows), columns] = value
            filled.append(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
    if filled:
        table.notes.append(f"filled {len(filled)} merged cell range(s) with their value, as "
                           f"Excel shows them: {', '.join(filled[:5])}"
                           + (f" and {len(filled) - 5} more" if len(filled) > 5 else ""))
    return frame


def _head_grid(ws) -> list[list[str]]:
    rows = {line: cells for line, cells in _sheet_rows(ws, max_rows=HEADER_SEARCH_ROWS + 1)}
    if not rows:
        return []
    width = min(MAX_COLUMNS, max((c["column"] for cells in rows.values() for c in cells),
                                 default=0))
    grid = []
    for line in range(1, max(rows) + 1):
        row = [""] * width
        for cell in rows.get(line, []):
            if cell["column"] <= width:
                row[cell["column"] - 1] = _cell_text(cell["value"]).strip(SPACES) \
                    if isinstance(cell["value"], str) else _cell_text(cell["value"])
        grid.append(row)
    return grid


def _read_sheet(ws, file: str, name: str, mapping, head: list[list[str]]) -> RawTable:
    start, n_header, named = locate_header(head, mapping)
    data_start = start + n_header  # rows before the data (0-based count)
    lines, values, numeric, far = [], [], set(), []
    width = len(named)
    parsers: list = []
    from .limits import limits

    max_rows = min(limits()["max_rows"], limits()["max_cells"] // max(width, 1))
    for line, cells in _sheet_rows(ws, parser_out=parsers):
        if line <= data_start or not cells:
            continue
        if len(lines) >= max_rows or line > limits()["max_rows"]:
            raise fail(file, f"more than {max_rows:,} rows of {width} columns with values "
                             f"(limits max_rows/max_cells in io/limits.yaml): not a school "
                             "table, or split it", sheet=name, row=line)
        row = [None] * width
        for cell in cells:
            col = cell["column"] - 1
            value = cell["value"]
            if col < width:
                row[col] = value
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    numeric.add(col)
            elif value is not None and str(value).strip(SPACES):
                far.append((line, cell["column"], value))
        if any(v is not None for v in row):
            lines.append(line)
            values.append(row)
    table = RawTable(pd.DataFrame(), {}, {}, data_start, name, "xlsx", [],
                     title=title_facts([" ".join(r) for r in head[:start]]))
    if far and _found(named):
        from openpyxl.utils import get_column_letter

        line, column, value = far[0]
        if column > MAX_COLUMNS:
            table.notes.append(
                f"ignored {len(far)} cell(s) right of the table, far outside it (e.g. "
                f"{get_column_letter(column)}{line} = {str(value)[:30]!r})")
        else:
            raise DataError([Problem(
                file, f"cell right of the last header column ({get_column_letter(column)}"
                      f"{line}): values without a header", sheet=name, row=line,
                value=value) for line, column, value in far[:20]], len(far))
    frame = pd.DataFrame(values, index=pd.Index(lines, name="line"), columns=range(width),
                         dtype=object)
    frame = frame.map(_cell_text) if len(frame) else frame.astype(str)
    frame = _check_width(frame, named, file, name)
    # Trailing blank rows (formatting that reaches far down) are not data: found in bulk.
    if len(frame):
        filled = (frame.apply(lambda s: s.str.strip(SPACES)) != "").any(axis=1).to_numpy()
        last = int(np.flatnonzero(filled).max()) + 1 if filled.any() else 0
        frame = frame.iloc[:last]
    parser = parsers[0] if parsers else None
    table.hidden_rows = sorted(h for h in getattr(parser, "hidden_rows", ()) if h > data_start)
    table.merged = _merged_ranges(parser, data_start)
    # Fill the gaps of rows absent from the XML so that blank rows are seen (and reported).
    if len(frame):
        full = pd.RangeIndex(data_start + 1, int(frame.index.max()) + 1, name="line")
        if len(full) != len(frame) and len(full) <= 4 * len(frame) + 1000:
            frame = frame.reindex(full, fill_value="")
    frame = _fill_merged(frame, table)
    table = _keep_head(_unit_line(_label_columns(frame, named, file, table), head[:start]),
                       head)
    names = list(table.frame.columns)
    table.numeric_ids = {names[c] for c in numeric}
    return table


def _formula_cells(path: Path, name: str, table: RawTable) -> None:
    """Formula cells that have no saved value (a program wrote the file without computing)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        names = list(table.frame.columns)
        blank = {}
        for line, cells in _sheet_rows(book[name], data_only=False):
            if line <= table.header_line:
                continue
            for cell in cells:
                col = cell["column"] - 1
                value = cell["value"]
                if col < len(names) and cell.get("data_type") == "f":
                    if line in table.frame.index and table.frame.iat[
                            table.frame.index.get_loc(line), col] == "":
                        blank.setdefault(names[col], {})[line] = str(value)
        table.formulas = blank
    finally:
        book.close()


def _has_formulas(path: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as handle:
                    chunk = b""
                    while True:
                        block = handle.read(1 << 20)
                        if not block:
                            break
                        if b"<f>" in chunk[-3:] + block or b"<f " in chunk[-3:] + block:
                            return True
                        chunk = block
    return False


def choose_sheets(names, hidden, sheet: str | None, file: str, result: RawFile) -> list[str]:
    """The sheets of a workbook to look at: ``sheet`` when named, else every visible one.

    ``hidden(name)`` tells a hidden sheet; those are listed in ``result.skipped_sheets``. Shared
    by the ``.xlsx`` reader and the legacy one (:mod:`edubalance.io.legacy`).
    """
    names = list(names)
    if sheet is not None:
        if sheet not in names:
            raise fail(file, f"no sheet named '{sheet}' (sheets: {', '.join(names)})")
        return [sheet]
    chosen = []
    for name in names:
        if hidden(name):
            result.skipped_sheets.append((name, "hidden sheet (name it with sheet= to read it)"))
        else:
            chosen.append(name)
    return chosen


def usable_sheets(heads: dict, sheet: str | None, mapping, kind: str, complete, file: str,
                  result: RawFile) -> list[str]:
    """The sheets whose header holds a table of ``kind``.

    The sheets (of ``heads``: name -> the grid of its first rows, empty for an empty sheet)
    whose header holds a table of ``kind``; when none does, the one closest to it. The others
    are listed in ``result.skipped_sheets`` with why.
    """
    usable, incomplete = [], []
    for name, head in heads.items():
        if not head:
            result.skipped_sheets.append((name, "empty sheet"))
            continue
        _, _, named = locate_header(head, mapping)
        verdict = complete(_found(named), kind)
        if verdict is True or sheet is not None:
            usable.append(name)
        else:
            incomplete.append((name, verdict, named))
    for name, (missing, looks_like_data), named in incomplete:
        if looks_like_data:
            unknown = [label for label, c, _ in named if not c and str(label).strip()]
            result.skipped_sheets.append((name, "MISMATCH: missing " + ", ".join(missing)
                                          + (f"; unrecognised headers: {', '.join(unknown)}"
                                             if unknown else "")))
        else:
            result.skipped_sheets.append((name, "no table of this kind (header not "
                                                "recognised)"))
    if not usable:
        best = max(incomplete, key=lambda t: len(_found(t[2])), default=None)
        if best is None:
            raise fail(file, "no sheet has data" if heads else
                       "no visible sheet (hidden sheets are read only when named with sheet=)")
        usable = [best[0]]
        result.skipped_sheets = [s for s in result.skipped_sheets if s[0] != best[0]]
    return usable


def _read_workbook(path: Path, file: str, kind: str, sheet: str | None, mapping,
                   complete) -> RawFile:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException, ...
        raise fail(file, f"not a readable Excel workbook ({type(error).__name__}: {error})") \
            from None
    result = RawFile(file, [])
    try:
        chosen = choose_sheets(book.sheetnames,
                               lambda name: book[name].sheet_state != "visible", sheet, file,
                               result)
        heads = {name: _head_grid(book[name]) for name in chosen}
        usable = usable_sheets(heads, sheet, mapping, kind, complete, file, result)
        for name in usable:
            ws = book[name]
            table = _read_sheet(ws, file, name, mapping, heads[name])
            if ws.max_column and ws.max_column > MAX_COLUMNS:
                table.notes.append(f"sheet declares {ws.max_row} x {ws.max_column} cells; read "
                                   f"the cells present only")
            result.tables.append(table)
    finally:
        book.close()
    if _has_formulas(path):
        for table in result.tables:
            _formula_cells(path, table.sheet, table)
    return result


# ------------------------------------------------------------------------------ Parquet / frames
def _from_frame(frame: pd.DataFrame, file: str, fmt: str, mapping) -> RawTable:
    frame = frame.reset_index(drop=True)
    frame.attrs = {}
    frame.index = pd.RangeIndex(2, 2 + len(frame), name="line")  # as if exported with a header
    named = name_columns([str(c) for c in frame.columns], None, mapping)
    return _label_columns(frame, named, file, RawTable(pd.DataFrame(), {}, {}, 1, None, fmt))


def _read_parquet(path: Path, file: str, mapping) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several kinds for corrupt files
        raise fail(file, f"not a readable Parquet file ({type(error).__name__}: {error})") \
            from None
    return _from_frame(frame, file, "parquet", mapping)


def read_raw(source, kind: str, sheet: str | None, mapping: Mapping[str, str],
             complete) -> RawFile:
    """Read a path or DataFrame into raw tables; ``complete(found, kind)`` judges a sheet.

    ``complete`` returns True, or ``(missing columns, looks like data)``.

    Parameters
    ----------
    source : str, path or DataFrame
        The file (its format found from its content) or a frame.
    kind : str
        The kind of table looked for (``"schools"``, ``"counties"``, ``"teachers"``).
    sheet : str or None
        The sheet to read; None reads every visible sheet holding a table of ``kind``.
    mapping : mapping of str to str
        The user's header mapping (:func:`~edubalance.io.headers.column_mapping`).
    complete : callable
        ``complete(found, kind)``, judging a sheet's recognised columns.

    Returns
    -------
    RawFile
    """
    if isinstance(source, pd.DataFrame):
        return RawFile("<DataFrame>", [_from_frame(source, "<DataFrame>", "frame", mapping)])
    path = Path(source)
    file = path.name
    content = _check_path(path)
    notes = []
    if sheet is not None and content not in ("zip", "legacy"):
        notes.append(f"sheet '{sheet}' ignored: a {path.suffix.lower()} file has no sheets")
    if content == "zip":
        return _read_workbook(path, file, kind, sheet, mapping, complete)
    if content == "legacy":
        from .legacy import read_legacy

        return read_legacy(path, file, kind, sheet, mapping, complete)
    table = _read_parquet(path, file, mapping) if content == "parquet" \
        else _read_csv(path, file, mapping)
    table.notes[:0] = notes
    return RawFile(file, [table])


# ------------------------------------------------------------------------------ research tables
def _text_ids(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if _ID_LIKE_COLUMN.search(str(column)):
            values = frame[column]
            if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
                values = values.astype("Int64")
            frame[column] = values.where(values.isna(), values.astype(str)).astype(object)
    return frame


def read_table(path) -> pd.DataFrame:
    """Read any research table (CSV, Excel or Parquet, by content) without validation.

    For tables that are not schools, counties or rosters (another country's data, a model
    panel); those go through :func:`edubalance.io.load.load_table` and its checks. The same
    decoder as the loaders (UTF-8, BOM, GBK/GB18030, UTF-16; comma, tab or semicolon) and the
    same sniffing (content must match the extension). Columns named ``*_code`` or ``*_id``
    (and ``county_name``, ``school_name``) are read as strings, so ``040104`` keeps its zero.
    Excel: the first visible sheet, header on its first row.

    Parameters
    ----------
    path : str or path-like
        The table.

    Returns
    -------
    DataFrame
        The columns as written; ids and names as text.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"data file not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + (".xls", ".ods", ".et"):
        raise ValueError(f"cannot read {path.name}: unknown extension {suffix!r}, unsupported "
                         "file type (use .csv, .txt, .xlsx or .parquet)")
    content = _check_path(path)
    if content == "parquet":
        return _text_ids(pd.read_parquet(path))
    if content == "legacy":  # .xls/.et/.ods: python-calamine, as pandas' "calamine" engine
        frame = pd.read_excel(path, engine="calamine")
        ids = [c for c in frame.columns if _ID_LIKE_COLUMN.search(str(c))]
        return _text_ids(frame) if ids else frame
    if content == "text":
        text, _ = decode(path.read_bytes(), path.name)
        sep = _separator(text[:100_000])
        header = pd.read_csv(io.StringIO(text), nrows=0, sep=sep).columns
        dtype = {c: str for c in header if _ID_LIKE_COLUMN.search(str(c))}
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=dtype)
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = next(book[n] for n in book.sheetnames if book[n].sheet_state == "visible")
        rows = {}
        for line, cells in _sheet_rows(ws):
            rows[line] = {c["column"]: c["value"] for c in cells if c["column"] <= MAX_COLUMNS}
    finally:
        book.close()
    if not rows:
        return pd.DataFrame()
    first = min(rows)
    width = max((max(r) for r in rows.values() if r), default=0)
    header = [rows[first].get(c) for c in range(1, width + 1)]
    body = [[rows.get(line, {}).get(c) for c in range(1, width + 1)]
            for line in range(first + 1, max(rows) + 1)]
    frame = pd.DataFrame(body, columns=[str(h) if h is not None else f"Unnamed: {i}"
                                        for i, h in enumerate(header)])
    frame = frame.dropna(how="all")
    for column in frame.columns:
        if not _ID_LIKE_COLUMN.search(str(column)):
            converted = pd.to_numeric(frame[column], errors="coerce")
            if converted.notna().sum() == frame[column].notna().sum():
                frame[column] = converted
    return _text_ids(frame.reset_index(drop=True))
