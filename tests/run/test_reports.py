"""`edubalance report FILE...`: validate, run county_scoring per county x standard through the
batch runner, and name what a person opens after county, year and standard (issue 26)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from edubalance import cli
from edubalance.run import reports
from edubalance.run.params import model_of_notebook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "schools.csv"

HEADERS = {  # as the issue's workbook has them: units in the headers, no county-code column
    "school_id": "学校代码", "school_name": "学校名称", "school_type": "学校类型",
    "urban_rural": "城乡类型", "students_primary": "小学在校生数（人）",
    "students_junior": "初中在校生数（人）", "classes_primary": "小学班数",
    "classes_junior": "初中班数", "teachers": "专任教师数（人）",
    "teachers_above_degree": "高于规定学历教师数", "teachers_mid_title": "中级及以上职称教师数",
    "teachers_backbone": "县级及以上骨干教师数", "teachers_pe_arts": "体育艺术专任教师数",
    "teaching_area_m2": "教学及辅助用房面积（平方米）",
    "sports_area_m2": "体育运动场馆面积（平方米）", "equipment_value_cny": "教学仪器设备值（万元）",
    "computers": "学生用计算机台数", "multimedia_classrooms": "网络多媒体教室数",
    "books": "图书册数（册）",
}
TYPE_ZH = {"primary": "小学", "junior": "初中", "nine_year": "九年一贯制学校"}
AREA_ZH = {"urban": "城区", "town": "镇区", "rural": "乡村"}


def county_schools(n: int = 13) -> pd.DataFrame:
    """``n`` schools of one sample county in 2017, a nine-year school among them."""
    schools = pd.read_csv(SAMPLE, dtype={"county_code": str, "school_id": str})
    one = schools[(schools["year"] == 2017) & (schools["county_name"] == "沙坡头区")]
    nine = one[one["school_type"] == "nine_year"].head(1)
    rest = one[one["school_type"] != "nine_year"].head(n - len(nine))
    return pd.concat([rest, nine]).reset_index(drop=True)


def huining_workbook(path: Path, n: int = 13, *, footer: bool = True,
                     totals_named: bool = False) -> Path:
    """A workbook like the issue's: title row, 填报单位 line, 序号, units in headers, 合计 row,
    填表人/审核人 footer, no county-code column. ``footer=False`` leaves the footer out and
    ``totals_named`` writes 合计 in the school-name column too (what today's loader drops)."""
    schools = county_schools(n)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "学校"
    sheet.append(["会宁县2017年义务教育学校基本情况统计表"])
    sheet.append(["填报单位：会宁县教育局（盖章）", None, None, None, "填报日期：2017年9月30日"])
    sheet.append(["序号", *HEADERS.values()])
    numeric = [c for c in HEADERS if c not in ("school_id", "school_name", "school_type",
                                               "urban_rural")]
    for number, row in enumerate(schools.itertuples(index=False), start=1):
        values = []
        for column in HEADERS:
            value = getattr(row, column)
            if column == "school_type":
                value = TYPE_ZH[value]
            elif column == "urban_rural":
                value = AREA_ZH[value]
            elif column == "equipment_value_cny":
                value = float(value) / 10_000
            elif column in numeric:
                value = value.item() if hasattr(value, "item") else value
            values.append(value)
        sheet.append([number, *values])
    totals = ["合计", None, "合计" if totals_named else None, None, None]
    for column in list(HEADERS)[4:]:
        total = float(schools[column].sum())
        totals.append(total / 10_000 if column == "equipment_value_cny" else total)
    sheet.append(totals)
    if not footer:
        book.save(path)
        return path
    sheet.append([None])
    sheet.append(["填表人：张三", None, None, "审核人：李四", None, "联系电话：0943-1234567"])
    book.save(path)
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def notebook_takes_loader_options() -> bool:
    model = model_of_notebook(ROOT / "notebooks" / "county_scoring.ipynb")
    return all(name in model for name in ("county_code", "sheet", "columns", "allow",
                                          "evidence_path"))


# ----------------------------------------------------------------------------- names

def test_file_names_say_county_year_and_standard():
    assert reports.report_file_stem("会宁县", 2017, "quality-2017") == "会宁县2017年优质均衡评估报告"
    assert reports.report_file_stem("会宁县", 2017, "basic-2012") == "会宁县2017年基本均衡评估报告"
    assert reports.report_file_stem("会宁县", 2012, "ningxia-2010").startswith("会宁县2012年宁夏")
    english = reports.report_file_stem("会宁县", 2017, "quality-2017", lang="en")
    assert english == "会宁县_2017_quality_balance_assessment"


@pytest.mark.parametrize("county", ["../../evil", "a/b\\c", "CON", "..", "x\0y", "名" * 200])
def test_file_names_never_leave_the_output_folder(county, tmp_path):
    stem = reports.report_file_stem(county, 2017, "basic-2012")
    assert "/" not in stem and "\\" not in stem and "\0" not in stem
    assert not stem.startswith(".")
    assert len(stem.encode("utf-8")) <= 255 - len(".html")
    assert (tmp_path / f"{stem}.html").resolve().parent == tmp_path.resolve()


def test_the_notebook_is_found_from_any_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(reports.NOTEBOOKS_ENV, raising=False)
    assert reports.find_notebook() == (ROOT / "notebooks" / "county_scoring.ipynb").resolve()
    monkeypatch.setenv(reports.NOTEBOOKS_ENV, str(tmp_path))
    (tmp_path / "county_scoring.ipynb").write_text("{}")
    assert reports.find_notebook() == (tmp_path / "county_scoring.ipynb").resolve()
    with pytest.raises(FileNotFoundError, match=reports.NOTEBOOKS_ENV):
        reports.find_notebook("no_such_notebook.ipynb")


def test_the_batch_is_built_in_memory_with_the_loader_options(tmp_path):
    frame = pd.DataFrame({"county_code": ["620422", "620421"], "county_name": ["会宁县", "靖远县"],
                          "year": [2017, 2017]})
    batch, = reports.report_batches(
        {"表一.xlsx": frame}, counties=["620422"], standards=["basic-2012,quality-2017"],
        evidence="evidence.csv", lang="en",
        loader={"county_code": "620422", "sheet": "学校", "columns": {"学校": "school_name"},
                "allow": ["books_per_student"], "county_name": None})
    assert batch["grid"] == {"county": ["会宁县"], "standard": ["basic-2012", "quality-2017"]}
    assert batch["parameters"] == {
        "data_path": "表一.xlsx", "year": 2017, "lang": "en", "county_code": "620422",
        "sheet": "学校", "columns": {"学校": "school_name"}, "allow": ["books_per_student"],
        "evidence_path": "evidence.csv"}
    assert Path(batch["notebook"]).name == "county_scoring.ipynb"
    with pytest.raises(ValueError, match="靖远县"):
        reports.report_batches({"a.csv": frame}, counties=["某县"])


# ----------------------------------------------------------------------------- before any job

def test_pdf_without_chromium_says_how_to_get_it_before_any_job(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("EDUBALANCE_CHROMIUM", str(tmp_path / "no-chromium"))
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "report", SAMPLE, "--county", "大武口区", "--pdf",
                         "--output", out_dir)
    assert code == 1
    assert "apt-get install chromium" in err
    assert not out_dir.exists()


def test_a_bad_file_gets_the_validate_messages_and_no_job(capsys, tmp_path):
    frame = county_schools(3).astype(object)
    frame.loc[1, "teachers"] = -4
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    code, out, err = run(capsys, "report", bad, "--output", tmp_path / "out", "--lang", "en")
    assert code == 1
    assert f"{bad}: FAILED: 1 problem" in out
    assert "row 3, column 'teachers'" in out
    assert "no report was made" in err
    assert not (tmp_path / "out").exists()
    code, out, _ = run(capsys, "report", bad, "--output", tmp_path / "out")   # zh by default
    assert f"{bad}：未通过：1 个问题" in out
    assert "第 3 行" in out


def test_validate_answers_in_chinese_about_a_titled_workbook(capsys, tmp_path):
    book = huining_workbook(tmp_path / "会宁县.xlsx", footer=False, totals_named=True)
    code, out, _ = run(capsys, "validate", book, "--county-code", "620422")
    assert code == 0, out
    assert "：通过：13 行" in out
    # dropped and reported in Chinese, with the row's text
    assert "已删除 1 个合计行：工作表“学校”第 17 (合计) 行" in out
    assert "已换算：列“教学仪器设备值（万元）”（equipment_value_cny）的单位是万元：乘以 10000 换算为元" in out
    assert "county_name = 会宁县，取自标题行" in out
    code, out, _ = run(capsys, "validate", book, "--county-code", "620422", "--lang", "en")
    assert "OK: 13 rows" in out and "dropped 1 totals row(s): sheet '学校' rows 17 (合计)" in out


def test_validate_reads_the_issue_workbook_and_reports_what_it_dropped(capsys, tmp_path):
    book = huining_workbook(tmp_path / "会宁县.xlsx")
    code, out, _ = run(capsys, "validate", book, "--county-code", "620422")
    assert code == 0, out
    assert "：通过：13 行" in out
    # rows as Excel numbers them; each dropped row with its own text (not the county name
    # taken from the title row), reported in Chinese
    assert "已删除 1 个合计行：工作表“学校”第 17 (合计) 行" in out
    assert "已删除 1 个空行：工作表“学校”第 18 行" in out
    assert ("已删除 1 个注释或表尾行（注/填表人/审核人）：工作表“学校”第 19 "
            "(填表人：张三 审核人：李四 联系电话：0943-1234567) 行") in out
    assert "dropped" not in out             # the notes too
    code, out, _ = run(capsys, "validate", book, "--county-code", "620422", "--lang", "en")
    assert "OK: 13 rows" in out
    assert "dropped 1 blank row(s): sheet '学校' rows 18" in out
    assert ("dropped 1 note or footer row(s): sheet '学校' rows 19 "
            "(填表人：张三 审核人：李四 联系电话：0943-1234567)") in out


# ----------------------------------------------------------------------------- end to end

def _report_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()
                  and p.suffix in (".html", ".pdf", ".xlsx") and p.name != "index.html")


def _has_chromium() -> bool:
    import shutil

    return bool(shutil.which("chromium") or Path("/usr/bin/chromium").exists())


@pytest.fixture(scope="module")
def huining_reports(tmp_path_factory):
    """`edubalance report` once for the module: 13 schools of a sample county renamed 会宁县,
    in a workbook like the issue's (title rows, units in the headers, a 合计 row named in the
    school-name column too, ``--county-code``; a CSV while the notebook cannot take the loader
    options), under both standards, printed (``--pdf``) where Chromium is installed. Returns
    (the output folder, the exit code, what it printed, the data file, its loader options)."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("huining")
    if notebook_takes_loader_options():
        data = huining_workbook(folder / "会宁县.xlsx", footer=False, totals_named=True)
        loader = ("--county-code", "620422")
    else:
        data = folder / "schools.csv"
        county_schools(13).assign(county_name="会宁县", county_code="620422").to_csv(
            data, index=False)
        loader = ()
    out_dir = folder / "out"
    pdf = ["--pdf"] if _has_chromium() else []
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in ("report", data, *loader, "--standard",
                                          "basic-2012,quality-2017", *pdf, "--output", out_dir,
                                          "--workers", "1", "--quiet")])
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return out_dir, code, out.getvalue() + err.getvalue(), data, loader


@pytest.mark.notebooks
def test_report_writes_named_files_beside_contract_job_folders(capsys, tmp_path, huining_reports):
    import shutil

    reported, code, out, data, loader = huining_reports
    assert code == 0, out
    printed = [".pdf"] if _has_chromium() else []
    assert _report_files(reported) == sorted(
        f"会宁县2017年{standard}评估报告{suffix}" for standard in ("基本均衡", "优质均衡")
        for suffix in (".html", ".xlsx", *printed))
    manifest = json.loads((reported / "manifest.json").read_text(encoding="utf-8"))
    folders = sorted(entry["folder"] for entry in manifest["jobs"])
    assert folders == ["county_scoring/county=会宁县,standard=basic-2012,year=2017",
                       "county_scoring/county=会宁县,standard=quality-2017,year=2017"]
    job = reported / folders[1]
    assert (job / "county_scoring.html").is_file() and (job / "results.xlsx").is_file()
    named = reported / "会宁县2017年优质均衡评估报告.html"
    assert named.read_bytes() == (job / "county_scoring.html").read_bytes()
    assert (reported / "index.html").is_file()
    assert "会宁县2017年优质均衡评估报告.html" in out
    # --resume (on a copy: the module's other tests read the first run): nothing runs again,
    # the named files are still placed
    out_dir = tmp_path / "out"
    shutil.copytree(reported, out_dir, symlinks=True)
    (out_dir / "会宁县2017年优质均衡评估报告.html").unlink()
    code, out, err = run(capsys, "report", data, *loader, "--standard", "quality-2017",
                         "--output", out_dir, "--resume", "--quiet")
    assert code == 0, out + err
    assert "1 skipped" in out
    assert (out_dir / "会宁县2017年优质均衡评估报告.html").is_file()


@pytest.mark.notebooks
@pytest.mark.skipif(not notebook_takes_loader_options(),
                    reason="county_scoring.ipynb does not take the loader options yet (issue 25)")
def test_report_on_the_issue_workbook(huining_reports):
    # The module's one `edubalance report` run reads the issue's workbook (one batch, not two).
    out_dir, code, out, data, loader = huining_reports
    assert data.suffix == ".xlsx" and loader == ("--county-code", "620422")
    assert code == 0, out
    assert "合计行" in out
    names = _report_files(out_dir)
    for standard in ("基本均衡", "优质均衡"):
        for suffix in (".html", ".xlsx"):
            assert f"会宁县2017年{standard}评估报告{suffix}" in names


def test_report_is_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    out = capsys.readouterr().out
    for option in ("--county", "--year", "--standard", "--evidence", "--pdf", "--lang",
                   "--output", "--county-code", "--county-name", "--sheet", "--columns",
                   "--allow"):
        assert option in out
    assert os.path.basename(reports.NOTEBOOK) == "county_scoring.ipynb"


# ----------------------------------------------------------------------------- print

_FOOTER = re.compile(r"第\W*(\d+)\W*\S\W*/\W*共\W*(\d+)\W*\S\s*$")   # 第 N 页 / 共 M 页
_CAPTION = re.compile(r"^\W*表\W*\d+\s")
_EMPTY_NOTE = re.compile(r"^\W*表\W*\d+\s[^：]*：\s*\S")
"""A table left empty is one paragraph, its caption then what it would hold ("表 5  降低差异系数
的估算方案：差异系数已在限值以内，无需改造方案。"): a complete statement, not a lone caption."""


def _page_lines(pdf: Path) -> list[list[str]]:
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(pdf).pages:
        text = page.extract_text().replace("\x01", " ")
        pages.append([line.strip() for line in text.splitlines() if line.strip()])
    return pages


@pytest.mark.browser
@pytest.mark.notebooks
def test_pdf_pages_are_numbered_and_no_page_ends_on_a_caption(browser, huining_reports):
    out_dir, code, out, _, _ = huining_reports
    assert code == 0, out
    pdf = out_dir / "会宁县2017年优质均衡评估报告.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    pages = _page_lines(pdf)
    assert len(pages) >= 2
    for number, lines in enumerate(pages, start=1):
        footer = _FOOTER.search(lines[-1])
        assert footer, f"page {number} has no page number: {lines[-1]!r}"
        assert (int(footer.group(1)), int(footer.group(2))) == (number, len(pages))
        body = lines[:-1]
        assert body and (not _CAPTION.match(body[-1]) or _EMPTY_NOTE.match(body[-1])), \
            f"page {number} ends on a caption: {body[-1]}"
        assert "file://" not in " ".join(lines)
    # Every table fits the printed page's width (the per-school tables have 8-9 columns).
    page = browser.new_page(viewport={"width": 703, "height": 1000})   # A4 less the margins
    page.emulate_media(media="print")
    page.goto((out_dir / "会宁县2017年优质均衡评估报告.html").as_uri(), wait_until="load")
    widths = page.evaluate("() => [...document.querySelectorAll('table.eb-table')].map(t => "
                           "[t.getBoundingClientRect().width, t.parentElement.clientWidth])")
    page.emulate_media(media="null")   # the page goes back to the shared pool
    page.close()
    assert widths and all(width <= room + 1 for width, room in widths), widths


def test_placed_files_are_linked_or_copied_under_safe_distinct_names(tmp_path):
    out_dir = tmp_path / "out"
    entries = []
    for index, county in enumerate(["会宁县", "会宁县", "../../逃逸县"]):
        folder = out_dir / "county_scoring" / f"job{index}"
        folder.mkdir(parents=True)
        (folder / "summary.json").write_text(json.dumps(
            {"county": county, "year": 2017, "standard": "quality-2017"}, ensure_ascii=False),
            encoding="utf-8")
        (folder / "county_scoring.html").write_text(f"<p>{index}</p>", encoding="utf-8")
        (folder / "results.xlsx").write_bytes(b"PK")
        entries.append({"status": "ok", "summary": f"county_scoring/job{index}/summary.json",
                        "report": f"county_scoring/job{index}/county_scoring.html"})
    entries.append({"status": "failed", "summary": None, "report": None})
    placed = reports.place_reports(out_dir, entries)
    names = sorted(path.name for path in placed)
    assert names == sorted(["会宁县2017年优质均衡评估报告.html", "会宁县2017年优质均衡评估报告.xlsx",
                            "会宁县2017年优质均衡评估报告-2.html", "会宁县2017年优质均衡评估报告-2.xlsx",
                            "逃逸县2017年优质均衡评估报告.html", "逃逸县2017年优质均衡评估报告.xlsx"])
    assert all(path.parent == out_dir.resolve() for path in placed)
    assert (out_dir / "会宁县2017年优质均衡评估报告-2.html").read_text(encoding="utf-8") == "<p>1</p>"
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]   # no temporary file left
    # placed again (a --resume): replaced in one step, the same names
    assert sorted(p.name for p in reports.place_reports(out_dir, entries)) == names


@pytest.mark.skipif(notebook_takes_loader_options(),
                    reason="the notebook takes the loader options (issue 25 merged)")
def test_loader_options_the_notebook_cannot_take_fail_before_any_job(capsys, tmp_path):
    book = huining_workbook(tmp_path / "会宁县.xlsx", footer=False, totals_named=True)
    code, out, err = run(capsys, "report", book, "--county-code", "620422", "--output",
                         tmp_path / "out")
    assert code == 1
    assert "county_code" in err and "does not take" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # a second PDF batch; the default suite prints the Chinese one
@pytest.mark.browser
@pytest.mark.notebooks
def test_english_reports_are_named_and_numbered_in_english(capsys, tmp_path):
    data = tmp_path / "schools.csv"
    county_schools(13).assign(county_name="会宁县", county_code="620422").to_csv(data, index=False)
    code, out, err = run(capsys, "report", data, "--standard", "basic-2012", "--pdf", "--lang",
                         "en", "--output", tmp_path / "out", "--workers", "1", "--quiet")
    assert code == 0, out + err
    assert "Checking the data files" in out and ": OK: 13 rows (schools)" in out
    pdf = tmp_path / "out" / "会宁县_2017_basic_balance_assessment.pdf"
    pages = _page_lines(pdf)
    for number, lines in enumerate(pages, start=1):
        assert re.search(rf"Page\W*{number}\W*of\W*{len(pages)}\s*$", lines[-1]), lines[-1]
    assert (tmp_path / "out" / "会宁县_2017_basic_balance_assessment.xlsx").is_file()
