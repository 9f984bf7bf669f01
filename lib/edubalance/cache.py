"""Shared work computed once per batch: loaded, validated and scored school tables.

A county report needs the whole year's scoring (its county, plus every other county for the
comparison). When many jobs of a batch read the same file with the same standard and year,
the batch sets ``EDUBALANCE_CACHE_DIR`` (``<output>/.cache``) and the work is done once:

- the key is a content hash (sha256) of the data file, the standard (its name, or the
  content of a standard given as an object), the year, the package version and a hash of
  the package's code;
- the first job to need a key computes it under a lock file (other workers wait for it
  instead of computing the same thing), then writes one Parquet file per table and a small
  JSON description, each through a temporary file and an atomic rename; a folder is only
  used once its ``done.json`` exists, so a killed job never leaves a half cache behind;
- a warm kernel also keeps the last results in memory, and hands each job copies (shallow
  under pandas copy-on-write, which copies a column on its first write; deep otherwise)
  (a job that modifies its tables cannot change the next job's);
- a table whose Parquet round trip would change it (dtypes, values) is kept as a pickle
  instead, so a cached result is always identical to a computed one.

Without ``EDUBALANCE_CACHE_DIR`` (a notebook run on its own) everything is computed
directly: the results are the same.

Examples
--------
>>> import edubalance as eb
>>> schools, result = eb.cache.scored_year("data/sample/schools.csv", "basic-2012", 2017)  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CACHE_ENV", "load_schools", "scored_year", "cache_key", "clear_memory"]

CACHE_ENV = "EDUBALANCE_CACHE_DIR"
_MEMORY: dict[str, tuple[pd.DataFrame, Any]] = {}
_MEMORY_LIMIT = 4
_DIGESTS: dict[tuple[str, int, int], str] = {}
_CODE: list[str] = []


def load_schools(data_path: str | os.PathLike) -> pd.DataFrame:
    """The validated school table of ``data_path`` (see :func:`edubalance.data.load_schools`)."""
    from .data import load_schools as _load

    return _load(Path(data_path))


def _file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


def _code_hash() -> str:
    if not _CODE:
        from .run.plan import package_code_hash

        _CODE.append(package_code_hash())
    return _CODE[0]


def cache_key(data_path: str | os.PathLike, standard, year: int) -> str:
    """The content key of ``scored_year(data_path, standard, year)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> data = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = data.write_text("a\\n1\\n")
    >>> cache_key(data, "basic-2012", 2017) == cache_key(data, "basic-2012", 2017)
    True
    >>> cache_key(data, "basic-2012", 2017) != cache_key(data, "quality-2017", 2017)
    True
    """
    from . import __version__

    if isinstance(standard, str):
        standard_id = standard
    else:
        standard_id = "object:" + hashlib.sha256(
            repr(getattr(standard, "__dict__", standard)).encode("utf-8")).hexdigest()
    payload = {"data": _file_digest(Path(data_path)), "standard": standard_id,
               "year": int(year), "version": __version__, "code": _code_hash()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def _compute(data_path, standard, year: int):
    from .scoring import score

    schools = load_schools(data_path)
    return schools, score(schools[schools["year"] == year], standard)


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


def _write_table(frame: pd.DataFrame, folder: Path, name: str) -> str:
    target = folder / f"{name}.parquet"
    try:
        frame.to_parquet(target)
        back = pd.read_parquet(target)
        if back.dtypes.equals(frame.dtypes) and back.index.equals(frame.index) \
                and back.equals(frame):
            return target.name
    except Exception:
        pass
    target.unlink(missing_ok=True)
    target = folder / f"{name}.pickle"
    frame.to_pickle(target)
    return target.name


def _store(entry: Path, schools: pd.DataFrame, result) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{entry.name}-", dir=entry.parent))
    try:
        tables = {"schools": _write_table(schools, work, "schools")}
        others = {}
        for item in dataclasses.fields(result):
            value = getattr(result, item.name)
            if isinstance(value, pd.DataFrame):
                tables[item.name] = _write_table(value, work, item.name)
            else:
                others[item.name] = value
        with (work / "other.pickle").open("wb") as handle:
            pickle.dump(others, handle)
        (work / "done.json").write_text(json.dumps({"tables": tables}), encoding="utf-8")
        try:
            os.rename(work, entry)
        except OSError:  # another worker finished first: its copy is as good
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_pickle(path)


def _load(entry: Path):
    from .scoring import ScoringResult

    done = json.loads((entry / "done.json").read_text(encoding="utf-8"))
    tables = {name: _read_table(entry, file) for name, file in done["tables"].items()}
    with (entry / "other.pickle").open("rb") as handle:
        others = pickle.load(handle)
    schools = tables.pop("schools")
    return schools, ScoringResult(**tables, **others)


def _remember(key: str, value) -> None:
    _MEMORY[key] = value
    while len(_MEMORY) > _MEMORY_LIMIT:
        _MEMORY.pop(next(iter(_MEMORY)))


def clear_memory() -> None:
    """Forget the in-memory results (the files stay)."""
    _MEMORY.clear()


def scored_year(data_path: str | os.PathLike, standard, year: int):
    """``(schools, result)``: every school of ``data_path`` and the scoring of ``year``.

    ``schools`` holds all years (so that a notebook can say which years a county has);
    ``result`` is :func:`edubalance.scoring.score` of that year's schools under ``standard``.
    Cached as described in the module docstring when ``EDUBALANCE_CACHE_DIR`` is set.
    """
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return _compute(data_path, standard, year)
    key = cache_key(data_path, standard, year)
    if key in _MEMORY:
        schools, result = _MEMORY[key]
        return _copy(schools), _copy(result)
    root = Path(folder)
    entry = root / key
    if not (entry / "done.json").is_file():
        root.mkdir(parents=True, exist_ok=True)
        import fcntl

        with open(root / f"{key}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker computes, the others wait
            try:
                if not (entry / "done.json").is_file():
                    shutil.rmtree(entry, ignore_errors=True)
                    schools, result = _compute(data_path, standard, year)
                    try:
                        _store(entry, schools, result)
                    except OSError:
                        pass  # a cache that cannot be written is only slower
                    _remember(key, (schools, result))
                    return _copy(schools), _copy(result)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    schools, result = _load(entry)
    _remember(key, (schools, result))
    return _copy(schools), _copy(result)
