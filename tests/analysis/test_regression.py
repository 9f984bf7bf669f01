"""edubalance.analysis.regression against hand calculations, published values and statsmodels directly.

Its tables and readings (edubalance.report.regression_text) are checked in
tests/report/test_regression_text.py, its figures in tests/report/figures/test_regression.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import edubalance.analysis.regression as reg
import edubalance.report.regression_text as words

# SciPy, scikit-learn and statsmodels are imported inside the tests that use them: every
# pytest-xdist worker imports every test module to collect it (about 2 s for these three).

INPUTS = ["spending_per_student_kcny", "teachers_per_100_students", "urbanisation_pct"]


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def five_points():
    return pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.8]})


@pytest.fixture(scope="module")
def cross_section():
    rng = np.random.default_rng(7)
    n = 120
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(0, 5, n),
                          "group": rng.integers(0, 15, n).astype(str)})
    noise = rng.normal(size=n) * (0.5 + frame["b"])  # heteroskedastic
    frame["y"] = 1.0 + 2.0 * frame["a"] - 0.5 * frame["b"] + noise
    return frame


@pytest.fixture(scope="module")
def panel():
    return make_panel()


def make_panel():
    """Unbalanced county x year panel; county effects correlated with the inputs."""
    rng = np.random.default_rng(11)
    counties, years = 30, 8
    county = np.repeat(np.arange(counties), years)
    year = np.tile(np.arange(2010, 2010 + years), counties)
    effect = rng.normal(0, 3, counties)[county]
    X = rng.normal(size=(len(county), 3)) + 0.6 * effect[:, None]
    frame = pd.DataFrame(X, columns=INPUTS)
    frame["county_code"] = [f"64{c:04d}" for c in county]
    frame["year"] = year
    frame["mean_exam_score"] = (27 + effect + 0.3 * (year - 2010) + X @ [1.5, 2.0, 0.08]
                                + rng.normal(0, 1.5, len(county)))
    keep = rng.uniform(size=len(frame)) > 0.15  # drop ~15 % of the county-years
    return frame[keep].reset_index(drop=True)


def _dummy_fit(panel, cov_type, groups=None):
    import statsmodels.formula.api as smf

    formula = "mean_exam_score ~ " + " + ".join(INPUTS) + " + C(county_code) + C(year)"
    if cov_type == "cluster":
        return smf.ols(formula, panel).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                           use_t=True)
    return smf.ols(formula, panel).fit(cov_type=cov_type, use_t=True)


def _by_term(result):
    return result.coefficients.set_index("term")


# --------------------------------------------------------------------------- hand-checked OLS

def test_five_point_ols_by_hand(five_points):
    # x̄ = 3, ȳ = 6, Sxy = 19.7, Sxx = 10 -> slope 1.97, intercept 6 - 3·1.97 = 0.09.
    # Residuals -0.06, 0.07, -0.10, 0.23, -0.14: SSR = 0.091, s² = 0.091/3.
    from scipy import stats

    result = reg.fit_ols(five_points, "y", ["x"], cov_type="nonrobust")
    table = _by_term(result)
    assert list(result.coefficients.columns) == reg.COEFFICIENT_COLUMNS
    assert table.index.tolist() == ["Intercept", "x"]
    assert table.loc["x", "estimate"] == pytest.approx(1.97, abs=1e-12)
    assert table.loc["Intercept", "estimate"] == pytest.approx(0.09, abs=1e-12)
    s2 = 0.091 / 3
    assert table.loc["x", "std_error"] == pytest.approx(np.sqrt(s2 / 10), rel=1e-10)
    assert table.loc["Intercept", "std_error"] == pytest.approx(np.sqrt(s2 * (1 / 5 + 9 / 10)),
                                                                rel=1e-10)
    t_crit = stats.t.ppf(0.975, 3)
    assert table.loc["x", "ci_low"] == pytest.approx(1.97 - t_crit * np.sqrt(s2 / 10), rel=1e-10)
    assert result.statistics["nobs"] == 5
    # R² = 1 - SSR/TSS with TSS = Σ(y - 6)² = 38.9
    assert result.statistics["r2"] == pytest.approx(1 - 0.091 / 38.9, rel=1e-10)


def test_longley_matches_nist_certified_values():
    # NIST StRD certified values for the Longley data (published to 15 digits).
    import statsmodels.api as sm

    data = sm.datasets.longley.load_pandas().data
    columns = ["GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"]
    result = reg.fit_ols(data, "TOTEMP", columns, cov_type="nonrobust")
    table = _by_term(result)
    certified = {
        "Intercept": (-3482258.63459582, 890420.383607373),
        "GNPDEFL": (15.0618722713733, 84.9149257747669),
        "GNP": (-0.358191792925910e-01, 0.334910077722432e-01),
        "UNEMP": (-2.02022980381683, 0.488399681651699),
        "ARMED": (-1.03322686717359, 0.214274163161675),
        "POP": (-0.511041056535807e-01, 0.226073200069370),
        "YEAR": (1829.15146461355, 455.478499142212),
    }
    for term, (estimate, std_error) in certified.items():
        assert table.loc[term, "estimate"] == pytest.approx(estimate, rel=1e-7)
        assert table.loc[term, "std_error"] == pytest.approx(std_error, rel=1e-7)
    assert result.statistics["r2"] == pytest.approx(0.995479004577296, rel=1e-10)


def test_hc1_sandwich_by_hand(cross_section):
    import statsmodels.api as sm

    result = reg.fit_ols(cross_section, "y", ["a", "b"])  # HC1 is the default
    X = np.column_stack([np.ones(len(cross_section)), cross_section[["a", "b"]]])
    y = cross_section["y"].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    e = y - X @ beta
    n, k = X.shape
    covariance = n / (n - k) * bread @ (X.T * e**2) @ X @ bread
    assert result.cov_type == "HC1"
    np.testing.assert_allclose(result.coefficients["estimate"], beta, rtol=1e-10)
    np.testing.assert_allclose(result.coefficients["std_error"], np.sqrt(np.diag(covariance)),
                               rtol=1e-10)
    direct = sm.OLS(y, X).fit(cov_type="HC1", use_t=True)
    np.testing.assert_allclose(result.coefficients["p_value"], direct.pvalues, rtol=1e-8)
    np.testing.assert_allclose(result.coefficients[["ci_low", "ci_high"]], direct.conf_int(),
                               rtol=1e-10)


def test_cluster_cr1_by_hand(cross_section):
    from scipy import stats

    result = reg.fit_ols(cross_section, "y", ["a", "b"], cov_type="cluster", cluster="group")
    X = np.column_stack([np.ones(len(cross_section)), cross_section[["a", "b"]]])
    y = cross_section["y"].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    e = y - X @ (bread @ X.T @ y)
    scores = pd.DataFrame(X * e[:, None]).groupby(cross_section["group"].to_numpy()).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    n, k, g = len(y), X.shape[1], cross_section["group"].nunique()
    covariance = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    std_error = np.sqrt(np.diag(covariance))
    np.testing.assert_allclose(result.coefficients["std_error"], std_error, rtol=1e-10)
    t_crit = stats.t.ppf(0.975, g - 1)  # Stata: t with G - 1 degrees of freedom
    np.testing.assert_allclose(result.coefficients["ci_high"],
                               result.coefficients["estimate"] + t_crit * std_error, rtol=1e-10)
    assert result.statistics["n_clusters"] == g and result.statistics["df_inference"] == g - 1


def test_formula_interface_equals_column_interface(panel):
    import statsmodels.formula.api as smf

    columns = reg.fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code", "year"],
                          cov_type="cluster", cluster="county_code")
    formula = reg.fit_ols(panel, formula="mean_exam_score ~ " + " + ".join(INPUTS)
                          + " | county_code + year", cov_type="cluster", cluster="county_code")
    pd.testing.assert_frame_equal(columns.coefficients, formula.coefficients, rtol=1e-10)
    logged = reg.fit_ols(panel.assign(z=panel["urbanisation_pct"] + 10),
                         formula="mean_exam_score ~ np.log(z)")
    direct = smf.ols("mean_exam_score ~ np.log(z)", panel.assign(
        z=panel["urbanisation_pct"] + 10)).fit(cov_type="HC1")
    np.testing.assert_allclose(logged.coefficients["estimate"], direct.params, rtol=1e-10)
    assert logged.coefficients["term"].tolist() == ["Intercept", "np.log(z)"]


def test_missing_values_drop_rows(five_points):
    frame = pd.concat([five_points, pd.DataFrame({"x": [np.nan, 6.0], "y": [1.0, np.nan]})])
    result = reg.fit_ols(frame, "y", ["x"], cov_type="nonrobust")
    assert result.statistics["nobs"] == 5
    assert _by_term(result).loc["x", "estimate"] == pytest.approx(1.97)


# --------------------------------------------------------------------------- fixed effects

def test_two_way_fixed_effects_equal_dummy_variable_ols(panel):
    groups = pd.factorize(panel["county_code"])[0]
    dummies = _dummy_fit(panel, "cluster", groups)
    areg = reg.fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code", "year"],
                       cov_type="cluster", cluster="county_code", fe_dof="all")
    table = _by_term(areg)
    np.testing.assert_allclose(table.loc[INPUTS, "estimate"], dummies.params[INPUTS],
                               rtol=0, atol=1e-8)
    # fe_dof="all" counts every dummy, as statsmodels (and Stata areg) do: identical SEs.
    np.testing.assert_allclose(table.loc[INPUTS, "std_error"], dummies.bse[INPUTS], rtol=1e-8)
    np.testing.assert_allclose(table.loc[INPUTS, "p_value"], dummies.pvalues[INPUTS], rtol=1e-6)
    assert areg.statistics["r2"] == pytest.approx(dummies.rsquared, rel=1e-10)
    assert areg.statistics["adj_r2"] == pytest.approx(dummies.rsquared_adj, rel=1e-10)
    assert areg.statistics["nobs"] == len(panel)


def test_nested_convention_differs_from_dummies_by_documented_factor(panel):
    groups = pd.factorize(panel["county_code"])[0]
    dummies = _dummy_fit(panel, "cluster", groups)
    nested = reg.fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code", "year"],
                         cov_type="cluster", cluster="county_code")
    n, k = len(panel), len(INPUTS)
    k_all = int(dummies.df_model) + 1  # every dummy, the inputs and the constant
    k_nested = k + panel["year"].nunique()  # county effects nested in clusters: not counted
    assert nested.statistics["k"] == k_nested
    factor = np.sqrt((n - k_all) / (n - k_nested))
    np.testing.assert_allclose(_by_term(nested).loc[INPUTS, "std_error"],
                               dummies.bse[INPUTS] * factor, rtol=1e-8)
    assert factor < 1


def test_hc1_and_nonrobust_fixed_effects_equal_dummies(panel):
    for cov_type in ("HC1", "nonrobust"):
        ours = _by_term(reg.fit_ols(panel, "mean_exam_score", INPUTS, cov_type=cov_type,
                                    fixed_effects=["county_code", "year"]))
        dummies = _dummy_fit(panel, cov_type)
        np.testing.assert_allclose(ours.loc[INPUTS, "std_error"], dummies.bse[INPUTS], rtol=1e-8)
        np.testing.assert_allclose(ours.loc[INPUTS, "ci_low"], dummies.conf_int()[0][INPUTS],
                                   rtol=1e-8)


def test_one_way_effects_nested_in_cluster_count_the_constant(panel):
    import statsmodels.formula.api as smf

    result = reg.fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code"],
                         cov_type="cluster", cluster="county_code")
    assert result.statistics["k"] == len(INPUTS) + 1  # as Stata xtreg, fe / reghdfe
    within = smf.ols("mean_exam_score ~ " + " + ".join(INPUTS) + " + C(county_code)", panel).fit()
    np.testing.assert_allclose(_by_term(result).loc[INPUTS, "estimate"], within.params[INPUTS],
                               atol=1e-8)


def test_input_absorbed_by_fixed_effects_is_an_error(panel):
    frame = panel.assign(region_size=panel["county_code"].str[-2:].astype(float))
    with pytest.raises(ValueError, match="region_size.*do not vary within"):
        reg.fit_ols(frame, "mean_exam_score", INPUTS + ["region_size"],
                    fixed_effects=["county_code", "year"])


# --------------------------------------------------------------------------- validation

def test_unknown_columns_list_available(five_points):
    with pytest.raises(ValueError, match=r"unknown column\(s\): z.*available: x, y"):
        reg.fit_ols(five_points, "y", ["z"])


def test_cluster_needs_column_and_known_cov_type(five_points):
    with pytest.raises(ValueError, match="needs a cluster column"):
        reg.fit_ols(five_points, "y", ["x"], cov_type="cluster")
    with pytest.raises(ValueError, match="cov_type='HC3' must be one of"):
        reg.fit_ols(five_points, "y", ["x"], cov_type="HC3")
    with pytest.raises(ValueError, match="perfectly collinear"):
        reg.fit_ols(five_points.assign(x2=2 * five_points["x"]), "y", ["x", "x2"])


# --------------------------------------------------------------------------- standardised, logit

def test_standardized_coefficients_equal_regression_on_z_scores(cross_section):
    import statsmodels.api as sm

    result = reg.fit_ols(cross_section, "y", ["a", "b"], standardize=True)
    z = (cross_section[["y", "a", "b"]] - cross_section[["y", "a", "b"]].mean()) \
        / cross_section[["y", "a", "b"]].std(ddof=1)
    on_z = sm.OLS(z["y"], sm.add_constant(z[["a", "b"]])).fit()
    np.testing.assert_allclose(_by_term(result).loc[["a", "b"], "std_estimate"],
                               on_z.params[["a", "b"]], rtol=1e-10)


def test_logit_and_average_marginal_effects_match_statsmodels():
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas().data
    result = reg.fit_logit(data, "GRADE", ["GPA", "TUCE", "PSI"], cov_type="nonrobust")
    direct = sm.Logit(data["GRADE"], sm.add_constant(data[["GPA", "TUCE", "PSI"]])).fit(disp=0)
    np.testing.assert_allclose(result.coefficients["estimate"], direct.params, rtol=1e-6)
    np.testing.assert_allclose(result.coefficients["std_error"], direct.bse, rtol=1e-6)
    margins = direct.get_margeff(at="overall", method="dydx")
    np.testing.assert_allclose(result.marginal_effects["estimate"], margins.margeff, rtol=1e-6)
    np.testing.assert_allclose(result.marginal_effects["std_error"], margins.margeff_se, rtol=1e-6)
    # Spector & Mazzeo (1980) as reported by Greene: GPA coefficient 2.826, PSI 2.379.
    assert _by_term(result).loc["GPA", "estimate"] == pytest.approx(2.826, abs=5e-4)
    assert _by_term(result).loc["PSI", "estimate"] == pytest.approx(2.379, abs=5e-4)
    # The AME of a logit equals the mean of p(1-p)·b (checked by hand).
    p = direct.predict()
    assert result.marginal_effects["estimate"].iloc[0] == pytest.approx(
        np.mean(p * (1 - p)) * direct.params["GPA"], rel=1e-10)
    assert "percentage points" in words.describe_result(result)
    with pytest.raises(ValueError, match="0/1 outcome"):
        reg.fit_logit(data, "GPA", ["TUCE"])


# --------------------------------------------------------------------------- diagnostics

def test_vif_breusch_pagan_and_cooks_distance_by_hand(cross_section):
    import statsmodels.api as sm
    from scipy import stats

    result = reg.fit_ols(cross_section, "y", ["a", "b"], cov_type="nonrobust")
    # VIF_a = 1 / (1 - R²) of a on b (with constant).
    r2_a = sm.OLS(cross_section["a"], sm.add_constant(cross_section["b"])).fit().rsquared
    vif = reg.variance_inflation(result).set_index("term")["vif"]
    assert vif["a"] == pytest.approx(1 / (1 - r2_a), rel=1e-10)
    # Koenker's studentized Breusch-Pagan: N · R² of e² on the regressors, χ²(2).
    e2 = result.residuals**2
    aux = sm.OLS(e2, sm.add_constant(cross_section[["a", "b"]])).fit()
    test = reg.breusch_pagan(result)
    assert test["lm"] == pytest.approx(len(e2) * aux.rsquared, rel=1e-10)
    assert test["lm_p_value"] == pytest.approx(stats.chi2.sf(len(e2) * aux.rsquared, 2), rel=1e-10)
    assert test["lm_p_value"] < 0.05  # the fixture is heteroskedastic
    # Cook's D_i = e_i² / (K s²) · h_ii / (1 - h_ii)².
    X = np.column_stack([np.ones(len(cross_section)), cross_section[["a", "b"]]])
    h = np.einsum("ij,jk,ik->i", X, np.linalg.inv(X.T @ X), X)
    s2 = e2.sum() / (len(e2) - 3)
    cooks = e2 / (3 * s2) * h / (1 - h) ** 2
    influential = reg.influential_observations(result, top=5)
    np.testing.assert_allclose(influential["cooks_distance"], np.sort(cooks)[::-1][:5], rtol=1e-10)
    assert influential["influential"].iloc[0] == (cooks.max() > 4 / len(cooks))
    residuals = reg.residual_data(result)
    np.testing.assert_allclose(residuals["fitted"] + residuals["residual"], cross_section["y"])


# --------------------------------------------------------------------------- tables, plot, words


def test_read_table_by_extension_keeps_codes_as_text(tmp_path):
    frame = pd.DataFrame({"county_code": ["040104", "640105"], "year": [2016, 2017],
                          "y": [1.5, 2.5]})
    frame.to_csv(tmp_path / "t.csv", index=False, encoding="utf-8-sig")
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.assign(county_code=[40104, 640105]).to_parquet(tmp_path / "t.parquet")
    for name, codes in (("t.csv", ["040104", "640105"]), ("t.xlsx", ["040104", "640105"]),
                        ("t.parquet", ["40104", "640105"])):
        loaded = reg.read_table(tmp_path / name)
        assert loaded["county_code"].tolist() == codes, name
        assert loaded["y"].tolist() == [1.5, 2.5]
    with pytest.raises(ValueError, match="unknown extension"):
        (tmp_path / "t.json").write_text("{}")
        reg.read_table(tmp_path / "t.json")


# --------------------------------------------------------------------------- the sample data

@pytest.mark.parametrize("outcome", ["mean_exam_score", "progression_rate_pct",
                                     "retention_rate_pct"])
def test_sample_recovers_true_effects_with_two_way_fixed_effects(sample_dir, outcome):
    from edubalance.io.sample import TRUE_EFFECTS

    counties = reg.read_table(sample_dir / "counties.csv")
    truth = TRUE_EFFECTS[outcome]
    result = reg.fit_ols(counties, outcome, list(truth), fixed_effects=["county_code", "year"],
                         cov_type="cluster", cluster="county_code")
    table = _by_term(result)
    for term, coefficient in truth.items():
        assert table.loc[term, "ci_low"] <= coefficient <= table.loc[term, "ci_high"], \
            f"{outcome}: true {term} = {coefficient} outside {table.loc[term, ['ci_low', 'ci_high']].tolist()}"


def test_sample_pooled_ols_is_biased(sample_dir):
    from edubalance.io.sample import TRUE_EFFECTS

    counties = reg.read_table(sample_dir / "counties.csv")
    truth = TRUE_EFFECTS["mean_exam_score"]
    pooled = _by_term(reg.fit_ols(counties, "mean_exam_score", list(truth),
                                  cov_type="cluster", cluster="county_code"))
    term = "spending_per_student_kcny"
    assert not pooled.loc[term, "ci_low"] <= truth[term] <= pooled.loc[term, "ci_high"]


def test_logit_hc1_and_cluster_sandwich_by_hand():
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas().data.assign(group=np.arange(32) % 8)
    X = np.column_stack([np.ones(32), data[["GPA", "TUCE", "PSI"]]])
    y = data["GRADE"].to_numpy()
    beta = sm.Logit(y, X).fit(disp=0).params
    p = 1 / (1 + np.exp(-X @ beta))
    bread = np.linalg.inv((X * (p * (1 - p))[:, None]).T @ X)
    scores = X * (y - p)[:, None]
    n, k = X.shape
    hc1 = n / (n - k) * bread @ scores.T @ scores @ bread
    robust = reg.fit_logit(data, "GRADE", ["GPA", "TUCE", "PSI"], cov_type="HC1")
    np.testing.assert_allclose(robust.coefficients["std_error"], np.sqrt(np.diag(hc1)), rtol=1e-5)
    summed = pd.DataFrame(scores).groupby(data["group"].to_numpy()).sum().to_numpy()
    cr1 = 8 / 7 * (n - 1) / (n - k) * bread @ summed.T @ summed @ bread
    clustered = reg.fit_logit(data, "GRADE", ["GPA", "TUCE", "PSI"], cov_type="cluster",
                              cluster="group")
    np.testing.assert_allclose(clustered.coefficients["std_error"], np.sqrt(np.diag(cr1)),
                               rtol=1e-5)
    # Marginal-effect SEs follow the same covariance: statsmodels' delta method on HC0, scaled.
    hc0 = sm.Logit(y, X).fit(disp=0, cov_type="HC0").get_margeff(at="overall")
    np.testing.assert_allclose(robust.marginal_effects["std_error"],
                               hc0.margeff_se * np.sqrt(n / (n - k)), rtol=1e-8)


# --------------------------------------------------------------------------- pyfixest oracle, API

@pytest.mark.parametrize("fixed_effects, cov_type, vcov", [
    (["county_code", "year"], "cluster", {"CRV1": "county_code"}),
    ([], "HC1", "HC1"),
    (["year"], "nonrobust", "iid"),
])
def test_fit_ols_equals_pyfixest(panel, fixed_effects, cov_type, vcov):
    # pyfixest (a maintained port of R's fixest): its default small-sample correction counts
    # fixed effects nested in the clusters as reghdfe does, the default fe_dof here.
    import warnings

    import pyfixest as pf

    cluster = "county_code" if cov_type == "cluster" else None
    ours = reg.fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=fixed_effects,
                       cov_type=cov_type, cluster=cluster)
    formula = "mean_exam_score ~ " + " + ".join(INPUTS)
    if fixed_effects:
        formula += " | " + " + ".join(fixed_effects)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pf.feols(formula, data=panel, vcov=vcov, fixef_tol=1e-12)
    table = ours.to_frame().set_index("term").loc[list(theirs.coef().index)]
    np.testing.assert_allclose(table["estimate"], theirs.coef(), rtol=1e-9)
    np.testing.assert_allclose(table["std_error"], theirs.se(), rtol=1e-7)


def test_result_is_frozen_with_to_frame_and_errors_are_edubalance_errors(panel):
    import dataclasses

    from edubalance.errors import DataError, ParameterError

    result = reg.fit_ols(panel, "mean_exam_score", INPUTS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.outcome = "other"
    frame = result.to_frame()
    assert list(frame.columns[:7]) == reg.COEFFICIENT_COLUMNS
    frame.loc[0, "estimate"] = 99.0
    assert result.coefficients.loc[0, "estimate"] != 99.0  # a copy
    with pytest.raises(ParameterError, match="unknown column"):
        reg.fit_ols(panel, "mean_exam_score", ["nope"])
    with pytest.raises(DataError, match="collinear"):
        reg.fit_ols(panel.assign(twice=2 * panel["urbanisation_pct"]), "mean_exam_score",
                    ["urbanisation_pct", "twice"])
