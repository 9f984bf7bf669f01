"""The manifest of a reports folder (``manifest.json``), its entries, and the folder lock.

One entry per job, built in one place (:func:`job_entry`), with at least ``parameters``,
``status`` (``ok|failed|skipped``), ``seconds`` and ``error`` (the contract), plus where the
job's files are. A manifest accumulates: a batch into a folder that already has one keeps
the earlier jobs whose folders are still complete and adds (or replaces) its own, so
``manifest.json`` and ``index.html`` list everything the folder holds.

:class:`FolderLock` (``.edubalance.lock``, ``flock``) keeps two batches from writing into one
folder at once; it is released by the kernel when its process dies, even on SIGKILL.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> entry = job_entry({"stem": "nb", "slug": "a", "parameters": {"x": 1}}, status="failed",
...                   error="boom")
>>> Manifest(out, [entry]).write().name
'manifest.json'
>>> [e["status"] for e in Manifest.read(out).entries]
['failed']
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import __version__
from ..errors import EdubalanceError

__all__ = ["MANIFEST", "JOURNAL", "JOB_MARKER", "LOCK_NAME", "job_entry", "Manifest",
           "Journal", "FolderLock", "BatchLockedError", "read_marker", "check_ownership",
           "GENERATOR"]

MANIFEST = "manifest.json"
JOURNAL = "manifest.jsonl"
"""The append-only journal of a running batch: one line per finished job (constant cost per
job); folded into a compact ``manifest.json`` at the end, on Ctrl-C and on SIGTERM, and read
back after a batch that was killed."""
GENERATOR = "edubalance"
JOB_MARKER = "job.json"
LOCK_NAME = ".edubalance.lock"
STATUSES = ("ok", "skipped", "failed", "not run")


def job_entry(spec: Mapping[str, Any], *, status: str, error: str | None = None,
              seconds: float | None = None, files: list[str] | None = None,
              report: str | None = None, notebook_output: str | None = None,
              summary: str | None = None, started: float | None = None,
              **extra: Any) -> dict[str, Any]:
    """The manifest entry of one job (the only place an entry is built).

    ``spec`` is the job's spec (``stem``, ``slug``, ``parameters``, ``notebook`` or
    ``notebook_text``, ``fingerprint``, ``engine``); paths are relative to the output folder.

    Parameters
    ----------
    spec : mapping
        The job's spec; ``stem`` and ``slug`` are required, ``parameters``, ``notebook_text``
        (or ``notebook``), ``fingerprint``, ``engine`` and ``data_files`` are copied when given.
    status : {"ok", "skipped", "failed", "not run"}
        What became of the job.
    error : str, optional
        Why it failed.
    seconds : float, optional
        How long it ran (rounded to milliseconds).
    files : list of str, optional
        The files of the job folder.
    report, notebook_output, summary : str, optional
        The HTML report, the executed notebook and ``summary.json``, if the job has them.
    started : float, optional
        When the job started (seconds since the epoch, :func:`time.time`); adds ``started``
        (local time, ISO 8601) and ``host``.
    **extra
        Further keys of the entry, added as given (``fault="write"``: the job could not
        write its folder).

    Returns
    -------
    dict
        The entry, JSON-serialisable when the values given are; ``folder`` is
        ``<stem>/<slug>``.
    """
    prefix = f"{spec['stem']}/{spec['slug']}"
    entry = {
        "notebook": spec.get("notebook_text", spec.get("notebook")),
        "notebook_stem": spec["stem"],
        "slug": spec["slug"],
        "parameters": dict(spec.get("parameters") or {}),
        "status": status,
        "seconds": None if seconds is None else round(seconds, 3),
        "error": error,
        "folder": prefix,
        "notebook_output": notebook_output,
        "report": report,
        "summary": summary,
        "files": list(files or []),
        "version": __version__,
        "fingerprint": spec.get("fingerprint"),
        "engine": spec.get("engine"),
        "data_files": spec.get("data_files") or {},
    }
    if started is not None:
        entry["started"] = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started))
        entry["host"] = os.uname().nodename if hasattr(os, "uname") else ""
    entry.update(extra)
    return entry


def read_marker(folder: Path) -> dict[str, Any] | None:
    """A job folder's ``job.json``, or None if missing or unreadable.

    Parameters
    ----------
    folder : Path
        The job folder (``<output>/<stem>/<slug>``).

    Returns
    -------
    dict or None
        The marker's content; None also when it holds JSON that is not an object.
    """
    try:
        marker = json.loads((folder / JOB_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


@dataclass
class Manifest:
    """The jobs of one reports folder, in order.

    Parameters
    ----------
    output : Path
        The reports folder.
    entries : list of dict, optional
        Its jobs' entries (:func:`job_entry`); default none.
    """

    output: Path
    entries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, output: str | os.PathLike) -> "Manifest":
        """The folder's manifest; empty if there is none or it is unreadable.

        Entries of a journal (``manifest.jsonl``) left by a batch that was killed are read
        too: they replace the manifest's entries of the same job folders.

        Parameters
        ----------
        output : str or path-like
            The reports folder.

        Returns
        -------
        Manifest
        """
        output = Path(output)
        try:
            jobs = json.loads((output / MANIFEST).read_text(encoding="utf-8")).get("jobs", [])
        except (OSError, ValueError, AttributeError):
            jobs = []
        manifest = cls(output, [entry for entry in jobs if isinstance(entry, dict)])
        journal = Journal.entries(output)
        return Manifest(output, journal).merged_with(manifest, check=False) if journal \
            else manifest

    def merged_with(self, previous: "Manifest", check: bool = True) -> "Manifest":
        """These entries after the previous ones still on disk that these don't replace.

        Parameters
        ----------
        previous : Manifest
            The folder's earlier manifest.
        check : bool, default True
            Keep an earlier entry only if its job folder still holds its ``job.json``;
            False keeps every earlier entry these don't replace.

        Returns
        -------
        Manifest
            A new manifest for ``self.output``: the kept earlier entries, then these.
        """
        current = {entry.get("folder") for entry in self.entries}
        kept = [entry for entry in previous.entries if entry.get("folder") not in current
                and (not check
                     or (self.output / str(entry.get("folder", "")) / JOB_MARKER).is_file())]
        return Manifest(self.output, kept + self.entries)

    def counts(self) -> dict[str, int]:
        """The number of entries of each status.

        Returns
        -------
        dict
            Status (``ok``, ``skipped``, ``failed``, ``not run``) -> number of entries.
        """
        return {status: sum(entry.get("status") == status for entry in self.entries)
                for status in STATUSES}

    def to_json(self) -> str:
        """Compact JSON: one line per job (a 5,700-job manifest is read and written once).

        Returns
        -------
        str
            The text of ``manifest.json``: ``generator``, ``version`` and ``jobs``.
        """
        jobs = ",\n".join(json.dumps(entry, ensure_ascii=False, separators=(",", ":"),
                                     default=str) for entry in self.entries)
        return (f'{{"generator":"{GENERATOR}","version":{json.dumps(__version__)},'
                f'"jobs":[\n{jobs}\n]}}\n')

    def write(self) -> Path:
        """Write ``manifest.json`` atomically (temp file, then rename).

        The journal, now folded into it, is removed.

        Returns
        -------
        Path
            The ``manifest.json`` written.
        """
        from ..io.write import atomic_write_text

        path = atomic_write_text(self.output / MANIFEST, self.to_json())
        (self.output / JOURNAL).unlink(missing_ok=True)
        return path


class Journal:
    """``manifest.jsonl``: one JSON line appended per finished job, flushed at once.

    Parameters
    ----------
    output : Path
        The reports folder; the journal is ``output/manifest.jsonl``, opened (for appending)
        on the first :meth:`append`.
    """

    def __init__(self, output: Path) -> None:
        self.path = Path(output) / JOURNAL
        self.handle = None

    def append(self, entry: Mapping[str, Any]) -> None:
        """Append one job's entry as a line of JSON and flush it.

        Parameters
        ----------
        entry : mapping
            The job's manifest entry (:func:`job_entry`); values JSON cannot hold are
            written as text.
        """
        if self.handle is None:
            self.handle = open(self.path, "a", encoding="utf-8")
        self.handle.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":"),
                                     default=str) + "\n")
        self.handle.flush()

    def close(self) -> None:
        """Close the journal file (the next :meth:`append` opens it again)."""
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    @staticmethod
    def entries(output: Path) -> list[dict[str, Any]]:
        """The journal's entries (the last per job folder), or [] if there is none.

        Lines that are not JSON objects (a line cut short by a kill) are skipped.

        Parameters
        ----------
        output : Path
            The reports folder.

        Returns
        -------
        list of dict
        """
        try:
            text = (Path(output) / JOURNAL).read_text(encoding="utf-8")
        except OSError:
            return []
        latest: dict[Any, dict] = {}
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            if isinstance(entry, dict):
                latest.pop(entry.get("folder"), None)
                latest[entry.get("folder")] = entry
        return list(latest.values())


def _ours_manifest(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    if data.get("generator") == GENERATOR:
        return True
    jobs = data.get("jobs")  # manifests of earlier versions: version + jobs with slugs
    return "version" in data and isinstance(jobs, list) and all(
        isinstance(j, dict) and "slug" in j and "status" in j for j in jobs)


def _ours_index(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">' in head or \
        "edubalance batch" in head or "manifest.json" in head and "edubalance" in head


def check_ownership(output: Path, names: tuple[str, ...] = (MANIFEST, "index.html")) -> None:
    """Refuse an output folder whose ``index.html`` or ``manifest.json`` edubalance did not write.

    Such a folder (``--output .`` in a web site, someone else's results) is left alone:
    nothing of theirs is replaced.

    Parameters
    ----------
    output : Path
        The output folder; it may not exist yet.
    names : tuple of str, default ("manifest.json", "index.html")
        Which of the two files to check.

    Raises
    ------
    ParameterError
        ``output`` is a file, or holds one of ``names`` that edubalance did not write.
    """
    from ..errors import ParameterError

    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ParameterError(f"--output {output}: a file is in the way (a folder is needed)")
    for name, ours in ((MANIFEST, _ours_manifest), ("index.html", _ours_index)):
        if name not in names:
            continue
        path = output / name
        if path.exists() and not ours(path):
            raise ParameterError(f"--output {output}: the folder holds a {name} that edubalance "
                                 "did not write; it would be replaced. Choose another folder "
                                 "(or move that file)")


class BatchLockedError(EdubalanceError):
    """Another batch is writing into the same output folder."""


class FolderLock:
    """An exclusive lock on a reports folder for the length of a batch.

    ``wait`` seconds (0: refuse at once) to wait for another batch to finish.

    Parameters
    ----------
    output : Path
        The reports folder; the lock file is ``output/.edubalance.lock`` (the folder is
        created on entering).
    wait : float, default 0.0
        Seconds to wait for the lock.

    Raises
    ------
    BatchLockedError
        On entering (``with``), when another batch still holds the lock after ``wait``
        seconds.
    """

    def __init__(self, output: Path, wait: float = 0.0) -> None:
        self.path = Path(output) / LOCK_NAME
        self.wait = wait
        self.handle = None

    def __enter__(self) -> "FolderLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    handle.close()
                    raise BatchLockedError(
                        f"another edubalance batch is writing into {self.path.parent} "
                        f"({holder}); wait for it to finish, use another --output, or "
                        "--wait-lock SECONDS") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
