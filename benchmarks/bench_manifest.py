"""Manifest writes of a national batch (5,700 jobs), before and after the journal (issue 30).

    .venv/bin/python benchmarks/bench_manifest.py [--jobs 5700] [--measure-before 400]

Before: ``manifest.json`` rewritten in full (indented JSON, atomically) after every job, so the
bytes written grow with the square of the number of jobs. After: one line appended to
``manifest.jsonl`` per job, and one compact ``manifest.json`` at the end.

"After" is measured in full. "Before" is measured on its first ``--measure-before`` jobs (all of
them would write tens of gigabytes on a shared machine); its total bytes are computed exactly
(the sum of the sizes of every rewrite) and its time projected from the measured seconds per
byte. Prints both, and the ratio.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from edubalance import __version__
from edubalance.io.write import atomic_write_text
from edubalance.run.manifest import Journal, Manifest, job_entry


def entries(n: int) -> list[dict]:
    out = []
    for i in range(n):
        spec = {"stem": "county_scoring", "slug": f"county-{i:06d}_year-2017_standard-basic-2012",
                "notebook": "/data/notebooks/county_scoring.ipynb",
                "parameters": {"data_path": "/data/national/schools.csv", "county": f"{110000 + i}",
                               "year": 2017, "standard": "basic-2012", "evidence_path": "",
                               "lang": "zh"},
                "fingerprint": f"{i:064x}", "engine": "warm"}
        folder = f"county_scoring/{spec['slug']}"
        out.append(job_entry(spec, status="ok", seconds=1.234, started=time.time(),
                             files=[f"{folder}/{name}" for name in (
                                 "indicators.csv", "cv.csv", "compliance.csv", "summary.json",
                                 "results.xlsx", "report.html")],
                             report=f"{folder}/report.html", summary=f"{folder}/summary.json",
                             notebook_output=f"{folder}/county_scoring.ipynb"))
    return out


def old_json(jobs: list[dict]) -> str:
    return json.dumps({"version": __version__, "jobs": jobs}, ensure_ascii=False, indent=2,
                      default=str) + "\n"


def before(jobs: list[dict], measured: int, folder: Path) -> tuple[int, float, float]:
    """(exact total bytes for all jobs, measured seconds for ``measured`` jobs, their bytes)."""
    start, written = time.perf_counter(), 0
    for k in range(1, measured + 1):
        written += _write(folder, jobs[:k])
    seconds = time.perf_counter() - start
    # Exact bytes of every rewrite: the indented file is a fixed frame plus each entry's text.
    frame = len(old_json([]).encode()) + 8
    sizes = [len(old_json([entry]).encode()) - frame for entry in jobs]
    total, running = 0, 0
    for size in sizes:
        running += size
        total += frame + running
    return total, seconds, written


def _write(folder: Path, jobs: list[dict]) -> int:
    text = old_json(jobs)
    atomic_write_text(folder / "manifest.json", text)
    return len(text.encode())


def after(jobs: list[dict], folder: Path) -> tuple[int, float]:
    start = time.perf_counter()
    journal = Journal(folder)
    for entry in jobs:
        journal.append(entry)
    journal_bytes = (folder / "manifest.jsonl").stat().st_size
    journal.close()
    path = Manifest(folder, jobs).write()
    seconds = time.perf_counter() - start
    return journal_bytes + path.stat().st_size, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=5700)
    parser.add_argument("--measure-before", type=int, default=400)
    args = parser.parse_args()
    jobs = entries(args.jobs)
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp, "before"), Path(tmp, "after")
        old.mkdir()
        new.mkdir()
        total, seconds, written = before(jobs, min(args.measure_before, args.jobs), old)
        projected = seconds / written * total
        new_bytes, new_seconds = after(jobs, new)
        assert len(Manifest.read(new).entries) == args.jobs
    print(f"manifest writes for {args.jobs:,} jobs")
    print(f"  before (full rewrite per job): {total / 1e9:,.2f} GB, {projected:,.0f} s "
          f"(measured {seconds:.2f} s for the first {args.measure_before} jobs, "
          f"{written / 1e6:,.1f} MB)")
    print(f"  after (journal + one manifest): {new_bytes / 1e6:,.2f} MB, {new_seconds:.2f} s")
    print(f"  ratio: {total / new_bytes:,.0f}x fewer bytes, {projected / new_seconds:,.0f}x "
          "less time")


if __name__ == "__main__":
    main()
