"""Which Chromium prints PDFs (issue 29): Debian's ``chromium-headless-shell`` when installed.

The headless shell (Chromium's old headless mode) prints the same pages as the full browser
for about half its CPU, so ``find_chromium`` prefers it, falls back to ``/usr/bin/chromium``,
and an explicit executable or ``$EDUBALANCE_CHROMIUM`` still wins. The browser test prints one
report with both and compares what a reader gets: pages, their size, text, footer, fonts.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import edubalance as eb

pdf = eb.report.pdf


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Stand-ins for the two Debian browsers (executables in ``tmp_path``), none by default."""
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    paths = {"shell": tmp_path / "chromium-headless-shell", "full": tmp_path / "chromium"}
    monkeypatch.setattr(pdf, "HEADLESS_SHELL", str(paths["shell"]))
    monkeypatch.setattr(pdf, "DEFAULT_CHROMIUM", str(paths["full"]))

    def install(*names: str) -> dict[str, Path]:
        for name in names:
            paths[name].write_text("#!/bin/sh\n", encoding="utf-8")
            paths[name].chmod(0o755)
        return paths

    return install


def test_the_headless_shell_is_preferred_when_installed(installed):
    paths = installed("shell", "full")
    assert pdf.find_chromium() == paths["shell"]
    assert pdf.check_ready() == paths["shell"]


def test_the_full_browser_is_the_fallback(installed):
    paths = installed("full")
    assert pdf.find_chromium() == paths["full"]


def test_an_explicit_browser_or_the_environment_wins(installed, monkeypatch, tmp_path):
    paths = installed("shell", "full")
    assert pdf.find_chromium(paths["full"]) == paths["full"]
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(paths["full"]))
    assert pdf.find_chromium() == paths["full"]
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(pdf.BrowserMissingError, match="nowhere"):
        pdf.find_chromium()


def test_no_browser_says_how_to_install_the_headless_shell(installed):
    installed()
    with pytest.raises(pdf.BrowserMissingError, match="apt-get install chromium-headless-shell"):
        pdf.find_chromium()


def _report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"<tr><td>灵武市第{i}所学校</td><td><b>达标{i * 7}</b></td></tr>"
                   for i in range(120))
    path = folder / "county_scoring.html"
    path.write_text('<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
                    "<title>灵武市</title><style>body { font-family: 'Edubalance CJK SC'; }"
                    "</style></head><body><h1>灵武市评估报告</h1>"
                    f"<table>{rows}</table></body></html>", encoding="utf-8")
    return path


def _read(path: Path) -> dict:
    import unicodedata

    from pypdf import PdfReader

    reader = PdfReader(str(path))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    return {"sizes": [(round(float(page.mediabox.width) / 72 * 25.4),    # in mm
                       round(float(page.mediabox.height) / 72 * 25.4)) for page in reader.pages],
            "text": [re.sub(r"[\s\x01]+", " ", unicodedata.normalize("NFKC", page.extract_text()))
                     for page in reader.pages],
            "fonts": sorted(re.sub(r"^[A-Z]{6}\+", "", line.split()[0])
                            for line in fonts.splitlines()[2:]),
            "type3": "Type 3" in fonts}


@pytest.mark.browser
@pytest.mark.slow  # two browsers launched; the default suite prints with the preferred one
@pytest.mark.skipif(not (Path(pdf.HEADLESS_SHELL).is_file() and Path(pdf.DEFAULT_CHROMIUM).is_file()
                         and Path("/usr/bin/pdffonts").is_file()),
                    reason="needs chromium, chromium-headless-shell and pdffonts")
def test_the_headless_shell_prints_the_pages_of_the_full_browser(tmp_path):
    printed = {}
    for name, executable in (("shell", pdf.HEADLESS_SHELL), ("full", pdf.DEFAULT_CHROMIUM)):
        (target,) = pdf.write_pdfs([_report(tmp_path / name)], executable=executable)
        printed[name] = _read(target)
    shell, full = printed["shell"], printed["full"]
    assert shell == full
    assert len(shell["sizes"]) >= 3 and set(shell["sizes"]) == {(210, 297)}  # A4
    assert not shell["type3"] and "EdubalanceCJKSC-Bold" in shell["fonts"]
    assert "灵武市评估报告" in shell["text"][0]
    for number, text in enumerate(shell["text"], 1):
        assert re.search(f"第 ?{number} ?\\S ?/ ?共 ?{len(shell['text'])} ?\\S", text), text[-60:]
