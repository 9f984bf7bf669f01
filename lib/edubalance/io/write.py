"""Atomic, formula-safe writing of results: the package's one file-writing layer.

Every file the package writes (CSV, JSON, Parquet, workbooks, figures, HTML) goes through
:func:`atomic_target`, so no partial file is ever visible under its final name; every table a
spreadsheet may open goes through :func:`neutralise_formulas`.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import pandas as pd

# NumPy and pandas are imported by the functions that need them: a batch worker writes each
# report with atomic_write_text and must not pay pandas' import (half a second) for it.

__all__ = ["neutralise_formulas", "to_jsonable", "atomic_target", "atomic_write_text",
           "exclusive_lock", "write_results", "read_summary"]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas.

    A text cell starting with ``= + - @`` or a tab/CR is prefixed with an apostrophe (OWASP
    advice on CSV injection). Numbers are left alone, so ``-3.5`` stays a number.

    Parameters
    ----------
    frame : DataFrame
        The table to write; it is not modified.

    Returns
    -------
    DataFrame
        A copy with risky text cells (and column names) prefixed with ``'``.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"name": ["=1+1", "灵武市", "-x"]}))["name"].tolist()
    ["'=1+1", '灵武市', "'-x"]
    """
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            # Plain NumPy booleans: on an empty ``str``-typed column pandas' own ``map``
            # keeps the ``str`` dtype, and ``str & bool`` raises (issue 14, item 1).
            values = series.to_numpy(dtype=object)
            risky = np.fromiter((isinstance(v, str) and v.startswith(_FORMULA_START)
                                 for v in values), dtype=bool, count=len(values))
            if risky.any():
                fixed = values.copy()
                fixed[risky] = ["'" + v for v in values[risky]]
                out[column] = pd.Series(fixed, index=series.index, dtype=series.dtype
                                        if not isinstance(series.dtype, pd.CategoricalDtype)
                                        else object)
    # Whatever the labels' dtype (object, or pandas 3's ``str``): a header cell runs too.
    if not isinstance(out.columns, pd.MultiIndex) and any(
            isinstance(c, str) and c.startswith(_FORMULA_START) for c in out.columns):
        out.columns = ["'" + c if isinstance(c, str) and c.startswith(_FORMULA_START) else c
                       for c in out.columns]
    return out


def to_jsonable(value: Any) -> Any:
    """Convert NumPy/pandas values to plain JSON types; NaN and NA become ``None``.

    Parameters
    ----------
    value : object
        A scalar, mapping, sequence, array or Series, nested as deep as needed.

    Returns
    -------
    object
        The same structure of plain ``dict``, ``list``, ``bool``, ``int``, ``float``, ``str``
        and ``None``; mapping keys become strings, timestamps ISO text, paths text.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"cv": float("nan"), "n": np.int64(3), "ok": np.bool_(True)})
    {'cv': None, 'n': 3, 'ok': True}
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray, pd.Series)):
        return [to_jsonable(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _make_readable(path) -> None:
    # mkstemp creates files readable by the owner only; results are meant to be shared.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


@contextmanager
def atomic_target(path: str | os.PathLike):
    r"""Yield a temporary path next to ``path``; on success rename it to ``path``, else remove it.

    Whatever writes to the yielded path (a DataFrame, a workbook, a figure) either replaces
    ``path`` whole or leaves it untouched: no partial file is ever visible under the final name.

    Parameters
    ----------
    path : str or path-like
        The final file; its folder is created if missing.

    Yields
    ------
    Path
        A temporary file in the same folder, renamed to ``path`` when the block succeeds.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_target(target) as tmp:
    ...     _ = tmp.write_text("a\n1\n")
    >>> target.read_text()
    'a\n1\n'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix or ".tmp")
    os.close(fd)
    tmp = Path(name)
    _make_readable(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def exclusive_lock(path: str | os.PathLike):
    """Hold an exclusive lock on the file ``path`` for the block (other processes wait).

    For work done once by whichever process comes first (a batch cache entry, the PDFs'
    font): the caller checks again inside the block whether another did it meanwhile. The
    lock file (and its folder) is created if missing and left in place.

    Parameters
    ----------
    path : str or path-like
        The lock file.

    Yields
    ------
    None

    Examples
    --------
    >>> import tempfile
    >>> with exclusive_lock(Path(tempfile.mkdtemp()) / "x.lock"):
    ...     pass
    """
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder.

    Parameters
    ----------
    path : str or path-like
        The file to write (replaced whole, or left untouched on failure).
    text : str
        The content, written as UTF-8 without newline translation.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_target(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return Path(path)


def write_results(output_dir: str | os.PathLike, summary: Mapping[str, Any] | None = None,
                  tables: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Path]:
    """Write a notebook's machine-readable results to ``output_dir`` all at once.

    Tables go to ``<name>.csv`` (UTF-8 with BOM so that Excel shows Chinese, text cells
    neutralised against formula injection, no index); ``summary`` goes to ``summary.json``
    with NaN written as ``null``. Everything is first written to a temporary folder next to
    ``output_dir`` and moved in only when all files are complete, so a failure leaves no
    partial result.

    Parameters
    ----------
    output_dir : path
    summary : mapping, optional
    tables : mapping of file stem -> DataFrame, optional
        Stems must be plain file names (no folders).

    Returns
    -------
    dict
        File stem (``"summary"`` for the JSON) -> written path.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> out = write_results(tempfile.mkdtemp(), {"cv": float("nan")}, {"cv": pd.DataFrame({"a": [1]})})
    >>> sorted(out)
    ['cv', 'summary']
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    tables = dict(tables or {})
    for stem in tables:
        if Path(stem).name != stem or stem in {"", ".", ".."}:
            raise ValueError(f"table name {stem!r} must be a plain file name")
    staging = Path(tempfile.mkdtemp(dir=output_dir, prefix=".staging-"))
    os.chmod(staging, 0o755)
    written: dict[str, Path] = {}
    try:
        for stem, frame in tables.items():
            neutralise_formulas(frame).to_csv(staging / f"{stem}.csv", index=False,
                                              encoding="utf-8-sig")
        if summary is not None:
            text = json.dumps(to_jsonable(summary), ensure_ascii=False, indent=2, allow_nan=False)
            (staging / "summary.json").write_text(text + "\n", encoding="utf-8")
        for item in sorted(staging.iterdir()):
            target = output_dir / item.name
            os.replace(item, target)
            written[item.stem] = target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def read_summary(output_dir: str | os.PathLike) -> dict[str, Any] | None:
    """Read ``summary.json`` from a results folder, or ``None`` if there is none.

    Parameters
    ----------
    output_dir : str or path-like
        A results folder written by :func:`write_results`.

    Returns
    -------
    dict or None
        The parsed ``summary.json``; None when the folder has none.
    """
    path = Path(output_dir) / "summary.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
