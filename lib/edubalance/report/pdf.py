"""PDFs of HTML reports, printed by headless Chromium through Playwright.

``write_pdfs`` opens each report from the file system in one headless Chromium (the
Debian package's ``/usr/bin/chromium`` by default, or ``$EDUBALANCE_CHROMIUM``), prints it to
A4 with the report's own print stylesheet and a footer holding only the page number
(第 N 页 / 共 M 页, or Page N of M: no ``file://`` URL, no date), and writes ``<report>.pdf`` beside it, atomically. Network requests are refused: reports are
self-contained. ``edubalance pdf REPORT.html ...`` does the same from the command line.

Examples
--------
>>> write_pdfs([])
[]
"""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from ..errors import EdubalanceError
from ..io.write import atomic_target

__all__ = ["CHROMIUM_ENV", "DEFAULT_CHROMIUM", "BrowserMissingError", "find_chromium", "check_ready",
           "write_pdfs", "chromium_font_env", "register_cli", "page_footer"]

CHROMIUM_ENV = "EDUBALANCE_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_LOCAL = ("file:", "data:", "blob:", "about:")


class BrowserMissingError(EdubalanceError):
    """No headless Chromium (or no Playwright) to print PDFs with."""


def find_chromium(executable: str | os.PathLike | None = None) -> Path:
    """The Chromium executable to use, or :class:`BrowserMissingError` saying how to get one."""
    candidate = executable or os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    path = Path(candidate)
    if not path.is_file():
        found = shutil.which(str(candidate))
        if found is None:
            raise BrowserMissingError(
                f"no Chromium browser at {candidate}: PDFs are printed by headless Chromium. "
                f"Install it (Debian/Ubuntu: apt-get install chromium) or set {CHROMIUM_ENV} "
                "to its path")
        path = Path(found)
    return path


PLAYWRIGHT_HINT = ("printing PDFs needs the playwright package (pip install 'edubalance[report]'; "
                   "make demo installs it); it drives the system Chromium, no browser download "
                   "is needed")


def check_ready(executable: str | os.PathLike | None = None) -> Path:
    """Check that PDFs can be printed here, before any work: Chromium and Playwright.

    Returns
    -------
    Path
        The Chromium executable (as :func:`find_chromium`).

    Raises
    ------
    BrowserMissingError
        Saying how to get what is missing (``apt-get install chromium``,
        ``pip install 'edubalance[report]'``).

    Examples
    --------
    >>> try:
    ...     check_ready("/no/such/chromium")
    ... except BrowserMissingError as error:
    ...     print("apt-get install chromium" in str(error))
    True
    """
    import importlib.util

    chromium = find_chromium(executable)
    if importlib.util.find_spec("playwright") is None:
        raise BrowserMissingError(PLAYWRIGHT_HINT)
    return chromium


def write_pdfs(html_paths, *, executable: str | os.PathLike | None = None) -> list[Path]:
    """Print each HTML report to ``<report>.pdf`` beside it; return the PDF paths.

    Raises
    ------
    FileNotFoundError
        A report does not exist (checked before the browser starts).
    BrowserMissingError
        No Chromium, or Playwright is not installed.
    """
    reports = [Path(p) for p in html_paths]
    if not reports:
        return []
    missing = [str(p) for p in reports if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"report(s) not found: {', '.join(missing)}")
    chromium = find_chromium(executable)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - playwright is a test/report dependency
        raise BrowserMissingError(PLAYWRIGHT_HINT) from error
    # Playwright's sync API refuses to start inside a running asyncio loop (a Jupyter kernel,
    # or another sync Playwright session): print from a worker thread, which has none.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print, sync_playwright, chromium, reports).result()


def chromium_font_env(folder: Path) -> dict[str, str]:
    """Environment giving Chromium the CJK font the figures use (bundled by ``mplfonts``).

    Without a CJK font Chinese prints as empty boxes and the PDF holds no Chinese text; the
    machine's own fonts stay available (the system configuration is included).
    """
    try:
        from .plotting import cjk_font_path

        fonts = cjk_font_path().parent
    except (ImportError, FileNotFoundError):
        return {}
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    return {"FONTCONFIG_FILE": str(config)}


def _print(sync_playwright, chromium: Path, reports: list[Path]) -> list[Path]:
    import tempfile

    written = []
    with tempfile.TemporaryDirectory(prefix="edubalance-pdf-") as folder, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=_ARGS,
                                             env={**os.environ, **chromium_font_env(Path(folder))})
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(_LOCAL) else route.abort())
            for report in reports:
                page.goto(report.resolve().as_uri(), wait_until="load")
                lang = page.evaluate("document.documentElement.lang || 'zh'")
                target = report.with_suffix(".pdf")
                with atomic_target(target) as tmp:
                    page.pdf(path=str(tmp), format="A4", print_background=True,
                             display_header_footer=True, header_template="<span></span>",
                             footer_template=page_footer(lang), prefer_css_page_size=True,
                             margin={"top": "15mm", "bottom": "15mm", "left": "12mm",
                                     "right": "12mm"})
                written.append(target)
        finally:
            browser.close()
    return written


_FOOTER_STYLE = ("width: 100%; text-align: center; font-size: 8.5pt; color: #444; "
                 "font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', "
                 "'Microsoft YaHei', sans-serif;")


def page_footer(lang: str = "zh") -> str:
    """The footer Chromium prints on every PDF page: 第 N 页 / 共 M 页 (Page N of M).

    Chromium fills the ``pageNumber`` and ``totalPages`` elements; the words come from the
    message catalogue (``report.pdf_footer``) in ``lang`` (the report's ``<html lang>``;
    anything but ``en`` is Chinese). No URL, no date: only the page number.

    Examples
    --------
    >>> '<span class="pageNumber"></span>' in page_footer("en")
    True
    >>> print(page_footer("en").split(">", 1)[1].replace('<span class="pageNumber"></span>', "3")
    ...       .replace('<span class="totalPages"></span>', "9").removesuffix("</div>"))
    Page 3 of 9
    """
    from .i18n import text

    words = text("report.pdf_footer", "en" if str(lang).startswith("en") else "zh",
                 page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>')
    return f'<div style="{_FOOTER_STYLE}">{words}</div>'


def _handle_pdf(args: argparse.Namespace) -> int:
    for path in write_pdfs(args.reports, executable=args.chromium):
        print(path)
    return 0


def register_cli(subparsers) -> None:
    """Add ``edubalance pdf REPORT.html ...``."""
    parser = subparsers.add_parser(
        "pdf", help="print HTML reports to PDF (headless Chromium)",
        description="Write <report>.pdf beside each HTML report, printed to A4 by headless "
                    f"Chromium ({DEFAULT_CHROMIUM}, or ${CHROMIUM_ENV}).")
    parser.add_argument("reports", nargs="+", metavar="REPORT.html")
    parser.add_argument("--chromium", default=None, help="path of the Chromium executable")
    parser.set_defaults(func=_handle_pdf)
