"""edubalance.report.teacher_tables: the teacher structure's tables (per county, and the
roster against the schools' own table), in both languages."""
from __future__ import annotations

import pandas as pd
import pytest

from edubalance.analysis import teachers
from edubalance.report import teacher_tables
from figure_checks import check_moved_name, undocumented


def test_county_table_one_row_per_indicator_counts_grouped_shares_as_percent():
    counties = pd.DataFrame({"county_code": ["640202", "640205"], "county_name": ["甲县", "乙县"],
                             "teachers": [1234, 56], "cross_subject_share": [0.125, 0.5]})
    shown = teacher_tables.county_table(counties, "en").display_frame()
    assert shown.columns.tolist()[1:] == ["甲县", "乙县"]
    assert shown.iloc[:, 1:].to_numpy().tolist() == [["1,234", "56"], ["12.5%", "50.0%"]]
    chinese = teacher_tables.county_table(counties).display_frame()
    assert chinese.iloc[:, 0].tolist() == ["专任教师数", "兼职比例"]


def test_county_table_names_counties_by_code_without_a_name_column():
    counties = pd.DataFrame({"county_code": ["640202"], "teachers": [7]})
    assert teacher_tables.county_table(counties, "en").display_frame().columns.tolist()[1:] == \
        ["640202"]


def test_discrepancy_table_shows_the_first_rows_with_statuses_in_lang():
    rows = pd.DataFrame({"school_id": [f"{i:03d}" for i in range(5)], "status": ["differs"] * 5,
                         "column": ["teachers"] * 5, "roster": [3] * 5, "table": [4] * 5,
                         "difference": [-1] * 5})
    english = teacher_tables.discrepancy_table(rows, "en", top=2).display_frame()
    assert len(english) == 2 and english.iloc[:, 0].tolist() == ["000", "001"]
    assert english.iloc[0, 3:].tolist() == ["3", "4", "-1"]
    chinese = teacher_tables.discrepancy_table(rows, "zh").display_frame()
    assert len(chinese) == 5 and chinese.iloc[0, 1] != english.iloc[0, 1]


@pytest.mark.parametrize(("old", "new"), [("county_table", teacher_tables.county_table),
                                          ("discrepancy_table", teacher_tables.discrepancy_table)])
def test_an_old_name_in_analysis_warns_and_is_the_new_function(old, new):
    check_moved_name(teachers, old, new)


def test_every_public_callable_documents_its_parameters():
    assert not (missing := undocumented(["edubalance.report.teacher_tables"])), missing
