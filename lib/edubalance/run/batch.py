"""Run notebooks for many parameter sets, in parallel, with a manifest and a browsable index.

A batch file (YAML) names a notebook, parameters shared by every job and a grid whose
product gives one job per combination::

    notebook: notebooks/county_scoring.ipynb   # absolute, or relative to the working folder
    parameters: {data_path: data/sample/schools.csv, standard: basic-2012, year: 2017}
    grid: {county: all}                        # `all`: every county in data_path

Relative paths are looked up from the working folder, then from the batch file's folder.
Each job writes to ``DIR/<notebook-stem>/<slug>/`` (the slug names every identifying
parameter: ``county=灵武市,standard=basic-2012,year=2017``): an HTML report without code,
the notebook's own results and ``job.json`` (``--keep notebook`` also keeps the executed
notebook). ``DIR/manifest.json`` and ``DIR/index.html`` list every job the folder holds;
``--resume`` re-runs only what is missing or whose inputs changed.

This module is the public façade; the work is done in :mod:`edubalance.run` (parameter
model, plan, engines, manifest, index). Engines: ``warm`` (default: one kernel per worker,
reset to a snapshot before each job, see :mod:`edubalance.run.isolation`), ``cold`` (a fresh
kernel per job), ``dask``.
"""
from __future__ import annotations

import argparse
import sys

from .batchfile import counties_in, load_batch_file
from .engines import DEFAULT_ENGINE, ENGINES, KERNEL_NAME, execute_job, execute_job_warm
from .job import DEFAULT_KEEP, KEEP_CHOICES, is_leftover_of
from .manifest import JOB_MARKER, MANIFEST, BatchLockedError
from .params import notebook_parameters
from .plan import Job, fingerprint, job_slug, package_code_hash, plan_jobs, safe_name, validate_jobs
from .runner import DEFAULT_TIMEOUT, BatchResult, BatchWriteError, is_complete, run_batch, summarise

__all__ = ["Job", "BatchResult", "load_batch_file", "plan_jobs", "validate_jobs",
           "notebook_parameters", "job_slug", "safe_name", "fingerprint", "package_code_hash",
           "execute_job", "execute_job_warm", "run_batch", "summarise", "register_cli",
           "counties_in", "is_complete", "is_leftover_of", "BatchLockedError",
           "BatchWriteError", "KERNEL_NAME", "JOB_MARKER", "MANIFEST", "ENGINES",
           "DEFAULT_ENGINE", "DEFAULT_TIMEOUT"]


def _keep(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _handle_batch(args: argparse.Namespace) -> int:
    result = run_batch(args.batch_files, output=args.output, workers=args.workers,
                       resume=args.resume, only=args.only, engine=args.engine,
                       scheduler=args.scheduler, timeout=args.timeout,
                       progress=not args.quiet, keep=args.keep, pdf=args.pdf, lang=args.lang,
                       wait_lock=args.wait_lock, first=args.first)
    print(summarise(result))
    if result.interrupted:
        print(f"edubalance batch: interrupted ({result.interrupted})", file=sys.stderr)
    return result.exit_code


def register_cli(subparsers) -> None:
    """Add ``edubalance batch``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``edubalance`` command's sub-parsers (``add_subparsers()``); the ``batch`` parser
        is added to them, with ``func`` set to the handler that runs the batch.
    """
    parser = subparsers.add_parser(
        "batch", help="run notebooks over many parameter sets (YAML batch files)",
        description="Run each batch file's notebook for every parameter set of its grid, in "
                    "parallel; write DIR/manifest.json and DIR/index.html. Exit 0 only if "
                    "every job succeeded.")
    parser.add_argument("batch_files", nargs="+", metavar="PARAMS.yaml")
    parser.add_argument("--workers", type=int, default=None,
                        help="parallel jobs (default: number of cores)")
    parser.add_argument("--resume", action="store_true",
                        help="skip jobs already complete with unchanged parameters and inputs")
    parser.add_argument("--output", default="reports", metavar="DIR",
                        help="output folder (default: reports)")
    parser.add_argument("--only", metavar="PATTERN",
                        help="run only jobs whose slug or grid value matches this glob")
    parser.add_argument(
        "--engine", choices=[*ENGINES, "local"], default=DEFAULT_ENGINE,
        help="warm (default): each worker keeps one kernel, reset before every job to a "
             "snapshot taken after the imports (fresh namespace, modules, options, rc, "
             "environment; see edubalance.run.isolation). cold (or local): a fresh kernel "
             "per job. dask: submit to a distributed cluster (--scheduler), or to a local "
             "one started for the batch")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address for --engine dask (tcp://host:port)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per-job limit on running the notebook (a warm kernel's start "
                             f"is not counted), also per cell (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--keep", type=_keep, default=list(DEFAULT_KEEP), metavar="WHAT",
                        help=f"what each job folder keeps, comma-separated from "
                             f"{', '.join(KEEP_CHOICES)} (default: {','.join(DEFAULT_KEEP)})")
    parser.add_argument("--pdf", action="store_true",
                        help="also write <report>.pdf beside each HTML report (Chromium)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the index page (default zh)")
    parser.add_argument("--wait-lock", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another batch writing into DIR (default: "
                             "refuse at once)")
    parser.add_argument("--first", type=int, default=None, metavar="N",
                        help="run only the first N jobs of each batch file (a quick look; "
                             "make demo uses it)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_handle_batch)
