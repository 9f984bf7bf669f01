"""edubalance.io.form: schools written as an official form (Chinese headers, a two-row header
over enrolment and classes, Chinese vocabularies), read back by the loader as they were."""
from __future__ import annotations

import openpyxl
import pandas as pd

import edubalance as eb
from edubalance.io.form import write_school_form
from helpers import valid_schools


def test_a_form_reads_back_as_the_schools_written(tmp_path):
    schools = valid_schools().assign(county_code="640202")
    schools.loc[0, "school_name"] = "=1+1 小学"
    path = write_school_form(schools, tmp_path / "form.xlsx", title="表一 学校情况")
    assert path == tmp_path / "form.xlsx"
    sheet = openpyxl.load_workbook(path)["学校"]
    assert sheet.cell(1, 1).value == "表一 学校情况"
    cells = {str(c.value) for row in sheet.iter_rows(max_row=4) for c in row if c.value}
    assert {"在校生数", "班数", "小学", "初中"} <= cells                 # the two-row header
    assert "'=1+1 小学" in {str(c.value) for row in sheet.iter_rows() for c in row}
    back = eb.io.load.load_schools(path)
    assert back["school_id"].tolist() == schools["school_id"].tolist()
    assert back["school_type"].tolist() == ["primary", "junior", "nine_year"]
    for column in ("students_primary", "classes_junior", "books", "teaching_area_m2"):
        pd.testing.assert_series_equal(back[column].astype(float), schools[column].astype(float),
                                       check_names=False)
