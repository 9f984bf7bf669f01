"""The batch: plan, check, run on an engine, keep ``manifest.json`` and ``index.html`` current.

Guarantees, whatever happens to the batch:

- parameters of every job are checked before any job starts (one error listing all);
- one batch at a time writes into an output folder (:class:`~.manifest.FolderLock`);
- every finished job is appended as one line to the journal ``manifest.jsonl`` (constant
  cost per job), folded into one compact ``manifest.json`` (written atomically, adding to what
  the folder already held) at the end, on Ctrl-C and on SIGTERM; a batch killed outright
  leaves the journal, which the next batch or ``edubalance index`` reads back; the index is
  rebuilt at the end;
- a folder whose ``index.html`` or ``manifest.json`` edubalance did not write is refused;
- Ctrl-C and SIGTERM stop the workers and kernels, then the manifest and index are written
  and a summary printed (exit 130 / 143), without tracebacks;
- a write failure (full disk, quota, file size limit) stops the batch with one clear
  message; the manifest and index stay valid (written atomically: the last good ones stay);
- shared work: ``EDUBALANCE_CACHE_DIR`` is set to ``<output>/.cache`` for the jobs, so
  :func:`edubalance.run.cache.scored_year` scores a data file once per batch; the runner
  computes that scoring itself while the workers start their kernels (so no worker's first
  job waits for it), and a later batch into the same folder (``--resume``) reuses it;
- ``--pdf``: one headless Chromium for the whole batch (:class:`~edubalance.report.pdf.
  PdfPrinter`), launched with the workers and printing each report as soon as its job ends,
  several at a time; a report that cannot be printed is named in the summary (exit 1).
"""
from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import EdubalanceError, ParameterError
from .engines import DEFAULT_ENGINE, ENGINES, KERNEL_NAME, batch_submodules, run_dask, run_pool
from .job import DEFAULT_KEEP, KEEP_CHOICES, WRITE_ERRNOS, environment, inside, remove_leftovers
from .manifest import MANIFEST, FolderLock, Journal, Manifest, check_ownership, read_marker
from .plan import (
    DIGESTS_ENV,
    Job,
    fingerprint,
    package_code_hash,
    plan_jobs,
    remembered_digests,
    validate_jobs,
    value_text,
)

__all__ = ["BatchResult", "BatchWriteError", "run_batch", "summarise", "is_complete",
           "DEFAULT_TIMEOUT", "CACHE_FOLDER"]

DEFAULT_TIMEOUT = 3600.0
CACHE_FOLDER = ".cache"


class BatchWriteError(EdubalanceError):
    """The batch could not write its files (disk full, quota, read-only folder)."""


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by the SIGTERM handler."""


@dataclass
class BatchResult:
    """What a batch did: one manifest entry per job it handled, and how it ended.

    Parameters
    ----------
    entries : list of dict, optional
        The manifest entries of the jobs the batch handled (run or skipped), in job order.
    output : Path or None, default None
        The batch's output folder (resolved).
    planned : int, default 0
        How many jobs the batch planned (after ``only``).
    interrupted : str or None, default None
        ``"SIGINT"`` or ``"SIGTERM"`` if the batch was stopped, else None.
    error : str or None, default None
        Why the batch stopped early (a write failure), else None.
    warning : str or None, default None
        What went wrong besides the jobs (PDF reports not written), else None.
    """

    entries: list[dict[str, Any]] = field(default_factory=list)
    output: Path | None = None
    planned: int = 0
    interrupted: str | None = None  # "SIGINT" / "SIGTERM"
    error: str | None = None
    warning: str | None = None

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The entries of the jobs that failed."""
        return [entry for entry in self.entries if entry["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        """The exit code: 130 (SIGINT), 143 (SIGTERM), 1 (a failed job, error or warning), else 0."""
        if self.interrupted:
            return 143 if self.interrupted == "SIGTERM" else 130
        return 1 if (self.failed or self.error or self.warning) else 0


def is_complete(output: Path, job: Job) -> dict[str, Any] | None:
    """The job's marker if its folder holds a finished, successful run with this fingerprint.

    Parameters
    ----------
    output : Path
        The batch's output folder.
    job : Job
        The planned job, its ``fingerprint`` set.

    Returns
    -------
    dict or None
        The ``job.json`` marker of ``<output>/<stem>/<slug>``, if its status is ``ok``, its
        fingerprint the job's and the notebook, report and summary it names still exist;
        else None.
    """
    marker = read_marker(output / job.stem / job.slug)
    if not marker or marker.get("status") != "ok" or marker.get("fingerprint") != job.fingerprint:
        return None
    for key in ("notebook_output", "report", "summary"):
        if marker.get(key) and not (output / marker[key]).is_file():
            return None
    return marker


def _job_matches(job: Job, pattern: str) -> bool:
    candidates = [job.slug, job.folder, *(value_text(job.parameters[k]) for k in job.varying
                                          if k in job.parameters)]
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)


def _check_options(engine: str, workers: int | None, timeout: float | None,
                   keep: Iterable[str], pdf: bool) -> tuple[str, tuple[str, ...]]:
    engine = "cold" if engine == "local" else engine  # the former name of the cold engine
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r} (choose {', '.join(ENGINES)})")
    if workers is not None and workers < 1:
        raise ParameterError("--workers must be at least 1")
    if timeout is not None and timeout <= 0:
        raise ParameterError("--timeout must be positive")
    keep = tuple(dict.fromkeys(keep))
    unknown = [k for k in keep if k not in KEEP_CHOICES]
    if unknown:
        raise ParameterError(f"--keep: unknown {', '.join(unknown)} "
                             f"(choose from {', '.join(KEEP_CHOICES)})")
    if pdf:
        if "html" not in keep:
            raise ParameterError("--pdf needs the HTML reports (--keep html)")
        try:
            from ..report import pdf as _pdf
        except ImportError as error:
            raise ParameterError(f"--pdf is not available: edubalance.report.pdf could not be "
                                 f"imported ({error})") from None
        try:  # before any job runs: a night's batch must not fail at its very end
            _pdf.check_ready()
        except _pdf.BrowserMissingError as error:
            raise ParameterError(f"--pdf is not available: {error}") from None
    return engine, keep


def _is_write_fault(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in WRITE_ERRNOS


def run_batch(batch_files: Iterable[str | os.PathLike | dict], output: str | os.PathLike = "reports",
              workers: int | None = None, resume: bool = False, only: str | None = None,
              engine: str = DEFAULT_ENGINE, scheduler: str | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, progress: bool = True,
              kernel_name: str = KERNEL_NAME, keep: Iterable[str] = DEFAULT_KEEP,
              pdf: bool = False, lang: str = "zh", wait_lock: float = 0.0,
              cache: bool = True, first: int | None = None) -> BatchResult:
    """Run every job of the batch files; write ``manifest.json`` and ``index.html``.

    Parameters
    ----------
    batch_files : iterable of str, os.PathLike or dict
        Batch files (YAML/JSON paths) or batch definitions as dicts.
    output : str or os.PathLike, default "reports"
        The output folder (created; ``~`` expanded).
    workers : int or None, default None
        Worker processes (at least 1); None: the number of CPUs for the warm and cold
        engines, 1 for a Dask LocalCluster.
    resume : bool, default False
        Skip the jobs whose folder holds a complete run with the same fingerprint
        (:func:`is_complete`).
    only : str or None, default None
        A glob pattern: run only the jobs whose slug, folder or a varying parameter's value
        matches it.
    engine : str, default "warm"
        ``"warm"``, ``"cold"`` (``"local"``, its former name) or ``"dask"``.
    scheduler : str or None, default None
        Dask scheduler address (engine ``"dask"``); None starts a LocalCluster.
    timeout : float or None, default 3600.0
        Seconds per job (the watchdog, and the limit per cell); None: no limit.
    progress : bool, default True
        Show a progress bar on stderr.
    kernel_name : str, default "edubalance"
        The Jupyter kernel the notebooks run on.
    keep : iterable of str, default ("html", "results")
        What each job folder keeps, from ``html``, ``results``, ``figures``, ``notebook``.
    pdf : bool, default False
        Also print each report to PDF (needs ``html`` kept and a headless Chromium).
    lang : str, default "zh"
        Language of the index page.
    wait_lock : float, default 0.0
        Seconds to wait for another batch's lock on ``output`` before giving up.
    cache : bool, default True
        Share scored data between the jobs in ``<output>/.cache``.
    first : int or None, default None
        Plan only the first ``first`` jobs of each batch file (see
        :func:`~edubalance.run.plan.plan_jobs`).

    Returns
    -------
    BatchResult
        ``entries`` in job order; ``exit_code`` 0 only if every job succeeded.

    Raises
    ------
    ParameterError
        Bad options or parameters (nothing was run).
    BatchLockedError
        Another batch is writing into ``output``.
    BatchWriteError
        Files could not be written (after writing what could be).
    """
    from ..report.i18n import check_lang

    check_lang(lang)
    engine, keep = _check_options(engine, workers, timeout, keep, pdf)
    output = Path(output).expanduser().resolve()
    check_ownership(output)
    jobs = plan_jobs(batch_files, first=first)
    if only:
        jobs = [job for job in jobs if _job_matches(job, only)]
        if not jobs:
            raise ParameterError(f"--only {only!r} matches no job")
    validate_jobs(jobs)
    digests: dict[Path, str] = {}
    code_hash = package_code_hash()
    for job in jobs:
        job.fingerprint = fingerprint(job, digests, code_hash)
        inside(output, output / job.stem / job.slug)
    output.mkdir(parents=True, exist_ok=True)
    with FolderLock(output, wait=wait_lock):
        return _run_locked(jobs, output, workers, resume, engine, scheduler, timeout, progress,
                           kernel_name, keep, pdf, lang, cache)


def _run_locked(jobs, output, workers, resume, engine, scheduler, timeout, progress,
                kernel_name, keep, pdf, lang, cache) -> BatchResult:
    previous = Manifest.read(output)
    # The lock is ours: temporary cache folders can only be leftovers of a killed batch.
    for leftover in (output / CACHE_FOLDER).glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    entries: dict[int, dict] = {}
    specs: list[dict] = []
    cache_dir = str(output / CACHE_FOLDER) if cache else None
    for index, job in enumerate(jobs):
        marker = is_complete(output, job) if resume else None
        if marker is not None:
            entries[index] = {**marker, "status": "skipped",
                              "note": "complete from an earlier run, not re-executed"}
            continue
        specs.append({"index": index, "notebook": str(job.notebook),
                      "notebook_text": job.notebook_text, "parameters": job.parameters,
                      "output": str(output), "stem": job.stem, "slug": job.slug,
                      "cwd": os.getcwd(), "timeout": timeout, "kernel_name": kernel_name,
                      "fingerprint": job.fingerprint, "engine": engine, "keep": list(keep),
                      "data_files": job.data_files,
                      "cache_dir": cache_dir})
    shared = _SharedScoring(jobs, specs, cache_dir) if cache_dir and specs else None
    if engine == "warm":
        preload = batch_submodules(spec["notebook"] for spec in specs)
        for spec in specs:
            spec["preload"] = preload

    from tqdm.auto import tqdm

    bar = tqdm(total=len(jobs), initial=len(entries), unit="job", desc="edubalance batch",
               disable=not progress, file=sys.stderr, dynamic_ncols=True)
    slot = {(spec["stem"], spec["slug"]): spec["index"] for spec in specs}
    result = BatchResult(output=output, planned=len(jobs))
    failures = [0]

    def current() -> Manifest:
        return Manifest(output, [entries[i] for i in sorted(entries)]).merged_with(previous)

    def on_done(entry: dict) -> None:
        entries[slot[(entry["notebook_stem"], entry["slug"])]] = entry
        failures[0] += entry["status"] == "failed"
        bar.update(1)
        bar.set_postfix(failed=failures[0], refresh=True)
        if entry.get("fault") == "write":
            raise BatchWriteError(f"could not write into {output}: {entry['error']}")
        journal.append(entry)  # constant cost per job; manifest.json is written at the end
        if printer is not None:
            printer.add(entry)
        if len(entries) == len(jobs):  # the last job: the index is written next
            threading.Thread(target=_prepare_index, args=(lang,), daemon=True,
                             name="edubalance-index-preparation").start()

    journal = Journal(output)
    # One browser for the batch's PDFs, launched now (while the workers start their kernels)
    # and printing each report as its job ends, while the other jobs run.
    printer = _Pdfs(output, entries, journal) if pdf else None

    restore = _install_sigterm()
    try:
        if shared is not None:  # first (the jobs wait for it), while the workers start
            shared.start()
        if printer is not None:
            printer.start()
            for entry in list(entries.values()):  # complete from an earlier run, no PDF yet
                printer.add(entry, missing_only=True)
        if specs:
            # The shared cache, inherited by the workers and by their kernels, and the data
            # files' digests computed in planning (the kernels' keys of the shared scoring).
            with environment({"EDUBALANCE_CACHE_DIR": cache_dir,
                              DIGESTS_ENV: remembered_digests() if cache_dir else None}):
                if engine == "dask":
                    run_dask(specs, scheduler, on_done, workers=workers or 1)
                else:
                    run_pool(specs, workers or os.cpu_count() or 1, on_done,
                             warm=engine == "warm")
        if printer is not None:
            printer.finish()
            if printer.errors:
                result.warning = printer.summary()
    except KeyboardInterrupt as stop:
        result.interrupted = "SIGTERM" if isinstance(stop, _Stop) else "SIGINT"
    except BatchWriteError as error:
        result.error = str(error)
    except OSError as error:
        if not _is_write_fault(error):
            raise
        result.error = f"could not write into {output}: {error}"
    finally:
        restore()
        if shared is not None:  # a stopped batch does not wait for it (a daemon thread)
            shared.join(None if result.interrupted is None else 0)
        if printer is not None:
            printer.close()
        bar.close()
        journal.close()
    for spec in specs:  # jobs stopped half-way leave nothing behind
        if spec["index"] not in entries:
            remove_leftovers(output / spec["stem"], spec["slug"])
    result.entries = [entries[i] for i in sorted(entries)]
    _finish(output, current(), lang, result)
    if result.error and not result.interrupted:
        raise BatchWriteError(summarise(result))
    return result


def _prepare_index(lang: str) -> None:
    """What writing the index costs once per process (Jinja2, the message catalogue).

    Run while the workers stop their kernels and exit after the last job, so that the index
    is written as soon as they are gone (0.14 s of CPU before, at the batch's very end).
    """
    try:
        from ..report.i18n import text
        from .index import _index_template

        _index_template()   # compiled now, not after the workers are gone
        text("run.index.title", lang)
    except Exception:  # noqa: BLE001 - write_index will say what is wrong
        pass


def _finish(output: Path, manifest: Manifest, lang: str, result: BatchResult) -> None:
    # Last writes, each on its own: a full disk must not keep the other from being tried;
    # both are atomic, so a failure leaves the previous (valid) file in place.
    from .index import write_index

    for write in (manifest.write, lambda: write_index(output, lang=lang)):
        try:
            write()
        except OSError as error:
            result.error = result.error or f"could not write into {output}: {error}"


def _notebook_source(notebook: Path) -> tuple[str, dict]:
    """A notebook's text and its parameters' defaults (``("", {})`` if it cannot be read)."""
    from .params import notebook_parameters

    try:
        return (Path(notebook).read_text(encoding="utf-8"),
                {name: p["default"] for name, p in notebook_parameters(notebook).items()
                 if not p["required"]})
    except Exception:  # noqa: BLE001 - validate_jobs has said what is wrong with it
        return "", {}


_MALLOC_OPTIONS = {-3: 32 << 20, -1: 128 << 20}
"""glibc ``mallopt`` settings of :func:`_keep_freed_memory`: ``M_MMAP_THRESHOLD`` 32 MiB,
``M_TRIM_THRESHOLD`` 128 MiB."""


def _keep_freed_memory() -> bool:
    """Let this process reuse the memory it frees instead of asking the kernel again.

    The shared scoring of a national file makes hundreds of columns of 200,000 rows, each a
    few megabytes: glibc gives every one its own ``mmap`` and returns it when freed, so each
    new column's pages fault in and are zeroed again. With blocks up to 32 MiB taken from the
    heap and up to 128 MiB of freed heap kept, the scoring took 0.30-0.35 s less wall time and
    about 0.3 CPU-s less (system time 0.52-0.55 -> 0.22-0.28 s, page faults 40,000 -> 25,000),
    on the batch's critical path. Only the runner process, which ends with the batch. False
    where there is no glibc (the settings are glibc's).
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):   # musl and others: no mallopt
        return False
    return all(mallopt(option, value) == 1 for option, value in _MALLOC_OPTIONS.items())


def _one_blas_thread():
    """A context in which NumPy's BLAS (OpenBLAS, MKL) uses one thread in this process.

    The shared scoring runs while the workers start their kernels, on cores they already
    fill; a BLAS call of the scoring (the row-totals check of a national file multiplied a
    200,000-row matrix; it now sums column by column) woke a second BLAS thread, which then
    spun waiting for more work on the other core: 4 national jobs in a new batch took
    0.3 CPU-s (all processes) and 0.15 s more (medians of 4 alternating runs, 2 workers,
    2 cores; 4 sample jobs the same). Kept for any BLAS call of the scoring. A no-op
    context where threadpoolctl cannot be used.
    """
    import contextlib

    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - only slower
        return contextlib.nullcontext()


class _SharedScoring(threading.Thread):
    """The shared scoring the jobs read, computed once while the workers start their kernels.

    The jobs read it with :func:`edubalance.run.cache.scored_year`. Each distinct ``(data
    file, standard, year, loader options)`` of the jobs
    (:func:`~edubalance.run.cache.scoring_request`) is stored in the batch cache unless it is
    there already (an earlier batch into the same folder, ``--resume``). A job that needs an
    entry being computed waits on its lock, as it would for another worker; one that comes
    first computes it itself and this thread then finds it done. A failure here changes
    nothing: the job computes the entry and reports its own error.
    """

    def __init__(self, jobs: list[Job], specs: list[dict], cache_dir: str) -> None:
        super().__init__(name="edubalance-shared-scoring", daemon=True)
        self.cache_dir = cache_dir
        wanted = {spec["index"] for spec in specs}
        self.jobs = [job for index, job in enumerate(jobs) if index in wanted]
        self.requests: list[tuple] = []
        self.computed = 0

    def start(self) -> None:  # noqa: D102 - threading.Thread's
        if self.jobs:
            super().start()

    def _requests(self) -> list[tuple]:
        """Each distinct request, with the counties its jobs read (None: every county)."""
        # Here, not in __init__: run.cache imports pandas (a second and more of a loaded
        # machine), which must not delay the workers' start.
        from .cache import requested_county, scoring_request

        counties: dict[str, list | None] = {}
        requests: dict[str, tuple] = {}
        sources: dict[Path, tuple[str, dict]] = {}
        for job in self.jobs:
            if job.notebook not in sources:
                sources[job.notebook] = _notebook_source(job.notebook)
            source, defaults = sources[job.notebook]
            request = scoring_request(source, job.parameters, defaults)
            if request is None:
                continue
            marker = repr(request)
            requests.setdefault(marker, request)
            county = requested_county(source, job.parameters, defaults)
            wanted = counties.setdefault(marker, [])
            if county is None:
                counties[marker] = None   # a job reads more than one county
            elif wanted is not None:
                wanted.append(county)
        return [(*request, counties[marker]) for marker, request in requests.items()]

    def run(self) -> None:  # noqa: D102 - threading.Thread's
        _keep_freed_memory()
        from . import cache

        try:
            self.requests = self._requests()
        except Exception:  # noqa: BLE001 - the jobs compute what they need themselves
            return
        with _one_blas_thread():
            for data, standard, year, options, counties in self.requests:
                try:
                    self.computed += cache.prepare_entry(data, standard, year, options,
                                                         folder=self.cache_dir,
                                                         counties=counties)
                except Exception:  # noqa: BLE001 - the jobs compute it themselves
                    pass

    def join(self, timeout: float | None = None) -> None:  # noqa: D102 - threading.Thread's
        if self.is_alive() or self.ident is not None:
            super().join(timeout)


PDF_NICENESS = 10
"""The niceness the batch's browser prints with (:class:`~edubalance.report.pdf.PdfPrinter`).

The jobs go first; a report prints in the moments the workers leave a core free (waiting on
their kernels' messages, between jobs) and after the last job. 8 sample jobs with ``--pdf``
against without: 1.31 -> 1.27 (12 alternating rounds, 2 workers on 2 cores), and before
that 1.26 -> 1.20 and 1.27 -> 1.25 (10 rounds each; 1.25 -> 1.18 with 19). Not 19: a
report's print has a timeout (120 s), and on a machine busy with other work a browser at 19
gets under 2 % of a core. (Chromium raises a few threads of its own where it may, as root:
its renderers' main threads, which lay out and print, keep this niceness.)
"""


class _Pdfs:
    """The batch's PDFs, from one :class:`~edubalance.report.pdf.PdfPrinter`.

    A report is submitted as soon as its job ends; :meth:`finish` waits for them and records
    each PDF in its entry (and the journal). A report that cannot be printed is named in
    :meth:`summary` (the batch's warning: exit code 1), not raised.
    """

    def __init__(self, output: Path, entries: dict[int, dict], journal: Journal) -> None:
        self.output = output
        self.entries = entries
        self.journal = journal
        self.printer = None
        self.pending: list[tuple[dict, Any]] = []
        self.errors: list[str] = []
        self.finished = False

    def start(self) -> None:
        from ..report.pdf import PdfPrinter

        try:
            # Started before the jobs: the browser's launch, its fonts (built once per machine)
            # and a page ready to print are paid while the workers start their kernels.
            self.printer = PdfPrinter(pages=2, warm=True, niceness=PDF_NICENESS).start()
        except Exception as error:  # checked before the jobs, but the machine may change
            self.errors.append(f"{type(error).__name__}: {error}")

    def add(self, entry: dict, missing_only: bool = False) -> None:
        if self.printer is None:
            return
        if entry.get("status") not in ("ok", "skipped") or not entry.get("report"):
            return
        if entry["status"] == "skipped" and not missing_only:
            return
        report = self.output / entry["report"]
        if missing_only and report.with_suffix(".pdf").is_file():
            return
        self.pending.append((entry, self.printer.submit(report)))

    def finish(self) -> None:
        for entry, future in self.pending:
            try:
                path = future.result()
            except Exception as error:  # PdfError, naming the report
                self.errors.append(str(error))
                continue
            relative = Path(path).resolve().relative_to(self.output).as_posix()
            entry["pdf"] = relative
            entry["files"] = sorted({*entry.get("files", []), relative})
            self.journal.append(entry)
        self.pending = []
        self.finished = True

    def summary(self) -> str:
        shown = "; ".join(self.errors[:3]) + ("; ..." if len(self.errors) > 3 else "")
        return f"PDF reports not written ({len(self.errors)}): {shown}"

    def close(self) -> None:
        if self.printer is not None:  # a batch stopped half-way does not wait for its PDFs
            self.printer.close(cancel=not self.finished)
            self.printer = None


def _install_sigterm():
    """SIGTERM raises :class:`_Stop` in the main thread (handled like Ctrl-C)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        raise _Stop()

    previous = signal.signal(signal.SIGTERM, handler)
    return lambda: signal.signal(signal.SIGTERM, previous)


def summarise(result: BatchResult) -> str:
    """A short text summary: counts, then one line per failed job, then how it ended.

    Parameters
    ----------
    result : BatchResult
        What the batch did (:func:`run_batch`).

    Returns
    -------
    str
        Several lines: counts, the failed jobs with their errors, an interruption, error or
        warning, and the manifest's and index's paths when the output folder is known.
    """
    counts = {status: sum(entry["status"] == status for entry in result.entries)
              for status in ("ok", "skipped", "failed")}
    lines = [f"{len(result.entries)} of {result.planned} job(s): {counts['ok']} ok, "
             f"{counts['skipped']} skipped (already complete), {counts['failed']} failed"]
    for entry in result.failed:
        lines.append(f"  FAILED {entry['folder']}: {entry['error']}")
    if result.interrupted:
        lines.append(f"interrupted ({result.interrupted}): "
                     f"{result.planned - len(result.entries)} job(s) not run; "
                     "run again with --resume to finish")
    if result.error:
        lines.append(f"stopped: {result.error}")
    if result.warning:
        lines.append(result.warning)
    if result.output is not None:
        lines.append(f"manifest: {result.output / MANIFEST}")
        lines.append(f"index:    {result.output / 'index.html'}")
    return "\n".join(lines)
