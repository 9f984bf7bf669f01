"""Helpers every notebook uses: parameter checks and writing results to ``output_dir``.

Notebooks hold no logic of their own; these functions make the parameter contract strict
(papermill only *warns* about unknown parameters) and give one way to write results that the
tests, the batch runner and the report index all read.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["ParameterError", "check_parameters", "write_results", "neutralise_formulas",
           "to_jsonable", "atomic_write_text", "read_summary", "find_data_file", "atomic_target"]

# Names IPython puts in a kernel's namespace on its own.
_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class ParameterError(ValueError):
    """A notebook parameter is unknown, missing or of the wrong type."""


def _type_name(expected) -> str:
    if isinstance(expected, tuple):
        return " or ".join(_type_name(t) for t in expected)
    return "null" if expected is type(None) else expected.__name__


def check_parameters(namespace: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    """Check a notebook's parameters against a spec of allowed types; fail on any unknown name.

    Call it in the cell right after the ``parameters`` cell (and papermill's injected cell),
    before anything else is defined, with ``globals()``. Every public, non-module name in the
    namespace must be in ``spec``; its value must be an instance of the given type(s).
    ``int`` values are accepted where ``float`` is expected; ``bool`` is never taken as ``int``.

    Parameters
    ----------
    namespace : mapping
        Usually ``globals()`` of the notebook.
    spec : mapping
        Parameter name -> type or tuple of types.

    Returns
    -------
    dict
        The parameters, by name.

    Raises
    ------
    ParameterError
        Listing every unknown, missing and ill-typed parameter at once.

    Examples
    --------
    >>> check_parameters({"year": 2017, "county": "灵武市"}, {"year": int, "county": str})
    {'year': 2017, 'county': '灵武市'}
    >>> check_parameters({"yaer": 2017}, {"year": int})
    Traceback (most recent call last):
    ...
    edubalance.notebook.ParameterError: unknown parameter(s): yaer (allowed: year); missing parameter(s): year
    """
    candidates = {
        name: value for name, value in namespace.items()
        if not name.startswith("_") and name not in _KERNEL_NAMES
        and not isinstance(value, types.ModuleType) and not callable(value)
    }
    problems = []
    unknown = sorted(set(candidates) - set(spec))
    if unknown:
        problems.append(f"unknown parameter(s): {', '.join(unknown)} (allowed: {', '.join(spec)})")
    missing = [name for name in spec if name not in candidates]
    if missing:
        problems.append(f"missing parameter(s): {', '.join(missing)}")
    for name, expected in spec.items():
        if name not in candidates:
            continue
        value = candidates[name]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if float in allowed:
            allowed = allowed + (int,)
        ok = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
        if not ok:
            problems.append(f"parameter {name}={value!r} should be {_type_name(expected)}, "
                            f"not {type(value).__name__}")
    if problems:
        raise ParameterError("; ".join(problems))
    return {name: candidates[name] for name in spec}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas.

    A text cell starting with ``= + - @`` or a tab/CR is prefixed with an apostrophe (OWASP
    advice on CSV injection). Numbers are left alone, so ``-3.5`` stays a number.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"name": ["=1+1", "灵武市", "-x"]}))["name"].tolist()
    ["'=1+1", '灵武市', "'-x"]
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            is_text = series.map(lambda v: isinstance(v, str))
            risky = is_text & series.astype(str).str.startswith(_FORMULA_START)
            if risky.any():
                out[column] = series.where(~risky, "'" + series.astype(str))
    if isinstance(out.columns, pd.Index) and out.columns.dtype == object:
        out.columns = ["'" + c if isinstance(c, str) and c.startswith(_FORMULA_START) else c
                       for c in out.columns]
    return out


def to_jsonable(value: Any) -> Any:
    """Convert NumPy/pandas values to plain JSON types; NaN and NA become ``None``.

    Examples
    --------
    >>> to_jsonable({"cv": float("nan"), "n": np.int64(3), "ok": np.bool_(True)})
    {'cv': None, 'n': 3, 'ok': True}
    """
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
    """Yield a temporary path next to ``path``; on success rename it to ``path``, else remove it.

    Whatever writes to the yielded path (a DataFrame, a workbook, a figure) either replaces
    ``path`` whole or leaves it untouched: no partial file is ever visible under the final name.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_target(target) as tmp:
    ...     _ = tmp.write_text("a\\n1\\n")
    >>> target.read_text()
    'a\\n1\\n'
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


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder."""
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
    """Read ``summary.json`` from a results folder, or ``None`` if there is none."""
    path = Path(output_dir) / "summary.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def find_data_file(path: str | os.PathLike, levels: int = 3) -> Path:
    """Find a relative data file from the working folder or one of its parents.

    Papermill and the batch run notebooks from the project root, but JupyterLab and Voila start
    the kernel in the notebook's folder; looking in the parents lets the same relative
    ``data_path`` (``data/sample/schools.csv``) work in all of them.

    Raises
    ------
    FileNotFoundError
        Naming the folders searched.

    Examples
    --------
    >>> find_data_file(__file__) == Path(__file__)
    True
    """
    path = Path(path)
    if path.is_absolute() or path.exists():
        if not path.exists():
            raise FileNotFoundError(f"file not found: {path}")
        return path
    folder = Path.cwd()
    searched = []
    for candidate in [folder, *folder.parents][:levels + 1]:
        searched.append(str(candidate))
        if (candidate / path).is_file():
            return candidate / path
    raise FileNotFoundError(f"file not found: {path} (looked in {', '.join(searched)})")
