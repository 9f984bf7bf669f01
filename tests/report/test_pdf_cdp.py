"""The printer drives Chromium itself, over the DevTools pipe (``report._cdp``, issue 29).

No Playwright and no Node.js driver in a printing process (the driver's start was 0.5-0.7 of
the 1.1 core-s a launch cost); the PDFs are printed with the parameters Playwright gave
Chromium (A4, its margins, no tagged PDF: the same bytes but for the date); a browser that
cannot start says why (its standard error), one that stops answering fails the reports after
the printer's timeout instead of hanging, and a crashed page is replaced.
"""
from __future__ import annotations

import asyncio
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

import edubalance as eb
from edubalance.report import _cdp
from helpers import run_python


def _report(folder: Path, county: str = "灵武市") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "county_scoring.html"
    path.write_text(f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"></head>'
                    f"<body><h1>{county}评估报告</h1><p>正文</p></body></html>", encoding="utf-8")
    return path


def _fake_browser(tmp_path: Path, body: str) -> Path:
    """An executable speaking the DevTools pipe protocol as ``body`` (Python) says."""
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent("""\
        import json, os, sys
        commands, answers = os.fdopen(3, "rb", buffering=0), os.fdopen(4, "wb", buffering=0)
        def messages():
            buffer = b""
            while True:
                chunk = commands.read(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\\0" in buffer:
                    message, buffer = buffer.split(b"\\0", 1)
                    yield json.loads(message)
        def answer(message, result=None):
            answers.write(json.dumps({"id": message["id"], "result": result or {}}).encode()
                          + b"\\0")
        """) + textwrap.dedent(body), encoding="utf-8")
    script.chmod(0o755)
    return script


def test_print_options_are_playwrights_a4_margins_and_no_tagged_pdf():
    options = eb.report.pdf._print_options("en")
    assert (options["paperWidth"], options["paperHeight"]) == (8.27, 11.7)  # format="A4"
    assert options["marginTop"] == options["marginBottom"] == pytest.approx(15 * 3.78 / 96)
    assert options["marginLeft"] == options["marginRight"] == pytest.approx(12 * 3.78 / 96)
    assert options["printBackground"] and options["preferCSSPageSize"]
    assert options["displayHeaderFooter"] and "Page" in options["footerTemplate"]
    # Chromium's default is a tagged PDF: three times the bytes, and its CPU
    assert options["generateTaggedPDF"] is False and options["generateDocumentOutline"] is False


def test_check_ready_needs_no_playwright(monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "playwright" else find_spec(name, *a))
    assert eb.report.pdf.check_ready("/bin/sh") == Path("/bin/sh")


def test_a_browser_that_cannot_start_says_why(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'Missing X server or $DISPLAY' >&2\nexit 1\n")
    fake.chmod(0o755)
    report = _report(tmp_path / "a")
    with pytest.raises(eb.report.pdf.PdfError,
                       match=r"Chromium could not be started.*Missing X server"):
        eb.report.pdf.write_pdfs([report], executable=fake)
    assert not report.with_suffix(".pdf").exists()


def test_a_browser_that_stops_answering_fails_each_report_after_the_timeout(tmp_path):
    fake = _fake_browser(tmp_path, """\
        for message in messages():
            if message["method"] == "Browser.getVersion":
                answer(message, {"product": "Fake/1"})
            # anything else: no answer, ever (Browser.close included)
        """)
    reports = [_report(tmp_path / "a"), _report(tmp_path / "b", "西吉县")]
    printer = eb.report.pdf.PdfPrinter(fake, pages=1, timeout=0.5).start()
    printer.wait_ready()
    futures = [printer.submit(report) for report in reports]
    for future, report in zip(futures, reports, strict=True):
        with pytest.raises(eb.report.pdf.PdfError, match=str(report.parent)):
            future.result(timeout=30)
        assert not report.with_suffix(".pdf").exists()
    pid = printer._state["browser"].pid
    printer.close()  # does not hang: the browser is killed when Browser.close is not answered
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_protocol_survives_large_messages_both_ways(tmp_path):
    """A report of a megabyte goes to Chromium in one command (the pipe takes 64 KB at a
    time); answers arrive in pieces and several to a read."""
    fake = _fake_browser(tmp_path, """\
        for message in messages():
            if message["method"] == "Echo":
                text = message["params"]["text"]
                answer(message, {"length": len(text), "tail": text[-5:]})
                answer(message, {"twice": True})  # a second answer to one id is ignored
            else:
                answer(message, {"product": "Fake/1"})
        """)

    async def exchange():
        browser = await _cdp.Browser.launch(fake, folder=tmp_path, timeout=10)
        try:
            text = "县" * 500_000 + "end!!"
            answers = await asyncio.gather(*(browser.send("Echo", {"text": text})
                                             for _ in range(3)))
        finally:
            await browser.kill()
        return answers

    assert asyncio.run(exchange()) == [{"length": 500_005, "tail": "end!!"}] * 3


@pytest.mark.browser
def test_printing_starts_no_node_driver_and_imports_no_playwright(tmp_path):
    report = _report(tmp_path / "a")
    code = ("import sys, edubalance.report.pdf as pdf; "
            "[path] = pdf.write_pdfs([sys.argv[1]]); "
            "print(path.stat().st_size > 0, 'playwright' in sys.modules)")
    done = run_python(code, str(report), check=True)
    assert done.stdout.split() == ["True", "False"]


@pytest.mark.browser
def test_a_crashed_page_fails_its_report_and_the_next_report_gets_a_new_page(tmp_path):
    reports = [_report(tmp_path / "a"), _report(tmp_path / "b", "西吉县")]
    with eb.report.pdf.PdfPrinter(pages=1, warm=True) as printer:
        printer.wait_ready()
        page = printer._state["free"]._queue[0]
        asyncio.run_coroutine_threadsafe(page._command("Page.crash"),
                                         printer._loop).exception(timeout=30)
        with pytest.raises(eb.report.pdf.PdfError, match=r"灵武市|/a/"):
            printer.submit(reports[0]).result(timeout=60)
        assert printer.submit(reports[1]).result(timeout=60) == reports[1].with_suffix(".pdf")
    assert not reports[0].with_suffix(".pdf").exists()


@pytest.mark.browser
def test_no_chromium_process_is_left_after_close(tmp_path):
    with eb.report.pdf.PdfPrinter(pages=1) as printer:
        printer.submit(_report(tmp_path / "a")).result(timeout=60)
        group = printer._state["browser"].pid
        members = [pid for pid in os.listdir("/proc") if pid.isdigit()
                   and _group_of(pid) == group]
        assert len(members) >= 3  # the browser, its zygote, a renderer...
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and _group_of(pid) == group]


def _group_of(pid: str) -> int | None:
    """The process group of a live process (None: gone, or a zombie waiting to be reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return None if fields[0] == "Z" else int(fields[2])
    except (OSError, ValueError, IndexError):
        return None


def _undated(pdf: bytes) -> bytes:
    return re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", pdf)


@pytest.mark.browser
def test_a_hidden_page_prints_the_same_pdf_as_a_visible_one(tmp_path):
    """The printer's pages are hidden (window minimised: no frame drawn for a screen, a
    seventh of a report's CPU); the PDF is the same, byte for byte but for its dates."""
    rows = "".join(f"<tr><td>第{i}所学校</td><td style='background:#f4a683'>{i}</td></tr>"
                   for i in range(150))
    report = tmp_path / "r.html"
    report.write_text(f'<html lang="zh"><body><h1>兴庆区</h1><table>{rows}</table></body></html>',
                      encoding="utf-8")
    options = eb.report.pdf._print_options("zh")

    async def print_both():
        browser = await _cdp.Browser.launch(eb.report.pdf.find_chromium(),
                                            eb.report.pdf._ARGS, folder=tmp_path, timeout=60)
        try:
            printed = {}
            for hidden in (False, True):
                page = await browser.new_page(eb.report.pdf._PRINT_VIEWPORT, 60, hidden=hidden)
                page.router = lambda url: True
                await page.goto(report.as_uri())
                printed[hidden] = (await page.evaluate("document.visibilityState"),
                                   await page.pdf(**options))
                await page.close()
        finally:
            await browser.close()
        return printed

    printed = asyncio.run(print_both())
    assert (printed[False][0], printed[True][0]) == ("visible", "hidden")
    assert printed[True][1].startswith(b"%PDF-")
    assert _undated(printed[True][1]) == _undated(printed[False][1])


@pytest.mark.browser
def test_the_printers_pages_are_hidden(tmp_path):
    with eb.report.pdf.PdfPrinter(pages=1, warm=True) as printer:
        printer.wait_ready()
        page = printer._state["free"]._queue[0]
        state = asyncio.run_coroutine_threadsafe(page.evaluate("document.visibilityState"),
                                                 printer._loop).result(timeout=30)
        assert state == "hidden"


@pytest.mark.browser
def test_no_request_of_a_page_reaches_the_network_websockets_included(tmp_path, pdf_printer):
    """The pages' routing sees no WebSocket (nor did Playwright's): Chromium itself has no
    network (a proxy that resolves to nothing, loopback included)."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"127.0.0.1:{server.server_address[1]}"
    try:
        report = _report(tmp_path / "a")
        report.write_text(
            f'<html lang="zh"><body><p>灵武市</p><iframe src="http://{base}/frame"></iframe>'
            f'<img src="http://{base}/img"><script>fetch("http://{base}/fetch").catch(() => 0);'
            f'new WebSocket("ws://{base}/ws"); new WebSocket("ws://localhost:'
            f'{server.server_address[1]}/ws2");</script></body></html>', encoding="utf-8")
        assert pdf_printer.submit(report).result(timeout=60).is_file()
        import time

        time.sleep(0.5)  # a WebSocket connects asynchronously
    finally:
        server.shutdown()
    assert hits == []


def test_what_is_never_printed_is_left_out_of_the_printed_page():
    import pandas as pd

    split = eb.report.tables.Table(
        pd.DataFrame({"学校": ["甲校", "乙校"], **{f"指标{j}": [0.5, 0.7] for j in range(9)}}),
        caption="各校指标", print_columns=4).to_html()
    page = ("<html><head><!-- edubalance:notebook-css --><style>.jp-X {}</style>"
            f"<!-- /edubalance:notebook-css --></head><body>{split}</body></html>")
    printed = eb.report.pdf.print_html(page)
    assert page.count('class="eb-table eb-screen') == 1
    assert printed.count('class="eb-table eb-screen') == 0
    parts = page.count('class="eb-table eb-print-part')
    assert parts >= 2 and printed.count('class="eb-table eb-print-part') == parts
    assert printed.count("<table ") == parts and eb.report.tables.PRINT_PARTS_CSS in printed
    # A marker without its pair leaves the page as it is.
    opening = eb.report.markup.SCREEN_ONLY[0]
    assert eb.report.pdf.print_html(f"<p>a</p>{opening}<p>b</p>") == f"<p>a</p>{opening}<p>b</p>"
    hidden = eb.report.pdf._hidden_on_screen(printed)
    assert hidden.index("@media screen { html { display: none") < hidden.index("</head>")
    assert hidden.replace(eb.report.pdf._HIDDEN_ON_SCREEN, "") == printed


@pytest.mark.browser
def test_the_printer_prints_what_a_shown_page_in_print_media_prints(tmp_path):
    """The printer loads a report hidden for the screen, without its screen-only tables:
    the PDF is the one the whole page gives in print media, byte for byte but for its dates."""
    import pandas as pd

    frame = pd.DataFrame({"学校": [f"兴庆区第{i}小学" for i in range(40)],
                          **{f"指标{j}": [0.4 + (i * j % 17) / 20 for i in range(40)]
                             for j in range(9)}})
    table = eb.report.tables.Table(
        frame, {f"指标{j}": "pct" for j in range(9)}, caption="各校指标",
        shading={"指标1": eb.report.tables.percent_shading(frame["指标1"].to_numpy())},
        print_columns=4)
    page = ('<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
            "<!-- edubalance:notebook-css --><style>.jp-X { color: red; }</style>"
            "<!-- /edubalance:notebook-css --></head><body><h1>兴庆区评估报告</h1>"
            f"{table.to_html()}<p><b>结论</b>：待定</p></body></html>")
    report = tmp_path / "new" / "county_scoring.html"
    report.parent.mkdir()
    report.write_text(page, encoding="utf-8")
    markers = eb.report.markup.SCREEN_ONLY
    whole = eb.report.pdf.print_html(page.replace(markers[0], "").replace(markers[1], ""),
                                     print_fonts=True)
    assert "eb-screen" in whole

    with eb.report.pdf.PdfPrinter(pages=1) as printer:
        new = printer.submit(report).result(timeout=120).read_bytes()

        async def shown_in_print_media():
            page_ = await printer._state["browser"].new_page(eb.report.pdf._PRINT_VIEWPORT, 60,
                                                             hidden=True)
            await page_.emulate_media("print")
            page_.router = lambda url: ("text/html; charset=utf-8", whole.encode("utf-8")) \
                if url.endswith("/old.html") else None
            await page_.goto((tmp_path / "old.html").as_uri())
            data = await page_.pdf(**eb.report.pdf._print_options("zh"))
            await page_.close()
            return data

        old = asyncio.run_coroutine_threadsafe(shown_in_print_media(),
                                               printer._loop).result(timeout=120)
    assert new.startswith(b"%PDF-") and _undated(new) == _undated(old)


def test_a_browser_launched_nicer_runs_at_that_niceness(tmp_path):
    fake = _fake_browser(tmp_path, """\
        for message in messages():
            answer(message, {"product": "Fake/1", "nice": os.nice(0)})
        """)

    async def niceness(added):
        browser = await _cdp.Browser.launch(fake, folder=tmp_path, timeout=10, niceness=added)
        try:
            answered = await browser.send("Browser.getVersion")
            return answered["nice"], os.getpriority(os.PRIO_PROCESS, browser.pid)
        finally:
            await browser.kill()

    own = os.nice(0)
    assert asyncio.run(niceness(0)) == (own, own)
    # The launched process itself (its pid: nice execs it), not a wrapper around it.
    assert asyncio.run(niceness(7)) == (min(own + 7, 19),) * 2


@pytest.mark.browser
def test_the_renderers_of_a_nicer_printer_print_at_its_niceness(tmp_path):
    """The renderers lay out and print the reports: they run at the printer's niceness.
    (Chromium itself raises some threads of its own, its browser's main thread and the GPU
    process's, where it may: as root, to -8.)"""
    own = os.nice(0)
    with eb.report.pdf.PdfPrinter(pages=1, niceness=5) as printer:
        printer.submit(_report(tmp_path / "a")).result(timeout=60)
        group = printer._state["browser"].pid
        renderers = [int(pid) for pid in os.listdir("/proc") if pid.isdigit()
                     and _group_of(pid) == group
                     and b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert renderers
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in renderers} == \
            {min(own + 5, 19)}
