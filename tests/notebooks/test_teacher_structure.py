"""notebooks/teacher_structure.ipynb, executed once; its table checked by hand."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import edubalance as eb
from helpers import execute_notebook_once, report_text_problems

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return execute_notebook_once("teacher_structure", tmp_path_factory.mktemp("teacher_structure"),
                                 schools_path="data/sample/schools.csv")


def test_a_2018_roster_alone_reads_titles_and_posts_as_the_form_means(tmp_path):
    # A year the sample's school table lacks, and no school table: the roster alone.
    staff = [("甲某", "高级", "语文"), ("乙某", "一级", "数学"), ("丙某", "二级", "英语"),
             ("丁某", "小学高级", "体育"), ("戊某", "", "音乐"), ("己某", "中学一级", "校长兼数学"),
             ("庚某", "一级", "实验员"), ("辛某", "二级", "图书管理员"), ("壬某", "高级", "校长")]
    rows = [{"学校代码": "p1", "学校名称": "城关第二小学", "年份": year, "姓名": name,
             "出生年月": "1980.01", "性别": "女", "民族": "汉", "籍贯": "宁夏中宁", "学历": "本科",
             "教师资格": "小学", "职称": title, "任职岗位": post, "备注": ""}
            for year in (2018,) for name, title, post in staff]
    pd.DataFrame(rows).to_csv(tmp_path / "roster.csv", index=False, encoding="utf-8")
    out = execute_notebook_once("teacher_structure", tmp_path / "run",
                                data_path=str(tmp_path / "roster.csv"), schools_path="")
    table = pd.read_csv(out / "school_teachers.csv", encoding="utf-8-sig", dtype={"school_id": str})
    row = table.set_index("school_id").loc["p1"]
    assert (row["teachers"], row["teachers_mid_title"], row["teachers_title_senior"]) == (6, 4, 1)
    assert (row["staff_support"], row["staff_admin"]) == (2, 1)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["discrepancies"] is None and summary["teachers"] == 6
    assert not (out / "discrepancies.csv").exists()


def test_school_teachers_csv(out, sample_dir):
    table = pd.read_csv(out / "school_teachers.csv", dtype={"school_id": str, "county_code": str},
                        encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert table.columns[:2].tolist() == ["school_id", "county_code"]
    assert "teachers" in table and not table["school_id"].duplicated().any()
    roster = pd.read_csv(sample_dir / "teachers_county.csv", dtype=str, keep_default_na=False)
    non_teaching = roster["任职岗位"].isin(["工勤", "会计", "门卫", "炊事", "宿管"])
    by_hand = roster[~non_teaching].groupby("school_id").size()
    assert (table.set_index("school_id")["teachers"] == by_hand.loc[table["school_id"]].values).all()
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    counties = schools[(schools["year"] == 2017) & schools["county_name"].isin(["大武口区", "西吉县"])]
    assert set(table["school_id"]) == set(counties["school_id"])  # every school of both counties
    assert table["teachers"].sum() == counties["teachers"].sum()
    music = roster[(roster["任职岗位"] == "音乐") & ~roster["备注"].str.contains("兼职")]
    lacking = set(counties["school_id"]) - set(music["school_id"])
    assert set(table.loc[table["missing_subjects"].fillna("").str.contains("音乐"), "school_id"]) \
        == lacking
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["schools"] == len(table) and summary["discrepancies"] == 0
    assert summary["teachers"] == int(by_hand.sum())
    assert summary["staff_not_teaching"] == int(non_teaching.sum())
    assert (out / "county_teachers.csv").exists() and (out / "discrepancies.csv").exists()
    assert (out / "teacher_structure.png").stat().st_size > 10_000


@pytest.mark.browser
def test_zh_report_reads_in_chinese_without_raw_values(out, tmp_path, browser):
    # The report a reader gets (exported without code) from the run above, in Chromium: every
    # heading and sentence from the catalogue in Chinese; no NaN/None/True/False, scientific
    # notation, snake_case names, Python literals or English prose.
    visible, problems = report_text_problems(browser, out.parent / "teacher_structure.executed.ipynb", tmp_path)
    assert problems == []
    assert visible.lstrip().startswith("教职工花名册中的教师结构")
    for heading in ['一句话结论', '各县情况', '缺少专业教师的学校', '花名册与学校统计表比对']:
        assert heading in visible, heading
