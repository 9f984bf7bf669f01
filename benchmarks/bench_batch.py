"""Benchmark of the batch runner: every figure of issue 29, ratios measured in one run.

    .venv/bin/python benchmarks/bench_batch.py [--counties 22] [--national 20]
        [--national-data DIR] [--repeat 7] [--national-repeat 15] [--no-papermill] [--cold]
        [--dask] [--demo]

Runs ``notebooks/county_scoring.ipynb`` (2017, basic-2012) through the ``edubalance batch``
command (a new process, so Python's start and the imports count, as for a user), each batch
into a new folder, on 2 workers, and prints each figure against its target:

1. 22 sample-county jobs against papermill under ``xargs -P 2`` on the same jobs (>= 6x);
2. 8 jobs, start-up included, against papermill under ``xargs -P 2`` on those 8 (>= 4x);
3. the same 8 jobs with ``--pdf`` against without (<= 1.3x);
4. 4 national-county jobs in a new batch against 4 sample-county jobs (<= 1.2x);
5. the national run (5,700 jobs) with PDFs projected on 2 cores (<= 1 h): new batches of
   ``--national`` (m) and 3m national jobs with ``--pdf`` are timed; the time per job is their
   difference over the 2m extra jobs, and what the m-job batch took beyond its m jobs (start-up,
   the last PDFs, the index) is counted once;
Figures 2-4 are medians of rounds' ratios (each round times each of their batches once, the
two batches of a ratio back to back, in alternating order): ``--repeat`` rounds for 2 and 3,
``--national-repeat`` for 4 (short batches, whose rounds' ratios spread the most),
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
    # A worker that died: the runner ran its jobs again (one stderr line), and the time
    # includes that.
    rerun = [line for line in done.stderr.splitlines() if "run again in new workers" in line]
    if done.returncode or failed or rerun:
        # The command's own output kept for a look afterwards (a worker's last words, say).
        log = output.with_name(output.name + ".log")
        log.write_text(done.stdout + done.stderr, encoding="utf-8")
        if done.returncode or failed:
            print(f"  ! exit {done.returncode}, {len(failed)} job(s) failed: "
                  f"{(failed[0].get('error') if failed else done.stderr.strip()[-300:])} ({log})")
        else:
            print(f"  ! {rerun[0]} ({log})")
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
                        help="m: new batches of m and 3m national jobs with --pdf give the projection "
                             "(default 20; 0 skips the national figures)")
    parser.add_argument("--national-data", type=Path, default=ROOT / "data" / "national")
    parser.add_argument("--repeat", type=int, default=7,
                        help="rounds of the short batches (8 jobs, --pdf, 4 and 4); a "
                             "ratio is the median of the rounds' ratios (default 7)")
    parser.add_argument("--national-repeat", type=int, default=15,
                        help="rounds of 4 national and 4 sample jobs (default 15)")
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

    # 2., 3. and 4.: short batches, where a second of the machine's own noise is a tenth of
    # the figure. Each is timed --repeat times, in rounds, and each ratio is the median of its
    # rounds' ratios: the two batches compared run back to back, in alternating order (a
    # shared machine's speed drifts by a third within minutes: 8 jobs took 4.0-6.1 s in six
    # rounds; a ratio of two medians of rounds half a minute apart measured that drift).
    eight = counties[:8]
    spec8 = write_spec(workdir, "sample8", SAMPLE, eight)
    times: dict[str, list[float]] = {"plain8": [], "pm8": [], "pdf8": [], "sample4": [],
                                      "national4": []}
    national_counties: list = []
    data = None
    if args.national > 0:
        data = national_data(args.national_data)
        national_counties = batch.counties_in(data, years=[2017])
        # 4 national jobs against 4 sample jobs, each in a new batch.
        spec_sample4 = write_spec(workdir, "sample4", SAMPLE, counties[:4])
        spec_national4 = write_spec(workdir, "national4", data, national_counties[:4])
    for round_ in range(max(args.repeat, args.national_repeat if args.national > 0 else 0)):
        eights = round_ < args.repeat
        pairs = [(("plain8", spec8, workdir / f"sample8-{round_}", ()),
                  ("pdf8", spec8, workdir / f"sample8-pdf-{round_}", ("--pdf",)))] \
            if eights else []
        if args.national > 0 and round_ < args.national_repeat:
            pairs.append((("sample4", spec_sample4, workdir / f"sample4-{round_}", ()),
                          ("national4", spec_national4, workdir / f"national4-{round_}", ())))
        if eights and not args.no_papermill:  # papermill on the 8 jobs, first in each round
            pm8 = papermill_xargs(workdir, SAMPLE, eight, f"pm8-{round_}")
        for pair in pairs:
            for name, spec_file, output, options in (pair if round_ % 2 == 0 else pair[::-1]):
                times[name].append(timed_cli(spec_file, output, *options)[0])
        if eights and not args.no_papermill:
            times["pm8"].append(pm8)

    def typical(name: str) -> float:
        return statistics.median(times[name])

    def spread(name: str) -> str:
        values = times[name]
        return f"{typical(name):6.1f} s" + (f" ({min(values):.1f}-{max(values):.1f})"
                                            if len(values) > 1 else "")

    def paired(numerator: str, denominator: str) -> tuple[float, str]:
        """The median of the rounds' ratios, and their range as text."""
        ratios = [a / b for a, b in zip(times[numerator], times[denominator], strict=True)]
        return statistics.median(ratios), (f", rounds {min(ratios):.2f}-{max(ratios):.2f}"
                                           if len(ratios) > 1 else "")

    plain8, pdf8 = typical("plain8"), typical("pdf8")
    show(f"8 sample jobs, start-up included: {spread('plain8')}"
         + (f", {args.repeat} rounds; ratios: medians of the rounds' ratios"
            if args.repeat > 1 else ""))
    if not args.no_papermill:
        ratio, rounds = paired("pm8", "plain8")
        show(ratio_line(f"  papermill -P 2 on the 8 jobs {spread('pm8')}{rounds}; edubalance "
                        "batch faster by", ratio, TARGETS["papermill8"], True))
    ratio, rounds = paired("pdf8", "plain8")
    show(ratio_line(f"  the same 8 jobs with --pdf {spread('pdf8')}{rounds}: slower by", ratio,
                    TARGETS["pdf"], False))
    pdf_cost = max(0.0, pdf8 - plain8) / len(eight)

    if args.national > 0:
        ratio, rounds = paired("national4", "sample4")
        show(ratio_line(f"4 national jobs {spread('national4')} against 4 sample jobs "
                        f"{spread('sample4')} (new batches, {len(times['national4'])} "
                        f"rounds{rounds})", ratio, TARGETS["national"], False))
        # 5. The national run with PDFs, projected. Two new batches of m and 3m national jobs
        # with --pdf: the difference of their wall times over the 2m extra jobs is the steady
        # time per job (the start-up and the end, the last PDFs and the index, cancel out);
        # what the smaller batch took beyond its m steady jobs is paid once.
        m = max(4, args.national)
        small, _ = timed_cli(write_spec(workdir, "national-m", data, national_counties[4:4 + m]),
                             workdir / "national-pdf-m", "--pdf")
        large, jobs = timed_cli(write_spec(workdir, "national-3m", data,
                                           national_counties[4 + m:4 + 4 * m]),
                                workdir / "national-pdf-3m", "--pdf")
        steady = (large - small) / max(1, len(jobs) - m)
        once = max(0.0, small - m * steady)
        hours = (once + NATIONAL_JOBS * steady) / 3600
        show(f"national run of {NATIONAL_JOBS:,} jobs with PDFs on 2 cores, projected from new "
             f"batches of {m} and {len(jobs)} national jobs with --pdf ({small:.1f} s and "
             f"{large:.1f} s: {steady:.2f} s per job, {once:.1f} s once): {hours:5.2f} h "
             f"(target <= {TARGETS['hours']} h) {verdict(hours <= TARGETS['hours'])}")
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
