"""Round 3 of the bureau corpus (issue 30): layouts that fooled the loader, each with its outcome.

Same builders and the same rule as ``test_bureau_files``: a case that loads must equal the
schools it was made from (zero silent wrong values); a case that fails must name what is wrong.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edubalance import schema
from edubalance.errors import DataError
from edubalance.io import load as data
from helpers import assert_problems_named, valid_schools
from tests.io.test_load_bureau_files import (
    Case,
    book,
    corpus_file,
    csv,
    csv_lines,
    expected,
    form,
    has_note,
    lines,
    load_once,
    make,
    report,
    set_cell,
    validate_answers,
)

valid_zh = form()
HEADER = list(valid_zh.columns)
N = len(HEADER)


def zh_row(values: dict) -> str:
    """One CSV line of the form, from canonical values (missing = blank)."""
    zh = {schema.SCHOOL_HEADER_ALIASES[c][0]: v for c, v in values.items()}
    return ",".join("" if zh.get(h) is None else str(zh[h]) for h in HEADER)


def level_total(rows, name: str, school_id: str, school_type: str) -> dict:
    """A subtotal row: the sums of ``rows`` of the source schools, with a name and an id."""
    source = expected().iloc[rows]
    out = {c: source[c].sum() for c in schema.NUMERIC_SCHOOL_COLUMNS}
    out.update(county_code="040202", county_name="大武口区", year=2017, school_id=school_id,
               school_name=name, school_type=school_type, urban_rural="城区")
    for c in schema.MEASURE_COLUMNS:
        out[c] = float(out[c])
    return out


def dropped(reason: str, rows: list[int], text: str | None = None):
    def check(frame):
        entries = [d for d in report(frame)["dropped_rows"] if d["reason"] == reason]
        assert entries, report(frame)["dropped_rows"]
        assert entries[0]["rows"] == rows, entries
        if text is not None:
            assert any(text in t for t in entries[0]["texts"]), entries
    return check


two_primaries = expected().iloc[[0, 2]].assign(school_type="primary",
                                               students_junior=0, classes_junior=0)
two_primaries.loc[2, "school_id"] = "004"
two_primaries_zh = form(pd.concat([two_primaries.iloc[[0]], two_primaries.iloc[[1]].assign(
    students_primary=250, classes_primary=9)]).reset_index(drop=True))
primary_rows = two_primaries_zh.to_csv(index=False).strip("\n").split("\n")


def subtotal_case():
    schools = pd.concat([two_primaries.iloc[[0]], two_primaries.iloc[[1]].assign(
        students_primary=250, classes_primary=9)]).reset_index(drop=True)
    total = {c: schools[c].sum() for c in schema.NUMERIC_SCHOOL_COLUMNS}
    total.update(county_code="040202", county_name="大武口区", year=2017, school_id="040202",
                 school_name="小学合计", school_type="小学", urban_rural="城区")
    return lines(*primary_rows, zh_row(total)), schools


SUBTOTAL_FILE, SUBTOTAL_WANT = subtotal_case()


NO_COUNTY = valid_zh.drop(columns=["县代码", "县名称", "年份"])
FOOTER = {"学校代码": "填表人：张三", "学校类型": "审核人：李四", "小学在校生数": "联系电话：0952-1234567"}
"""A footer over three cells, one of them in a numeric column (小学在校生数)."""
FOOTER_TEXT = "填表人：张三 审核人：李四 联系电话：0952-1234567"


def footer_rows(frame: pd.DataFrame) -> list[list]:
    """The header and rows of ``frame``, an empty row, then :data:`FOOTER`."""
    return [list(frame.columns), *[list(r) for r in frame.itertuples(index=False)], [None],
            [FOOTER.get(c) for c in frame.columns]]


def checks(*each):
    def check(frame):
        for one in each:
            one(frame)
    return check


def junior_and_totals():
    """Two primaries, 小学合计 (county code as id), one junior, 初中合计, 全县合计."""
    schools = SUBTOTAL_WANT
    junior = expected().iloc[[1]]
    primary_total = {c: schools[c].sum() for c in schema.NUMERIC_SCHOOL_COLUMNS}
    primary_total.update(county_code="040202", county_name="大武口区", year=2017,
                         school_id="040202", school_name="小学合计", school_type="小学",
                         urban_rural="城区")
    junior_total = {c: junior[c].sum() for c in schema.NUMERIC_SCHOOL_COLUMNS}
    junior_total.update(county_code="040202", county_name="大武口区", year=2017, school_id="—",
                        school_name="初中小计", school_type="初中", urban_rural="城区")
    both = pd.concat([schools, junior])
    grand = {c: both[c].sum() for c in schema.NUMERIC_SCHOOL_COLUMNS}
    grand.update(county_code="040202", county_name="大武口区", year=2017, school_id="040202",
                 school_name="全县", school_type="", urban_rural="")
    junior_line = form(junior).to_csv(index=False).strip("\n").split("\n")[1]
    build = lines(*primary_rows, zh_row(primary_total), junior_line, zh_row(junior_total),
                  zh_row(grand))
    return build, both.reset_index(drop=True)


LEVELS_FILE, LEVELS_WANT = junior_and_totals()

complete = expected().iloc[[1]].assign(school_type="complete_middle")
complete_zh = form(complete).assign(学校类型="完全中学")
twelve_zh = form(expected().iloc[[2]]).assign(学校类型="十二年一贯制学校")
special = expected().iloc[[0]].assign(school_id="009", school_name="特殊教育学校甲",
                                      school_type="特殊教育学校", students_primary=0,
                                      classes_primary=0)
point = expected().iloc[[0]].assign(school_id="010", school_name="某村教学点",
                                    school_type="教学点", students_primary=12, classes_primary=1,
                                    teachers=2, teachers_above_degree=2, teachers_mid_title=0,
                                    teachers_backbone=0, teachers_pe_arts=0,
                                    teaching_area_m2=120.0, sports_area_m2=300.0,
                                    equipment_value_cny=20000.0, computers=2,
                                    multimedia_classrooms=1, books=600)

TITLE = "大武口区2017年义务教育学校基本情况统计表"


def scaled(**factors) -> pd.DataFrame:
    out = valid_zh.copy()
    for header, factor in factors.items():
        out[header] = [v / factor for v in out[header]]
    return out


def unit_line_book(line: str, frame: pd.DataFrame):
    return book(("学校", [[TITLE], [line], list(frame.columns),
                          *[list(r) for r in frame.itertuples(index=False)]]))


def converted(fragment: str):
    def check(frame):
        text = "\n".join(report(frame)["conversions"])
        assert fragment in text, text
    return check


def styled_book(frame: pd.DataFrame, hidden_rows=(), merge=(), autofilter=False):
    """One sheet from ``frame``; rows hidden (or filtered out), ranges merged as in Excel."""
    def build(path):
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "学校"
        ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            ws.append(list(record))
        for row in hidden_rows:
            ws.row_dimensions[row].hidden = True
        for cells in merge:
            ws.merge_cells(cells)
        if autofilter:
            ws.auto_filter.ref = f"A1:{openpyxl.utils.get_column_letter(N)}{len(frame) + 1}"
        wb.save(path)
    return build


old_copy = pd.concat([valid_zh, valid_zh.iloc[[0]].assign(学校代码="099", 图书册数=1)],
                     ignore_index=True)

def parquet_with(column: str, row: int, value) -> "callable":
    def build(path):
        set_cell(valid_zh, row, column, value).astype({"学校代码": str}).to_parquet(path, index=False)
    return build


def ods_named_xlsx(path):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


def ods(rows: list[list], name: str = "学校", hidden_sheet: list[list] | None = None):
    """A minimal OpenDocument spreadsheet written by hand (no writer library needed)."""
    from xml.sax.saxutils import escape

    def cell(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "<table:table-cell/>"
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                "</text:p></table:table-cell>")

    def table(title, content):
        body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
                       for row in content)
        return f'<table:table table:name="{title}">{body}</table:table>'

    def build(path):
        import zipfile

        tables = table(name, rows)
        content = (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
            "</office:document-content>")
        manifest = (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(zipfile.ZipInfo("mimetype"),
                             "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("META-INF/manifest.xml", manifest)
            archive.writestr("content.xml", content)
    return build


def rows_of(frame: pd.DataFrame) -> list[list]:
    return [list(frame.columns), *[list(r) for r in frame.itertuples(index=False)]]


CASES = [
    # ---------------------------------------------------------------- 1. totals by content
    Case("小学合计 with the county code as id and type 小学 is a total", SUBTOTAL_FILE,
         want=lambda: SUBTOTAL_WANT, check=dropped("totals", [4], "小学合计")),
    Case("per-level subtotals and a grand total, ids 040202 and —", LEVELS_FILE,
         want=lambda: LEVELS_WANT, check=dropped("totals", [4, 6, 7], "初中小计")),
    Case("a total without any totals word, by its numbers",
         lines(*primary_rows, zh_row({**level_total([0], "", "", ""),
                                      **{c: SUBTOTAL_WANT[c].sum()
                                         for c in schema.NUMERIC_SCHOOL_COLUMNS},
                                      "school_id": "999", "school_name": "城关片区",
                                      "school_type": "小学"})),
         want=lambda: SUBTOTAL_WANT, check=dropped("totals", [4], "城关片区")),
    Case("合计 in the 序号 column",
         lines("序号," + primary_rows[0], *[f"{i}," + r for i, r in enumerate(primary_rows[1:], 1)],
               "合计," + zh_row({c: SUBTOTAL_WANT[c].sum()
                               for c in schema.NUMERIC_SCHOOL_COLUMNS})),
         want=lambda: SUBTOTAL_WANT, check=dropped("totals", [4])),
    Case("notes and footers under the table are dropped and listed",
         lines(*csv_lines(), "注：1. 本表由学校填写" + "," * (N - 1),
               "填表人：张三,,审核人：李四" + "," * (N - 3)),
         check=dropped("note", [5, 6], "填表人：张三")),
    # County and year from the title row and the arguments fill every row, the blank row
    # and the footer too: they must not make either a school's row.
    Case("a blank row, then a footer with text in a numeric column, county from the title",
         book(("学校", footer_rows(NO_COUNTY)), title={"学校": TITLE}), ".xlsx",
         options={"county_code": "040202"},
         check=checks(dropped("blank", [6]), dropped("note", [7], FOOTER_TEXT))),
    Case("the same footer in a CSV with a title row",
         lines(TITLE, *csv_lines(NO_COUNTY), "",
               ",".join(FOOTER.get(c, "") for c in NO_COUNTY.columns)),
         options={"county_code": "040202"},
         check=checks(dropped("blank", [6]), dropped("note", [7], FOOTER_TEXT))),
    Case("a school equal to one school above is not a total",
         lines(*csv_lines(), csv_lines()[1].replace("001,甲小学", "005,丁小学")),
         want=lambda: pd.concat([expected(), expected().iloc[[0]].assign(
             school_id="005", school_name="丁小学")]).reset_index(drop=True)),
    # ---------------------------------------------------------------- 2. senior sections
    Case("完全中学 without 高中 columns is an error", csv(complete_zh),
         error=[{"message": "needs its senior enrolment", "row": 2, "school_id": "002",
                 "column": "students_senior"}]),
    Case("十二年一贯制 without 高中 columns is an error", csv(twelve_zh),
         error=[{"message": "needs its senior enrolment", "row": 2, "school_id": "0003"}]),
    Case("完全中学 with a blank 高中在校生数 is an error",
         csv(complete_zh.assign(高中在校生数=[None], 高中班数=[None])),
         error=[{"message": "blank count", "column": "students_senior", "row": 2}]),
    Case("完全中学 with 高中 columns loads",
         csv(complete_zh.assign(高中在校生数=[300], 高中班数=[6])),
         want=lambda: complete.reset_index(drop=True),
         check=lambda f: f["students_senior"].tolist() == [300]),
    # ---------------------------------------------------------------- 3. unit lines
    Case("金额单位：千元 under the title",
         lines(TITLE, "金额单位：千元", *csv_lines(scaled(教学仪器设备值=1e3))),
         check=converted("from the unit line '金额单位：千元'")),
    Case("单位：万元 under the title in a workbook",
         unit_line_book("单位：万元", scaled(教学仪器设备值=1e4)), ".xlsx",
         check=converted("multiplied by 10000")),
    Case("金额单位 and 面积单位 on one line",
         lines(TITLE, "金额单位：千元    面积单位：万平方米",
               *csv_lines(scaled(教学仪器设备值=1e3, 教学及辅助用房面积=1e4, 体育运动场馆面积=1e4))),
         check=converted("sports_area_m2) in 万平方米")),
    Case("图书单位：万册", lines(TITLE, "图书单位：万册", *csv_lines(scaled(图书册数=1e4))),
         check=converted("(books) in 万册")),
    Case("a header's own unit wins over the unit line",
         lines(TITLE, "金额单位：千元", *csv_lines(valid_zh.rename(
             columns={"教学仪器设备值": "教学仪器设备值（元）"})))),
    Case("填报单位 is not a unit", lines(TITLE, "填报单位：大武口区教育局", *csv_lines())),
    Case("金额单位：美元 is an error", lines(TITLE, "金额单位：美元", *csv_lines()),
         error=[{"message": "in the unit line '金额单位：美元'", "column": "equipment_value_cny"}]),
    # ---------------------------------------------------------------- 4. hidden rows, merges
    Case("a hidden row is excluded and listed", styled_book(old_copy, hidden_rows=[5]), ".xlsx",
         check=dropped("hidden", [5])),
    Case("a row filtered out is excluded and listed",
         styled_book(old_copy, hidden_rows=[5], autofilter=True), ".xlsx",
         check=has_note("hidden or filtered out")),
    Case("hidden rows read when asked", styled_book(old_copy, hidden_rows=[5]), ".xlsx",
         options={"include_hidden": True},  # read: its 1 book is then implausible
         error=[{"message": "implausible per student", "row": 5, "school_id": "099"}]),
    Case("县代码 and 县名称 merged down the table",
         styled_book(valid_zh, merge=["A2:A4", "B2:B4"]), ".xlsx",
         check=has_note("merged cell range")),
    # ---------------------------------------------------------------- 4. numbers and characters
    Case("hexadecimal count in a CSV", csv(set_cell(valid_zh, 0, "学生用计算机台数", "0x33DB")),
         error=[{"message": "not a number", "row": 2, "column": "computers", "value": "0x33DB"}]),
    Case("nan written in a count cell is not a blank",
         csv(set_cell(valid_zh, 1, "图书册数", "nan")),
         error=[{"message": "not a number", "row": 3, "column": "books", "value": "nan"}]),
    Case("inf written in an area cell", csv(set_cell(valid_zh, 2, "体育运动场馆面积", "inf")),
         error=[{"message": "not a number", "row": 4, "column": "sports_area_m2"}]),
    Case("ESC in a school name is refused, named U+001B",
         csv(set_cell(valid_zh, 0, "学校名称", "甲\x1b[2J小学")),
         error=[{"message": "control character U+001B", "row": 2, "column": "school_name"}]),
    Case("BEL and VT in a county name", csv(valid_zh.assign(县名称="大武口\x07区\x0b")),
         error=[{"message": "U+0007", "column": "county_name"},
                {"message": "U+000B", "column": "county_name"}]),
    Case("NUL in a Parquet name", parquet_with("学校名称", 1, "乙\x00中学"), ".parquet",
         error=[{"message": "U+0000", "row": 3, "column": "school_name"}]),
    Case("zero-width space removed and named",
         csv(set_cell(valid_zh, 0, "学校名称", "甲\u200b小学")),
         check=has_note("U+200B (ZERO WIDTH SPACE)")),
    Case("Kangxi radical normalised and named",
         csv(set_cell(valid_zh, 1, "学校名称", "乙\u2fa6中学")),
         want=lambda: set_cell(expected(), 1, "school_name", "乙金中学"),
         check=has_note("U+2FA6")),
    Case("UTF-32 with BOM", csv(valid_zh, "utf-32")),
    Case("ODS content named .xlsx", ods_named_xlsx, ".xlsx",
         error=[{"message": "OpenDocument spreadsheet (.ods)"}]),
    # ---------------------------------------------------------------- 7. headers
    Case("group titles over the leaf headers, id headers merged down",
         book(("学校", [[*HEADER[:7], "学生情况", None, None, None, "教师情况",
                        *[None] * 4, "办学条件", *[None] * 5], [*[None] * 7, *HEADER[7:]],
                       *[list(r) for r in valid_zh.itertuples(index=False)]])), ".xlsx"),
    Case("three merged header rows",
         book(("学校", [[*HEADER[:7], "学生情况", None, None, None, *HEADER[11:]],
                       [*[None] * 7, "在校生数", None, "班数", None, *[None] * (N - 11)],
                       [*[None] * 7, "小学", "初中", "小学", "初中", *[None] * (N - 11)],
                       *[list(r) for r in valid_zh.itertuples(index=False)]])), ".xlsx"),
    Case("a header on row 12", book(("学校", [[TITLE], *[["说明：本表由学校填写"]] * 10, HEADER,
                                            *[list(r) for r in valid_zh.itertuples(index=False)]])),
         ".xlsx"),
    Case("no header in the first 30 rows names the closest row",
         lines(*["说明"] * 31, *csv_lines()),
         error=[{"message": "no header found in the first 30 rows; the closest row is"}]),
    Case("duplicate id across the 小学 and 初中 sheets names both sheets",
         book(("小学", valid_zh.iloc[[0, 2]]), ("初中", valid_zh.iloc[[1]].assign(学校代码="001"))),
         ".xlsx", error=[{"message": "first on sheet '小学', row 2; this one on sheet '初中'",
                          "sheet": "初中"}]),
    # ---------------------------------------------------------------- 9. legacy workbooks
    Case(".ods read through calamine", ods(rows_of(valid_zh)), ".ods",
         check=has_note("python-calamine")),
    Case(".ods with a title, a unit line and a two-row header",
         ods([[TITLE], ["金额单位：万元"],
              [*HEADER[:7], "在校生数", None, "班数", None, *HEADER[11:]],
              [*[None] * 7, "小学", "初中", "小学", "初中", *[None] * (N - 11)],
              *[list(r) for r in scaled(教学仪器设备值=1e4).itertuples(index=False)]]), ".ods",
         check=converted("multiplied by 10000")),
    Case(".ods with an implausible value is checked as any file",
         ods(rows_of(set_cell(valid_zh, 0, "图书册数", 30_000_000))), ".ods",
         error=[{"message": "implausible per student", "row": 2, "column": "books"}]),
    Case(".xls that holds an xlsx (saved by a system) is read",
         book(("学校", valid_zh)), ".xls", check=has_note("python-calamine")),
    # ---------------------------------------------------------------- issue 25 (loader)
    Case("特殊教育学校 accepted with zero pupils and listed", csv(form(pd.concat(
        [expected(), special]).reset_index(drop=True))),
         want=lambda: pd.concat([expected(), special.assign(
             school_type=schema.SPECIAL_EDUCATION)]).reset_index(drop=True),
         check=has_note("excluded from scoring")),
    Case("教学点 accepted with its central school", csv(form(pd.concat(
        [expected(), point]).reset_index(drop=True)).assign(所属中心校代码=["", "", "", "001"])),
         want=lambda: pd.concat([expected(), point.assign(
             school_type=schema.TEACHING_POINT)]).reset_index(drop=True),
         check=lambda f: f[schema.PARENT_SCHOOL_ID].tolist() == ["", "", "", "001"]
         and "counted with its central school" in "\n".join(f.attrs["cleaning_log"])),
    Case("教学点 without its central school is loaded, left out of scoring and said so",
         csv(form(pd.concat([expected(), point]).reset_index(drop=True))),
         want=lambda: pd.concat([expected(), point.assign(
             school_type=schema.TEACHING_POINT)]).reset_index(drop=True),
         check=has_note("without a central school")),
    Case("最大班额 and per-section teachers in one-row headers",
         csv(valid_zh.assign(**{"小学最大班额": [40, None, 38], "最大班额（初中）": [None, 52, 47],
                                "小学专任教师数": [20, None, 14], "初中专任教师数": [None, 35, 16]})),
         check=lambda f: f["max_class_size_junior"].tolist()[1:] == [52, 47]
         and np.isnan(f["max_class_size_junior"].iloc[0])
         and f["teachers_primary"].tolist()[2] == 14),
    Case("专任教师数 and 最大班额 over 小学/初中 in a two-row header",
         book(("学校", [[*HEADER, "专任教师数", None, "最大班额", None],
                        [*[None] * N, "小学", "初中", "小学", "初中"],
                        *[[*r, p, j, 40, m] for r, p, j, m in zip(
                            valid_zh.itertuples(index=False), [20, 0, 14], [0, 35, 16],
                            [None, 48, 46], strict=True)]])), ".xlsx",
         check=lambda f: f["teachers_junior"].tolist() == [0, 35, 16]
         and f["max_class_size_primary"].tolist() == [40, 40, 40]),
]


def test_round3_names_unique():
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_round3_file(case: Case, tmp_path, tmp_path_factory):
    validated = not case.options and case.suffix != "frame"  # checked by validate too
    source = corpus_file(case, tmp_path_factory) if validated else make(case, tmp_path)
    options = dict(case.options)
    kind = options.pop("kind", "schools")
    if case.error is not None:
        with pytest.raises(DataError) as caught:
            load_once(source, kind, **options)
        assert_problems_named(caught.value, case.error)
        return
    loaded = load_once(source, kind, **options)
    want = case.want()
    columns = schema.SCHOOL_COLUMNS
    pd.testing.assert_frame_equal(loaded[columns].astype(object), want[columns].astype(object),
                                  check_dtype=False)
    if case.check is not None:
        result = case.check(loaded)
        assert result is None or bool(result), result


def test_valid_schools_unchanged():
    assert len(valid_schools()) == 3


def test_shared_strings_beyond_the_limit_refused_in_seconds(tmp_path, monkeypatch):
    import time
    import zipfile

    from edubalance.io import limits

    path = tmp_path / "big.xlsx"
    book(("学校", valid_zh))(path)
    strings = "".join(f"<si><t>{'名' * 1000}{i}</t></si>" for i in range(20))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f'<sst count="20">{strings}</sst>')
    small = {**limits.limits(), "shared_strings_bytes": 4096}
    monkeypatch.setattr(limits, "limits", lambda: small)
    start = time.perf_counter()
    with pytest.raises(DataError, match=r"shared strings expand to .* \(limit 4,096"):
        data.load_table(path, "schools")
    assert time.perf_counter() - start < 5


def test_rows_beyond_the_cell_limit_refused(tmp_path, monkeypatch):
    from edubalance.io import limits

    path = tmp_path / "rows.xlsx"
    book(("学校", valid_zh))(path)
    small = {**limits.limits(), "max_cells": 2 * N}
    monkeypatch.setattr(limits, "limits", lambda: small)
    with pytest.raises(DataError, match="more than 2 rows"):
        data.load_table(path, "schools")


def blank_tail(path, n: int):
    """A workbook whose sheet has ``n`` empty rows with a row height below the table."""
    import zipfile

    small = path.with_name("small.xlsx")
    book(("学校", valid_zh))(small)
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(f'<row r="{i}" ht="20" customHeight="1"/>'
                               for i in range(5, 5 + n))
                content = content.decode().replace("</sheetData>", rows + "</sheetData>").encode()
            zout.writestr(info, content)


def test_formatted_blank_rows_below_the_table_read_in_bulk(tmp_path):
    import time

    path = tmp_path / "tail.xlsx"
    blank_tail(path, 25_000)  # 9-11 s before issue 30 (a per-row iloc loop), O(n^2)
    start = time.perf_counter()
    loaded = data.load_table(path, "schools")
    assert len(loaded) == 3
    assert time.perf_counter() - start < 6


def _corpus():
    return [c for c in CASES if not c.options and c.suffix != "frame"]


@pytest.mark.parametrize("case", _corpus(), ids=[c.name for c in _corpus()])
def test_validate_answers_every_corpus_file_without_a_traceback(case: Case, tmp_path_factory,
                                                               capsys, monkeypatch):
    """`edubalance validate` on each file of this corpus (test_load_bureau_files checks its
    own): one answer, exit 1 exactly when the file has problems, no traceback, nothing raw
    from the file (control characters escaped); with the loads of ``test_round3_file``."""
    validate_answers(corpus_file(case, tmp_path_factory), case.error is not None, capsys,
                     monkeypatch)


def test_a_teacher_whose_remark_starts_with_a_note_label_is_kept(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("学校代码,姓名,出生年月,性别,学历,职称,任职岗位,备注\n"
                    "001,张三,1980-01,男,本科,一级教师,语文教师,注：县级骨干\n"
                    "001,李四,1985-03,女,本科,二级教师,数学教师,\n"
                    "注：本表由学校填写,,,,,,,\n", encoding="utf-8")
    roster = data.load_teachers(path)
    assert roster["姓名"].tolist() == ["张三", "李四"]
    assert report(roster)["dropped_rows"][0]["texts"] == ["注：本表由学校填写"]


@pytest.mark.slow
def test_a_million_formatted_blank_rows_answered_within_30_seconds(tmp_path):
    import time

    path = tmp_path / "million.xlsx"
    blank_tail(path, 1_048_569 - 4)  # to Excel's last row; > 300 s and 1.6 GB before issue 30
    start = time.perf_counter()
    assert len(data.load_table(path, "schools")) == 3
    assert time.perf_counter() - start < 30
