"""The demo reports: a report folder like `make demo` writes, built once per test run (a pytest
plugin: conftest's ``pytest_plugins``), and what the tests read from it.

Under pytest-xdist the first worker that needs ``demo_reports`` builds it into the run's
shared temporary folder while holding a lock; the others wait for that lock and reuse the
folder (the recipe of xdist's documentation, "Making session-scoped fixtures execute only
once", with the standard library's ``fcntl.flock``). A worker waiting on the lock is idle
(the build, batch and slides side by side, keeps ~1.5 cores busy), so conftest.py starts one
module using the reports first and the others only after the heavy modules.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from paths import NOTEBOOKS, ROOT, SAMPLE_DIR

DEMO_COUNTIES = ["大武口区", "灵武市"]
"""The county scoring jobs of :func:`demo_reports`: the first with the notebook's defaults
(basic-2012) and the sample's evidence (counties.csv, as `make demo`), the second a county failing :data:`DEMO_FAILING_STANDARD` (the report the
browser tests of tests/browser/test_county_report.py read and print)."""
DEMO_FAILING_STANDARD = "quality-2017"
DEMO_EXPLORER = {"standard": "quality-2017", "county": "西吉县", "year": 2016, "level": "primary",
                 "indicator": "teaching_area_per_student"}
"""The explorer job of :func:`demo_reports`."""


def _edubalance_cli(*args: str, cwd: Path):
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("edubalance")), *args]
    # Kernels inheriting MPLBACKEND=Agg would drop every inline figure from the reports, so the
    # commands run without it (as `make demo` does).
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)


def _export_slides(output: Path, data: Path):
    """The presentation as `edubalance slides notebooks/presentation.ipynb --output OUTPUT`
    writes it (``eb.report.slides.export_slides``: the executed notebook and its results in
    ``OUTPUT/presentation/``, ``OUTPUT/presentation.slides.html``, ``OUTPUT/presentation.html``),
    with the presentation's data parameters pointing to ``data`` (schools.csv, counties.csv),
    but executed on this process's warm kernel (``helpers.execute_notebook_once``, as the
    notebook tests run theirs) instead of a kernel of its own: the kernel's start and the
    libraries it imports are shared with the notebook tests of this process (measured, the
    build and then one notebook test in one process: 19.5/18.6 -> 17.1/16.9 CPU-s, the build
    10.1/9.8 -> 8.3/8.3 s; the same files, numbers and pages but for random HTML ids).
    ``export_slides`` itself, with
    its kernel, is checked by tests/report/test_slides.py. In a thread of this process (beside
    the batch); returns the thread: :func:`_finish` waits for it and raises what it raised."""
    import threading

    def run() -> None:
        try:
            from edubalance.io.write import atomic_write_text
            from edubalance.report.html import export_html
            from edubalance.report.slides import slides_html
            from helpers import execute_notebook_once

            results = output / "presentation"
            execute_notebook_once("presentation", output.parent / "presentation-run",
                                  output_dir=results, data_path=str(data / "schools.csv"),
                                  counties_path=str(data / "counties.csv"))
            executed = results / "presentation.ipynb"
            (output.parent / "presentation-run" / "presentation.executed.ipynb").replace(executed)
            atomic_write_text(output / "presentation.slides.html",
                              slides_html(executed, no_input=True))
            export_html(executed, output / "presentation.html", no_input=True)
        except BaseException as error:  # noqa: BLE001 - handed to the fixture
            thread.error = error

    thread = threading.Thread(target=run, name="demo-slides", daemon=True)
    thread.error = None
    thread.start()
    return thread


def _finish(process, timeout: float = 300) -> None:
    import threading

    if isinstance(process, threading.Thread):
        process.join(timeout)
        assert not process.is_alive(), f"{process.name} did not finish in {timeout} s"
        if process.error is not None:
            raise process.error
        return
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"{' '.join(process.args)} failed:\n{output[-3000:]}"


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory) -> Path:
    """The folder of :func:`build_demo_reports`, built once per test run (once per process
    without xdist); :func:`demo_job` finds a job's folder and manifest entry."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build_demo_reports(tmp_path_factory.mktemp("demo"))
    import fcntl

    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, shared by its workers
    work, done = shared / "demo", shared / "demo.done"
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():  # (a worker whose build failed leaves no marker: the next retries)
            if work.exists():
                import shutil

                shutil.rmtree(work)
            work.mkdir()
            build_demo_reports(work)
            done.touch()
    return work / "reports"


def build_demo_reports(work: Path) -> Path:
    """A report folder like `make demo` writes, in ``work/reports``: `edubalance batch`
    (county scoring for :data:`DEMO_COUNTIES`, the first with the notebook's defaults, the
    second with :data:`DEMO_FAILING_STANDARD`; and the explorer for :data:`DEMO_EXPLORER`), on
    one warm worker (the jobs share its kernel and imports), beside the slides of the
    presentation (what `edubalance slides` writes, :func:`_export_slides`), then the index (``eb.run.index.write_index``,
    what `edubalance index` runs). The presentation runs once for the suite, on a copy of the
    sample whose county and school names are hostile (:func:`hostile_names.hostile_sample`:
    the same numbers, 大武口区 and five other counties keep their names), so the same pages
    serve the browser checks of tests/browser/test_reports.py and the injection checks of tests/browser/test_hostile_names.py.
    Job folders keep everything (``--keep html,results,figures,notebook``), so the notebook
    tests check these runs instead of executing again; the browser tests open the pages."""
    import textwrap

    import edubalance as eb
    from hostile_names import hostile_sample

    output = work / "reports"
    data = SAMPLE_DIR / "schools.csv"
    scoring = work / "county_scoring.yaml"
    scoring.write_text(textwrap.dedent(f"""\
        notebook: {NOTEBOOKS / 'county_scoring.ipynb'}
        parameters: {{data_path: {data}, standard: basic-2012, year: 2017,
                      evidence_path: {SAMPLE_DIR / 'counties.csv'}}}
        grid: {{county: [{DEMO_COUNTIES[0]}]}}
        """), encoding="utf-8")
    failing = work / "county_scoring_failing.yaml"
    failing.write_text(textwrap.dedent(f"""\
        notebook: {NOTEBOOKS / 'county_scoring.ipynb'}
        parameters: {{data_path: {data}, standard: {DEMO_FAILING_STANDARD}, year: 2017}}
        grid: {{county: [{DEMO_COUNTIES[1]}]}}
        """), encoding="utf-8")
    explorer = work / "explorer.yaml"
    fixed = ", ".join(f"{k}: {v}" for k, v in DEMO_EXPLORER.items() if k != "county")
    explorer.write_text(textwrap.dedent(f"""\
        notebook: {NOTEBOOKS / 'explorer.ipynb'}
        parameters: {{data_path: {data}, {fixed}}}
        grid: {{county: [{DEMO_EXPLORER['county']}]}}
        """), encoding="utf-8")
    # The batch and the slides run side by side (two cores), then the index lists both.
    batch = _edubalance_cli("batch", str(scoring), str(failing), str(explorer), "--workers", "1",
                            "--output", str(output), "--keep", "html,results,figures,notebook",
                            cwd=ROOT)
    slides = _export_slides(output, hostile_sample(SAMPLE_DIR, work / "hostile"))
    _finish(batch)
    _finish(slides)
    eb.run.index.write_index(output)
    return output


def demo_job(reports: Path, stem: str, county: str) -> tuple[Path, dict]:
    """The folder and manifest entry of the ``stem`` job for ``county`` in :func:`demo_reports`."""
    import json

    jobs = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    (entry,) = [job for job in jobs
                if job["folder"].split("/")[0] == stem and job["parameters"]["county"] == county]
    assert entry["status"] == "ok", entry
    return reports / entry["folder"], entry
