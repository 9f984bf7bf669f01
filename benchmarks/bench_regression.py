"""Benchmark: two-way fixed effects with clustered errors on a national-size county panel.

2,850 counties x 10 years, 3 inputs, county and year effects absorbed, errors clustered by
county. Target: under 1 second. Baseline measured in the same run: statsmodels OLS with
explicit county and year dummy variables (the textbook way) and the same clustered errors.
Also timed: pyfixest ``feols`` (the maintained fixest port considered in issue 17) on the
same panel, with the gap between its estimates and ours.

The dense dummy-variable design of the full panel (28,500 x 2,862) takes minutes to fit, so
by default the baseline is measured on the first 300 counties (both methods on the same
rows); ``--full-baseline`` adds the full-size comparison.

Run: .venv/bin/python benchmarks/bench_regression.py [--full-baseline]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm
from timing import best_of

from edubalance.analysis.regression import fit_ols

TARGET_SECONDS = 1.0
COUNTIES, YEARS = 2850, 10
INPUTS = ["spending_per_student_kcny", "teachers_per_100_students", "urbanisation_pct"]


def synthetic_panel(seed: int = 2017) -> pd.DataFrame:
    """County x year panel whose county effects correlate with the inputs."""
    rng = np.random.default_rng(seed)
    county = np.repeat(np.arange(COUNTIES), YEARS)
    year = np.tile(np.arange(2008, 2008 + YEARS), COUNTIES)
    county_effect = rng.normal(0, 3, COUNTIES)[county]
    year_effect = np.linspace(0, 2, YEARS)[year - 2008]
    inputs = rng.normal(size=(len(county), 3)) + 0.5 * county_effect[:, None]
    outcome = 27 + county_effect + year_effect + inputs @ [1.5, 2.0, 0.08] + rng.normal(0, 1.5, len(county))
    frame = pd.DataFrame(inputs, columns=INPUTS)
    frame.insert(0, "county_code", [f"{640000 + c:06d}" for c in county])
    frame.insert(1, "year", year)
    frame["mean_exam_score"] = outcome
    return frame


def dummy_variable_fit(panel: pd.DataFrame):
    """The baseline: statsmodels OLS with explicit county and year dummies, clustered by county."""
    groups = pd.factorize(panel["county_code"])[0]
    dummies = pd.get_dummies(panel[["county_code", "year"]].astype(str), drop_first=True,
                             dtype=float)
    X = sm.add_constant(pd.concat([panel[INPUTS], dummies], axis=1))
    return sm.OLS(panel["mean_exam_score"], X).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def absorbed_fit(panel: pd.DataFrame):
    # fe_dof="all" counts every dummy (Stata areg), so the SEs must equal the baseline's.
    return fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code", "year"],
                   cov_type="cluster", cluster="county_code", fe_dof="all")


def pyfixest_fit(panel: pd.DataFrame):
    import warnings

    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest 0.60 passes inplace= to pandas 3
        return pf.feols("mean_exam_score ~ " + " + ".join(INPUTS) + " | county_code + year",
                        data=panel, vcov={"CRV1": "county_code"})


def compare_pyfixest(panel: pd.DataFrame, ours: float) -> None:
    try:
        pyfixest_fit(panel)  # warm-up (imports, numba/JIT where used)
    except ImportError:
        print("pyfixest not installed: comparison skipped")
        return
    theirs = best_of(lambda: pyfixest_fit(panel), repeats=3)
    fit = pyfixest_fit(panel)
    result = fit_ols(panel, "mean_exam_score", INPUTS, fixed_effects=["county_code", "year"],
                     cov_type="cluster", cluster="county_code")
    gap = np.max(np.abs(result.coefficients["estimate"].to_numpy() - fit.coef().to_numpy()))
    se_gap = np.max(np.abs(result.coefficients["std_error"].to_numpy() / fit.se().to_numpy() - 1))
    print(f"pyfixest.feols on the same panel: {theirs:.3f} s (best of 3) -> "
          f"pyfixest/ours time ratio {theirs / ours:.2f}; max |coef diff| {gap:.1e}, "
          f"max relative SE diff {se_gap:.1e}")


def compare(panel: pd.DataFrame, label: str, repeats: int) -> None:
    ours = best_of(lambda: absorbed_fit(panel), repeats)
    start = time.perf_counter()
    reference = dummy_variable_fit(panel)
    baseline = time.perf_counter() - start
    result = absorbed_fit(panel)
    coefficient_gap = np.max(np.abs(result.coefficients["estimate"].to_numpy()
                                    - reference.params[INPUTS].to_numpy()))
    se_gap = np.max(np.abs(result.coefficients["std_error"].to_numpy()
                           / reference.bse[INPUTS].to_numpy() - 1))
    print(f"{label}: {len(panel):,} rows; absorbed {ours:.3f} s, statsmodels with "
          f"{reference.model.exog.shape[1]:,} dummy columns {baseline:.2f} s -> "
          f"{baseline / ours:,.0f}x faster; max |coef diff| {coefficient_gap:.1e}, "
          f"max relative SE diff {se_gap:.1e}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-baseline", action="store_true",
                        help="also fit the dummy-variable baseline on the full panel "
                             "(minutes: a dense 28,500 x 2,862 design)")
    parser.add_argument("--baseline-counties", type=int, default=300,
                        help="counties in the like-for-like baseline comparison (default 300)")
    args = parser.parse_args(argv)
    panel = synthetic_panel()
    absorbed_fit(panel)  # warm-up: imports (statsmodels, pyhdfe) are not part of the fit
    ours = best_of(lambda: absorbed_fit(panel), repeats=5)
    print(f"panel: {COUNTIES:,} counties x {YEARS} years = {len(panel):,} rows, 3 inputs, "
          "two-way fixed effects, errors clustered by county")
    print(f"edubalance.analysis.regression.fit_ols (absorbed): {ours:.3f} s (best of 5); "
          f"target < {TARGET_SECONDS:.1f} s -> {'OK' if ours < TARGET_SECONDS else 'MISSED'} "
          f"({TARGET_SECONDS / ours:.0f}x under the target)")
    compare_pyfixest(panel, ours)
    subset = panel[panel["county_code"].isin(panel["county_code"].unique()[:args.baseline_counties])]
    compare(subset.reset_index(drop=True), f"baseline on {args.baseline_counties} counties", 5)
    if args.full_baseline:
        compare(panel, "baseline on the full panel", 1)


if __name__ == "__main__":
    main()
