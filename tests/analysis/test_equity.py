"""edubalance.analysis.equity without a kernel: parameters, the default indicators, the data
(its figures: tests/report/figures/test_equity.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis import equity


@pytest.fixture(scope="module")
def analysis(sample_dir):
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    schools = schools[schools["county_code"].isin(sorted(schools["county_code"].unique())[:6])]
    return equity.equity_analysis(schools, level="primary", year=2017, n_draws=60,
                                  random_state=3)


def test_default_indicators_are_the_quality_standard_items():
    std = eb.core.standards.load_standard("quality-2017")
    assert equity.default_indicators() == std.item_names
    assert len(equity.default_indicators()) == 7


@pytest.mark.parametrize("params, message", [
    ({"level": "senior"}, r"unknown level .senior. \(levels: primary \(小学\), junior \(初中\)\)"),
    ({"indicators": ["books_per_student"]}, "at least two different"),
    ({"indicators": ["books_per_student", "books_per_student"]}, "at least two different"),
    ({"weighting": "user"}, "weighting must be one of"),
    ({"aggregation": "median"}, "aggregation must be one of"),
    ({"n_draws": 0}, "n_draws must be at least 1"),
    ({"output_dir": ""}, "output_dir must not be empty"),
    ({"lang": "de"}, "not supported"),
])
def test_parameters_are_checked_before_any_work(params, message):
    with pytest.raises(eb.errors.ParameterError, match=message):
        equity.check_equity_parameters(params)


def test_analysis_is_consistent_with_disparity_and_composite(analysis):
    assert analysis.ranking["nominal_rank"].tolist() == list(range(1, 7))
    row = analysis.measures.iloc[0]
    part = analysis.sections[analysis.sections["county_code"] == row["county_code"]]
    x, w = part[row["indicator"]], part["students"]
    assert row["cv"] == pytest.approx(eb.core.disparity.weighted_cv(x, w), rel=1e-12)
    assert row["gini"] == pytest.approx(eb.core.disparity.gini(x, weights=w), rel=1e-12)
    summary = analysis.to_dict()
    assert summary["seed"] == 3 and summary["n_counties"] == 6
    assert set(analysis.tables()) == {"measures", "ranking", "sensitivity"}


def test_readable_tables_have_chinese_headers_and_no_index():
    frame = pd.DataFrame({"county_name": ["甲县"], "n_schools": [12], "students": [12345.0],
                          "gini": [0.1234], "passed": [True]})
    html = eb.report.display.styled(frame).to_html()
    assert "学校数（所）" in html and "12,345" in html and "0.123" in html and "是" in html
    assert "row_heading" not in html
    english = eb.report.display.styled(frame, "en").to_html()
    assert "Gini" in english and "yes" in english
    assert "—" in eb.report.display.styled(frame.assign(gini=np.nan)).to_html()
