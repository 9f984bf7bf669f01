"""edubalance.report.regression_text: a regression's tables (markdown, HTML, LaTeX) and its
reading in words, in both languages."""
from __future__ import annotations

import html

import pytest

import edubalance.analysis.regression as reg
import edubalance.report.regression_text as words
from tests.analysis.test_regression import INPUTS, _by_term, make_panel


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def test_models_table_formats_escape_text(panel):
    frame = panel.rename(columns={"urbanisation_pct": "urban_<b>&share"})
    inputs = INPUTS[:2] + ["urban_<b>&share"]
    pooled = reg.fit_ols(frame, "mean_exam_score", inputs)
    fixed = reg.fit_ols(frame, "mean_exam_score", inputs, fixed_effects=["county_code", "year"],
                        cov_type="cluster", cluster="county_code")
    markdown = words.models_table([pooled, fixed], ["pooled", "two-way"])
    estimate = _by_term(fixed).loc["spending_per_student_kcny"]
    line = next(row for row in markdown.splitlines() if row.startswith("| spending"))
    assert line.split(" | ")[2].startswith(f"{estimate['estimate']:.3f}")
    assert f"| Observations | {len(panel):,} | {len(panel):,} |" in markdown
    page = words.models_table([pooled, fixed], fmt="html")
    assert "<b>&share" not in page and html.escape("urban_<b>&share") in page
    latex = words.models_table([pooled, fixed], fmt="latex", stars=False)
    assert r"urban\_<b>\&share" in latex and "***" not in latex
    assert latex.startswith(r"\begin{tabular}{lcc}")


def test_description_and_headline(panel):
    result = reg.fit_ols(panel.rename(columns={"urbanisation_pct": "城镇化率"}), "mean_exam_score",
                         INPUTS[:2] + ["城镇化率"], fixed_effects=["county_code", "year"],
                         cov_type="cluster", cluster="county_code")
    text = words.describe_result(result)
    row = _by_term(result).loc["spending_per_student_kcny"]
    assert f"{row['estimate']:.3g}" in text and "clustered by county_code" in text
    assert words.headline(result)["estimate"] == pytest.approx(row["estimate"])


def test_labels_and_chinese_description(panel):
    result = reg.fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code", "year"],
                         cov_type="cluster", cluster="county_code")
    row = result.to_frame().set_index("term").loc["spending_per_student_kcny"]
    text = words.describe_result(result, lang="zh")
    assert "spending_per_student_kcny" in text and "每增加一个单位" in text
    assert f"{row['estimate']:.3g}" in text
    assert f"按county_code聚类，{result.statistics['n_clusters']}个聚类" in text
    assert words.describe_result(result, lang="en").startswith("One more unit of ")
    assert words.headline(result, lang="zh")["text"] == text
    table = words.models_table(result, lang="zh")
    assert table.count("spending_per_student_kcny") == 1


def test_every_public_callable_documents_its_parameters():
    from figure_checks import undocumented

    assert not (missing := undocumented(["edubalance.report.regression_text"])), missing
