"""notebooks/outcome_regression.ipynb run by papermill; assertions on the files it writes."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import execute_notebook_once, report_text_problems

# SciPy, scikit-learn and statsmodels are imported inside the tests that use them: every
# pytest-xdist worker imports every test module to collect it (about 2 s for these three).

INPUTS = ["spending_per_student_kcny", "teachers_per_100_students", "urbanisation_pct"]
COLUMNS = ["term", "estimate", "std_error", "t_value", "p_value", "ci_low", "ci_high"]

pytestmark = pytest.mark.notebooks


def _strict_json(path):
    def reject(constant):
        raise AssertionError(f"{path.name} contains {constant}; JSON must use null")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=reject)


@pytest.fixture(scope="module")
def counties(sample_dir):
    return pd.read_csv(sample_dir / "counties.csv", dtype={"county_code": str})


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    # Executed once for the module: the default run (the Excel path is a unit test below).
    return execute_notebook_once("outcome_regression", tmp_path_factory.mktemp("outcome_regression"))


def test_default_run_two_way_fixed_effects_clustered(out, counties):
    import statsmodels.formula.api as smf

    coefficients = pd.read_csv(out / "coefficients.csv", encoding="utf-8-sig")
    assert list(coefficients.columns) == COLUMNS
    assert coefficients["term"].tolist() == INPUTS  # intercept absorbed by the fixed effects
    # Independent fit: statsmodels OLS with county and year dummies, clustered by county.
    formula = "mean_exam_score ~ " + " + ".join(INPUTS) + " + C(county_code) + C(year)"
    groups = pd.factorize(counties["county_code"])[0]
    direct = smf.ols(formula, counties).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(coefficients["estimate"], direct.params[INPUTS], atol=1e-8)
    # reghdfe convention: county effects nested in the clusters are not counted in K.
    n, k_all, k_nested = len(counties), int(direct.df_model) + 1, 3 + counties["year"].nunique()
    np.testing.assert_allclose(coefficients["std_error"],
                               direct.bse[INPUTS] * np.sqrt((n - k_all) / (n - k_nested)),
                               rtol=1e-6)
    model = _strict_json(out / "model.json")
    assert model["nobs"] == len(counties) == 176
    assert model["cov_type"] == "cluster" and model["cluster"] == "county_code"
    assert model["fixed_effects"] == ["county_code", "year"]
    assert model["outcome"] == "mean_exam_score"
    assert model["r2"] == pytest.approx(direct.rsquared, rel=1e-8)
    assert model["adj_r2"] == pytest.approx(direct.rsquared_adj, rel=1e-8)
    summary = _strict_json(out / "summary.json")
    assert summary["term"] == INPUTS[0]
    assert summary["estimate"] == pytest.approx(coefficients["estimate"].iloc[0])
    assert "spending_per_student_kcny" in summary["text"]
    for name in ("coefficients.png", "residuals.png", "diagnostics_vif.csv", "influential.csv"):
        assert (out / name).stat().st_size > 0, name
    assert not list(out.glob("*.svg"))  # SVG only on request (test_plotting)


def test_excel_input_pooled_hc1(counties, tmp_path):
    # The notebook's calls on an Excel file, without a kernel: read_table, check_specification,
    # fit_ols without fixed effects, the tidy table and model.json it writes. With
    # cov_type="HC1" the notebook drops the (default) cluster column before fitting.
    import statsmodels.formula.api as smf

    import edubalance as eb

    path = tmp_path / "counties.xlsx"
    counties.to_excel(path, index=False)
    table = eb.analysis.regression.read_table(path)
    assert len(table) == len(counties) and table["county_code"].tolist() == counties["county_code"].tolist()
    eb.analysis.regression.check_specification(table, "progression_rate_pct", INPUTS[:2], [], "HC1", None)
    result = eb.analysis.regression.fit_ols(table, "progression_rate_pct", INPUTS[:2], fixed_effects=[],
                                   cov_type="HC1", cluster=None)
    coefficients = eb.analysis.regression.coefficient_table(result)[eb.analysis.regression.COEFFICIENT_COLUMNS]
    direct = smf.ols("progression_rate_pct ~ " + " + ".join(INPUTS[:2]), counties).fit(
        cov_type="HC1")
    assert coefficients["term"].tolist() == ["Intercept", *INPUTS[:2]]
    np.testing.assert_allclose(coefficients["estimate"], direct.params, rtol=1e-9)
    np.testing.assert_allclose(coefficients["std_error"], direct.bse, rtol=1e-9)
    model = json.loads(eb.analysis.regression.model_json(result))
    assert model["nobs"] == len(counties) and model["cov_type"] == "HC1"
    assert model["cluster"] is None
    assert model["fixed_effects"] == [] and model["r2_within"] is None


@pytest.mark.parametrize("parameters, message", [
    ({"inputs": ["spending_per_student_kcny", "no_such_column"]},
     r"unknown column\(s\): no_such_column \(available: county_code"),
    ({"cluster": None}, "cov_type='cluster' needs a cluster column"),
])
def test_bad_parameters_fail_with_named_message(counties, parameters, message):
    # The notebook's first cell calls check_specification with its parameters before any
    # work (issue 12: error paths as unit tests, without starting a kernel).
    import edubalance.analysis.regression as reg
    from edubalance.errors import ParameterError

    spec = {"outcome": "mean_exam_score", "inputs": INPUTS, "fixed_effects": ["county_code", "year"],
            "cov_type": "cluster", "cluster": "county_code", **parameters}
    with pytest.raises(ParameterError, match=message):
        reg.check_specification(counties, spec["outcome"], spec["inputs"], spec["fixed_effects"],
                                spec["cov_type"], spec["cluster"])


def test_notebook_defaults_follow_the_conventions(root):
    import nbformat

    notebook = nbformat.read(root / "notebooks" / "outcome_regression.ipynb", as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    parameters = next(c.source for c in cells if "parameters" in c.metadata.get("tags", []))
    assert 'output_dir = "results/outcome_regression"' in parameters
    assert 'lang = "zh"' in parameters
    following = cells[cells.index(next(c for c in cells if c.source == parameters)) + 1].source
    assert "check_notebook_parameters" in following and "check_specification" in following


@pytest.mark.browser
def test_zh_report_reads_in_chinese_without_raw_values(out, tmp_path, browser):
    # The report a reader gets (exported without code) from the run above, in Chromium: every
    # heading and sentence from the catalogue in Chinese; no NaN/None/True/False, scientific
    # notation, snake_case names, Python literals or English prose.
    visible, problems = report_text_problems(browser, out.parent / "outcome_regression.executed.ipynb", tmp_path)
    assert problems == []
    assert visible.lstrip().startswith("投入与结果的回归分析")
    for heading in ['模型估计', '结果解读', '系数图', '模型诊断']:
        assert heading in visible, heading


def test_report_words_use_labels_only(counties):
    # No kernel: the models table and the reading the report shows name variables, fixed
    # effects and clusters by their labels; summary.json's text keeps the column names.
    import edubalance as eb

    result = eb.analysis.regression.fit_ols(counties, "mean_exam_score", INPUTS,
                                   fixed_effects=["county_code", "year"], cov_type="cluster",
                                   cluster="county_code")
    for lang in ("zh", "en"):
        words = eb.report.regression_text.describe_result(result, lang=lang, names=False)
        table = eb.report.regression_text.models_table(result, lang=lang, show_columns=False)
        for shown in (words, table):
            assert not any(name in shown for name in [*INPUTS, "county_code", "mean_exam_score"])
        assert eb.report.i18n.label("spending_per_student_kcny", lang) in words
        assert eb.report.i18n.label("county_code", lang) in table
    assert "固定效应 | 县代码, 年份 |" in eb.report.regression_text.models_table(result, lang="zh",
                                                                   show_columns=False)
    assert "spending_per_student_kcny" in eb.report.regression_text.headline(result, lang="zh")["text"]
