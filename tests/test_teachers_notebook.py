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
    return execute_notebook_once("teacher_structure", tmp_path_factory.mktemp("teacher_structure"))


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
