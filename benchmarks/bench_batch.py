"""Benchmark of the batch runner: serial vs 2 workers, jobs per minute, per-job overhead.

Runs notebooks/county_scoring.ipynb for the sample counties of 2017 (22 jobs) once with one
worker and once with two, and compares the per-job time with two floors measured in the same
run: a papermill run of an "empty" notebook with the same imports (kernel start + imports),
and a direct papermill run of one real job (no runner, no HTML report). A third run uses the
opt-in warm-kernel engine (``--engine warm``, 2 workers, one kernel per worker reused across
jobs) and prints its ratio against the local engine measured in the same run.

    .venv/bin/python benchmarks/bench_batch.py [--counties N] [--toy]

``--toy`` (or a missing county_scoring notebook) uses a toy notebook that imports edubalance
and pandas instead. Target: 2 workers at least 1.7x faster than 1.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm
import yaml

from edubalance import batch

ROOT = Path(__file__).resolve().parents[1]
SCORING = ROOT / "notebooks" / "county_scoring.ipynb"
SAMPLE = ROOT / "data" / "sample" / "schools.csv"
TARGET_SPEEDUP = 1.7


def toy_notebook(path: Path) -> Path:
    params = nbformat.v4.new_code_cell('county = "demo"\noutput_dir = "out"')
    params.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import pandas as pd\nimport edubalance as eb"), params,
        nbformat.v4.new_code_cell("frame = pd.DataFrame({'county': [county] * 1000, "
                                  "'x': range(1000)})\n"
                                  "eb.notebook.write_results(output_dir, summary={'county': county,"
                                  " 'mean': float(frame.x.mean())}, tables={'frame': frame})"),
    ])
    notebook.metadata["kernelspec"] = {"name": "edubalance", "language": "python",
                                       "display_name": "Python (edubalance)"}
    nbformat.write(notebook, path)
    return path


def floor_notebook(source: Path, path: Path) -> Path:
    """The source notebook's cells up to and including its parameters cell: imports only."""
    notebook = nbformat.read(source, as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cells.append(cell)
        if "parameters" in cell.metadata.get("tags", []):
            break
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def timed_papermill(notebook: Path, workdir: Path, parameters: dict, repeats: int) -> float:
    times = []
    for attempt in range(repeats):
        out = workdir / f"run-{notebook.stem}-{attempt}"
        started = time.perf_counter()
        pm.execute_notebook(str(notebook), str(workdir / f"{out.name}.ipynb"),
                            parameters={**parameters, "output_dir": str(out)},
                            kernel_name="edubalance", cwd=str(ROOT), progress_bar=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=22, help="number of jobs (default 22)")
    parser.add_argument("--toy", action="store_true", help="use the toy notebook")
    parser.add_argument("--repeats", type=int, default=3, help="floor measurements (median)")
    args = parser.parse_args()
    os.chdir(ROOT)
    workdir = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    use_toy = args.toy or not SCORING.is_file() or not SAMPLE.is_file()
    if use_toy:
        notebook = toy_notebook(workdir / "toy_scoring.ipynb")
        counties = [f"county-{i:02d}" for i in range(args.counties)]
        shared: dict = {}
        print("notebook: toy (imports edubalance + pandas) - county_scoring.ipynb not used")
    else:
        notebook = SCORING
        counties = batch.counties_in(SAMPLE, years=[2017])[:args.counties]
        shared = {"data_path": str(SAMPLE.relative_to(ROOT)), "year": 2017,
                  "standard": "basic-2012"}
        print(f"notebook: {notebook.relative_to(ROOT)}, sample data 2017")
    spec = workdir / "bench.yaml"
    spec.write_text(yaml.safe_dump({"notebook": str(notebook), "parameters": shared,
                                    "grid": {"county": counties}}, allow_unicode=True),
                    encoding="utf-8")
    n_jobs = len(counties)
    print(f"jobs: {n_jobs}; cores: {os.cpu_count()}; load average before: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    floor = timed_papermill(floor_notebook(notebook, workdir / "floor.ipynb"), workdir,
                            {}, args.repeats)
    direct = timed_papermill(notebook, workdir, {**shared, "county": counties[0]}, args.repeats)

    timings = {}
    warm_time = None
    for engine, workers in (("local", 1), ("local", 2), ("warm", 2)):
        started = time.perf_counter()
        result = batch.run_batch([spec], output=workdir / f"reports-{engine}-{workers}",
                                 workers=workers, engine=engine, progress=False)
        elapsed = time.perf_counter() - started
        if engine == "local":
            timings[workers] = elapsed
        else:
            warm_time = elapsed
        failed = f", {len(result.failed)} FAILED (timing not comparable)" if result.failed else ""
        print(f"{engine:5} engine, {workers} worker(s): {elapsed:7.1f} s for {n_jobs} jobs "
              f"({60 * n_jobs / elapsed:5.1f} jobs/min){failed}")

    per_job = timings[1] / n_jobs
    speedup = timings[1] / timings[2]
    print(f"floor (papermill, imports only):    {floor:6.2f} s per run (median of {args.repeats})")
    print(f"direct papermill run of one job:    {direct:6.2f} s (median of {args.repeats})")
    print(f"batch, 1 worker, per job:           {per_job:6.2f} s = {per_job / floor:4.2f}x floor, "
          f"{per_job / direct:4.2f}x direct papermill")
    print(f"runner overhead per job (vs direct): {per_job - direct:+6.2f} s "
          "(HTML report, job.json, fingerprint, worker start amortised)")
    print(f"kernel start + imports share of a job: {floor / direct:4.0%}")
    print(f"speed-up with 2 workers: {speedup:4.2f}x (target >= {TARGET_SPEEDUP}x) "
          f"{'OK' if speedup >= TARGET_SPEEDUP else 'BELOW TARGET'}")
    warm_gain = timings[2] / warm_time
    print(f"warm engine, 2 workers: {warm_time:6.1f} s = {warm_gain:4.2f}x faster than the local "
          f"engine with 2 workers ({timings[2]:.1f} s), {timings[1] / warm_time:4.2f}x faster "
          f"than local with 1; per job {2 * warm_time / n_jobs:5.2f} s of worker time")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"outputs kept in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
