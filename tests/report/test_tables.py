"""edubalance.report.tables: the one number formatter and the one Styler builder behind the report
tables (Table, story.table), the analysis notebooks (display.styled) and the slides
(slides.table); edubalance.io.number_text: the plain number format beneath it."""
from __future__ import annotations

import html as htmllib
import re

import numpy as np
import pandas as pd
import pytest

from edubalance.errors import ParameterError
from edubalance.report import display, slides, story, tables, verdict
from edubalance.report.tables import COLUMN_KINDS, MISSING, Table, format_value, styler
from edubalance.run.index import format_number as index_number

FORBIDDEN = re.compile(r"nan|None|True|False|inf|\d[eE][+-]?\d|<NA>", re.IGNORECASE)


def cells(page: str, tag: str = "td") -> list[str]:
    """The text of every ``tag`` cell, unescaped (as a reader sees it)."""
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, re.S)
    return [htmllib.unescape(c).strip() for c in found]


def visible(page: str) -> str:
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("kind", COLUMN_KINDS)
@pytest.mark.parametrize("value", [None, np.nan, pd.NA, np.inf, -np.inf, 1e21, -1e-12, 1e-9,
                                   12345.0, np.int64(7), np.float32(0.5), True, np.bool_(False),
                                   "1e5 人", 0.0])
def test_format_value_never_shows_nan_none_bool_or_scientific(value, kind):
    shown = format_value(value, kind)
    assert isinstance(shown, str) and shown
    if not isinstance(value, str):
        assert not FORBIDDEN.search(shown), (value, kind, shown)
    if kind not in ("text", "wrap"):
        assert not re.match(r"-0(\.0*)?%?$", shown), (value, kind, shown)


def test_format_value_numbers():
    assert format_value(12345.0, "int") == "12,345"
    assert format_value(12345.0, "amount") == "12,345"
    assert format_value(12345.04, "amount") == "12,345.0"
    assert format_value(12345.0) == "12345"          # a stray float in a text column
    assert format_value(2.0, "num", digits=0) == "2"
    assert format_value(0.41251, "cv") == "0.413"
    assert format_value(0.125, "share") == "12%" and format_value(12.5, "pct") == "12.5%"
    assert format_value(0.0009, "pvalue") == "< 0.001" and format_value(0.05, "pvalue") == "0.050"
    assert format_value(-1e-12, "num2") == "0.00"
    assert format_value(np.nan, "int", missing="–") == "–"
    assert format_value(True, "bool", "en") == "yes" and format_value(False, "int") == "否"


def test_index_numbers_are_the_same_formatter():
    for value in (1234567, 0.61234, 2.0, 1e-7, 12345.6789, -0.0001):
        expected = format_value(value, "int") if isinstance(value, int) \
            else format_value(value, "num", digits=3)
        assert index_number(value) == expected
    assert index_number(None) == index_number(True) == index_number(float("nan")) == "—"


FRAME = pd.DataFrame({"county_name": ["<b>甲县</b>", None], "students": [12345.0, np.nan],
                      "cv": [0.41234, 1e-7], "met": [True, pd.NA]})


def test_the_three_audiences_show_the_same_cells():
    report = Table(FRAME, {"students": "int", "cv": "cv", "met": "bool"}, caption="表 1").to_html()
    notebook = display.styled(FRAME, caption="表 1").to_html()
    slide = slides.table(FRAME, caption="表 1", decimals={"cv": 3}).to_html()
    expected = ["<b>甲县</b>", "12,345", "0.412", "是", "—", "—", "0.000", "—"]
    assert MISSING == "—"
    assert cells(report) == expected
    assert cells(notebook) == expected
    assert cells(slide) == expected      # the slides showed "–" before issue 28
    for page in (report, notebook, slide):
        assert "<b>甲县" not in page and "&lt;b&gt;甲县&lt;/b&gt;" in page
        assert "row_heading" not in page                      # no row index
        assert re.search(r'<table [^>]*class="[^"]*\bmathjax_ignore\b', page)
        assert "<caption>表 1</caption>" in page
    assert cells(report, "th")[0] == "county_name"            # Table: headers as given
    assert cells(notebook, "th")[:2] == ["县（市、区）", "在校生数（人）"]
    assert cells(slide, "th")[0] == "县（市、区）"


def test_every_entry_point_shows_missing_as_a_dash_and_the_same_digits():
    """Issue 28: one table builder. The same frame through each old entry point, with the same
    ``digits``, shows the same numbers and "—" for every missing value."""
    frame = pd.DataFrame({"gini": [0.123456, np.nan], "ratio": [2.5, None]})
    kinds = {"gini": "num", "ratio": "num"}
    pages = {"styler": styler(frame, kinds, digits=4).to_html(),
             "display.styled": display.styled(frame, digits=4, translate=False).to_html(),
             "slides.table": slides.table(frame, digits=4, kinds=kinds).to_html()}
    for name, page in pages.items():
        assert cells(page) == ["0.1235", "2.5000", "—", "—"], name
    shown = story.table(frame, {"gini": "cv", "ratio": "num1"}, "progress.shares_caption")
    assert shown.display_frame().to_numpy().tolist() == [["0.123", "2.5"], ["—", "—"]]
    assert ">—<" in shown.to_html() and "–" not in shown.to_html()


def test_slides_precision_is_a_deprecated_name_of_digits():
    frame = pd.DataFrame({"x": [1.23456]})
    with pytest.warns(DeprecationWarning, match="digits"):
        old = slides.table(frame, precision=3).to_html()
    assert cells(old) == cells(slides.table(frame, digits=3).to_html()) == ["1.235"]


def test_old_name_of_the_column_kinds_warns():
    with pytest.warns(DeprecationWarning, match="COLUMN_KINDS"):
        assert tables.KINDS is COLUMN_KINDS
    with pytest.raises(AttributeError):
        tables.NOT_A_NAME  # noqa: B018


def test_plausibility_messages_show_numbers_without_scientific_notation(tmp_path):
    from edubalance.io.load import load_schools

    rows = pd.read_csv("data/sample/schools.csv", dtype=str).head(3)
    rows.loc[0, "books"] = str(12345678901)   # a unit slip: far over the per-school limit
    path = tmp_path / "schools.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(ValueError) as raised:
        load_schools(path)
    message = str(raised.value)
    assert "12,345,700,000" in message and "e+" not in message


def test_verdict_shows_limits_with_the_one_formatter():
    assert not hasattr(verdict, "_fmt") and not hasattr(verdict, "_lookup")


def test_visible_text_has_no_nan_none_bool_or_scientific():
    frame = pd.DataFrame({"name": ["甲", None, "丙"], "flag": [True, False, None],
                          "mixed": [1e-9, "x", None], "big": [1e21, 2.5e-8, np.inf],
                          "count": pd.array([1, None, 3], dtype="Int64"),
                          "share": [0.5, np.nan, 1.0], "p_value": [1e-6, 0.2, np.nan]})
    pages = [display.styled(frame).to_html(), slides.table(frame).to_html(),
             styler(frame).to_html(), styler(frame, lang="en", layout="slides").to_html()]
    for page in pages:
        text = visible(page)
        assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
    assert "0.000000001" in visible(pages[0]) and "50%" in visible(pages[1])
    assert "< 0.001" in visible(pages[1])


def test_kinds_headers_and_decimals():
    frame = pd.DataFrame({"a": [1.25, 2.0], "b": [0.123456, 1.0], "year": [2017.0, 2018.0]})
    page = styler(frame, {"a": "amount"}, headers={"a": "甲"}, decimals={"b": 4}).to_html()
    assert cells(page) == ["1.2", "0.1235", "2017", "2", "1.0000", "2018"]
    assert cells(page, "th") == ["甲", "b", "year"]
    page = styler(frame, headers=str.upper, digits=1).to_html()
    assert cells(page, "th") == ["A", "B", "YEAR"] and cells(page)[:2] == ["1.2", "0.1"]
    # Report layout: numbers right-aligned on one line; slides: everything left-aligned.
    assert "text-align: right" in styler(frame).to_html()
    assert "text-align: right" not in styler(frame, layout="slides").to_html()


def test_bad_options_are_parameter_errors():
    with pytest.raises(ParameterError, match="unknown column kind"):
        styler(FRAME, {"cv": "percent"})
    with pytest.raises(ParameterError, match="unknown column kind"):
        Table(FRAME, {"cv": "percent"})
    with pytest.raises(ParameterError, match="layout"):
        styler(FRAME, layout="poster")
    with pytest.raises(ValueError):
        styler(FRAME, lang="fr")


def test_removed_duplicate_formatter_stays_removed():
    from edubalance.analysis import summaries

    assert not hasattr(summaries, "format_number")
    assert tables.format_value is format_value


def test_a_value_next_to_its_limit_shows_enough_decimals_to_tell_them_apart():
    """Issue 25: 0.4504 against 0.45 is not "0.450"; 84.954 against 85 is not "85.0"."""
    frame = pd.DataFrame({"cv": [0.4504, 0.3, 0.45], "score": [84.954, 90.0, 85.0]})
    table = Table(frame, {"cv": "cv", "score": "num1"},
                  limits={"cv": [0.45, 0.45, 0.45], "score": [85, 85, 85]})
    shown = table.display_frame()
    assert shown["cv"].tolist() == ["0.4504", "0.300", "0.450"]
    assert shown["score"].tolist() == ["84.95", "90.0", "85.0"]
    html = table.to_html()
    assert ">0.4504<" in html and ">84.95<" in html and ">0.300<" in html
    with pytest.raises(ValueError, match="one value per row"):
        Table(frame, limits={"cv": [0.45]})


def test_the_workbook_shows_a_value_next_to_its_limit_with_enough_decimals(tmp_path):
    import openpyxl

    from edubalance.report.xlsx import write_workbook

    frame = pd.DataFrame({"cv": [0.4504, 0.3]})
    path = write_workbook(tmp_path / "r.xlsx", {"差异系数": Table(
        frame, {"cv": "cv"}, limits={"cv": [0.45, 0.45]})})
    sheet = openpyxl.load_workbook(path).active
    cells = [row[0] for row in sheet.iter_rows() if isinstance(row[0].value, float)]
    assert [c.value for c in cells] == [0.4504, 0.3]                   # numbers stay numbers
    assert [c.number_format for c in cells] == ["#,##0.0000", "0.000"]


def test_percent_shading_builds_its_colour_table_once(monkeypatch):
    # matplotlib.colormaps["RdBu"] is a new copy each time, which builds its colour table
    # again; a county report shades 20 columns, so the map is taken once per process.
    import matplotlib.colors

    from edubalance.report import tables

    built = []
    real = matplotlib.colors.LinearSegmentedColormap._init

    def init(self):
        built.append(self.name)
        return real(self)

    monkeypatch.setattr(matplotlib.colors.LinearSegmentedColormap, "_init", init)
    tables._red_blue.cache_clear()
    first = tables.percent_shading([50.0, 150.0])
    assert tables.percent_shading([50.0, 150.0]) == first
    assert built == ["RdBu"]
