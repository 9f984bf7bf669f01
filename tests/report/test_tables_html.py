"""The direct HTML of a report table (``Table.to_html``) against pandas' Styler it replaces.

``Table.to_html`` writes the markup itself instead of rendering ``Table.styler()`` through
pandas' jinja templates; the page, its print stylesheet and the browser tests read the same
ids, classes and CSS rules, so the two must give the same text (up to the random table id).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from edubalance.report import tables
from edubalance.report.markup import SCREEN_ONLY
from edubalance.report.tables import MISSING, NO_MATH, Table

TABLE_ID = re.compile(r"T_[0-9a-f]{5}")


def same_id(page: str) -> str:
    return TABLE_ID.sub("T_x", page)


def styler_html(table: Table) -> str:
    """What ``Table.to_html`` gave before: every table through the Styler."""
    if table.frame.empty:
        return table.to_html()
    parts = table.print_parts()
    if len(parts) < 2:
        return table.styler().to_html()
    return (tables.PRINT_PARTS_CSS + SCREEN_ONLY[0]
            + table.styler(extra_class="eb-screen").to_html() + SCREEN_ONLY[1]
            + "".join(part.styler(extra_class="eb-print-part").to_html() for part in parts))


NUMBERS = [1234.5, -0.0001, 0.0, float("nan"), -2.675, 1e21, float("inf"), 0.0004, -1.5]
HOSTILE = ["<b>甲校</b>", "A & B \"q\" 'x'", None, "$x$ > 1", "plain"]


def every_kind_frame() -> tuple[pd.DataFrame, dict]:
    n = len(NUMBERS)
    frame = pd.DataFrame({
        "学校<名>": (HOSTILE * 2)[:n],
        "说明": pd.Series((["长的说明 <i>x</i>", "b"] * n)[:n], dtype="str"),
        **{f"k_{kind}": NUMBERS for kind in ("int", "num", "num1", "num2", "cv", "money",
                                              "pct", "share", "amount", "year", "pvalue")},
        "k_bool": [True, False, None, True, False, np.bool_(True), None, False, True],
        "k_nullable": pd.array([1, None, 3, 4, 5, 6, 7, 8, -9], dtype="Int64"),
        "k_mixed": [1.5, "x<y", None, True, 2, float("nan"), "—", 3.25, -0.0],
        "k_text_number": NUMBERS,
    })
    kinds = {f"k_{kind}": kind for kind in ("int", "num", "num1", "num2", "cv", "money",
                                            "pct", "share", "amount", "year", "pvalue",
                                            "bool")}
    kinds.update({"说明": "wrap", "k_nullable": "int", "k_mixed": "num"})
    return frame, kinds


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_kind_gives_the_stylers_markup(lang):
    frame, kinds = every_kind_frame()
    table = Table(frame, kinds, caption="表 1 <县> & “名”", lang=lang)
    page = table.to_html()
    assert same_id(page) == same_id(styler_html(table))
    # what it says: escaped user text, the missing mark, no nan/None/inf, numbers as people read
    assert "&lt;b&gt;甲校&lt;/b&gt;" in page and "<b>甲校" not in page
    assert "A &amp; B &#34;q&#34; &#39;x&#39;" in page
    assert ">学校&lt;名&gt;</th>" in page and "<caption>表 1 &lt;县&gt; &amp;" in page
    assert ">&lt; 0.001</td>" in page and ">1,234.5</td>" in page
    assert f">{MISSING}</td>" in page
    assert not re.search(r">(nan|None|inf|-0\.0+|True|False)</td>", page)


def test_shading_limits_wrap_and_print_parts_give_the_stylers_markup():
    rows = 25   # more than SHORT_TABLE_ROWS: no eb-short
    rng = np.random.default_rng(7)
    values = rng.uniform(20, 180, size=(rows, 9))
    values[3, 2] = np.nan
    frame = pd.DataFrame({"学校名称": [f"学校{i}<" for i in range(rows)],
                          **{f"指标{j}": values[:, j] for j in range(9)}})
    shading = {f"指标{j}": tables.percent_shading(values[:, j]) for j in range(9)}
    limits = {"指标0": [0.45] * rows}
    frame["指标0"] = 0.4504   # looks equal to its limit at 3 decimals: shown with 4
    table = Table(frame, {f"指标{j}": "pct" for j in range(1, 9)} | {"指标0": "cv"},
                  caption="各校指标", shading=shading, limits=limits, print_columns=4)
    page = table.to_html()
    assert same_id(page) == same_id(styler_html(table))
    assert page.startswith(tables.PRINT_PARTS_CSS) and page.count("<table ") == 4
    assert f'class="eb-table eb-screen eb-wide {NO_MATH}"' in page
    assert f'class="eb-table eb-print-part {NO_MATH}"' in page and "eb-short" not in page
    assert ">0.4504</td>" in page and "font-weight: bold" in page


def test_classes_ids_and_rules():
    table = Table(pd.DataFrame({"学段": ["小学", "初中"], "人数": [12, 3],
                                "说明": ["a", "b"]}),
                  {"人数": "int", "说明": "wrap"}, caption="表")
    page = table.to_html()
    table_id = re.search(r'<table id="T_([0-9a-f]{5})"', page).group(1)
    assert f'class="eb-table eb-short {NO_MATH}"' in page
    assert (f'<td id="T_{table_id}_row1_col1" class="data row1 col1" >3</td>') in page
    assert (f'<th id="T_{table_id}_level0_col2" class="col_heading level0 col2" >说明</th>'
            in page)
    assert (f"#T_{table_id}_row0_col1, #T_{table_id}_row1_col1 {{\n  text-align: right;\n"
            "  white-space: nowrap;\n}\n") in page
    assert f"#T_{table_id}_row0_col2, #T_{table_id}_row1_col2 {{\n  white-space: normal;\n" \
        in page
    # every table of a page gets its own id (its CSS rules name it), as from the Styler
    ids = {re.search(r'<table id="T_([0-9a-f]{5})"', table.to_html()).group(1)
           for _ in range(20)}
    assert len(ids) > 1


def test_number_column_is_format_value():
    numbers = np.array(NUMBERS + [0.125, 2.5, -0.005, 999.95, 1e-9, -1e15, 0.0009999])
    for kind in ("int", "num", "num1", "num2", "cv", "money", "pct", "share", "amount",
                 "year", "pvalue"):
        expected = [tables.format_value(v, kind).replace("<", "&lt;") for v in numbers]
        assert tables._number_column(numbers, kind, tables._DIGITS[kind]) == expected, kind


def test_tables_the_styler_would_trim_or_cannot_match_go_through_it(monkeypatch):
    calls = []
    real = Table.styler

    def counted(self, **options):
        calls.append(1)
        return real(self, **options)

    monkeypatch.setattr(Table, "styler", counted)
    frame = pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})
    Table(frame, {"a": "num"}).to_html()
    assert not calls
    Table(frame.set_axis(pd.MultiIndex.from_tuples([("p", "a"), ("p", "b")]), axis=1)).to_html()
    assert len(calls) == 1
    with pd.option_context("styler.render.max_elements", 3):
        page = Table(frame, {"a": "num"}).to_html()
    assert len(calls) == 2 and "col_trim" in page   # trimmed by the Styler, as before


def test_notebook_display_is_the_html_and_a_short_text():
    frame, kinds = every_kind_frame()
    table = Table(frame, kinds, caption="表 2")
    bundle = table._repr_mimebundle_()
    assert same_id(bundle["text/html"]) == same_id(table.to_html())
    assert bundle["text/plain"] == "Table('表 2', 9 x 17)"
    empty = Table(pd.DataFrame({"a": []}), caption="表 3", empty="没有。")
    assert empty._repr_mimebundle_()["text/html"] == empty.to_html()


@pytest.fixture(scope="module")
def scored():
    import edubalance as eb

    schools = eb.io.load.load_schools("data/sample/schools.csv")
    return schools, eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_county_reports_tables_are_the_stylers(scored, lang):
    import edubalance as eb

    schools, result = scored
    report = eb.report.county_report.build(schools, result, "大武口区", 2017, lang=lang)
    shown = list(report.tables.values()) + [
        eb.report.county_report.school_items_table(result, report.county_code, 2017, level,
                                                   county_name=report.county_name, lang=lang)
        for level in report.levels]
    assert len(shown) >= 8 and any(table.shading for table in shown)
    for table in shown:
        assert same_id(table.to_html()) == same_id(styler_html(table)), table.caption
