"""Disparity (inequality) measures for school resources.

All measures accept enrolment weights: a school with 800 students counts as 800 pupils,
so a weighted result equals the result on unit records expanded by weight.

Measures: official :func:`weighted_cv`, :func:`gini` (population form), :func:`theil` (T, with
a between/within decomposition), :func:`atkinson`, :func:`mcloone`, :func:`range_ratio`
(max/min), :func:`p90_p10`, :func:`federal_range_ratio` ((P95 − P5)/P5), the
:func:`lorenz_curve`, and :func:`summary` / :func:`indicator_summary` for all of them per group
(vectorised over groups).

Quantiles (P5, P10, P90, P95, and the median in McLoone) are the *inverted-CDF* quantiles of the
pupil-level distribution: ``Q(p)`` is the smallest school value ``x`` such that at least a share
``p`` of pupils have a value ``<= x`` (``numpy.quantile(..., method="inverted_cdf")`` on the
records expanded by weight). Schools with no pupils are left out. Edge cases are explicit:
NaN, negative or all-zero values raise ``ValueError``; one school or all-equal values give
0 (Gini, Theil, Atkinson), 1 (McLoone, max/min, P90/P10) and 0 (federal range ratio); a zero
denominator in a ratio gives ``inf``; zeros with Atkinson ``epsilon >= 1`` raise.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, did_you_mean
from . import numeric
from .results import ResultDisplay


def weighted_cv(values, weights=None) -> float:
    """Official coefficient of variation (enrolment-weighted, population form).

    ``X̄ = Σ Pᵢ Xᵢ / N``, ``S = sqrt(Σ (Pᵢ/N)(Xᵢ − X̄)²)``, ``CV = S / X̄`` (DOMAIN §3).
    With ``weights=None`` every school weighs the same (unweighted population CV). The one
    implementation, with its parameters and the errors it raises (negative, infinite or
    missing numbers, a zero mean), is :func:`edubalance.core.numeric.weighted_cv`; this name is the
    public contract.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float
        ``S / X̄``.

    Examples
    --------
    >>> books = [279, 137, 935, 160, 402]; students = [45, 37, 89, 76, 55]
    >>> round(weighted_cv([b / s for b, s in zip(books, students)], students), 3)
    0.515
    """
    return numeric.weighted_cv(values, weights)


def grouped_weighted_cv(frame: pd.DataFrame, value: str, weight: str | None, by) -> pd.Series:
    """Official CV of ``value`` within each group of ``by``, vectorised over groups.

    Missing values follow :mod:`edubalance.core.numeric`: rows with a NaN value are skipped, rows
    with zero weight count for nothing, and a group with no pupils left (or a zero mean) gets
    NaN. Negative or infinite values and negative weights raise :class:`DataError`.

    Parameters
    ----------
    frame : DataFrame
        One row per school.
    value : str
        Column of the values.
    weight : str or None
        Column of the pupils (``None``: every school the same).
    by : str or list of str
        Column(s) naming the groups (e.g. ``county_code``).

    Returns
    -------
    Series
        The CV per group, indexed by the group.

    Examples
    --------
    >>> df = pd.DataFrame({"county": ["a"] * 5, "x": [279/45, 137/37, 935/89, 160/76, 402/55],
    ...                    "n": [45, 37, 89, 76, 55]})
    >>> round(float(grouped_weighted_cv(df, "x", "n", "county").loc["a"]), 3)
    0.515
    """
    keys = [frame[b] for b in ([by] if isinstance(by, str) else list(by))]
    grouped = frame.groupby(keys, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy()
    weights = None if weight is None else frame[weight].to_numpy(dtype=float)
    result = numeric.grouped_weighted_cv(frame[value].to_numpy(dtype=float), codes,
                                         weights=weights, n_groups=grouped.ngroups)
    index = grouped.size().index
    # Groups without pupils keep their row (NaN): never silently left out.
    return pd.Series(result.cv, index=index, name="cv")


# ---------------------------------------------------------------------------------------------
# Inequality measures on the expanded (pupil-level) distribution
# ---------------------------------------------------------------------------------------------
#
# Every measure below treats a school of P pupils as P pupil records with the school's value,
# so a weighted result equals the result on records expanded by weight (integer weights) and
# schools with zero enrolment drop out. The work is done by vectorised "kernels" over groups
# (rows sorted by group, then value; one integer code per group) so that the scalar functions
# and `summary` share one implementation.
#
# Weighted quantile definition (used by P90/P10, the federal range ratio and McLoone's median):
# the *inverted CDF* quantile of the expanded distribution, Q(p) = the smallest value x with
# F(x) >= p, where F is the share of pupils with a value <= x. For integer weights this is
# exactly ``numpy.quantile(numpy.repeat(values, weights), p, method="inverted_cdf")``; it is
# always one of the observed school values (no interpolation between schools).

_TOLERANCE = 1e-12

QUANTILE_METHOD = numeric.QUANTILE_METHOD
"""Name (as in ``numpy.quantile``) of the quantile definition on the expanded distribution."""

__all__ = [
    "weighted_cv", "grouped_weighted_cv", "weighted_quantile", "gini", "theil", "TheilResult",
    "atkinson", "mcloone", "range_ratio", "p90_p10", "federal_range_ratio", "lorenz_curve",
    "summary", "indicator_summary", "QUANTILE_METHOD",
]


def _clean(values, weights, *, non_negative: bool = True):
    """Validate one set of values and weights; drop zero-weight schools.

    Validate one set of values/weights (:func:`edubalance.core.numeric.check_values`); drop
    zero-weight schools (no pupils).
    """
    x, w = numeric.check_values(values, weights, allow_negative=not non_negative)
    if w.sum() <= 0:
        raise DataError("weights sum to zero (no pupils)")
    keep = w > 0
    return x[keep], w[keep]


def _sorted_groups(x, w, codes):
    """Sort by (group, value); return arrays plus per-group totals and cumulative weights."""
    order = np.lexsort((x, codes))
    x, w, codes = x[order], w[order], codes[order]
    n_groups = int(codes.max()) + 1 if codes.size else 0
    total_weight = np.bincount(codes, weights=w, minlength=n_groups)
    # Cumulative weight inside each group: global cumsum minus the weight of earlier groups.
    start_weight = np.cumsum(total_weight) - total_weight
    cumulative = np.cumsum(w) - start_weight[codes]
    counts = np.bincount(codes, minlength=n_groups)
    first = np.cumsum(counts) - counts
    return x, w, codes, total_weight, cumulative, first, counts


def _group_mean(x, w, codes, total_weight):
    return np.bincount(codes, weights=w * x, minlength=total_weight.size) / total_weight


def _group_quantile(x, codes, total_weight, cumulative, p):
    """Inverted-CDF quantile per group (rows sorted by group then value)."""
    reached = cumulative >= p * total_weight[codes] * (1 - _TOLERANCE)
    rows = np.flatnonzero(reached)
    # The first row per group that reaches p; the last row always does (cumulative == total).
    _, first_hit = np.unique(codes[rows], return_index=True)
    return x[rows[first_hit]]


def _group_gini(x, w, codes, total_weight, cumulative, mean):
    # Population Gini of the expanded distribution: Σᵢⱼ wᵢwⱼ|xᵢ−xⱼ| / (2 N² μ), written with
    # sorted values as Σᵢ wᵢ xᵢ (2Cᵢ − wᵢ − N) / (N² μ) (Cᵢ = cumulative weight up to i).
    n = total_weight[codes]
    numerator = np.bincount(codes, weights=w * x * (2 * cumulative - w - n),
                            minlength=total_weight.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(numerator / (total_weight**2 * mean), 0.0, None)


def _group_theil(x, w, codes, total_weight, mean):
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = x / mean[codes]
        # 0·ln 0 = 0: a school with nothing contributes nothing.
        term = np.where(x > 0, w * ratio * np.log(np.where(x > 0, ratio, 1.0)), 0.0)
        theil_total = np.bincount(codes, weights=term, minlength=total_weight.size) / total_weight
    return np.clip(theil_total, 0.0, None)


def _group_atkinson(x, w, codes, total_weight, mean, epsilon):
    with np.errstate(invalid="ignore", divide="ignore"):
        if epsilon == 1:
            has_zero = np.bincount(codes, weights=(x == 0).astype(float), minlength=mean.size) > 0
            log_mean = np.bincount(codes, weights=w * np.log(np.where(x > 0, x, 1.0)),
                                   minlength=mean.size) / total_weight
            equally_distributed = np.where(has_zero, np.nan, np.exp(log_mean))
        else:
            power = np.where(x > 0, x, 0.0) ** (1 - epsilon) if epsilon < 1 else np.where(
                x > 0, x, np.nan) ** (1 - epsilon)
            power_mean = np.bincount(codes, weights=w * np.nan_to_num(power, nan=np.inf),
                                     minlength=mean.size) / total_weight
            equally_distributed = power_mean ** (1 / (1 - epsilon))
        result = 1 - equally_distributed / mean
    return np.clip(result, 0.0, None)


def _group_mcloone(x, w, codes, total_weight, cumulative):
    median = _group_quantile(x, codes, total_weight, cumulative, 0.5)
    below = x < median[codes]
    below_total = np.bincount(codes, weights=w * x * below, minlength=median.size)
    at_median = median * np.bincount(codes, weights=w * below, minlength=median.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Nobody strictly below the median (e.g. all values equal): perfect equality, 1.
        return np.where(at_median > 0, below_total / np.where(at_median > 0, at_median, 1), 1.0)


def _check_positive_mean(x, w):
    if not (w * x).sum() > 0:
        raise DataError("all values are zero: relative inequality measures are undefined")


def weighted_quantile(values, p, *, weights=None) -> float:
    """Quantile of the enrolment-expanded distribution (inverted CDF, no interpolation).

    ``Q(p)`` is the smallest school value ``x`` such that at least a share ``p`` of pupils
    attend schools with a value ``<= x``; for integer weights it equals
    ``numpy.quantile(numpy.repeat(values, weights), p, method="inverted_cdf")``.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    p : float
        The share of pupils, 0 to 1.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float

    Examples
    --------
    >>> weighted_quantile([1, 2, 3], 0.5, weights=[1, 1, 2])
    2.0
    """
    return numeric.weighted_quantile(values, p, weights=weights)


def gini(values, *, weights=None) -> float:
    """Gini coefficient (population form) of the enrolment-expanded distribution.

    ``G = Σᵢ Σⱼ wᵢ wⱼ |xᵢ − xⱼ| / (2 N² μ)``: 0 for perfect equality (or a single school);
    the population form gives ``gini([0, 0, 0, 1]) == 0.75``.

    Raises
    ------
    ValueError
        On NaN, negative values, or all-zero values (undefined).

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float
        0 (equal) to 1.

    Examples
    --------
    >>> gini([0, 0, 0, 1])
    0.75
    >>> gini([1, 3], weights=[3, 1]) == gini([1, 1, 1, 3])
    True
    """
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    x, w, codes, total, cumulative, _, _ = _sorted_groups(x, w, np.zeros(x.size, dtype=int))
    mean = _group_mean(x, w, codes, total)
    return float(_group_gini(x, w, codes, total, cumulative, mean)[0])


@dataclass(frozen=True, repr=False)
class TheilResult(ResultDisplay):
    """Theil T index with its decomposition; ``between + within == total``.

    ``groups`` has one row per group: ``group, pupil_share, resource_share, mean, theil``
    (empty when no grouping was given).

    Parameters
    ----------
    total, between, within : float
        The index and its decomposition.
    groups : DataFrame
        One row per group (empty without a grouping).
    """

    total: float
    between: float
    within: float
    groups: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (``group, pupil_share, resource_share, mean, theil``)."""
        return self.groups.copy()


def theil(values, *, weights=None, groups=None) -> TheilResult:
    """Theil T index of the enrolment-expanded distribution, optionally decomposed by group.

    ``T = (1/N) Σᵢ wᵢ (xᵢ/μ) ln(xᵢ/μ)`` with ``0·ln 0 = 0``. With ``groups`` (e.g. urban /
    town / rural, or prefecture), ``T = between + within`` where
    ``between = Σ_g s_g ln(μ_g/μ)`` and ``within = Σ_g s_g T_g``, ``s_g`` being group g's share
    of the total resource (``N_g μ_g / N μ``). Without groups, ``between = 0``.

    Raises
    ------
    ValueError
        On NaN, negative values, all-zero values, or groups of the wrong length.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.
    groups : array_like, optional
        A group per school (e.g. urban/town/rural) for the between/within decomposition.

    Returns
    -------
    TheilResult
        ``total``, ``between``, ``within`` (``between + within == total``) and ``groups``.

    Examples
    --------
    >>> result = theil([1, 1, 2, 4], groups=["a", "a", "b", "b"])
    >>> abs(result.between + result.within - result.total) < 1e-12
    True
    >>> theil([5, 5, 5]).total
    0.0
    """
    x_raw = np.asarray(values, dtype=float).ravel()
    if groups is not None:
        labels = pd.Series(np.asarray(groups, dtype=object).ravel())
        if labels.size != x_raw.size:
            raise DataError(f"values and groups differ in length: {x_raw.size} vs {labels.size}")
        if labels.isna().any():
            raise DataError("groups contain missing labels")
    x_all, w_all = numeric.check_values(values, weights)
    keep = w_all > 0
    x, w = _clean(x_all, w_all)
    _check_positive_mean(x, w)
    one = np.zeros(x.size, dtype=int)
    xs, ws, cs, total, _, _, _ = _sorted_groups(x, w, one)
    mean = _group_mean(xs, ws, cs, total)
    total_theil = float(_group_theil(xs, ws, cs, total, mean)[0])
    if groups is None:
        return TheilResult(total_theil, 0.0, total_theil)
    codes, names = pd.factorize(labels[keep], sort=True)
    xs, ws, cs, group_weight, _, _, _ = _sorted_groups(x, w, codes)
    group_mean = _group_mean(xs, ws, cs, group_weight)
    group_theil = np.where(group_mean > 0, _group_theil(xs, ws, cs, group_weight, group_mean), 0)
    resource_share = group_weight * group_mean / (total[0] * mean[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        between_terms = np.where(resource_share > 0,
                                 resource_share * np.log(group_mean / mean[0]), 0.0)
    between = float(between_terms.sum())
    within = float((resource_share * group_theil).sum())
    table = pd.DataFrame({"group": list(names), "pupil_share": group_weight / total[0],
                          "resource_share": resource_share, "mean": group_mean,
                          "theil": group_theil})
    # The two parts are computed independently; they add up to the total up to rounding.
    return TheilResult(total_theil, between, within, table)


def atkinson(values, epsilon: float = 0.5, *, weights=None) -> float:
    """Atkinson index ``1 − x_ede / μ`` of the enrolment-expanded distribution.

    ``x_ede = (Σ wᵢ xᵢ^(1−ε) / N)^(1/(1−ε))`` for ``ε ≠ 1`` and the geometric mean for
    ``ε = 1``. Larger ``ε`` weighs the poorest pupils more.

    Raises
    ------
    ValueError
        On ``ε < 0``, NaN, negative or all-zero values, and on any zero value when ``ε >= 1``
        (the index is then 1 by limit but the mean of ``x^(1−ε)`` is infinite: say so).

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil).
    epsilon : float, default 0.5
        Inequality aversion (> 0; 1 is the log form).
    weights : array_like, optional
        Pupils per school; ``None`` weighs every school the same.

    Returns
    -------
    float
        0 (equal) to 1.

    Examples
    --------
    >>> round(atkinson([1, 4], epsilon=1), 6)   # 1 - geometric mean 2 / mean 2.5
    0.2
    >>> round(atkinson([1, 4], epsilon=0.5), 6)   # 1 - ((1 + 2) / 2)**2 / 2.5
    0.1
    """
    if not np.isfinite(epsilon) or epsilon < 0:
        raise ParameterError(f"epsilon must be a finite number >= 0, not {epsilon}")
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    if epsilon >= 1 and (x == 0).any():
        raise DataError(f"Atkinson index with epsilon={epsilon} (>= 1) is undefined when a "
                         "school has a zero value; use epsilon < 1 or remove the zeros")
    x, w, codes, total, _, _, _ = _sorted_groups(x, w, np.zeros(x.size, dtype=int))
    mean = _group_mean(x, w, codes, total)
    return float(_group_atkinson(x, w, codes, total, mean, float(epsilon))[0])


def mcloone(values, *, weights=None) -> float:
    """McLoone index of the values below the enrolment-weighted median.

    McLoone index: pupils below the enrolment-weighted median, their total resource over
    what they would have at the median.

    ``M = Σ_{xᵢ<m} wᵢ xᵢ / (m Σ_{xᵢ<m} wᵢ)`` with ``m`` the weighted median (inverted-CDF
    quantile, see :func:`weighted_quantile`). Pupils *at* the median are not counted. When no
    pupil is below the median (all values equal, a single school) the index is 1.0.
    1 means perfect equality in the lower half; smaller is less equal.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float
        1 when nobody is below the median; smaller is less equal.

    Examples
    --------
    >>> mcloone([1, 2, 3, 4, 5])   # median 3; pupils below have 1 + 2 = 3 instead of 6
    0.5
    """
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    x, w, codes, total, cumulative, _, _ = _sorted_groups(x, w, np.zeros(x.size, dtype=int))
    return float(_group_mcloone(x, w, codes, total, cumulative)[0])


def range_ratio(values, *, weights=None) -> float:
    """Max/min ratio over schools with pupils; ``inf`` when the minimum is zero.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float

    Examples
    --------
    >>> range_ratio([2, 3, 8], weights=[10, 10, 0])   # the empty school does not count
    1.5
    """
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    low, high = x.min(), x.max()
    return float(np.inf) if low == 0 else float(high / low)


def p90_p10(values, *, weights=None) -> float:
    """Ratio of the 90th to the 10th weighted percentile.

    Ratio of the 90th to the 10th weighted percentile (see :func:`weighted_quantile`);
    ``inf`` when P10 is zero.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float

    Examples
    --------
    >>> p90_p10(list(range(1, 11)))
    9.0
    """
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    p10, p90 = weighted_quantile(x, 0.10, weights=w), weighted_quantile(x, 0.90, weights=w)
    return float(np.inf) if p10 == 0 else p90 / p10


def federal_range_ratio(values, *, weights=None) -> float:
    """Federal range ratio ``(P95 − P5) / P5`` (US school-finance practice); ``inf`` if P5 = 0.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Returns
    -------
    float

    Examples
    --------
    >>> federal_range_ratio(list(range(1, 21)))   # P95 = 19, P5 = 1
    18.0
    """
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    p5, p95 = weighted_quantile(x, 0.05, weights=w), weighted_quantile(x, 0.95, weights=w)
    return float(np.inf) if p5 == 0 else (p95 - p5) / p5


def lorenz_curve(values, *, weights=None) -> pd.DataFrame:
    """Points of the Lorenz curve: cumulative pupil share vs cumulative resource share.

    Starts at (0, 0) and ends at (1, 1); one point per school, sorted from poorest.

    Parameters
    ----------
    values : array_like
        One value per school (a resource per pupil); negative, infinite or missing values
        raise :class:`~edubalance.errors.DataError`.
    weights : array_like, optional
        Pupils per school (the official weighting); ``None`` weighs every school the same.

    Examples
    --------
    >>> lorenz_curve([0, 0, 0, 1])["resource_share"].tolist()
    [0.0, 0.0, 0.0, 0.0, 1.0]
    """
    x, w = _clean(values, weights)
    _check_positive_mean(x, w)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    # Divide by the last cumulative sum (not a separate total) so the curve ends at exactly 1.
    pupils, resource = np.cumsum(w), np.cumsum(w * x)
    pupils = np.concatenate([[0.0], pupils / pupils[-1]])
    resource = np.concatenate([[0.0], resource / resource[-1]])
    return pd.DataFrame({"pupil_share": pupils, "resource_share": resource})


SUMMARY_COLUMNS = ["n_schools", "students", "mean", "cv", "gini", "theil", "theil_between",
                   "theil_within", "atkinson", "mcloone", "range_ratio", "p90_p10",
                   "federal_range_ratio", "note"]


def summary(frame: pd.DataFrame, value: str, weight: str | None, by, *, epsilon: float = 0.5,
            decompose_by: str | None = None, dropna: bool = False) -> pd.DataFrame:
    """All inequality measures of ``value`` per group of ``by``, in one tidy table.

    Vectorised over groups (one sort and a few ``bincount`` passes, no loop per group), with
    the same definitions as the scalar functions: ``n_schools`` (with pupils), ``students``,
    ``mean`` (enrolment-weighted = total resource / total pupils), ``cv`` (official),
    ``gini``, ``theil`` (T), ``theil_between`` / ``theil_within`` (by ``decompose_by``, e.g.
    ``urban_rural``; NaN columns when not given), ``atkinson`` (``epsilon``), ``mcloone``,
    ``range_ratio``, ``p90_p10``, ``federal_range_ratio``.

    Undefined results are explicit, never silent: a group whose values are all zero gets NaN
    for the relative measures and ``note = "all values zero"``; Atkinson with ``epsilon >= 1``
    on a group with a zero value is NaN with a note; ratios whose denominator is zero are
    ``inf``. Schools with zero weight are left out (no pupils), but a group is never left out:
    a group none of whose schools has pupils (or, with ``dropna=True``, a value) keeps its row
    with ``n_schools = 0``, NaN measures and ``note = "no pupils"`` (or ``"no values"``).

    Parameters
    ----------
    frame : DataFrame
    value, weight : str
        Column of values and of enrolment (``weight=None``: every school counts once).
    by : str or list of str, or None
        Grouping columns; ``None`` (or ``[]``) treats the whole frame as one group.
    epsilon : float
        Atkinson inequality aversion.
    decompose_by : str, optional
        Column for the Theil between/within decomposition inside each group.
    dropna : bool
        NaN values raise :class:`DataError` (naming the groups) unless ``dropna=True``.

    Examples
    --------
    >>> df = pd.DataFrame({"county": ["a", "a", "a", "a", "b"], "x": [0, 0, 0, 1, 2],
    ...                    "n": [1, 1, 1, 1, 5]})
    >>> summary(df, "x", "n", "county")["gini"].tolist()
    [0.75, 0.0]
    """
    if not np.isfinite(epsilon) or epsilon < 0:
        raise ParameterError(f"epsilon must be a finite number >= 0, not {epsilon}")
    if by is None or (not isinstance(by, str) and len(by) == 0):
        # One group: the whole frame (e.g. a province), returned without key columns.
        whole = frame.assign(_all_rows=0)
        table = summary(whole, value, weight, "_all_rows", epsilon=epsilon,
                        decompose_by=decompose_by, dropna=dropna)
        return table.drop(columns="_all_rows")
    keys = [by] if isinstance(by, str) else list(by)
    needed = keys + [value] + ([weight] if weight is not None else []) + (
        [decompose_by] if decompose_by is not None else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(f"columns not in the frame: {', '.join(missing)}"
                        f"{did_you_mean(missing, map(str, frame.columns))}")
    x = pd.to_numeric(frame[value], errors="raise").astype(float).to_numpy()
    w = (np.ones(len(frame)) if weight is None
         else pd.to_numeric(frame[weight], errors="raise").astype(float).to_numpy())
    if np.isnan(w).any() or (w < 0).any():
        raise DataError(f"weight column {weight!r} has missing or negative values")
    keep = w > 0
    nan_rows = keep & np.isnan(x)
    if nan_rows.any() and not dropna:
        groups = frame.loc[nan_rows, keys].drop_duplicates().head(5).to_dict("records")
        raise DataError(f"{int(nan_rows.sum())} school(s) with pupils have no {value!r} value "
                         f"(e.g. in {groups}); fill them or pass dropna=True")
    with_pupils = keep.copy()
    keep &= ~np.isnan(x)
    if (x[keep] < 0).any() or np.isinf(x[keep]).any():
        raise DataError(f"column {value!r} has negative or infinite values")
    all_codes, all_groups = _factorize_keys(frame[keys], keys)
    if not keep.any():
        return _with_empty_groups(None, all_groups, all_codes, with_pupils)
    # Groups with pupils, renumbered 0.. in key order (a bincount, no sort).
    present = np.flatnonzero(np.bincount(all_codes[keep], minlength=len(all_groups)))
    renumber = np.full(len(all_groups), -1, dtype=np.int64)
    renumber[present] = np.arange(present.size)
    codes = renumber[all_codes[keep]]
    uniques = all_groups[present]
    x, w = x[keep], w[keep]
    xs, ws, cs, total, cumulative, first, counts = _sorted_groups(x, w, codes)
    mean = _group_mean(xs, ws, cs, total)
    positive = mean > 0
    cv = numeric.grouped_weighted_cv(x, codes, weights=w, n_groups=len(uniques)).cv
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = xs[first], xs[first + counts - 1]
        p5, p10, p90, p95 = (_group_quantile(xs, cs, total, cumulative, p)
                             for p in (0.05, 0.10, 0.90, 0.95))
        result = pd.DataFrame({
            "n_schools": counts, "students": total, "mean": mean, "cv": cv,
            "gini": _group_gini(xs, ws, cs, total, cumulative, mean),
            "theil": _group_theil(xs, ws, cs, total, mean),
            "atkinson": _group_atkinson(xs, ws, cs, total, mean, float(epsilon)),
            "mcloone": _group_mcloone(xs, ws, cs, total, cumulative),
            "range_ratio": np.where(low > 0, high / np.where(low > 0, low, 1), np.inf),
            "p90_p10": np.where(p10 > 0, p90 / np.where(p10 > 0, p10, 1), np.inf),
            "federal_range_ratio": np.where(p5 > 0, (p95 - p5) / np.where(p5 > 0, p5, 1),
                                            np.inf),
        }, index=uniques)
    result["theil_between"] = np.nan
    result["theil_within"] = np.nan
    if decompose_by is not None:
        between, within = _grouped_theil_decomposition(
            x, w, codes, frame.loc[keep, decompose_by], total, mean)
        result["theil_between"], result["theil_within"] = between, within
    note = np.full(len(result), "", dtype=object)
    note[~positive] = "all values zero"
    measure_columns = ["cv", "gini", "theil", "theil_between", "theil_within", "atkinson",
                       "mcloone", "range_ratio", "p90_p10", "federal_range_ratio"]
    result.loc[~positive, measure_columns] = np.nan
    if epsilon >= 1:
        zero_in_group = np.bincount(cs, weights=(xs == 0).astype(float),
                                    minlength=total.size) > 0
        flagged = zero_in_group & positive
        result.loc[flagged, "atkinson"] = np.nan
        note[flagged] = f"atkinson undefined: zero value with epsilon={epsilon}"
    result["note"] = note
    return _with_empty_groups(result, all_groups, all_codes, with_pupils)


def _with_empty_groups(result, all_groups, all_codes, with_pupils) -> pd.DataFrame:
    """Every group of the frame, in key order; groups without pupils (or values) reported."""
    if result is None:
        result = pd.DataFrame(columns=SUMMARY_COLUMNS, index=all_groups[:0])
    counted = np.zeros(len(all_groups), dtype=bool)
    counted[all_groups.get_indexer(result.index)] = True
    empty = ~counted
    table = result.reindex(all_groups) if empty.any() else result
    if empty.any():
        had_pupils = np.bincount(all_codes, weights=with_pupils, minlength=len(all_groups)) > 0
        table.loc[empty, "n_schools"] = 0
        table.loc[empty, "students"] = 0.0
        table.loc[empty, "note"] = np.where(had_pupils[empty], "no values", "no pupils")
    table["n_schools"] = table["n_schools"].astype(np.int64)
    table["students"] = table["students"].astype(float)
    for column in SUMMARY_COLUMNS[2:-1]:
        table[column] = table[column].astype(float)
    table["note"] = table["note"].astype(object)
    return table[SUMMARY_COLUMNS].reset_index()


def _factorize_keys(sub: pd.DataFrame, keys):
    """Integer code per row (groups sorted by key) and the index of the groups."""
    if sub[keys].isna().any().any():
        raise DataError(f"grouping column(s) {', '.join(keys)} have missing values")
    grouped = sub.groupby(keys, sort=True, observed=True)
    return grouped.ngroup().to_numpy(), grouped.size().index


def _grouped_theil_decomposition(x, w, codes, labels, total, mean):
    """Between/within Theil by ``labels`` inside every group of ``codes`` (vectorised)."""
    sub_codes, _ = pd.factorize(labels.to_numpy(), sort=True)
    if (sub_codes < 0).any():
        raise DataError("the decomposition column has missing labels")
    n_sub = int(sub_codes.max()) + 1
    cell = codes * n_sub + sub_codes
    cell_ids, cell_codes = np.unique(cell, return_inverse=True)
    xs, ws, cc, cell_weight, _, _, _ = _sorted_groups(x, w, cell_codes)
    cell_mean = _group_mean(xs, ws, cc, cell_weight)
    cell_theil = np.where(cell_mean > 0, _group_theil(xs, ws, cc, cell_weight, cell_mean), 0.0)
    parent = cell_ids // n_sub
    with np.errstate(invalid="ignore", divide="ignore"):
        share = cell_weight * cell_mean / (total[parent] * mean[parent])
        between_terms = np.where(share > 0, share * np.log(cell_mean / mean[parent]), 0.0)
    between = np.bincount(parent, weights=between_terms, minlength=total.size)
    within = np.bincount(parent, weights=np.nan_to_num(share * cell_theil), minlength=total.size)
    return between, within


def indicator_columns(frame: pd.DataFrame, indicators) -> list[str]:
    """The indicator names as a list, after checking that there are some and all are columns.

    Examples
    --------
    >>> indicator_columns(pd.DataFrame({"x": [1]}), ("x",))
    ['x']
    """
    indicators = list(indicators)
    if not indicators:
        raise ParameterError("no indicators given")
    missing = [name for name in indicators if name not in frame.columns]
    if missing:
        raise ParameterError(f"indicator column(s) not in the frame: {', '.join(missing)}"
                             f"{did_you_mean(missing, map(str, frame.columns))}")
    return indicators


def indicator_summary(frame: pd.DataFrame, indicators, weight: str | None, by, *,
                      epsilon: float = 0.5, decompose_by: str | None = None,
                      dropna: bool = False) -> pd.DataFrame:
    """:func:`summary` for several indicator columns at once, in long form.

    One row per group x indicator, with an ``indicator`` column after the group keys; the
    ``mean`` column is the county-level value of the indicator (total resource / total pupils).
    The indicators are stacked into one long frame, so it is still one vectorised pass.

    Parameters
    ----------
    frame : DataFrame
        One row per school.
    indicators : sequence of str
        The indicator columns.
    weight : str or None
        Column of the pupils (None: every school the same).
    by : str or list of str
        Column(s) naming the groups.
    epsilon : float, default 0.5
        Atkinson's inequality aversion.
    decompose_by : str, optional
        Column of the Theil decomposition's groups (e.g. ``urban_rural``).
    dropna : bool, default False
        Skip schools with a missing value instead of raising.

    Examples
    --------
    >>> df = pd.DataFrame({"county": ["a", "a"], "x": [1.0, 3.0], "y": [2.0, 2.0],
    ...                    "n": [1, 3]})
    >>> indicator_summary(df, ["x", "y"], "n", "county")[["indicator", "mean"]].values.tolist()
    [['x', 2.5], ['y', 2.0]]
    """
    indicators = indicator_columns(frame, indicators)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    carried = keys + ([weight] if weight is not None else []) + (
        [decompose_by] if decompose_by is not None else [])
    long = frame[carried + indicators].melt(id_vars=carried, value_vars=indicators,
                                            var_name="indicator", value_name="_value")
    # Keep the caller's indicator order rather than the alphabetical one.
    long["indicator"] = pd.Categorical(long["indicator"], categories=indicators, ordered=True)
    table = summary(long, "_value", weight, keys + ["indicator"], epsilon=epsilon,
                    decompose_by=decompose_by, dropna=dropna)
    table["indicator"] = table["indicator"].astype(str)
    return table
