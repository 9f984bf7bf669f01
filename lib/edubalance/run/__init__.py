"""Running notebooks: the parameter model, batch files, the plan, jobs, engines, manifest, index.

Layers inside (each imports only those above it)::

    params     one parameter model for a notebook's first cell and the batch's check
    batchfile  safe YAML batch files (size/alias limits, duplicate keys, relative paths)
    plan       jobs from batch files: grid, folder names, up-front check, fingerprints
    manifest   manifest.json entries (built in one place), the folder lock
    job        one job: temporary folder, watchdog, HTML report, job.json, rename
    isolation  what a warm kernel resets between jobs
    engines    warm (default), cold and Dask engines
    index      the index page (Jinja2 template)
    runner     the batch: run_batch, signals, write failures, summary

``edubalance.run.batch`` is the public façade and the ``edubalance batch`` command.
Submodules are imported on use (``edubalance.run.params`` needs no kernel machinery).
"""
from __future__ import annotations

import sys

from .._compat import lazy_submodules as _lazy

__all__ = ["skip_slow_optional_imports"]


def skip_slow_optional_imports() -> None:
    """Leave out an optional import that costs seconds in every process reading a notebook.

    jsonschema (imported by nbformat, papermill and nbconvert) imports ``rfc3987_syntax``,
    when installed, for its "iri" format checks; that module compiles ~35 Earley grammars at
    import, about 1.5 s of CPU (python-jsonschema/jsonschema#1428). No notebook schema uses
    that format, so edubalance's own processes (the command, batch workers) mark it as not
    installed; jsonschema then leaves "iri" unchecked. Called by :func:`edubalance.cli.main` and the batch
    workers only: importing the package changes nothing.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


__getattr__, __dir__ = _lazy(__name__, __path__)
