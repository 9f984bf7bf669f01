"""A headless Chromium driven over the DevTools protocol on a pipe, without Playwright.

What :class:`~edubalance.report.pdf.PdfPrinter` needs of a browser and nothing else: launch
Chromium with ``--remote-debugging-pipe`` (messages are JSON, each ended by a NUL byte, read
from file descriptor 3 and written to 4), open pages, route their requests, load a page,
evaluate an expression and print to PDF. Playwright did the same through its Node.js driver,
a process of its own whose start cost more CPU than Chromium's (0.5-0.7 of about 1.1 core-s a
launch) and which relayed every message.

Everything runs on one asyncio event loop (the printer's thread).
"""
from __future__ import annotations

import asyncio
import base64
import fcntl
import itertools
import json
import os
import shutil
import signal
from pathlib import Path
from typing import Any, Callable

# Chromium as Playwright launched it, less what only matters to a browser someone uses (what
# changes a printed page is kept: sRGB colours, no scrollbars, the automation defaults).
LAUNCH_ARGS = (
    "--disable-field-trial-config", "--disable-background-networking",
    "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
    "--disable-back-forward-cache", "--disable-breakpad",
    "--disable-component-extensions-with-background-pages", "--disable-component-update",
    "--no-default-browser-check", "--disable-default-apps", "--disable-dev-shm-usage",
    "--disable-extensions", "--disable-hang-monitor", "--disable-ipc-flooding-protection",
    "--disable-popup-blocking", "--disable-prompt-on-repost", "--disable-renderer-backgrounding",
    "--force-color-profile=srgb", "--metrics-recording-only", "--no-first-run",
    "--password-store=basic", "--use-mock-keychain", "--no-service-autorun",
    "--disable-search-engine-choice-screen", "--disable-sync", "--headless",
    "--hide-scrollbars", "--mute-audio", "--no-sandbox",
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,"
    "availablePointerTypes=4",
)
# Playwright's default fonts of a headless page on Linux (Page.setFontFamilies): the same
# fonts as before for text whose stylesheet names none or only a generic family.
FONT_FAMILIES = {"standard": "Times New Roman", "fixed": "Monospace",
                 "serif": "Times New Roman", "sansSerif": "Arial",
                 "cursive": "Comic Sans MS", "fantasy": "Impact"}


class CdpError(RuntimeError):
    """A DevTools command failed, or the browser (or the page) went away."""


def _high_fd(fd: int) -> int:
    """``fd`` duplicated to a descriptor above 10 (close-on-exec), ``fd`` closed."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One Chromium process and its DevTools connection (see :meth:`launch`)."""

    def __init__(self, pid: int, reader: int, writer: int, log: Path) -> None:
        self.pid = pid
        self.log = log
        self._reader = reader
        self._writer = writer
        self._loop = asyncio.get_running_loop()
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[asyncio.Future, str | None]] = {}
        self._listeners: dict[tuple[str | None, str], list[Callable[[dict], Any]]] = {}
        self._buffer = bytearray()
        self._out = bytearray()
        self._closed: str | None = None
        self.exit_code: int | None = None
        os.set_blocking(reader, False)
        os.set_blocking(writer, False)
        self._loop.add_reader(reader, self._readable)

    @classmethod
    async def launch(cls, executable: str | os.PathLike, args=(), *, env: dict | None = None,
                     folder: Path, timeout: float = 60.0, niceness: int = 0) -> Browser:
        """Start Chromium (its profile and log in ``folder``); return once it answers.

        Parameters
        ----------
        executable : str or path
            The Chromium (or headless shell) executable.
        args : sequence of str
            Command-line switches besides :data:`LAUNCH_ARGS`.
        env : dict, optional
            Its environment (default this process's).
        folder : Path
            A private folder: Chromium's profile and its standard error (``chromium.log``).
        timeout : float
            Seconds allowed for the browser to answer.
        niceness : int, default 0
            Added to the browser's niceness (``nice -n``), and so to its renderers': a
            positive value lets other work of this machine go first (Chromium itself raises
            a few threads of its own where it may). Ignored where there is no ``nice``
            command.

        Returns
        -------
        Browser
        """
        commands_read, commands_write = (_high_fd(fd) for fd in os.pipe())
        answers_read, answers_write = (_high_fd(fd) for fd in os.pipe())
        log = folder / "chromium.log"
        log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        argv = [str(executable), *LAUNCH_ARGS, *args, f"--user-data-dir={folder / 'profile'}",
                "--remote-debugging-pipe", "about:blank"]
        program = str(executable)
        nice = shutil.which("nice") if niceness else None
        if nice:  # exec'd by nice: the same process, its children niced from their start
            program, argv = nice, [nice, "-n", str(int(niceness)), *argv]
        try:
            pid = os.posix_spawn(program, argv, dict(os.environ if env is None else env),
                                 file_actions=[
                                     (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                     (os.POSIX_SPAWN_DUP2, log_fd, 1),
                                     (os.POSIX_SPAWN_DUP2, log_fd, 2),
                                     (os.POSIX_SPAWN_DUP2, commands_read, 3),
                                     (os.POSIX_SPAWN_DUP2, answers_write, 4)],
                                 setpgroup=0)
        except OSError:
            for fd in (commands_read, commands_write, answers_read, answers_write):
                os.close(fd)
            raise
        finally:
            os.close(log_fd)
        os.close(commands_read)
        os.close(answers_write)
        browser = cls(pid, answers_read, commands_write, log)
        try:
            await asyncio.wait_for(browser.send("Browser.getVersion"), timeout)
        except BaseException as error:
            await browser.kill()
            if isinstance(error, (asyncio.TimeoutError, CdpError)):
                raise CdpError(f"{executable} did not start{browser._log_tail()}") from None
            raise
        return browser

    # ------------------------------------------------------------------ the connection
    def _readable(self) -> None:
        try:
            data = os.read(self._reader, 1 << 20)
        except BlockingIOError:
            return
        except OSError as error:
            data, self._closed = b"", f"{type(error).__name__}: {error}"
        if not data:
            self._disconnected()
            return
        self._buffer += data
        while True:
            end = self._buffer.find(b"\0")
            if end < 0:
                break
            message = json.loads(self._buffer[:end])
            del self._buffer[:end + 1]
            self._dispatch(message)

    def _dispatch(self, message: dict) -> None:
        if "id" in message:
            future, _ = self._pending.pop(message["id"], (None, None))
            if future is None or future.done():
                return
            if "error" in message:
                error = message["error"]
                future.set_exception(CdpError(f"{error.get('message')} ({error.get('code')})"))
            else:
                future.set_result(message.get("result", {}))
            return
        for listener in list(self._listeners.get((message.get("sessionId"),
                                                  message.get("method")), ())):
            listener(message.get("params", {}))

    def _disconnected(self) -> None:
        self._loop.remove_reader(self._reader)
        self._closed = self._closed or "Chromium closed the connection"
        for future, _ in self._pending.values():
            if not future.done():
                future.set_exception(CdpError(self._closed + self._log_tail()))
        self._pending.clear()

    def _log_tail(self) -> str:
        try:
            lines = [line for line in self.log.read_text(errors="replace").splitlines()
                     if line.strip()]
        except OSError:
            return ""
        return (": " + " | ".join(lines[-3:])[-400:]) if lines else ""

    def _write(self) -> None:
        try:
            written = os.write(self._writer, self._out)
        except BlockingIOError:
            written = 0
        except OSError:
            self._out.clear()
            self._loop.remove_writer(self._writer)
            return
        del self._out[:written]
        if not self._out:
            self._loop.remove_writer(self._writer)

    def send(self, method: str, params: dict | None = None,
             session: str | None = None) -> asyncio.Future:
        """Send a command; the future's result is its ``result`` (:class:`CdpError` if not).

        Parameters
        ----------
        method : str
            ``Domain.command``.
        params : dict, optional
            Its parameters.
        session : str, optional
            The page's session (``None``: the browser).

        Returns
        -------
        asyncio.Future
        """
        future = self._loop.create_future()
        if self._closed:
            future.set_exception(CdpError(self._closed))
            return future
        number = next(self._ids)
        message = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._pending[number] = (future, session)
        pending = bool(self._out)
        self._out += json.dumps(message, ensure_ascii=False).encode() + b"\0"
        if not pending:
            self._write()
            if self._out:
                self._loop.add_writer(self._writer, self._write)
        return future

    def on(self, session: str | None, method: str, listener: Callable[[dict], Any]) -> None:
        """Call ``listener(params)`` on every event ``method`` of ``session``.

        Parameters
        ----------
        session : str or None
            The page's session (``None``: the browser).
        method : str
            ``Domain.event``.
        listener : callable
        """
        self._listeners.setdefault((session, method), []).append(listener)

    def fail_session(self, session: str, reason: str) -> None:
        """Fail the commands still waiting for an answer in ``session`` (its page is gone).

        Parameters
        ----------
        session : str
        reason : str
        """
        for number, (future, owner) in list(self._pending.items()):
            if owner == session:
                del self._pending[number]
                if not future.done():
                    future.set_exception(CdpError(reason))
        for key in [key for key in self._listeners if key[0] == session]:
            del self._listeners[key]

    # ------------------------------------------------------------------ pages, the end
    async def new_page(self, viewport: dict, timeout: float, hidden: bool = False) -> Page:
        """A page of its own (a new browser context, as Playwright's ``browser.new_page``).

        Parameters
        ----------
        viewport : dict
            ``width`` and ``height`` in CSS pixels.
        timeout : float
            Seconds allowed for any one load or print on it.
        hidden : bool, default False
            Minimise its window: the page is hidden (``document.visibilityState``), so Chromium
            draws no frame of it on screen (it still loads, lays out and prints as before).

        Returns
        -------
        Page
        """
        async with asyncio.timeout(timeout):
            context = (await self.send("Target.createBrowserContext",
                                       {"disposeOnDetach": True}))["browserContextId"]
            target = (await self.send("Target.createTarget", {"url": "about:blank",
                                                              "browserContextId": context}))
            session = (await self.send("Target.attachToTarget", {
                "targetId": target["targetId"], "flatten": True}))["sessionId"]
            page = Page(self, session, target["targetId"], context, timeout)
            await page._setup(viewport)
            if hidden:
                window = (await self.send("Browser.getWindowForTarget",
                                          {"targetId": target["targetId"]}))["windowId"]
                await self.send("Browser.setWindowBounds", {
                    "windowId": window, "bounds": {"windowState": "minimized"}})
        return page

    async def close(self, timeout: float = 10.0) -> None:
        """Close the browser (``Browser.close``), killing it if it does not exit in time.

        Whatever of its processes is left once it has exited (a zygote that outlived it) is
        killed.

        Parameters
        ----------
        timeout : float
            Seconds allowed for it to answer and to exit.
        """
        closed = False
        if not self._closed:
            try:
                await asyncio.wait_for(self.send("Browser.close"), timeout)
                closed = True
            except (CdpError, asyncio.TimeoutError):
                pass
        if closed and await self._wait(timeout):
            self._kill_group()  # the stragglers
            self._shut()
        else:
            await self.kill()

    async def kill(self) -> None:
        """Kill Chromium and every process it started (its process group)."""
        self._kill_group()
        await self._wait(10.0)
        self._shut()

    def _kill_group(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    async def _wait(self, timeout: float) -> bool:
        """Whether the browser process has exited (reaped) within ``timeout`` seconds."""
        deadline = self._loop.time() + timeout
        while self.exit_code is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.exit_code = -1
                break
            if pid:
                self.exit_code = os.waitstatus_to_exitcode(status)
                break
            if self._loop.time() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    def _shut(self) -> None:
        if self._reader >= 0:
            self._loop.remove_reader(self._reader)
            self._loop.remove_writer(self._writer)
            for fd in (self._reader, self._writer):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._reader = self._writer = -1
        self._closed = self._closed or "Chromium was closed"
        self._disconnected_quietly()

    def _disconnected_quietly(self) -> None:
        for future, _ in self._pending.values():
            if not future.done():
                future.set_exception(CdpError(self._closed))
        self._pending.clear()


class Page:
    """A page of :class:`Browser`: route, load, evaluate, print (:meth:`Browser.new_page`)."""

    def __init__(self, browser: Browser, session: str, target: str, context: str,
                 timeout: float) -> None:
        self.browser = browser
        self.session = session
        self.target = target
        self.context = context
        self.timeout = timeout
        self.router: Callable[[dict], Any] | None = None
        self.crashed: str | None = None
        self._load: asyncio.Future | None = None

    def _send(self, method: str, params: dict | None = None) -> asyncio.Future:
        if self.crashed:
            future = self.browser._loop.create_future()
            future.set_exception(CdpError(self.crashed))
            return future
        return self.browser.send(method, params, self.session)

    async def _command(self, method: str, params: dict | None = None) -> dict:
        return await asyncio.wait_for(self._send(method, params), self.timeout)

    async def _setup(self, viewport: dict) -> None:
        browser, session = self.browser, self.session
        browser.on(session, "Page.loadEventFired", self._loaded)
        browser.on(session, "Fetch.requestPaused", self._paused)
        browser.on(session, "Inspector.targetCrashed", lambda _: self._crash("the page crashed"))
        browser.on(None, "Target.detachedFromTarget",
                   lambda params: params.get("sessionId") == session
                   and self._crash("the page was closed"))
        await asyncio.gather(
            self._command("Page.enable"), self._command("Inspector.enable"),
            self._command("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}),
            self._command("Emulation.setDeviceMetricsOverride", {
                "width": viewport["width"], "height": viewport["height"],
                "deviceScaleFactor": 1, "mobile": False, "screenWidth": viewport["width"],
                "screenHeight": viewport["height"]}),
            self._command("Page.setFontFamilies", {"fontFamilies": FONT_FAMILIES}))

    def _crash(self, reason: str) -> None:
        self.crashed = reason
        if self._load is not None and not self._load.done():
            self._load.set_exception(CdpError(reason))
        self.browser.fail_session(self.session, reason)

    def _loaded(self, _params: dict) -> None:
        if self._load is not None and not self._load.done():
            self._load.set_result(None)

    def _paused(self, params: dict) -> None:
        request = params["requestId"]
        verdict = self.router(params["request"]["url"]) if self.router else None
        if verdict is None:
            self._send("Fetch.failRequest", {"requestId": request, "errorReason": "Failed"})
        elif verdict is True:
            self._send("Fetch.continueRequest", {"requestId": request})
        else:
            content_type, body = verdict
            self._send("Fetch.fulfillRequest", {
                "requestId": request, "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": content_type}],
                "body": base64.b64encode(body).decode("ascii")})

    async def emulate_media(self, media: str) -> None:
        """Lay the page out for ``media`` (``"print"``).

        Parameters
        ----------
        media : str
        """
        await self._command("Emulation.setEmulatedMedia", {"media": media})

    async def goto(self, url: str) -> None:
        """Load ``url`` and wait for its ``load`` event (:class:`CdpError` if it failed).

        Parameters
        ----------
        url : str
        """
        self._load = self.browser._loop.create_future()
        try:
            async with asyncio.timeout(self.timeout):
                result = await self._send("Page.navigate", {"url": url})
                if result.get("errorText"):
                    raise CdpError(f"{url}: {result['errorText']}")
                await self._load
        finally:
            self._load = None

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if it is a promise).

        Parameters
        ----------
        expression : str

        Returns
        -------
        object
            Its value, as JSON gives it.
        """
        result = await self._command("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise CdpError(details.get("exception", {}).get("description")
                           or details.get("text", "JavaScript error"))
        return result.get("result", {}).get("value")

    async def pdf(self, **options) -> bytes:
        """The page printed to PDF (``Page.printToPDF`` with ``options``).

        Parameters
        ----------
        **options
            ``Page.printToPDF``'s parameters (paper and margins in inches).

        Returns
        -------
        bytes
        """
        result = await self._command("Page.printToPDF", options)
        return base64.b64decode(result["data"])

    async def close(self) -> None:
        """Close the page and its browser context."""
        self.router = None
        try:
            await asyncio.wait_for(self.browser.send("Target.disposeBrowserContext",
                                                     {"browserContextId": self.context}), 10)
        except (CdpError, asyncio.TimeoutError):
            pass
