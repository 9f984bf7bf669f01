"""One job, whatever the engine: temporary folder, watchdog, HTML report, ``job.json``, rename.

A job is built in a hidden folder ``.tmp-<slug>-<random>`` next to its final place and
renamed into place when finished, with its ``job.json`` marker written last inside it; a
batch killed at any moment never leaves a folder that looks complete, and the next attempt
removes the leftovers of that one job (matched exactly, so job ``A`` never touches the
folder of a running job ``A-B``).

The watchdog (``spec["timeout"]``) kills the kernel's whole process group (kernels start in
their own session) and any process the kernel started in another one, so a job that timed
out leaves no child running.

What a job folder keeps (``spec["keep"]``, default ``html,results``): ``html`` (one
self-contained report, figures embedded), ``results`` (the machine-readable files the notebook
wrote: ``summary.json``, CSV, xlsx, JSON), ``figures`` (the figure files it saved: PNG, SVG),
``notebook`` (the executed notebook; always kept for a failed job, to show where it failed).
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from .manifest import JOB_MARKER, job_entry

__all__ = ["run_job", "describe_error", "kill_process_tree", "is_leftover_of",
           "remove_leftovers", "inside", "KEEP_CHOICES", "DEFAULT_KEEP"]

KEEP_CHOICES = ("html", "results", "figures", "notebook")
# Figure files a notebook saves beside its results; the HTML report embeds the figures already.
FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp")
# Errors that mean "the disk cannot take our files": they stop the batch, not just the job.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO})
DEFAULT_KEEP = ("html", "results")
BATCH_JOB_ENV = "EDUBALANCE_BATCH_JOB"
"""Set to ``1`` for the kernels of a batch's jobs (``eb.run.notebook.in_batch_job``)."""
_MKDTEMP_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def inside(root: Path, candidate: Path) -> Path:
    """``candidate`` resolved, if it stays inside ``root``; else ``ValueError``.

    Parameters
    ----------
    root : Path
        The folder ``candidate`` must stay in (the batch's output folder).
    candidate : Path
        A path meant to be inside ``root`` (a job's folder).

    Returns
    -------
    Path
        ``candidate`` resolved (symbolic links and ``..`` followed).

    Raises
    ------
    ValueError
        If the resolved ``candidate`` is not inside the resolved ``root``.
    """
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(f"job folder {candidate} would escape the output folder {root}")
    return resolved


def kill_process_tree(pid: int) -> None:
    """SIGKILL a kernel, its process group, and every process it started (any session).

    Processes already gone are skipped; nothing is raised.

    Parameters
    ----------
    pid : int
        Process id of the kernel (the root of the tree).

    Returns
    -------
    None
    """
    try:
        import psutil

        try:
            children = psutil.Process(pid).children(recursive=True)
        except psutil.Error:
            children = []
    except ImportError:  # pragma: no cover - psutil is a dependency
        children = []
    try:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    for process in [*children]:
        try:
            process.kill()
        except Exception:
            pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def describe_error(error: BaseException, timed_out: bool, timeout: float | None) -> str:
    """One line for the manifest: the notebook's own error, or what stopped it.

    Parameters
    ----------
    error : BaseException
        What the engine raised (a ``PapermillExecutionError`` for a cell that raised, a
        ``CellTimeoutError``, a ``DeadKernelError``, anything else).
    timed_out : bool
        Whether the job's watchdog stopped the job (then ``error`` is not described).
    timeout : float or None
        The job's time limit in seconds (``spec["timeout"]``), named in the text of a job or
        cell timeout.

    Returns
    -------
    str
        The error's one-line description.
    """
    if timed_out:
        return f"timed out after {timeout:g} s (job watchdog); kernel and its processes stopped"
    name = type(error).__name__
    if name == "PapermillExecutionError":
        return (f"{error.ename}: {error.evalue} (cell {error.exec_count})").strip()
    if name == "CellTimeoutError":
        return f"cell timed out after {timeout:g} s"
    if name == "DeadKernelError":
        return f"kernel died: {error}"
    return f"{name}: {error}"


def is_leftover_of(name: str, slug: str) -> bool:
    """Whether folder ``name`` is a temporary folder of job ``slug`` (mkdtemp's 8 characters).

    Parameters
    ----------
    name : str
        A folder name (not a path).
    slug : str
        The job's slug.

    Returns
    -------
    bool
        True for ``.tmp-<slug>-XXXXXXXX`` and ``.old-<slug>-XXXXXXXX`` exactly (so job ``A``
        never matches the folders of job ``A-B``).

    Examples
    --------
    >>> is_leftover_of(".tmp-A-abcd_123", "A"), is_leftover_of(".tmp-A-B-abcd_123", "A")
    (True, False)
    """
    for prefix in (f".tmp-{slug}-", f".old-{slug}-"):
        rest = name[len(prefix):]
        if name.startswith(prefix) and len(rest) == 8 and set(rest) <= _MKDTEMP_CHARS:
            return True
    return False


def remove_leftovers(parent: Path, slug: str) -> None:
    """Drop the temporary folders a killed run of job ``slug`` left (never complete).

    Parameters
    ----------
    parent : Path
        The folder the job's folder is in (``<output>/<stem>``); nothing happens if it does
        not exist.
    slug : str
        The job's slug (see :func:`is_leftover_of`).

    Returns
    -------
    None
    """
    if not parent.is_dir():
        return
    for leftover in parent.iterdir():
        if leftover.is_dir() and is_leftover_of(leftover.name, slug):
            shutil.rmtree(leftover, ignore_errors=True)


def _move_into_place(tmp: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".old-{final.name}-", dir=final.parent))
        os.rmdir(old)
        os.rename(final, old)
    os.rename(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_marker(tmp: Path, entry: Mapping[str, Any]) -> None:
    import json

    target = tmp / JOB_MARKER
    part = tmp / f".{JOB_MARKER}.part"
    part.write_text(json.dumps(entry, ensure_ascii=False, indent=2, default=str) + "\n",
                    encoding="utf-8")
    os.replace(part, target)


# Lines every kernel prints on a normal shutdown (jupyter_client interrupts before it stops a
# kernel): noise, not diagnosis.
_LOG_NOISE = ("KeyboardInterrupt caught in kernel",)


def _tidy_log(path: Path) -> None:
    """Keep ``kernel.log`` only if the kernel said something worth reading."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    kept = [line for line in lines if not any(noise in line for noise in _LOG_NOISE)]
    if not "".join(kept).strip():
        path.unlink()
    elif len(kept) != len(lines):
        path.write_text("".join(kept), encoding="utf-8")


def run_job(spec: Mapping[str, Any], run_notebook: Callable[..., Any],
            prepare: Callable[[Any], None] | None = None) -> dict[str, Any]:
    """Run one job with ``run_notebook(spec, executed, parameters, kernel_pids, kernel_log)``.

    ``run_notebook`` writes the executed notebook to ``executed``, or returns it (a
    ``NotebookNode``): then the HTML report is exported from it in memory, and it is written
    only if the job keeps its notebook or failed.

    ``prepare(kernel_log)``, when given, runs first, before the job's watchdog starts: a warm
    kernel's start and reset, which have limits of their own and are not the job's time (a
    shared kernel's first start, slow on a loaded machine, must not time out whichever job
    happens to come first). An error there fails the job like an error in the notebook.

    Never raises for a failing notebook: returns the manifest entry. An ``OSError`` while
    writing the job's own files (a full disk) is recorded as the job's error too.

    Parameters
    ----------
    spec : mapping
        The job's spec: ``output``, ``stem``, ``slug``, ``parameters`` (``output_dir`` is
        added), optionally ``timeout`` (the watchdog, seconds), ``keep``, ``cache_dir``, and
        what the engine and :func:`~edubalance.run.manifest.job_entry` read.
    run_notebook : callable
        The engine's ``run_notebook(spec, executed, parameters, kernel_pids, kernel_log)``;
        it appends the pids of the kernels it starts to ``kernel_pids`` for the watchdog.
    prepare : callable, optional
        ``prepare(kernel_log)``, run before the watchdog starts (see above).

    Returns
    -------
    dict
        The job's manifest entry, ``status`` ``"ok"`` or ``"failed"``; a write fault has
        ``fault="write"``.

    Raises
    ------
    ValueError
        If the job's folder would escape the output folder (:func:`inside`).
    OSError
        An error writing the job's files that is not a write fault (a full disk, quota,
        file size limit, read-only or I/O error are recorded instead).
    """
    started = time.time()
    clock = time.monotonic()
    output = Path(spec["output"])
    stem, slug = spec["stem"], spec["slug"]
    keep = set(spec.get("keep") or DEFAULT_KEEP)
    final = inside(output, output / stem / slug)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(final.parent, slug)
    # For the kernel this job starts (a warm one keeps it): the batch's shared cache, and
    # that the notebook runs as a batch job (eb.run.notebook.in_batch_job).
    with environment({BATCH_JOB_ENV: "1", "EDUBALANCE_CACHE_DIR": spec.get("cache_dir")}):
        tmp = None
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{slug}-", dir=final.parent))
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a report folder is meant to be read
            return _run_in(spec, tmp, final, keep, started, clock, run_notebook, prepare)
        except OSError as error:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if error.errno not in WRITE_ERRNOS:
                raise
            return job_entry(spec, status="failed", seconds=time.monotonic() - clock,
                             error=f"{error.strerror or error} ({error.filename or final})",
                             fault="write")
        except BaseException:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            raise


@contextlib.contextmanager
def environment(values: Mapping[str, str | None]):
    """Set the environment variables of ``values`` for the ``with`` block.

    A ``None`` or empty value leaves its variable as it is; each is restored as it was
    afterwards. Kernels and worker processes started inside the block inherit them.
    """
    previous = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value:
                os.environ[key] = value
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _notebook_json(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook)


def _run_in(spec, tmp: Path, final: Path, keep: set, started: float, clock: float,
            run_notebook, prepare=None) -> dict[str, Any]:
    stem, slug = spec["stem"], spec["slug"]
    executed = tmp / f"{stem}.ipynb"
    timeout = spec.get("timeout")
    parameters = {**spec["parameters"], "output_dir": str(tmp)}
    error_text = None
    notebook = None   # the executed notebook, when the engine returns it instead of writing it
    kernel_pids: list[int] = []
    timed_out = threading.Event()
    finished = threading.Event()

    def watchdog() -> None:
        if finished.wait(timeout):
            return
        timed_out.set()
        # The kernel may still be starting (its pid not known yet): keep at it until the
        # run returns, killing every kernel recorded.
        killed: set[int] = set()
        while not finished.is_set():
            for pid in list(kernel_pids):
                if pid not in killed:
                    kill_process_tree(pid)
                    killed.add(pid)
            finished.wait(0.2)

    timer = threading.Thread(target=watchdog, daemon=True) if timeout else None
    log_path = tmp / "kernel.log"
    kernel_log = log_path.open("w", encoding="utf-8")
    try:
        if prepare is not None:
            prepare(kernel_log)
        if timer is not None:
            timer.start()
        notebook = run_notebook(spec, executed, parameters, kernel_pids, kernel_log)
    except Exception as error:  # a failing job is recorded, never fatal to the batch
        error_text = describe_error(error, timed_out.is_set(), timeout)
    finally:
        finished.set()
        kernel_log.close()
    _tidy_log(log_path)
    report = tmp / f"{stem}.html"
    if notebook is not None and executed.is_file():
        notebook = None   # the engine wrote it after all: the file is the record
    if (notebook is not None or executed.is_file()) and "html" in keep:
        try:
            from ..report.html import export_html

            export_html(notebook if notebook is not None else executed, report)
        except OSError as error:
            if error.errno in WRITE_ERRNOS:
                raise
            error_text = error_text or f"HTML report failed: {type(error).__name__}: {error}"
        except Exception as error:
            if error_text is None:
                error_text = f"HTML report failed: {type(error).__name__}: {error}"
    if notebook is not None and ("notebook" in keep or error_text is not None):
        # Written once, and only when kept: a county job's notebook is its report's source,
        # dropped after the export unless asked for (or the job failed: it shows where).
        executed.write_text(_notebook_json(notebook), encoding="utf-8")
    if executed.is_file() and "notebook" not in keep and error_text is None:
        executed.unlink()
    if "figures" not in keep:
        for path in list(tmp.rglob("*")):
            if path.is_file() and path.suffix.lower() in FIGURE_SUFFIXES:
                path.unlink()
    if "results" not in keep:
        for path in list(tmp.iterdir()):
            if path not in (executed, report) and path.name != "summary.json" \
                    and path.name != "kernel.log":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    prefix = f"{stem}/{slug}"
    files = sorted(f"{prefix}/{p.relative_to(tmp).as_posix()}" for p in tmp.rglob("*")
                   if p.is_file() and not p.name.startswith("."))
    entry = job_entry(
        spec, status="ok" if error_text is None else "failed", error=error_text,
        seconds=time.monotonic() - clock, files=files + [f"{prefix}/{JOB_MARKER}"],
        notebook_output=f"{prefix}/{executed.name}" if executed.is_file() else None,
        report=f"{prefix}/{report.name}" if report.is_file() else None,
        summary=f"{prefix}/summary.json" if (tmp / "summary.json").is_file() else None,
        started=started)
    _write_marker(tmp, entry)
    _move_into_place(tmp, final)
    return entry
