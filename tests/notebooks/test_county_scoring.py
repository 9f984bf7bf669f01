"""The county scoring notebook, executed once on the sample with its defaults (大武口区, 2017,
basic-2012, Chinese; by the batch of the demo reports (demo.py)) and once by papermill on a
generated county that passes quality-2017 with a single nine-year school, in English (issue 14 item 1: such a county used to get no
report). Error paths and the by-code / by-name equivalence run through the package (no kernel).
"""
from __future__ import annotations

import json
import math
import re

import nbformat
import openpyxl
import pandas as pd
import pytest

import edubalance as eb
from demo import DEMO_COUNTIES, demo_job
from edubalance.report.i18n import text
from helpers import county_frame, execute_notebook_once
from paths import SAMPLE_DIR

pytestmark = pytest.mark.notebooks


def _execute(folder, **parameters):
    output = execute_notebook_once("county_scoring", folder, **parameters)
    return output, folder / "county_scoring.executed.ipynb"


@pytest.fixture(scope="module")
def sample_run(demo_reports):
    # The notebook's defaults (大武口区, 2017, basic-2012, zh), run once for the whole suite by
    # `edubalance batch` in the demo reports (demo.py) (the browser tests open the same report).
    folder, entry = demo_job(demo_reports, "county_scoring", DEMO_COUNTIES[0])
    return folder, demo_reports / entry["notebook_output"]


@pytest.fixture(scope="module")
def passing_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("passing")
    county_frame([("nine_year", 900, 30, 1.0)], name="乙县", code="640998").to_csv(
        folder / "schools.csv", index=False)
    return _execute(folder, data_path=str(folder / "schools.csv"), county="乙县",
                    standard="quality-2017", lang="en")


def read_outputs(output_dir):
    summary = json.loads((output_dir / "summary.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_csv(output_dir / f"{name}.csv", encoding="utf-8-sig",
                                dtype={"county_code": str, "school_id": str})
              for name in ("indicators", "cv", "compliance")}
    return summary, tables


def test_basic_2012_outputs_are_consistent(sample_run):
    output_dir, _ = sample_run                         # defaults: 大武口区, 2017, basic-2012
    summary, tables = read_outputs(output_dir)
    assert (summary["county"], summary["year"], summary["standard"]) == ("大武口区", 2017,
                                                                          "basic-2012")
    cv = tables["cv"]
    assert list(cv.columns[:5]) == ["level", "indicator", "cv", "threshold", "passed"]
    assert set(cv["county_code"]) == {"640202"}
    for level in ("primary", "junior"):
        info = summary["levels"][level]
        rows = cv[cv["level"] == level]
        assert len(rows) == 8
        assert info["composite_cv"] == pytest.approx(rows["cv"].mean(), rel=1e-9)
        limit = {"primary": 0.65, "junior": 0.55}[level]
        assert (rows["threshold"] == limit).all()
        assert info["passed"] == (info["composite_cv"] <= limit)
        assert info["passed"] == (info["failed_rules"] == [])
        assert 0 < info["composite_cv"] < 1
    # The demo passes the sample's counties.csv as evidence: the verdict is the official one.
    counties = pd.read_csv(SAMPLE_DIR / "counties.csv", dtype={"county_code": str})
    facts = counties[(counties["county_code"] == "640202") & (counties["year"] == 2017)].iloc[0]
    evidence = {e["item"]: e for e in summary["evidence"]}
    assert evidence["government_work_score"]["value"] == pytest.approx(facts["government_work_score"])
    assert evidence["satisfaction_pct"]["value"] == pytest.approx(facts["satisfaction_pct"])
    assert evidence["provincial_running_standard"]["status"] == "assumed"
    met = (facts["government_work_score"] >= 85 and facts["satisfaction_pct"] >= 85
           and all(summary["levels"][lv]["composite_cv"] <= limit
                   for lv, limit in (("primary", 0.65), ("junior", 0.55))))
    assert summary["verdict"] == ("pass" if met else "fail")
    assert all(info["verdict"] == summary["verdict"] or not met
               for info in summary["levels"].values())
    assert (tables["indicators"]["county_code"] == "640202").all()
    assert len(tables["compliance"]) == len(tables["indicators"])
    # Figures are rendered once, as PNG; SVG only on request (issue 16). The schools are a
    # colour-coded table, not a heat map image.
    assert (output_dir / "county_comparison.png").stat().st_size > 1000
    assert not list(output_dir.glob("*.svg")) and not list(output_dir.glob("schools_*.png"))
    assert "NaN" not in (output_dir / "summary.json").read_text(encoding="utf-8")


def test_the_report_shows_the_saved_figures_and_no_python_list(sample_run):
    output_dir, executed = sample_run
    notebook = nbformat.read(str(executed), as_version=4)
    images = [output["data"]["image/png"] for cell in notebook.cells
              for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
    import base64
    saved = {(output_dir / "county_comparison.png").read_bytes()}
    assert {base64.b64decode(image) for image in images} == saved
    last = [cell for cell in notebook.cells if cell.cell_type == "code"][-1]
    assert all(output.output_type != "execute_result" for output in last.outputs)
    texts = [output.get("text", "") for cell in notebook.cells for output in cell.outputs
             if output.output_type == "stream"]
    assert not any(t.strip() for t in texts), texts


def test_each_school_is_shown_as_a_percentage_of_the_county_mean(sample_run):
    # basic-2012 sets no thresholds: the reference is the enrolment-weighted mean of the
    # county's schools of the level, computed here from the machine-readable indicators.csv.
    output_dir, executed = sample_run
    notebook = nbformat.read(str(executed), as_version=4)
    page = "".join(output.get("data", {}).get("text/html", "") for cell in notebook.cells
                   for output in cell.get("outputs", []))
    _, tables = read_outputs(output_dir)
    for level, level_zh in (("primary", "小学"), ("junior", "初中")):
        caption = f"大武口区 2017年 {level_zh}：各校指标"
        # The screen table first; the parts printed instead of it (column groups) repeat it.
        assert page.count(caption) >= 1
        rows = re.findall(r"<tr>((?:(?!</tr>).)*)</tr>",
                          page.split(caption)[1].split("</table>")[0], re.S)
        schools = tables["indicators"][tables["indicators"]["level"] == level]
        for item in ("books_per_student", "teachers_per_100_students"):
            values = schools[item].to_numpy(dtype=float)
            weights = schools["students"].to_numpy(dtype=float)
            mean = (values * weights).sum() / weights.sum()
            for name, value in zip(schools["school_name"], values, strict=True):
                row = [r for r in rows if f">{name}</td>" in r]
                assert len(row) == 1, name
                assert f">{100 * value / mean:,.1f}%</td>" in row[0], (name, item)
    assert page.count("background-color: #") >= 2 * len(tables["indicators"])


def test_results_workbook_has_the_four_sheets_and_the_evidence(sample_run):
    output_dir, _ = sample_run
    book = openpyxl.load_workbook(output_dir / "results.xlsx")
    assert book.sheetnames == ["结论", "差异系数", "各校达标情况", "缺口与改造", "佐证材料"]
    summary, _ = read_outputs(output_dir)
    for sheet in book.worksheets:   # every sheet names county, standard and year first
        assert summary["county"] in sheet["A1"].value and str(summary["year"]) in sheet["A1"].value
        assert summary["standard"] in sheet["A2"].value and sheet["A3"].value is None
        assert sheet.freeze_panes == "A5" and sheet.print_title_rows == "$4:$4"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.auto_filter.ref.startswith("A4:")
    verdict = book["结论"]
    assert [c.value for c in verdict[4]][:3] == ["学段", "学校数（所）", "在校生数（人）"]
    assert isinstance(verdict["B5"].value, int)
    cv = book["差异系数"]
    summary, tables = read_outputs(output_dir)
    assert cv.max_row - 4 == len(tables["cv"])
    assert sorted(c.value for c in cv["C"][4:]) == pytest.approx(sorted(tables["cv"]["cv"]))


def test_a_passing_single_school_county_gets_its_report_in_english(passing_run):
    output_dir, executed = passing_run
    summary = json.loads((output_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["passed"] and summary["standard"] == "quality-2017"
    # Every rule school data decide is met, but no evidence was given: never "pass".
    assert summary["verdict"] == "incomplete"
    assert "social_recognition_pct" in summary["levels"]["primary"]["not_assessed"]
    assert set(summary["levels"]) == {"primary", "junior"}
    assert pd.read_csv(output_dir / "gaps.csv", encoding="utf-8-sig").empty
    assert openpyxl.load_workbook(output_dir / "results.xlsx").sheetnames[0] == "结论"
    page = eb.report.html.export_html(executed, output_dir / "county_scoring.html").read_text(
        encoding="utf-8")
    assert "<title>乙县: balanced compulsory education, 2017</title>" in page
    assert "Verdict" in page and "passed" in page and "评估结论" not in page
    # One county in the data: no comparison figure, and a sentence saying why.
    assert not (output_dir / "county_comparison.png").exists()
    assert "draws no comparison with other counties" in page
    assert text("report.figure_comparison", "en") not in page
    sources = ["".join(cell.source) for cell in nbformat.read(executed, as_version=4).cells]
    assert any("county_comparison" in source for source in sources)


def test_code_and_chinese_name_give_the_same_result_quality():
    schools, result = eb.run.cache.scored_year(SAMPLE_DIR / "schools.csv", "quality-2017", 2017)
    by_code = eb.report.county_report.build(schools, result, "640181", 2017)
    by_name = eb.report.county_report.build(schools, result, "灵武市", 2017)
    summary_code = json.loads(json.dumps(eb.io.write.to_jsonable(by_code.summary)))
    assert summary_code == json.loads(json.dumps(eb.io.write.to_jsonable(by_name.summary)))
    cv_code = by_code.results["cv"]
    pd.testing.assert_frame_equal(cv_code, by_name.results["cv"])
    for level, info in summary_code["levels"].items():
        assert info["composite_cv"] is None                    # quality-2017 has no composite
        rows = cv_code[cv_code["level"] == level]
        assert (rows["passed"] == (rows["cv"] <= rows["threshold"])).all()
        cv_rule_failed = "indicator_cv" in info["failed_rules"]
        assert cv_rule_failed == (not rows["passed"].all())
        compliance = by_code.results["compliance"]
        failing = compliance[(compliance["level"] == level) & (compliance["passed"] == False)]  # noqa: E712
        assert ("school_indicators" in info["failed_rules"]) == (
            (failing["meets_min_indicators"] == False) | (failing["unmet_within_share"] == False)  # noqa: E712
        ).any()
    gaps = by_code.results["gaps"]
    compliance = by_code.results["compliance"]
    failing_ids = set(compliance.loc[compliance["passed"] == False, "school_id"])  # noqa: E712
    assert set(gaps["school_id"]) <= failing_ids
    assert (gaps["amount"] > 0).all() and not math.isnan(gaps["amount"].sum())


def test_unknown_county_fails_with_close_matches():
    schools, result = eb.run.cache.scored_year(SAMPLE_DIR / "schools.csv", "basic-2012", 2017)
    with pytest.raises(ValueError, match=r"close matches: 大武口区 \(640202\)"):
        eb.report.county_report.build(schools, result, "大武口", 2017)


def test_unknown_standard_lists_the_available_ones():
    with pytest.raises(ValueError, match="available: basic-2012, ningxia-2010, quality-2017"):
        eb.core.standards.load_standard("quality-2018")


def test_unknown_language_is_refused():
    with pytest.raises(eb.errors.ParameterError, match="lang='fr'"):
        eb.report.i18n.check_lang("fr")


# A fresh kernel and the whole notebook in a papermill process (about 10 s of CPU): the slow
# tier. The default tier keeps the same behaviour cheaper: papermill on a fresh kernel with
# parameters (tests/run/test_engines.py's cold engine), this notebook with the sample's evidence (the
# demo reports' batch) and papermill reading every parameter (test_notebook_hygiene).
@pytest.mark.slow
def test_papermill_runs_the_notebook_as_the_readme_shows(tmp_path):
    """Whatever engine the batch uses, the notebook stays a papermill notebook: the README's
    command (`.venv/bin/papermill notebooks/county_scoring.ipynb OUT -p county 灵武市 ...`), run
    as a user would, from the project folder, with evidence given."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = SAMPLE_DIR.parents[1]
    papermill = Path(sys.executable).with_name("papermill")
    out = tmp_path / "lingwu"
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    done = subprocess.run(
        [str(papermill), "notebooks/county_scoring.ipynb", str(tmp_path / "scoring.ipynb"),
         "-p", "county", "灵武市", "-p", "year", "2017", "-p", "standard", "basic-2012",
         "-p", "evidence_path", "data/sample/counties.csv", "-p", "output_dir", str(out)],
        cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["county"] == "灵武市" and summary["verdict"] in ("pass", "fail")
    assert {e["item"] for e in summary["evidence"]} >= {"government_work_score",
                                                         "satisfaction_pct"}
