"""PDFs of HTML reports, printed by headless Chromium over the DevTools protocol.

``write_pdfs`` opens each report from the file system in one headless Chromium (Debian's
``chromium-headless-shell`` when it is installed, else its ``/usr/bin/chromium``, or
``$EDUBALANCE_CHROMIUM``: :func:`find_chromium`), prints it to
A4 with the report's own print stylesheet and a footer holding only the page number
(第 N 页 / 共 M 页, or Page N of M: no ``file://`` URL, no date), and writes ``<report>.pdf``
beside it, atomically. Network requests are refused, and so is any local file outside the
report's folder: reports are self-contained. :class:`PdfPrinter` keeps that one browser for
as long as its caller needs it (a batch: ``edubalance batch --pdf``) and prints several
reports at a time. ``edubalance pdf REPORT.html ...`` does the same from the command line.
The browser is driven over a pipe (:mod:`~edubalance.report._cdp`), with no driver process
between (Playwright's Node.js driver cost more CPU to start than Chromium itself).
Chinese is printed with a TrueType build of the figures' font (regular and bold,
:mod:`~edubalance.report.pdf_fonts`), which a PDF embeds as subset fonts: text that extracts
as Chinese, about 200 KB for a county report.

Examples
--------
>>> write_pdfs([])
[]
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
from pathlib import Path

from ..errors import EdubalanceError
from ..io.write import atomic_target

__all__ = ["CHROMIUM_ENV", "DEFAULT_CHROMIUM", "HEADLESS_SHELL", "DEFAULT_PAGES",
           "BrowserMissingError", "PdfError", "PdfPrinter", "find_chromium", "check_ready",
           "write_pdfs", "chromium_font_env", "register_cli", "page_footer", "print_html", "PRINT_CSS"]

CHROMIUM_ENV = "EDUBALANCE_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
"""Debian's ``chromium-headless-shell`` (Chromium's old headless mode, the browser Playwright
itself uses for headless): the same printed pages as the full browser for about half its CPU
(0.37 against 0.69 core-s a county report, 0.9 against 1.7 core-s to launch), so
:func:`find_chromium` prefers it."""
# Besides _cdp.LAUNCH_ARGS (Playwright's, headless, no sandbox). No network whatever a page
# asks for: every connection goes to a proxy whose name resolves to nothing (loopback and IP
# addresses too), for what the pages' routing does not see (WebSockets, which Playwright's
# routes did not see either).
_ARGS = ["--disable-gpu", "--proxy-server=http://edubalance-no-network.invalid:9",
         "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND"]


class BrowserMissingError(EdubalanceError):
    """No headless Chromium to print PDFs with."""


def find_chromium(executable: str | os.PathLike | None = None) -> Path:
    """The Chromium executable to use, or :class:`BrowserMissingError` saying how to get one.

    Parameters
    ----------
    executable : str or path, optional
        A path or a command name; default ``$EDUBALANCE_CHROMIUM``, else
        :data:`HEADLESS_SHELL` when it is installed, else ``/usr/bin/chromium``.

    Returns
    -------
    Path

    Raises
    ------
    BrowserMissingError
        No such executable (naming how to install one).

    Examples
    --------
    >>> find_chromium("/bin/sh")
    PosixPath('/bin/sh')
    """
    candidate = executable or os.environ.get(CHROMIUM_ENV)
    if not candidate:
        candidate = HEADLESS_SHELL if Path(HEADLESS_SHELL).is_file() else DEFAULT_CHROMIUM
    path = Path(candidate)
    if not path.is_file():
        found = shutil.which(str(candidate))
        if found is None:
            raise BrowserMissingError(
                f"no Chromium browser at {candidate}: PDFs are printed by headless Chromium. "
                "Install it (Debian/Ubuntu: apt-get install chromium-headless-shell, or "
                f"chromium) or set {CHROMIUM_ENV} to its path")
        path = Path(found)
    return path


def check_ready(executable: str | os.PathLike | None = None) -> Path:
    """Check that PDFs can be printed here, before any work: a Chromium to print with.

    Parameters
    ----------
    executable : str or path, optional
        Chromium to use (as :func:`find_chromium`).

    Returns
    -------
    Path
        The Chromium executable (as :func:`find_chromium`).

    Raises
    ------
    BrowserMissingError
        Saying how to get it (``apt-get install chromium-headless-shell``).

    Examples
    --------
    >>> try:
    ...     check_ready("/no/such/chromium")
    ... except BrowserMissingError as error:
    ...     print("apt-get install chromium-headless-shell" in str(error))
    True
    """
    return find_chromium(executable)


def write_pdfs(html_paths, *, executable: str | os.PathLike | None = None,
               pages: int | None = None) -> list[Path]:
    """Print each HTML report to ``<report>.pdf`` beside it; return the PDF paths.

    One Chromium prints them all, ``pages`` (default :data:`DEFAULT_PAGES`) at a time
    (:class:`PdfPrinter`).

    Parameters
    ----------
    html_paths : iterable of str or path
        The HTML reports.
    executable : str or path, optional
        Chromium to use (as :func:`find_chromium`).
    pages : int, optional
        Reports printed at a time.

    Returns
    -------
    list of Path
        The PDFs, in the order of ``html_paths``.

    Raises
    ------
    FileNotFoundError
        A report does not exist (checked before the browser starts).
    BrowserMissingError
        No Chromium.
    PdfError
        A report could not be printed (the others are printed all the same).
    """
    reports = [Path(p) for p in html_paths]
    if not reports:
        return []
    missing = [str(p) for p in reports if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"report(s) not found: {', '.join(missing)}")
    with PdfPrinter(executable, pages=pages) as printer:
        futures = [printer.submit(report) for report in reports]
        outcomes = [_outcome(future) for future in futures]
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if errors:
        raise errors[0]
    return outcomes


def _outcome(future):
    try:
        return future.result()
    except PdfError as error:
        return error


class PdfError(EdubalanceError, RuntimeError):
    """A report could not be printed to PDF (the message names the report)."""


DEFAULT_PAGES = 3
"""Reports :class:`PdfPrinter` prints at a time (browser pages kept open and reused)."""


class PdfPrinter:
    """One headless Chromium printing HTML reports to PDF, several pages at a time.

    The browser is launched once, by :meth:`start` (or ``with``), in a thread of its own
    running an asyncio loop that drives it over the DevTools protocol
    (:mod:`~edubalance.report._cdp`), and printing goes on while the caller does other work:
    :meth:`submit` returns at once with a :class:`concurrent.futures.Future` of the PDF path,
    from any thread. Up to ``pages`` reports print at the same time, each on a page that is
    reused for the next report (a new page costs a renderer process and its fonts).

    Every PDF is as :func:`write_pdfs` describes: A4, the report's print stylesheet, the
    page number in the footer (in the report's ``<html lang>``), the CJK font of the figures
    (:func:`chromium_font_env`), written atomically beside the report. A page loads nothing
    over the network and no local file outside the report's own folder. A report that
    cannot be printed makes its future raise :class:`PdfError` naming it; the browser goes on
    with the others (a crashed page is replaced).

    Parameters
    ----------
    executable : str or path, optional
        Chromium to use (as :func:`find_chromium`: ``$EDUBALANCE_CHROMIUM``, else the
        headless shell, else ``/usr/bin/chromium``).
    pages : int, optional
        Reports printed at a time (default :data:`DEFAULT_PAGES`).
    timeout : float
        Seconds allowed for loading and printing one report.
    warm : bool, default False
        Also open a page and print a little Chinese (regular and bold) to no report as soon
        as the browser is up, so that the first report does not pay for the page's renderer
        process and its fonts (a batch starts the printer before its jobs).
    niceness : int, default 0
        Added to the browser's niceness (and its renderers'): a batch prints with 10, so
        that its jobs go first and the reports print in the moments its workers leave a
        core free.

    Raises
    ------
    BrowserMissingError
        From :meth:`start`: no Chromium.

    Examples
    --------
    >>> with PdfPrinter() as printer:  # doctest: +SKIP
    ...     future = printer.submit("report.html")
    ...     future.result()
    PosixPath('report.pdf')
    """

    def __init__(self, executable: str | os.PathLike | None = None, *, pages: int | None = None,
                 timeout: float = 120.0, warm: bool = False, niceness: int = 0) -> None:
        self.executable = executable
        self.pages = max(1, int(pages or DEFAULT_PAGES))
        self.timeout = float(timeout)
        self.warm = bool(warm)
        self.niceness = int(niceness)
        self._loop = None
        self._thread = None
        self._ready = None      # concurrent Future of the launch
        self._state: dict = {}

    # ------------------------------------------------------------------ life cycle
    def start(self) -> PdfPrinter:
        """Launch the browser (in the background: returns before it is up); idempotent.

        Returns
        -------
        PdfPrinter
            This printer.
        """
        if self._thread is not None:
            return self
        import asyncio
        import threading

        chromium = find_chromium(self.executable)
        self._state = {"tasks": set()}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="edubalance-pdf")
        self._thread.start()
        self._ready = asyncio.run_coroutine_threadsafe(self._launch(chromium), self._loop)
        return self

    def wait_ready(self) -> None:
        """Wait for the browser; raise :class:`PdfError` if it could not be launched.

        Returns
        -------
        None
        """
        self.start()
        try:
            self._ready.result()
        except PdfError:
            raise
        except Exception as error:
            raise PdfError(f"Chromium could not be started to print PDFs: "
                           f"{type(error).__name__}: {error}") from error

    def submit(self, html_path: str | os.PathLike):
        """Print ``html_path`` to ``<report>.pdf`` beside it, in the background.

        Parameters
        ----------
        html_path : str or path
            The HTML report.

        Returns
        -------
        concurrent.futures.Future
            Its result is the PDF path; it raises :class:`PdfError` if the report could not
            be printed.
        """
        import asyncio

        self.start()
        return asyncio.run_coroutine_threadsafe(self._print(Path(html_path)), self._loop)

    def close(self, cancel: bool = False) -> None:
        """Wait for the reports submitted, close the browser and stop the thread.

        Parameters
        ----------
        cancel : bool, default False
            Stop the reports still printing instead of waiting for them (no partial PDF).

        Returns
        -------
        None
        """
        if self._thread is None:
            return
        import asyncio

        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(cancel), self._loop).result(
                timeout=None if not cancel else 60)
        except Exception:
            pass
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._loop.close()
            self._thread = None
            shutil.rmtree(self._state.pop("folder", ""), ignore_errors=True)

    def __enter__(self) -> PdfPrinter:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ in the browser thread
    async def _launch(self, chromium: Path) -> None:
        import asyncio
        import tempfile

        from . import _cdp

        state = self._state
        state["free"] = asyncio.Queue()
        state["slots"] = asyncio.Semaphore(self.pages)
        state["folder"] = folder = tempfile.mkdtemp(prefix="edubalance-pdf-")
        state["browser"] = await _cdp.Browser.launch(
            chromium, _ARGS, env={**os.environ, **chromium_font_env(Path(folder))},
            folder=Path(folder), timeout=self.timeout, niceness=self.niceness)
        if self.warm:
            await self._warm_up()

    async def _warm_up(self) -> None:
        """Print a line of Chinese on a new page (kept for the first report), to no file."""
        page = await self._page()
        try:
            await page.evaluate(f"document.open(); document.write({json.dumps(_WARM_UP)}); "
                                "document.close()")
            await page.pdf(**_print_options("zh"))
        except Exception:  # noqa: BLE001 - the reports will say what is wrong
            await _close_quietly(page)
        else:
            self._state["free"].put_nowait(page)

    async def _page(self):
        free = self._state["free"]
        if not free.empty():
            return free.get_nowait()
        # The document it loads is hidden for the screen (_HIDDEN_ON_SCREEN): nothing is laid
        # out when it loads, nor again after printing, which lays it out once for print media
        # (the same PDF, byte for byte; the browser's CPU for 8 county reports in a batch,
        # with print_html's leaving out what is never printed: 2.36 -> 2.06 and 2.51 -> 2.38
        # core-s, medians of two sets of 6 and 8 alternating runs; laid out at an A4 width in
        # print media before, 0.40 -> 0.28 core-s a report, and at a screen's width before
        # that). Hidden (its window minimised): no frame of the report is drawn for a screen
        # nobody looks at (the same PDF; 0.28 -> 0.24 core-s a report).
        page = await self._state["browser"].new_page(_PRINT_VIEWPORT, self.timeout, hidden=True)
        allowed: dict = {"folder": None, "document": None}
        page.edubalance_allowed = allowed

        def route(url: str):
            document = allowed["document"]
            if document is not None and _file_path(url) == document[0]:
                # The report itself, as print_html leaves it (its URL kept, so that anything
                # it links to resolves as before).
                return "text/html; charset=utf-8", document[1]
            return True if _allowed(url, allowed["folder"]) else None  # continue, or abort

        page.router = route
        return page

    async def _print(self, report: Path) -> Path:
        import asyncio

        task = asyncio.current_task()
        self._state["tasks"].add(task)
        try:
            try:
                await asyncio.wrap_future(self._ready)
            except Exception as error:
                raise PdfError(f"{report}: Chromium could not be started to print PDFs: "
                               f"{type(error).__name__}: {error}") from error
            if not report.is_file():
                raise PdfError(f"{report}: report not found")
            async with self._state["slots"]:
                try:
                    page = await self._page()
                except Exception as error:
                    raise PdfError(f"{report}: PDF not written: no page to print it on: "
                                   f"{type(error).__name__}: {error}") from error
                try:
                    target = await self._print_on(page, report)
                except Exception as error:
                    await _close_quietly(page)  # a page in an unknown state is not reused
                    raise PdfError(f"{report}: PDF not written: "
                                   f"{type(error).__name__}: {error}") from error
                self._state["free"].put_nowait(page)
                return target
        finally:
            self._state["tasks"].discard(task)

    async def _print_on(self, page, report: Path) -> Path:
        page.edubalance_allowed["folder"] = report.resolve().parent
        page.edubalance_allowed["document"] = (
            report.resolve(),
            _hidden_on_screen(print_html(report.read_text(encoding="utf-8"),
                                         print_fonts=True)).encode("utf-8"))
        await page.goto(report.resolve().as_uri())
        lang = await page.evaluate("document.documentElement.lang || 'zh'")
        data = await page.pdf(**_print_options(lang))
        target = report.with_suffix(".pdf")
        with atomic_target(target) as tmp:
            tmp.write_bytes(data)
        # The report's scripts stop and its document is dropped before the next one, in the
        # page itself: a navigation to about:blank would swap the page's renderer process (a
        # new process, its fonts loaded again, for every report: a third of a PDF's CPU).
        await page.evaluate(_QUIET)
        page.edubalance_allowed.update(folder=None, document=None)
        return target

    async def _shutdown(self, cancel: bool = False) -> None:
        import asyncio

        state = self._state
        tasks = [task for task in state.get("tasks", ()) if not task.done()]
        if cancel:
            for task in tasks:
                task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        if self._ready is not None:
            try:  # a launch still going on ends first
                await asyncio.wrap_future(self._ready)
            except Exception:  # noqa: BLE001 - said by every report's future
                pass
        if "browser" in state:
            # Killed, not asked to close: every PDF is written (by this process) and the
            # browser keeps nothing worth saving (its profile is a temporary folder). A polite
            # Browser.close took 0.15-0.2 s, at the end of a batch, before its index.
            await state.pop("browser").kill()


_MARGIN = {"top": 15, "bottom": 15, "left": 12, "right": 12}   # mm
_A4 = (8.27, 11.7)   # inches, as Playwright's format="A4" (and its mm: 3.78 px, 96 px an inch)


def _print_options(lang: str) -> dict:
    """``Page.printToPDF``'s parameters: A4, the margins, backgrounds, the footer in ``lang``."""
    return {"paperWidth": _A4[0], "paperHeight": _A4[1], "printBackground": True,
            "displayHeaderFooter": True, "headerTemplate": "<span></span>",
            "footerTemplate": page_footer(lang), "preferCSSPageSize": True,
            "generateTaggedPDF": False, "generateDocumentOutline": False,
            **{f"margin{side.title()}": mm * 3.78 / 96 for side, mm in _MARGIN.items()}}


_PRINT_VIEWPORT = {"width": round((210 - 12 - 12) / 25.4 * 96),     # A4 less the margins,
                   "height": round((297 - 15 - 15) / 25.4 * 96)}    # in CSS pixels

_QUIET = """(() => {
  window.stop();
  for (let id = setTimeout(() => {}, 0); id > 0; id--) { clearTimeout(id); clearInterval(id); }
  document.documentElement.replaceChildren();
})()"""

_WARM_UP = ('<html lang="zh"><head><style>body { font-family: "Edubalance CJK SC", sans-serif; }'
            "</style></head><body><p>评估报告 1</p><p><b>评估结论 2</b></p></body></html>")


async def _close_quietly(page) -> None:
    try:
        await page.close()
    except Exception:
        pass


PRINT_CSS = Path(__file__).with_name("templates") / "print-lab.css"
_NOTEBOOK_CSS = ("<!-- edubalance:notebook-css -->", "<!-- /edubalance:notebook-css -->")


@functools.lru_cache(maxsize=1)
def _print_css() -> str:
    return PRINT_CSS.read_text(encoding="utf-8")


def print_html(page: str, *, print_fonts: bool = False) -> str:
    """A report's page as it is printed, with the lean copy of JupyterLab's stylesheets.

    JupyterLab's stylesheets (about 260 KB, between the markers the report template writes)
    are replaced by ``templates/print-lab.css``, the rules of theirs that style a report (a
    fifth of a PDF's time went on styling the page with all of them), and what is never
    printed (between :data:`~edubalance.report.markup.SCREEN_ONLY` markers: the whole of a
    table split for print) is left out. A page without the markers (a report exported before
    them, any other HTML) is printed as it is.

    Parameters
    ----------
    page : str
        The HTML of a report as exported (``county_scoring.html``).
    print_fonts : bool, default False
        Also name the print font (:mod:`~edubalance.report.pdf_fonts`) for Chinese, as
        :class:`PdfPrinter` does, so that bold Chinese is printed with its bold face (as a
        subset font, not as Type3 paths).

    Returns
    -------
    str
        The HTML to print.

    Examples
    --------
    >>> print_html("<p>no markers</p>")
    '<p>no markers</p>'
    >>> page = print_html('<head><!-- edubalance:notebook-css --><style>.jp-X {}</style>'
    ...                   '<!-- /edubalance:notebook-css --></head>')
    >>> ".jp-X {}" in page, page.count("<style")
    (False, 1)
    """
    page = _without_screen_only(page)
    start = page.find(_NOTEBOOK_CSS[0])
    end = page.find(_NOTEBOOK_CSS[1], start + 1) if start >= 0 else -1
    if start < 0 or end < 0:
        return page
    return (page[:start] + '<style type="text/css">\n' + _print_css()
            + (_PRINT_FONTS if print_fonts else "") + "</style>"
            + page[end + len(_NOTEBOOK_CSS[1]):])


def _without_screen_only(page: str) -> str:
    """``page`` without what is never printed (between screen-only markers).

    The markers are :data:`~edubalance.report.markup.SCREEN_ONLY`; an unpaired marker and what
    follows it are kept.
    """
    from .markup import SCREEN_ONLY

    opening, closing = SCREEN_ONLY
    pieces, position = [], 0
    while (start := page.find(opening, position)) >= 0:
        end = page.find(closing, start + len(opening))
        if end < 0:
            break
        pieces.append(page[position:start])
        position = end + len(closing)
    return "".join(pieces) + page[position:] if pieces else page


_HIDDEN_ON_SCREEN = "<style>@media screen { html { display: none !important; } }</style>"


def _hidden_on_screen(page: str) -> str:
    """The page as the printer loads it: nothing shown (so nothing laid out) for the screen.

    Printing uses the print media, where the page is as written: the same PDF, without the
    layouts a shown page costs when it loads and again after it is printed.
    """
    head = page.find("</head>")
    at = head if head >= 0 else 0
    return page[:at] + _HIDDEN_ON_SCREEN + page[at:]


# Chinese from the print font by name (edubalance.report.pdf_fonts), and so from its bold face
# where the text is bold: a font found by fallback is always the regular one, made bold by
# Chromium, which a PDF holds as Type3 paths. Latin text keeps the fonts before it.
_PRINT_FONTS = """
:root { --jp-content-font-family: system-ui, -apple-system, blinkmacsystemfont, 'Segoe UI',
  helvetica, arial, 'Edubalance CJK SC', sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji',
  'Segoe UI Symbol'; }
html body { font-family: 'Edubalance CJK SC', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif; }
"""


def _file_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL (resolved), else None."""
    if not url.startswith("file:"):
        return None
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        return Path(unquote(parts.path)).resolve()
    except (OSError, ValueError):
        return None


def _allowed(url: str, folder: Path | None) -> bool:
    """Whether a page printing a report in ``folder`` may load ``url``.

    No network, and no local file outside the report's folder (data:, blob: and about: are
    in the page).
    """
    if url.startswith(("data:", "blob:", "about:")):
        return True
    if not url.startswith("file:") or folder is None:
        return False
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return False
    try:
        return Path(unquote(parts.path)).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


def chromium_font_env(folder: Path) -> dict[str, str]:
    """Environment giving Chromium the CJK font the figures use (bundled by ``mplfonts``).

    Without a CJK font Chinese prints as empty boxes and the PDF holds no Chinese text; the
    machine's own fonts stay available (the system configuration is included). Chinese is
    printed with a TrueType build of the figures' font (:mod:`~edubalance.report.pdf_fonts`),
    which a PDF embeds as a subset font (text that extracts as it reads), built once into the
    durable font cache with fontconfig's cache beside it: a launch scans no font folder.

    Parameters
    ----------
    folder : Path
        A private folder, used only when neither the durable font cache nor the temporary
        folder can be written (the font and caches are then built there, for this browser).

    Returns
    -------
    dict
        Environment variables for Chromium (empty when the font is not installed).
    """
    from .pdf_fonts import cjk_font_path, print_font_folder

    try:  # not through report.plotting: it imports matplotlib (0.5 core-s, batch --pdf)
        source = cjk_font_path()
    except (ImportError, FileNotFoundError):
        return {}
    import tempfile

    fonts = None
    for root in (None, Path(tempfile.gettempdir()) / f"edubalance-fonts-{os.getuid()}", folder):
        try:  # the user's cache; if read-only, the temporary folder's; else this browser's own
            fonts = print_font_folder(source, root=root)
            break
        except OSError:
            if root == folder:
                raise
    return {"FONTCONFIG_FILE": str(fonts / "fonts.conf")}


_FOOTER_STYLE = ("width: 100%; text-align: center; font-size: 8.5pt; color: #444; "
                 "font-family: 'Edubalance CJK SC', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', "
                 "'Microsoft YaHei', sans-serif;")


def page_footer(lang: str = "zh") -> str:
    """The footer Chromium prints on every PDF page: 第 N 页 / 共 M 页 (Page N of M).

    Chromium fills the ``pageNumber`` and ``totalPages`` elements; the words come from the
    message catalogue (``report.pdf_footer``) in ``lang`` (the report's ``<html lang>``;
    anything but ``en`` is Chinese). No URL, no date: only the page number.

    Parameters
    ----------
    lang : str, default "zh"
        The report's language.

    Returns
    -------
    str
        HTML of Chromium's footer template.

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
    import sys

    reports = [Path(p) for p in args.reports]
    missing = [str(p) for p in reports if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"report(s) not found: {', '.join(missing)}")
    failed = 0
    with PdfPrinter(args.chromium, pages=args.pages) as printer:
        futures = [printer.submit(report) for report in reports]
        for future in futures:  # in the order given, each as soon as it is written
            try:
                print(future.result(), flush=True)
            except PdfError as error:
                failed += 1
                print(f"edubalance pdf: {error}", file=sys.stderr)
    return 1 if failed else 0


def register_cli(subparsers) -> None:
    """Add ``edubalance pdf REPORT.html ...``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``edubalance`` command's subcommands (``parser.add_subparsers()``).

    Returns
    -------
    None
    """
    parser = subparsers.add_parser(
        "pdf", help="print HTML reports to PDF (headless Chromium)",
        description="Write <report>.pdf beside each HTML report, printed to A4 by headless "
                    f"Chromium ({HEADLESS_SHELL} if installed, else {DEFAULT_CHROMIUM}, or "
                    f"${CHROMIUM_ENV}).")
    parser.add_argument("reports", nargs="+", metavar="REPORT.html")
    parser.add_argument("--chromium", default=None, help="path of the Chromium executable")
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, metavar="N",
                        help=f"reports printed at a time by the one browser (default "
                             f"{DEFAULT_PAGES})")
    parser.set_defaults(func=_handle_pdf)
