"""Progress of a province's counties towards the national balance targets (DOMAIN §4.4).

For every county and year, the verdict under a standard (:func:`edubalance.core.scoring.score`):
a county passes in a year when every level it has (primary, junior) passes. From the verdicts:
the first year in which a county passes, the share of counties passing per year against the
national targets (65 % of counties at basic balance by 2015, 95 % by 2020; seed 003), and a
projection of the share that will have reached balance by a target year.

The projection: a discrete-time hazard model
--------------------------------------------
The national targets count counties *recognised* (认定) as balanced, a one-time event: the
question is how long counties take to pass for the first time, i.e. time to an event. A
discrete-time hazard model (Allison 1982; Singer & Willett 2003, ch. 10-12) fits that directly:
among the county-years at risk (not passed before), ``P(first pass in year t) = expit(a + b·(t −
last_year) + c'z)``, a logit with a linear time trend and optional covariates ``z``
(``COVARIATES``: last year's distance of the county's composite CV to its limit; whether the
province's schedule year for the county has come), fitted by maximum likelihood. A county
still not passing in the last observed year passes by the target year with probability
``1 − Π_{t=last+1..target} (1 − h_t)``; the projected share adds these to the counties already
passed. It uses verdicts only, so it works for every standard (``quality-2017`` has no composite
CV whose trend one could extrapolate). Counties passing in the first observed year are counted
as passed; when they first passed is unknown (left censoring), so they do not enter the risk
set.

The interval is *predictive* and holds the observed past fixed: the counties of a province are
the whole population and the ones that passed have passed. Only the future of the others is
uncertain, from the hazard's parameters (drawn from the estimate's normal approximation) and
from chance (each county passes or not, year by year). So at ``target_year`` = the last
observed year the interval is the observed share, with zero width, and
``probability_meets_target`` is the probability that the *realised* share reaches the target.

Examples
--------
>>> verdicts = pd.DataFrame({"county_code": ["1", "1", "2", "2"], "county_name": ["甲", "甲", "乙", "乙"],
...     "year": [2016, 2017, 2016, 2017], "passed": [False, True, False, False]})
>>> first_pass_years(verdicts)["first_pass_year"].tolist()
[2017, <NA>]
>>> share_passing(verdicts)["share"].tolist()
[0.0, 0.5]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._compat import moved_names
from ..core.results import ResultDisplay
from ..errors import DataError, ParameterError

__all__ = ["NATIONAL_TARGETS", "COVARIATES", "ProgressResult", "Projection", "county_verdicts",
           "first_pass_years", "share_passing", "province_progress", "hazard_fit", "project",
           "hazard_covariates", "load_schedule", "projection_json"]

# The figures moved to the report layer (issue 28); the old names still work.
__getattr__ = moved_names(__name__, {
    "heat_map": "edubalance.report.figures.progress:plot_verdict_heat_map",
    "cv_trajectories": "edubalance.report.figures.progress:plot_cv_trajectories:_cv_trajectories",
})

NATIONAL_TARGETS: dict[int, float] = {2015: 0.65, 2020: 0.95}
"""Share of counties at basic balance by year (seed 003, DOMAIN §4.4)."""

_KEYS = ["county_code", "county_name"]


def county_verdicts(counties: pd.DataFrame) -> pd.DataFrame:
    """One row per county and year from a scoring ``counties`` table (county × year × level).

    A county passes in a year when every level it has passes. Returns ``county_code,
    county_name, year, levels`` (how many levels it has), ``passing_levels``, ``passed`` and
    ``composite_cv_<level>`` for each level present.

    Parameters
    ----------
    counties : DataFrame
        The ``counties`` table of :func:`edubalance.core.scoring.score`.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> rows = pd.DataFrame({"county_code": "1", "county_name": "甲", "year": [2017, 2017],
    ...     "level": ["primary", "junior"], "composite_cv": [0.5, 0.6], "passed": [True, False]})
    >>> county_verdicts(rows)[["levels", "passing_levels", "passed"]].values.tolist()
    [[2, 1, False]]
    """
    missing = [c for c in [*_KEYS, "year", "level", "passed"] if c not in counties]
    if missing:
        raise DataError(f"scoring counties table lacks column(s): {', '.join(missing)}")
    passed = counties["passed"].astype(bool)
    frame = counties.assign(passed=passed)
    grouped = frame.groupby([*_KEYS, "year"], sort=True)
    verdicts = grouped.agg(levels=("level", "size"), passing_levels=("passed", "sum")).reset_index()
    verdicts["passed"] = verdicts["passing_levels"] == verdicts["levels"]
    if "composite_cv" in counties:
        wide = frame.pivot_table(index=[*_KEYS, "year"], columns="level", values="composite_cv",
                                 aggfunc="first", dropna=False)
        wide.columns = [f"composite_cv_{level}" for level in wide.columns]
        verdicts = verdicts.merge(wide.reset_index(), on=[*_KEYS, "year"], how="left")
    return verdicts


def first_pass_years(verdicts: pd.DataFrame) -> pd.DataFrame:
    """``county_code, county_name, first_pass_year`` (nullable Int64, NA if never), per county.

    Parameters
    ----------
    verdicts : DataFrame
        :func:`county_verdicts`.

    Returns
    -------
    DataFrame
    """
    keys = verdicts[_KEYS].drop_duplicates().reset_index(drop=True)
    first = verdicts[verdicts["passed"]].groupby(_KEYS, sort=False)["year"].min()
    result = keys.merge(first.rename("first_pass_year").reset_index(), on=_KEYS, how="left")
    result["first_pass_year"] = result["first_pass_year"].astype("Int64")
    return result


def share_passing(verdicts: pd.DataFrame, targets: Mapping[int, float] | None = None
                  ) -> pd.DataFrame:
    """Counties passing per year, with the running total and the national target.

    Per year: ``year, counties, passing, share``, then ``ever_passed`` (counties passed in
    that year or before), ``share_ever`` and ``target`` (the national target of that year, NaN
    where there is none).

    Parameters
    ----------
    verdicts : DataFrame
        :func:`county_verdicts`.
    targets : mapping, optional
        Year -> share (default :data:`NATIONAL_TARGETS`).

    Returns
    -------
    DataFrame
    """
    targets = NATIONAL_TARGETS if targets is None else targets
    table = verdicts.groupby("year", sort=True).agg(
        counties=("passed", "size"), passing=("passed", "sum")).reset_index()
    table["share"] = table["passing"] / table["counties"]
    first = first_pass_years(verdicts)["first_pass_year"]
    years = table["year"].to_numpy()
    table["ever_passed"] = [int((first <= year).sum()) for year in years]
    table["share_ever"] = table["ever_passed"] / verdicts[_KEYS].drop_duplicates().shape[0]
    table["target"] = [targets.get(int(year), np.nan) for year in years]
    return table.astype({"counties": "int64", "passing": "int64"})


# --------------------------------------------------------------------------- hazard model
def _risk_rows(first_pass: np.ndarray, first_year: int, last_year: int):
    """Person-period rows of the counties at risk after the first observed year.

    Returns ``(county, year, event)`` arrays: county ``i`` is at risk in ``year`` when it had
    not passed before (and did not pass in the first observed year: left-censored, never at
    risk); ``event`` is its first pass. Vectorised over a county × year grid.
    """
    years = np.arange(first_year + 1, last_year + 1)
    first = np.asarray(first_pass, dtype=float)
    stop = np.where(np.isfinite(first), first, np.inf)
    at_risk = (years[None, :] <= stop[:, None]) & ~(stop <= first_year)[:, None]
    county, column = np.nonzero(at_risk)
    year = years[column]
    return county, year, year == stop[county]


def _risk_set(first_pass: np.ndarray, first_year: int, last_year: int):
    """Person-period rows (year, event) of counties at risk after the first observed year."""
    _, year, event = _risk_rows(first_pass, first_year, last_year)
    return year, event


def _logit(x: np.ndarray, y: np.ndarray, ridge: float, max_iter: int):
    """Newton-Raphson logit; returns the coefficients and the inverse Hessian (covariance)."""
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (y - p) - ridge * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
    hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
    return beta, np.linalg.inv(hessian)


def hazard_fit(years, events, last_year: int, *, covariates=None, ridge: float = 1e-6,
               max_iter: int = 100, return_covariance: bool = False):
    """Logit of the yearly hazard ``expit(a + b·(year − last_year) + c'z)`` by Newton-Raphson.

    Returns ``(a, b)`` (or, with ``covariates`` or ``return_covariance``, ``(coefficients,
    covariance)``: the coefficients ``[a, b, c...]`` and the inverse of the observed
    information). A tiny ridge keeps the fit finite when the data separate perfectly (e.g. no
    county passes at all); otherwise it is the maximum-likelihood estimate.

    Parameters
    ----------
    years, events : array
        One value per county-year at risk.
    last_year : int
    covariates : array (rows, k), optional
        Further regressors ``z``.
    ridge, max_iter : float, int
    return_covariance : bool

    >>> a, b = hazard_fit([2015, 2015, 2016, 2016, 2017, 2017],
    ...                   [True, False, False, False, True, False], 2017)
    >>> round(a, 3), round(b, 3)
    (-0.693, 0.0)
    """
    columns = [np.ones(len(years)), np.asarray(years, dtype=float) - last_year]
    if covariates is not None:
        extra = np.asarray(covariates, dtype=float).reshape(len(years), -1)
        columns += [extra[:, k] for k in range(extra.shape[1])]
    x = np.column_stack(columns)
    beta, cov = _logit(x, np.asarray(events, dtype=float), ridge, max_iter)
    if covariates is None and not return_covariance:
        return float(beta[0]), float(beta[1])
    return beta, cov


@dataclass(frozen=True)
class Projection:
    """Projected share of counties passed by ``target_year`` (see the module docstring).

    ``share`` is the expected share with the hazard at its estimate; ``expected_share`` the
    mean of the simulated realised shares (parameter uncertainty included); ``ci_low,
    ci_high`` the predictive interval; ``n_bootstrap`` the number of simulations (old name,
    same as ``n_simulations``).

    Parameters
    ----------
    target_year, target_share : int, float
        The target.
    method : str
        How the share was projected.
    share, expected_share : float
        The expected share at the estimate, and the mean of the simulated shares.
    ci_low, ci_high : float
        The predictive interval.
    probability_meets_target : float
        Probability that the realised share reaches ``target_share``.
    passed_by_last_year, counties : int
        Counties passed by the last observed year, and all counties.
    first_year, last_year : int
        The observed years.
    hazard_intercept, hazard_slope : float or None
        The hazard's intercept and year trend (None when it could not be fitted).
    hazard_coefficients : dict or None
        Every coefficient of the hazard, covariates included.
    n_simulations, n_bootstrap : int
        Simulations of the interval (``n_bootstrap`` the old name).
    """

    target_year: int
    target_share: float
    method: str
    share: float
    ci_low: float
    ci_high: float
    probability_meets_target: float
    passed_by_last_year: int
    counties: int
    first_year: int
    last_year: int
    hazard_intercept: float | None
    hazard_slope: float | None
    n_bootstrap: int
    hazard_coefficients: dict | None = None
    n_simulations: int = 0
    expected_share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The projection as a dict of its fields (what ``projection.json`` holds).

        Returns
        -------
        dict
        """
        return asdict(self)


METHOD = ("discrete-time hazard (logit, linear year trend{covariates}); predictive interval: "
          "observed first passes held fixed, the counties not yet passed simulated year by year "
          "with parameters drawn from the estimate's sampling distribution")
COVARIATES = ("cv_distance", "past_schedule")
"""Optional hazard covariates: last year's distance of the county's composite CV to its limit
(largest over its levels; > 0 above the limit) and whether the province's schedule year of
the county has come (1 from that year on)."""


def project(first_pass: pd.DataFrame, *, first_year: int, last_year: int,
            target_year: int = 2020, target_share: float = 0.95,
            n_simulations: int | None = None, alpha: float = 0.05, random_state: int = 2017,
            covariates: pd.DataFrame | None = None, n_bootstrap: int | None = None,
            parameter_uncertainty: bool = True) -> Projection:
    """Project the share of counties passed by ``target_year`` with a predictive interval.

    The counties that passed by ``last_year`` stay passed (the observed past is not
    uncertain: the counties are the whole population). For the others a discrete-time
    hazard is fitted on the county-years at risk; then ``n_simulations`` times: draw the
    hazard's coefficients from N(estimate, inverse information), and let each county not
    yet passed pass in each year up to ``target_year`` with its hazard that year (it
    passes by the target with probability 1 − Π(1 − h_t); a Bernoulli draw per county).
    ``share`` is the expected share at the estimate; ``ci_low, ci_high`` the
    ``alpha/2, 1 − alpha/2`` quantiles of the simulated *realised* shares;
    ``probability_meets_target`` the share of simulations whose realised share reaches
    ``target_share``. At ``target_year == last_year`` the interval is the observed share
    exactly.

    Parameters
    ----------
    first_pass : DataFrame
        From :func:`first_pass_years` (``first_pass_year`` NA when never); with
        ``covariates``, also ``county_code``.
    first_year, last_year : int
        The years observed.
    target_year : int
    target_share : float
    n_simulations, n_bootstrap : int
        Simulations (default 1000; ``n_bootstrap`` is its old name).
    alpha : float
        ``1 − alpha`` predictive interval.
    random_state : int
        Seed: same inputs, same result.
    covariates : DataFrame, optional
        ``county_code, year`` and columns of ``COVARIATES`` (one row per county-year, future
        years included for ``past_schedule``; a county's last known value is carried
        forward).
    parameter_uncertainty : bool
        Draw the coefficients (True) or keep them at the estimate (False: binomial
        variation only).

    Examples
    --------
    >>> fp = pd.DataFrame({"first_pass_year": pd.array([2012, 2016, 2017, None, None, None],
    ...                                                dtype="Int64")})
    >>> p = project(fp, first_year=2010, last_year=2017, target_year=2020, n_simulations=50)
    >>> round(p.share, 2), p.passed_by_last_year
    (0.85, 3)
    >>> now = project(fp, first_year=2010, last_year=2017, target_year=2017)
    >>> now.share, now.ci_low, now.ci_high
    (0.5, 0.5, 0.5)
    """
    if n_simulations is None:
        n_simulations = 1000 if n_bootstrap is None else n_bootstrap
    n_simulations = int(n_simulations)
    if not 0 < target_share <= 1:
        raise ParameterError(f"target_share must be in (0, 1], not {target_share!r}")
    if int(target_year) < int(last_year):
        raise ParameterError(f"target_year={target_year} is before the last year of the data "
                             f"({last_year})")
    years = first_pass["first_pass_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    n = years.size
    if n == 0:
        raise DataError("no county to project")
    passed_mask = np.isfinite(years) & (years <= last_year)
    passed = int(passed_mask.sum())
    observed = passed / n
    names = [c for c in COVARIATES if covariates is not None and c in covariates]
    label = f", {', '.join(names)}" if names else ""

    def result(share, low, high, probability, coefficients=None, expected=None):
        coef = None if coefficients is None else dict(
            zip(["intercept", "year", *names], map(float, coefficients), strict=True))
        return Projection(
            target_year=int(target_year), target_share=float(target_share),
            method=METHOD.format(covariates=label), share=float(share), ci_low=float(low),
            ci_high=float(high), probability_meets_target=float(probability),
            passed_by_last_year=passed, counties=int(n), first_year=int(first_year),
            last_year=int(last_year),
            hazard_intercept=None if coef is None else coef["intercept"],
            hazard_slope=None if coef is None else coef["year"], n_bootstrap=n_simulations,
            hazard_coefficients=coef, n_simulations=n_simulations,
            expected_share=float(share if expected is None else expected))

    exact = float(observed >= target_share - 1e-12)
    if passed == n or int(target_year) == int(last_year):
        return result(observed, observed, observed, exact)
    county, year, event = _risk_rows(years, first_year, last_year)
    if year.size == 0:     # nothing to learn a hazard from
        nan = float("nan")
        return result(observed, nan, nan, nan)
    z_rows = z_future = None
    future = np.arange(last_year + 1, int(target_year) + 1)
    remaining = np.flatnonzero(~passed_mask)
    if names:
        z_rows, z_future = _covariate_arrays(first_pass, covariates, names, county, year,
                                             remaining, future)
    coefficients, cov = hazard_fit(year, event, last_year, covariates=z_rows,
                                   return_covariance=True)
    design = np.stack([np.ones((remaining.size, future.size)),
                       np.broadcast_to(future - last_year, (remaining.size, future.size)),
                       *([] if z_future is None else [z_future[..., k]
                                                      for k in range(len(names))])], axis=-1)

    def pass_probability(beta):   # beta (..., p) -> P(pass by target) per remaining county
        hazard = 1 / (1 + np.exp(-np.clip(np.einsum("rtp,...p->...rt", design, beta), -30, 30)))
        return 1 - np.prod(1 - hazard, axis=-1)

    expected = (passed + pass_probability(coefficients).sum()) / n
    if n_simulations <= 0:
        nan = float("nan")
        return result(expected, nan, nan, nan, coefficients)
    rng = np.random.default_rng(random_state)
    if parameter_uncertainty:
        draws = rng.multivariate_normal(coefficients, (cov + cov.T) / 2, size=n_simulations,
                                        method="eigh")
    else:
        draws = np.broadcast_to(coefficients, (n_simulations, coefficients.size))
    probability = pass_probability(draws)                      # simulations × remaining
    new = (rng.random(probability.shape) < probability).sum(axis=1)
    realised = (passed + new) / n
    low, high = np.quantile(realised, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return result(expected, low, high, np.mean(realised >= target_share - 1e-12), coefficients,
                  expected=float(realised.mean()))


def _covariate_arrays(first_pass, covariates, names, county, year, remaining, future):
    """Covariates of the risk rows and of the remaining counties' future years.

    A county's value in a year it has none (future years, gaps) is its last earlier value,
    else its first later one.
    """
    codes = first_pass["county_code"].astype(str).to_numpy()
    frame = covariates.assign(county_code=covariates["county_code"].astype(str))
    all_years = np.arange(min(int(frame["year"].min()), int(year.min())),
                          max(int(frame["year"].max()), int(future.max()) if future.size
                              else int(year.max())) + 1)
    grid = (frame.pivot_table(index="county_code", columns="year", values=list(names),
                              aggfunc="first")
            .reindex(columns=pd.MultiIndex.from_product([list(names), all_years])))
    values = np.stack([grid[name].reindex(codes).T.ffill().bfill().T.to_numpy(dtype=float)
                       for name in names], axis=-1)                    # county × year × k
    if np.isnan(values).any():
        missing = codes[np.isnan(values).any(axis=(1, 2))]
        raise DataError(f"no hazard covariate values for county/counties "
                        f"{', '.join(missing[:5])}")
    offset = int(all_years[0])
    return values[county, year - offset], values[remaining][:, future - offset]


def hazard_covariates(verdicts: pd.DataFrame, standard: str = "basic-2012", *,
                      cv_distance: bool = False, schedule: pd.DataFrame | None = None
                      ) -> pd.DataFrame | None:
    """The covariates of the hazard per county and year (``COVARIATES``), or None.

    ``cv_distance``: last year's largest ``composite_cv − limit`` over the county's levels
    (the standard's composite-CV limits; > 0 above the limit). ``past_schedule``: 1 from the
    county's ``schedule_year`` (a :func:`load_schedule` table) on, 0 before (and for
    counties the schedule does not name); given for the years up to 2035 so projections
    can use it.

    Parameters
    ----------
    verdicts : DataFrame
        From :func:`county_verdicts` (``composite_cv_<level>`` for ``cv_distance``).
    standard : str
        Whose composite-CV limits.
    cv_distance : bool
    schedule : DataFrame, optional

    Returns
    -------
    DataFrame or None
        ``county_code, year`` and the covariates asked for; None when none is.

    Examples
    --------
    >>> v = pd.DataFrame({"county_code": ["1", "1"], "county_name": "甲", "year": [2016, 2017],
    ...                   "composite_cv_primary": [0.70, 0.60], "composite_cv_junior": [0.5, 0.5]})
    >>> hazard_covariates(v, cv_distance=True)["cv_distance"].round(2).tolist()
    [nan, 0.05]
    """
    frames = []
    if cv_distance:
        from ..core.standards import load_standard

        rule = load_standard(standard).rule("composite_cv")
        if rule is None:
            raise ParameterError(f"standard {standard!r} has no composite-CV limit: no "
                                 f"cv_distance covariate")
        limit = rule.params["limit"]
        gaps = [verdicts[f"composite_cv_{level}"] - limit[level] for level in limit
                if f"composite_cv_{level}" in verdicts]
        if not gaps:
            raise DataError("no composite CV in the verdicts: no cv_distance covariate")
        frame = verdicts[["county_code", "year"]].assign(
            _gap=pd.concat(gaps, axis=1).max(axis=1)).sort_values(["county_code", "year"])
        by_county = frame.groupby("county_code")
        previous = by_county["year"].shift(1)
        frame["cv_distance"] = by_county["_gap"].shift(1).where(previous == frame["year"] - 1)
        frames.append(frame[["county_code", "year", "cv_distance"]])
    if schedule is not None:
        codes = verdicts[["county_code", "county_name"]].drop_duplicates()
        if "county_code" not in schedule:
            schedule = schedule.merge(codes, on="county_name", how="inner")
        planned = schedule.assign(county_code=schedule["county_code"].astype(str)) \
            .set_index("county_code")["schedule_year"]
        years = np.arange(int(verdicts["year"].min()), 2036)
        grid = pd.MultiIndex.from_product([codes["county_code"].astype(str), years],
                                          names=["county_code", "year"]).to_frame(index=False)
        grid["past_schedule"] = (grid["year"] >= grid["county_code"].map(planned)).astype(float)
        frames.append(grid)
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.merge(frame, on=["county_code", "year"], how="outer")
    return out.reset_index(drop=True)


def load_schedule(path) -> pd.DataFrame:
    r"""A province's assessment schedule: ``county_code`` and/or ``county_name``, ``schedule_year``.

    Chinese headers 县代码/行政区划代码, 县名称/县(市、区) and 计划年份/规划年份/计划评估年份 are
    understood. The year is the one the province planned the county to be assessed in.

    Parameters
    ----------
    path : str or Path
        CSV or Excel file.

    Returns
    -------
    DataFrame
        ``county_code`` and/or ``county_name`` (text), ``schedule_year`` (int).

    Raises
    ------
    DataError
        Missing columns or a year that is not a number (row as a spreadsheet shows it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "schedule.csv"
    >>> _ = path.write_text("县名称,计划年份\n大武口区,2011\n", encoding="utf-8")
    >>> load_schedule(path).values.tolist()
    [['大武口区', 2011]]
    """
    from ..io.read import read_table

    table = read_table(path)
    aliases = {"县代码": "county_code", "行政区划代码": "county_code", "县名称": "county_name",
               "县(市、区)": "county_name", "县（市、区）": "county_name",
               "计划年份": "schedule_year", "规划年份": "schedule_year",
               "计划评估年份": "schedule_year", "计划认定年份": "schedule_year"}
    table = table.rename(columns={c: aliases.get(str(c).strip(), str(c).strip())
                                  for c in table.columns})
    if "schedule_year" not in table or not {"county_code", "county_name"} & set(table):
        raise DataError(f"{path}: a schedule needs county_code or county_name and schedule_year "
                        f"(计划年份); found {', '.join(map(str, table.columns))}")
    years = pd.to_numeric(table["schedule_year"], errors="coerce")
    if years.isna().any():
        row = int(np.flatnonzero(years.isna().to_numpy())[0])
        raise DataError(f"{path}: row {row + 2}, column 'schedule_year': "
                        f"{table['schedule_year'].iloc[row]!r} is not a year")
    keep = [c for c in ("county_code", "county_name") if c in table]
    out = table[keep].astype(str).assign(schedule_year=years.astype(int))
    return out


@dataclass(frozen=True, repr=False)
class ProgressResult(ResultDisplay):
    """Result of :func:`province_progress`: verdicts, first-pass years, shares, projection.

    Parameters
    ----------
    standard : str
        Name of the standard.
    verdicts : DataFrame
        One row per county and year (:func:`county_verdicts`).
    first_pass : DataFrame
        :func:`first_pass_years`.
    share_passing : DataFrame
        :func:`share_passing`.
    projection : Projection
        :func:`project`.
    counted : {"school_data", "official"}
        Which verdict ``passed`` is (below).
    targets : mapping
        Year -> share of counties (below).
    """

    standard: str
    verdicts: pd.DataFrame
    first_pass: pd.DataFrame
    share_passing: pd.DataFrame
    projection: Projection
    counted: str = "school_data"
    """Which verdict a county-year's ``passed`` is: ``official`` (the whole verdict, school data
    and evidence: :func:`edubalance.core.scoring.with_evidence`) or ``school_data`` (every rule
    school data can decide, no evidence given)."""
    targets: Mapping[int, float] = field(default_factory=dict)
    """Year -> share of counties: the national targets and the province's own (which win in a
    year both name), as in ``share_passing``'s ``target`` column but for every year."""

    def to_frame(self) -> pd.DataFrame:
        """The share of counties passing per year (``share_passing.csv``)."""
        return self.share_passing.copy()


def province_progress(schools: pd.DataFrame, standard: str = "basic-2012", *,
                      target_year: int = 2020, target_share: float = 0.95,
                      n_bootstrap: int | None = None, random_state: int = 2017,
                      n_simulations: int | None = None,
                      targets: Mapping[int, float] | None = None,
                      province_targets: Mapping[int, float] | None = None,
                      cv_distance: bool = False,
                      schedule: pd.DataFrame | None = None,
                      evidence: pd.DataFrame | None = None) -> ProgressResult:
    """Score every year of ``schools`` and summarise progress to the targets.

    Parameters
    ----------
    schools : DataFrame
        Canonical schools of every year and county of the province.
    standard : str
    target_year, target_share : int, float
        The projection's target.
    n_simulations, n_bootstrap : int
        Simulations of the predictive interval (:func:`project`; ``n_bootstrap`` is the old
        name).
    random_state : int
    targets : mapping, optional
        Year -> share of counties: the national targets (default ``NATIONAL_TARGETS``).
    province_targets : mapping, optional
        The province's own targets, added to (and overriding) ``targets`` in
        ``share_passing``'s ``target`` column.
    cv_distance : bool
        Add last year's distance to the composite-CV limit to the hazard.
    schedule : DataFrame, optional
        The province's schedule (:func:`load_schedule`): adds ``past_schedule`` to the hazard.
    evidence : DataFrame, optional
        Evidence per county and year (:func:`edubalance.core.evidence.load`): a county-year
        passes on the official verdict (``pass``: every rule, school data and evidence, judged
        and met). Without it, on every rule school data can decide (``counted`` says which).

    Returns
    -------
    ProgressResult

    Examples
    --------
    >>> import edubalance as eb
    >>> schools, _ = eb.io.sample.generate("province", seed=3, years=[2012, 2013])
    >>> result = province_progress(schools, n_simulations=20)
    >>> result.to_frame()["counties"].tolist()
    [22, 22]
    """
    from ..core.scoring import score

    if schools.empty:
        raise DataError("the school table is empty")
    scored = score(schools, standard, evidence=evidence)
    counties = scored.counties
    counted = "school_data"
    if evidence is not None:
        counties = counties.assign(passed=(counties["verdict"] == "pass").to_numpy())
        counted = "official"
    verdicts = county_verdicts(counties)
    first = first_pass_years(verdicts)
    years = verdicts["year"]
    name = standard if isinstance(standard, str) else standard.name
    covariates = hazard_covariates(verdicts, name, cv_distance=cv_distance, schedule=schedule)
    projection = project(first, first_year=int(years.min()), last_year=int(years.max()),
                         target_year=target_year, target_share=target_share,
                         n_simulations=n_simulations, n_bootstrap=n_bootstrap,
                         random_state=random_state, covariates=covariates)
    all_targets = {**(NATIONAL_TARGETS if targets is None else targets),
                   **(province_targets or {})}
    all_targets = {int(year): float(share) for year, share in all_targets.items()}
    return ProgressResult(standard=name, verdicts=verdicts, first_pass=first,
                          share_passing=share_passing(verdicts, all_targets),
                          projection=projection, counted=counted, targets=all_targets)


def projection_json(projection: Projection, counted: str | None = None) -> str:
    """The ``projection.json`` text of a projection.

    ``projection.json`` text: the projection's fields, ``null`` for missing values, and
    ``counted`` (which verdict a pass is, :attr:`ProgressResult.counted`) when given.

    Parameters
    ----------
    projection : Projection
    counted : str, optional
        :attr:`ProgressResult.counted`.

    Returns
    -------
    str
    """
    import json

    from ..io.write import to_jsonable

    fields = projection.to_dict()
    if counted is not None:
        fields["counted"] = counted
    return json.dumps(to_jsonable(fields), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"
