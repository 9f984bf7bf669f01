"""notebooks/assessment_effect.ipynb, executed once, against the sample's known effects."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from helpers import execute_notebook_once, report_text_problems

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return execute_notebook_once("assessment_effect", tmp_path_factory.mktemp("assessment_effect"))


def test_recovers_the_sample_effect_and_shows_twfe_bias(out, sample_dir):
    panel = pd.read_csv(sample_dir / "assessment_panel.csv", dtype={"county_code": str})
    pd.testing.assert_frame_equal(panel, eb.io.sample.generate_assessment_panel(2017),
                                  check_dtype=False)
    used = panel[panel["year"] < 2017]
    true_att = used.loc[used["treated"] == 1, "true_effect"].mean()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {"att", "att_std_error", "method", "twfe"} <= set(summary)
    assert summary["true_att"] == pytest.approx(true_att)
    assert abs(summary["att"] - true_att) < 2 * summary["att_std_error"]
    assert true_att - summary["twfe"] > 3 * summary["twfe_std_error"]
    assert "did2s" in summary["method"] and "Borusyak" in summary["method"]
    table = pd.read_csv(out / "event_study.csv", encoding="utf-8-sig")
    assert list(table.columns[:5]) == ["event_time", "estimate", "std_error", "ci_low", "ci_high"]
    assert table["event_time"].tolist() == list(range(-13, 7))
    # Independent: event-time means of the outcome net of county and year effects fitted on
    # the untreated county-years (the imputation estimator by least squares).
    untreated = used["treated"] == 0
    dummies = pd.get_dummies(used[["county_code", "year"]].astype(str)).to_numpy(float)
    beta, *_ = np.linalg.lstsq(dummies[untreated.to_numpy()],
                               used.loc[untreated, "mean_exam_score"], rcond=None)
    residual = used["mean_exam_score"].to_numpy() - dummies @ beta
    by_event = pd.Series(residual).groupby(used["event_time"].to_numpy()).mean()
    post = table[table["event_time"] >= 0].set_index("event_time")
    # pyfixest demeans by alternating projections (tolerance ~1e-6), hence atol 1e-5.
    np.testing.assert_allclose(post["estimate"], by_event.loc[post.index], atol=1e-5)
    truth = eb.io.sample.staggered_effect(post.index.to_numpy())
    assert ((post["ci_low"] <= truth) & (truth <= post["ci_high"])).mean() >= 0.7
    assert (out / "event_study.png").stat().st_size > 10_000


def test_sensitivity_and_cross_check_files(out):
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {"att", "att_std_error", "method", "twfe", "pretrend_p_value", "anticipation",
            "cross_check"} <= set(summary)
    assert summary["anticipation"] == 0 and "Callaway" in summary["cross_check"]["method"]
    assert abs(summary["cross_check"]["att"] - summary["att"]) < 1.0
    sensitivity = pd.read_csv(out / "sensitivity.csv", encoding="utf-8-sig")
    assert list(sensitivity.columns) == ["m", "ci_low", "ci_high"]
    assert sensitivity["m"].tolist() == [0, 0.5, 1, 1.5, 2]
    assert (sensitivity.loc[0, "ci_low"], sensitivity.loc[0, "ci_high"]) == pytest.approx(
        (summary["att_ci_low"], summary["att_ci_high"]))
    assert (np.diff(sensitivity["ci_high"] - sensitivity["ci_low"]) > 0).all()
    by_period = pd.read_csv(out / "sensitivity_by_period.csv", encoding="utf-8-sig")
    assert list(by_period.columns) == ["event_time", "m", "ci_low", "ci_high"]
    assert (out / "sensitivity.png").stat().st_size > 10_000


@pytest.mark.browser
def test_zh_report_reads_in_chinese_without_raw_values(out, tmp_path, browser):
    # The report a reader gets (exported without code) from the run above, in Chromium: every
    # heading and sentence from the catalogue in Chinese; no NaN/None/True/False, scientific
    # notation, snake_case names, Python literals or English prose.
    visible, problems = report_text_problems(browser, out.parent / "assessment_effect.executed.ipynb", tmp_path)
    assert problems == []
    assert visible.lstrip().startswith("达到基本均衡后结果是否改变")
    for heading in ['一句话结论', '事件研究', '稳健估计与朴素双向固定效应的比较']:
        assert heading in visible, heading


def test_notes_follow_lang_and_stay_english_in_the_summary():
    # No kernel: what the notebook shows under "注：" and what summary.json keeps.
    panel = eb.io.sample.generate_assessment_panel(2017)
    result = eb.analysis.event_study.estimate(panel, "mean_exam_score")
    assert result.notes == tuple(result.notes_in("en")) and "2017" in result.notes[0]
    assert result.notes[0].startswith("dropped year(s) 2017: every unit is treated")
    (zh,) = result.notes_in("zh")
    assert zh.startswith("已剔除2017年") and "dropped" not in zh
    assert result.to_dict()["notes"] == list(result.notes)


@pytest.mark.slow  # a second run of the notebook; the default tier: the test below and
#                   tests/analysis/test_event_study.py (anticipation in the estimate and its summary)
def test_anticipation_parameter_reaches_the_estimator(tmp_path):
    out = execute_notebook_once("assessment_effect", tmp_path, anticipation=1)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["anticipation"] == 1 and summary["reference_event_time"] == -2
    table = pd.read_csv(out / "event_study.csv", encoding="utf-8-sig").set_index("event_time")
    assert table.loc[-2, "estimate"] == 0 and np.isnan(table.loc[-2, "std_error"])
    assert np.isfinite(table.loc[-1, "std_error"])          # an anticipation-year estimate
    panel = eb.io.sample.generate_assessment_panel(2017)
    direct = eb.analysis.event_study.estimate(panel, "mean_exam_score", anticipation=1)
    assert summary["att"] == pytest.approx(direct.att)
    assert summary["pretrend_p_value"] == pytest.approx(direct.pretrend_p_value)


def test_the_notebook_hands_its_anticipation_parameter_to_the_estimator(out, root):
    """Without a second run (the run above is the slow tier's): the notebook's call of the
    estimator passes its ``anticipation`` parameter, and the default run reports it."""
    import ast

    import nbformat

    notebook = nbformat.read(str(root / "notebooks" / "assessment_effect.ipynb"), as_version=4)
    calls = [node for cell in notebook.cells if cell.cell_type == "code"
             for node in ast.walk(ast.parse(cell.source))
             if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
                 "event_study.estimate")]
    assert len(calls) == 1, [ast.unparse(call) for call in calls]
    passed = {keyword.arg: ast.unparse(keyword.value) for keyword in calls[0].keywords}
    assert passed.get("anticipation") == "anticipation", passed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["anticipation"] == 0 and summary["reference_event_time"] == -1
