"""edubalance.report.xlsx: the results workbook (one sheet per table, titles above, numbers
kept as numbers with their kind's format, text that cannot run as a formula)."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from edubalance.report.tables import Table
from edubalance.report.xlsx import write_workbook


def test_each_table_is_a_sheet_of_numbers_under_its_title(tmp_path):
    schools = Table(pd.DataFrame({"school_name": ["甲小学", "=HYPERLINK(\"x\")"],
                                  "students": [1234, 56], "cv": [0.41234, None]}),
                    kinds={"students": "int", "cv": "num2"}, caption="学校",
                    title=("灵武市2017年", "基本均衡"))
    other = Table(pd.DataFrame({"a": [1.5]}), kinds={"a": "num1"}, caption="x")
    path = write_workbook(tmp_path / "results.xlsx", {"学校": schools, "其他": other})
    assert path == tmp_path / "results.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["学校", "其他"]
    sheet = book["学校"]
    assert [sheet.cell(1, 1).value, sheet.cell(2, 1).value, sheet.cell(3, 1).value] == \
        ["灵武市2017年", "基本均衡", None]
    header = [c.value for c in sheet[4]]
    assert header == ["school_name", "students", "cv"]
    assert sheet.cell(5, 2).value == 1234 and isinstance(sheet.cell(5, 3).value, float)
    assert sheet.cell(6, 3).value is None                  # missing stays empty, not "nan"
    assert sheet.cell(6, 1).value == "'=HYPERLINK(\"x\")"  # text, not a formula
    assert sheet.freeze_panes == "A5"
    assert book["其他"].cell(1, 1).value == "a" and book["其他"].cell(2, 1).value == 1.5


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "x:y", "[1]"])
def test_sheet_names_excel_refuses_are_refused_before_writing(tmp_path, name):
    table = Table(pd.DataFrame({"a": [1]}), kinds={}, caption="x")
    with pytest.raises(ValueError, match="not allowed in Excel"):
        write_workbook(tmp_path / "r.xlsx", {name: table})
    assert not (tmp_path / "r.xlsx").exists()


def test_a_workbook_needs_a_sheet(tmp_path):
    with pytest.raises(ValueError, match="at least one sheet"):
        write_workbook(tmp_path / "r.xlsx", {})


def test_column_widths_follow_the_widest_cell_header_included(tmp_path):
    # Each column's width is its widest cell (CJK characters count double, numbers as
    # written with three decimals), header included, plus 2, between 8 and 60.
    frame = pd.DataFrame({
        "学校": ["大武口区第一小学", "甲", None],                      # 16 -> 18
        "a long english header": [1.5, 2.25, 3.0],                    # header 21 -> 23
        "金额": [1234567.5, 2.0, float("nan")],                        # "1,234,567.500" -> 15
        "合格": [True, False, True],                                   # header 4 -> 8 (minimum)
        "n": [7, 12, 3],                                               # -> 8
        "说明": ["x" * 80, "", ""],                                     # -> 60 (maximum)
    })
    path = write_workbook(tmp_path / "w.xlsx", {"表": Table(frame, {"合格": "bool", "n": "int"})})
    sheet = openpyxl.load_workbook(path)["表"]
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEF"]
    assert widths == [18, 23, 15, 8, 8, 60]
