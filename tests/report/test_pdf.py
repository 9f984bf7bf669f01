"""PDFs from one long-lived browser (issue 29): ``eb.report.pdf.PdfPrinter`` and ``--pdf``.

Small self-made reports (Chinese text over several pages), so no notebook runs: the PDFs
printed several at a time are the ones printed one by one (same pages, page numbers in the
footer, Chinese as text); a page loads nothing from the network and no local file outside its
report's folder; a report that cannot be printed is named, the others are printed; a batch
with ``--pdf`` launches Chromium once, whatever its number of jobs.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

import edubalance as eb

pytestmark = pytest.mark.browser

ROWS = 120  # three or four A4 pages


def _report(folder: Path, county: str, lang: str = "zh", body: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"<tr><td>{county}第{i}所学校</td><td>{i * 7}</td></tr>" for i in range(ROWS))
    path = folder / "county_scoring.html"
    path.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
                    f"<title>{county}</title></head><body><h1>{county}评估报告</h1>{body}"
                    f"<table>{rows}</table></body></html>", encoding="utf-8")
    return path


def _pages(pdf: Path) -> list[str]:
    """Each page's text (NFKC: the CJK font maps some characters to Kangxi radicals)."""
    import unicodedata

    from pypdf import PdfReader

    return [re.sub(r"[\s\x01]+", " ", unicodedata.normalize("NFKC", page.extract_text()))
            for page in PdfReader(str(pdf)).pages]


@pytest.fixture
def launches(monkeypatch):
    """The Chromium launches of the test (``report._cdp.Browser.launch``, the printer's)."""
    from edubalance.report import _cdp

    counted: list[str] = []
    launch = _cdp.Browser.launch.__func__

    async def counting(cls, executable, *args, **kwargs):
        counted.append(str(executable))
        return await launch(cls, executable, *args, **kwargs)

    monkeypatch.setattr(_cdp.Browser, "launch", classmethod(counting))
    return counted


@pytest.mark.slow  # several Chromium print runs; the default suite prints in tests/run/test_reports.py
def test_concurrent_printing_gives_the_same_pdfs_as_one_by_one(tmp_path, launches):
    counties = ["大武口区", "灵武市", "西吉县", "沙坡头区", "彭阳县"]
    reports = [_report(tmp_path / f"job{i}", name) for i, name in enumerate(counties)]
    reports.append(_report(tmp_path / "en", "Lingwu", lang="en"))
    one_by_one = eb.report.pdf.write_pdfs(reports, pages=1)
    expected = [_pages(pdf) for pdf in one_by_one]
    assert len(launches) == 1
    for pdf in one_by_one:
        pdf.unlink()
    together = eb.report.pdf.write_pdfs(reports, pages=3)
    assert len(launches) == 2  # one browser per call, whatever the number of reports
    assert together == [report.with_suffix(".pdf") for report in reports]
    for pdf, pages, county in zip(together, expected, [*counties, "Lingwu"], strict=True):
        got = _pages(pdf)
        assert got == pages and len(got) >= 3
        assert county in got[0] and "file://" not in "".join(got)
        english = county == "Lingwu"
        for number, text in enumerate(got, 1):   # the footer of every page: its number
            footer = (f"Page {number} of {len(got)}" if english   # 页 may come out as ⻚
                      else f"第 {number} \\S / 共 {len(got)} \\S")
            assert re.search(footer, text), (pdf, number, text[-80:])
    assert not list(tmp_path.rglob(".county_scoring.*"))  # no temporary file left


def test_a_page_loads_no_network_and_no_file_outside_its_folder(tmp_path, pdf_printer):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    body = (f'<iframe src="{secret.as_uri()}"></iframe>'
            '<img src="http://example.invalid/x.png"><link rel="stylesheet" '
            'href="https://example.invalid/x.css"><iframe src="sibling.txt"></iframe>')
    report = _report(tmp_path / "job", "灵武市", body=body)
    (report.parent / "sibling.txt").write_text("SIBLINGTEXT", encoding="utf-8")
    pdf = pdf_printer.submit(report).result()
    text = "".join(_pages(pdf))
    assert "TOPSECRET" not in text and "灵武市" in text
    assert eb.report.pdf._allowed((report.parent / "sibling.txt").as_uri(), report.parent)
    assert not eb.report.pdf._allowed(secret.as_uri(), report.parent.resolve())
    assert not eb.report.pdf._allowed("http://example.invalid/x.png", report.parent)
    assert not eb.report.pdf._allowed("file:///etc/passwd", report.parent)


def test_a_report_that_cannot_be_printed_is_named_and_the_others_printed(tmp_path, pdf_printer):
    good = _report(tmp_path / "a", "灵武市")
    gone = _report(tmp_path / "b", "西吉县")
    gone.unlink()
    futures = [pdf_printer.submit(gone), pdf_printer.submit(good)]   # two pages at a time
    with pytest.raises(eb.report.pdf.PdfError, match="西吉县|report not found"):
        futures[0].result()
    assert futures[1].result() == good.with_suffix(".pdf")
    assert not gone.with_suffix(".pdf").exists()


def test_a_browser_that_does_not_start_fails_each_report_clearly(tmp_path):
    report = _report(tmp_path / "a", "灵武市")
    with pytest.raises(eb.report.pdf.PdfError, match="Chromium could not be started"):
        eb.report.pdf.write_pdfs([report], executable="/bin/false")
    assert not report.with_suffix(".pdf").exists()


@pytest.mark.slow  # several Chromium print runs; the default suite prints in tests/run/test_reports.py
def test_pdf_command_prints_many_files_with_one_browser(tmp_path, launches, capsys):
    from edubalance.cli import main

    reports = [_report(tmp_path / f"j{i}", f"县{i}") for i in range(4)]
    assert main(["pdf", *map(str, reports), "--pages", "2"]) == 0
    out = capsys.readouterr().out.split()
    assert out == [str(r.with_suffix(".pdf")) for r in reports] and len(launches) == 1
    reports[1].with_suffix(".pdf").unlink()
    reports[1].write_text("x")   # still a file; printing it works (an empty page)
    assert main(["pdf", str(reports[0]), "--chromium", "/bin/false"]) == 1
    assert "could not be started" in capsys.readouterr().err


# --------------------------------------------------------------------------- the batch

def _fake_pool(output: Path, reports: dict):
    """A ``run_pool`` that writes a report per job instead of running a notebook."""

    def fake_pool(specs, workers, on_done, warm=True):
        from edubalance.run.manifest import job_entry

        for spec in specs:
            folder = output / spec["stem"] / spec["slug"]
            html = _report(folder, spec["parameters"]["county"])
            html.rename(folder / f"{spec['stem']}.html")
            reports[spec["parameters"]["county"]] = folder / f"{spec['stem']}.html"
            (folder / "job.json").write_text(json.dumps(job_entry(
                spec, status="ok", seconds=0.1,
                report=f"{spec['stem']}/{spec['slug']}/{spec['stem']}.html")))
            on_done(job_entry(spec, status="ok", seconds=0.1,
                              report=f"{spec['stem']}/{spec['slug']}/{spec['stem']}.html"))
    return fake_pool


def _batch_file(folder: Path, counties: list[str]) -> Path:
    toy = Path(__file__).resolve().parents[1] / "support" / "fixtures" / "toy_job.ipynb"
    path = folder / "toy.yaml"
    path.write_text(yaml.safe_dump({"notebook": str(toy), "grid": {"county": counties}},
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_a_batch_with_pdf_launches_one_browser_and_records_every_pdf(tmp_path, monkeypatch,
                                                                     launches):
    from edubalance.run import batch, runner

    output = tmp_path / "out"
    reports: dict = {}
    monkeypatch.setattr(runner, "run_pool", _fake_pool(output, reports))
    counties = ["大武口区", "灵武市", "西吉县", "沙坡头区", "彭阳县", "泾源县"]
    result = batch.run_batch([_batch_file(tmp_path, counties)], output=output, progress=False,
                             pdf=True, workers=2)
    assert result.exit_code == 0 and len(launches) == 1
    jobs = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert len(jobs) == len(counties)
    for job in jobs:
        pdf = output / job["pdf"]
        assert pdf == reports[job["parameters"]["county"]].with_suffix(".pdf")
        assert job["pdf"] in job["files"]
        assert job["parameters"]["county"] in _pages(pdf)[0]
    journal = [json.loads(line) for line in
               (output / "manifest.jsonl").read_text(encoding="utf-8").splitlines()] \
        if (output / "manifest.jsonl").exists() else []
    assert all("pdf" in entry for entry in {e["folder"]: e for e in journal}.values())


def test_no_browser_without_pdf(tmp_path, monkeypatch, launches):
    from edubalance.run import batch, runner

    output = tmp_path / "out"
    monkeypatch.setattr(runner, "run_pool", _fake_pool(output, {}))
    result = batch.run_batch([_batch_file(tmp_path, ["灵武市"])], output=output, progress=False)
    assert result.exit_code == 0 and launches == []
    assert "edubalance.report.pdf" not in sys.modules or not list(output.rglob("*.pdf"))


def test_a_pdf_that_fails_in_a_batch_is_a_warning_naming_it(tmp_path, monkeypatch):
    from edubalance.run import batch, runner

    output = tmp_path / "out"
    monkeypatch.setattr(runner, "run_pool", _fake_pool(output, {}))
    monkeypatch.setenv(eb.report.pdf.CHROMIUM_ENV, "/bin/false")  # found, but does not start
    result = batch.run_batch([_batch_file(tmp_path, ["灵武市", "西吉县"])], output=output,
                             progress=False, pdf=True)
    summary = batch.summarise(result)
    assert result.exit_code == 1 and "PDF reports not written (2)" in summary
    assert "Chromium could not be started" in summary and "Traceback" not in summary
    assert (output / "index.html").is_file() and not list(output.rglob("*.pdf"))


@pytest.mark.slow  # several Chromium print runs; the default suite prints in tests/run/test_reports.py
def test_resume_with_pdf_prints_the_reports_of_jobs_already_complete(tmp_path, monkeypatch,
                                                                     launches):
    from edubalance.run import batch, runner

    output = tmp_path / "out"
    reports: dict = {}
    monkeypatch.setattr(runner, "run_pool", _fake_pool(output, reports))
    spec = _batch_file(tmp_path, ["灵武市", "西吉县"])
    assert batch.run_batch([spec], output=output, progress=False).exit_code == 0
    assert launches == [] and not list(output.rglob("*.pdf"))
    result = batch.run_batch([spec], output=output, progress=False, resume=True, pdf=True)
    assert result.exit_code == 0 and len(launches) == 1
    assert {entry["status"] for entry in result.entries} == {"skipped"}
    for county, report in reports.items():
        assert county in _pages(report.with_suffix(".pdf"))[0]
    jobs = json.loads((output / "manifest.json").read_text(encoding="utf-8"))["jobs"]
    assert all(job.get("pdf") for job in jobs)
