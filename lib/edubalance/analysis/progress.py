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
last_year))``, a logit with a linear time trend, fitted by maximum likelihood. A county still
not passing in the last observed year passes by the target year with probability
``1 − Π_{t=last+1..target} (1 − h_t)``; the projected share adds these to the counties already
passed. It uses verdicts only, so it works for every standard (``quality-2017`` has no composite
CV whose trend one could extrapolate). The interval is a percentile bootstrap over counties
(resampled with replacement, the model refitted each time). Counties passing in the first
observed year are counted as passed; when they first passed is unknown (left censoring), so they
do not enter the risk set.

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

from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError

__all__ = ["NATIONAL_TARGETS", "ProgressResult", "Projection", "county_verdicts",
           "first_pass_years", "share_passing", "province_progress", "hazard_fit", "project",
           "heat_map", "cv_trajectories", "projection_json"]

NATIONAL_TARGETS: dict[int, float] = {2015: 0.65, 2020: 0.95}
"""Share of counties at basic balance by year (seed 003, DOMAIN §4.4)."""

_KEYS = ["county_code", "county_name"]


def county_verdicts(counties: pd.DataFrame) -> pd.DataFrame:
    """One row per county and year from a scoring ``counties`` table (county × year × level).

    A county passes in a year when every level it has passes. Returns ``county_code,
    county_name, year, levels`` (how many levels it has), ``passing_levels``, ``passed`` and
    ``composite_cv_<level>`` for each level present.

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
    """``county_code, county_name, first_pass_year`` (nullable Int64, NA if never), per county."""
    keys = verdicts[_KEYS].drop_duplicates().reset_index(drop=True)
    first = verdicts[verdicts["passed"]].groupby(_KEYS, sort=False)["year"].min()
    result = keys.merge(first.rename("first_pass_year").reset_index(), on=_KEYS, how="left")
    result["first_pass_year"] = result["first_pass_year"].astype("Int64")
    return result


def share_passing(verdicts: pd.DataFrame, targets: Mapping[int, float] | None = None
                  ) -> pd.DataFrame:
    """Per year: ``year, counties, passing, share``, then ``ever_passed`` (counties passed in
    that year or before), ``share_ever`` and ``target`` (the national target of that year, NaN
    where there is none)."""
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
def _risk_set(first_pass: np.ndarray, first_year: int, last_year: int):
    """Person-period rows (year, event) of counties at risk after the first observed year."""
    years, events = [], []
    for first in first_pass:
        if np.isfinite(first) and first <= first_year:
            continue  # passed when first observed: left-censored, not at risk
        stop = last_year if not np.isfinite(first) else int(first)
        span = np.arange(first_year + 1, stop + 1)
        years.append(span)
        events.append(span == first)
    if not years:
        return np.empty(0), np.empty(0, dtype=bool)
    return np.concatenate(years), np.concatenate(events)


def hazard_fit(years, events, last_year: int, *, ridge: float = 1e-6,
               max_iter: int = 100) -> tuple[float, float]:
    """Logit of the yearly hazard ``expit(a + b·(year − last_year))`` by Newton-Raphson.

    Returns ``(a, b)``. A tiny ridge keeps the fit finite when the data separate perfectly
    (e.g. no county passes at all); otherwise it is the maximum-likelihood estimate.

    >>> a, b = hazard_fit([2015, 2015, 2016, 2016, 2017, 2017],
    ...                   [True, False, False, False, True, False], 2017)
    >>> round(a, 3), round(b, 3)
    (-0.693, 0.0)
    """
    x = np.column_stack([np.ones(len(years)), np.asarray(years, dtype=float) - last_year])
    y = np.asarray(events, dtype=float)
    beta = np.zeros(2)
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (y - p) - ridge * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


@dataclass(frozen=True)
class Projection:
    """Projected share of counties passed by ``target_year`` (see the module docstring)."""

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _projected_share(first_pass: np.ndarray, first_year: int, last_year: int,
                     target_year: int):
    n = first_pass.size
    passed = int(np.sum(first_pass <= last_year))
    years, events = _risk_set(first_pass, first_year, last_year)
    remaining = n - passed
    if remaining == 0 or target_year <= last_year:
        return passed / n, passed, None, None
    if years.size == 0:
        return passed / n, passed, None, None
    a, b = hazard_fit(years, events, last_year)
    future = np.arange(last_year + 1, target_year + 1) - last_year
    hazard = 1 / (1 + np.exp(-(a + b * future)))
    p_by_target = 1 - np.prod(1 - hazard)
    return (passed + remaining * p_by_target) / n, passed, a, b


def project(first_pass: pd.DataFrame, *, first_year: int, last_year: int,
            target_year: int = 2020, target_share: float = 0.95, n_bootstrap: int = 1000,
            alpha: float = 0.05, random_state: int = 2017) -> Projection:
    """Project the share of counties passed by ``target_year`` with a bootstrap interval.

    Parameters
    ----------
    first_pass : DataFrame
        From :func:`first_pass_years` (``first_pass_year`` NA when never).
    first_year, last_year : int
        The years observed.
    target_year : int
    target_share : float
        The target share (e.g. 0.95 by 2020); ``probability_meets_target`` is the bootstrap
        share of replicates at or above it.
    n_bootstrap : int
    alpha : float
        ``1 − alpha`` percentile interval.
    random_state : int

    Examples
    --------
    >>> fp = pd.DataFrame({"first_pass_year": pd.array([2012, 2016, 2017, None, None, None],
    ...                                                dtype="Int64")})
    >>> p = project(fp, first_year=2010, last_year=2017, target_year=2020, n_bootstrap=50)
    >>> round(p.share, 2), p.passed_by_last_year
    (0.85, 3)
    """
    if not 0 < target_share <= 1:
        raise ParameterError(f"target_share must be in (0, 1], not {target_share!r}")
    if int(target_year) < int(last_year):
        raise ParameterError(f"target_year={target_year} is before the last year of the data "
                             f"({last_year})")
    years = first_pass["first_pass_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if years.size == 0:
        raise DataError("no county to project")
    share, passed, a, b = _projected_share(years, first_year, last_year, target_year)
    rng = np.random.default_rng(random_state)
    draws = np.array([
        _projected_share(years[rng.integers(0, years.size, years.size)], first_year, last_year,
                         target_year)[0] for _ in range(int(n_bootstrap))])
    low, high = (np.quantile(draws, [alpha / 2, 1 - alpha / 2]) if draws.size
                 else (np.nan, np.nan))
    return Projection(
        target_year=int(target_year), target_share=float(target_share),
        method="discrete-time hazard (logit, linear year trend), county bootstrap",
        share=float(share), ci_low=float(low), ci_high=float(high),
        probability_meets_target=float(np.mean(draws >= target_share - 1e-12)) if draws.size
        else float(share >= target_share),
        passed_by_last_year=passed, counties=int(years.size), first_year=int(first_year),
        last_year=int(last_year), hazard_intercept=a, hazard_slope=b,
        n_bootstrap=int(n_bootstrap))


@dataclass(frozen=True)
class ProgressResult:
    """Result of :func:`province_progress`: verdicts, first-pass years, shares, projection."""

    standard: str
    verdicts: pd.DataFrame
    first_pass: pd.DataFrame
    share_passing: pd.DataFrame
    projection: Projection

    def to_frame(self) -> pd.DataFrame:
        """The share of counties passing per year (``share_passing.csv``)."""
        return self.share_passing.copy()


def province_progress(schools: pd.DataFrame, standard: str = "basic-2012", *,
                      target_year: int = 2020, target_share: float = 0.95,
                      n_bootstrap: int = 1000, random_state: int = 2017) -> ProgressResult:
    """Score every year of ``schools`` and summarise progress to the national targets.

    Examples
    --------
    >>> import edubalance as eb
    >>> schools, _ = eb.io.sample.generate("province", seed=3, years=[2012, 2013])
    >>> result = province_progress(schools, n_bootstrap=20)
    >>> result.to_frame()["counties"].tolist()
    [22, 22]
    """
    from ..core.scoring import score

    if schools.empty:
        raise DataError("the school table is empty")
    scored = score(schools, standard)
    verdicts = county_verdicts(scored.counties)
    first = first_pass_years(verdicts)
    years = verdicts["year"]
    projection = project(first, first_year=int(years.min()), last_year=int(years.max()),
                         target_year=target_year, target_share=target_share,
                         n_bootstrap=n_bootstrap, random_state=random_state)
    name = standard if isinstance(standard, str) else standard.name
    return ProgressResult(standard=name, verdicts=verdicts, first_pass=first,
                          share_passing=share_passing(verdicts), projection=projection)


# --------------------------------------------------------------------------- figures
def heat_map(verdicts: pd.DataFrame, *, ax=None, lang: str = "zh", title: str | None = None):
    """County × year grid: green where the county passes, red where not, grey without data."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from ..report.i18n import text
    from ..report.plotting import STATUS_COLOURS

    grid = verdicts.pivot_table(index="county_name", columns="year", values="passed",
                                aggfunc="first").astype(float)
    first = verdicts[verdicts["passed"]].groupby("county_name")["year"].min()
    order = first.reindex(grid.index).fillna(np.inf).sort_values(kind="stable").index
    grid = grid.loc[order]
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.55 * grid.shape[1], 0.8 + 0.3 * grid.shape[0]))
    cmap = ListedColormap([STATUS_COLOURS["failed"], STATUS_COLOURS["passed"]]).with_extremes(
        bad=STATUS_COLOURS["not assessed"])
    ax.imshow(np.ma.masked_invalid(grid.to_numpy()), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), labels=[str(int(y)) for y in grid.columns])
    ax.set_yticks(range(grid.shape[0]), labels=list(grid.index))
    ax.grid(False)
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=STATUS_COLOURS["passed"], label=text("verdict.passed", lang)),
                       Patch(color=STATUS_COLOURS["failed"], label=text("verdict.failed", lang))],
              loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title or text("progress.heat_map_title", lang))
    return ax


def cv_trajectories(verdicts: pd.DataFrame, level: str, *, limit: float | None = None,
                    ax=None, lang: str = "zh"):
    """Composite CV of ``level`` per county over the years, with the standard's limit dashed."""
    from ..report.i18n import label, text
    from ..report.plotting import line_over_years

    column = f"composite_cv_{level}"
    if column not in verdicts:
        raise DataError(f"no composite CV for level {level!r} (the standard may have none)")
    ax = line_over_years(verdicts.dropna(subset=[column]), column, hue="county_name",
                         limit=limit, ax=ax, ylabel=text("progress.cv_axis", lang),
                         title=text("progress.cv_title", lang, level=text(f"level.{level}", lang)))
    ax.set_xlabel(label("year", lang))
    ax.legend(ncol=2, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def projection_json(projection: Projection) -> str:
    """``projection.json`` text: the projection's fields, ``null`` for missing values."""
    import json

    from ..io.write import to_jsonable

    return json.dumps(to_jsonable(projection.to_dict()), ensure_ascii=False, indent=2,
                      allow_nan=False) + "\n"
