"""edubalance.report.evidence_form: the Excel form a county fills in with its non-school evidence, read back by edubalance.core.evidence."""
from __future__ import annotations

import openpyxl

from edubalance.core import evidence as ev
from helpers import county_frame


def test_evidence_form_is_written_and_read_back(tmp_path):
    from edubalance.report.evidence_form import write_evidence_form

    schools = county_frame([("primary", 300, 30, 1.0)], name="会宁县", code="620422")
    path = write_evidence_form(tmp_path / "form.xlsx", "quality-2017", schools=schools)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert "会宁县" in str(sheet["A1"].value) or any("会宁县" in str(c.value or "")
                                                   for row in sheet.iter_rows() for c in row)
    assert sheet.data_validations.dataValidation, "value cells are validated"
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "县代码")
    columns = [sheet.cell(header_row, c).value for c in range(1, 9)]
    value_col = columns.index("填报值") + 1
    item_col = columns.index("项目代码") + 1
    filled = {"q02_disabled_enrolment_pct": 96, "veto_key_schools": "否",
              "social_recognition_pct": "88.5%"}
    for row in range(header_row + 1, sheet.max_row + 1):
        item = sheet.cell(row, item_col).value
        if item in filled:
            sheet.cell(row, value_col).value = filled[item]
    book.save(path)
    back = ev.load(path, "quality-2017").set_index("item")["value"].to_dict()
    assert back == {"q02_disabled_enrolment_pct": 96.0, "veto_key_schools": 0.0,
                    "social_recognition_pct": 88.5}
