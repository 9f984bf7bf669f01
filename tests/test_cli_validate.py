"""`edubalance validate FILE...`: a readable report per file, exit 1 on any problem."""
from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from edubalance import cli


@pytest.fixture(autouse=True)
def importable_cli_modules(monkeypatch):
    # Other sub-command modules are written in parallel; the validate command must not depend
    # on them being present yet.
    available = tuple(m for m in cli.CLI_MODULES
                      if importlib.util.find_spec(f"edubalance.{m}") is not None)
    assert "io.load" in available
    monkeypatch.setattr(cli, "CLI_MODULES", available)


def schools() -> pd.DataFrame:
    return pd.DataFrame({
        "学校代码": ["001", "002"], "县代码": ["040202"] * 2, "县名称": ["大武口区"] * 2,
        "年份": [2017, 2017], "学校名称": ["甲小学", "乙中学"], "学校类型": ["小学", "初中"],
        "城乡类型": ["城区", "乡村"], "小学在校生数": [300, 0], "初中在校生数": [0, 400],
        "小学班数": [10, 0], "初中班数": [0, 9], "专任教师数": [20, 35],
        "高于规定学历教师数": [18, 30], "中级及以上职称教师数": [9, 15],
        "县级及以上骨干教师数": [3, 4], "体育艺术专任教师数": [2, 3],
        "教学及辅助用房面积": [1500.5, 2600.0], "体育运动场馆面积": [3000.0, 4100.0],
        "教学仪器设备值": [600000.0, 1100000.0], "学生用计算机台数": [30, 60],
        "网络多媒体教室数": [10, 12], "图书册数": [9000, 16000],
    })


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(schools().to_csv(index=False).encode("gbk"))
    return path


@pytest.fixture
def bad(tmp_path):
    frame = schools().astype(object)
    frame.loc[1, "专任教师数"] = -4
    frame.loc[0, "学校类型"] = "幼儿园"
    path = tmp_path / "bad.xlsx"
    frame.to_excel(path, index=False, sheet_name="学校")
    return path


def run(capsys, *argv):
    # The answers are Chinese by default (as the reports); these tests read the English ones
    # unless they name a language.
    argv = [*map(str, argv)] + ([] if "--lang" in argv else ["--lang", "en"])
    code = cli.main(["validate", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_good_file_exits_zero(capsys, good):
    code, out, _ = run(capsys, good)
    assert code == 0
    assert f"{good}: OK: 2 rows (schools)" in out
    assert "note: read as GB18030 text" in out


def test_bad_file_lists_every_problem_and_exits_one(capsys, bad):
    code, out, _ = run(capsys, bad)
    assert code == 1
    assert f"{bad}: FAILED: 2 problems" in out
    assert "  - row 2, column '学校类型 (school_type)', school 001: unknown school_type" in out
    assert "(value '幼儿园')" in out
    assert "  - row 3, column '专任教师数 (teachers)', school 002: negative value (value '-4')" in out


def test_several_files_grouped_per_file(capsys, good, bad, tmp_path):
    text_named_xlsx = tmp_path / "fake.xlsx"
    text_named_xlsx.write_bytes(good.read_bytes())
    code, out, _ = run(capsys, good, bad, text_named_xlsx, tmp_path / "missing.csv")
    assert code == 1
    blocks = out.split("\n")
    assert blocks[0].startswith(f"{good}: OK")
    assert any(line.startswith(f"{bad}: FAILED") for line in blocks)
    assert f"{text_named_xlsx}: FAILED: 1 problem" in out
    assert "named '.xlsx' but its content is plain text (CSV)" in out
    assert "missing.csv: FAILED: 1 problem" in out and "file not found" in out
    assert out.rstrip().endswith("1 of 4 file(s) OK")


def test_kind_and_sheet_options(capsys, tmp_path):
    path = tmp_path / "counties.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="说明", index=False)
        pd.DataFrame({"县代码": ["040202"], "县名称": ["大武口区"], "年份": [2017],
                      "巩固率": [99.1]}).to_excel(writer, sheet_name="县", index=False)
    code, out, _ = run(capsys, path, "--kind", "counties", "--sheet", "县")
    assert code == 0 and "OK: 1 rows (counties, sheet '县')" in out
    code, out, _ = run(capsys, path, "--kind", "counties", "--sheet", "说明")
    assert code == 1 and "missing required columns" in out
    code, out, _ = run(capsys, path, "--sheet", "nope")
    assert code == 1 and "no sheet named 'nope' (sheets: 说明, 县)" in out


def test_cap_on_listed_problems(capsys, tmp_path):
    frame = pd.concat([schools().iloc[[0]]] * 8, ignore_index=True)
    frame["学校代码"] = [f"{i:03d}" for i in range(8)]
    frame["图书册数"] = "?"
    path = tmp_path / "many.csv"
    frame.to_csv(path, index=False)
    code, out, _ = run(capsys, path, "--max-problems", "3")
    assert code == 1
    assert "FAILED: 8 problems" in out and "  ... and 5 more" in out
    assert out.count("not a number") == 3


def test_bad_max_problems_is_an_error_not_a_traceback(capsys, good):
    code, _, err = run(capsys, good, "--max-problems", "0")
    assert code == 1 and "--max-problems must be at least 1" in err


def test_garbage_files_never_give_tracebacks(capsys, tmp_path):
    paths = []
    for name, content in [("a.csv", b"\x00\x01garbage"), ("b.xlsx", b"PK\x03\x04broken"),
                          ("c.parquet", b"PAR1junk"), ("d.csv", b""),
                          ("e.csv", "学校代码\n合计\n".encode())]:
        path = tmp_path / name
        path.write_bytes(content)
        paths.append(path)
    code, out, _ = run(capsys, *paths)
    assert code == 1
    assert out.count(": FAILED: ") == 5


def test_the_catalogue_and_the_loader_agree_on_the_english_texts():
    from edubalance.io.load import VALIDATE_MESSAGES
    from edubalance.report.i18n import catalogue

    shown = {key: texts["en"] for key, texts in catalogue().items() if key.startswith("validate.")}
    assert shown == VALIDATE_MESSAGES


def test_validate_answers_in_chinese_by_default_and_in_english_on_request(capsys, good, bad):
    code, out, _ = run(capsys, good, bad, "--lang", "zh")
    assert code == 1
    assert f"{good}：通过：2 行（学校表）" in out
    assert f"{bad}：未通过：2 个问题" in out
    assert "  - 第 3 行，列“专任教师数 (teachers)”，学校 002：负值（值 '-4'）" in out
    assert "无法识别的 school_type" in out
    assert "2 个文件中 1 个通过" in out
    code, out, _ = run(capsys, good, "--lang", "zh")
    assert "说明：按 GB18030 编码读取" in out
    code, out, _ = run(capsys, good, "--lang", "en")
    assert f"{good}: OK: 2 rows (schools)" in out
