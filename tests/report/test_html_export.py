"""``eb.report.html.export_html`` for printable reports: the page title names the county (from the
report's own heading, escaped), the page language follows ``lang``, the A4 print stylesheet
is in the page, and nothing is loaded from the network."""
from __future__ import annotations

import re

import nbformat

import edubalance as eb


def _notebook(folder, heading: str, lang: str | None = None):
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": eb.report.county_report.html_heading(heading, 1)})]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    if lang:
        notebook.metadata["papermill"] = {"parameters": {"lang": lang}}
    path = folder / "county_scoring.ipynb"
    nbformat.write(notebook, str(path))
    return path


def test_title_names_the_county_and_stays_escaped(tmp_path):
    heading = '<script>alert(1)</script>县义务教育均衡发展评估报告（2017年）'
    page = eb.report.html.export_html(_notebook(tmp_path, heading), tmp_path / "r.html").read_text(
        encoding="utf-8")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;县义务教育均衡发展评估报告（2017年）</title>" in page
    assert "<script>alert(1)" not in page
    assert '<html lang="zh">' in page


def test_print_stylesheet_and_language(tmp_path):
    page = eb.report.html.export_html(_notebook(tmp_path, "甲县", lang="en"),
                                 tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "@page { size: A4" in page and "caption { break-after: avoid; }" in page
    assert "a[href]::after { content: none" in page
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", page)


def test_results_workbook_stores_control_characters_escaped(tmp_path):
    """Issue 30: a school name with ESC/BEL/NUL (from a DataFrame or Parquet) must not make
    openpyxl raise IllegalCharacterError and fail the whole job."""
    import openpyxl
    import pandas as pd

    from edubalance.report.tables import Table
    from edubalance.report.xlsx import write_workbook

    table = Table(pd.DataFrame({"学校\x07": ["甲\x1b[2J小学", "乙\x00中学"], "学生": [1, 2]}))
    path = write_workbook(tmp_path / "results.xlsx", {"结论": table})
    sheet = openpyxl.load_workbook(path)["结论"]
    assert sheet["A1"].value == "学校\\u0007"
    assert [sheet["A2"].value, sheet["A3"].value] == ["甲\\u001b[2J小学", "乙\\u0000中学"]
