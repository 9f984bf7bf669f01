"""edubalance.analysis.event_study: did2s against a plain imputation oracle, the known truth, and TWFE."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis import event_study as es
from edubalance.errors import DataError, ParameterError


def _imputation(panel, outcome="mean_exam_score", cohort="year_basic_balance",
                unit="county_code", time="year"):
    """Borusyak-Jaravel-Spiess imputation by hand: dummies and least squares on untreated rows."""
    frame = panel.copy()
    event = frame[time] - frame[cohort]
    treated = (event >= 0).to_numpy()
    untreated_years = frame.loc[~treated, time].unique()
    keep = frame[time].isin(untreated_years) & frame.groupby(unit)[time].transform(
        lambda s: 1).astype(bool)
    frame, event, treated = frame[keep], event[keep], treated[keep.to_numpy()]
    has_untreated = pd.Series(~treated, index=frame.index).groupby(frame[unit]).transform("any")
    frame, event, treated = frame[has_untreated], event[has_untreated], treated[has_untreated.to_numpy()]
    dummies = pd.get_dummies(frame[[unit, time]].astype(str), drop_first=False).to_numpy(float)
    beta, *_ = np.linalg.lstsq(dummies[~treated], frame[outcome].to_numpy()[~treated], rcond=None)
    residual = frame[outcome].to_numpy() - dummies @ beta
    att = residual[treated].mean()
    by_event = pd.Series(residual).groupby(event.to_numpy()).mean()
    return att, by_event, frame, residual, treated


@pytest.fixture(scope="module")
def sample_panel():
    return eb.io.sample.generate_assessment_panel(2017)


@pytest.fixture(scope="module")
def sample_result(sample_panel):
    return es.estimate(sample_panel, "mean_exam_score")


def test_point_estimates_equal_the_imputation_estimator_by_hand(sample_panel, sample_result):
    att, by_event, *_ = _imputation(sample_panel)
    assert sample_result.att == pytest.approx(att, abs=1e-5)
    table = sample_result.to_frame().set_index("event_time")
    for k, value in by_event.items():
        if k != -1:
            assert table.loc[int(k), "estimate"] == pytest.approx(value, abs=1e-5)
    assert table.loc[-1, "estimate"] == 0 and np.isnan(table.loc[-1, "std_error"])
    assert list(sample_result.to_frame().columns[:5]) == es.EVENT_STUDY_COLUMNS


def test_recovers_the_known_staggered_effect_where_twfe_is_biased(sample_panel, sample_result):
    r = sample_result
    used = sample_panel[sample_panel["year"] < 2017]  # 2017: every county treated, dropped
    true_att = used.loc[used["treated"] == 1, "true_effect"].mean()
    assert true_att == pytest.approx(2.2145, abs=1e-3)
    assert abs(r.att - true_att) < 2 * r.att_std_error
    assert r.att_ci_low < true_att < r.att_ci_high
    # Naive TWFE: biased downward by far more than its standard error.
    assert true_att - r.twfe > 0.6 and (true_att - r.twfe) > 3 * r.twfe_std_error
    post = r.event_study[r.event_study["event_time"] >= 0]
    truth = eb.io.sample.staggered_effect(post["event_time"])
    inside = (post["ci_low"] <= truth) & (truth <= post["ci_high"])
    assert inside.mean() >= 0.7
    assert np.corrcoef(post["estimate"], truth)[0, 1] > 0.9  # the effect grows
    assert r.pretrend_p_value > 0.05 and r.pretrend_df == 3
    assert r.notes and "2017" in r.notes[0]
    assert r.summary()["method"].startswith("did2s")


def test_twfe_equals_statsmodels_dummies(sample_result):
    import statsmodels.formula.api as smf

    panel = sample_result.panel
    direct = smf.ols("_y ~ _treated + C(_unit) + C(_time)", panel).fit()
    assert sample_result.twfe == pytest.approx(direct.params["_treated"], rel=1e-8)


def test_att_standard_error_close_to_a_county_bootstrap(sample_panel, sample_result):
    rng = np.random.default_rng(0)
    units = sample_panel["county_code"].unique()
    rows_of = [np.flatnonzero(sample_panel["county_code"].to_numpy() == u) for u in units]
    draws = []
    for _ in range(150):
        pick = rng.choice(units.size, units.size)  # counties drawn with replacement
        rows = np.concatenate([rows_of[u] for u in pick])
        # each draw of a county is a county of its own
        labels = np.repeat([f"{units[u]}-{i}" for i, u in enumerate(pick)],
                           [rows_of[u].size for u in pick])
        draws.append(_imputation(sample_panel.iloc[rows].assign(county_code=labels))[0])
    ratio = sample_result.att_std_error / np.std(draws, ddof=1)
    assert 0.6 < ratio < 1.6


def test_never_treated_units_and_always_treated_units():
    rng = np.random.default_rng(5)
    rows = []
    for unit in range(30):
        cohort = [np.nan, 2003, 2005, 2007, 1999][unit % 5]  # 1999: always treated
        alpha = rng.normal(0, 1)
        for year in range(2000, 2010):
            k = year - cohort
            effect = 2.0 + 0.5 * k if k >= 0 else 0.0
            rows.append({"id": f"u{unit}", "t": year, "g": cohort,
                         "y": alpha + 0.3 * year + effect + rng.normal(0, 0.5)})
    panel = pd.DataFrame(rows)
    panel["g"] = panel["g"].astype(object).where(panel["g"].notna(), "")  # blank = never
    result = es.estimate(panel, "y", cohort_column="g", unit_column="id", time_column="t")
    assert any("treated in every year" in note for note in result.notes)
    assert result.n_units == 24
    oracle = _imputation(panel.assign(g=pd.to_numeric(panel["g"])).query("g != 1999"),
                         outcome="y", cohort="g", unit="id", time="t")[0]
    assert result.att == pytest.approx(oracle, abs=1e-5)
    table = result.to_frame().set_index("event_time")
    assert table.loc[0, "estimate"] == pytest.approx(2.0, abs=0.5)


def test_pretrend_test_rejects_anticipation():
    panel = eb.io.sample.generate_assessment_panel(2017)
    early = panel["event_time"].isin([-2, -1])
    panel.loc[early, "mean_exam_score"] += 2.0  # effect before balance: a violated design
    result = es.estimate(panel, "mean_exam_score")
    assert result.pretrend_p_value < 0.01


@pytest.mark.parametrize("change, error, message", [
    (lambda p: p.drop(columns="year_basic_balance"), ParameterError, "cohort_column"),
    (lambda p: p.assign(mean_exam_score=p["mean_exam_score"].astype(str).where(p.index != 3, "x")),
     DataError, "'mean_exam_score'.*not numeric.*'x' at row 5"),
    (lambda p: pd.concat([p, p.iloc[[0]]]), DataError, "duplicate county_code-year"),
    (lambda p: p.assign(year_basic_balance=p["year_basic_balance"].where(p.index != 0, 2011)),
     DataError, "differs between the rows"),
    (lambda p: p.assign(year_basic_balance=""), DataError, "no treated unit-year"),
])
def test_bad_panels(change, error, message):
    panel = eb.io.sample.generate_assessment_panel(2017)
    with pytest.raises(error, match=message):
        es.estimate(change(panel), "mean_exam_score")


def test_plot_takes_an_axes(sample_result):
    import matplotlib.pyplot as plt

    eb.report.plotting.use_style()
    fig, ax = plt.subplots()
    truth = pd.DataFrame({"event_time": [0, 1], "true_effect": [1.0, 1.6]})
    with eb.report.plotting.missing_glyphs_as_errors():
        assert es.event_study_plot(sample_result, truth=truth, ax=ax, lang="en") is ax
    assert len(ax.lines) >= 2
    plt.close(fig)
