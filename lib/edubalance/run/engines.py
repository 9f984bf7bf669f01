"""Engines: where a job's notebook runs.

- ``warm`` (default): a pool of worker processes, each keeping one kernel for all its jobs.
  After start the kernel imports the libraries and every ``edubalance`` module once and
  takes a snapshot; before each job the namespace is wiped and the kernel brought back to the
  snapshot (:mod:`edubalance.run.isolation` states exactly what is reset), so kernel start
  and heavy imports are paid once per worker. A job that times out or kills its kernel is
  recorded as failed and the worker starts a new kernel for its next job.
- ``cold``: a fresh kernel per job (papermill); nothing a job does can reach the next one.
- ``dask``: the cold jobs submitted to a ``distributed`` cluster (``--scheduler``), or to a
  ``LocalCluster`` started for the batch when no scheduler is given.

Kernels talk to the runner over IPC sockets in a private temporary folder (not TCP), so
there is no "Kernel is running over TCP without encryption" warning per job.

Start-up (issue 29): a warm worker launches its kernel first (papermill's and nbconvert's
imports follow while the kernel starts), without importing IPython or pandas; the kernel
starts without ipykernel's debugger (:func:`_lean_kernel_command`) and is ready at its
``kernel_info`` reply (:func:`_wait_for_ready`); a worker ends without the interpreter's
teardown once its kernel is stopped.
"""
from __future__ import annotations

import contextlib
import contextvars
import ctypes
import dataclasses
import functools
import os
import shutil
import signal
import sys
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .job import kill_process_tree, remove_leftovers, run_job
from .manifest import job_entry

__all__ = ["ENGINES", "DEFAULT_ENGINE", "KERNEL_NAME", "execute_job", "execute_job_warm",
           "run_pool", "run_dask"]

KERNEL_NAME = "edubalance"
ENGINES = ("warm", "cold", "dask")
DEFAULT_ENGINE = "warm"
_WARM_ENGINE = "edubalance-warm"
_WARM_START_TIMEOUT = 60.0
SIGNAL_POLL = 0.25
"""Seconds between the runner's checks for a stop signal while it waits for jobs."""
# Warm kernels freeze what survives a reset out of garbage collection (gc.freeze) and unfreeze
# it every this many jobs for one full collection.
_FULL_COLLECTION_EVERY = 100
# A job's youngest garbage generation is collected every this many new objects (Python's
# default: 700). A county report makes ~40 collections at 700, a tenth of its kernel time
# (figure artists, table cells); the reset after the job collects everything anyway.
_JOB_GC_THRESHOLD = 50_000


def _ipc_folder() -> str:
    # Unix socket paths are limited to ~107 bytes: a short folder under the system temp.
    return tempfile.mkdtemp(prefix="eb-k-")


def _kernel_manager_class(pids: list[int], log=None, ipc_folder: str | None = None,
                          lean: bool = False):
    """An async kernel manager class on IPC sockets that notes its kernel's pid.

    The pid goes to ``pids`` (for the watchdog); ``log`` receives the kernel's own
    stdout/stderr. ``lean``: an IPython kernel is started without its debugger
    (:func:`_lean_kernel_command`).
    """
    from jupyter_client.manager import AsyncKernelManager

    class EdubalanceKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("kernel_spec_manager", _kernel_spec_manager())
            super().__init__(*args, **kwargs)
            if ipc_folder:
                self.ip = os.path.join(ipc_folder, "k")

        def format_kernel_cmd(self, extra_arguments=None):  # noqa: D102 - the parent's
            command = super().format_kernel_cmd(extra_arguments)
            return _lean_kernel_command(command) if lean else command

        async def start_kernel(self, **kwargs):  # noqa: D102 - same as the parent
            if log is not None:
                kwargs.setdefault("stdout", log)
                kwargs.setdefault("stderr", log)
            with _kernel_in_this_session():
                await super().start_kernel(**kwargs)
            pid = getattr(self.provisioner, "pid", None)
            if pid is None and getattr(self.provisioner, "process", None) is not None:
                pid = self.provisioner.process.pid
            if pid is not None:
                pids.append(pid)

    return EdubalanceKernelManager


_IN_BATCH_SESSION = contextvars.ContextVar("edubalance_kernel_in_batch_session", default=False)


class _SessionAwarePopen:
    """jupyter_client's ``Popen``, with a process group instead of a new session when asked.

    Installed once in ``jupyter_client.launcher`` (:func:`_kernel_in_this_session`); outside
    a batch's kernel start (the context variable unset: other threads, other tasks, a user's
    own kernels in the same process) it is ``subprocess.Popen`` itself.
    """

    def __init__(self, original) -> None:
        self.original = original

    def __call__(self, command, **options):
        if _IN_BATCH_SESSION.get() and options.pop("start_new_session", False):
            options["process_group"] = 0
        return self.original(command, **options)


@contextlib.contextmanager
def _kernel_in_this_session():
    """Start a kernel in its own process group, but in the batch's session.

    jupyter_client starts every kernel in a new session (``setsid``) so that it can signal
    the kernel's whole process group. A new process group (``setpgid``) gives the same: the
    kernel leads its group, the provisioner's ``killpg`` and our watchdog reach it, and the
    terminal's Ctrl-C (sent to the foreground group) does not. The difference is the
    scheduler: where Linux groups processes by session (``sched_autogroup``, on by default
    in most distributions), each kernel in a session of its own gets as much CPU as the whole
    batch process with its workers and its shared scoring thread together, which then
    waits on the kernels' start-up. In the batch's session every thread counts alike: 4
    national jobs in a new batch, whose first jobs wait on that scoring, took 0.3 s less
    (4.92-5.12 against 5.20-5.47 s, 2 workers, 2 cores); sample jobs the same. A context
    variable, not a swap of the module's global for the duration: kernels started at the
    same time from several threads (a Dask worker with two threads) each get what they ask.
    """
    from jupyter_client import launcher

    original = getattr(launcher, "Popen", None)
    if original is None or os.name != "posix":   # another jupyter_client: as it is
        yield
        return
    if not isinstance(original, _SessionAwarePopen):
        launcher.Popen = _SessionAwarePopen(original)
    token = _IN_BATCH_SESSION.set(True)
    try:
        yield
    finally:
        _IN_BATCH_SESSION.reset(token)


_LEAN_LAUNCHER = """\
import sys
sys.modules.setdefault("debugpy", None)
if sys.path[0] == "":
    del sys.path[0]
import importlib.util
sys.argv[0] = importlib.util.find_spec("ipykernel_launcher").origin
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def _lean_kernel_command(command: list[str]) -> list[str]:
    """An IPython kernel's command line, its kernel started without the debugger.

    ipykernel imports debugpy for its debugger whenever it is installed: 0.3-0.4 s of CPU in
    each kernel's start, for a debugger no batch job can use (nobody attaches to a batch
    kernel). The kernel spec's ``-m ipykernel_launcher`` becomes the same launcher given as
    ``-c`` code that first marks debugpy as not installed (ipykernel then leaves the debugger
    out, as it does where debugpy is missing); ``sys.argv`` and ``sys.path`` are what
    ``ipykernel_launcher`` gives. Any other command (another language's kernel, another
    launcher) is returned unchanged.
    """
    for index in range(len(command) - 1):
        if command[index] == "-m" and command[index + 1] == "ipykernel_launcher":
            return [*command[:index], "-c", _LEAN_LAUNCHER, *command[index + 2:]]
    return list(command)


def _kernel_spec_manager():
    """jupyter_client's kernel spec manager, its folders found without importing IPython.

    jupyter_client imports IPython (0.15 s of CPU, before a worker can launch its kernel)
    only to name ``~/.ipython/kernels`` among the folders searched for kernel specs. The same
    folders here: Jupyter's data folders, then ``$IPYTHONDIR/kernels`` (default
    ``~/.ipython/kernels``); IPython's own answer when it is already imported.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    class _KernelSpecs(KernelSpecManager):
        def _kernel_dirs_default(self) -> list[str]:
            if "IPython" in sys.modules:
                return super()._kernel_dirs_default()
            from jupyter_core.paths import jupyter_path

            folder = os.environ.get("IPYTHONDIR") or os.environ.get("IPYTHON_DIR") \
                or os.path.join(os.path.expanduser("~"), ".ipython")
            return [*jupyter_path("kernels"),
                    os.path.join(os.path.normpath(os.path.expanduser(folder)), "kernels")]

    return _KernelSpecs()


# --------------------------------------------------------------------------- cold

def _run_cold(spec: Mapping[str, Any], executed: Path, parameters: dict,
              kernel_pids: list[int], kernel_log) -> None:
    import papermill as pm

    from .notebook import use_readable_parameters

    use_readable_parameters()
    folder = _ipc_folder()
    try:
        pm.execute_notebook(
            spec["notebook"], str(executed), parameters=parameters,
            kernel_name=spec.get("kernel_name", KERNEL_NAME), cwd=spec.get("cwd"),
            progress_bar=False, log_output=False,
            execution_timeout=spec.get("cell_timeout", spec.get("timeout")),
            kernel_manager_class=_kernel_manager_class(kernel_pids, kernel_log, folder))
    finally:
        for pid in kernel_pids:  # whatever the job started dies with it
            kill_process_tree(pid)
        shutil.rmtree(folder, ignore_errors=True)


def execute_job(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Run one job on a fresh kernel (the cold engine); never raises, returns its entry.

    ``spec`` is a plain dict (it pickles for worker processes and Dask) with keys
    ``notebook``, ``parameters``, ``output``, ``stem``, ``slug``, ``cwd``, ``timeout`` (the
    job's watchdog), optionally ``cell_timeout``, ``kernel_name``, ``fingerprint``,
    ``notebook_text``, ``keep``, ``engine``.

    Parameters
    ----------
    spec : mapping
        The job's spec (keys above); ``cwd`` is the kernel's working folder and ``timeout``
        also the per-cell limit unless ``cell_timeout`` is given.

    Returns
    -------
    dict
        The job's manifest entry (:func:`~edubalance.run.manifest.job_entry`), ``status``
        ``"ok"`` or ``"failed"``.

    Raises
    ------
    OSError
        Only an error writing the job's folder that is not a write fault (a full disk is
        recorded in the entry instead); see :func:`~edubalance.run.job.run_job`.
    ValueError
        If the job's folder would escape the output folder.
    """
    return run_job(spec, _run_cold)


# --------------------------------------------------------------------------- warm

_RESET_CODE = '''\
get_ipython().run_line_magic("reset", "-f")
exec(compile({body!r}, "<edubalance-warm-reset>", "exec"),
     {{"get_ipython": get_ipython, "__name__": "edubalance_warm_reset"}})
'''
_RESET_BODY = '''\
import gc, os, sys
from edubalance.run import isolation
if not hasattr(isolation, "STATE"):
    isolation.preload(submodules={submodules!r}, yielding=True)
    isolation.STATE = isolation.snapshot()
    isolation.RESETS = 0
else:
    isolation.restore(isolation.STATE)
os.chdir({cwd!r})
if "matplotlib.pyplot" in sys.modules:
    get_ipython().run_line_magic("matplotlib", "inline")
get_ipython().execution_count = 1
isolation.RESETS += 1
if isolation.RESETS % {full_collection_every} == 0:
    gc.unfreeze()   # now and then everything is collected, so nothing frozen leaks for long
gc.collect()
# What is alive now lives as long as the kernel (libraries, the in-memory cache): leave it
# out of every later collection. %reset alone collects twice per job, and a full collection
# over the libraries and a national data set costs a fifth of a county job.
gc.freeze()
gc.set_threshold({gc_threshold}, 10, 10)   # whatever the job before set
'''


def _register_warm_engine() -> None:
    """Register with papermill an nbclient engine that runs on an already started kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.iorw import write_ipynb
    from papermill.log import logger

    if _WARM_ENGINE in papermill_engines._engines:
        return

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=False,
                             log_output=False, failure_path=None, **kwargs):
            # papermill's Engine.execute_notebook without its saves (before the first cell,
            # after every cell, at the end: each a JSON encoding and a schema validation of
            # the whole notebook). The caller writes the notebook once, if it is kept; a job
            # stopped by a timeout or a dead kernel writes it here, up to where it stopped.
            nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=False,
                                              log_output=log_output)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output,
                                             **kwargs)
            except BaseException:
                nb_man.notebook_complete()
                if failure_path:
                    write_ipynb(nb_man.nb, failure_path)
                raise
            nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, km=None, kc=None, **kwargs):
            if km is None or kc is None:
                raise ValueError("the warm-kernel engine needs a started kernel (km, kc)")
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file)
            client.kc = kc
            with _outputs_unvalidated():
                return client.execute()

    papermill_engines.register(_WARM_ENGINE, WarmKernelEngine)


@contextlib.contextmanager
def _outputs_unvalidated():
    """Inside the block, kernel messages become outputs without a schema check each.

    nbclient makes each message into an output with nbformat's ``output_from_msg``. That
    check, a jsonschema validation per output, was a quarter of the worker's time per county
    job (about 20 outputs); the executed notebook is validated whole, once, when its HTML
    report is exported (and when it is written), as before.
    """
    from nbformat.v4 import nbbase

    real = nbbase.validate
    nbbase.validate = _no_validation
    try:
        yield
    finally:
        nbbase.validate = real


def _no_validation(node, ref=None) -> None:
    return None


@functools.lru_cache(maxsize=16)
def _notebook_template(path: str, stamp: tuple) -> Any:
    from papermill.iorw import load_notebook_node

    return load_notebook_node(path)


def _load_notebook(path: str) -> Any:
    """The notebook at ``path`` as papermill loads it, parsed and validated once per worker.

    The cache is keyed by the file's modification time and size (a changed file is read
    again); each job gets a copy of its own.
    """
    import copy

    status = os.stat(path)
    return copy.deepcopy(_notebook_template(os.path.abspath(path),
                                            (status.st_mtime_ns, status.st_size)))


def execute_on_kernel(spec: Mapping[str, Any], executed: Path, parameters: dict, km,
                      kc) -> Any:
    """Run the job's notebook on a started kernel as ``papermill.execute_notebook`` would.

    Returns the executed notebook, not written (the job writes it if it keeps it).

    The same steps as papermill (parameters injected after the ``parameters`` cell, papermill
    metadata, a ``PapermillExecutionError`` for a cell that raised, the notebook with
    papermill's error markers written to ``executed`` then), without reading and validating
    the notebook per job and without writing it three times.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import (
        prepare_notebook_metadata,
        raise_for_execution_errors,
        remove_error_markers,
    )
    from papermill.parameterize import parameterize_notebook
    from papermill.utils import chdir

    from .notebook import use_readable_parameters

    _register_warm_engine()
    use_readable_parameters()
    kernel_name = spec.get("kernel_name", KERNEL_NAME)
    nb = _load_notebook(str(spec["notebook"]))
    nb = parameterize_notebook(nb, parameters, kernel_name=kernel_name,
                               engine_name=_WARM_ENGINE)
    nb = remove_error_markers(prepare_notebook_metadata(nb, str(spec["notebook"]),
                                                        str(executed)))
    with chdir(spec.get("cwd")):
        nb = papermill_engines.execute_notebook_with_engine(
            _WARM_ENGINE, nb, kernel_name=kernel_name, input_path=str(spec["notebook"]),
            output_path=None, progress_bar=False, log_output=False,
            execution_timeout=spec.get("cell_timeout", spec.get("timeout")),
            km=km, kc=kc, failure_path=str(executed))
    raise_for_execution_errors(nb, str(executed))  # writes the notebook before it raises
    return nb


def _reap(process, timeout: float = 5.0) -> bool:
    """Wait (at most ``timeout`` s) for a killed kernel ``process`` (a Popen, or None) to end.

    Returns whether it ended (and was reaped).
    """
    if process is None:
        return False
    try:
        process.wait(timeout=timeout)
    except Exception:  # noqa: BLE001 - shutdown_kernel and kill_process_tree follow
        return False
    return True


class _WarmKernel:
    """One kernel kept alive by a worker process across its jobs."""

    def __init__(self, kernel_name: str) -> None:
        from jupyter_core.utils import ensure_event_loop

        self.kernel_name = kernel_name
        self.loop = ensure_event_loop()
        self.km = None
        self.kc = None
        self.pid: int | None = None
        self.needs_restart = False
        self.ipc = _ipc_folder()
        handle, name = tempfile.mkstemp(prefix="edubalance-warm-kernel-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        self.log_offset = 0  # where the current job's part of the log starts

    def _run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def alive(self) -> bool:
        """Whether the kernel is started and alive."""
        if self.km is None:
            return False
        try:
            return bool(self._run(self.km.is_alive()))
        except Exception:
            return False

    def start(self, cwd: str | None) -> None:
        """Start a new kernel in ``cwd`` and wait until it is ready."""
        pids: list[int] = []
        km = _kernel_manager_class(pids, None, self.ipc, lean=True)(
            kernel_name=self.kernel_name)
        with self.log_path.open("ab") as log:
            self._run(km.start_kernel(cwd=cwd, stdout=log, stderr=log,
                                      extra_arguments=["--HistoryManager.hist_file=:memory:"]))
        _start_export_preparation()  # the worker's own imports, while the kernel starts
        self.km, self.pid = km, (pids[0] if pids else None)
        self.kc = km.client()
        self.kc.start_channels()
        try:
            self._run(_wait_for_ready(self.kc, km, timeout=_WARM_START_TIMEOUT))
        except BaseException:
            self.stop()
            raise
        self.kc.allow_stdin = False
        self.needs_restart = False

    def stop(self) -> None:
        """Stop the kernel and kill its processes (the log and IPC folder stay)."""
        kc, km, pid = self.kc, self.km, self.pid
        self.kc = self.km = self.pid = None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:
                pass
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if pid is not None and (process is None or process.returncode is None):
            # Killed and reaped here: jupyter_client's shutdown (below) kills as well but
            # then polls every 0.1 s until the process is gone, a tenth of a second at the
            # end of every batch, each worker idle while its kernel dies. Not when a poll
            # has reaped it already (it died): its number may be another process's now.
            kill_process_tree(pid)
        if pid is not None and _reap(process):
            # jupyter_client forgets the process now (its own wait, which finds it ended at
            # once): its shutdown below would otherwise interrupt and kill the kernel's
            # process group by its number, which the system, the process being reaped, may
            # already have given another process (pid_max is 32768 on many hosts).
            try:
                self._run(km.provisioner.wait())
            except Exception:  # noqa: BLE001 - shutdown_kernel follows
                pass
        if km is not None:
            try:
                self._run(km.shutdown_kernel(now=True))
            except Exception:
                pass

    def close(self) -> None:
        """Stop the kernel and remove its log and IPC folder."""
        self.stop()
        self.log_path.unlink(missing_ok=True)
        shutil.rmtree(self.ipc, ignore_errors=True)

    def reset(self, cwd: str, submodules: list[str] | None = None) -> None:
        """Bring the kernel back to its snapshot (taken after preloading ``submodules``)."""
        code = _RESET_CODE.format(body=_RESET_BODY.format(
            cwd=cwd, submodules=submodules, full_collection_every=_FULL_COLLECTION_EVERY,
            gc_threshold=_JOB_GC_THRESHOLD))
        reply = self._run(self.kc.execute_interactive(
            code, silent=True, store_history=False, allow_stdin=False,
            timeout=_WARM_START_TIMEOUT * 3, output_hook=lambda message: None))
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"warm kernel reset failed: {content.get('ename')}: "
                               f"{content.get('evalue')}")

    def prepare(self, spec: Mapping[str, Any], kernel_log) -> None:
        """Start the kernel if it is not running, then reset it to its snapshot.

        A new kernel preloads the libraries first. Runs before the job's watchdog, within
        the limits of :meth:`start` and :meth:`reset`.
        """
        cwd = str(spec.get("cwd") or os.getcwd())
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        try:
            if self.km is None or not self.alive():
                self.stop()
                self.start(cwd)
            self.reset(cwd, _notebook_submodules(spec))
        except Exception:
            self.needs_restart = True
            self._copy_log(kernel_log)
            raise

    def run(self, spec: Mapping[str, Any], executed: Path, parameters: dict,
            kernel_pids: list[int], kernel_log) -> Any:
        """Execute the notebook on the kernel :meth:`prepare` made ready.

        See :func:`execute_on_kernel`; returns the executed notebook, not written.
        """
        try:
            if self.pid is not None:
                kernel_pids.append(self.pid)  # for the job watchdog
            return execute_on_kernel(spec, executed, parameters, self.km, self.kc)
        except Exception as error:
            # A cell that raised leaves an idle kernel, reset before the next job; anything
            # else (timeout, dead kernel) may leave it busy or gone.
            self.needs_restart = type(error).__name__ != "PapermillExecutionError"
            raise
        finally:
            self._copy_log(kernel_log)

    def _copy_log(self, kernel_log) -> None:
        """What the kernel printed since :meth:`prepare`, into the job's kernel.log."""
        with self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            kernel_log.write(log.read().decode("utf-8", "replace"))


async def _wait_for_ready(kc, km, timeout: float) -> None:
    """Wait until the kernel answers ``kernel_info`` with IOPub connected.

    jupyter_client's ``wait_for_ready`` without its last step, which reads IOPub until it has
    been quiet for 0.2 s: 0.2 s added to every kernel start, the kernel idle. What IOPub holds
    is not needed: every later request reads only the messages that answer it.
    """
    import time
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
        except Empty:
            pass
        else:
            if reply["msg_type"] == "kernel_info_reply":
                try:  # IOPub connected? (the kernel's status messages reach it)
                    await kc.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass   # not yet: ask again, as jupyter_client does
                else:
                    handle = getattr(kc, "_handle_kernel_info_reply", None)
                    if handle is not None:
                        handle(reply)
                    return
        if not await km.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _notebook_submodules(spec: Mapping[str, Any]) -> list[str] | None:
    """The edubalance submodules a new kernel preloads for the job.

    The spec's ``preload`` (what every notebook of the batch names, :func:`batch_submodules`)
    when it has one, else those the job's notebook names; ``None`` is every submodule.
    """
    if "preload" in spec:
        return spec["preload"]
    try:
        return _submodules_of(str(spec["notebook"]))
    except (KeyError, TypeError):
        return None


def batch_submodules(notebooks: Iterable[str]) -> list[str] | None:
    """The edubalance submodules any of ``notebooks`` names (``None``: every submodule).

    A warm kernel takes its snapshot after its first job's preload, and a module imported
    later is unloaded after each job: a worker running county reports and then clustering
    jobs would import scikit-learn again for every clustering job. Preloading what the whole
    batch names is paid once per kernel; a batch of one notebook preloads what it did before.
    """
    names: set[str] = set()
    for notebook in sorted(set(map(str, notebooks))):
        used = _submodules_of(notebook)
        if used is None:
            return None
        names.update(used)
    return sorted(names)


@functools.lru_cache(maxsize=16)
def _submodules_of(notebook: str) -> list[str] | None:
    from .isolation import notebook_submodules
    from .params import code_cells

    try:
        cells = code_cells(notebook)
    except Exception:
        return None   # every submodule, as before
    return notebook_submodules("\n".join(cell["source"] for cell in cells))


_WARM: _WarmKernel | None = None


def _close_warm_kernel() -> None:
    global _WARM
    if _WARM is not None:
        _WARM.close()
        _WARM = None


def execute_job_warm(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Like :func:`execute_job`, on this process's long-lived kernel (the warm engine).

    The kernel is started (or restarted, after a job that timed out or killed it) and reset
    to its snapshot before the job's watchdog starts; a failure there fails the job.

    Parameters
    ----------
    spec : mapping
        The job's spec, as for :func:`execute_job`; ``preload`` (optional) lists the
        submodules a new kernel imports (``None``: every submodule).

    Returns
    -------
    dict
        The job's manifest entry, ``status`` ``"ok"`` or ``"failed"``.

    Raises
    ------
    OSError, ValueError
        As :func:`execute_job`.
    """
    global _WARM
    if _WARM is None or _WARM.kernel_name != spec.get("kernel_name", KERNEL_NAME):
        _close_warm_kernel()
        _WARM = _WarmKernel(spec.get("kernel_name", KERNEL_NAME))
    warm = _WARM
    entry = run_job(spec, warm.run, lambda kernel_log: warm.prepare(spec, kernel_log))
    if warm.needs_restart or (entry["status"] == "failed" and not warm.alive()):
        warm.stop()  # the next job starts a fresh kernel
    return entry


# --------------------------------------------------------------------------- pools

def _worker_init(warm: bool = False, runner_pid: int | None = None, started=None) -> None:
    # Die with the runner (a SIGKILLed runner must not leave workers finishing jobs), and
    # leave Ctrl-C and SIGTERM to the runner, which stops the workers itself.
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if runner_pid is not None and os.getppid() != runner_pid:
        os._exit(1)  # the runner died while this worker was starting: nobody to work for
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _STARTED
    _STARTED = started
    from . import skip_slow_optional_imports

    skip_slow_optional_imports()
    # papermill imports pyarrow (and NumPy with it) for an HDFS handler at import, about half
    # a second of a worker's start; workers read and write local files only, and without
    # pyarrow.fs papermill leaves HDFS out. Kernels are other processes: not affected.
    sys.modules.setdefault("pyarrow.fs", None)
    from multiprocessing.util import Finalize

    # The last of multiprocessing's finalizers ends the worker without the interpreter's
    # teardown (freeing nbconvert's, jinja2's and jupyter_client's objects one by one: 0.2 s
    # of CPU, over 0.7 s on a loaded machine, that the batch waits for before it can end).
    Finalize(None, _end_without_teardown, exitpriority=-100)
    if warm:
        # Pool workers end with os._exit (no atexit): multiprocessing's finalizers still run.
        Finalize(None, _close_warm_kernel, exitpriority=10)
        # papermill's and nbconvert's imports and the template compilation (seconds) happen
        # while this worker waits for its kernel to start and preload, not after; and not
        # before the kernel is launched either (they would hold the interpreter lock while
        # this worker's main thread imports jupyter_client and launches the kernel, the
        # longest chain of the batch's start).
        global _EXPORT_PREPARATION
        _EXPORT_PREPARATION = "pending"


def _end_without_teardown() -> None:
    """End this worker process now, its finalizers run (exit code 0).

    Called last by multiprocessing when a worker ends, after every other finalizer: its
    kernel is stopped and its files removed; the results went to the runner synchronously.
    What is left is the interpreter's teardown, of no use to anyone. Outside a worker
    process (``_worker_init`` called by hand) it does nothing.
    """
    import multiprocessing

    if multiprocessing.parent_process() is None:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)


_EXPORT_PREPARATION: str | None = None
"""``"pending"`` in a warm worker until its first kernel is launched, then ``"started"``."""


def _start_export_preparation() -> None:
    """In a warm worker, once: start :func:`_prepare_html_export` in a thread."""
    global _EXPORT_PREPARATION
    if _EXPORT_PREPARATION == "pending":
        _EXPORT_PREPARATION = "started"
        threading.Thread(target=_prepare_html_export, daemon=True,
                         name="edubalance-export-preparation").start()


def _prepare_html_export() -> None:
    try:
        import papermill.engines  # noqa: F401 - imported for the first job
        import papermill.execute  # noqa: F401
        import papermill.parameterize  # noqa: F401
    except Exception:
        pass   # the first job will say what is wrong
    try:
        import nbformat

        from ..report.html import _html_exporter

        _html_exporter(True).from_notebook_node(nbformat.v4.new_notebook())
    except Exception:
        pass   # the first export will say what is wrong


def _kill_children() -> None:
    """Kill the workers and their kernels, but not multiprocessing's resource tracker.

    Killed, the tracker is relaunched without its registry and prints a traceback per
    semaphore.
    """
    try:
        import psutil
    except ImportError:  # pragma: no cover
        return
    from multiprocessing import resource_tracker

    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)
    children = [child for child in psutil.Process().children(recursive=True)
                if child.pid != tracker]
    for child in children:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(children, timeout=10)  # gone before their folders are cleaned up


def failure_entry(spec: Mapping[str, Any], error: BaseException | str) -> dict[str, Any]:
    """The entry of a job whose worker died (killed, out of memory)."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return job_entry(spec, status="failed", error=f"worker failed: {text}")


def _result_or_failure(future, spec: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return future.result()
    except (KeyboardInterrupt, SystemExit):
        # Ctrl-C or SIGTERM reaching the runner while it takes a result is the batch's stop,
        # not this job's failure (swallowed, the batch went on waiting for the other jobs).
        raise
    except BaseException as error:  # a dead worker, a cancelled Dask task (asyncio's error)
        return failure_entry(spec, error)


def first_done(pending, poll: float = SIGNAL_POLL) -> set:
    """The futures of ``pending`` that are done, waiting until one is.

    Waits in slices of ``poll`` seconds: the kernel may hand Ctrl-C or SIGTERM to another
    thread of the runner (the pool's own threads, tqdm's) when the main thread cannot take it
    at that moment, and Python raises the stop in the main thread only when that thread next
    takes the interpreter lock. Waiting without a timeout for a job that never ends, the
    batch would not see its stop until the job ended.
    """
    while True:
        done, _ = wait(pending, timeout=poll, return_when=FIRST_COMPLETED)
        if done:
            return done


WORKER_DEATHS_PER_JOB = 2
"""A job is failed once its worker has died under it this many times (else it runs again)."""
POOL_BREAKS_WITHOUT_PROGRESS = 3
"""Pools in a row that may break before any job ends or a worker dies under a job; then the
jobs left fail (a worker that cannot start: a broken environment, not bad luck)."""

_STARTED = None
"""In a pool worker: the queue on which it tells the runner which job it starts."""


def _pool_job(function: Callable[[dict], dict], position: int, spec: dict) -> dict:
    """Run ``function(spec)`` in a pool worker, the runner told first (``_STARTED``)."""
    if _STARTED is not None:
        _STARTED.put((os.getpid(), position))
    return function(spec)


def describe_exit(code: int | None) -> str:
    """How a process ended, from its exit code (negative: the signal that killed it).

    Examples
    --------
    >>> describe_exit(-9), describe_exit(1), describe_exit(None)
    ('killed by SIGKILL', 'exit code 1', 'exit code unknown')
    """
    if code is None:
        return "exit code unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclasses.dataclass
class _PoolBreak:
    """What a broken pool left: the jobs to run again and the workers that died."""

    unfinished: list[int]
    """Positions of the jobs that did not end (never started, or stopped with their worker)."""
    died_under: dict[int, str]
    """Position of a job whose own worker died while running it: how that worker ended."""
    deaths: list[str]
    """``worker <pid> <how it ended>``, for each worker that died on its own."""


def run_pool(specs: list[dict], workers: int, on_done: Callable[[dict], None],
             warm: bool = True, function: Callable[[dict], dict] | None = None) -> None:
    """Run ``specs`` on ``workers`` processes (spawned); ``on_done(entry)`` as each ends.

    When a worker dies (killed, out of memory), Python's pool breaks and stops every job in
    it. The jobs it did not finish then run again in a new pool; the job whose own worker
    died under it :data:`WORKER_DEATHS_PER_JOB` times is reported to ``on_done`` as a failed
    entry naming how the worker ended (``killed by SIGKILL``). A pool whose workers keep
    dying before any job ends (:data:`POOL_BREAKS_WITHOUT_PROGRESS` pools in a row) fails
    the jobs left the same way. On any exception (Ctrl-C, SIGTERM, an error from
    ``on_done``) the pending jobs are cancelled and the workers and their kernels killed
    before it propagates.

    Parameters
    ----------
    specs : list of dict
        The jobs' specs (see :func:`execute_job`).
    workers : int
        Number of worker processes (at least 1, at most one per job).
    on_done : callable
        Called in the runner's main thread with each job's manifest entry as it ends.
    warm : bool, default True
        Run the jobs with :func:`execute_job_warm` (one kept kernel per worker), else with
        :func:`execute_job` (a fresh kernel per job).
    function : callable, optional
        Run each job with ``function(spec)`` instead (a module-level function, returning
        the job's entry): tests.

    Returns
    -------
    None

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C or SIGTERM while waiting (workers and kernels are killed first).
    Exception
        Whatever ``on_done`` raises (workers and kernels are killed first).
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    # The resource tracker must not see the terminal's Ctrl-C either (it would print a
    # traceback): start it while SIGINT is ignored, which it inherits.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
    function = function or (execute_job_warm if warm else execute_job)
    positions = list(range(len(specs)))
    deaths_under: dict[int, list[str]] = {}
    fruitless = 0
    while positions:
        broken = _run_in_one_pool(context, specs, positions, workers, on_done, warm, function)
        if broken is None:
            return
        progress = len(broken.unfinished) < len(positions) or bool(broken.died_under)
        fruitless = 0 if progress else fruitless + 1
        for position, how in broken.died_under.items():
            deaths_under.setdefault(position, []).append(how)
        positions = []
        for position in broken.unfinished:
            hows = deaths_under.get(position, [])
            if len(hows) >= WORKER_DEATHS_PER_JOB:
                on_done(_given_up(specs[position], f"its worker died running it {len(hows)} "
                                                   f"times ({', '.join(hows)})"))
            elif fruitless >= POOL_BREAKS_WITHOUT_PROGRESS:
                on_done(_given_up(specs[position], f"the workers died {fruitless} times "
                                                   f"before any job ended "
                                                   f"({'; '.join(broken.deaths)})"))
            else:
                positions.append(position)
        if positions:
            print(f"edubalance batch: {'; '.join(broken.deaths) or 'a worker died'}: "
                  f"{len(positions)} unfinished job(s) run again in new workers", file=sys.stderr)


def _given_up(spec: dict, why: str) -> dict[str, Any]:
    """The failed entry of a job not run again, what its dead worker left of it removed."""
    if "output" in spec:
        remove_leftovers(Path(spec["output"]) / spec["stem"], spec["slug"])
    return failure_entry(spec, why)


def _run_in_one_pool(context, specs: list[dict], positions: list[int], workers: int,
                     on_done: Callable[[dict], None], warm: bool,
                     function: Callable[[dict], dict]) -> _PoolBreak | None:
    """Run the jobs at ``positions`` in a new pool; what it left if it broke, else None."""
    started = context.SimpleQueue()   # (worker pid, position) as each job starts
    try:
        return _run_with_notes(context, started, specs, positions, workers, on_done, warm,
                               function)
    finally:
        started.close()


def _run_with_notes(context, started, specs: list[dict], positions: list[int], workers: int,
                    on_done: Callable[[dict], None], warm: bool,
                    function: Callable[[dict], dict]) -> _PoolBreak | None:
    """:func:`_run_in_one_pool`, its workers noting on ``started`` each job they start."""
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(max_workers=max(1, min(workers, len(positions))),
                                   mp_context=context, initializer=_worker_init,
                                   initargs=(warm, os.getpid(), started))
    processes = getattr(executor, "_processes", None)  # pid -> Process (their exit codes)
    running: dict[int, int] = {}   # worker pid -> the position of the job it started last
    pending: dict = {}
    submitted = 0   # the first this many positions were submitted
    broken = False
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for position in positions:
                pending[executor.submit(_pool_job, function, position,
                                        specs[position])] = position
                submitted += 1
        except (BrokenProcessPool, OSError):
            # A worker died while the jobs were being submitted; Python's pool then raises
            # BrokenProcessPool, or "handle is closed" when the death races the submission.
            broken = True
        finally:
            signal.signal(signal.SIGINT, previous)
        while pending and not broken:
            for future in first_done(pending):
                if isinstance(future.exception(), BrokenProcessPool):
                    broken = True
                    continue
                # Read as jobs end, not only after a break: the pipe holds about 2,700 notes,
                # and a worker whose note does not fit waits.
                _take_started(started, running)
                on_done(_result_or_failure(future, pending.pop(future)))
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        _kill_children()
        raise
    executor.shutdown(wait=True)
    if not broken:
        return None
    # The workers' kernels end on their own (ipykernel's parent poller: within a second).
    _take_started(started, running)
    unfinished = positions[submitted:]
    for future, position in pending.items():
        if future.done() and not future.cancelled() \
                and not isinstance(future.exception(), BrokenProcessPool):
            # ended in the moment the pool broke
            on_done(_result_or_failure(future, specs[position]))
        else:
            unfinished.append(position)
    unfinished.sort()
    died_under, deaths = {}, []
    for pid, process in dict(processes or {}).items():
        process.join(5)
        if process.exitcode == -signal.SIGTERM:
            continue   # the pool's own: it terminates the workers left when it breaks
        how = describe_exit(process.exitcode)
        deaths.append(f"worker {pid} {how}")
        if running.get(pid) in unfinished:
            died_under[running[pid]] = how
    return _PoolBreak(unfinished, died_under, deaths)


def _take_started(started, running: dict[int, int]) -> None:
    """Read the workers' "job started" notes into ``running`` (worker pid -> position)."""
    try:
        while not started.empty():
            pid, position = started.get()
            running[pid] = position
    except (OSError, EOFError, ValueError):
        pass   # a worker killed while writing its note: which job it ran stays unknown


def run_dask(specs: list[dict], scheduler: str | None, on_done: Callable[[dict], None],
             workers: int = 1) -> None:
    """Submit ``specs`` to a Dask cluster, or to a LocalCluster started for the batch.

    Each job runs with :func:`execute_job` (a fresh kernel); a task that failed or was
    cancelled is reported to ``on_done`` as a failed entry. On any exception the
    submitted tasks are cancelled; a LocalCluster started here is closed at the end either
    way.

    Parameters
    ----------
    specs : list of dict
        The jobs' specs (see :func:`execute_job`).
    scheduler : str or None
        Address of the Dask scheduler; ``None`` or empty starts a ``LocalCluster``.
    on_done : callable
        Called with each job's manifest entry as it ends.
    workers : int, default 1
        Worker processes of the LocalCluster (one thread each); unused with ``scheduler``.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``distributed`` is not installed (the ``dask`` extra).
    KeyboardInterrupt
        Ctrl-C or SIGTERM while waiting (the tasks are cancelled first).
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ValueError("--engine dask needs the dask extra: pip install 'edubalance[dask]'") \
            from None
    from .plan import short_hash

    cluster = None
    if not scheduler:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        scheduler = cluster.scheduler_address
    try:
        with Client(scheduler, timeout="30s") as client:
            futures = {client.submit(execute_job, spec, pure=False,
                                     key=f"edubalance-{spec['stem']}-{short_hash(spec['slug'])}-"
                                         f"{os.urandom(4).hex()}"): spec for spec in specs}
            try:
                for future in as_completed(futures):
                    on_done(_result_or_failure(future, futures[future]))
            except BaseException:
                client.cancel(list(futures))
                raise
    finally:
        if cluster is not None:
            cluster.close()
