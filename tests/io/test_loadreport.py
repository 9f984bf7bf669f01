"""The io layer's contracts: one DataError, the load report, validate_schools, streaming, CLI."""
from __future__ import annotations

import copy
import json
import pickle
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from edubalance import cli, errors, schema
from edubalance.errors import DataError, ParameterError
from edubalance.io import load as data
from edubalance.io import read
from edubalance.io.validate import LoadReport
from helpers import valid_schools

ZH = {c: schema.SCHOOL_HEADER_ALIASES[c][0] for c in schema.SCHOOL_COLUMNS}
ROOT = Path(__file__).resolve().parents[2]


def form() -> pd.DataFrame:
    frame = valid_schools()
    frame["school_type"] = ["小学", "初中", "九年一贯制学校"]
    frame["urban_rural"] = ["城区", "镇区", "乡村"]
    return frame.rename(columns=ZH).astype(object)


def test_one_data_error_class():
    assert data.DataError is errors.DataError
    assert issubclass(DataError, errors.EdubalanceError) and issubclass(DataError, ValueError)
    error = DataError([errors.Problem("a.csv", "negative value", row=3, column="books",
                                      value="-1")], total=4)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.total == 4 and again.problems == error.problems
    assert str(DataError("plain text")) == "plain text"


def test_report_is_attached_and_plain(tmp_path):
    frame = form()
    frame["教学仪器设备值"] = [v / 1e4 for v in frame["教学仪器设备值"]]
    frame = frame.rename(columns={"教学仪器设备值": "教学仪器设备值（万元）"}).assign(备注="x")
    path = tmp_path / "s.csv"
    text = frame.to_csv(index=False) + ",,,,全县合计" + ",1" * (frame.shape[1] - 5) + "\n"
    path.write_text(text, encoding="utf-8")
    loaded = data.load_schools(path)
    assert loaded["equipment_value_cny"].tolist() == valid_schools()["equipment_value_cny"].tolist()
    report = loaded.attrs["load_report"]
    json.dumps(report, ensure_ascii=False)  # plain data
    assert report["kind"] == "schools" and report["rows"] == 3
    assert "multiplied by 10000" in report["conversions"][0]
    assert report["dropped_rows"] == [{"sheet": "", "reason": "totals", "rows": [5],
                                      "texts": ["全县合计"]}]
    assert report["ignored_columns"] == ["备注"]
    with pytest.raises(AttributeError):
        LoadReport("a", "schools", 1).rows = 2  # immutable
    with pytest.raises(TypeError):
        report["rows"] = 4  # the attached report is read-only ...
    assert copy.deepcopy(report) is report  # ... so pandas copies it for free at every step
    assert loaded.head(1).attrs["load_report"] is report
    assert LoadReport.from_dict(report).to_dict() == report


def test_cli_prints_conversions_dropped_rows_and_ignored_columns(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "CLI_MODULES", ("data",))
    frame = form().rename(columns={"图书册数": "图书（万册）"}).assign(备注="x")
    frame["图书（万册）"] = [v / 1e4 for v in frame["图书（万册）"]]
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path) as writer:
        frame.iloc[[0, 2]].to_excel(writer, sheet_name="小学", index=False)
        frame.iloc[[1]].to_excel(writer, sheet_name="初中", index=False)
        pd.DataFrame({"说明": ["本表由学校填写"]}).to_excel(writer, sheet_name="说明", index=False)
    code = cli.main(["validate", str(path), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "OK: 3 rows" in out
    assert "sheets read: 小学, 初中" in out
    assert "sheet '说明' not read" in out
    assert "converted: " in out and "图书（万册）" in out and "10000" in out
    assert "ignored columns: 备注" in out


def test_cli_options_for_title_and_allow(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "CLI_MODULES", ("data",))
    frame = form().drop(columns=["县代码", "县名称", "年份"])
    frame.loc[0, "图书册数"] = 900_000
    path = tmp_path / "s.csv"
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    assert cli.main(["validate", str(path), "--lang", "en"]) == 1
    assert "missing required columns" in capsys.readouterr().out
    argv = ["validate", str(path), "--lang", "en", "--county-code", "040202", "--county-name", "大武口区",
            "--year", "2017"]
    assert cli.main(argv) == 1
    assert "books_per_student" in capsys.readouterr().out
    assert cli.main(argv + ["--allow", "books_per_student"]) == 0
    out = capsys.readouterr().out
    assert "county_code = 040202" in out and "waived: books_per_student" in out


def test_bad_options_are_parameter_errors(tmp_path):
    path = tmp_path / "s.csv"
    form().to_csv(path, index=False)
    with pytest.raises(ParameterError, match="unknown plausibility rule"):
        data.load_schools(path, allow=["nonsense"])
    with pytest.raises(ParameterError, match="unknown column"):
        data.load_schools(path, columns={"学校": "nonsense"})
    with pytest.raises(ParameterError, match="cannot read column mapping"):
        data.load_schools(path, columns=tmp_path / "missing.yaml")


def test_large_files_are_streamed_with_a_progress_bar(tmp_path, monkeypatch, capsys):
    sample = ROOT / "data" / "sample" / "schools.csv"
    expected = data.load_schools(sample)
    monkeypatch.setattr(read, "STREAM_BYTES", 0)
    monkeypatch.setattr(read, "HEAD_BYTES", 4000)
    monkeypatch.setattr(read, "PROGRESS_BYTES", 0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    streamed = data.load_schools(sample)
    pd.testing.assert_frame_equal(streamed, expected)
    assert "reading schools.csv" in capsys.readouterr().err
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + sample.read_bytes())
    pd.testing.assert_frame_equal(data.load_schools(bom), expected)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(sample.read_text(encoding="utf-8").encode("gbk"))
    loaded = data.load_schools(gbk)
    pd.testing.assert_frame_equal(loaded, expected)
    assert "read as GB18030 text" in "\n".join(loaded.attrs["cleaning_log"])


def test_sheet_declaring_a_million_rows_and_columns_reads_only_its_cells(tmp_path):
    path = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(form().columns))
    for record in form().itertuples(index=False):
        sheet.append(list(record))
    sheet["XFD1048576"] = "stray"
    book.save(path)
    assert openpyxl.load_workbook(path, read_only=True).active.max_column == 16384
    loaded = data.load_schools(path)
    assert loaded["school_id"].tolist() == ["001", "002", "0003"]
    assert any("far outside" in note for note in loaded.attrs["cleaning_log"])


def test_read_table_uses_the_same_decoder(tmp_path):
    frame = pd.DataFrame({"county_code": ["040104", "640105"], "名称": ["甲", "乙"],
                          "y": [1.5, 2.5]})
    gbk = tmp_path / "t.csv"
    gbk.write_bytes(frame.to_csv(index=False).encode("gbk"))
    loaded = data.read_table(gbk)
    assert loaded["county_code"].tolist() == ["040104", "640105"]
    assert loaded["名称"].tolist() == ["甲", "乙"]
    book = tmp_path / "t.xlsx"
    with pd.ExcelWriter(book) as writer:
        frame.to_excel(writer, sheet_name="hidden", index=False)
        frame.assign(y=[3.5, 4.5]).to_excel(writer, sheet_name="shown", index=False)
    workbook = openpyxl.load_workbook(book)
    workbook["hidden"].sheet_state = "hidden"
    workbook.save(book)
    assert data.read_table(book)["y"].tolist() == [3.5, 4.5]
    (tmp_path / "fake.xlsx").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="plain text"):
        data.read_table(tmp_path / "fake.xlsx")


def _docstring_lines(source: str) -> set[int]:
    """The line numbers (1-based) of the module's, classes' and functions' docstrings."""
    import ast

    lines = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def test_io_modules_stay_small():
    """At most 800 lines of code per module: blank lines, comments and docstrings do not count
    (every public callable documents its parameters: test_docstrings)."""
    package = ROOT / "lib" / "edubalance"
    for path in [package / "errors.py", *sorted((package / "io").glob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        docs = _docstring_lines(source)
        code = [line for number, line in enumerate(source.splitlines(), 1)
                if line.strip() and not line.strip().startswith("#") and number not in docs]
        assert len(code) <= 800, path.name
    assert _docstring_lines('"""Doc."""\ndef f():\n    """One\n    two."""\n    return 1\n') \
        == {1, 3, 4}
