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
    assert r.to_dict()["method"].startswith("did2s")


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
        assert eb.report.figures.event_study.plot_event_study(sample_result, truth=truth, ax=ax,
                                                               lang="en") is ax
    assert len(ax.lines) >= 2
    plt.close(fig)


# --------------------------------------------------------------------------- issue 27
def _anticipation_panel(seed=0, effect=2.57, run_up=(0.8, 1.6), noise=0.25):
    """40 counties adopting 2009-2016 (5 a year) and 8 never; a 创建 run-up of 0.8 and 1.6
    points in the two years before adoption, then a constant effect."""
    rng = np.random.default_rng(seed)
    years = np.arange(2004, 2018)
    cohorts = np.r_[np.repeat(np.arange(2009, 2017), 5), [np.nan] * 8]
    n = cohorts.size
    year = np.tile(years, n)
    cohort = np.repeat(cohorts, years.size)
    event = year - cohort
    y = (50 + np.repeat(rng.normal(0, 2, n), years.size) + 0.4 * (year - 2004)
         + np.tile(rng.normal(0, 0.5, years.size), n) + np.where(event >= 0, effect, 0.0)
         + np.select([event == -2, event == -1], list(run_up), 0.0)
         + rng.normal(0, noise, year.size))
    return pd.DataFrame({"county_code": [f"c{u:02d}" for u in np.repeat(np.arange(n), years.size)],
                         "year": year, "year_basic_balance": cohort, "score": y})


def test_anticipation_recovers_the_effect_that_a_run_up_biases():
    panel = _anticipation_panel()
    naive = es.estimate(panel, "score")
    assert naive.pretrend_p_value < 1e-3           # the run-up shows in the pre-trend test
    assert 2.57 - naive.att > 0.5                  # and biases the ATT downward
    allowed = es.estimate(panel, "score", anticipation=2)
    assert allowed.anticipation == 2
    assert abs(allowed.att - 2.57) < 0.1 and abs(allowed.att - 2.57) < 3 * allowed.att_std_error
    assert allowed.pretrend_p_value > 0.05          # test on the years before −2 only
    table = allowed.to_frame().set_index("event_time")
    assert table.loc[-3, "estimate"] == 0 and np.isnan(table.loc[-3, "std_error"])
    assert table.loc[-2, "estimate"] == pytest.approx(0.8, abs=0.15)
    assert table.loc[-1, "estimate"] == pytest.approx(1.6, abs=0.15)
    assert abs(allowed.cross_check - 2.57) < 0.15   # Callaway-Sant'Anna agrees
    # Its county-bootstrap SE: one base year instead of all, so no smaller than did2s's.
    assert 0.8 < allowed.cross_check_std_error / allowed.att_std_error < 3
    assert abs(allowed.cross_check - 2.57) < 3 * allowed.cross_check_std_error
    summary = allowed.to_dict()
    assert {"att", "att_std_error", "method", "twfe", "pretrend_p_value", "anticipation",
            "cross_check"} <= set(summary)
    assert summary["anticipation"] == 2 and summary["reference_event_time"] == -3
    # Sensitivity: m = 0 is the conventional interval, and the set widens with m.
    sens = allowed.sensitivity
    assert list(sens.columns) == ["m", "ci_low", "ci_high"] and sens["m"].tolist()[0] == 0
    assert (sens.iloc[0]["ci_low"], sens.iloc[0]["ci_high"]) == pytest.approx(
        (allowed.att_ci_low, allowed.att_ci_high))
    width = sens["ci_high"] - sens["ci_low"]
    assert (np.diff(width) > 0).all()
    assert (sens["ci_low"] <= allowed.att).all() and (allowed.att <= sens["ci_high"]).all()
    by_period = allowed.sensitivity_by_period
    assert set(by_period["event_time"]) == set(range(-2, 9))


def test_anticipation_must_be_a_non_negative_integer():
    panel = _anticipation_panel()
    for bad in (-1, 1.5, True):
        with pytest.raises(ParameterError, match="anticipation"):
            es.estimate(panel, "score", anticipation=bad)


# HonestDiD's own example (R package data BCdata_EventStudy: 4 pre, 4 post periods) and the
# intervals its createSensitivityResults_relativeMagnitudes (C-LF) reports for the first post
# period, as restated in the test fixtures of the HonestDiD ports.
BC_BETAHAT = [0.006696351804, 0.02934503369, -0.006472972222, 0.0730149895, 0.1959611177,
              0.3120639026, 0.2395415455, 0.1260425001]
BC_SIGMA = np.array([
    [8.428358124e-4, 4.768686777e-4, 2.618051076e-4, 2.354220342e-4, 1.676371467e-4, 1.128707663e-4, 1.992816215e-5, -1.368265366e-4],
    [4.768686777e-4, 6.425420288e-4, 3.987425007e-4, 2.435515198e-4, 2.201960306e-4, 1.804591157e-4, 3.84376508e-5, -2.960421989e-5],
    [2.618051076e-4, 3.987425007e-4, 5.229949602e-4, 2.11768609e-4, 1.840722252e-4, 1.45852784e-4, 7.005197403e-5, 5.952994979e-5],
    [2.354220342e-4, 2.435515198e-4, 2.11768609e-4, 3.089595411e-4, 1.197866077e-4, 1.334081317e-4, 1.016335009e-4, 1.079051726e-4],
    [1.676371467e-4, 2.201960306e-4, 1.840722252e-4, 1.197866077e-4, 3.59970436e-4, 2.478818642e-4, 1.749579242e-4, 1.654256921e-4],
    [1.128707663e-4, 1.804591157e-4, 1.45852784e-4, 1.334081317e-4, 2.478818642e-4, 4.263949813e-4, 2.171437809e-4, 2.892747871e-4],
    [1.992816215e-5, 3.84376508e-5, 7.005197403e-5, 1.016335009e-4, 1.749579242e-4, 2.171437809e-4, 4.886697861e-4, 3.805322049e-4],
    [-1.368265366e-4, -2.960421989e-5, 5.952994979e-5, 1.079051726e-4, 1.654256921e-4, 2.892747871e-4, 3.805322049e-4, 7.61739444e-4]])
BC_ORIGINAL = (0.15877494280765, 0.233147292681241)
BC_RM = {0.5: (0.11812948578177346, 0.27158386602562062),
         1.0: (0.06723125075039843, 0.31868372530838568),
         1.5: (0.013294315120135292, 0.36958196033976071),
         2.0: (-0.042161970809571847, 0.3794577372861469)}


def test_relative_magnitudes_against_honestdid_published_example():
    out = es.relative_magnitudes(BC_BETAHAT, BC_SIGMA, 4, 4, m_values=[0, *BC_RM])
    # m = 0: HonestDiD's "original" interval under exact parallel trends, to 1e-6.
    assert (out.loc[0, "ci_low"], out.loc[0, "ci_high"]) == pytest.approx(BC_ORIGINAL, abs=1e-6)
    for row in out.iloc[1:].itertuples():
        low, high = BC_RM[row.m]
        # Conservative: contains HonestDiD's conditional interval, and not far wider.
        assert row.ci_low <= low and high <= row.ci_high
        assert (row.ci_high - row.ci_low) < 1.6 * (high - low)
    assert (np.diff(out["ci_high"] - out["ci_low"]) > 0).all()
    # The identified set by hand: largest pre-period step 0.0730 + 0.0065 = 0.0795.
    step = 0.0730149895 + 0.006472972222
    assert out.loc[2, "id_low"] == pytest.approx(0.1959611177 - step)
    assert out.loc[2, "id_high"] == pytest.approx(0.1959611177 + step)


@pytest.mark.parametrize("l_vec", [[1, 0, 0, 0], [0.25] * 4, [0, 1, -1, 0.5]])
@pytest.mark.parametrize("m", [0.5, 1.0, 2.0])
def test_identified_set_closed_form_equals_linear_programming(l_vec, m):
    out = es.relative_magnitudes(BC_BETAHAT, BC_SIGMA, 4, 4, l_vec=l_vec, m_values=[m])
    low, high = es.rm_identified_set_lp(BC_BETAHAT, 4, 4, l_vec, m)
    assert (out.loc[0, "id_low"], out.loc[0, "id_high"]) == pytest.approx((low, high), abs=1e-9)


def test_callaway_santanna_by_hand():
    # Units a, b: cohort 2002; c: cohort 2003; d: never. Years 2000-2003.
    y = {"a": [1, 2, 5, 6], "b": [2, 2, 6, 8], "c": [0, 1, 1, 4], "d": [3, 4, 4, 5]}
    cohort = {"a": 2002, "b": 2002, "c": 2003, "d": np.nan}
    frame = pd.DataFrame([{"_unit": u, "_time": 2000 + k, "_cohort": cohort[u], "_y": v}
                          for u, values in y.items() for k, v in enumerate(values)])
    att, cells = es.callaway_santanna(frame)
    cells = cells.set_index(["cohort", "time"])
    # ATT(2002, 2002): cohort change 2001->2002 = mean(3, 4) = 3.5; controls c (not yet) and
    # d: mean(0, 0) = 0 -> 3.5.  ATT(2002, 2003): mean(4, 6) = 5 minus d's 1 -> 4 (c treated).
    # ATT(2003, 2003): c's 3 minus d's 1 = 2.
    assert cells.loc[(2002, 2002), "att"] == pytest.approx(3.5)
    assert cells.loc[(2002, 2003), "att"] == pytest.approx(4.0)
    assert cells.loc[(2003, 2003), "att"] == pytest.approx(2.0)
    assert att == pytest.approx((2 * 3.5 + 2 * 4.0 + 1 * 2.0) / 5)
    # With anticipation 1 the base is g - 2 and c is no comparison for 2002 any more.
    att1, cells1 = es.callaway_santanna(frame, anticipation=1)
    cells1 = cells1.set_index(["cohort", "time"])
    # ATT(2002, 2002) base 2000: mean(4, 4) = 4 minus d's 1 = 3.
    assert cells1.loc[(2002, 2002), "att"] == pytest.approx(3.0)
    assert cells1.loc[(2002, 2002), "n_control"] == 1
    # The bootstrap returns the same point estimate and a seeded standard error.
    again = es.callaway_santanna(frame, n_bootstrap=50, random_state=1)
    assert again[0] == att and again[2] == es.callaway_santanna(frame, n_bootstrap=50,
                                                                random_state=1)[2]


def test_sensitivity_plot_takes_an_axes():
    import matplotlib.pyplot as plt

    result = es.estimate(_anticipation_panel(), "score", anticipation=2)
    eb.report.plotting.use_style()
    fig, ax = plt.subplots()
    with eb.report.plotting.missing_glyphs_as_errors():
        assert eb.report.figures.event_study.plot_event_study_sensitivity(
            result, ax=ax, lang="en") is ax
    plt.close(fig)
