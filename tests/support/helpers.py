"""Small builders shared by several test files."""
from __future__ import annotations

import ast
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd


def valid_schools() -> pd.DataFrame:
    """Three valid schools (primary, junior, nine-year) in canonical columns."""
    return pd.DataFrame({
        "county_code": ["040202"] * 3, "county_name": ["大武口区"] * 3, "year": [2017] * 3,
        "school_id": ["001", "002", "0003"], "school_name": ["甲小学", "乙中学", "丙学校"],
        "school_type": ["primary", "junior", "nine_year"],
        "urban_rural": ["urban", "town", "rural"],
        "students_primary": [300, 0, 200], "students_junior": [0, 400, 150],
        "classes_primary": [10, 0, 8], "classes_junior": [0, 9, 4],
        "teachers": [20, 35, 30], "teachers_above_degree": [18, 30, 25],
        "teachers_mid_title": [9, 15, 12], "teachers_backbone": [3, 4, 2],
        "teachers_pe_arts": [2, 3, 3], "teaching_area_m2": [1500.5, 2600.0, 2100.25],
        "sports_area_m2": [3000.0, 4100.0, 3900.0],
        "equipment_value_cny": [600000.0, 1100000.0, 750000.5],
        "computers": [30, 60, 40], "multimedia_classrooms": [10, 12, 11],
        "books": [9000, 16000, 12000],
    })


class Links(HTMLParser):
    """Collects the href of every <a> in an HTML page."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href"]


def execute_notebook_once(name: str, folder, **parameters):
    """Run ``notebooks/<name>.ipynb`` into ``folder``; return its output_dir.

    For module-scoped fixtures (``tmp_path_factory.mktemp(name)``), so that a notebook is
    executed once for all the assertions of a test module. The executed notebook is
    ``folder/<name>.executed.ipynb``; ``output_dir`` defaults to ``folder/out``.

    The notebook runs as a job of the batch's warm engine (``execute_job_warm``) on this test
    process's one kernel: started (and the heavy libraries imported) once per process, reset
    to its snapshot before each notebook, as `edubalance batch` runs its jobs
    (tests/run/test_engines.py shows that this gives the results of a fresh kernel). A failing
    notebook fails the test with its error.
    """
    import shutil
    from pathlib import Path

    folder = Path(folder)
    output_dir = Path(parameters.pop("output_dir", folder / "out"))
    entry, job = _warm_job(name, folder, parameters)
    assert entry["status"] == "ok", f"{name}.ipynb failed: {entry['error']}"
    shutil.move(job / f"{name}.ipynb", folder / f"{name}.executed.ipynb")
    for marker in ("job.json", "kernel.log"):
        (job / marker).unlink(missing_ok=True)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(job, output_dir)
    shutil.rmtree(folder / ".jobs")
    return output_dir


def execute_failing_notebook(name: str, folder, **parameters) -> tuple[str, list[str]]:
    """Run ``notebooks/<name>.ipynb`` as :func:`execute_notebook_once` does, expecting it to
    fail; return its error and the files it wrote besides the executed notebook and the
    batch's own (``job.json``, ``kernel.log``): what a failing run leaves behind."""
    entry, job = _warm_job(name, folder, parameters)
    assert entry["status"] == "failed", f"{name}.ipynb did not fail"
    written = sorted(path.relative_to(job).as_posix() for path in job.rglob("*")
                     if path.is_file()
                     and path.name not in {f"{name}.ipynb", "job.json", "kernel.log"})
    return entry["error"], written


def _warm_job(name: str, folder, parameters: dict):
    """The warm-engine job of :func:`execute_notebook_once`: (its entry, its folder)."""
    from pathlib import Path

    from paths import KERNEL, NOTEBOOKS, ROOT

    jobs = Path(folder) / ".jobs"
    spec = {"notebook": str(NOTEBOOKS / f"{name}.ipynb"), "notebook_text": f"{name}.ipynb",
            "parameters": parameters, "output": str(jobs), "stem": name, "slug": "run",
            "cwd": str(ROOT), "timeout": None, "kernel_name": KERNEL, "engine": "warm",
            "keep": ["results", "figures", "notebook"], "fingerprint": None,
            # The kernel runs every notebook of the suite: it preloads every submodule once.
            "preload": None}
    return run_on_warm_kernel(spec), jobs / name / "run"


def run_on_warm_kernel(spec: dict) -> dict:
    """``engines.execute_job_warm(spec)`` on this test process's one warm kernel."""
    import atexit

    from edubalance.run import engines

    if not _WARM_THREAD:
        # The kernel and its event loop live in one thread of their own, away from the
        # tests' main thread.
        from concurrent.futures import ThreadPoolExecutor

        _WARM_THREAD.append(ThreadPoolExecutor(1, thread_name_prefix="edubalance-warm"))
        close = getattr(engines, "_close_warm_kernel", None)
        if close is not None:
            atexit.register(close)
    return _WARM_THREAD[0].submit(engines.execute_job_warm, spec).result()


_WARM_THREAD: list = []


# Per pupil (or per 100 pupils) amounts at which a school meets every threshold of every
# standard (quality-2017 and the ningxia-2010 shares, sizes and ratios included).
RICH = {"teachers": 6.0, "teachers_above_degree": 5.4, "teachers_mid_title": 3.6,
        "teachers_backbone": 1.2, "teachers_pe_arts": 1.0, "computers": 15.0,
        "multimedia_classrooms": 2.6}                       # per 100 pupils
RICH_PER_PUPIL = {"teaching_area_m2": 6.0, "sports_area_m2": 11.0,
                  "equipment_value_cny": 2600.0, "books": 40.0}
FRACTIONS = (1.0, 1.0, 0.9, 0.6, 0.3, 0.05, 3.0)


def assert_problems_named(error, wanted: list[dict]) -> None:
    """Each mapping of ``wanted`` matches one of ``error.problems``: ``message`` as a part of
    the problem's message, any other key (row, column, value, file, ...) by its text."""
    for want in wanted:
        matches = [p for p in error.problems if all(
            (value in (p.message or "")) if key == "message" else
            (str(getattr(p, key)) == str(value)) for key, value in want.items())]
        assert matches, f"{want} not in:\n{error}"


def county_frame(schools, name="甲县", code="640999", year=2017) -> pd.DataFrame:
    """Canonical school rows from ``(type, students, class_size, fractions)`` tuples; the
    largest class of each section (最大班额) is ``class_size``."""
    rows = []
    for i, (school_type, students, class_size, fraction) in enumerate(schools):
        primary = students if school_type in ("primary", "nine_year") else 0
        junior = students if school_type in ("junior", "nine_year") else 0
        if school_type == "nine_year":
            primary, junior = students * 2 // 3, students - students * 2 // 3
        pupils = primary + junior
        row = dict(county_code=code, county_name=name, year=year, school_id=f"{code}{i:04d}",
                   school_name=f"{name}第{i + 1}学校", school_type=school_type,
                   urban_rural="rural", students_primary=primary, students_junior=junior,
                   classes_primary=int(np.ceil(primary / class_size)) if primary else 0,
                   classes_junior=int(np.ceil(junior / class_size)) if junior else 0,
                   max_class_size_primary=class_size if primary else None,
                   max_class_size_junior=class_size if junior else None)
        for column, per_100 in RICH.items():
            row[column] = int(np.ceil(per_100 * pupils / 100 * fraction))
        for column, per_pupil in RICH_PER_PUPIL.items():
            row[column] = float(round(per_pupil * pupils * fraction, 1))
        rows.append(row)
    return pd.DataFrame(rows)


def report_text_problems(browser, executed_notebook, folder,
                         lang: str = "zh") -> tuple[str, list[str]]:
    """Export ``executed_notebook`` as a report (``eb.report.html.export_html``), open it in
    ``browser`` (browser_pages.py's fixture) and return its visible text and what a reader should not see in it (``NaN``,
    ``None``, ``True``/``False``, scientific notation, snake_case names, Python literals: the
    patterns of tests/browser/test_county_report.py; for ``lang="zh"`` also English prose, four English words
    in a row). For the browser checks of the research notebooks."""
    import re
    from pathlib import Path

    import edubalance as eb
    from tests.browser.test_county_report import BAD_TEXT

    executed = Path(executed_notebook)
    page_path = eb.report.html.export_html(executed, Path(folder) / f"{executed.stem}.html")
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(("file:", "data:", "about:"))
                   else route.abort())
        page.goto(page_path.as_uri(), wait_until="load")
        visible = page.evaluate("() => document.body.innerText")
    finally:
        page.close()
    patterns = dict(BAD_TEXT)
    if lang == "zh":
        patterns["English prose"] = re.compile(r"\b[A-Za-z]+(?:[ ,]+[A-Za-z]+){3,}\b")
    problems = [f"{what}: {match.group(0)!r} in …{visible[max(0, match.start() - 40):match.end() + 40]}…"
                for what, pattern in patterns.items() for match in pattern.finditer(visible)]
    return visible, problems


def serve_voila(notebook, cwd, env):
    """Start Voila on ``notebook`` on a free loopback port; yield its URL; stop it after.

    A generator for module-scoped fixtures (``yield from serve_voila(...)``)."""
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.error
    import urllib.request
    from pathlib import Path

    import pytest

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The explorer names the project's offline Voila template (no CDN links): `make` copies it
    # into the environment; found here from the source tree whatever the environment holds.
    templates = Path(__file__).resolve().parents[2] / "lib" / "edubalance" / "report" / "templates"
    env = {**env, "JUPYTER_PATH": os.pathsep.join(filter(None, [str(templates),
                                                                  env.get("JUPYTER_PATH")]))}
    # As in the test processes (conftest), the server skips jsonschema's IRI grammar (1.5 s).
    start = ("import sys; sys.modules.setdefault('rfc3987_syntax', None); "
             "from voila.app import main; sys.argv[0] = 'voila'; main()")
    # The server's log goes to a file, never to a pipe: nobody reads a pipe while the tests
    # run, and once its 64 KiB buffer is full the server blocks on its next log line and every
    # later page load times out (CI's second Voila page did, after the first page's kernel
    # logged warnings).
    log = tempfile.NamedTemporaryFile(prefix="voila-", suffix=".log", delete=False)
    # Kernels talk over Unix sockets, as the batch's do: five TCP ports chosen free and then
    # bound by the kernel can be taken meanwhile by another worker's kernel, and a kernel that
    # dies while Voila renders leaves the page loading for ever (Voila 0.5 drops the error).
    sockets = tempfile.mkdtemp(prefix="eb-v-")
    server = subprocess.Popen(
        [sys.executable, "-c", start, str(notebook), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--KernelManager.transport=ipc",
         f"--KernelManager.ip={sockets}/k"],
        cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    log_path = Path(log.name)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "static/", timeout=5)
            break
        except urllib.error.HTTPError:
            break  # the server answers: up (the path itself need not exist)
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                server.wait()
                pytest.fail(f"Voila did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log_path.unlink(missing_ok=True)
        shutil.rmtree(sockets, ignore_errors=True)


class InThread:
    """A Playwright object usable from the tests' main thread: every call runs in the one
    thread that owns Playwright.

    Playwright's sync API keeps its event loop running in the thread that started it; in the
    main thread that loop would stay "running" for every later test of the process (a kernel
    or ``asyncio.run`` there would then fail). Objects it returns (pages, locators) come back
    wrapped too; callbacks (``page.on``, ``page.route``) run in the Playwright thread.
    """

    __slots__ = ("_target", "_call")

    def __init__(self, target, call):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_call", call)

    def __getattr__(self, name):
        value = self._call(getattr, self._target, name)
        if callable(value):
            return lambda *args, **kwargs: _in_thread(
                self._call(value, *map(_unwrap, args),
                           **{key: _unwrap(arg) for key, arg in kwargs.items()}), self._call)
        return _in_thread(value, self._call)

    def __setattr__(self, name, value):
        self._call(setattr, self._target, name, value)

    def __repr__(self) -> str:
        return f"InThread({self._target!r})"


class PooledPage:
    """A page of the page pool (browser_pages.py): what a test does with it goes to the page, except that
    ``close()`` gives it back to the pool (which removes the listeners added here and the
    routes, and opens about:blank) instead of closing it."""

    __slots__ = ("_target", "_give_back", "_listeners", "_returned")

    def __init__(self, page, give_back):
        object.__setattr__(self, "_target", page)
        object.__setattr__(self, "_give_back", give_back)
        object.__setattr__(self, "_listeners", [])
        object.__setattr__(self, "_returned", False)

    def on(self, event: str, handler) -> None:
        self._listeners.append((event, handler))
        self._target.on(event, handler)

    def close(self, **_options) -> None:
        if not self._returned:
            object.__setattr__(self, "_returned", True)
            self._give_back(self._target, self._listeners)

    def is_closed(self) -> bool:
        return self._returned or self._target.is_closed()

    def __getattr__(self, name):
        return getattr(self._target, name)

    def __setattr__(self, name, value):
        setattr(self._target, name, value)


def _in_thread(value, call):
    if type(value).__module__.startswith("playwright."):
        return InThread(value, call)
    if isinstance(value, list):
        return [_in_thread(item, call) for item in value]
    return value


def _unwrap(value):
    while isinstance(value, (InThread, PooledPage)):
        value = value._target
    return value


def cjk_chromium(folder):
    """Headless Chromium that draws Chinese with the project's CJK font, in a thread of its own
    (:class:`InThread`); yields the browser (with ``.cjk_families``, the CJK font families it
    can use). For the one browser per test process (browser_pages.py)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from browser_pages import CHROMIUM, CHROMIUM_ARGS, cjk_font_config

    config, families = cjk_font_config(folder)
    thread = ThreadPoolExecutor(1, thread_name_prefix="edubalance-chromium")

    def call(function, *args, **kwargs):
        return thread.submit(function, *args, **kwargs).result()

    def start():
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(config)})
        chromium.cjk_families = families
        return playwright, chromium

    playwright, chromium = call(start)
    try:
        yield InThread(chromium, call)
    finally:
        call(chromium.close)
        call(playwright.stop)
        thread.shutdown()


def write_toy_notebook(path, parameters: str, work: str, *, before: str | None = None):
    """A small notebook on the ``edubalance`` kernel: an optional first cell ``before``, the
    cell tagged ``parameters`` (source ``parameters``) and one cell ``work``. Returns ``path``."""
    import nbformat

    parameters_cell = nbformat.v4.new_code_cell(parameters)
    parameters_cell.metadata["tags"] = ["parameters"]
    cells = [parameters_cell, nbformat.v4.new_code_cell(work)]
    if before is not None:
        cells.insert(0, nbformat.v4.new_code_cell(before))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "edubalance", "language": "python",
                                       "display_name": "Python (edubalance)"}
    nbformat.write(notebook, str(path))
    return path


def public_modules():
    """Every public module of edubalance (no part of its name starts with ``_``), imported.

    Yields ``(name, module)``, for the tests that walk the whole package. DeprecationWarnings
    raised while importing (old names kept for one release) are ignored: these tests look at
    what the package is, not at what it used to be.
    """
    import importlib
    import pkgutil
    import warnings

    import edubalance

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for info in pkgutil.walk_packages(edubalance.__path__, "edubalance."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                yield info.name, importlib.import_module(info.name)


def run_python(code: str, *args, **options) -> subprocess.CompletedProcess:
    """``python -c code args...`` in a new interpreter, its output captured as text.

    For what only a fresh process shows (what a command imports, a process-wide setting).
    ``options`` go to :func:`subprocess.run` (``check``, ``cwd``, ``env``, ``timeout``: two
    minutes unless given).
    """
    options.setdefault("timeout", 120)
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, **options)


def imported_by(code: str, modules, *args, **options) -> list[str]:
    """Of ``modules``, those ``sys.modules`` holds after ``code`` ran in a fresh interpreter.

    What a command, a worker or a layer imports (its start-up cost) is only seen in a new
    process: ``code`` runs as :func:`run_python` runs it (``args`` and ``options`` as there)
    and must succeed, so an ``assert`` in it checks what else the process should show.
    """
    probe = (f"{code}\nimport sys as _sys\n"
             f"print([_name for _name in {list(modules)!r} if _name in _sys.modules])\n")
    done = run_python(probe, *args, **options)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])
