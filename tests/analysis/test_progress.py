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

    # One year observed: no county-year at risk to learn a hazard from, so no interval.
    first = pd.DataFrame({"first_pass_year": pd.array([2010, None], dtype="Int64")})
    text = progress.projection_json(progress.project(first, first_year=2010, last_year=2010,
                                                     n_bootstrap=0))
    data = json.loads(text)
    assert data["ci_low"] is None and data["share"] == 0.5


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
        assert eb.report.figures.progress.plot_verdict_heat_map(result, ax=left) is left
        assert eb.report.figures.progress.plot_cv_trajectories(
            result, level="junior", limit=0.55, ax=right, lang="en") is right
    assert len(right.lines) == 22 + 1  # one per county and the limit
    plt.close(fig)
    with pytest.raises(DataError, match="no composite CV"):
        eb.report.figures.progress.plot_cv_trajectories(
            result.verdicts.drop(columns="composite_cv_junior"), level="junior")


# --------------------------------------------------------------------------- issue 27
def _constant_hazard_cohort():
    """80 counties, none passed in 2011; 20 of 80 pass in 2012, 15 of 60 in 2013: a hazard of
    exactly 0.25 each year (slope 0), 45 counties left."""
    years = [2012] * 20 + [2013] * 15 + [None] * 45
    return pd.DataFrame({"county_code": [f"{i:03d}" for i in range(80)],
                         "first_pass_year": pd.array(years, dtype="Int64")})


def test_projection_at_the_last_observed_year_is_the_observed_share_exactly():
    first = _constant_hazard_cohort()
    p = progress.project(first, first_year=2011, last_year=2013, target_year=2013,
                         target_share=0.4, n_simulations=500)
    assert p.share == p.ci_low == p.ci_high == 35 / 80
    assert p.probability_meets_target == 1.0
    p = progress.project(first, first_year=2011, last_year=2013, target_year=2013,
                         target_share=0.5)
    assert p.probability_meets_target == 0.0


def test_predictive_interval_by_hand_binomial():
    from scipy import stats

    first = _constant_hazard_cohort()
    a, b = progress.hazard_fit(*progress._risk_set(
        first["first_pass_year"].astype("Float64").to_numpy(na_value=np.nan), 2011, 2013), 2013)
    assert (a, b) == pytest.approx((np.log(0.25 / 0.75), 0.0), abs=1e-6)
    # Two years ahead: each of the 45 passes by 2015 with 1 - 0.75**2 = 0.4375.
    by_target = 1 - 0.75 ** 2
    target = (35 + 22) / 80        # needs at least 22 of the 45
    p = progress.project(first, first_year=2011, last_year=2013, target_year=2015,
                         target_share=target, n_simulations=40_000, random_state=3,
                         parameter_uncertainty=False)
    assert p.share == pytest.approx((35 + 45 * by_target) / 80, abs=1e-6)
    new = stats.binom(45, by_target)
    assert p.ci_low == pytest.approx((35 + new.ppf(0.025)) / 80)
    assert p.ci_high == pytest.approx((35 + new.ppf(0.975)) / 80)
    assert p.probability_meets_target == pytest.approx(new.sf(21), abs=0.01)
    # With the hazard's own uncertainty the interval is at least as wide.
    wide = progress.project(first, first_year=2011, last_year=2013, target_year=2015,
                            target_share=target, n_simulations=40_000, random_state=3)
    assert wide.ci_low <= p.ci_low and wide.ci_high >= p.ci_high
    assert wide.ci_high - wide.ci_low > p.ci_high - p.ci_low
    # Seeded: the same call gives the same numbers.
    again = progress.project(first, first_year=2011, last_year=2013, target_year=2015,
                             target_share=target, n_simulations=40_000, random_state=3)
    assert again == wide


def test_hazard_with_covariates_equals_statsmodels_logit():
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    years = rng.integers(2011, 2018, 400)
    z = np.column_stack([rng.normal(0, 0.1, 400), rng.integers(0, 2, 400)])
    logit = -1.0 + 0.2 * (years - 2017) - 4 * z[:, 0] + 1.0 * z[:, 1]
    events = rng.random(400) < 1 / (1 + np.exp(-logit))
    beta, cov = progress.hazard_fit(years, events, 2017, covariates=z)
    fit = sm.Logit(events.astype(float),
                   np.column_stack([np.ones(400), years - 2017.0, z])).fit(disp=0)
    np.testing.assert_allclose(beta, fit.params, rtol=1e-5)
    np.testing.assert_allclose(cov, fit.cov_params(), rtol=1e-4)


def test_schedule_covariate_in_the_projection(tmp_path):
    # Counties scheduled for 2012 pass in 2012; those scheduled for 2016 have not yet.
    first = pd.DataFrame({"county_code": [f"{i}" for i in range(12)],
                          "first_pass_year": pd.array([2012] * 4 + [2013] * 2 + [None] * 6,
                                                      dtype="Int64")})
    path = tmp_path / "schedule.csv"
    pd.DataFrame({"县代码": first["county_code"],
                  "计划年份": [2012] * 4 + [2013] * 2 + [2016] * 6}).to_csv(path, index=False)
    schedule = progress.load_schedule(path)
    verdicts = pd.DataFrame({"county_code": np.repeat(first["county_code"], 4).to_numpy(),
                             "county_name": "x", "year": np.tile([2011, 2012, 2013, 2014], 12)})
    covariates = progress.hazard_covariates(verdicts, schedule=schedule)
    p = progress.project(first, first_year=2011, last_year=2014, target_year=2017,
                         covariates=covariates, n_simulations=400)
    assert "past_schedule" in p.method and set(p.hazard_coefficients) == {
        "intercept", "year", "past_schedule"}
    assert p.hazard_coefficients["past_schedule"] > 3       # passing follows the schedule
    assert p.share > 0.9                                     # the six pass from 2016 on
    assert p.ci_low >= 0.5 and p.ci_high <= 1


def test_province_targets_join_the_national_ones(result, schools):
    out = progress.province_progress(schools, n_simulations=10,
                                     province_targets={2012: 0.5, 2013: 0.7})
    table = out.share_passing.set_index("year")
    assert table.loc[2012, "target"] == 0.5 and table.loc[2013, "target"] == 0.7


def test_sample_ningxia_2017_projection_is_the_observed_share(sample_dir):
    # The case: 16 of 22 passed by 2017 under ningxia-2010; the bootstrap used to say
    # 0.727 (0.545-0.909). The counties are the population: the interval has zero width.
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    out = progress.province_progress(schools, "ningxia-2010", target_year=2017,
                                     target_share=0.95, n_simulations=200)
    p = out.projection
    assert p.passed_by_last_year == 16 and p.counties == 22
    assert p.share == p.ci_low == p.ci_high == 16 / 22
    assert p.probability_meets_target == 0.0


def test_cv_distance_covariate_is_last_years_distance_to_the_limit(schools):
    out = progress.province_progress(schools, n_simulations=50, cv_distance=True)
    covariates = progress.hazard_covariates(out.verdicts, cv_distance=True)
    limit = {"primary": 0.65, "junior": 0.55}                 # basic-2012 (DOMAIN §4.1)
    v = out.verdicts.set_index(["county_code", "year"])
    code = v.index[0][0]
    by_hand = max(v.loc[(code, 2012), f"composite_cv_{level}"] - limit[level]
                  for level in limit if f"composite_cv_{level}" in v)
    got = covariates.set_index(["county_code", "year"]).loc[(code, 2013), "cv_distance"]
    assert got == pytest.approx(by_hand)
    assert "cv_distance" in out.projection.method or out.projection.hazard_coefficients is None
    with pytest.raises(ParameterError, match="no composite-CV limit"):
        progress.hazard_covariates(out.verdicts, "quality-2017", cv_distance=True)


def test_schedule_file_errors(tmp_path):
    path = tmp_path / "schedule.csv"
    pd.DataFrame({"县代码": ["1"], "年份": [2015]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="schedule_year"):
        progress.load_schedule(path)
    pd.DataFrame({"县名称": ["甲"], "计划年份": ["明年"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="row 2.*not a year"):
        progress.load_schedule(path)


def test_with_evidence_the_official_verdict_is_counted_and_said():
    """Issue 25: with counties.csv as evidence, 17 of 22 sample counties pass basic-2012 in
    2017 (five miss the government work score or satisfaction); without it the count is of
    school data only, and the result says which."""
    import edubalance as eb
    from paths import SAMPLE_DIR

    schools = eb.data.load_schools(SAMPLE_DIR / "schools.csv")
    evidence = eb.evidence.load(SAMPLE_DIR / "counties.csv", "basic-2012")
    official = eb.analysis.progress.province_progress(schools, "basic-2012", evidence=evidence,
                                                      n_simulations=50)
    plain = eb.analysis.progress.province_progress(schools, "basic-2012", n_simulations=50)
    assert (official.counted, plain.counted) == ("official", "school_data")
    share = official.share_passing.set_index("year")
    assert share.loc[2017, "passing"] == 17 and share.loc[2017, "counties"] == 22
    assert plain.share_passing.set_index("year").loc[2017, "passing"] == 22
    text = eb.analysis.progress.projection_json(official.projection, official.counted)
    assert '"counted": "official"' in text
