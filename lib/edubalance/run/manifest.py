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

__all__ = ["MANIFEST", "JOB_MARKER", "LOCK_NAME", "job_entry", "Manifest", "FolderLock",
           "BatchLockedError", "read_marker"]

MANIFEST = "manifest.json"
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
    }
    if started is not None:
        entry["started"] = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started))
        entry["host"] = os.uname().nodename if hasattr(os, "uname") else ""
    entry.update(extra)
    return entry


def read_marker(folder: Path) -> dict[str, Any] | None:
    """A job folder's ``job.json``, or None if missing or unreadable."""
    try:
        marker = json.loads((folder / JOB_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


@dataclass
class Manifest:
    """The jobs of one reports folder, in order."""

    output: Path
    entries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, output: str | os.PathLike) -> "Manifest":
        """The folder's manifest; empty if there is none or it is unreadable."""
        output = Path(output)
        try:
            jobs = json.loads((output / MANIFEST).read_text(encoding="utf-8")).get("jobs", [])
        except (OSError, ValueError, AttributeError):
            jobs = []
        return cls(output, [entry for entry in jobs if isinstance(entry, dict)])

    def merged_with(self, previous: "Manifest") -> "Manifest":
        """These entries after the previous ones still on disk that these don't replace."""
        current = {entry.get("folder") for entry in self.entries}
        kept = [entry for entry in previous.entries if entry.get("folder") not in current
                and (self.output / str(entry.get("folder", "")) / JOB_MARKER).is_file()]
        return Manifest(self.output, kept + self.entries)

    def counts(self) -> dict[str, int]:
        return {status: sum(entry.get("status") == status for entry in self.entries)
                for status in STATUSES}

    def to_json(self) -> str:
        return json.dumps({"version": __version__, "jobs": self.entries}, ensure_ascii=False,
                          indent=2, default=str) + "\n"

    def write(self) -> Path:
        """Write ``manifest.json`` atomically (temp file, then rename)."""
        from ..io.write import atomic_write_text

        return atomic_write_text(self.output / MANIFEST, self.to_json())


class BatchLockedError(EdubalanceError):
    """Another batch is writing into the same output folder."""


class FolderLock:
    """An exclusive lock on a reports folder for the length of a batch.

    ``wait`` seconds (0: refuse at once) to wait for another batch to finish.
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
