"""notebooks/province_progress.ipynb, executed once; its files checked against a plain loop."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import edubalance as eb
from helpers import execute_notebook_once, report_text_problems

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return execute_notebook_once("province_progress", tmp_path_factory.mktemp("province_progress"), n_bootstrap=200)


def test_outputs_agree_with_a_plain_loop_over_county_years(out, sample_dir):
    # The verdict of each county-year from scoring one year at a time (test_progress does it
    # county-year by county-year on a generated province; test_scoring shows that scoring
    # counties together equals scoring each alone), then plain loops.
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    passed = {}
    for _, part in schools.groupby("year"):
        levels = eb.core.scoring.score(part, "basic-2012").counties
        for row in levels.itertuples():   # a county passes a year if it passes both levels
            key = (row.county_code, row.year)
            passed[key] = passed.get(key, True) and bool(row.passed)
    first = pd.read_csv(out / "first_pass.csv", dtype={"county_code": str}, encoding="utf-8-sig")
    assert list(first.columns) == ["county_code", "county_name", "first_pass_year"]
    assert len(first) == 22
    for row in first.itertuples():
        years = sorted(y for (c, y), ok in passed.items() if c == row.county_code and ok)
        assert row.first_pass_year == years[0]
    shares = pd.read_csv(out / "share_passing.csv", encoding="utf-8-sig")
    assert list(shares.columns[:4]) == ["year", "counties", "passing", "share"]
    assert shares["year"].tolist() == list(range(2010, 2018))
    for row in shares.itertuples():
        ok = [v for (c, y), v in passed.items() if y == row.year]
        assert (row.counties, row.passing) == (len(ok), sum(ok))
        assert row.share == pytest.approx(sum(ok) / len(ok))
    # The sample's documented model: every county passes by 2017 (data/README.md).
    assert shares["share"].iloc[-1] == 1.0
    projection = json.loads((out / "projection.json").read_text(encoding="utf-8"))
    assert projection["share"] == 1.0 and projection["passed_by_last_year"] == 22
    assert projection["target_year"] == 2020 and projection["target_share"] == 0.95
    assert "hazard" in projection["method"] and "predictive" in projection["method"]
    assert {"share", "ci_low", "ci_high", "probability_meets_target", "passed_by_last_year",
            "counties"} <= set(projection)
    assert projection["ci_low"] == projection["ci_high"] == 1.0   # nothing left to project
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["standard"] == "basic-2012" and summary["counties"] == 22
    for name in ("heat_map.png", "share_passing.png", "cv_trajectories.png"):
        assert (out / name).stat().st_size > 10_000, name


@pytest.mark.browser
def test_zh_report_reads_in_chinese_without_raw_values(out, tmp_path, browser):
    # The report a reader gets (exported without code) from the run above, in Chromium: every
    # heading and sentence from the catalogue in Chinese; no NaN/None/True/False, scientific
    # notation, snake_case names, Python literals or English prose.
    visible, problems = report_text_problems(browser, out.parent / "province_progress.executed.ipynb", tmp_path)
    assert problems == []
    assert visible.lstrip().startswith("全省县域义务教育均衡发展进展")
    for heading in ['一句话结论', '历年达标县比例', '预测方法', '综合差异系数的变化']:
        assert heading in visible, heading


@pytest.mark.parametrize("name", ["province_progress", "teacher_structure", "assessment_effect",
                                  "outcome_regression"])
def test_research_notebooks_show_only_catalogue_text(root, name):
    # No kernel: a report is exported without code, so these notebooks keep no Markdown cell
    # (it would show in one language only) and print nothing; every catalogue key they name
    # exists (in zh and en: the catalogue requires both).
    import re

    import nbformat

    notebook = nbformat.read(root / "notebooks" / f"{name}.ipynb", as_version=4)
    assert [c.cell_type for c in notebook.cells] == ["code"] * len(notebook.cells)
    source = "\n".join(c.source for c in notebook.cells)
    assert "print(" not in source
    keys = set(re.findall(r'"((?:research|progress|teachers|event|regression)\.[a-z_.]+)"', source))
    assert len(keys) >= 8
    for key in sorted(keys):
        assert eb.report.i18n.text(key, "zh") and eb.report.i18n.text(key, "en") is not None, key
    assert 'eb.report.story.heading(' in source and 'level=1' in source


def test_ningxia_projection_at_the_last_year_with_schedule_and_targets(tmp_path):
    # 16 of 22 sample counties pass ningxia-2010 by 2017: at target_year 2017 the predictive
    # interval is that share exactly; the schedule enters the hazard; targets are parameters.
    schedule = tmp_path / "schedule.csv"
    pd.DataFrame({"县名称": ["大武口区", "灵武市", "西吉县"], "计划年份": [2011, 2012, 2018]}).to_csv(
        schedule, index=False)
    out = execute_notebook_once("province_progress", tmp_path / "run", standard="ningxia-2010",
                                target_year=2017, schedule_path=str(schedule), n_bootstrap=100,
                                national_targets={2015: 0.6}, province_targets={2016: 0.7},
                                lang="en")
    projection = json.loads((out / "projection.json").read_text(encoding="utf-8"))
    assert projection["passed_by_last_year"] == 16 and projection["counties"] == 22
    assert projection["share"] == projection["ci_low"] == projection["ci_high"] == 16 / 22
    assert projection["probability_meets_target"] == 0.0
    assert "past_schedule" in projection["method"]
    shares = pd.read_csv(out / "share_passing.csv", encoding="utf-8-sig").set_index("year")
    assert shares.loc[2015, "target"] == 0.6 and shares.loc[2016, "target"] == 0.7
    assert shares["target"].notna().sum() == 2          # 2020 is past the data
