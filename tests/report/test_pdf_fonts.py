"""Cheaper PDFs (issue 29): Chinese printed with a TrueType build of the figures' font.

The bundled Noto Sans CJK SC is a CFF font that Chromium's PDF backend writes as Type3 paths;
``eb.report.pdf_fonts`` builds a TrueType subset of it (and a bold face) once per machine,
with fontconfig's cache beside it. Checked here: the build (TrueType outlines, its own family,
no Kangxi radicals in its character map, a thicker bold with the same advances), the cache
(built once, reused), and printed PDFs (every Chinese font a subset font, none Type3, the text
extracting as Chinese without normalisation, bold included; the footer; fontconfig's cache
not rewritten by a second launch; a page emptied, not navigated, between reports).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import edubalance as eb
from edubalance.report import pdf_fonts
from helpers import run_python

SMALL = "评估报告小学初中第页共兴庆区"


@pytest.fixture(scope="module")
def small_font(tmp_path_factory) -> Path:
    """The print font of a few characters (the full build takes ~15 CPU-seconds)."""
    target = tmp_path_factory.mktemp("font") / pdf_fonts.PRINT_FONT_FILE
    return pdf_fonts.build_print_font(eb.report.plotting.cjk_font_path(), target, SMALL)


def test_the_print_font_is_truetype_of_its_own_family_without_radicals(small_font):
    from fontTools.ttLib import TTFont

    font = TTFont(str(small_font))
    assert "glyf" in font and "CFF " not in font and font.sfntVersion == "\0\1\0\0"
    assert font["name"].getDebugName(1) == pdf_fonts.PRINT_FONT_FAMILY
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in SMALL + "A1%")
    assert ord("⼩") not in cmap and ord("⽂") not in cmap  # Kangxi radicals: text reads ⼩
    assert ord("浉") not in cmap  # outside the characters asked for
    glyph = font["glyf"][cmap[ord("小")]]
    assert glyph.numberOfContours > 0
    assert "GSUB" not in font and "GPOS" in font  # halt/chws: punctuation spacing as before


def test_the_bold_face_is_thicker_with_the_same_advances(small_font, tmp_path):
    from fontTools.ttLib import TTFont

    bold_path = pdf_fonts.embolden(small_font, tmp_path / pdf_fonts.PRINT_BOLD_FILE)
    regular, bold = TTFont(str(small_font)), TTFont(str(bold_path))
    assert bold["OS/2"].usWeightClass == 700 and bold["head"].macStyle & 1
    assert bold["name"].getDebugName(1) == pdf_fonts.PRINT_FONT_FAMILY
    assert bold["name"].getDebugName(2) == "Bold"
    half = pdf_fonts.BOLD_STRENGTH * regular["head"].unitsPerEm / 2
    name = regular.getBestCmap()[ord("中")]
    assert bold["hmtx"][name][0] == regular["hmtx"][name][0]
    thin, thick = regular["glyf"][name], bold["glyf"][name]
    thin.recalcBounds(regular["glyf"])
    thick.recalcBounds(bold["glyf"])
    for grown in (thin.xMin - thick.xMin, thick.xMax - thin.xMax,
                  thin.yMin - thick.yMin, thick.yMax - thin.yMax):
        assert half * 0.7 <= grown <= half * 1.5


def _copying_build(small_font: Path, built: list):
    """A stand-in for build_print_font that copies the module's small build (each real build
    reads the 16 MB CFF font: seconds of CPU), noting each call."""
    import shutil

    def build(source, target, characters=None):
        built.append(target)
        return Path(shutil.copyfile(small_font, target))

    return build


def test_the_font_folder_is_built_once_and_reused(tmp_path, monkeypatch, small_font):
    built: list = []
    monkeypatch.setattr(pdf_fonts, "build_print_font", _copying_build(small_font, built))
    monkeypatch.setenv(pdf_fonts.FONT_CACHE_ENV, str(tmp_path / "cache"))
    folder = pdf_fonts.print_font_folder()
    assert folder.parent == tmp_path / "cache" and len(built) == 1
    assert sorted(p.name for p in (folder / "fonts").glob("*.ttf")) == sorted(
        [pdf_fonts.PRINT_FONT_FILE, pdf_fonts.PRINT_BOLD_FILE])
    config = (folder / "fonts.conf").read_text(encoding="utf-8")
    # fontconfig's cache in the durable folder, listed first (where fontconfig writes).
    assert config.index(f"<cachedir>{folder / 'cache'}</cachedir>") < config.index("<include")
    assert f"<dir>{folder / 'fonts'}</dir>" in config
    assert (folder / "fonts" / "fallback").is_dir()  # the CFF font, for other characters
    assert pdf_fonts.print_font_folder() == folder and len(built) == 1
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [".lock", folder.name]
    env = eb.report.pdf.chromium_font_env(tmp_path / "private")
    assert env == {"FONTCONFIG_FILE": str(folder / "fonts.conf")} and len(built) == 1


def test_a_cache_that_cannot_be_written_falls_back_to_the_temporary_folder(tmp_path,
                                                                          monkeypatch,
                                                                          small_font):
    import os
    import tempfile

    monkeypatch.setattr(pdf_fonts, "build_print_font", _copying_build(small_font, []))
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv(pdf_fonts.FONT_CACHE_ENV, str(tmp_path / "file" / "cache"))
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    config = Path(eb.report.pdf.chromium_font_env(tmp_path / "private")["FONTCONFIG_FILE"])
    assert config.is_file()
    assert config.parent.parent == tmp_path / "tmp" / f"edubalance-fonts-{os.getuid()}"


def test_processes_building_the_font_at_once_build_it_once(tmp_path, monkeypatch, small_font):
    from concurrent.futures import ThreadPoolExecutor

    built: list = []
    monkeypatch.setattr(pdf_fonts, "build_print_font", _copying_build(small_font, built))
    with ThreadPoolExecutor(3) as pool:
        folders = list(pool.map(lambda _: pdf_fonts.print_font_folder(root=tmp_path), range(3)))
    assert len(set(folders)) == 1 and len(built) == 1
    assert not list(tmp_path.glob(".building-*"))


def _report(folder: Path, county: str) -> Path:
    """A report as the template writes it (notebook-css markers, JupyterLab's classes), with
    bold Chinese and a table over two pages."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"<tr><th>第{i}所小学</th><td>{county}初中{i * 7}</td></tr>" for i in range(60))
    path = folder / "county_scoring.html"
    path.write_text(
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>t</title>'
        "<!-- edubalance:notebook-css --><style>.jp-X { color: red; }</style>"
        "<!-- /edubalance:notebook-css --></head><body>"
        f'<div class="jp-RenderedHTMLCommon"><h1>{county}评估报告</h1>'
        f"<p><b>评估结论：粗体</b> 正文 regular</p><table>{rows}</table></div></body></html>",
        encoding="utf-8")
    return path


def _fonts(pdf: Path) -> list[dict]:
    from pypdf import PdfReader

    fonts = {}
    for page in PdfReader(str(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[id(font)] = font
    return list(fonts.values())


@pytest.mark.browser
def test_chinese_is_printed_with_subset_truetype_fonts_and_extracts_as_chinese(tmp_path,
                                                                               pdf_printer):
    from pypdf import PdfReader

    report = _report(tmp_path / "a", "兴庆区")
    pdf = pdf_printer.submit(report).result()
    fonts = _fonts(pdf)
    assert [f["/Subtype"] for f in fonts if f["/Subtype"] != "/Type0"] == []  # no Type3
    names = {str(f["/BaseFont"]) for f in fonts}
    assert all(re.fullmatch(r"/[A-Z]{6}\+.+", name) for name in names)  # subsets
    assert any(name.endswith("+EdubalanceCJKSC-Regular") for name in names)
    assert any(name.endswith("+EdubalanceCJKSC-Bold") for name in names)  # bold: own face
    for font in fonts:
        [descendant] = font["/DescendantFonts"]
        assert descendant.get_object()["/Subtype"] == "/CIDFontType2"
    pages = [page.extract_text() for page in PdfReader(str(pdf)).pages]
    assert len(pages) >= 2
    text = re.sub(r"[\s\x01]+", "", pages[0])  # the footer's words are split by \x01
    for words in ("兴庆区评估报告", "评估结论：粗体", "第0所小学", "兴庆区初中7", "第1页/共"):
        assert words in text, words  # no NFKC needed: 小 is not the radical ⼩


@pytest.mark.browser
def test_a_page_stays_on_its_report_emptied_and_fontconfig_cache_is_kept(tmp_path):
    """No navigation to about:blank between reports (it cost ~0.15-0.2 core-s per PDF: a
    cross-site navigation each time); the report's document is emptied instead. The page
    stays in screen media, where the printer's document hides itself (nothing is laid out
    but for printing), at the printed width."""
    import asyncio

    reports = [_report(tmp_path / str(i), county)
               for i, county in enumerate(["兴庆区", "西夏区", "金凤区"])]
    with eb.report.pdf.PdfPrinter(pages=1, warm=True) as printer:
        printer.wait_ready()
        assert printer._state["free"].qsize() == 1  # warmed up: a page ready to print
        for report in reports:
            printer.submit(report).result()
            page = printer._state["free"]._queue[0]
            where = asyncio.run_coroutine_threadsafe(page.evaluate(
                "[location.href, document.documentElement.childElementCount,"
                " matchMedia('print').matches, innerWidth]"), printer._loop).result()
            # screen media (the document hid itself there), an A4 page's width less its
            # margins (12 mm)
            assert where == [report.resolve().as_uri(), 0, False, 703]
    assert all(report.with_suffix(".pdf").is_file() for report in reports)

    config = Path(eb.report.pdf.chromium_font_env(tmp_path)["FONTCONFIG_FILE"])
    caches = {p: p.stat().st_mtime_ns for p in (config.parent / "cache").iterdir()}
    assert caches  # written by the first browser that used this folder
    with eb.report.pdf.PdfPrinter(pages=1) as printer:
        printer.submit(reports[0]).result()
    assert {p: p.stat().st_mtime_ns for p in (config.parent / "cache").iterdir()} == caches


def test_a_batch_warms_its_printer_up_and_prints_below_its_jobs(tmp_path, monkeypatch):
    from edubalance.run import runner

    made: list[dict] = []

    class Printer:
        def __init__(self, *args, **kwargs):
            made.append(kwargs)

        def start(self):
            return self

    monkeypatch.setattr(eb.report.pdf, "PdfPrinter", Printer)
    pdfs = runner._Pdfs(tmp_path, {}, None)
    pdfs.start()
    assert made == [{"pages": 2, "warm": True, "niceness": runner.PDF_NICENESS}]
    assert runner.PDF_NICENESS > 0 and not pdfs.errors


def test_the_font_is_found_without_importing_matplotlib(tmp_path):
    """A process printing PDFs (``batch --pdf``) finds the figures' font and builds Chromium's
    font environment without importing matplotlib (through mplfonts or report.plotting: half
    a core-second of the batch's own process); the figures get the same font file."""

    code = ("import sys; from pathlib import Path; import edubalance.report.pdf as pdf; "
            "from edubalance.report import pdf_fonts; "
            "env = pdf.chromium_font_env(Path(sys.argv[1])); "
            "print(pdf_fonts.cjk_font_path(), 'FONTCONFIG_FILE' in env, "
            "sorted(m for m in ('matplotlib', 'mplfonts') if m in sys.modules))")
    result = run_python(code, str(tmp_path), check=True)
    path, has_env, imported = result.stdout.split(" ", 2)
    assert (has_env, imported.strip()) == ("True", "[]")
    assert Path(path) == eb.report.plotting.cjk_font_path()
    assert Path(path).name == "NotoSansCJKsc-Regular.otf" and Path(path).is_file()
