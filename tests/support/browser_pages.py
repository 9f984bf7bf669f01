"""Fixtures for the browser tests (a pytest plugin: conftest's ``pytest_plugins``).

One headless Chromium per test process (``chromium``), a pool of its pages reused from test
to test (``page_pool``), and what tests open pages with (``browser``, per module), one PDF printer
(``pdf_printer``); the Chromium they run (``CHROMIUM``, ``chromium_version``) and its CJK fonts (``cjk_font_config``).
"""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Headless Chromium with the project's CJK font, one per test process (started when a
    browser test first needs it: each start costs a second of CPU). Tests use ``browser``."""
    from helpers import cjk_chromium

    yield from cjk_chromium(tmp_path_factory.mktemp("fonts"))


class PagePool:
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
                # A test may have emulated print media (as the PDF printer does): the next
                # one gets the screen, as on a new page.
                page.emulate_media(media="screen")
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
    return PagePool(chromium)


class ModulePages:
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
    """What tests open pages with: :class:`ModulePages` on the process's one Chromium."""
    pages = ModulePages(page_pool)
    yield pages
    pages.close()


@pytest.fixture(scope="session")
def pdf_printer():
    """One PDF printer (``eb.report.pdf.PdfPrinter``, two pages at a time) per test process,
    started when a test first prints: for the tests that print reports and check the PDFs,
    not the printer's own start (a Chromium launch costs ~2 CPU-s). ``write_pdfs`` and the
    printer's launch are checked by tests/browser/test_county_report.py and tests/report/."""
    from edubalance.report.pdf import PdfPrinter

    with PdfPrinter(pages=2) as printer:
        yield printer


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def chromium_version() -> str:
    """What ``chromium --version`` prints (pytest's header shows it too), or "no Chromium"."""
    import subprocess

    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip() or "Chromium (version unknown)"
    except OSError:
        return "no Chromium"


def cjk_font_config(folder: Path) -> tuple[Path, set[str]]:
    """The fontconfig file PDFs are printed with (bundled CJK fonts); and the CJK-capable
    family names."""
    import os
    import shutil
    import subprocess

    from matplotlib import ft2font

    import edubalance as eb

    config = Path(eb.report.pdf.chromium_font_env(folder)["FONTCONFIG_FILE"])
    fonts = eb.report.plotting.cjk_font_path().parent
    families = {ft2font.FT2Font(str(path)).family_name
                for path in fonts.iterdir() if path.suffix in {".otf", ".ttf"}}
    if shutil.which("fc-list"):  # system CJK fonts count too, when fontconfig can tell
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                                env={**os.environ, "FONTCONFIG_FILE": str(config)}).stdout
        families |= {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return config, families


SETTLED = """async () => {
    const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    const deadline = Date.now() + 10000;
    if (document.readyState !== 'complete')
        await new Promise(done => window.addEventListener('load', done, {once: true}));
    await document.fonts.ready;
    await Promise.race([
        Promise.all([...document.images].filter(image => image.loading !== 'lazy')
            .map(image => image.complete ? null : new Promise(done => {
                image.addEventListener('load', done, {once: true});
                image.addEventListener('error', done, {once: true});
            }))),
        new Promise(done => setTimeout(done, 5000))]);
    while (document.querySelector('.reveal:not(.ready)') && Date.now() < deadline)
        await frame();
    await frame();
    await frame();
    return document.readyState;
}"""
"""What :func:`settle` runs in the page."""


def settle(page) -> None:
    """Wait until ``page`` has settled: loaded, its fonts and images loaded (or failed), reveal.js
    ready if the page holds slides, then two more frames with the tasks queued before them.

    What a fixed wait (``wait_for_timeout``) stood for before a check that something did not
    happen (a payload ran, a dialog opened, an error was logged): the events that loading,
    drawing and a slide change queue have run by then (an ``onerror`` of a broken image, an
    ``ontoggle``, an SVG ``onload``, reveal.js's layout), usually in 30-40 ms instead of the
    60-300 ms waited.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page after ``goto`` or a step of its slides.

    Returns
    -------
    None
    """
    assert page.evaluate(SETTLED) == "complete"
