"""Loaders: every file format and encoding, Chinese headers, cleaning, round trips."""
from __future__ import annotations

import logging

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edubalance import schema
from edubalance.io import load as data
from helpers import valid_schools

CHINESE = {c: schema.SCHOOL_HEADER_ALIASES[c][0] for c in schema.SCHOOL_COLUMNS}
TYPE_ZH = {"primary": "小学", "junior": "初中", "nine_year": "九年一贯制学校"}
AREA_ZH = {"urban": "城区", "town": "镇区", "rural": "乡村"}


def schools() -> pd.DataFrame:
    """Three valid schools (primary, junior, nine-year) in canonical columns."""
    return valid_schools()


def chinese(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table as an official form would have it: Chinese headers and values."""
    out = frame.assign(school_type=frame["school_type"].map(TYPE_ZH),
                       urban_rural=frame["urban_rural"].map(AREA_ZH))
    return out.rename(columns=CHINESE)


def assert_same_schools(loaded: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(loaded.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(loaded.astype(object), expected.astype(object),
                                  check_dtype=False)
    for column in schema.COUNT_COLUMNS:
        assert loaded[column].dtype == np.int64, column
    for column in schema.MEASURE_COLUMNS:
        assert loaded[column].dtype == np.float64, column
    assert loaded["school_id"].map(type).eq(str).all()


# ------------------------------------------------------------------------------ encodings
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_with_chinese_headers_in_each_encoding(tmp_path, encoding):
    path = tmp_path / "schools.csv"
    path.write_bytes(chinese(schools()).to_csv(index=False).encode(encoding))
    assert_same_schools(data.load_schools(path), schools())


def test_gb18030_only_characters_are_read(tmp_path):
    # 𠀀 (U+20000) exists in GB18030 but not in GBK: a GBK-only reader would fail.
    frame = schools().assign(school_name=["𠀀小学", "乙中学", "丙学校"])
    path = tmp_path / "schools.csv"
    path.write_bytes(chinese(frame).to_csv(index=False).encode("gb18030"))
    loaded = data.load_schools(path)
    assert loaded.loc[0, "school_name"] == "𠀀小学"
    assert any("GB18030" in note for note in loaded.attrs["cleaning_log"])


def test_canonical_english_headers_and_values(tmp_path):
    path = tmp_path / "schools.csv"
    schools().to_csv(path, index=False)
    assert_same_schools(data.load_schools(path), schools())


def test_tab_separated_text(tmp_path):
    path = tmp_path / "schools.txt"
    path.write_text(chinese(schools()).to_csv(index=False, sep="\t"), encoding="utf-8")
    assert_same_schools(data.load_schools(path), schools())


def test_parquet(tmp_path):
    path = tmp_path / "schools.parquet"
    schools().to_parquet(path, index=False)
    assert_same_schools(data.load_schools(path), schools())


def test_parquet_numeric_ids_become_text(tmp_path):
    path = tmp_path / "schools.parquet"
    schools().assign(county_code=640202, school_id=[1, 2, 3]).to_parquet(path, index=False)
    loaded = data.load_schools(path)
    assert loaded["county_code"].tolist() == ["640202"] * 3
    assert loaded["school_id"].tolist() == ["1", "2", "3"]


def test_optional_columns_kept_and_unknown_dropped(tmp_path):
    frame = schools().assign(prefecture="石嘴山市", students_senior=0, classes_senior=0,
                             备注="x")
    path = tmp_path / "schools.csv"
    frame.rename(columns={"prefecture": "地级市", "students_senior": "高中在校生数"}).to_csv(
        path, index=False)
    loaded = data.load_schools(path)
    assert loaded.columns.tolist() == schema.SCHOOL_COLUMNS + [
        "students_senior", "classes_senior", "prefecture"]
    assert loaded["prefecture"].eq("石嘴山市").all()
    assert any("备注" in note for note in loaded.attrs["cleaning_log"])


# ------------------------------------------------------------------------------ Excel
def two_row_header_book(path, title: str | None = None, sheet_title="学校",
                        extra_first_sheet: bool = False):
    """An official-form-like workbook: 在校生数 and 班数 merged over 小学 / 初中."""
    book = openpyxl.Workbook()
    if extra_first_sheet:
        notes = book.active
        notes.title = "填表说明"
        notes.append(["本表由学校填写,数据截至9月1日"])
        sheet = book.create_sheet(sheet_title)
    else:
        sheet = book.active
        sheet.title = sheet_title
    if title:
        sheet.append([title])
    top = sheet.max_row + 1 if title else 1
    frame = chinese(schools())
    upper, lower = [], []
    for column in frame.columns:
        canonical = schema.SCHOOL_COLUMNS[list(frame.columns).index(column)]
        if canonical in ("students_primary", "classes_primary"):
            upper.append("在校生数" if canonical.startswith("students") else "班数")
            lower.append("小学")
        elif canonical in ("students_junior", "classes_junior"):
            upper.append(None)
            lower.append("初中")
        else:
            upper.append(column)
            lower.append(None)
    for c, value in enumerate(upper, start=1):
        sheet.cell(row=top, column=c, value=value)
    for c, value in enumerate(lower, start=1):
        sheet.cell(row=top + 1, column=c, value=value)
    for c, (u, lo) in enumerate(zip(upper, lower, strict=True), start=1):
        if u and not lo:
            sheet.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
        elif u and lo:
            sheet.merge_cells(start_row=top, start_column=c, end_row=top, end_column=c + 1)
    for record in frame.itertuples(index=False):
        sheet.append(list(record))
    book.save(path)
    return top + 2  # line of the first data row


def test_xlsx_two_row_merged_header(tmp_path):
    path = tmp_path / "schools.xlsx"
    first_data_line = two_row_header_book(path)
    assert first_data_line == 3
    loaded = data.load_schools(path)
    assert_same_schools(loaded, schools())


def test_xlsx_title_row_above_two_row_header(tmp_path):
    path = tmp_path / "schools.xlsx"
    two_row_header_book(path, title="宁夏回族自治区义务教育均衡发展督导评估用表 表一")
    assert_same_schools(data.load_schools(path), schools())


def test_xlsx_first_matching_sheet_is_chosen(tmp_path):
    path = tmp_path / "schools.xlsx"
    two_row_header_book(path, extra_first_sheet=True)
    loaded = data.load_schools(path)
    assert_same_schools(loaded, schools())
    assert "sheet '学校'" in loaded.attrs["source"]


def test_xlsx_sheet_argument(tmp_path):
    path = tmp_path / "schools.xlsx"
    with pd.ExcelWriter(path) as writer:
        schools().to_excel(writer, sheet_name="2016", index=False)
        schools().assign(year=2018).to_excel(writer, sheet_name="2018", index=False)
    assert data.load_schools(path)["year"].eq(2017).all()
    assert data.load_schools(path, sheet="2018")["year"].eq(2018).all()


def test_xlsx_numeric_cells_and_text_ids(tmp_path):
    # Ids written as text keep their zeros; integer-valued floats read as whole numbers.
    path = tmp_path / "schools.xlsx"
    frame = schools().astype({"books": float})
    frame.to_excel(path, index=False)
    assert_same_schools(data.load_schools(path), schools())


# ------------------------------------------------------------------------------ cleaning
def write_lines(tmp_path, lines, name="schools.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def csv_lines(frame: pd.DataFrame) -> list[str]:
    return frame.to_csv(index=False).strip("\n").split("\n")


def test_full_width_digits_thousands_spaces_blank_and_totals_rows(tmp_path, caplog):
    lines = csv_lines(chinese(schools()))
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("图书册数")] = '"9,000"'
    row[header.index("专任教师数")] = "２０"
    row[header.index("教学及辅助用房面积")] = "１５００．５"
    row[header.index("学校名称")] = "  甲小学\u3000"
    row[header.index("学校代码")] = "００１"
    lines[1] = ",".join(row)
    totals = ["", "", "", "", "合 计"] + [""] * (len(header) - 5)
    lines = lines[:2] + ["," * (len(header) - 1)] + lines[2:] + [",".join(totals), ""]
    path = write_lines(tmp_path, lines)
    with caplog.at_level(logging.INFO, logger="edubalance.io.load"):
        loaded = data.load_schools(path)
    assert_same_schools(loaded, schools())
    log = "\n".join(loaded.attrs["cleaning_log"])
    assert "thousands separators in 1 cell(s): rows 2" in log
    assert "full-width digits in 1 cell(s): rows 2" in log  # teachers
    assert "dropped 2 blank row(s): rows 3, 7" in log
    assert "dropped 1 totals row(s) (合计/总计/小计): rows 6" in log
    assert "surrounding spaces" in log
    assert "学校代码' (school_id): converted full-width characters" in log
    assert "thousands separators" in caplog.text and "edubalance.io.load" in caplog.text


def test_blank_counts_of_missing_sections_are_zero(tmp_path):
    frame = schools().astype(object)
    frame.loc[0, ["students_junior", "classes_junior"]] = None  # a primary school
    frame.loc[1, ["students_primary", "classes_primary"]] = None  # a junior school
    path = tmp_path / "schools.csv"
    frame.to_csv(path, index=False)
    loaded = data.load_schools(path)
    assert_same_schools(loaded, schools())
    assert any("blank taken as 0" in note for note in loaded.attrs["cleaning_log"])


def test_row_order_is_kept(tmp_path):
    frame = schools().iloc[[2, 0, 1]].reset_index(drop=True)
    path = tmp_path / "schools.csv"
    frame.to_csv(path, index=False)
    assert data.load_schools(path)["school_id"].tolist() == ["0003", "001", "002"]


# ------------------------------------------------------------------------------ counties
def test_counties_numeric_where_numeric(tmp_path):
    path = write_lines(tmp_path, [
        "县代码,县名称,年份,地级市,巩固率,basic_balance_reached,note",
        "040202,大武口区,2016,石嘴山市,\"1,234.5\",0,",
        "640205,惠农区,2017年,石嘴山市,,1,达标",
    ], name="counties.csv", encoding="gbk")
    counties = data.load_counties(path)
    assert counties.columns.tolist() == ["county_code", "county_name", "year", "prefecture", "巩固率",
                                         "basic_balance_reached", "note"]
    assert counties["county_code"].tolist() == ["040202", "640205"]
    assert counties["year"].tolist() == [2016, 2017]
    assert counties["巩固率"].iloc[0] == 1234.5 and np.isnan(counties["巩固率"].iloc[1])
    assert counties["basic_balance_reached"].dtype == np.int64
    assert counties["prefecture"].tolist() == ["石嘴山市"] * 2  # 地级市 is a known alias
    assert counties["note"].tolist() == ["", "达标"]


def test_load_table_detects_kind(tmp_path):
    path = tmp_path / "s.csv"
    schools().to_csv(path, index=False)
    assert data.load_table(path).attrs["kind"] == "schools"
    county_path = write_lines(tmp_path, ["county_code,county_name,year", "1,a,2017"], "c.csv")
    assert data.load_table(county_path).attrs["kind"] == "counties"


# ------------------------------------------------------------------------------ round trips
@st.composite
def school_tables(draw):
    n = draw(st.integers(1, 6))
    ids = draw(st.lists(st.from_regex(r"0[0-9]{2,9}", fullmatch=True), min_size=n, max_size=n,
                        unique=True))
    rows = []
    for school_id in ids:
        students = draw(st.integers(1, 5000))
        teachers = draw(st.integers(0, min(students, 300)))
        rows.append({
            "county_code": draw(st.sampled_from(["000001", "640202", "0640"])),
            "county_name": draw(st.text("甲乙丙县区市", min_size=1, max_size=5)),
            "year": draw(st.integers(2000, 2030)), "school_id": school_id,
            "school_name": draw(st.text("甲乙丙丁小学中心校", min_size=1, max_size=8)),
            "school_type": "primary", "urban_rural": draw(st.sampled_from(schema.URBAN_RURAL)),
            "students_primary": students, "students_junior": 0,
            "classes_primary": draw(st.integers(1, 100)), "classes_junior": 0,
            "teachers": teachers,
            **{c: draw(st.integers(0, teachers)) for c in
               ["teachers_above_degree", "teachers_mid_title", "teachers_backbone",
                "teachers_pe_arts"]},
            **{c: draw(st.floats(0, 1e8, allow_nan=False, allow_infinity=False))
               for c in schema.MEASURE_COLUMNS},
            **{c: draw(st.integers(0, 10**7)) for c in
               ["computers", "multimedia_classrooms", "books"]},
        })
    return pd.DataFrame(rows)[schema.SCHOOL_COLUMNS]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=school_tables(), fmt=st.sampled_from(["csv", "parquet", "gbk-csv"]))
def test_written_table_round_trips(tmp_path, table, fmt):
    path = tmp_path / ("s.parquet" if fmt == "parquet" else "s.csv")
    if fmt == "parquet":
        table.to_parquet(path, index=False)
    else:
        path.write_bytes(table.to_csv(index=False).encode("gbk" if fmt == "gbk-csv" else "utf-8"))
    # Random codes, names and amounts are not plausible bureau data (issue 13's rules).
    loaded = data.load_schools(path, allow="all")
    assert loaded["school_id"].tolist() == table["school_id"].tolist()
    assert loaded["county_code"].tolist() == table["county_code"].tolist()
    pd.testing.assert_frame_equal(loaded.astype(object), table.astype(object), check_dtype=False)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=5),
       codes=st.lists(st.from_regex(r"[0-9]{1,8}", fullmatch=True), min_size=5, max_size=5,
                      unique=True))
def test_county_table_round_trips(tmp_path, values, codes):
    table = pd.DataFrame({"county_code": codes[:len(values)], "county_name": "县",
                          "year": 2017, "spending": values})
    for path in (tmp_path / "c.csv", tmp_path / "c.parquet"):
        table.to_parquet(path, index=False) if path.suffix == ".parquet" \
            else table.to_csv(path, index=False)
        loaded = data.load_counties(path)
        assert loaded["county_code"].tolist() == table["county_code"].tolist()
        np.testing.assert_array_equal(loaded["spending"].to_numpy(float), np.asarray(values))


# ---------------------------------------------------------------------- writing a form
def test_school_form_round_trips_through_the_loader(tmp_path):
    frame = schools().assign(prefecture="石嘴山市")
    path = data.write_school_form(frame, tmp_path / "表一.xlsx", title="表一 学校办学条件")
    loaded = data.load_schools(path)
    assert_same_schools(loaded[schema.SCHOOL_COLUMNS], schools())
    assert loaded["prefecture"].eq("石嘴山市").all()
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "表一 学校办学条件"
    headers = [cell.value for cell in sheet[2]] + [cell.value for cell in sheet[3]]
    assert {"县代码", "在校生数", "班数", "小学", "初中", "专任教师数"} <= set(headers)
    assert sheet.cell(row=4, column=6).value == "小学"  # school type written in Chinese


def test_school_form_neutralises_formulas_and_leaves_no_partial_file(tmp_path):
    hostile = schools().assign(school_name=["=HYPERLINK(\"http://x\")", "乙中学", "丙学校"])
    path = data.write_school_form(hostile, tmp_path / "form.xlsx")
    assert openpyxl.load_workbook(path).active.cell(row=3, column=5).value.startswith("'=")
    with pytest.raises(ValueError, match="teachers"):
        data.write_school_form(schools().drop(columns="teachers"), tmp_path / "bad.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.xlsx"]
