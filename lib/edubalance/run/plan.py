"""From batch files to jobs: grid expansion, folder names, up-front checks, fingerprints.

Every job gets the folder ``<notebook-stem>/<slug>``. The slug names every parameter that
identifies the job (``county``, ``standard``, ``year``, ``level``, and every grid key), even
when a batch has a single value for it, so a second batch into the same output folder adds
folders instead of replacing the first batch's.

Examples
--------
>>> job_slug({"county": "灵武市", "standard": "basic-2012", "year": 2017},
...          ["county", "standard", "year"])
'county=灵武市,standard=basic-2012,year=2017'
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .. import __version__
from ..errors import ParameterError
from .batchfile import batch_spec, counties_in, is_path_parameter, load_batch_file
from .params import RUNNER_PARAMETERS, ParameterModel, model_of_notebook

__all__ = ["Job", "plan_jobs", "validate_jobs", "job_slug", "safe_name", "fingerprint",
           "package_code_hash", "IDENTIFYING", "value_text", "short_hash", "file_sha256"]

# Parameters that identify a job whenever a notebook has them (in this order in names).
IDENTIFYING = ("county", "standard", "year", "level")
# Windows device names: a folder called CON or lpt1.txt cannot be created or opened there.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}
SLUG_MAX_BYTES = 120  # leaves room for ".tmp-" + random suffix under the 255-byte limit
_HASH_CHARS = 10


def safe_name(text: str) -> tuple[str, bool]:
    """Turn any text into a portable file-name part; say whether anything was lost.

    Letters and digits of any script are kept (Chinese stays readable), as are ``- _ .``;
    everything else (slashes, spaces, NUL, ``<>:"|?*``) becomes ``_``. Leading dots, Windows
    device names and over-long names are made safe too.

    Parameters
    ----------
    text : str
        Any text (other values are taken as ``str(text)``).

    Returns
    -------
    name : str
        The file-name part (NFC-normalised; ``_`` when nothing is left); one longer than
        ``SLUG_MAX_BYTES`` bytes of UTF-8 is cut to 109 bytes.
    lossy : bool
        Whether ``name`` differs from ``text``.

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
    if len(name.encode("utf-8")) > SLUG_MAX_BYTES:
        name = _truncate_utf8(name, SLUG_MAX_BYTES - _HASH_CHARS - 1)
    return name, name != original


def short_hash(value: Any) -> str:
    """A short content hash of a value: the first 10 hex digits of the sha256 of its JSON.

    Parameters
    ----------
    value : object
        Anything JSON can hold (keys sorted; other objects taken as ``str``).

    Returns
    -------
    str
        10 hex digits; equal values give equal hashes.

    Examples
    --------
    >>> short_hash({"a": 1, "b": 2}) == short_hash({"b": 2, "a": 1})
    True
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_CHARS]


def _truncate_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def value_text(value: Any) -> str:
    """A parameter value as text (strings as they are, anything else as JSON).

    Parameters
    ----------
    value : object
        A parameter's value.

    Returns
    -------
    str
        ``value`` itself if it is a string, else its JSON (keys sorted, non-ASCII kept,
        other objects as ``str``).

    Examples
    --------
    >>> value_text("灵武市"), value_text(2017), value_text(["a", 1])
    ('灵武市', '2017', '["a", 1]')
    """
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def job_slug(parameters: Mapping[str, Any], keys: Iterable[str]) -> str:
    """File-name slug of a job from its identifying parameters.

    One key gives its value alone (``灵武市``); several give ``key=value,...``. A hash of the
    values is appended whenever the readable form lost information, so two different
    parameter sets never share a slug, and the slug never contains a path separator.

    Parameters
    ----------
    parameters : mapping
        The job's parameters (a key it lacks counts as None).
    keys : iterable of str
        The identifying parameters, in the order the slug names them.

    Returns
    -------
    str
        The slug (``run`` when ``keys`` is empty), at most ``SLUG_MAX_BYTES`` bytes of UTF-8.

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
        value_name, value_lossy = safe_name(value_text(parameters.get(key)))
        if len(keys) == 1:
            parts.append(value_name)
        else:
            key_name, key_lossy = safe_name(key)
            parts.append(f"{key_name}={value_name}")
            lossy = lossy or key_lossy
        lossy = lossy or value_lossy
    slug = ",".join(parts)
    room = SLUG_MAX_BYTES - _HASH_CHARS - 1
    if lossy or len(slug.encode("utf-8")) > room:
        slug = _truncate_utf8(slug, room) + "-" + short_hash({k: parameters.get(k) for k in keys})
    return slug


@dataclass
class Job:
    """One notebook run: what to run, with which parameters, and where its folder is.

    Made by :func:`plan_jobs`, which sets ``stem`` and ``slug``; ``fingerprint`` and
    ``data_files`` are set when the runner fingerprints the job (:func:`fingerprint`).

    Parameters
    ----------
    notebook : Path
        The notebook, absolute.
    notebook_text : str
        The notebook as the batch file names it.
    parameters : dict
        The job's parameters (shared ones and its grid values).
    varying : list of str
        The batch file's grid keys.
    source : Path
        The batch file (``<command line>`` for a batch built in memory).
    stem : str, default ""
        The notebook's folder name in the output folder.
    slug : str, default ""
        The job's folder name below ``stem`` (:func:`job_slug`).
    fingerprint : str, default ""
        Hash of what determines the job's results.
    data_files : dict, optional
        Parameter -> ``{"path", "sha256"}`` of each data file the job reads.
    """

    notebook: Path
    notebook_text: str
    parameters: dict[str, Any]
    varying: list[str]
    source: Path
    stem: str = ""
    slug: str = ""
    fingerprint: str = ""
    data_files: dict = field(default_factory=dict)  # parameter -> {"path", "sha256"}

    @property
    def folder(self) -> str:
        """The job's folder below the output folder: ``<stem>/<slug>``."""
        return f"{self.stem}/{self.slug}"


def _expand_all(spec: dict, grid: dict) -> list:
    data_path = spec["parameters"].get("data_path")
    if not isinstance(data_path, str):
        raise ParameterError(f"{spec['source']}: county: all needs a data_path parameter")
    years = None
    if "year" in spec["parameters"]:
        years = [spec["parameters"]["year"]]
    elif "year" in grid:
        years = grid["year"]
    counties = counties_in(data_path, years, by_code=True)
    if not counties:
        raise ParameterError(f"{spec['source']}: no county found in {data_path}"
                             + (f" for year {', '.join(map(str, years))}" if years else ""))
    return counties


def plan_jobs(batch_files: Iterable[str | os.PathLike | Mapping], first: int | None = None
              ) -> list[Job]:
    """Expand batch files into jobs (grid product, ``county: all`` resolved), with slugs.

    A batch may also be given as a mapping built in memory (what a batch file holds; see
    :func:`edubalance.run.batchfile.batch_spec`).

    ``first`` keeps only the first jobs of each batch file (a quick, representative look:
    with ``county`` first in the grid, every standard for the first counties).

    Parameters
    ----------
    batch_files : iterable of str, path-like or mapping
        Batch files (YAML), or batches as mappings (:func:`~edubalance.run.batchfile.batch_spec`).
    first : int, optional
        Keep only the first ``first`` jobs of each batch (grid order); default every job.

    Returns
    -------
    list of Job
        The jobs in batch and grid order, each with its ``stem`` and ``slug``.

    Raises
    ------
    ParameterError
        ``first`` is below 1, a batch is invalid, ``county: all`` finds no county (or has no
        ``data_path``), or two jobs of one notebook have the same parameters.
    FileNotFoundError
        A batch file, its notebook or a data file it names is missing.
    """
    if first is not None and first < 1:
        raise ParameterError("--first must be at least 1")
    jobs: list[Job] = []
    for batch_file in batch_files:
        spec = batch_spec(batch_file) if isinstance(batch_file, Mapping) \
            else load_batch_file(batch_file)
        grid = dict(spec["grid"])
        if grid.get("county") == "all":
            grid["county"] = _expand_all(spec, grid)
        names = list(grid)
        combinations = itertools.product(*(grid[name] for name in names))
        for combination in itertools.islice(combinations, first):
            parameters = {**spec["parameters"], **dict(zip(names, combination, strict=True))}
            jobs.append(Job(notebook=spec["notebook"], notebook_text=spec["notebook_text"],
                            parameters=parameters, varying=names, source=spec["source"]))
    _assign_slugs(jobs)
    return jobs


def slug_keys(group: list[Job]) -> list[str]:
    """The parameters naming the jobs of one notebook.

    The identifying ones, the grid keys, and any other parameter whose value differs between
    the jobs.
    """
    present = list(dict.fromkeys(k for job in group for k in job.parameters))
    differing = [key for key in present
                 if len({value_text(job.parameters.get(key)) for job in group}) > 1]
    wanted = {*IDENTIFYING, *(k for job in group for k in job.varying), *differing}
    ordered = [key for key in IDENTIFYING if key in present]
    ordered += [key for key in present if key in wanted and key not in ordered]
    return ordered


def _assign_slugs(jobs: list[Job]) -> None:
    by_notebook: dict[Path, list[Job]] = {}
    for job in jobs:
        by_notebook.setdefault(job.notebook, []).append(job)
    stems: dict[str, Path] = {}
    for notebook, group in by_notebook.items():
        stem, _ = safe_name(notebook.stem)
        if stem.casefold() in stems and stems[stem.casefold()] != notebook:
            stem = f"{stem}-{short_hash(str(notebook))}"
        stems[stem.casefold()] = notebook
        keys = slug_keys(group)
        seen: dict[str, Job] = {}
        for job in group:
            job.stem = stem
            job.slug = job_slug(job.parameters, keys)
            clash = seen.get(job.slug.casefold())
            if clash is not None:
                if clash.parameters == job.parameters:
                    raise ParameterError(f"duplicate job for {notebook.name} with parameters "
                                         f"{job.parameters} ({clash.source}, {job.source})")
                job.slug = f"{job.slug}-{short_hash(job.parameters)}"
            seen[job.slug.casefold()] = job


def validate_jobs(jobs: Iterable[Job]) -> None:
    """Check every job's parameters against its notebook's model before anything runs.

    The model is the one the notebook's first cell checks (:mod:`edubalance.run.params`).

    Parameters
    ----------
    jobs : iterable of Job
        The planned jobs (:func:`plan_jobs`).

    Raises
    ------
    ParameterError
        Listing every unknown, ill-typed or missing parameter of every job, at once.
    """
    problems: list[str] = []
    models: dict[Path, ParameterModel] = {}
    for job in jobs:
        if job.notebook not in models:
            try:
                models[job.notebook] = model_of_notebook(job.notebook)
            except (ValueError, OSError) as error:
                problems.append(f"{job.notebook_text}: {error}")
                models[job.notebook] = ParameterModel({})
                continue
            if "output_dir" not in models[job.notebook]:
                problems.append(f"{job.notebook_text}: the parameters cell has no output_dir "
                                "(the runner sets it to the job folder)")
        where = f"{job.notebook_text} [{job.slug}]"
        for problem in models[job.notebook].check_values(job.parameters,
                                                         runner=RUNNER_PARAMETERS,
                                                         require=False):
            problems.append(f"{where}: {problem.batch_text()}")
    if problems:
        unique = list(dict.fromkeys(problems))
        shown = unique[:50] + ([f"... and {len(unique) - 50} more"] if len(unique) > 50 else [])
        raise ParameterError("invalid batch, no job was run:\n  " + "\n  ".join(shown))


# --------------------------------------------------------------------------- fingerprints

def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read a megabyte at a time (the one file digest of run/).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as handle:
    ...     _ = handle.write(b"abc")
    >>> file_sha256(handle.name)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_REMEMBERED: dict[tuple[str, int, int], str] = {}

DIGESTS_ENV = "EDUBALANCE_FILE_DIGESTS"
"""The digests the batch computed while planning, for its workers' kernels (JSON).

Set by the batch while its workers run (:func:`remembered_digests`): a kernel then keys the
shared scoring of a national file (:func:`edubalance.run.cache.cache_key`) without reading
and hashing its 30 MB again, for the same path, size and modification time only.
"""
_DIGESTS_LIMIT = 64 * 1024   # of the environment's text (Linux takes 128 KiB a variable)
_INHERITED: dict[str, dict[tuple[str, int, int], str]] = {}


def remembered_sha256(path: Path) -> str:
    """:func:`file_sha256` of ``path``, read once per process for its size and time.

    The batch plans its jobs (their fingerprints) and then computes the shared scoring of the
    same data file, whose cache key is its content: one read and hash of a national file
    (about 30 MB) instead of two, on the way to the first job. A batch's kernels take the
    digests the batch computed from :data:`DIGESTS_ENV`.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _REMEMBERED:
        _REMEMBERED[key] = _inherited_digests().get(key) or file_sha256(path)
    return _REMEMBERED[key]


def remembered_digests() -> str:
    """The digests this process computed, as :data:`DIGESTS_ENV` holds them (JSON).

    Returns
    -------
    str
        A JSON list of ``[path, size, mtime_ns, sha256]``, at most 64 KiB (the first files).

    Examples
    --------
    >>> import json, tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as handle:
    ...     _ = handle.write(b"abc")
    >>> digest = remembered_sha256(Path(handle.name))
    >>> [path, size, _, sha] = json.loads(remembered_digests())[-1]
    >>> path == str(Path(handle.name).resolve()), size, sha == digest
    (True, 3, True)
    """
    kept, size = [], 2
    for (path, length, mtime), digest in _REMEMBERED.items():
        item = json.dumps([path, length, mtime, digest], ensure_ascii=False)
        size += len(item) + 1
        if size > _DIGESTS_LIMIT:
            break
        kept.append(item)
    return "[" + ",".join(kept) + "]"


def _inherited_digests() -> dict[tuple[str, int, int], str]:
    text = os.environ.get(DIGESTS_ENV, "")
    if text not in _INHERITED:
        found = {}
        try:
            for path, length, mtime, digest in json.loads(text or "[]"):
                if isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest):
                    found[(str(path), int(length), int(mtime))] = digest
        except (ValueError, TypeError):
            found = {}   # not ours: every file is hashed
        _INHERITED.clear()
        _INHERITED[text] = found
    return _INHERITED[text]


def _file_digest(path: Path, cache: dict[Path, str]) -> str:
    if path not in cache:
        if path.is_file():
            cache[path] = "sha256:" + remembered_sha256(path)
        elif path.is_dir():
            cache[path] = f"dir:{path.stat().st_mtime_ns}"
        else:
            cache[path] = "missing"
    return cache[path]


def package_code_hash(root: str | os.PathLike | None = None) -> str:
    """Content hash of the package's code: every ``*.py`` and ``standards/*.yaml``.

    Files are taken in sorted order and hashed with their path relative to the package
    folder (``root``, default the installed package), so editing, adding or renaming a
    module or a standard changes the hash.

    Parameters
    ----------
    root : str or path-like, optional
        The package folder; default the folder of the installed ``edubalance``.

    Returns
    -------
    str
        ``sha256:`` and 64 hex digits.

    Examples
    --------
    >>> package_code_hash().startswith("sha256:")
    True
    """
    root = Path(root) if root is not None else Path(__file__).resolve().parents[1]
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
    module or standards YAML (``code_hash``), and a new package version.

    Also sets ``job.data_files`` (each data file read: its resolved path and sha256).

    Parameters
    ----------
    job : Job
        The job.
    cache : dict, optional
        Path -> digest of the files hashed so far; filled here, so that the jobs of one
        batch hash each file once.
    code_hash : str, optional
        :func:`package_code_hash`, computed when not given.

    Returns
    -------
    str
        ``sha256:`` and 64 hex digits.
    """
    cache = {} if cache is None else cache
    if code_hash is None:
        code_hash = package_code_hash()
    paths = {name: Path(value).expanduser().resolve()
             for name, value in sorted(job.parameters.items())
             if is_path_parameter(name) and name not in RUNNER_PARAMETERS
             and isinstance(value, str) and value}
    inputs = {name: _file_digest(path, cache) for name, path in paths.items()}
    # Which file each job read: the resolved absolute path and its content hash.
    job.data_files = {name: {"path": str(path), "sha256": inputs[name]}
                      for name, path in paths.items() if inputs[name].startswith("sha256:")}
    payload = {"notebook": _file_digest(job.notebook, cache), "parameters": job.parameters,
               "inputs": inputs, "version": __version__, "code": code_hash}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
