"""Shared fixtures (paths, the sample data, the demo reports, the browser) and the suite's
scheduling under pytest-xdist."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# jsonschema (imported by nbformat) imports rfc3987_syntax for its "iri" format checks, which
# builds a parser grammar at import: ~1.5 s of CPU in every process that reads a notebook.
# Neither nbformat nor these tests check formats, so the test processes skip that import
# (jsonschema then leaves the "iri" format unchecked). Kernels and the batch's processes are
# left as they are.
sys.modules.setdefault("rfc3987_syntax", None)

import matplotlib  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_DIR = ROOT / "data" / "sample"
KERNEL = "edubalance"

matplotlib.use("Agg")  # this process only: notebook kernels keep the inline backend
# Kernels started from here (the notebook tests, the demo's slides) inherit the environment:
# MPLBACKEND=Agg would drop every inline figure from their outputs.
os.environ.pop("MPLBACKEND", None)


def _end_worker_without_teardown() -> None:
    """A pytest-xdist worker's last exit handler: end the process without the interpreter's
    teardown. The worker has reported its results and its other exit handlers (kernels,
    browser) have run; freeing the session's objects one by one (data, kernels' clients,
    Playwright) took 1-2 s, and the controller waits for every worker to end."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if os.environ.get("PYTEST_XDIST_WORKER"):
    import atexit

    # Exit handlers run in reverse order of registration: those the tests and fixtures add
    # later (the warm kernel's, the browser's) run before this one.
    atexit.register(_end_worker_without_teardown)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


def pytest_report_header(config):
    # A browser failure depends on the Chromium it ran on: name it in every run's header.
    from test_browser import chromium_version

    return f"browser tests: {chromium_version()}"


def pytest_collection_modifyitems(config, items):
    # Browser checks run only where Debian's Chromium is installed (.ci/run installs it).
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    skip = pytest.mark.skip(reason="headless Chromium (/usr/bin/chromium) not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)



class _SlowIsOptIn:
    """`slow` is opt-in, as pyproject.toml says: without any -m expression those tests are
    skipped (`make test-all` runs them with -m "slow or not slow")."""

    @staticmethod
    def pytest_collection_modifyitems(config, items):
        if config.option.markexpr:
            return
        skip = pytest.mark.skip(reason="slow: opt in with -m slow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)


def pytest_configure(config):
    config.pluginmanager.register(_SlowIsOptIn(), "edubalance-slow-opt-in")
    config.pluginmanager.register(_Scheduling(), "edubalance-scheduling")
    # `pytest -n N` (what `make test` runs) distributes units of work (--dist loadgroup: tests
    # sharing an expensive fixture, or a module) in the order _Scheduling sets, longest first.
    # An explicit --dist other than load is left alone.
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"
        config.option.loadscopereorder = False


# --------------------------------------------------------------------------- scheduling

SHARED_FIXTURES = {
    # module-scoped fixtures that execute notebooks or run batches: the tests using one of them
    # are one unit of work (one worker, one after the other), so it is built once per run
    "failing_batch", "warm_batch", "presentation",
}
WARM_KERNEL_MODULES = [
    # modules executing notebooks on the test process's warm kernel (helpers._warm_job): one
    # unit of work, so that one process starts that kernel and preloads the libraries
    # (about 5 s of CPU), not both
    "tests/test_clustering_notebook.py", "tests/test_county_scoring_notebook.py",
    "tests/test_equity_index_notebook.py", "tests/test_event_study_notebook.py",
    "tests/test_progress_notebook.py", "tests/test_regression_notebook.py",
    "tests/test_teachers_notebook.py", "tests/test_explore.py", "tests/test_report_browser.py",
]
ON_THEIR_OWN = [
    # long tests with no shared fixture: each is a unit of work by itself (a node id prefix)
    "tests/test_batch.py::test_resume_after_sigkill",
    "tests/test_batch.py::test_sigterm_and_ctrl_c",
    "tests/test_batch.py::test_watchdog",
    "tests/test_batch.py::test_dask_engine",
]
LONGEST_FIRST = [
    # measured with --durations (setup + call, -n 3), longest first; a node id prefix. Units of
    # work start in the order of their first test here.
    "tests/test_browser.py::test_reports_in_the_browser",           # demo_reports (~60 s)
    "tests/test_batch_warm.py::test_warm_engine_gives",             # warm_batch
    "tests/test_report_browser.py",
    "tests/test_batch.py::test_resume_after_sigkill",
    "tests/test_batch.py::test_dask_engine",
    "tests/test_batch.py::test_failing_job_is_isolated",            # failing_batch
    "tests/test_browser_slides.py",                                 # the Voila explorer
    "tests/test_report_pdf.py",                                     # Chromium printing
    "tests/test_cli_report.py",                                     # report batches
    "tests/test_browser_offline.py",
    "tests/test_batch.py::test_sigterm_and_ctrl_c",
    "tests/test_clustering_notebook.py",
    "tests/test_report_county.py",
    "tests/test_progress_notebook.py",
    "tests/test_batch.py::test_watchdog",
    "tests/test_equity_index_notebook.py",
    "tests/test_event_study_notebook.py",
    "tests/test_regression_notebook.py",
    "tests/test_event_study.py",
    "tests/test_county_scoring_notebook.py",
    "tests/test_teachers_notebook.py",
    "tests/test_explore.py",
    "tests/test_progress.py",
    "tests/test_batch.py",
    "tests/test_batch_warm.py",
]


class _Scheduling:
    """Units of work for --dist loadgroup and their order (both only matter under xdist).

    A unit is: the tests sharing conftest's ``demo_reports``; the tests sharing one of the
    module fixtures of :data:`SHARED_FIXTURES`; the other tests of :data:`WARM_KERNEL_MODULES`;
    each test of :data:`ON_THEIR_OWN`; otherwise a whole module (so a module's cheap fixtures
    are built once, on one worker). Units start in the order of :data:`LONGEST_FIRST`, so the
    run does not end with one worker alone on a long test.
    """

    @staticmethod
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(node):
        # Workers parse the command line again (they would see `-n 2`, not the loadgroup set
        # in pytest_configure), so the controller tells them.
        node.workerinput["edubalance_loadgroup"] = node.config.option.dist == "loadgroup"

    @staticmethod
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(config, items):
        if not getattr(config, "workerinput", {}).get("edubalance_loadgroup"):
            return  # one process: collection order keeps each module's tests together

        def group(item, name: str) -> None:
            # What xdist does for an `xdist_group` mark under --dist loadgroup: the scheduler
            # sends the tests whose node ids end in the same "@name" to one worker, in order.
            # (xdist 3.8 sets `_nodeid`, which pytest 9 no longer reads: its groups do nothing.)
            nodeid = f"{item.nodeid}@{name}"
            if hasattr(item, "_id"):  # pytest >= 9
                from _pytest.nodeid import coerce_node_id

                item._id = coerce_node_id(nodeid)
            else:
                item._nodeid = nodeid

        for item in items:
            module = item.nodeid.split("::")[0]
            names = getattr(item, "fixturenames", ())
            shared = sorted(SHARED_FIXTURES.intersection(names))
            if "demo_reports" in names:  # session-scoped, shared by several modules
                group(item, "demo_reports")
            elif shared:
                group(item, f"{module}:{shared[0]}")
            elif module in WARM_KERNEL_MODULES:
                group(item, "warm_kernel")
            elif not item.nodeid.startswith(tuple(ON_THEIR_OWN)):
                group(item, module)

        def rank(item):
            for index, prefix in enumerate(LONGEST_FIRST):
                if item.nodeid.startswith(prefix):
                    return index
            return len(LONGEST_FIRST)

        items.sort(key=rank)  # stable: the rest keep their collection order


# --------------------------------------------------------------------------- the browser

@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Headless Chromium with the project's CJK font, one per test process (started when a
    browser test first needs it: each start costs a second of CPU). Tests use ``browser``."""
    from helpers import cjk_chromium

    yield from cjk_chromium(tmp_path_factory.mktemp("fonts"))


class _PagePool:
    """The pages of the process's Chromium, reused from test to test.

    A new page starts a renderer process: 8 visits of a county report cost 8.4 s of CPU on
    new pages and 4.0 s on one page navigated from report to report. A page a test closes
    comes back here: the listeners the test added and its routes are removed and the page
    shows about:blank (a navigation leaves no script or DOM state behind); the next test gets
    it with the viewport it asks for.
    """

    DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # Playwright's default

    def __init__(self, chromium):
        self.chromium = chromium
        self.free: list = []

    def take(self, viewport=None, **options):
        from helpers import PooledPage

        while self.free and not options:
            page = self.free.pop()
            try:
                page.set_viewport_size(viewport or self.DEFAULT_VIEWPORT)
                return PooledPage(page, self.give_back)
            except Exception:  # a crashed page: start another
                self._discard(page)
        if viewport:
            options["viewport"] = viewport
        return PooledPage(self.chromium.new_page(**options), self.give_back)

    def give_back(self, page, listeners) -> None:
        try:
            for event, handler in listeners:
                page.remove_listener(event, handler)
            page.unroute_all(behavior="ignoreErrors")
            page.goto("about:blank")
        except Exception:
            self._discard(page)
        else:
            self.free.append(page)

    @staticmethod
    def _discard(page) -> None:
        try:
            page.close()
        except Exception:
            pass


@pytest.fixture(scope="session")
def page_pool(chromium):
    return _PagePool(chromium)


class _ModulePages:
    """``new_page(**options)`` from the process's page pool, remembering the pages so that
    those a test did not close go back to the pool with the test module."""

    def __init__(self, pool):
        self.pool = pool
        self.cjk_families = pool.chromium.cjk_families
        self.pages: list = []

    def new_page(self, **options):
        page = self.pool.take(**options)
        self.pages.append(page)
        return page

    def close(self) -> None:
        for page in self.pages:
            page.close()  # (a page given back already stays given back)


@pytest.fixture(scope="module")
def browser(page_pool):
    """What tests open pages with: :class:`_ModulePages` on the process's one Chromium."""
    pages = _ModulePages(page_pool)
    yield pages
    pages.close()


# --------------------------------------------------------------------------- the demo reports

DEMO_COUNTIES = ["大武口区", "灵武市"]
"""The county scoring jobs of :func:`demo_reports`: the first with the notebook's defaults
(basic-2012) and the sample's evidence (counties.csv, as `make demo`), the second a county failing :data:`DEMO_FAILING_STANDARD` (the report the
browser tests of test_report_browser read and print)."""
DEMO_FAILING_STANDARD = "quality-2017"
DEMO_EXPLORER = {"standard": "quality-2017", "county": "西吉县", "year": 2016, "level": "primary",
                 "indicator": "teaching_area_per_student"}
"""The explorer job of :func:`demo_reports`."""


def _edubalance_cli(*args: str, cwd: Path):
    import os
    import subprocess
    import sys

    command = [str(Path(sys.executable).with_name("edubalance")), *args]
    # Kernels inheriting MPLBACKEND=Agg would drop every inline figure from the reports, so the
    # commands run without it (as `make demo` does).
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)


def _export_slides(output: Path, data: Path):
    """What `edubalance slides notebooks/presentation.ipynb --output OUTPUT` runs
    (``eb.report.slides.export_slides``), with the presentation's data parameters pointing to ``data``
    (schools.csv, counties.csv); in a thread of this process (its imports are done already).
    Returns the thread; :func:`_finish` waits for it and raises what it raised."""
    import threading

    from edubalance.report.slides import export_slides

    def run() -> None:
        try:
            export_slides(NOTEBOOKS / "presentation.ipynb", output, cwd=ROOT,
                          parameters={"data_path": str(data / "schools.csv"),
                                      "counties_path": str(data / "counties.csv")})
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
    """A report folder like `make demo` writes, built once per test process: `edubalance batch`
    (county scoring for :data:`DEMO_COUNTIES`, the first with the notebook's defaults, the
    second with :data:`DEMO_FAILING_STANDARD`; and the explorer for :data:`DEMO_EXPLORER`), on
    one warm worker (the jobs share its kernel and imports), beside the slides of the
    presentation (what `edubalance slides` runs), then the index (``eb.run.index.write_index``,
    what `edubalance index` runs). The presentation runs once for the suite, on a copy of the
    sample whose county and school names are hostile (:func:`hostile_names.hostile_sample`:
    the same numbers, 大武口区 and five other counties keep their names), so the same pages
    serve the browser checks of test_browser and the injection checks of test_browser_slides. Job folders keep everything (``--keep html,results,figures,notebook``), so
    the notebook tests check these runs instead of executing again; the browser tests open
    the pages. :func:`demo_job` finds a job's folder and manifest entry."""
    import textwrap

    import edubalance as eb
    from hostile_names import hostile_sample

    work = tmp_path_factory.mktemp("demo")
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
