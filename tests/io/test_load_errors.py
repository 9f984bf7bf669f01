"""Bad inputs: every problem is reported with file, row, column, value and school id."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from edubalance import schema
from edubalance.io import load as data
from helpers import valid_schools

# Rows as a spreadsheet shows them: header on line 1, schools 001/002/0003 on lines 2/3/4.
LINE = {"001": 2, "002": 3, "0003": 4}
POS = {"001": 0, "002": 1, "0003": 2}


def schools() -> pd.DataFrame:
    """The valid schools as a form has them: Chinese values, years as text, object columns."""
    frame = valid_schools()
    frame["year"] = ["2017"] * 3
    frame["school_type"] = ["小学", "初中", "九年一贯制学校"]
    frame["urban_rural"] = ["城区", "镇区", "乡村"]
    return frame.astype(object)


def write(tmp_path, frame: pd.DataFrame, name="schools.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def load_error(path, **kwargs) -> data.DataError:
    with pytest.raises(data.DataError) as caught:
        data.load_table(path, **kwargs)
    assert isinstance(caught.value, ValueError)
    return caught.value


# (case id, edits {(school, column): value}, expected (school, column, value shown, fragment))
CELL_CASES = [
    ("text in count", {("002", "teachers"): "abc"}, ("002", "teachers", "abc", "not a number")),
    ("negative count", {("001", "books"): -5}, ("001", "books", "-5", "negative")),
    ("negative measure", {("0003", "teaching_area_m2"): -1.5},
     ("0003", "teaching_area_m2", "-1.5", "negative")),
    ("blank teachers", {("0003", "teachers"): None}, ("0003", "teachers", None, "blank count")),
    ("blank books", {("002", "books"): None}, ("002", "books", None, "not zero")),
    ("blank applicable section", {("001", "students_primary"): None},
     ("001", "students_primary", None, "blank count")),
    ("blank measure", {("001", "sports_area_m2"): None},
     ("001", "sports_area_m2", None, "blank value")),
    ("zero enrolment", {("001", "students_primary"): 0, ("001", "classes_primary"): 0},
     ("001", "students_primary", "0.0", "total enrolment is 0")),
    ("duplicate id", {("002", "school_id"): "001"}, ("001", "school_id", "001",
                                                     "duplicate school id in county 040202")),
    ("more teachers than students", {("001", "teachers"): 301},
     ("001", "teachers", "301", "more teachers (301) than students (300)")),
    ("above degree > teachers", {("002", "teachers_above_degree"): 36},
     ("002", "teachers_above_degree", "36", "exceeds teachers (35)")),
    ("mid title > teachers", {("001", "teachers_mid_title"): 21},
     ("001", "teachers_mid_title", "21", "exceeds teachers (20)")),
    ("backbone > teachers", {("0003", "teachers_backbone"): 31},
     ("0003", "teachers_backbone", "31", "exceeds teachers")),
    ("pe arts > teachers", {("0003", "teachers_pe_arts"): 99},
     ("0003", "teachers_pe_arts", "99", "exceeds teachers")),
    ("unknown school type", {("002", "school_type"): "高中"},
     ("002", "school_type", "高中", "unknown school_type")),
    ("unknown urban_rural", {("001", "urban_rural"): "山区"},
     ("001", "urban_rural", "山区", "unknown urban_rural")),
    ("primary with junior students", {("001", "students_junior"): 50, ("001", "classes_junior"): 2},
     ("001", "students_junior", "50", "a 小学 (primary) school has junior students")),
    ("junior with primary classes",
     {("002", "classes_primary"): 3, ("002", "students_primary"): 60},
     ("002", "classes_primary", "3", "has primary classes")),
    ("fractional count", {("001", "students_primary"): "300.5"},
     ("001", "students_primary", "300.5", "not a whole number")),
    ("blank school id", {("002", "school_id"): None}, (None, "school_id", None, "blank school_id")),
    ("blank county code", {("001", "county_code"): None}, ("001", "county_code", None, "blank")),
    ("blank school name", {("0003", "school_name"): None}, ("0003", "school_name", None, "blank")),
    ("blank school type", {("0003", "school_type"): None}, ("0003", "school_type", None, "blank")),
    ("blank year", {("001", "year"): None}, ("001", "year", None, "blank year")),
    ("school year range", {("002", "year"): "2017-2018"},
     ("002", "year", "2017-2018", "four-digit year")),
    ("students without classes", {("0003", "classes_junior"): 0},
     ("0003", "classes_junior", "0", "0 classes but junior students")),
    ("classes without students", {("0003", "students_junior"): 0},
     ("0003", "classes_junior", "4", "junior classes but no junior students")),
    ("ambiguous comma", {("002", "equipment_value_cny"): "1,10"},
     ("002", "equipment_value_cny", "1,10", "not a number")),
    ("infinite value", {("001", "computers"): "inf"}, ("001", "computers", "inf", "not a number")),
    ("unit in cell", {("002", "computers"): "60台"}, ("002", "computers", "60台", "not a number")),
    ("full-width non-number", {("001", "books"): "９千"}, ("001", "books", "９千", "not a number")),
    ("complete middle with primary pupils",
     {("002", "school_type"): "完全中学", ("002", "students_primary"): 10,
      ("002", "classes_primary"): 1},
     ("002", "students_primary", "10", "complete_middle")),
]


@pytest.mark.parametrize("edits, expected", [c[1:] for c in CELL_CASES],
                         ids=[c[0] for c in CELL_CASES])
def test_cell_problem_is_named(tmp_path, edits, expected):
    frame = schools()
    for (school, column), value in edits.items():
        frame.loc[POS[school], column] = value
    error = load_error(write(tmp_path, frame), kind="schools")
    school, column, value, fragment = expected
    row = LINE[school] if school else LINE["002"]
    if fragment.startswith("duplicate"):
        row = LINE["002"]  # the second occurrence is the one reported
    matches = [p for p in error.problems if p.row == row and p.column == column
               and fragment in p.message]
    assert matches, f"no problem at row {row}, column {column} with {fragment!r}:\n{error}"
    problem = matches[0]
    assert problem.file == "schools.csv"
    assert problem.school_id == (school if school else None)
    text = str(error)
    assert text.startswith("schools.csv: ")
    assert f"row {row}, column '{column}'" in text
    if school:
        assert f"school {school}" in text
    if value is not None:
        assert str(problem.value) == value
        assert repr(value) in text


def test_chinese_header_is_shown_next_to_canonical_name(tmp_path):
    frame = schools()
    frame.loc[1, "teachers"] = "x"
    frame = frame.rename(columns={c: schema.SCHOOL_HEADER_ALIASES[c][0] for c in frame.columns})
    error = load_error(write(tmp_path, frame))
    assert "row 3, column '专任教师数 (teachers)', school 002: not a number (value 'x')" in str(error)


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    frame = schools()
    frame.loc[0, "books"] = -1
    frame.loc[1, "urban_rural"] = "山区"
    frame.loc[2, "teachers_pe_arts"] = "?"
    error = load_error(write(tmp_path, frame))
    assert error.total == 3
    assert [(p.row, p.column) for p in error.problems] == [
        (2, "books"), (3, "urban_rural"), (4, "teachers_pe_arts")]


def test_problems_are_capped_with_a_count_of_the_rest(tmp_path):
    frame = pd.concat([schools().iloc[[0]]] * 60, ignore_index=True)
    frame["school_id"] = [f"{i:03d}" for i in range(60)]
    frame["books"] = "many"
    error = load_error(write(tmp_path, frame))
    assert error.total == 60 and len(error.problems) == 50
    assert str(error).endswith("... and 10 more")
    assert "schools.csv: 60 problems" in str(error)
    smaller = load_error(write(tmp_path, frame), max_problems=5)
    assert len(smaller.problems) == 5 and "... and 55 more" in str(smaller)


def test_missing_columns_are_listed_together(tmp_path):
    frame = schools().drop(columns=["teachers", "books", "urban_rural"])
    error = load_error(write(tmp_path, frame), kind="schools")
    text = str(error)
    assert "missing required columns: urban_rural (城乡类型), teachers (专任教师数), books (图书册数)" \
        in text
    assert error.problems[0].row == 1


def test_two_columns_for_one_canonical_name(tmp_path):
    frame = schools()
    frame.insert(4, "学校代码", frame["school_id"])
    error = load_error(write(tmp_path, frame))
    assert "row 1, column '学校代码 (school_id)'" in str(error)
    assert "two columns give 'school_id'" in str(error)


def test_problem_as_dict_has_all_fields(tmp_path):
    frame = schools()
    frame.loc[1, "books"] = -3
    problem = load_error(write(tmp_path, frame)).problems[0]
    assert problem.to_dict() == {
        "file": "schools.csv", "message": "negative value", "sheet": None, "row": 3,
        "column": "books", "header": "books", "value": "-3", "school_id": "002"}


def test_rows_counted_as_in_the_spreadsheet_with_title_and_two_row_header(tmp_path):
    # Title on line 1, header on lines 2-3: the first school is on line 4.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表一"
    sheet.append(["学校基本情况统计表"])
    columns = [c for c in schools().columns]
    upper = [("在校生数" if c == "students_primary" else None if c == "students_junior"
              else schema.SCHOOL_HEADER_ALIASES[c][0]) for c in columns]
    lower = [("小学" if c == "students_primary" else "初中" if c == "students_junior" else None)
             for c in columns]
    sheet.append(upper)
    sheet.append(lower)
    frame = schools()
    frame.loc[1, "teachers"] = -2
    for record in frame.itertuples(index=False):
        sheet.append(list(record))
    path = tmp_path / "schools.xlsx"
    book.save(path)
    error = load_error(path)
    assert str(error).startswith("schools.xlsx, sheet '表一': 1 problem")
    assert "row 5, column '专任教师数 (teachers)', school 002: negative value" in str(error)
    assert error.problems[0].sheet == "表一"


# ------------------------------------------------------------------------------ counties
def test_county_duplicates_and_non_numbers(tmp_path):
    path = tmp_path / "counties.csv"
    path.write_text("county_code,county_name,year,spending\n"
                    "640202,大武口区,2017,1.5\n640202,大武口区,2017,2\n640205,惠农区,2017,abc\n"
                    "640206,x,2017,3\n", encoding="utf-8")
    error = load_error(path, kind="counties")
    text = str(error)
    assert "row 3, column 'county_code': duplicate county and year (value '640202')" in text
    assert "row 4, column 'spending': not a number (value 'abc')" in text


def test_county_missing_keys(tmp_path):
    path = tmp_path / "counties.csv"
    path.write_text("名称,spending\na,1\n", encoding="utf-8")
    assert "missing required columns: county_code (县代码), county_name (县名称), year (年份)" \
        in str(load_error(path, kind="counties"))


# ------------------------------------------------------------------------------ roster
def test_roster_problems_name_row_and_value(tmp_path):
    path = tmp_path / "teachers.csv"
    path.write_text(
        "学校代码,姓名,出生年月,性别,民族,籍贯,学历,教师资格,职称,任职岗位,备注\n"
        "001,王某华,1972.01,男,汉,宁夏中宁,专科,小学,一级,语文,\n"
        "001,李某明,19x2,女,汉,宁夏中宁,本科,小学,二级,数学,\n"
        "002,张某丽,1985.13,女,回,宁夏西吉,大学肄业,小学,讲师,,\n", encoding="utf-8")
    text = str(load_error(path))
    assert "row 3, column '出生年月', school 001: birth date not understood" in text
    assert "(value '19x2')" in text
    assert "row 4, column '出生年月', school 002" in text  # month 13
    assert "row 4, column '学历', school 002: unknown degree" in text
    assert "row 4, column '职称', school 002: unknown professional title" in text
    assert "row 4, column '任职岗位', school 002: blank post" in text


# ------------------------------------------------------------------------------ files
def _csv_bytes() -> bytes:
    return schools().to_csv(index=False).encode("utf-8")


def _xlsx_bytes(tmp_path) -> bytes:
    path = tmp_path / "real.xlsx"
    schools().to_excel(path, index=False)
    return path.read_bytes()


def _parquet_bytes(tmp_path) -> bytes:
    path = tmp_path / "real.parquet"
    schools().to_parquet(path)
    return path.read_bytes()


FILE_CASES = [
    ("empty", "s.csv", lambda t: b"", "file is empty"),
    ("only spaces", "s.csv", lambda t: b" \n\n  \n", "file is empty"),
    ("header only", "s.csv", lambda t: _csv_bytes().split(b"\n")[0] + b"\n",
     "no data rows below the header"),
    ("only totals row", "s.csv",
     lambda t: _csv_bytes().split(b"\n")[0] + "\n,,,,合计\n".encode(), "no data rows"),
    ("json", "s.json", lambda t: b"{}", "unsupported file type '.json'"),
    ("no suffix", "schools", lambda t: _csv_bytes(), "unsupported file type '(none)'"),
    ("old xls", "s.xls", lambda t: b"\xd0\xcf\x11\xe0" + b"\0" * 100,
     "not a readable .xls workbook"),
    ("csv named xlsx", "s.xlsx", lambda t: _csv_bytes(),
     "named '.xlsx' but its content is plain text (CSV), not an Excel workbook"),
    ("xlsx named csv", "s.csv", _xlsx_bytes, "named '.csv' but its content is an Excel workbook"),
    ("parquet named csv", "s.csv", _parquet_bytes, "content is a Parquet file"),
    ("csv named parquet", "s.parquet", lambda t: _csv_bytes(), "content is plain text"),
    ("xls named xlsx", "s.xlsx", lambda t: b"\xd0\xcf\x11\xe0" + b"\0" * 100,
     "old Excel 97-2003"),
    ("zip that is no workbook", "s.xlsx", lambda t: b"PK\x03\x04" + b"\0" * 50,
     "not a readable Excel workbook"),
    ("corrupt parquet", "s.parquet", lambda t: b"PAR1" + b"\x01" * 40,
     "not a readable Parquet file"),
    ("unreadable encoding", "s.csv", lambda t: bytes([0x80, 0xFF, 0xFE, 0x81, 0x20, 0x90]) * 20,
     "unreadable text encoding"),
    ("binary", "s.csv", lambda t: b"a,b\n\x00\x01\x02,1\n", "binary data"),
]


@pytest.mark.parametrize("name, content, fragment", [c[1:] for c in FILE_CASES],
                         ids=[c[0] for c in FILE_CASES])
def test_bad_files_are_rejected_by_name(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    error = load_error(path, kind="schools")
    assert fragment in str(error)
    assert str(error).startswith(name)


def test_missing_file_and_folder(tmp_path):
    assert "file not found" in str(load_error(tmp_path / "nope.csv"))
    assert "is a folder" in str(load_error(tmp_path))


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(_xlsx_bytes(tmp_path))
    assert "no sheet named '2018' (sheets: Sheet1)" in str(load_error(path, sheet="2018"))


def test_bad_arguments_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="kind must be"):
        data.load_table(tmp_path / "x.csv", kind="pupils")
    with pytest.raises(ValueError, match="max_problems"):
        data.load_table(tmp_path / "x.csv", max_problems=0)


def test_loaded_counts_are_integers_after_cleaning(tmp_path):
    # Guard against silently turning a blank count into 0 where the section exists.
    frame = schools()
    frame.loc[2, "students_junior"] = None
    error = load_error(write(tmp_path, frame))
    assert [p.column for p in error.problems] == ["students_junior"]
    assert np.isnan(np.nan)  # keep numpy imported for readers comparing values


def test_did_you_mean_offers_close_names_once_and_in_a_mapping_the_target():
    from edubalance.errors import did_you_mean

    assert did_you_mean(["booksx", "bookz"], ["books", "computers"]) == "; did you mean books?"
    assert did_you_mean("初 中", {"初中": "junior", "小学": "primary"}) == "; did you mean junior?"
    assert did_you_mean("QUALITY-2018", ["quality-2017"]) == "; did you mean quality-2017?"
    assert did_you_mean("nothing alike", ["books"]) == ""
