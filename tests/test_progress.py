"""edubalance.analysis.progress: verdicts, first-pass years, shares and the hazard projection."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis import progress
from edubalance.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def schools():
    schools, _ = eb.io.sample.generate("province", seed=11, years=range(2010, 2014))
    return schools


@pytest.fixture(scope="module")
def result(schools):
    return progress.province_progress(schools, n_bootstrap=200, random_state=5)


def _plain_loop(schools, standard="basic-2012"):
    """Verdict per county-year by scoring each county alone (its years together), in a plain
    loop: a county's verdict in a year depends on its own schools of that year only."""
    rows = []
    for (code, name), part in schools.groupby(["county_code", "county_name"]):
        counties = eb.core.scoring.score(part, standard).counties
        for year, levels in counties.groupby("year"):
            rows.append((code, name, year, bool(levels["passed"].astype(bool).all())))
    return pd.DataFrame(rows, columns=["county_code", "county_name", "year", "passed"])


def test_verdicts_first_pass_and_shares_match_a_plain_loop(schools, result):
    loop = _plain_loop(schools)
    merged = result.verdicts.merge(loop, on=["county_code", "county_name", "year"],
                                   suffixes=("", "_loop"))
    assert len(merged) == len(loop) == 22 * 4
    assert (merged["passed"] == merged["passed_loop"]).all()
    for code, part in loop.groupby("county_code"):
        passing = part.loc[part["passed"], "year"]
        expected = passing.min() if len(passing) else None
        got = result.first_pass.set_index("county_code").loc[code, "first_pass_year"]
        assert (pd.isna(got) and expected is None) or got == expected
    for year, part in loop.groupby("year"):
        row = result.share_passing.set_index("year").loc[year]
        assert row["counties"] == len(part) and row["passing"] == part["passed"].sum()
        assert row["share"] == pytest.approx(part["passed"].mean())
    assert result.share_passing.set_index("year").loc[2013, "target"] != \
        result.share_passing.set_index("year").loc[2013, "target"]  # NaN: no target in 2013
    assert list(result.to_frame().columns[:4]) == ["year", "counties", "passing", "share"]


def test_hazard_fit_equals_statsmodels_logit():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    years = rng.integers(2011, 2018, 300)
    events = rng.random(300) < 1 / (1 + np.exp(-(-1.0 + 0.3 * (years - 2017))))
    a, b = progress.hazard_fit(years, events, 2017)
    fit = sm.Logit(events.astype(float), sm.add_constant(years - 2017.0)).fit(disp=0)
    np.testing.assert_allclose([a, b], fit.params, rtol=1e-5)


def test_projection_by_hand():
    # Counties first passing 2010 (left-censored: not at risk), 2011, 2012, never, never.
    first = pd.DataFrame({"first_pass_year": pd.array([2010, 2011, 2012, None, None],
                                                      dtype="Int64")})
    p = progress.project(first, first_year=2010, last_year=2013, target_year=2015,
                         n_bootstrap=100, random_state=1)
    # Risk set after 2010: county 2 (2011 event), county 3 (2011 no, 2012 event),
    # counties 4 and 5 (2011-2013, no event): 9 county-years, 2 events.
    years = [2011, 2011, 2012, 2011, 2012, 2013, 2011, 2012, 2013]
    events = [True, False, True, False, False, False, False, False, False]
    a, b = progress.hazard_fit(years, events, 2013)
    assert (p.hazard_intercept, p.hazard_slope) == pytest.approx((a, b))
    h = 1 / (1 + np.exp(-(a + b * np.array([1, 2]))))
    expected = (3 + 2 * (1 - np.prod(1 - h))) / 5
    assert p.share == pytest.approx(expected)
    assert p.passed_by_last_year == 3 and p.counties == 5
    assert 0 <= p.ci_low <= p.share <= p.ci_high <= 1
    assert 0 <= p.probability_meets_target <= 1


def test_everyone_passed_projects_the_observed_share():
    first = pd.DataFrame({"first_pass_year": pd.array([2010, 2012], dtype="Int64")})
    p = progress.project(first, first_year=2010, last_year=2013, n_bootstrap=20)
    assert (p.share, p.ci_low, p.ci_high, p.probability_meets_target) == (1.0, 1.0, 1.0, 1.0)
    assert p.hazard_intercept is None


def test_projection_json_has_no_nan():
    import json

    first = pd.DataFrame({"first_pass_year": pd.array([2010], dtype="Int64")})
    text = progress.projection_json(progress.project(first, first_year=2010, last_year=2010,
                                                     n_bootstrap=0))
    data = json.loads(text)
    assert data["ci_low"] is None and data["share"] == 1.0


@pytest.mark.parametrize("kwargs, message", [
    ({"target_share": 1.5}, "target_share must be in"),
    ({"target_year": 2005}, "before the last year"),
])
def test_bad_projection_parameters(kwargs, message):
    first = pd.DataFrame({"first_pass_year": pd.array([2011], dtype="Int64")})
    with pytest.raises(ParameterError, match=message):
        progress.project(first, first_year=2010, last_year=2013, **kwargs)


def test_missing_columns_and_empty_table():
    with pytest.raises(DataError, match="lacks column"):
        progress.county_verdicts(pd.DataFrame({"county_code": ["1"]}))
    with pytest.raises(DataError, match="empty"):
        progress.province_progress(pd.DataFrame())


def test_figures_take_an_axes(result):
    import matplotlib.pyplot as plt

    eb.report.plotting.use_style()
    fig, (left, right) = plt.subplots(1, 2)
    with eb.report.plotting.missing_glyphs_as_errors():
        assert progress.heat_map(result.verdicts, ax=left) is left
        assert progress.cv_trajectories(result.verdicts, "junior", limit=0.55, ax=right,
                                        lang="en") is right
    assert len(right.lines) == 22 + 1  # one per county and the limit
    plt.close(fig)
    with pytest.raises(DataError, match="no composite CV"):
        progress.cv_trajectories(result.verdicts.drop(columns="composite_cv_junior"), "junior")
