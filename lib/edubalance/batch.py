"""Run notebooks for many parameter sets, in parallel, with a manifest and a browsable index.

A batch file (YAML, ``yaml.safe_load``) names a notebook, parameters shared by every job and a
grid whose product gives one job per combination::

    notebook: notebooks/county_scoring.ipynb   # absolute, or relative to where the command runs
    parameters: {data_path: data/sample/schools.csv, standard: basic-2012, year: 2017}
    grid: {county: all}                        # `all`: every county in data_path

Each job runs in its own kernel (papermill) and writes to ``DIR/<notebook-stem>/<job-slug>/``:
the executed notebook, an HTML report without code and the notebook's own results (the
runner sets ``output_dir`` to the job folder). A job is first built in a hidden temporary
folder ``.tmp-<slug>-<random>`` and renamed into place when finished, with a ``job.json``
marker; so a batch killed half-way never leaves a folder that looks complete, and
``--resume`` re-runs only what is missing or whose inputs changed (fingerprint of the
notebook, the parameters, the files named by ``*_path``/``*_file`` parameters, the package
version and a content hash of the package's own code: its ``*.py`` modules and
``standards/*.yaml``, so an edited scoring module or standard re-runs the jobs).

Engines:

- ``local`` (default): a pool of worker processes, a fresh kernel per job; nothing a job
  does can reach the next one.
- ``warm`` (opt in): each worker process keeps one kernel for all its jobs. Before each job
  the kernel's namespace is wiped (``%reset -f``, ``gc.collect()``, figures closed,
  matplotlib rc defaults and ``%matplotlib inline`` restored, working folder reset). Imported
  modules (pandas, matplotlib, edubalance) stay loaded, so kernel start and heavy imports are
  paid once per worker instead of once per job, which dominates short notebooks. The
  trade-off: module-level state inside imported packages (caches, ``pandas`` options,
  registries, monkeypatches) survives between jobs. Results, folders, ``job.json``, reports,
  errors and timeouts are handled as for ``local``; a job that times out or kills its kernel
  is recorded as failed and the worker starts a new kernel for its next job.
- ``dask``: the same jobs submitted to an existing ``distributed`` cluster.
"""
from __future__ import annotations

import argparse
import ast
import ctypes
import fnmatch
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

from . import __version__

__all__ = ["Job", "BatchResult", "load_batch_file", "plan_jobs", "validate_jobs",
           "notebook_parameters", "job_slug", "safe_name", "fingerprint", "package_code_hash",
           "execute_job", "execute_job_warm",
           "run_batch", "register_cli", "KERNEL_NAME", "JOB_MARKER", "MANIFEST"]

KERNEL_NAME = "edubalance"
JOB_MARKER = "job.json"
MANIFEST = "manifest.json"
DEFAULT_TIMEOUT = 3600.0
ENGINES = ("local", "warm", "dask")
_BATCH_KEYS = {"notebook", "parameters", "grid", "description", "title"}
_RUNNER_PARAMETERS = {"output_dir"}
# Windows device names: a folder called CON or lpt1.txt cannot be created or opened there.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}
_SLUG_MAX_BYTES = 120  # leaves room for ".tmp-" + random suffix under the 255-byte limit
_HASH_CHARS = 10


# --------------------------------------------------------------------------- batch files

def load_batch_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check one batch file.

    Returns a dict with ``notebook`` (absolute :class:`Path`), ``parameters`` (dict) and
    ``grid`` (dict of name -> list, or the string ``"all"`` for ``county``), plus ``source``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "nb.ipynb").write_text("{}")
    >>> _ = (folder / "b.yaml").write_text(
    ...     "notebook: " + str(folder / "nb.ipynb") + "\\ngrid: {county: [a, b]}\\n")
    >>> load_batch_file(folder / "b.yaml")["grid"]
    {'county': ['a', 'b']}
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"batch file not found: {path}")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(content, dict):
        raise ValueError(f"{path}: a batch file is a mapping with keys notebook, parameters, grid")
    unknown = sorted(set(map(str, content)) - _BATCH_KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)} "
                         f"(allowed: {', '.join(sorted(_BATCH_KEYS))})")
    notebook = content.get("notebook")
    if not isinstance(notebook, str) or not notebook.strip():
        raise ValueError(f"{path}: 'notebook' must be the path of a .ipynb file")
    notebook_path = Path(notebook).expanduser().resolve()
    if not notebook_path.is_file():
        raise FileNotFoundError(f"{path}: notebook not found: {notebook}")
    parameters = content.get("parameters") or {}
    grid = content.get("grid") or {}
    for key, value in (("parameters", parameters), ("grid", grid)):
        if not isinstance(value, dict):
            raise ValueError(f"{path}: '{key}' must be a mapping of parameter names to values")
    clean_grid: dict[str, Any] = {}
    for name, values in grid.items():
        if values == "all" and name == "county":
            clean_grid[name] = "all"
        elif isinstance(values, list):
            if not values:
                raise ValueError(f"{path}: grid '{name}' is an empty list")
            clean_grid[name] = values
        else:
            clean_grid[name] = [values]
    overlap = sorted(set(parameters) & set(clean_grid))
    if overlap:
        raise ValueError(f"{path}: {', '.join(overlap)} given both in parameters and in grid")
    return {"source": path, "notebook": notebook_path, "notebook_text": notebook,
            "parameters": dict(parameters), "grid": clean_grid}


def counties_in(data_path: str | os.PathLike, years: Iterable[Any] | None = None) -> list[str]:
    """Unique ``county_name`` values of a schools file in file order, optionally for some years.

    The file may be a schools or a counties table (its kind is detected); it is read with
    ``edubalance.data.load_table``, so Chinese headers, Excel and Parquet work.
    """
    from .data import load_table

    frame = load_table(data_path)
    if "county_name" not in frame.columns:
        raise ValueError(f"{data_path}: no county_name column, cannot expand county: all")
    if years is not None and "year" in frame.columns:
        wanted = {str(year) for year in years}
        frame = frame[frame["year"].astype(str).isin(wanted)]
    names = frame["county_name"].dropna().astype(str)
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- names

def safe_name(text: str) -> tuple[str, bool]:
    """Turn any text into a portable file-name part; say whether anything was lost.

    Letters and digits of any script are kept (Chinese stays readable), as are ``- _ .``;
    everything else (slashes, spaces, NUL, ``<>:"|?*``) becomes ``_``. Leading dots, Windows
    device names and over-long names are made safe too.

    Examples
    --------
    >>> safe_name("灵武市")
    ('灵武市', False)
    >>> safe_name("../../etc")
    ('etc', True)
    >>> safe_name("CON")
    ('_CON', True)
    """
    original = str(text)
    name = unicodedata.normalize("NFC", original)
    name = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    name = re.sub(r"_+", "_", name)
    name = name.strip("._ ")
    name = re.sub(r"\.{2,}", ".", name)
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    if not name:
        name = "_"
    if len(name.encode("utf-8")) > _SLUG_MAX_BYTES:
        name = _truncate_utf8(name, _SLUG_MAX_BYTES - _HASH_CHARS - 1)
    return name, name != original


def _short_hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_CHARS]


def job_slug(parameters: Mapping[str, Any], keys: Iterable[str]) -> str:
    """File-name slug of a job from the parameters that vary within its notebook's jobs.

    One varying key gives its value alone (``灵武市``); several give ``key=value,...``.
    A hash of the values is appended whenever the readable form lost information, so two
    different parameter sets never share a slug, and the slug never contains a path separator.

    Examples
    --------
    >>> job_slug({"county": "灵武市", "year": 2017}, ["county"])
    '灵武市'
    >>> job_slug({"county": "a/b"}, ["county"]) != job_slug({"county": "a_b"}, ["county"])
    True
    """
    keys = list(keys)
    if not keys:
        return "run"
    parts, lossy = [], False
    for key in keys:
        value_name, value_lossy = safe_name(_value_text(parameters.get(key)))
        if len(keys) == 1:
            parts.append(value_name)
        else:
            key_name, key_lossy = safe_name(key)
            parts.append(f"{key_name}={value_name}")
            lossy = lossy or key_lossy
        lossy = lossy or value_lossy
    slug = ",".join(parts)
    room = _SLUG_MAX_BYTES - _HASH_CHARS - 1
    if lossy or len(slug.encode("utf-8")) > room:
        slug = _truncate_utf8(slug, room) + "-" + _short_hash({k: parameters.get(k) for k in keys})
    return slug


def _truncate_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _inside(root: Path, candidate: Path) -> Path:
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(f"job folder {candidate} would escape the output folder {root}")
    return resolved


# --------------------------------------------------------------------------- jobs

@dataclass
class Job:
    """One notebook run: what to run, with which parameters, and where its folder is."""

    notebook: Path
    notebook_text: str
    parameters: dict[str, Any]
    varying: list[str]
    source: Path
    stem: str = ""
    slug: str = ""
    fingerprint: str = ""

    @property
    def folder(self) -> str:
        return f"{self.stem}/{self.slug}"


@dataclass
class BatchResult:
    """What a batch did: one manifest entry per job, plus where the files are."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    output: Path | None = None

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if entry["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def plan_jobs(batch_files: Iterable[str | os.PathLike]) -> list[Job]:
    """Expand batch files into jobs (grid product, ``county: all`` resolved), with slugs."""
    jobs: list[Job] = []
    for batch_file in batch_files:
        spec = load_batch_file(batch_file)
        grid = dict(spec["grid"])
        if grid.get("county") == "all":
            data_path = spec["parameters"].get("data_path")
            if not isinstance(data_path, str):
                raise ValueError(f"{spec['source']}: county: all needs a data_path parameter")
            years = None
            if "year" in spec["parameters"]:
                years = [spec["parameters"]["year"]]
            elif "year" in grid:
                years = grid["year"]
            grid["county"] = counties_in(data_path, years)
            if not grid["county"]:
                raise ValueError(f"{spec['source']}: no county found in {data_path}"
                                 + (f" for year {', '.join(map(str, years))}" if years else ""))
        names = list(grid)
        for combination in itertools.product(*(grid[name] for name in names)):
            parameters = {**spec["parameters"], **dict(zip(names, combination))}
            jobs.append(Job(notebook=spec["notebook"], notebook_text=spec["notebook_text"],
                            parameters=parameters, varying=names, source=spec["source"]))
    _assign_slugs(jobs)
    return jobs


def _assign_slugs(jobs: list[Job]) -> None:
    by_notebook: dict[Path, list[Job]] = {}
    for job in jobs:
        by_notebook.setdefault(job.notebook, []).append(job)
    stems: dict[str, Path] = {}
    for notebook, group in by_notebook.items():
        stem, _ = safe_name(notebook.stem)
        if stem.casefold() in stems and stems[stem.casefold()] != notebook:
            stem = f"{stem}-{_short_hash(str(notebook))}"
        stems[stem.casefold()] = notebook
        # Slugs use every parameter that differs between this notebook's jobs, so two batch
        # files running one notebook for different years still get distinct folders.
        keys = [key for key in dict.fromkeys(k for job in group for k in job.parameters)
                if len({_value_text(job.parameters.get(key)) for job in group}) > 1]
        if not keys and len(group) == 1:
            keys = group[0].varying
        seen: dict[str, Job] = {}
        for job in group:
            job.stem = stem
            job.slug = job_slug(job.parameters, keys)
            clash = seen.get(job.slug.casefold())
            if clash is not None:
                if clash.parameters == job.parameters:
                    raise ValueError(f"duplicate job for {notebook.name} with parameters "
                                     f"{job.parameters} ({clash.source}, {job.source})")
                job.slug = f"{job.slug}-{_short_hash(job.parameters)}"
            seen[job.slug.casefold()] = job


# --------------------------------------------------------------------------- validation

def notebook_parameters(notebook: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Parameters declared in a notebook's ``parameters`` cell.

    Names come from ``papermill.inspect_notebook``; defaults are read with ``ast`` so that
    their types are known. Returns name -> ``{"type": type or None, "required": bool,
    "default": value}``; ``type`` None means any value is accepted (default ``None`` or not
    a literal). A bare annotation (``county: str``) declares a required parameter.
    """
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cells = [cell for cell in nb.cells
             if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", [])]
    if not cells:
        raise ValueError(f"{notebook}: no cell tagged 'parameters'")
    declared: dict[str, dict[str, Any]] = {}
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = _declaration(value)
    else:
        import papermill as pm

        for name, info in pm.inspect_notebook(str(notebook)).items():
            try:
                declared[name] = _declaration(ast.parse(info["default"], mode="eval").body)
            except SyntaxError:
                declared[name] = {"type": None, "required": False, "default": None}
    return declared


def _declaration(value_node: ast.AST | None) -> dict[str, Any]:
    if value_node is None:
        return {"type": None, "required": True, "default": None}
    try:
        default = ast.literal_eval(value_node)
    except (ValueError, SyntaxError, TypeError):
        return {"type": None, "required": False, "default": None}
    kind = None if default is None else type(default)
    return {"type": kind, "required": False, "default": default}


def _type_ok(value: Any, expected: type | None) -> bool:
    if expected is None:
        return True
    if expected is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if expected is float:
        return isinstance(value, (int, float))
    if expected in (list, tuple):
        return isinstance(value, (list, tuple))
    return isinstance(value, expected)


def validate_jobs(jobs: Iterable[Job]) -> None:
    """Check every job's parameters against its notebook before anything runs.

    Raises
    ------
    ValueError
        Listing every unknown, ill-typed or missing parameter of every job, at once.
    """
    problems: list[str] = []
    declared_by_notebook: dict[Path, dict[str, dict[str, Any]]] = {}
    for job in jobs:
        if job.notebook not in declared_by_notebook:
            declared = notebook_parameters(job.notebook)
            declared_by_notebook[job.notebook] = declared
            if "output_dir" not in declared:
                problems.append(f"{job.notebook_text}: the parameters cell has no output_dir "
                                "(the runner sets it to the job folder)")
        declared = declared_by_notebook[job.notebook]
        where = f"{job.notebook_text} [{job.slug}]"
        for name, value in job.parameters.items():
            if name in _RUNNER_PARAMETERS:
                problems.append(f"{where}: parameter {name} is set by the runner, remove it")
            elif name not in declared:
                allowed = ", ".join(n for n in declared if n not in _RUNNER_PARAMETERS)
                problems.append(f"{where}: unknown parameter {name!r} (allowed: {allowed})")
            elif not _type_ok(value, declared[name]["type"]):
                problems.append(f"{where}: parameter {name}={value!r} should be "
                                f"{declared[name]['type'].__name__}, not {type(value).__name__}")
        for name, info in declared.items():
            if info["required"] and name not in job.parameters and name not in _RUNNER_PARAMETERS:
                problems.append(f"{where}: missing required parameter {name!r}")
    if problems:
        unique = list(dict.fromkeys(problems))
        shown = unique[:50] + ([f"... and {len(unique) - 50} more"] if len(unique) > 50 else [])
        raise ValueError("invalid batch, no job was run:\n  " + "\n  ".join(shown))


# --------------------------------------------------------------------------- fingerprints

def _is_path_parameter(name: str) -> bool:
    return name.endswith(("_path", "_file")) and name not in _RUNNER_PARAMETERS


def _file_digest(path: Path, cache: dict[Path, str]) -> str:
    if path not in cache:
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            cache[path] = "sha256:" + digest.hexdigest()
        elif path.is_dir():
            stat = path.stat()
            cache[path] = f"dir:{stat.st_mtime_ns}"
        else:
            cache[path] = "missing"
    return cache[path]


def package_code_hash() -> str:
    """Content hash of the installed package's code: every ``*.py`` and ``standards/*.yaml``.

    Files are taken in sorted order and hashed with their path relative to the package
    folder, so editing a module or a standard (without a version bump), adding or renaming
    one all change the hash. ``run_batch`` calls it once per batch, not per job.

    Examples
    --------
    >>> package_code_hash().startswith("sha256:")
    True
    >>> package_code_hash() == package_code_hash()
    True
    """
    root = Path(__file__).resolve().parent
    files = sorted({*root.rglob("*.py"), *(root / "standards").glob("*.yaml")})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


def fingerprint(job: Job, cache: dict[Path, str] | None = None,
                code_hash: str | None = None) -> str:
    """Hash of what determines a job's results: notebook, parameters, input files, code.

    Files named by ``*_path`` / ``*_file`` parameters are hashed by content (sha256), so a
    changed data file makes ``--resume`` run the job again; so does a changed package
    module or standards YAML (``code_hash``, default :func:`package_code_hash`), and a new
    package version.
    """
    cache = {} if cache is None else cache
    if code_hash is None:
        code_hash = package_code_hash()
    inputs = {name: _file_digest(Path(value).expanduser().resolve(), cache)
              for name, value in sorted(job.parameters.items())
              if _is_path_parameter(name) and isinstance(value, str) and value}
    payload = {"notebook": _file_digest(job.notebook, cache), "parameters": job.parameters,
               "inputs": inputs, "version": __version__, "code": code_hash}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- one job

def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / JOB_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_complete(output: Path, job: Job) -> dict[str, Any] | None:
    """The job's marker if its folder holds a finished, successful run with this fingerprint."""
    folder = output / job.stem / job.slug
    marker = _read_marker(folder)
    if not marker or marker.get("status") != "ok" or marker.get("fingerprint") != job.fingerprint:
        return None
    for key in ("notebook_output", "report"):
        if not marker.get(key) or not (output / marker[key]).is_file():
            return None
    return marker


def _recording_kernel_manager(pids: list[int], log=None):
    """A kernel manager class that notes the pid of each kernel it starts (for the watchdog).

    ``log``, an open file, receives the kernel's own stdout/stderr (start-up warnings, crash
    messages) instead of the runner's terminal.
    """
    from jupyter_client.manager import AsyncKernelManager

    class RecordingKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kwargs):  # noqa: D102 - same as the parent
            if log is not None:
                kwargs.setdefault("stdout", log)
                kwargs.setdefault("stderr", log)
            await super().start_kernel(**kwargs)
            pid = getattr(self.provisioner, "pid", None)
            if pid is None and getattr(self.provisioner, "process", None) is not None:
                pid = self.provisioner.process.pid
            if pid is not None:
                pids.append(pid)

    return RecordingKernelManager


def _describe_error(error: BaseException, timed_out: bool, timeout: float | None) -> str:
    if timed_out:
        return f"timed out after {timeout:g} s (job watchdog); kernel stopped"
    name = type(error).__name__
    if name == "PapermillExecutionError":
        return (f"{error.ename}: {error.evalue} (cell {error.exec_count})").strip()
    if name == "CellTimeoutError":
        return f"cell timed out after {timeout:g} s"
    if name == "DeadKernelError":
        return f"kernel died: {error}"
    return f"{name}: {error}"


def execute_job(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Run one job into a temporary folder, then rename it into place; never raises.

    ``spec`` is a plain dict (so that it pickles for worker processes and Dask) with keys
    ``notebook``, ``parameters``, ``output``, ``stem``, ``slug``, ``cwd``, ``timeout``,
    ``kernel_name``, ``fingerprint``, ``notebook_text`` (and optionally ``cell_timeout``,
    default ``timeout``: nbclient's per-cell limit; ``timeout`` is the whole job's watchdog,
    which kills the kernel). Each call starts and stops its own kernel (papermill). Returns
    the manifest entry.
    """
    return _execute_job(spec, _run_with_new_kernel)


def _run_with_new_kernel(spec: Mapping[str, Any], executed: Path, parameters: dict,
                         kernel_pids: list[int], kernel_log) -> None:
    import papermill as pm

    pm.execute_notebook(
        spec["notebook"], str(executed), parameters=parameters,
        kernel_name=spec.get("kernel_name", KERNEL_NAME), cwd=spec.get("cwd"),
        progress_bar=False, log_output=False,
        execution_timeout=spec.get("cell_timeout", spec.get("timeout")),
        kernel_manager_class=_recording_kernel_manager(kernel_pids, kernel_log))


def _execute_job(spec: Mapping[str, Any], run_notebook: Callable[..., None]) -> dict[str, Any]:
    # Everything around the notebook run (temporary folder, watchdog, HTML report, job.json,
    # rename) is shared by the engines; ``run_notebook(spec, executed, parameters,
    # kernel_pids, kernel_log)`` executes the notebook and notes its kernel's pid.
    started = time.time()
    clock = time.monotonic()
    output = Path(spec["output"])
    stem, slug = spec["stem"], spec["slug"]
    final = _inside(output, output / stem / slug)
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(final.parent, slug)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{slug}-", dir=final.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a report folder is meant to be read
    executed = tmp / f"{stem}.ipynb"
    timeout = spec.get("timeout")
    parameters = {**spec["parameters"], "output_dir": str(tmp)}
    error_text = None
    kernel_pids: list[int] = []
    timed_out = threading.Event()

    def watchdog() -> None:
        timed_out.set()
        for pid in kernel_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    timer = threading.Timer(timeout, watchdog) if timeout else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    kernel_log = (tmp / "kernel.log").open("w", encoding="utf-8")
    try:
        run_notebook(spec, executed, parameters, kernel_pids, kernel_log)
    except Exception as error:  # a failing job is recorded, never fatal to the batch
        error_text = _describe_error(error, timed_out.is_set(), timeout)
    finally:
        if timer is not None:
            timer.cancel()
        kernel_log.close()
    report = tmp / f"{stem}.html"
    if executed.is_file():
        try:
            from .report import export_html

            export_html(executed, report)
        except Exception as error:
            if error_text is None:
                error_text = f"HTML report failed: {type(error).__name__}: {error}"
    prefix = f"{stem}/{slug}"
    entry = {
        "notebook": spec.get("notebook_text", spec["notebook"]),
        "notebook_stem": stem,
        "slug": slug,
        "parameters": dict(spec["parameters"]),
        "status": "ok" if error_text is None else "failed",
        "seconds": round(time.monotonic() - clock, 3),
        "error": error_text,
        "folder": prefix,
        "notebook_output": f"{prefix}/{executed.name}" if executed.is_file() else None,
        "report": f"{prefix}/{report.name}" if report.is_file() else None,
        "summary": f"{prefix}/summary.json" if (tmp / "summary.json").is_file() else None,
        "files": sorted(f"{prefix}/{p.relative_to(tmp).as_posix()}" for p in tmp.rglob("*")
                        if p.is_file() and not p.name.startswith(".")),
        "version": __version__,
        "fingerprint": spec.get("fingerprint"),
        "engine": spec.get("engine", "local"),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "host": os.uname().nodename if hasattr(os, "uname") else "",
    }
    entry["files"].append(f"{prefix}/{JOB_MARKER}")
    (tmp / JOB_MARKER).write_text(json.dumps(entry, ensure_ascii=False, indent=2) + "\n",
                                  encoding="utf-8")
    _move_into_place(tmp, final)
    return entry


_MKDTEMP_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def _is_leftover_of(name: str, slug: str) -> bool:
    # mkdtemp appends exactly 8 characters from _MKDTEMP_CHARS; matching that exactly keeps
    # job "A" from touching the folder of a running job "A-B".
    for prefix in (f".tmp-{slug}-", f".old-{slug}-"):
        rest = name[len(prefix):]
        if name.startswith(prefix) and len(rest) == 8 and set(rest) <= _MKDTEMP_CHARS:
            return True
    return False


def _remove_leftovers(parent: Path, slug: str) -> None:
    # Folders of a run that was killed: never complete, safe to drop before a new attempt.
    for leftover in parent.iterdir():
        if leftover.is_dir() and _is_leftover_of(leftover.name, slug):
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


# --------------------------------------------------------------------------- warm kernels

_WARM_ENGINE = "edubalance-warm"
_WARM_START_TIMEOUT = 60.0
# Run by the kernel before every job: wipe user globals (%reset -f), drop what they held,
# close figures and restore matplotlib's rc settings, go back to the batch's working folder
# and number cells from 1 again, so the executed notebook looks like a fresh kernel's.
# Imported modules stay in sys.modules: that is the point of reusing the kernel.
_RESET_CODE = '''\
get_ipython().run_line_magic("reset", "-f")
exec(compile({body!r}, "<edubalance-warm-reset>", "exec"),
     {{"get_ipython": get_ipython, "__name__": "edubalance_warm_reset"}})
'''
_RESET_BODY = '''\
import gc, os, sys
os.chdir({cwd!r})
if "matplotlib.pyplot" in sys.modules:
    import matplotlib
    import matplotlib.pyplot as plt
    plt.close("all")
    matplotlib.rc_file_defaults()
    get_ipython().run_line_magic("matplotlib", "inline")
get_ipython().execution_count = 1
gc.collect()
'''


def _warm_reset_code(cwd: str) -> str:
    return _RESET_CODE.format(body=_RESET_BODY.format(cwd=cwd))


def _register_warm_engine() -> None:
    """Register with papermill an nbclient engine that runs on an already started kernel.

    papermill then does everything as for the local engine (parameter injection, cell
    metadata, error marker, saving the executed notebook up to the failing cell); only the
    kernel comes from the worker instead of being started and stopped for the job.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    if _WARM_ENGINE in papermill_engines._engines:
        return

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, km=None, kc=None, **kwargs):
            if km is None or kc is None:
                raise ValueError("the warm-kernel engine needs a started kernel (km, kc)")
            # nbclient keeps a kernel manager it did not create (owns_km False): it neither
            # starts nor shuts it down; giving it our client too avoids a new set of channels
            # (and a heartbeat thread) per job.
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file)
            client.kc = kc
            return client.execute()

    papermill_engines.register(_WARM_ENGINE, WarmKernelEngine)


class _WarmKernel:
    """One kernel kept alive by a worker process across its jobs (``--engine warm``)."""

    def __init__(self, kernel_name: str) -> None:
        from jupyter_core.utils import ensure_event_loop

        self.kernel_name = kernel_name
        # nbclient's sync wrappers run on this thread's loop; the kernel's async sockets
        # must live on the same one.
        self.loop = ensure_event_loop()
        self.km = None
        self.kc = None
        self.pid: int | None = None
        self.needs_restart = False
        handle, name = tempfile.mkstemp(prefix="edubalance-warm-kernel-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)

    def _run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def alive(self) -> bool:
        if self.km is None:
            return False
        try:
            return bool(self._run(self.km.is_alive()))
        except Exception:
            return False

    def start(self, cwd: str | None) -> None:
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name=self.kernel_name)
        with self.log_path.open("ab") as log:
            # The same in-memory history nbclient gives a fresh kernel: no shared sqlite file.
            self._run(km.start_kernel(cwd=cwd, stdout=log, stderr=log,
                                      extra_arguments=["--HistoryManager.hist_file=:memory:"]))
        process = getattr(km.provisioner, "process", None)
        self.km, self.pid = km, getattr(process, "pid", None) or getattr(km.provisioner, "pid",
                                                                         None)
        self.kc = km.client()
        self.kc.start_channels()
        try:
            self._run(self.kc.wait_for_ready(timeout=_WARM_START_TIMEOUT))
        except BaseException:
            self.stop()
            raise
        self.kc.allow_stdin = False
        self.needs_restart = False

    def stop(self) -> None:
        kc, km, pid = self.kc, self.km, self.pid
        self.kc = self.km = self.pid = None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:
                pass
        if km is not None:
            try:
                self._run(km.shutdown_kernel(now=True))
            except Exception:
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass

    def close(self) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)

    def reset(self, cwd: str) -> None:
        reply = self._run(self.kc.execute_interactive(
            _warm_reset_code(cwd), silent=True, store_history=False, allow_stdin=False,
            timeout=_WARM_START_TIMEOUT, output_hook=lambda message: None))
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"warm kernel reset failed: {content.get('ename')}: "
                               f"{content.get('evalue')}")

    def run(self, spec: Mapping[str, Any], executed: Path, parameters: dict,
            kernel_pids: list[int], kernel_log) -> None:
        """Reset the namespace, then execute the notebook with papermill on this kernel."""
        import papermill as pm

        cwd = str(spec.get("cwd") or os.getcwd())
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        try:
            if self.km is None or not self.alive():
                self.stop()
                self.start(cwd)
            if self.pid is not None:
                kernel_pids.append(self.pid)  # for the job watchdog
            self.reset(cwd)
            _register_warm_engine()
            pm.execute_notebook(
                spec["notebook"], str(executed), parameters=parameters,
                engine_name=_WARM_ENGINE, kernel_name=spec.get("kernel_name", KERNEL_NAME),
                cwd=spec.get("cwd"), progress_bar=False, log_output=False,
                execution_timeout=spec.get("cell_timeout", spec.get("timeout")),
                km=self.km, kc=self.kc)
        except Exception as error:
            # A cell that raised leaves an idle kernel, reset before the next job; anything
            # else (timeout, dead kernel, failed reset) may leave it busy or gone.
            self.needs_restart = type(error).__name__ != "PapermillExecutionError"
            raise
        finally:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                kernel_log.write(log.read().decode("utf-8", "replace"))


_WARM: _WarmKernel | None = None


def _close_warm_kernel() -> None:
    global _WARM
    if _WARM is not None:
        _WARM.close()
        _WARM = None


def _warm_worker_init() -> None:
    from multiprocessing.util import Finalize

    _worker_init()
    # Pool workers end with os._exit (no atexit): multiprocessing's finalizers still run.
    Finalize(None, _close_warm_kernel, exitpriority=10)


def execute_job_warm(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Like :func:`execute_job`, but on this process's long-lived kernel (``--engine warm``).

    The kernel is started on the first job and reused: before each job its namespace is
    wiped (``%reset -f``, ``gc.collect()``, figures closed, matplotlib rc and ``%matplotlib
    inline`` re-established, working folder reset to ``spec["cwd"]``). Modules stay imported,
    so heavy imports are paid once per worker; module-level state inside imported packages
    (caches, options, registries) therefore survives from one job to the next. After a
    timeout, a dead kernel or a failed reset the kernel is stopped and the next job starts
    a new one. Never raises; returns the manifest entry.
    """
    global _WARM
    if _WARM is None or _WARM.kernel_name != spec.get("kernel_name", KERNEL_NAME):
        _close_warm_kernel()
        _WARM = _WarmKernel(spec.get("kernel_name", KERNEL_NAME))
    warm = _WARM
    entry = _execute_job(spec, warm.run)
    if warm.needs_restart or (entry["status"] == "failed" and not warm.alive()):
        warm.stop()  # the next job starts a fresh kernel
    return entry


# --------------------------------------------------------------------------- engines

def _worker_init() -> None:
    # Die with the runner (a SIGKILLed runner must not leave workers finishing jobs), and
    # leave Ctrl-C to the runner, which stops the workers itself.
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _kill_children() -> None:
    try:
        import psutil
    except ImportError:
        return
    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass


def _run_local(specs: list[dict], workers: int, on_done: Callable[[dict], None],
               warm: bool = False) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(max_workers=max(1, min(workers, len(specs))),
                                   mp_context=context,
                                   initializer=_warm_worker_init if warm else _worker_init)
    job_function = execute_job_warm if warm else execute_job
    try:
        pending = {executor.submit(job_function, spec): spec for spec in specs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                spec = pending.pop(future)
                on_done(_result_or_failure(future, spec))
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        _kill_children()
        raise
    executor.shutdown(wait=True)


def _run_dask(specs: list[dict], scheduler: str | None,
              on_done: Callable[[dict], None]) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ValueError("--engine dask needs the dask extra: pip install 'edubalance[dask]'") \
            from None
    if not scheduler:
        raise ValueError("--engine dask needs --scheduler tcp://host:port")
    with Client(scheduler, timeout="30s") as client:
        futures = {client.submit(execute_job, spec, pure=False,
                                 key=f"edubalance-{spec['stem']}-{_short_hash(spec['slug'])}-"
                                     f"{os.urandom(4).hex()}"): spec for spec in specs}
        try:
            for future in as_completed(futures):
                on_done(_result_or_failure(future, futures[future]))
        except BaseException:
            client.cancel(list(futures))
            raise


def _result_or_failure(future, spec: dict) -> dict:
    try:
        return future.result()
    except BaseException as error:  # the worker itself died (killed, out of memory)
        prefix = f"{spec['stem']}/{spec['slug']}"
        return {"notebook": spec.get("notebook_text", spec["notebook"]),
                "notebook_stem": spec["stem"], "slug": spec["slug"],
                "parameters": dict(spec["parameters"]), "status": "failed", "seconds": None,
                "error": f"worker failed: {type(error).__name__}: {error}", "folder": prefix,
                "notebook_output": None, "report": None, "summary": None, "files": [],
                "version": __version__, "fingerprint": spec.get("fingerprint")}


# --------------------------------------------------------------------------- the batch

def _job_matches(job: Job, pattern: str) -> bool:
    candidates = [job.slug, job.folder, *(_value_text(job.parameters[k]) for k in job.varying
                                          if k in job.parameters)]
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)


def _write_manifest(output: Path, entries: list[dict], previous: list[dict]) -> Path:
    from .io.write import atomic_write_text

    current = {entry["folder"] for entry in entries}
    # Jobs of earlier runs into the same folder stay listed while their folder exists.
    kept = [entry for entry in previous if entry.get("folder") not in current
            and (output / str(entry.get("folder", "")) / JOB_MARKER).is_file()]
    text = json.dumps({"version": __version__, "jobs": kept + entries}, ensure_ascii=False,
                      indent=2)
    return atomic_write_text(output / MANIFEST, text + "\n")


def _read_manifest(output: Path) -> list[dict]:
    try:
        jobs = json.loads((output / MANIFEST).read_text(encoding="utf-8")).get("jobs", [])
        return [entry for entry in jobs if isinstance(entry, dict)]
    except (OSError, ValueError, AttributeError):
        return []


def run_batch(batch_files: Iterable[str | os.PathLike], output: str | os.PathLike = "reports",
              workers: int | None = None, resume: bool = False, only: str | None = None,
              engine: str = "local", scheduler: str | None = None,
              timeout: float | None = DEFAULT_TIMEOUT, progress: bool = True,
              kernel_name: str = KERNEL_NAME) -> BatchResult:
    """Run every job of the batch files; write ``manifest.json`` and ``index.html``.

    Parameters are checked for every job before any job starts (``ValueError`` listing
    all problems). A failing job is recorded and the others go on.

    Returns
    -------
    BatchResult
        ``entries`` in job order; ``exit_code`` is 1 if any job failed.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose {', '.join(ENGINES)})")
    if workers is not None and workers < 1:
        raise ValueError("--workers must be at least 1")
    if timeout is not None and timeout <= 0:
        raise ValueError("--timeout must be positive")
    output = Path(output).expanduser().resolve()
    jobs = plan_jobs(batch_files)
    if only:
        jobs = [job for job in jobs if _job_matches(job, only)]
        if not jobs:
            raise ValueError(f"--only {only!r} matches no job")
    validate_jobs(jobs)
    cache: dict[Path, str] = {}
    code_hash = package_code_hash()  # once per batch: the package does not change mid-run
    for job in jobs:
        job.fingerprint = fingerprint(job, cache, code_hash)
        _inside(output, output / job.stem / job.slug)
    output.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(output)

    entries: dict[int, dict] = {}
    specs: list[dict] = []
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
                      "fingerprint": job.fingerprint, "engine": engine})

    from tqdm.auto import tqdm

    bar = tqdm(total=len(jobs), initial=len(entries), unit="job", desc="edubalance batch",
               disable=not progress, file=sys.stderr, dynamic_ncols=True)
    failures = [0]
    slot = {spec["slug"] + "\0" + spec["stem"]: spec["index"] for spec in specs}

    def on_done(entry: dict) -> None:
        entries[slot[entry["slug"] + "\0" + entry["notebook_stem"]]] = entry
        failures[0] += entry["status"] == "failed"
        bar.update(1)
        bar.set_postfix(failed=failures[0], refresh=True)
        _write_manifest(output, [entries[i] for i in sorted(entries)], previous)

    try:
        if specs:
            if engine == "dask":
                _run_dask(specs, scheduler, on_done)
            else:
                _run_local(specs, workers or os.cpu_count() or 1, on_done,
                           warm=engine == "warm")
    finally:
        bar.close()
        ordered = [entries[i] for i in sorted(entries)]
        _write_manifest(output, ordered, previous)
        from .report import write_index

        write_index(output)
    return BatchResult(entries=ordered, output=output)


def summarise(result: BatchResult) -> str:
    """A short text summary: counts, then one line per failed job."""
    counts = {status: sum(entry["status"] == status for entry in result.entries)
              for status in ("ok", "skipped", "failed")}
    lines = [f"{len(result.entries)} job(s): {counts['ok']} ok, {counts['skipped']} skipped "
             f"(already complete), {counts['failed']} failed"]
    for entry in result.failed:
        lines.append(f"  FAILED {entry['folder']}: {entry['error']}")
    if result.output is not None:
        lines.append(f"manifest: {result.output / MANIFEST}")
        lines.append(f"index:    {result.output / 'index.html'}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- CLI

def _handle_batch(args: argparse.Namespace) -> int:
    result = run_batch(args.batch_files, output=args.output, workers=args.workers,
                       resume=args.resume, only=args.only, engine=args.engine,
                       scheduler=args.scheduler, timeout=args.timeout,
                       progress=not args.quiet)
    print(summarise(result))
    return result.exit_code


def register_cli(subparsers) -> None:
    """Add ``edubalance batch``."""
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
        "--engine", choices=ENGINES, default="local",
        help="local (default): a fresh kernel per job, nothing carries over. warm: each "
             "worker keeps one kernel for all its jobs and wipes its namespace before each "
             "(%%reset -f, gc, figures closed, cwd reset), so imports are paid once per "
             "worker - faster for short notebooks, but module-level state inside imported "
             "packages (caches, options, monkeypatches) survives between jobs. dask: submit "
             "to a distributed cluster (--scheduler)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address for --engine dask (tcp://host:port)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"per-job limit, also per cell (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_handle_batch)


def main(argv: list[str] | None = None) -> int:
    """``python -m edubalance.batch PARAMS.yaml ...``: the ``batch`` sub-command on its own.

    Same behaviour and exit codes as ``edubalance batch`` (bad input: message, exit 1), without
    loading the other sub-commands' modules.
    """
    parser = argparse.ArgumentParser(prog="python -m edubalance.batch")
    register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["batch", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as error:
        print(f"edubalance batch: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("edubalance batch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
