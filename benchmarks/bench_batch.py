"""Benchmark of the batch runner: every figure of issue 29, ratios measured in one run.

    .venv/bin/python benchmarks/bench_batch.py [--counties 22] [--national 20]
        [--national-data DIR] [--no-papermill] [--cold] [--dask] [--demo]

Runs ``notebooks/county_scoring.ipynb`` (2017, basic-2012) through the ``edubalance batch``
command (a new process, so Python's start and the imports count, as for a user), each batch
into a new folder, on 2 workers, and prints each figure against its target:

1. 22 sample-county jobs against papermill under ``xargs -P 2`` on the same jobs (>= 6x);
2. 8 jobs, start-up included, against papermill under ``xargs -P 2`` on those 8 (>= 4x);
3. the same 8 jobs with ``--pdf`` against without (<= 1.3x);
4. 4 national-county jobs in a new batch against 4 sample-county jobs (<= 1.2x);
5. the national run (5,700 jobs) with PDFs projected on 2 cores (<= 1 h): ``--national``
   national jobs with ``--pdf`` are timed; the start-up (the longest of the first jobs) is
   counted once, then the wall time per job after it; and from two batch sizes (a 2-job
   batch once, then the difference per job), which counts no fixed cost as per-job time;
plus the wall time per sample job and the median job folder (issue 16), and on request the
cold engine, the Dask engine and ``make demo``. The papermill baselines are measured in the
same run. The national file is generated with ``edubalance sample --scale national`` when
``--national-data`` has no ``schools.csv`` (once; about 200,000 schools a year). The load
average before and after is printed: on a shared machine the ratios are what to compare.
"""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from edubalance.run import batch

ROOT = Path(__file__).resolve().parents[1]
SCORING = ROOT / "notebooks" / "county_scoring.ipynb"
SAMPLE = ROOT / "data" / "sample" / "schools.csv"
NATIONAL_JOBS = 5700
TARGETS = {"job": 2.0, "papermill22": 6.0, "papermill8": 4.0, "pdf": 1.3, "national": 1.2,
           "folder_kb": 600.0, "hours": 1.0, "demo_s": 180.0}
EDUBALANCE = Path(sys.executable).with_name("edubalance")


def verdict(ok: bool) -> str:
    return "OK" if ok else "BELOW TARGET"


def write_spec(folder: Path, name: str, data: Path, counties: list) -> Path:
    spec = folder / f"{name}.yaml"
    spec.write_text(yaml.safe_dump({
        "notebook": str(SCORING),
        "parameters": {"data_path": str(data), "year": 2017, "standard": "basic-2012"},
        "grid": {"county": counties}}, allow_unicode=True), encoding="utf-8")
    return spec


def timed_cli(spec: Path, output: Path, *options: str) -> tuple[float, list[dict]]:
    """``edubalance batch`` in a new process, 2 workers: wall seconds and the jobs' entries."""
    import json

    started = time.perf_counter()
    done = subprocess.run([str(EDUBALANCE), "batch", str(spec), "--workers", "2", "--quiet",
                           "--output", str(output), *options], cwd=ROOT,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    jobs = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["jobs"] \
        if (output / "manifest.json").is_file() else []
    failed = [job for job in jobs if job["status"] != "ok"]
    if done.returncode or failed:
        print(f"  ! exit {done.returncode}, {len(failed)} job(s) failed: "
              f"{(failed[0].get('error') if failed else done.stderr.strip()[-300:])}")
    return elapsed, jobs


def papermill_xargs(workdir: Path, data: Path, counties: list, name: str = "pm") -> float:
    """What a user would do instead: papermill per job, two at a time, no HTML."""
    lines = []
    for i, county in enumerate(counties):
        out = workdir / f"{name}-{i}"
        lines.append(" ".join(shlex.quote(part) for part in [
            str(SCORING), str(out) + ".ipynb", "-k", "edubalance", "--no-progress-bar",
            "-p", "county", str(county), "-p", "data_path", str(data), "-p", "year", "2017",
            "-p", "standard", "basic-2012", "-p", "output_dir", str(out)]))
    arguments = workdir / f"{name}-jobs.txt"
    arguments.write_text("\n".join(lines) + "\n", encoding="utf-8")
    papermill = Path(sys.executable).with_name("papermill")
    started = time.perf_counter()
    subprocess.run(f"xargs -P 2 -L 1 {shlex.quote(str(papermill))} < {shlex.quote(str(arguments))}",
                   shell=True, check=False, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def national_data(folder: Path) -> Path:
    schools = folder / "schools.csv"
    if not schools.is_file():
        print(f"generating the national sample in {folder} ...")
        subprocess.run([sys.executable, "-m", "edubalance.cli", "sample", "--scale", "national",
                        "--seed", "1", "--out", str(folder)], check=True)
    return schools


def ratio_line(label: str, value: float, target: float, higher: bool) -> str:
    ok = value >= target if higher else value <= target
    return (f"{label}: {value:5.2f}x (target {'>=' if higher else '<='} {target}x) "
            f"{verdict(ok)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=22, help="sample jobs (default 22)")
    parser.add_argument("--national", type=int, default=20,
                        help="national county jobs timed with --pdf for the projection "
                             "(default 20; 0 skips the national figures)")
    parser.add_argument("--national-data", type=Path, default=ROOT / "data" / "national")
    parser.add_argument("--no-papermill", action="store_true")
    parser.add_argument("--cold", action="store_true", help="also time the cold engine")
    parser.add_argument("--dask", action="store_true", help="also time the Dask engine")
    parser.add_argument("--demo", action="store_true",
                        help="also time `make demo` (venv present) into a temporary folder")
    args = parser.parse_args()
    os.chdir(ROOT)
    workdir = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    counties = batch.counties_in(SAMPLE, years=[2017])[:args.counties]
    n = len(counties)
    print(f"county_scoring, 2017, basic-2012, 2 workers; cores {os.cpu_count()}; load before "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rows: list[str] = []

    def show(line: str) -> None:
        print(line, flush=True)
        rows.append(line)

    # 1. 22 sample jobs against papermill.
    spec = write_spec(workdir, "sample", SAMPLE, counties)
    warm, warm_jobs = timed_cli(spec, workdir / "sample22")
    per_job = warm / n
    show(f"{n} sample jobs: {warm:6.1f} s, {per_job:5.2f} s per job (target <= "
         f"{TARGETS['job']} s) {verdict(per_job <= TARGETS['job'])}")
    if not args.no_papermill:
        pm22 = papermill_xargs(workdir, SAMPLE, counties, "pm22")
        show(ratio_line(f"  papermill -P 2 on the {n} jobs {pm22:6.1f} s; edubalance batch "
                        "faster by", pm22 / warm, TARGETS["papermill22"], True))
    sizes = [sum(p.stat().st_size for p in (workdir / "sample22" / job["folder"]).rglob("*")
                 if p.is_file()) / 1024 for job in warm_jobs]
    if sizes:
        median = statistics.median(sizes)
        show(f"  median job folder: {median:5.0f} KB (target <= {TARGETS['folder_kb']:.0f} KB) "
             f"{verdict(median <= TARGETS['folder_kb'])}")

    # 2. and 3. 8 jobs, start-up included; then with --pdf.
    eight = counties[:8]
    spec8 = write_spec(workdir, "sample8", SAMPLE, eight)
    plain8, _ = timed_cli(spec8, workdir / "sample8")
    show(f"8 sample jobs, start-up included: {plain8:6.1f} s")
    if not args.no_papermill:
        pm8 = papermill_xargs(workdir, SAMPLE, eight, "pm8")
        show(ratio_line(f"  papermill -P 2 on the 8 jobs {pm8:6.1f} s; edubalance batch "
                        "faster by", pm8 / plain8, TARGETS["papermill8"], True))
    pdf8, _ = timed_cli(spec8, workdir / "sample8-pdf", "--pdf")
    show(ratio_line(f"  the same 8 jobs with --pdf {pdf8:6.1f} s: slower by", pdf8 / plain8,
                    TARGETS["pdf"], False))
    pdf_cost = max(0.0, pdf8 - plain8) / len(eight)

    if args.national > 0:
        # 4. 4 national jobs against 4 sample jobs, each in a new batch.
        data = national_data(args.national_data)
        national_counties = batch.counties_in(data, years=[2017])
        sample4, _ = timed_cli(write_spec(workdir, "sample4", SAMPLE, counties[:4]),
                               workdir / "sample4")
        national4, _ = timed_cli(write_spec(workdir, "national4", data, national_counties[:4]),
                                 workdir / "national4")
        show(ratio_line(f"4 national jobs {national4:6.1f} s against 4 sample jobs "
                        f"{sample4:6.1f} s (new batches):", national4 / sample4,
                        TARGETS["national"], False))
        # 5. The national run with PDFs, projected: start-up once, then the wall time per job.
        m = max(4, args.national)
        nspec = write_spec(workdir, "national", data, national_counties[4:4 + m])
        wall, jobs = timed_cli(nspec, workdir / "national-pdf", "--pdf")
        seconds = [float(job.get("seconds") or 0) for job in jobs]
        start = max(seconds[:2], default=0.0)
        steady = (wall - start) / max(1, len(jobs) - 2)
        hours = (start + (NATIONAL_JOBS - 2) * steady) / 3600
        show(f"national run of {NATIONAL_JOBS:,} jobs with PDFs on 2 cores, projected from "
             f"{len(jobs)} national jobs with --pdf ({wall:.1f} s: start-up {start:.1f} s once, "
             f"then {steady:.2f} s per job): {hours:5.2f} h (target <= {TARGETS['hours']} h) "
             f"{verdict(hours <= TARGETS['hours'])}")
        # The same from two batch sizes: what a 2-job batch takes once (Python's start, the
        # kernels, the shared scoring, the first jobs, the index and the last PDFs), then
        # the difference per job. The figure above counts everything outside the first two
        # jobs' own seconds (start of the command and kernels, the end) as per-job time.
        wall2, jobs2 = timed_cli(write_spec(workdir, "national2", data, national_counties[4:6]),
                                 workdir / "national2-pdf", "--pdf")
        if len(jobs) > len(jobs2):
            step = (wall - wall2) / (len(jobs) - len(jobs2))
            hours2 = (wall2 + (NATIONAL_JOBS - len(jobs2)) * step) / 3600
            show(f"  from two batch sizes ({len(jobs2)} jobs {wall2:.1f} s, {len(jobs)} jobs "
                 f"{wall:.1f} s): {step:.2f} s per job after the first two: {hours2:5.2f} h "
                 f"{verdict(hours2 <= TARGETS['hours'])}")
        show(f"  of which PDFs (8-job difference): about {pdf_cost:.2f} s per job")

    if args.cold:
        cold, _ = timed_cli(spec, workdir / "cold", "--engine", "cold")
        show(f"cold engine (a kernel per job): {cold:6.1f} s = {cold / warm:4.2f}x the default")
    if args.dask:
        dask, _ = timed_cli(spec, workdir / "dask", "--engine", "dask")
        show(f"dask engine (LocalCluster, cold jobs): {dask:6.1f} s = {dask / warm:4.2f}x the "
             "default")
    if args.demo:
        started = time.perf_counter()
        # -o: the venv exists; never let make rebuild it from here (a newer pyproject.toml)
        done = subprocess.run(["make", "-o", ".venv/.installed", "demo",
                               f"REPORTS={workdir / 'demo'}"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        took = time.perf_counter() - started
        show(f"make demo (venv present, install not included): {took:6.1f} s, exit "
             f"{done.returncode} (target <= {TARGETS['demo_s']:.0f} s with the install) "
             f"{verdict(took <= TARGETS['demo_s'] and done.returncode == 0)}")
    print(f"load after {' '.join(f'{x:.1f}' for x in os.getloadavg())}; outputs in {workdir}")
    print("\nsummary:\n" + "\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
