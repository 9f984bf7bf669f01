"""Helpers every notebook uses: parameter checks and writing results to ``output_dir``.

Notebooks hold no logic of their own; these functions make the parameter contract strict
(papermill only *warns* about unknown parameters) and give one way to write results that the
tests, the batch runner and the report index all read.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Mapping

from .._compat import moved_names as _moved_names
from ..errors import ParameterError
from ..io.write import (
    atomic_target,
    atomic_write_text,
    neutralise_formulas,
    read_summary,
    to_jsonable,
    write_results,
)

__all__ = ["ParameterError", "check_notebook_parameters", "write_results", "neutralise_formulas",
           "to_jsonable", "atomic_write_text", "read_summary", "find_data_file", "atomic_target",
           "in_batch_job", "use_readable_parameters", "readable_python_translator"]

# ``check_parameters`` was also the name of the analyses' own checks of their values (now
# check_equity_parameters and check_clustering_parameters): renamed, with a warning.
__getattr__ = _moved_names(__name__, {"check_parameters": f"{__name__}:check_notebook_parameters"})


def use_readable_parameters() -> None:
    r"""Have papermill write text parameters as Python literals that keep their characters.

    papermill writes every non-ASCII character of a string parameter as an escape: the cell
    it injects says ``county = "\u5174\u5e86\u533a"`` where the user wrote 兴庆区, and
    that is what an inspector opening the executed notebook reads. The batch registers, in
    each worker, :func:`readable_python_translator`, which writes ``repr(value)`` instead.
    ``papermill`` run by hand is unchanged.
    """
    from papermill.translators import papermill_translators

    papermill_translators.register("python", readable_python_translator())


@functools.lru_cache(maxsize=None)
def readable_python_translator():
    """The Python translator of papermill, writing strings as ``repr`` does.

    The same string, valid Python, with Chinese (and any printable) characters as they are
    and everything else (quotes, newlines, control characters) escaped.

    Returns
    -------
    type
        A subclass of ``papermill.translators.PythonTranslator``.

    Examples
    --------
    >>> translator = readable_python_translator()
    >>> print(translator.codify({"county": '兴庆区 "新"'}).strip())
    # Parameters
    county = '兴庆区 "新"'
    """
    from papermill.translators import PythonTranslator

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_escaped_str(cls, str_val):
            if isinstance(str_val, str):
                return repr(str_val)
            return super().translate_escaped_str(str_val)

    return ReadablePythonTranslator

def check_notebook_parameters(namespace: Mapping[str, Any],
                              spec: Mapping[str, Any]) -> dict[str, Any]:
    """Check a notebook's parameters against a spec of allowed types; fail on any unknown name.

    Call it in the cell right after the ``parameters`` cell (and papermill's injected cell),
    before anything else is defined, with ``globals()``. Every public, non-module name in the
    namespace must be in ``spec``; its value must be an instance of the given type(s).
    ``int`` values are accepted where ``float`` is expected; ``bool`` is never taken as ``int``.
    The rules are those of :class:`edubalance.run.params.ParameterModel`, which the batch
    also applies (reading this call from the notebook) before any job starts.

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
    >>> check_notebook_parameters({"year": 2017, "county": "灵武市"}, {"year": int, "county": str})
    {'year': 2017, 'county': '灵武市'}
    >>> check_notebook_parameters({"yaer": 2017}, {"year": int})
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: unknown parameter(s): yaer (allowed: year); missing parameter(s): year
    """
    from .params import ParameterModel

    return ParameterModel.from_spec(spec).check_namespace(namespace)


def find_data_file(path: str | os.PathLike, levels: int = 3) -> Path:
    """Find a relative data file from the working folder or one of its parents.

    Papermill and the batch run notebooks from the project root, but JupyterLab and Voila start
    the kernel in the notebook's folder; looking in the parents lets the same relative
    ``data_path`` (``data/sample/schools.csv``) work in all of them.

    Parameters
    ----------
    path : str or path-like
        The file; an absolute path, or one found from the working folder, is returned as
        given.
    levels : int, default 3
        How many parent folders of the working folder to look in.

    Returns
    -------
    Path
        The file: ``path`` itself, or the parent folder where it was found joined with it.

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


def in_batch_job() -> bool:
    """Whether this kernel runs a job of `edubalance batch` (any engine).

    A job's report is a static HTML page: widgets cannot run there, so a notebook skips what
    only a live frontend can show (the explorer draws its figures once, as still figures,
    instead of also into a widget view nobody will see).

    Returns
    -------
    bool
        Whether the batch's job marker is set in the environment
        (``EDUBALANCE_BATCH_JOB=1``).

    Examples
    --------
    >>> import os
    >>> in_batch_job() == (os.environ.get("EDUBALANCE_BATCH_JOB") == "1")
    True
    """
    from .job import BATCH_JOB_ENV

    return os.environ.get(BATCH_JOB_ENV) == "1"
