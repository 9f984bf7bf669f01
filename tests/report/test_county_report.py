"""The county scoring report for every kind of county: built through the package (many
generated counties, hypothesis) and written to disk (summary, CSVs, results.xlsx).

The notebook itself is executed by tests/notebooks/test_county_scoring.py (once on the sample
and for a few generated counties); here the same package calls run without a kernel, so
hundreds of counties cost seconds. Issue 14 item 1: a county with nothing to fix (empty
``gaps``) used to crash ``write_results``.
"""
from __future__ import annotations

import json
import re
import unicodedata

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import edubalance as eb
from edubalance.io.write import neutralise_formulas, write_results
from edubalance.report.tables import Table, format_value
from helpers import FRACTIONS, county_frame

STANDARDS = ("basic-2012", "quality-2017", "ningxia-2010")
school = st.tuples(st.sampled_from(["primary", "junior", "nine_year"]),
                   st.sampled_from([40, 300, 900, 2600]),
                   st.sampled_from([30, 44, 60]),
                   st.sampled_from(FRACTIONS))
county = st.lists(school, min_size=1, max_size=5)
SEEN: set[tuple[str, str, str]] = set()


def check_report(frame: pd.DataFrame, standard: str, folder, lang: str = "zh"):
    result = eb.core.scoring.score(frame, standard)
    report = eb.report.county_report.build(frame, result, "甲县", 2017, data_path="gen.csv", lang=lang)
    written = write_results(folder, summary=report.summary, tables=report.results)
    eb.report.xlsx.write_workbook(folder / "results.xlsx", report.sheets)
    assert {"summary", "cv", "indicators", "compliance", "gaps"} <= set(written)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["passed"] == all(v["passed"] for v in summary["levels"].values())
    for info in summary["levels"].values():
        assert info["passed"] == (info["failed_rules"] == [])
        for rule, status in info["rules"].items():
            SEEN.add((standard, rule, status))
    book = openpyxl.load_workbook(folder / "results.xlsx")
    assert book.sheetnames == list(eb.report.county_report.SHEETS)
    for table in report.tables.values():
        shown = " ".join(table.display_frame().to_numpy().ravel().astype(str)) if len(table.frame) \
            else table.empty
        assert not re.search(r"\b(nan|NaN|None|True|False|<NA>)\b|\de[+-]\d", shown), shown
        assert table.caption
    verdict = re.sub(r"<[^>]+>", " ", report.verdict_html)
    word = {"zh": {"pass": "通过", "fail": "未通过", "incomplete": "待定"},
            "en": {"pass": "passed", "fail": "not passed", "incomplete": "open"}}[lang]
    assert word[summary["verdict"]] in verdict
    # No evidence is given here: a county never passes on school data alone.
    assert summary["verdict"] != "pass"
    assert summary["verdict"] == ("fail" if not summary["passed"] else "incomplete") \
        or standard == "ningxia-2010"
    if not summary["passed"]:
        # a failing level says what it would take (or that school data cannot say)
        assert ("需新增" in verdict or "无法由学校数据" in verdict or "未能" in verdict) \
            if lang == "zh" else ("To bring" in verdict or "cannot" in verdict or "did not" in verdict)
    return report, summary


SPREAD = [("primary", 300, 30, 0.05), ("primary", 300, 30, 3.0), ("junior", 300, 30, 0.05),
          ("junior", 300, 30, 3.0)]


EXPLICIT = [
    dict(schools=SPREAD, standard="basic-2012", lang="zh"),          # composite CV over the limit
    dict(schools=SPREAD, standard="quality-2017", lang="en"),        # every rule fails
    dict(schools=SPREAD, standard="ningxia-2010", lang="zh"),        # score under 85
    dict(schools=[("nine_year", 900, 30, 1.0)], standard="quality-2017", lang="zh"),  # passes
    dict(schools=[("primary", 300, 30, 1.0)], standard="ningxia-2010", lang="en"),    # passes
    dict(schools=[("primary", 2600, 60, 1.0), ("junior", 2600, 60, 1.0)],
         standard="quality-2017", lang="en"),                      # schools and classes too big
]
"""The counties every run checks: alone they see every rule passed and failed."""


def generated_counties(max_examples: int):
    """Decorates the property test of the generated counties: the :data:`EXPLICIT` counties
    and ``max_examples`` generated ones."""
    def decorate(test):
        for explicit in reversed(EXPLICIT):
            test = example(**explicit)(test)
        test = given(schools=county, standard=st.sampled_from(STANDARDS),
                     lang=st.sampled_from(["zh", "en"]))(test)
        return settings(max_examples=max_examples, deadline=None, derandomize=True,
                        suppress_health_check=[HealthCheck.function_scoped_fixture])(test)
    return decorate


# Each county costs ~0.45 CPU-s (score, build, write): the default tier runs the six explicit
# counties and four generated ones; the slow tier (`make test-slow`, `make test-all`) a hundred.
@generated_counties(max_examples=4)
def test_every_generated_county_gets_its_report_and_results(schools, standard, lang, tmp_path_factory):
    folder = tmp_path_factory.mktemp("county")
    check_report(county_frame(schools), standard, folder, lang)


@pytest.mark.slow
@generated_counties(max_examples=100)
def test_every_generated_county_gets_its_report_and_results_thorough(schools, standard, lang,
                                                                      tmp_path_factory):
    folder = tmp_path_factory.mktemp("county")
    check_report(county_frame(schools), standard, folder, lang)


def test_generated_counties_cover_pass_and_fail_of_every_rule():
    """Rules school data decides, each seen passed and failed over the generated counties."""
    if not SEEN:
        pytest.skip("runs after the hypothesis test in the same session")
    for standard in STANDARDS:
        spec = eb.core.standards.load_standard(standard)
        for rule in spec.rules:
            if rule.kind in ("not_assessed", "evidence"):
                continue
            for status in ("passed", "failed"):
                assert (standard, rule.id, status) in SEEN, (standard, rule.id, status)


@pytest.mark.parametrize("standard", STANDARDS)
def test_a_county_with_nothing_to_fix_gets_its_results(standard, tmp_path):
    """Issue 14 item 1: a passing county (no gaps) used to lose its whole report."""
    frame = county_frame([("primary", 300, 30, 1.0), ("junior", 300, 30, 1.0)])
    report, summary = check_report(frame, standard, tmp_path)
    assert summary["passed"], summary
    assert report.results["gaps"].empty
    assert (tmp_path / "gaps.csv").exists()


def test_a_single_nine_year_school_under_quality_2017(tmp_path):
    report, summary = check_report(county_frame([("nine_year", 900, 30, 1.0)]), "quality-2017",
                                   tmp_path)
    assert set(summary["levels"]) == {"primary", "junior"}


def test_a_county_without_junior_schools_says_so(tmp_path):
    report, summary = check_report(county_frame([("primary", 300, 30, 1.0)]), "quality-2017",
                                   tmp_path)
    assert list(summary["levels"]) == ["primary"]
    assert "本县没有初中学校" in report.verdict_html


def test_neutralise_formulas_accepts_empty_string_columns():
    # pandas 3 gives empty text columns the ``str`` dtype; ``str & bool`` raised TypeError.
    empty = pd.DataFrame({"name": pd.Series(dtype="str"), "n": pd.Series(dtype=float)})
    assert neutralise_formulas(empty).empty
    typed = pd.DataFrame({"name": pd.Series(["=1+1", "ok", None], dtype="str")})
    assert neutralise_formulas(typed)["name"].tolist()[:2] == ["'=1+1", "ok"]


def test_the_verdict_says_what_it_would_take_with_amounts_and_units():
    summary = {"county": "甲县", "year": 2017, "passed": False,
               "levels": {"primary": {"passed": False, "rules": {}, "not_assessed": []}}}
    totals = pd.DataFrame({"level": ["primary"] * 3,
                           "resource": ["teachers_pe_arts", "equipment_value_cny", "sports_area_m2"],
                           "unit": ["人", "元", "m²"], "amount": [12.0, 381_950.0, 10.2],
                           "schools": [3, 2, 1]})
    empty = pd.DataFrame(columns=["level", "steps", "reached"])
    sentences = eb.report.verdict.take_sentences(summary, totals, empty, empty)
    assert sentences["primary"] == [
        "使未达标学校达到各项指标标准，小学需新增体育艺术专任教师 12 人、教学仪器设备 38.2 万元、"
        "体育运动场馆 11 平方米（涉及3所学校）。"]


def test_tables_for_people_format_and_escape():
    frame = pd.DataFrame({"学校名称": ["<script>alert(1)</script>", "乙"],
                          "在校生数（人）": [12345.0, np.nan], "差异系数": [0.123456, 1e-7],
                          "达标": [True, pd.NA], "金额（万元）": [220.97794, 3.0]})
    table = Table(frame, {"在校生数（人）": "int", "差异系数": "cv", "达标": "bool",
                          "金额（万元）": "money"}, caption="表 1 <b>x</b>")
    html = table.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    shown = table.display_frame()
    assert shown.iloc[0].tolist() == ["<script>alert(1)</script>", "12,345", "0.123", "是", "221.0"]
    assert shown.iloc[1].tolist()[1:4] == ["—", "0.000", "—"]
    assert 'class="row_heading' not in html   # no row index
    assert format_value(2.209779e6, "int") == "2,209,779"


def test_write_workbook_keeps_numbers_and_neutralises_text(tmp_path):
    table = Table(pd.DataFrame({"学校": ["@SUM(A1)", "乙"], "学生（人）": [1200, 30],
                                "差异系数": [0.5, np.nan], "达标": [True, False]}),
                  {"学生（人）": "int", "差异系数": "cv", "达标": "bool"})
    path = eb.report.xlsx.write_workbook(tmp_path / "r.xlsx", {"结论": table})
    sheet = openpyxl.load_workbook(path)["结论"]
    assert [c.value for c in sheet[1]] == ["学校", "学生（人）", "差异系数", "达标"]
    assert [c.value for c in sheet[2]] == ["'@SUM(A1)", 1200, 0.5, "是"]
    assert sheet["C3"].value is None and sheet["D3"].value == "否"
    assert sheet.freeze_panes == "A2" and sheet["C2"].number_format == "0.000"
    assert sheet.column_dimensions["A"].width >= 10
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]      # no temp file left


def test_write_pdfs_names_the_missing_browser(tmp_path):
    report = tmp_path / "r.html"
    report.write_text("<html><body>甲县</body></html>", encoding="utf-8")
    with pytest.raises(eb.report.pdf.BrowserMissingError, match="no Chromium browser at /nonexistent"):
        eb.report.pdf.write_pdfs([report], executable="/nonexistent/chromium")
    with pytest.raises(FileNotFoundError, match="missing.html"):
        eb.report.pdf.write_pdfs([tmp_path / "missing.html"])


def test_pdf_command_is_registered():
    from edubalance.cli import build_parser

    args = build_parser().parse_args(["pdf", "a.html", "b.html"])
    assert args.reports == ["a.html", "b.html"]


def test_report_png_writes_and_returns_the_same_bytes(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    data = eb.report.plotting.report_png(fig, tmp_path, "f")
    assert (tmp_path / "f.png").read_bytes() == data
    assert not (tmp_path / "f.svg").exists()
    assert not plt.fignum_exists(fig.number)
    fig, ax = plt.subplots(figsize=(2, 1))
    eb.report.plotting.report_png(fig, tmp_path, "g", formats=("png", "svg"))
    assert (tmp_path / "g.svg").stat().st_size > 100


def test_workbook_title_rows_print_setup_and_filter(tmp_path):
    table = Table(pd.DataFrame({"学校": ["甲", "=2+2"], "学生（人）": [1200, 30]}),
                  {"学生（人）": "int"},
                  title=("=HYPERLINK(\"http://x\") 2017年 优质均衡：结论", "县代码：620422"))
    path = eb.report.xlsx.write_workbook(tmp_path / "r.xlsx", {"结论": table})
    sheet = openpyxl.load_workbook(path)["结论"]
    assert sheet["A1"].value.startswith("'=HYPERLINK")          # the title is neutralised too
    assert sheet["A2"].value == "县代码：620422" and sheet["A3"].value is None
    assert [c.value for c in sheet[4]] == ["学校", "学生（人）"]
    assert sheet["A6"].value == "'=2+2" and sheet["B5"].value == 1200   # numbers stay numbers
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == "A4:B6"
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in sheet.oddFooter.center.text


def test_every_sheet_of_the_county_workbook_names_county_standard_year(tmp_path):
    schools = eb.io.load.load_schools("data/sample/schools.csv")
    schools = schools[(schools["year"] == 2017) & (schools["county_name"] == "大武口区")]
    result = eb.core.scoring.score(schools, "quality-2017")
    report = eb.report.county_report.build(schools, result, "大武口区", 2017)
    path = eb.report.xlsx.write_workbook(tmp_path / "results.xlsx", report.sheets)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert "大武口区" in sheet["A1"].value and "2017" in sheet["A1"].value
        assert "优质均衡" in sheet["A1"].value and sheet.title in sheet["A1"].value
        assert "quality-2017" in sheet["A2"].value and "生成日期" in sheet["A2"].value


def _one_county(n_extra_counties: int = 0):
    schools = eb.io.load.load_schools("data/sample/schools.csv")
    schools = schools[schools["year"] == 2017]
    names = list(dict.fromkeys(schools["county_name"]))[:1 + n_extra_counties]
    return schools[schools["county_name"].isin(names)].reset_index(drop=True), names[0]


def test_a_single_county_report_gives_no_rank_and_says_why():
    schools, name = _one_county()
    schools = schools[schools["county_name"] == name]
    result = eb.core.scoring.score(schools, "quality-2017")
    report = eb.report.county_report.build(schools, result, name, 2017,
                                           data_path="/home/analyst/私人/表一.xlsx")
    comparison = report.tables["comparison"]
    assert comparison.frame.empty
    page = comparison.to_html()
    assert "在1个县中的排名" not in page and "只有" in page and name in page
    # The notebook draws no comparison figure then; the sentence does not point to one.
    assert report.n_counties == 1 and "上图" not in page and "不画" in page
    methods = " ".join(report.methods)
    assert "表一.xlsx" in methods and "/home" not in methods and "私人" not in methods
    assert "2017–2017" not in methods and "2017年数据" in methods
    assert "DOMAIN" not in methods and "§" not in methods and "seed" not in methods
    assert "步" not in report.verdict_html and "步数" not in report.tables["plan"].to_html()
    # with other counties in the data the rank is there
    several, name = _one_county(2)
    result = eb.core.scoring.score(several, "quality-2017")
    report = eb.report.county_report.build(several, result, name, 2017)
    assert not report.tables["comparison"].frame.empty
    assert "3个县" in report.tables["comparison"].caption and report.n_counties == 3


def test_failing_schools_are_counted_once_whatever_their_levels():
    schools, name = _one_county()
    schools = schools[schools["county_name"] == name].reset_index(drop=True)
    nine = schools.index[schools["school_type"] == "nine_year"][0]
    for column in ("books", "equipment_value_cny", "computers", "teaching_area_m2",
                   "sports_area_m2", "multimedia_classrooms", "teachers_backbone"):
        schools.loc[nine, column] = 0 * schools.loc[nine, column]   # fails at both levels
    result = eb.core.scoring.score(schools, "quality-2017")
    report = eb.report.county_report.build(schools, result, name, 2017)
    failing = result.compliance[(result.compliance["passed"] == False)]  # noqa: E712
    nine_id = schools.loc[nine, "school_id"]
    assert (failing["school_id"] == nine_id).sum() == 2     # two sections ...
    expected = failing["school_id"].nunique()               # ... one school
    assert f"共{expected}所" in report.tables["failing"].caption


@pytest.mark.browser
def test_printed_school_tables_are_split_into_parts_with_the_school_names(tmp_path,
                                                                          pdf_printer):
    """A per-school table (a column per indicator) is printed in parts of a few indicators,
    each repeating the school names, in the body type; no part is wider than the page."""
    import nbformat
    from pypdf import PdfReader

    schools, result = eb.run.cache.scored_year("data/sample/schools.csv", "quality-2017", 2017)
    table = eb.report.county_report.school_items_table(result, "640202", 2017, "junior",
                                                       county_name="大武口区")
    parts = table.print_parts()
    assert len(parts) == 2 and [p.frame.columns[0] for p in parts] == [table.frame.columns[0]] * 2
    html = table.to_html()
    assert html.count("eb-print-part") >= 2 and "eb-screen" in html
    cell = nbformat.v4.new_code_cell("table", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": html, "text/plain": "table"})])
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "report.ipynb")
    page = eb.report.html.export_html(tmp_path / "report.ipynb", tmp_path / "report.html")
    pdf = pdf_printer.submit(page).result()
    reader = PdfReader(pdf)
    # (pypdf gives some characters as their Kangxi radicals: NFKC maps them back)
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages))
    text = re.sub(r"\s", "", text)
    names = table.frame.iloc[:, 0].tolist()
    # Every school twice (once a part; the sample's names start with the county's, as do the
    # two parts' captions; pypdf reads a few characters as radicals, so count the county),
    # every indicator's header once (headers may wrap).
    assert all(name.startswith("大武口区") for name in names)
    assert text.count("大武口区") == 2 + 2 * len(names)
    assert "第1/2部分" in text and "第2/2部分" in text
    for header in table.frame.columns[1:]:
        assert header[:6] in text, header
    # Nothing runs past the right margin: the rightmost text of each page is on the page.
    for number, page_ in enumerate(reader.pages, start=1):
        right: list[float] = []

        def visit(words, cm, tm, _font, _size, right=right):
            if words.strip():
                right.append(tm[4] * cm[0] + cm[4])

        page_.extract_text(visitor_text=visit)
        assert max(right) < float(page_.mediabox.width) - 30, number
