"""Shared work computed once per batch: loaded, validated and scored school tables.

A county report needs the whole year's scoring (its county, plus every other county for the
comparison). When many jobs of a batch read the same file with the same standard and year,
the batch sets ``EDUBALANCE_CACHE_DIR`` (``<output>/.cache``) and the work is done once:

- the key is a content hash (sha256) of the data file, the standard (its name, or the
  content of a standard given as an object), the year, the package version and a hash of
  the package's code;
- the first job to need a key computes it under a lock file (other workers wait for it
  instead of computing the same thing), then writes one Arrow IPC file per table
  (``<table>.arrow``, uncompressed: a job memory-maps it, checks it and converts it with
  no parsing and no copy before the conversion) and a small JSON description
  (``done.json``: the files, their sizes and a sha256 per record batch), in a temporary
  folder renamed into place at once; a folder is only used once its ``done.json`` exists,
  so a killed job never leaves a half cache behind;
- nothing is ever unpickled: tables are Arrow IPC, the description is JSON, and the
  standard is rebuilt from the caller's argument (``load_standard(standard)``, as ``score``
  does); an entry whose files do not match their recorded size and sha256 digests, or
  cannot be read, is discarded and computed again (corrupt or tampered files are never
  trusted): every byte decoded is checked first, the whole file for a whole table, the
  record batches used (with the schema and footer) for one county's rows;
- a warm kernel also keeps the last results in memory, and hands each job copies (shallow
  under pandas copy-on-write, which copies a column on its first write; deep otherwise)
  (a job that modifies its tables cannot change the next job's);
- a result with a table whose Arrow round trip would change it (dtypes, values) is not
  written at all (only kept in memory), so a cached result is always identical to a computed
  one.

A county report needs only its own county's rows of the three tables with a row per school
(``schools``, ``indicators``, ``compliance``): :func:`scored_county` returns those, with every
county's ``counties`` and ``cv`` (the comparison). The entry's tables are written in chunks of
:data:`CHUNK_ROWS` rows and ``done.json`` lists where each county's rows are, so that a job's
kernel reads its county's chunks from the (checked) file instead of converting a national
table of 200,000 rows (about a CPU-second in a new kernel), and checks only their bytes.

Without ``EDUBALANCE_CACHE_DIR`` (a notebook run on its own) everything is computed
directly: the results are the same.

Examples
--------
>>> import edubalance as eb
>>> schools, result = eb.run.cache.scored_year("data/sample/schools.csv", "basic-2012", 2017)  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._compat import moved_names as _moved_names
from ..io.write import exclusive_lock

__all__ = ["CACHE_ENV", "load_schools_with_options", "scored_year", "scored_county", "cache_key",
           "clear_memory", "scoring_request", "requested_county", "prepare_entry", "lock_entry",
           "CHUNK_ROWS",
           "COUNTY_TABLES"]

# ``load_schools`` is eb.data.load_schools's name (the contract's loader): renamed here.
__getattr__ = _moved_names(__name__, {"load_schools": f"{__name__}:load_schools_with_options"})

CACHE_ENV = "EDUBALANCE_CACHE_DIR"
_MEMORY: dict[str, tuple[pd.DataFrame, Any]] = {}
_SOURCES: dict[str, "_CountySource"] = {}
_MEMORY_LIMIT = 4
_CODE: list[str] = []


def load_schools_with_options(data_path: str | os.PathLike,
                              load_options: dict | None = None) -> pd.DataFrame:
    """The validated school table of ``data_path``.

    See :func:`edubalance.io.load.load_schools`; ``load_options``: its ``sheet``, ``columns``,
    ``county_code``, ``county_name``, ``allow``.

    Parameters
    ----------
    data_path : str or path-like
        The schools file (CSV, Excel or Parquet).
    load_options : dict, optional
        Keyword arguments of the loader (names as above); empty values (``None``, ``""``,
        ``{}``, ``[]``) are left out.

    Returns
    -------
    pandas.DataFrame
        The validated schools table, every year of the file.
    """
    from ..io.load import load_schools as _load

    return _load(Path(data_path), **_options(load_options))


def _options(load_options: dict | None) -> dict:
    """Loader options without the empty ones (``""``, ``{}``, ``[]`` mean "not given")."""
    return {key: value for key, value in (load_options or {}).items()
            if value not in (None, "", {}, [], ())}


def _file_digest(path: Path) -> str:
    from .plan import remembered_sha256  # shared with the batch's planning

    return remembered_sha256(path)


def _code_hash() -> str:
    if not _CODE:
        from .plan import package_code_hash

        _CODE.append(package_code_hash())
    return _CODE[0]


def cache_key(data_path: str | os.PathLike, standard, year: int,
              load_options: dict | None = None) -> str:
    r"""The content key of ``scored_year(data_path, standard, year)``.

    Parameters
    ----------
    data_path : str or path-like
        The schools file; its content (sha256) is part of the key, not its name.
    standard : str or Standard
        A standard's name, or a standard object (keyed by a hash of its attributes).
    year : int
        The year scored.
    load_options : dict, optional
        The loader options (as :func:`scored_year`); empty values are left out of the key.

    Returns
    -------
    str
        32 hex digits, also covering the package version and a hash of its code.

    Raises
    ------
    OSError
        ``data_path`` cannot be read (``FileNotFoundError`` when it does not exist).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> data = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = data.write_text("a\n1\n")
    >>> cache_key(data, "basic-2012", 2017) == cache_key(data, "basic-2012", 2017)
    True
    >>> cache_key(data, "basic-2012", 2017) != cache_key(data, "quality-2017", 2017)
    True
    """
    from .. import __version__

    if isinstance(standard, str):
        standard_id = standard
    else:
        standard_id = "object:" + hashlib.sha256(
            repr(getattr(standard, "__dict__", standard)).encode("utf-8")).hexdigest()
    payload = {"data": _file_digest(Path(data_path)), "standard": standard_id,
               "year": int(year), "version": __version__, "code": _code_hash(),
               "load": json.dumps(_options(load_options), sort_keys=True, default=str)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def _compute(data_path, standard, year: int, load_options: dict | None = None,
             writer: "_EntryWriter | None" = None):
    """``(schools, result)``: the file loaded and the year scored.

    ``writer``: the entry being written; the loaded table goes to it before the scoring
    starts, so that its file is written and hashed while the year is scored.
    """
    from ..core.scoring import score
    schools = load_schools_with_options(data_path, load_options)
    chosen = schools[schools["year"] == year]
    if chosen.empty:
        from ..errors import DataError

        years = sorted(int(y) for y in schools["year"].unique())
        raise DataError(f"{Path(data_path).name}: no schools for year {year}; the data have "
                        f"year{'s' if len(years) > 1 else ''} "
                        f"{', '.join(map(str, years))}")
    if writer is not None:
        writer.start(schools)
    return schools, score(chosen, standard)


# With pandas' copy-on-write (always on from pandas 3) a shallow copy is already isolated:
# the first write to a shared column copies it. A national table (200,000 schools) then
# costs nothing to hand to a job instead of a deep copy per job.
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3 or bool(
    getattr(pd.options.mode, "copy_on_write", False) is True)


def _copy(value):
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=not _COPY_ON_WRITE)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _copy(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if isinstance(getattr(value, f.name), pd.DataFrame)}
        return dataclasses.replace(value, **changes) if changes else value
    return value


FORMAT = 5
"""Version of the files of a cache entry (``done.json`` ``format``); other versions are recomputed."""


class _NotCacheable(Exception):
    """A result that would not come back identical from the files (it stays in memory only)."""


def _exact_in_arrow(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is made only of what Arrow gives back exactly, value for value.

    A default index, text column names, and columns of NumPy ``float64`` (NaN comes back
    NaN, -0.0 and infinities keep their bits), ``int64`` and ``bool``, pandas' nullable
    ``boolean`` (NA is Arrow's null) and Arrow-backed text (the same Arrow array). Anything
    else (object columns, other index) is converted back and compared in full.
    """
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.equals(
            pd.RangeIndex(len(frame))) and frame.index.name is None):
        return False
    if not all(isinstance(name, str) for name in frame.columns) or \
            not frame.columns.is_unique:
        return False
    for dtype in frame.dtypes:
        if isinstance(dtype, pd.StringDtype):
            if dtype.storage != "pyarrow":
                return False
        elif not (isinstance(dtype, pd.BooleanDtype)
                  or (isinstance(dtype, np.dtype) and dtype.kind in "fib"
                      and dtype.itemsize in (1, 8))):
            return False
    return True


def _arrow_table(frame: pd.DataFrame):
    """``frame`` as an Arrow table that converts back to exactly ``frame``.

    Tables of the types :func:`_exact_in_arrow` lists are checked on their dtypes and column
    names only (an empty slice converted back: the values of those types are exact); any
    other table is converted back and compared in full (dtypes, index, values).
    Raises :class:`_NotCacheable` when the round trip would change it (mixed object
    columns, among others).
    """
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(frame, nthreads=1)  # the cores are busy: no pool
        if frame.attrs:  # as pandas' Parquet writer: JSON in the schema's metadata
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), _ATTRS: json.dumps(frame.attrs)})
        if _exact_in_arrow(frame):
            back = table.slice(0, 0).to_pandas()
            same = back.dtypes.equals(frame.dtypes) and back.columns.equals(frame.columns)
        else:
            back = _to_pandas(table)
            same = back.dtypes.equals(frame.dtypes) and back.index.equals(frame.index) \
                and back.columns.equals(frame.columns) and back.equals(frame)
    except Exception as error:  # pyarrow refuses mixed object columns, among others
        raise _NotCacheable(f"{error}") from error
    if not same:
        raise _NotCacheable("the Arrow round trip changes the table")
    return table


_ATTRS = b"edubalance_attrs"


def _to_pandas(table) -> pd.DataFrame:
    """The DataFrame of an Arrow table written by :func:`_write_table`, with its ``attrs``.

    ``attrs`` come back from JSON (as from pandas' Parquet files): lists for tuples, the
    load report as the loader's read-only :class:`~edubalance.io.loadreport.ReportDict`
    (never deep-copied by pandas).
    """
    frame = table.to_pandas()
    text = (table.schema.metadata or {}).get(_ATTRS)
    if text is not None:
        attrs = json.loads(text)
        if isinstance(attrs.get("cleaning_log"), list):
            attrs["cleaning_log"] = tuple(attrs["cleaning_log"])
        if isinstance(attrs.get("load_report"), dict):
            from ..io.loadreport import ReportDict

            attrs["load_report"] = ReportDict(attrs["load_report"])
        frame.attrs = attrs
    return frame


def _write_table(frame: pd.DataFrame, folder: Path, name: str, writing=None):
    """Write ``frame`` as ``folder/<name>.arrow`` (Arrow IPC, uncompressed); its description.

    The description: ``file``, ``size`` (bytes), ``batch_rows`` (the rows of each record
    batch, at most :data:`CHUNK_ROWS`: where :func:`scored_county` finds a county's rows),
    ``ends`` (the file offset after each record batch) and ``sha256``, one digest per
    segment of the file (:func:`_segments`): the first record batch with the schema before
    it, each other record batch, the footer. A reader checks the segments it decodes, so a
    job that needs two record batches of a national table hashes those, not 200 MB.

    Uncompressed and written straight to the file: a national entry is 200 MB instead of
    60 MB with LZ4, but LZ4 cost the batch 0.4 CPU-s more to write (before any job can
    start) and each new kernel 0.15 CPU-s to read back, while an uncompressed file is
    memory-mapped and its record batches used without a copy. The round trip is checked in
    memory (:func:`_arrow_table`) before anything is written.

    ``writing``: an executor that writes and hashes the file (the description is then its
    future) while the caller converts the next table: Arrow's writer and hashlib release
    the interpreter lock, so the batch's other core (idle while the workers wait for the
    entry) does that part of the work.
    """
    try:
        table = _arrow_table(frame)
    except _NotCacheable as error:
        raise _NotCacheable(f"{name}: {error}") from error
    target = folder / f"{name}.arrow"
    batches = table.to_batches(max_chunksize=CHUNK_ROWS)  # also cut where chunks end
    if writing is None:
        return _write_batches(target, table.schema, batches, name)
    return writing.submit(_write_batches, target, table.schema, batches, name)


def _write_batches(target: Path, schema, batches: list, name: str) -> dict:
    """Write the record batches to ``target``; the description of :func:`_write_table`."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    ends = []
    try:
        with pa.OSFile(str(target), "wb") as sink, ipc.new_file(sink, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                ends.append(sink.tell())
    except pa.ArrowException as error:  # a cache that cannot be written is only slower
        if isinstance(error, OSError):
            raise
        raise _NotCacheable(f"{name}: {error}") from error
    bounds = [0, *ends, target.stat().st_size]
    return {"file": target.name, "size": bounds[-1], "ends": ends,
            "sha256": _digests(target, bounds),
            "batch_rows": [batch.num_rows for batch in batches]}


def _digests(path: Path, bounds: list[int]) -> list[str]:
    """The sha256 of each segment ``bounds[i]:bounds[i + 1]`` of the file ``path``.

    Read through a memory map: the bytes as the file holds them (what readers check).
    """
    import pyarrow as pa

    with pa.memory_map(str(path), "r") as source:
        data = memoryview(source.read_buffer())
        if len(data) != bounds[-1]:
            raise OSError(f"{path.name}: changed while it was written")
        try:
            return [hashlib.sha256(data[a:b]).hexdigest()
                    for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        finally:
            data.release()


def _segments(described: dict, size: int) -> list[tuple[int, int]]:
    """The byte ranges of a table file that its ``sha256`` digests cover, in file order.

    Segment 0 holds the schema (and any dictionaries) with the first record batch, segment
    ``i`` the record batch ``i``, the last one the footer (where the reader finds the
    batches); a file without record batches is one segment. Raises ValueError when the
    description does not fit a file of ``size`` bytes.
    """
    ends = [int(end) for end in described["ends"]]
    bounds = [0, *ends, size]
    segments = list(zip(bounds[:-1], bounds[1:], strict=True))
    if int(described["size"]) != size or any(b < a for a, b in segments) or \
            len(described["sha256"]) != len(bounds) - 1 or \
            len(described["batch_rows"]) != len(ends):
        raise ValueError("not the file described")
    return segments


def _intact(data, described: dict, batches=None) -> bool:
    """Whether the bytes ``data`` of a table file match its description.

    ``batches``: the record batches about to be decoded (their segments are checked, with the
    first and the last: the schema and the footer); None: every segment (the whole file).
    """
    view = memoryview(data)
    try:
        segments = _segments(described, len(view))
    except (ValueError, KeyError, TypeError):
        return False
    wanted = range(len(segments)) if batches is None else \
        sorted({0, len(segments) - 1, *(int(i) for i in batches)})
    digests = described["sha256"]
    for i in wanted:
        if not 0 <= i < len(segments):
            return False
        start, stop = segments[i]
        if hashlib.sha256(view[start:stop]).hexdigest() != str(digests[i]):
            return False
    return True


def _read_table(path: Path, described: dict) -> pd.DataFrame | None:
    """The table of ``path`` (written by :func:`_write_table`), or None if it is not as described.

    The file is memory-mapped: the bytes checked (every segment) are the bytes decoded.
    """
    import pyarrow as pa
    import pyarrow.ipc as ipc

    with pa.memory_map(str(path), "r") as source:
        data = source.read_buffer()
        if not _intact(data, described):
            return None
        # One thread: the workers already use the cores (and threads only add overhead here).
        options = ipc.IpcReadOptions(use_threads=False)
        return _to_pandas(ipc.open_file(data, options=options).read_all())


class _EntryWriter:
    """A cache entry being written, in a temporary folder renamed into place when complete.

    Each table is converted to Arrow by the caller (:meth:`add`) and written and hashed by
    one of two threads while the caller goes on (the next table, or the scoring itself for
    the loaded school table). A table that cannot be written is remembered and raised by
    :meth:`finish`; :meth:`abandon` removes what was written.
    """

    def __init__(self, entry: Path, counties=None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        entry.parent.mkdir(parents=True, exist_ok=True)
        self.entry = entry
        self.work = Path(tempfile.mkdtemp(prefix=f".tmp-{entry.name}-", dir=entry.parent))
        self.writing = ThreadPoolExecutor(2, thread_name_prefix="edubalance-cache-write")
        self.tables: dict[str, Any] = {}
        self.error: BaseException | None = None
        self.requested = None if counties is None else sorted({_county_text(c) for c in counties})
        self.codes: set[str] | None = None

    @classmethod
    def open(cls, entry: Path, counties=None) -> "_EntryWriter | None":
        """A writer for ``entry``, or None where its folder cannot be made (only slower).

        ``counties``: the counties (codes or names) whose rows of :data:`COUNTY_TABLES` the
        entry keeps, or None for every county (see :func:`prepare_entry`).
        """
        try:
            return cls(entry, counties)
        except OSError:
            return None

    def start(self, schools: pd.DataFrame) -> None:
        """The loaded table: written now, while the year is scored, when it is kept whole."""
        self.codes = _requested_codes(schools, self.requested)
        if self.codes is None:
            self.add("schools", schools)

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Convert ``frame`` and have it written as ``<name>.arrow``."""
        if self.error is None:
            try:
                self.tables[name] = _write_table(frame, self.work, name, self.writing)
            except (OSError, _NotCacheable) as error:
                self.error = error

    def finish(self, schools: pd.DataFrame, result, standard) -> None:
        """Write the result's tables and ``done.json``; rename the folder into place.

        Raises
        ------
        OSError, _NotCacheable
            When the entry cannot be written as it would be read back (nothing is left).
        """
        try:
            frames = {"schools": schools,
                      **{name: getattr(result, name) for name in COUNTY_TABLES[1:]}}
            rows = _county_rows(frames) if all(
                isinstance(frame, pd.DataFrame) for frame in frames.values()) else None
            partial = self.codes is not None and rows is not None
            if partial:
                rows, kept = _restricted_rows(rows, self.codes)
                frames = {name: frame.iloc[kept[name]].reset_index(drop=True)
                          for name, frame in frames.items()}
            if "schools" not in self.tables:
                self.add("schools", frames["schools"])
            for item in dataclasses.fields(result):
                value = getattr(result, item.name)
                if isinstance(value, pd.DataFrame):
                    self.add(item.name, frames.get(item.name, value))
                elif item.name != "standard":
                    raise _NotCacheable(f"{item.name}: not a table")
            if self.error is not None:
                raise self.error
            from ..core.standards import load_standard

            if result.standard != load_standard(standard):
                raise _NotCacheable("standard: the result's standard is not the one asked for")
            tables = {name: written.result() for name, written in self.tables.items()}
            self.writing.shutdown()
            description = {"format": FORMAT, "tables": tables,
                           "standard": result.standard.name}
            if rows is not None:
                description["county_rows"] = rows
            if partial:
                description["counties"] = {"requested": self.requested,
                                           "codes": sorted(self.codes)}
            (self.work / "done.json").write_text(json.dumps(description), encoding="utf-8")
            try:
                os.rename(self.work, self.entry)
            except OSError:  # another worker finished first: its copy is as good
                shutil.rmtree(self.work, ignore_errors=True)
        except BaseException:
            self.abandon()
            raise

    def abandon(self) -> None:
        """Stop writing and remove the temporary folder."""
        self.writing.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.work, ignore_errors=True)


def _compute_and_store(entry: Path, data_path, standard, year: int, load_options,
                       counties=None):
    """``(schools, result, stored)``: computed, and stored in ``entry`` where it can be.

    The loaded table is written while the year is scored. Errors of the computation are
    raised (nothing stored); an entry that cannot be written only makes ``stored`` False.
    ``counties``: as :func:`prepare_entry`.
    """
    writer = _EntryWriter.open(entry, counties)
    try:
        schools, result = _compute(data_path, standard, year, load_options, writer)
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    if writer is None:
        return schools, result, False
    try:
        writer.finish(schools, result, standard)
    except (OSError, _NotCacheable):
        return schools, result, False   # a cache that cannot be written is only slower
    return schools, result, True


def _described(entry: Path, standard):
    """``(done, standard, paths)`` of ``entry``, or None when it is not of this format.

    ``done`` is its ``done.json``, ``standard`` the standard, ``paths`` each table's file
    (inside the entry). None: another format or standard, other tables, a file not Arrow.

    An unreadable or malformed ``done.json`` raises (OSError, ValueError, KeyError,
    TypeError, AttributeError): the callers read that as "not as written" too.
    """
    from ..core.scoring import ScoringResult
    from ..core.standards import load_standard

    done = json.loads((entry / "done.json").read_text(encoding="utf-8"))
    if not isinstance(done, dict) or done.get("format") != FORMAT:
        return None
    standard = load_standard(standard)
    if done.get("standard") != standard.name:
        return None
    expected = {"schools"} | {f.name for f in dataclasses.fields(ScoringResult)
                              if f.name != "standard"}
    if set(done["tables"]) != expected:
        return None
    paths = {}
    for name, described in done["tables"].items():
        path = entry / Path(str(described["file"])).name  # never outside the entry
        if path.suffix != ".arrow":
            return None
        paths[name] = path
    return done, standard, paths


def _load(entry: Path, standard):
    """``(schools, result)`` from the files of ``entry``, or None when they are not as written.

    Not as written: unreadable, of another format, or a file changed since.
    """
    from ..core.scoring import ScoringResult

    try:
        described = _described(entry, standard)
        if described is None:
            return None
        done, standard, paths = described
        if done.get("counties") is not None:
            return None   # some counties' rows only: the whole tables are computed
        tables = {}
        for name, path in paths.items():
            table = _read_table(path, done["tables"][name])
            if table is None:
                return None
            tables[name] = table
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    except Exception:  # pyarrow's errors for a damaged file  # noqa: BLE001
        return None
    schools = tables.pop("schools")
    return schools, ScoringResult(standard=standard, **tables)


def _remember(key: str, value) -> None:
    _MEMORY[key] = value
    while len(_MEMORY) > _MEMORY_LIMIT:
        _MEMORY.pop(next(iter(_MEMORY)))


def clear_memory() -> None:
    """Forget the in-memory results (the files stay)."""
    _MEMORY.clear()
    _SOURCES.clear()


def scored_year(data_path: str | os.PathLike, standard, year: int,
                load_options: dict | None = None):
    """``(schools, result)``: every school of ``data_path`` and the scoring of ``year``.

    ``load_options`` are passed to the loader (``sheet``, ``columns``, ``county_code``,
    ``county_name``, ``allow``; empty values are left out) and are part of the cache key.

    ``schools`` holds all years (so that a notebook can say which years a county has);
    ``result`` is :func:`edubalance.core.scoring.score` of that year's schools under ``standard``.
    Cached as described in the module docstring when ``EDUBALANCE_CACHE_DIR`` is set.

    Parameters
    ----------
    data_path : str or path-like
        The schools file (CSV, Excel or Parquet).
    standard : str or Standard
        The standard to score against (a name or alias, or a :class:`Standard`).
    year : int
        The year scored.
    load_options : dict, optional
        Loader options (see above).

    Returns
    -------
    tuple of (pandas.DataFrame, ScoringResult)
        ``(schools, result)`` as above; copies when they come from the in-memory cache.

    Raises
    ------
    DataError
        The file fails validation (:func:`edubalance.io.load.load_schools`), or has no
        schools in ``year`` (naming the years it has).
    StandardError
        ``standard`` is an unknown name.
    """
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return _compute(data_path, standard, year, load_options)
    key = cache_key(data_path, standard, year, load_options)
    if key in _MEMORY:
        schools, result = _MEMORY[key]
        return _copy(schools), _copy(result)
    root = Path(folder)
    entry = root / key
    if (entry / "done.json").is_file():
        loaded = _load(entry, standard)
        if loaded is not None:
            _remember(key, loaded)
            return _copy(loaded[0]), _copy(loaded[1])
    with exclusive_lock(root / f"{key}.lock"):  # one worker computes, the others wait
        loaded = _load_or_compute(entry, data_path, standard, year, load_options)
    _remember(key, loaded)
    return _copy(loaded[0]), _copy(loaded[1])


def _load_or_compute(entry: Path, data_path, standard, year: int, load_options):
    """The entry's ``(schools, result)``, computed and stored if missing (lock held)."""
    loaded = _load(entry, standard) if (entry / "done.json").is_file() else None
    if loaded is None:  # missing, or not what was written: computed again
        shutil.rmtree(entry, ignore_errors=True)
        loaded = _compute_and_store(entry, data_path, standard, year, load_options)[:2]
    return loaded


# ------------------------------------------------------------------ one county's view

CHUNK_ROWS = 4096
"""Rows per record batch of an entry's tables: a county's rows are read from the few batches
holding them (a national county's 70 schools: one or two batches of 4,096 rows)."""

COUNTY_TABLES = ("schools", "indicators", "compliance")
"""The tables with a row per school (section): :func:`scored_county` keeps one county's rows."""


class _NotAsWritten(Exception):
    """An entry's county rows are not where ``done.json`` says (read in full instead)."""


class _Unresolved(Exception):
    """The county given resolves to no single county (the report says why)."""


def _default_index(frame: pd.DataFrame) -> bool:
    return isinstance(frame.index, pd.RangeIndex) and frame.index.equals(
        pd.RangeIndex(len(frame))) and frame.index.name is None


def _county_rows(frames: dict[str, pd.DataFrame]) -> dict | None:
    """Where each county's rows are in the tables :data:`COUNTY_TABLES` (for ``done.json``).

    Per table: ``rows`` (its length) and the runs of consecutive rows of one county (and
    name): ``codes``, ``starts``, ``stops`` (``names`` too for ``schools``: the county list
    a county is resolved against), in row order. None when a table has no ``county_code``,
    a missing code or name, or an index other than the default one (such an entry is only
    read in full).
    """
    out = {}
    for name, frame in frames.items():
        keys = ["county_code"] + (["county_name"] if name == "schools" else [])
        if not set(keys) <= set(frame.columns) or not _default_index(frame) or \
                frame[keys].isna().to_numpy().any():
            return None
        n = len(frame)
        change = np.zeros(n, dtype=bool)
        change[:1] = True
        for key in keys:
            codes = pd.factorize(frame[key])[0]
            change[1:] |= codes[1:] != codes[:-1]
        starts = np.flatnonzero(change)
        stops = np.append(starts[1:], n).astype(np.int64)
        runs = {"rows": n, "codes": frame["county_code"].astype(str).iloc[starts].tolist(),
                "starts": starts.tolist(), "stops": stops.tolist()}
        if name == "schools":
            runs["names"] = frame["county_name"].astype(str).iloc[starts].tolist()
        out[name] = runs
    return {"tables": out}


def _county_text(county) -> str:
    """A county as :func:`~edubalance.core.scoring.find_county` compares it."""
    return str(county).strip()


def _requested_codes(schools: pd.DataFrame, requested) -> set[str] | None:
    """The codes of the counties ``requested`` (texts of codes or names), or None for all.

    Resolved as :func:`~edubalance.core.scoring.find_county` resolves a county (a code
    first, then a name of exactly one code), in one pass over the file's counties. None
    also when one of them is not exactly one county (its job gets the whole tables, and
    its report names the close matches), or when they are every county of the file.
    """
    if requested is None or not {"county_code", "county_name"} <= set(schools.columns):
        return None
    pairs = schools[["county_code", "county_name"]].drop_duplicates()
    if pairs.isna().to_numpy().any():
        return None
    all_codes = pairs["county_code"].astype(str).tolist()
    by_name: dict[str, set[str]] = {}
    for code, name in zip(all_codes, pairs["county_name"].tolist(), strict=True):
        by_name.setdefault(name, set()).add(code)
    known = set(all_codes)
    codes = set()
    for text in requested:
        if text in known:
            codes.add(text)
        elif len(by_name.get(text, ())) == 1:
            codes |= by_name[text]
        else:
            return None
    return codes if codes < known else None


def _restricted_rows(rows: dict, codes: set[str]) -> tuple[dict, dict[str, np.ndarray]]:
    """The county runs of :func:`_county_rows` kept for the counties ``codes`` only.

    Returns the description (each table's runs in the kept table, with ``origins``, where
    each run starts in the whole table, and ``whole_rows``; ``pairs``, every county of the
    file, which a county is resolved against) and, per table, the positions kept.
    """
    tables, kept = {}, {}
    for name, runs in rows["tables"].items():
        picked = [i for i, code in enumerate(runs["codes"]) if code in codes]
        starts = np.asarray(runs["starts"], dtype=np.int64)[picked]
        lengths = np.asarray(runs["stops"], dtype=np.int64)[picked] - starts
        new_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) \
            if picked else np.empty(0, dtype=np.int64)
        kept[name] = np.concatenate([np.arange(a, a + n, dtype=np.int64) for a, n in
                                     zip(starts.tolist(), lengths.tolist(), strict=True)]) \
            if picked else np.empty(0, dtype=np.int64)
        table = {"rows": int(lengths.sum()), "codes": [runs["codes"][i] for i in picked],
                 "starts": new_starts.tolist(), "stops": (new_starts + lengths).tolist(),
                 "origins": starts.tolist(), "whole_rows": int(runs["rows"])}
        if "names" in runs:
            table["names"] = [runs["names"][i] for i in picked]
        tables[name] = table
    whole = rows["tables"]["schools"]
    return {"tables": tables, "pairs": {"codes": whole["codes"], "names": whole["names"]}}, kept


def _county_view(schools: pd.DataFrame, result, county):
    """``(schools, result)`` of :func:`scored_county` from the whole tables (new objects)."""
    from ..core.scoring import find_county
    from ..errors import ParameterError

    try:
        code, _ = find_county(schools, county)
    except ParameterError:
        raise _Unresolved(str(county)) from None

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["county_code"].astype(str) == code).to_numpy(dtype=bool)]

    kept = {f.name: _copy(getattr(result, f.name)) for f in dataclasses.fields(result)
            if isinstance(getattr(result, f.name), pd.DataFrame)}
    kept.update({name: rows(getattr(result, name)) for name in COUNTY_TABLES[1:]})
    return rows(schools), dataclasses.replace(result, **kept)


class _CountySource:
    """An entry opened for county views.

    The small tables in memory, the large ones (:data:`COUNTY_TABLES`) as checked file bytes
    from which a county's record batches are decoded on demand.
    """

    def __init__(self, frames: dict, readers: dict, runs: dict, standard,
                 pairs: pd.DataFrame, codes: set[str] | None = None) -> None:
        self.frames = frames
        self.readers = readers
        self.runs = runs
        self.standard = standard
        self.pairs = pairs
        self.codes = codes   # the counties whose rows the entry keeps (None: every county)

    def rows(self, name: str, code: str) -> pd.DataFrame:
        """The rows of county ``code`` of table ``name``, with their index in the whole table."""
        import pyarrow as pa

        reader, n, starts, data, described = self.readers[name]
        spans = self.runs[name].get(code, [])
        positions = (np.concatenate([np.arange(a, b, dtype=np.int64) for a, b, _ in spans])
                     if spans else np.empty(0, dtype=np.int64))
        index = (np.concatenate([np.arange(o, o + b - a, dtype=np.int64) for a, b, o in spans])
                 if spans else np.empty(0, dtype=np.int64))
        batch_of = np.searchsorted(starts, positions, side="right") - 1
        wanted = np.unique(batch_of)
        # The bytes of the batches decoded, checked at each use (a few MB, not the file).
        if not _intact(data, described, wanted.tolist()):
            raise _NotAsWritten(f"{name}: not the bytes written")
        batches = []
        for i in wanted.tolist():
            batch = reader.get_batch(i)
            if batch.num_rows != starts[i + 1] - starts[i]:
                raise _NotAsWritten(f"{name}: batch {i} has {batch.num_rows} rows")
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=reader.schema)
        lengths = np.diff(starts)[wanted]
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        local = positions - starts[batch_of] + offsets[np.searchsorted(wanted, batch_of)]
        frame = _to_pandas(table.take(pa.array(local, type=pa.int64())))
        if len(frame) and not (frame["county_code"].astype(str) == code).all():
            raise _NotAsWritten(f"{name}: rows of another county")
        mask = np.zeros(n, dtype=bool)   # n: the whole table's rows
        mask[index] = True
        frame.index = pd.RangeIndex(n)[mask]  # as ``frame[mask]`` of the whole table
        return frame

    def view(self, county):
        """``(schools, result)`` of :func:`scored_county` for ``county`` (code or name)."""
        from ..core.scoring import ScoringResult, find_county
        from ..errors import ParameterError

        try:
            code, county_name = find_county(self.pairs, county)
        except ParameterError:  # the whole tables say so, or say otherwise
            raise _NotAsWritten(f"county {county!r}") from None
        if self.codes is not None and code not in self.codes:
            raise _NotAsWritten(f"county {code}: not among the entry's counties")
        schools = self.rows("schools", code)
        if not (schools["county_name"].astype(str) == county_name).any():
            raise _NotAsWritten(f"county {code} is not named {county_name}")
        tables = {name: _copy(frame) for name, frame in self.frames.items()}
        tables.update({name: self.rows(name, code) for name in COUNTY_TABLES[1:]})
        return schools, ScoringResult(standard=self.standard, **tables)


def _open_source(entry: Path, standard) -> _CountySource | None:
    """The entry ``entry`` opened for county views, or None.

    None: missing, not as written, or written without county rows (then read in full).
    """
    import pyarrow as pa
    import pyarrow.ipc as ipc

    try:
        found = _described(entry, standard)
        if found is None or not isinstance(found[0].get("county_rows"), dict):
            return None
        done, standard, paths = found
        described_rows = done["county_rows"]["tables"]
        frames, readers, runs = {}, {}, {}
        for name, path in paths.items():
            described = done["tables"][name]
            if name not in COUNTY_TABLES:
                frame = _read_table(path, described)
                if frame is None:
                    return None
                frames[name] = frame
                continue
            # Memory-mapped: only the pages of the record batches a job decodes are read;
            # the schema and the footer (where the batches are) are checked here, each
            # batch's bytes when it is used (_CountySource.rows).
            with pa.memory_map(str(path), "r") as source:
                data = source.read_buffer()
            if not _intact(data, described, batches=()):
                return None
            reader = ipc.open_file(data, options=ipc.IpcReadOptions(use_threads=False))
            where = described_rows[name]
            n = int(where["rows"])
            starts = np.asarray(where["starts"], dtype=np.int64)
            stops = np.asarray(where["stops"], dtype=np.int64)
            # Where each run starts in the whole table (an entry of some counties only).
            origins = np.asarray(where.get("origins", starts), dtype=np.int64)
            whole_rows = int(where.get("whole_rows", n))
            # The runs must cover the table exactly once, in order, as the batches do, and
            # come from the whole table in its order, without overlapping.
            if len(starts) != len(stops) or len(starts) != len(where["codes"]) or \
                    (n and (starts[0] != 0 or stops[-1] != n or (stops <= starts).any()
                            or (starts[1:] != stops[:-1]).any())) or \
                    len(origins) != len(starts) or \
                    (n and (origins[0] < 0 or origins[-1] + stops[-1] - starts[-1] > whole_rows
                            or (origins[1:] < origins[:-1] + (stops - starts)[:-1]).any())) or \
                    reader.num_record_batches != len(described["batch_rows"]):
                return None
            batch_starts = np.concatenate(
                [[0], np.cumsum(np.asarray(described["batch_rows"], dtype=np.int64))])
            if batch_starts[-1] != n:
                return None
            spans: dict[str, list] = {}
            for code, start, stop, origin in zip(where["codes"], starts.tolist(),
                                                 stops.tolist(), origins.tolist(), strict=True):
                spans.setdefault(str(code), []).append((start, stop, origin))
            readers[name], runs[name] = (reader, whole_rows, batch_starts, data, described), spans
            if name == "schools":
                listed = done["county_rows"].get("pairs", where)
                pairs = pd.DataFrame({"county_code": [str(c) for c in listed["codes"]],
                                      "county_name": [str(c) for c in listed["names"]]})
        kept = done.get("counties")
        codes = None if kept is None else {str(code) for code in kept["codes"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    except Exception:  # pyarrow's errors for a damaged file  # noqa: BLE001
        return None
    return _CountySource(frames, readers, runs, standard, pairs, codes)


def scored_county(data_path: str | os.PathLike, standard, year: int, county,
                  load_options: dict | None = None):
    """``(schools, result)`` of one county: what :func:`scored_year` gives, for its report.

    ``schools`` holds only the county's rows (every year of the file), and so do
    ``result.indicators`` and ``result.compliance``; ``result.counties``, ``result.cv``,
    ``result.evidence`` and ``result.excluded`` are whole (the comparison with the other
    counties; the evidence is judged again with the county's own, see
    :func:`edubalance.core.scoring.with_evidence`). Each row keeps its index in the whole
    table, so that anything done with one county's rows (``result.for_county``, the county
    report) gives what it gives from :func:`scored_year`'s tables. A ``county`` that is not
    exactly one county of the file (unknown, or a name shared by several codes) gets the
    whole tables: the report's own lookup then names the close matches.

    With ``EDUBALANCE_CACHE_DIR`` set the batch's entry is read as for :func:`scored_year`
    (and computed, under its lock, when missing), but a new kernel decodes only the county's
    record batches of the three tables with a row per school (:data:`COUNTY_TABLES`) instead
    of converting the whole tables: on the national file (200,000 schools) about a
    CPU-second less for the first job of each worker, and no national-size frame per job.

    Parameters
    ----------
    data_path : str or path-like
        The schools file (CSV, Excel or Parquet).
    standard : str or Standard
        The standard to score against.
    year : int
        The year scored.
    county : str or int
        The county's code or name.
    load_options : dict, optional
        Loader options (as :func:`scored_year`).

    Returns
    -------
    tuple of (pandas.DataFrame, ScoringResult)
        ``(schools, result)`` as above, new objects for each call.

    Raises
    ------
    DataError
        As :func:`scored_year`.
    StandardError
        As :func:`scored_year`.

    Examples
    --------
    >>> import edubalance as eb
    >>> schools, result = scored_county("data/sample/schools.csv", "basic-2012", 2017, "灵武市")
    >>> sorted(set(schools["county_name"])), len(result.counties) > 2
    (['灵武市'], True)
    """
    folder = os.environ.get(CACHE_ENV)
    try:
        if not folder:
            return _county_view(*_compute(data_path, standard, year, load_options), county)
        key = cache_key(data_path, standard, year, load_options)
        if key in _MEMORY:
            return _county_view(*_MEMORY[key], county)
        root = Path(folder)
        entry = root / key
        source = _SOURCES.get(key) or _open_source(entry, standard)
        if source is None:
            lock = root / f"{key}.lock"
            with exclusive_lock(lock):  # until the batch (or a worker) has computed it
                pass
            # Opened beside the other workers' kernels waiting for the same entry, not in
            # turn under the lock; computed under it only if still missing or not as written.
            source = _open_source(entry, standard)
            if source is None:
                with exclusive_lock(lock):
                    source = _open_source(entry, standard)
                    if source is None:
                        loaded = _load_or_compute(entry, data_path, standard, year,
                                                  load_options)
                        _remember(key, loaded)
                        return _county_view(*loaded, county)
        _SOURCES[key] = source
        while len(_SOURCES) > _MEMORY_LIMIT:
            _SOURCES.pop(next(iter(_SOURCES)))
        try:
            return source.view(county)
        except _NotAsWritten:  # the whole tables decide (an unknown county: the whole tables)
            return _county_view(*scored_year(data_path, standard, year, load_options), county)
    except _Unresolved:
        return scored_year(data_path, standard, year, load_options)


# ------------------------------------------------------------------ computed before the jobs

LOADER_OPTIONS = ("county_code", "sheet", "columns", "allow")
"""The loader options a county notebook passes to :func:`scored_year` (``load_options``)."""


def scoring_request(notebook_source: str, parameters: dict, defaults: dict) -> tuple | None:
    """The :func:`scored_year` arguments a job will read, or None when it reads none.

    A notebook that calls ``eb.run.cache.scored_year`` (or :func:`scored_county`) and
    declares ``data_path``,
    ``standard`` and ``year`` (the county scoring notebook) reads
    ``scored_year(find_data_file(data_path), standard, year, load_options)`` with
    ``load_options`` its loader parameters (:data:`LOADER_OPTIONS`, ``county_code`` as text).
    The batch computes that once, before its workers need it (:func:`prepare_entry`), from
    its working folder (where the jobs' kernels start). Should
    the notebook ask for something else, the entry is only unused: the key is the content.

    Parameters
    ----------
    notebook_source : str
        The notebook's text (its ``.ipynb`` JSON).
    parameters : dict
        The job's parameters.
    defaults : dict
        The notebook's parameter defaults (name -> value).

    Returns
    -------
    tuple or None
        ``(data_file, standard, year, load_options)``.

    Examples
    --------
    >>> scoring_request("no call here", {"data_path": "x.csv"}, {}) is None
    True
    """
    if "scored_year(" not in notebook_source and "scored_county(" not in notebook_source:
        return None
    values = {**defaults, **parameters}
    if not all(isinstance(values.get(name), kind) for name, kind in
               (("data_path", str), ("standard", str), ("year", int))):
        return None
    from .notebook import find_data_file

    try:  # from the working folder, as the job's kernel (which starts there)
        data = find_data_file(values["data_path"])
    except (FileNotFoundError, OSError):
        return None
    options = {name: values.get(name) for name in LOADER_OPTIONS if name in values}
    if "county_code" in options:
        options["county_code"] = str(options["county_code"])
    return data, values["standard"], int(values["year"]), options


def requested_county(notebook_source: str, parameters: dict, defaults: dict):
    """The county a job reads with :func:`scored_county` alone, or None.

    None when the notebook also reads whole years (``scored_year``), reads none, or has no
    ``county`` parameter (text or a whole number): its batch then keeps every county's
    rows (:func:`prepare_entry`).

    Parameters
    ----------
    notebook_source, parameters, defaults
        As :func:`scoring_request`.

    Returns
    -------
    str or int or None
        The job's ``county`` parameter, or None as above.

    Examples
    --------
    >>> requested_county("scored_county(data, standard, year, county)", {"county": "灵武市"}, {})
    '灵武市'
    >>> requested_county("scored_year(data, standard, year)", {"county": "灵武市"}, {}) is None
    True
    """
    if "scored_county(" not in notebook_source or "scored_year(" in notebook_source:
        return None
    county = {**defaults, **parameters}.get("county")
    if isinstance(county, bool) or not isinstance(county, (str, int)):
        return None
    return county


def prepare_entry(data_path: str | os.PathLike, standard, year: int,
                  load_options: dict | None = None, folder: str | os.PathLike | None = None,
                  locked=None, counties=None) -> bool:
    """Compute and store the cache entry of ``scored_year(...)`` unless it is there already.

    For the batch, before its workers start: the entry is then read by every job, never
    computed by one while the others wait. Nothing is kept in memory. An entry already
    stored (by an earlier batch into the same folder, as on ``--resume``) is left as it is
    when it holds the counties asked for.

    With ``counties`` (the batch's jobs read only these counties, with
    :func:`scored_county`) the tables with a row per school keep only their rows: the
    year is still scored whole (every county's ``counties``, ``cv`` and ``evidence`` rows,
    the comparison), but a batch of 4 of a national file's 5,700 counties writes 8 MB
    instead of 190 MB (0.35 CPU-s less before its jobs can start). Such an entry serves
    those counties only: :func:`scored_year`, or a county it does not hold, computes and
    stores the whole year (what an entry without ``counties`` is).

    Parameters
    ----------
    data_path, standard, year, load_options
        As :func:`scored_year`.
    folder : path, optional
        The cache folder (default ``$EDUBALANCE_CACHE_DIR``).
    locked : file, optional
        The entry's lock file, already locked by the caller (:func:`lock_entry`); released
        here.
    counties : iterable of str or int, optional
        The counties (codes or names, as the jobs give them) whose rows are kept; default
        every county. Every county is kept when one of them is not exactly one county of
        the file, or when they are all its counties.

    Returns
    -------
    bool
        Whether the entry was computed here.
    """
    import fcntl

    root = Path(folder or os.environ[CACHE_ENV])
    key = cache_key(data_path, standard, year, load_options)
    entry = root / key
    lock = locked if locked is not None else lock_entry(root, key)
    try:
        if (entry / "done.json").is_file() and _holds(entry, counties):
            return False   # checked (sha256 digests) by each job that reads it
        shutil.rmtree(entry, ignore_errors=True)
        try:
            return _compute_and_store(entry, data_path, standard, year, load_options,
                                      counties)[2]
        except Exception:  # noqa: BLE001 - the job computes it and says what is wrong
            return False
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _holds(entry: Path, counties) -> bool:
    """Whether the stored ``entry`` holds the rows of ``counties`` (None: of every county)."""
    try:
        done = json.loads((entry / "done.json").read_text(encoding="utf-8"))
        kept = done.get("counties")
        if kept is None:
            return True   # every county
        return counties is not None and \
            {_county_text(county) for county in counties} <= set(kept["requested"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True   # the jobs find it not as written, and compute it


def lock_entry(root: str | os.PathLike, key: str):
    """The lock file of entry ``key`` under ``root``, locked (jobs wait on it).

    Blocks until no other process holds the lock; ``root`` is created if missing.

    Parameters
    ----------
    root : str or path-like
        The cache folder.
    key : str
        The entry's key (:func:`cache_key`); the lock file is ``root/<key>.lock``.

    Returns
    -------
    file
        The open lock file, holding an exclusive ``flock``; the caller unlocks and closes it
        (:func:`prepare_entry` does both when given it as ``locked``).
    """
    import fcntl

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    lock = open(root / f"{key}.lock", "a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock
