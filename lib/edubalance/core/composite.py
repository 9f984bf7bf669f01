"""Composite indices of county resources, with Monte-Carlo uncertainty and sensitivity analysis.

The pipeline follows the OECD/JRC *Handbook on Constructing Composite Indicators* (2008) and
the COINr package: **normalise** each indicator (``minmax``, ``zscore``, ``rank``, or
``target``: distance to a target such as a standard's threshold), **weight** the indicators
(``equal``, ``user``, ``entropy``, ``critic``, ``pca``) and **aggregate** (``arithmetic``,
``geometric``, or ``topsis``). Each indicator has a direction: ``benefit`` (more is better,
the default) or ``cost`` (less is better); normalisations turn cost indicators around so that a
higher normalised value is always better.

Conventions
-----------
- ``minmax``: ``(x − min) / (max − min)`` in [0, 1]; ``zscore``: ``(x − mean) / sd`` with
  ``ddof=1`` (as R's ``scale``); ``rank``: average rank / n in (0, 1]; ``target``:
  ``x / target`` (benefit) or ``target / x`` (cost), 1 = exactly at the target.
- ``geometric`` aggregation needs positive values, so each normalised column is first
  rescaled linearly to [1, 100] (COINr's usual practice). A consequence worth knowing: the
  linear normalisations (min-max, z-score, target) then give the same geometric score.
- ``topsis`` works on the *raw* indicators with its own vector normalisation (Hwang & Yoon
  1981), so the normalisation choice does not change TOPSIS scores.
- ``entropy`` and ``critic`` weights are computed on the min-max normalised matrix, ``pca``
  weights on the z-scores (the correlation matrix).
- Ranks: 1 = best (highest score); ties are broken by row order.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"county": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "y": [3.0, 5.0, 6.0]})
>>> composite_index(frame, ["x", "y"], id_columns=["county"]).table["rank"].tolist()
[3, 2, 1]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from .disparity import indicator_columns
from .numeric import resolve_random_state
from .results import ResultDisplay

__all__ = [
    "NORMALISATIONS", "WEIGHTINGS", "AGGREGATIONS", "benefit_mask", "normalise",
    "entropy_weights", "critic_weights", "pca_weights", "compute_weights", "aggregate", "topsis",
    "rank_scores", "composite_index", "CompositeResult", "uncertainty_analysis",
    "UncertaintyResult", "first_order_indices",
]

NORMALISATIONS = ("minmax", "zscore", "rank", "target")
WEIGHTINGS = ("equal", "user", "entropy", "critic", "pca")
AGGREGATIONS = ("arithmetic", "geometric", "topsis")


# ------------------------------------------------------------------------------ validation
def _as_matrix(matrix, name: str = "matrix") -> np.ndarray:
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2:
        raise DataError(f"{name} must be two-dimensional (units x indicators)")
    if values.shape[0] < 2 or values.shape[1] < 1:
        raise DataError(f"{name} needs at least 2 units and 1 indicator, got {values.shape}")
    if not np.isfinite(values).all():
        rows, cols = np.nonzero(~np.isfinite(values))
        raise DataError(f"{name} has missing or infinite values (first at row {rows[0]}, "
                         f"column {cols[0]}); impute or drop them first")
    return values


def _choice(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise ParameterError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return value


def benefit_mask(direction, indicators) -> np.ndarray:
    """Boolean array, True where more is better.

    ``direction`` is None (all benefit), one string ``"benefit"``/``"cost"`` for all, a
    mapping indicator -> string (missing ones are benefit), or a sequence of strings/bools.

    Parameters
    ----------
    direction : None, str, mapping or sequence
        ``benefit``/``cost`` for all, per indicator, or one per indicator.
    indicators : sequence of str
        The indicator names, in column order.

    Examples
    --------
    >>> benefit_mask({"b": "cost"}, ["a", "b"]).tolist()
    [True, False]
    """
    indicators = list(indicators)
    if direction is None:
        return np.ones(len(indicators), dtype=bool)
    if isinstance(direction, str):
        direction = [direction] * len(indicators)
    elif isinstance(direction, dict):
        unknown = set(direction) - set(indicators)
        if unknown:
            raise ParameterError(f"direction names unknown indicator(s): {', '.join(sorted(unknown))}")
        direction = [direction.get(name, "benefit") for name in indicators]
    direction = list(direction)
    if len(direction) != len(indicators):
        raise ParameterError(f"direction has {len(direction)} entries for {len(indicators)} indicators")
    mask = []
    for item in direction:
        if isinstance(item, (bool, np.bool_)):
            mask.append(bool(item))
        elif item in ("benefit", "cost"):
            mask.append(item == "benefit")
        else:
            raise ParameterError(f"direction must be 'benefit' or 'cost', not {item!r}")
    return np.array(mask, dtype=bool)


# ------------------------------------------------------------------------------ normalise
def normalise(matrix, method: str = "minmax", benefit=None, targets=None) -> np.ndarray:
    """Normalise each column so that higher is better and indicators are comparable.

    Parameters
    ----------
    matrix : array-like, units x indicators
    method : {"minmax", "zscore", "rank", "target"}
    benefit : array-like of bool, optional
        Per column; default all True. Cost columns are reversed.
    targets : array-like, optional
        Per column, required for ``target`` (e.g. the quality-2017 thresholds).

    Examples
    --------
    >>> normalise([[1, 10], [2, 20], [3, 30]], "minmax", benefit=[True, False]).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    """
    x = _as_matrix(matrix)
    _choice(method, NORMALISATIONS, "normalisation")
    benefit = np.ones(x.shape[1], dtype=bool) if benefit is None else np.asarray(benefit, bool)
    if benefit.shape != (x.shape[1],):
        raise ParameterError(f"benefit needs one flag per column ({x.shape[1]})")
    if method == "target":
        if targets is None:
            raise ParameterError("normalisation 'target' needs targets (one per indicator)")
        target = np.asarray(targets, dtype=float).ravel()
        if target.shape != (x.shape[1],) or not (target > 0).all():
            raise ParameterError("targets must be one positive number per indicator")
        if (x < 0).any() or ((~benefit) & (x == 0).any(axis=0)).any():
            raise DataError("distance to target needs non-negative values (and no zero "
                             "in a cost indicator)")
        with np.errstate(divide="ignore"):
            return np.where(benefit, x / target, target / x)
    if method == "rank":
        from scipy.stats import rankdata  # here: importing scipy.stats costs a second

        oriented = np.where(benefit, x, -x)
        return rankdata(oriented, method="average", axis=0) / x.shape[0]
    spread = x.max(axis=0) - x.min(axis=0)
    if (spread == 0).any():
        constant = np.flatnonzero(spread == 0).tolist()
        raise DataError(f"column(s) {constant} are constant: they cannot be normalised and "
                         "carry no information for a ranking; drop them")
    if method == "minmax":
        scaled = (x - x.min(axis=0)) / spread
        return np.where(benefit, scaled, 1 - scaled)
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    return np.where(benefit, z, -z)


def _to_positive_scale(normalised: np.ndarray) -> np.ndarray:
    """Rescale each column linearly to [1, 100] (for geometric aggregation)."""
    low, high = normalised.min(axis=0), normalised.max(axis=0)
    spread = np.where(high > low, high - low, 1.0)
    return 1 + 99 * (normalised - low) / spread


# ------------------------------------------------------------------------------ weights
def _check_weights(weights, n_columns: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n_columns,):
        raise ParameterError(f"weights need one value per indicator ({n_columns}), got {w.size}")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise ParameterError("weights must be finite, non-negative and not all zero")
    return w / w.sum()


def entropy_weights(matrix) -> np.ndarray:
    """Entropy weights: indicators that vary more across units weigh more.

    With ``p_ij = x_ij / Σ_i x_ij``, ``e_j = −Σ_i p_ij ln p_ij / ln n`` (0·ln 0 = 0) and
    ``d_j = 1 − e_j``, the weights are ``d_j / Σ d``. The matrix must be non-negative
    (normalise first, e.g. min-max).

    Parameters
    ----------
    matrix : array_like
        Units x indicators, already normalised where the method says so (no missing values).

    Examples
    --------
    >>> entropy_weights([[1, 1], [1, 3]]).round(6).tolist()   # the first column is uniform
    [0.0, 1.0]
    """
    x = _as_matrix(matrix)
    if (x < 0).any():
        raise DataError("entropy weights need a non-negative matrix; min-max normalise first")
    totals = x.sum(axis=0)
    if (totals <= 0).any():
        raise DataError(f"column(s) {np.flatnonzero(totals <= 0).tolist()} sum to zero")
    p = x / totals
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    entropy = -plogp.sum(axis=0) / np.log(x.shape[0])
    divergence = np.clip(1 - entropy, 0.0, None)
    if divergence.sum() <= 0:
        raise DataError("every column is uniform across units: entropy weights undefined")
    return divergence / divergence.sum()


def critic_weights(matrix) -> np.ndarray:
    """CRITIC weights (Diakoulaki et al. 1995): ``C_j = σ_j Σ_k (1 − r_jk)``, normalised.

    ``σ_j`` is the standard deviation (``ddof=1``) of column j and ``r`` the Pearson
    correlation matrix; use a min-max normalised matrix so that the σ are comparable.

    Parameters
    ----------
    matrix : array_like
        Units x indicators, already normalised where the method says so (no missing values).

    Examples
    --------
    >>> critic_weights([[0, 0, 1], [0.5, 1, 0], [1, 0.5, 0.5]]).round(3).tolist()
    [0.25, 0.312, 0.438]
    """
    x = _as_matrix(matrix)
    if x.shape[0] < 3:
        raise DataError("CRITIC weights need at least 3 units")
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise DataError(f"column(s) {np.flatnonzero(sd == 0).tolist()} are constant")
    conflict = (1 - np.corrcoef(x, rowvar=False).reshape(x.shape[1], x.shape[1])).sum(axis=0)
    information = sd * conflict
    if information.sum() <= 0:
        raise DataError("CRITIC information is zero for every column")
    return information / information.sum()


def pca_weights(matrix) -> np.ndarray:
    """PCA-based weights (a simplified OECD/JRC handbook procedure, without rotation).

    On the correlation matrix of the indicators, keep the components with eigenvalue > 1
    (Kaiser; at least the first). Indicator j's weight is ``Σ_k λ_k v_jk²`` over the kept
    components (``v_k`` the unit eigenvector): its squared loadings, scaled to unity within
    each component, weighted by the variance the component explains; then normalised to 1.

    Parameters
    ----------
    matrix : array_like
        Units x indicators, already normalised where the method says so (no missing values).

    Examples
    --------
    >>> w = pca_weights([[1, 2, 0], [2, 4, 1], [3, 5, 0], [4, 9, 1]])
    >>> round(float(w.sum()), 12)
    1.0
    """
    x = _as_matrix(matrix)
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise DataError(f"column(s) {np.flatnonzero(sd == 0).tolist()} are constant")
    if x.shape[1] == 1:
        return np.ones(1)
    correlation = np.corrcoef(x, rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    keep = eigenvalues > 1
    keep[0] = True
    raw = (eigenvectors[:, keep] ** 2) @ eigenvalues[keep]
    return raw / raw.sum()


def compute_weights(method: str, normalised_minmax, raw=None, user_weights=None) -> np.ndarray:
    """Weights by ``method`` ("equal", "user", "entropy", "critic", "pca"); sums to 1.

    Parameters
    ----------
    method : str
        ``equal``, ``user``, ``entropy``, ``critic`` or ``pca``.
    normalised_minmax : array_like
        The min-max normalised matrix (units x indicators).
    raw : array_like, optional
        The raw matrix (CRITIC and PCA use it when given).
    user_weights : array_like, optional
        The weights of ``method="user"``.

    Examples
    --------
    >>> compute_weights("equal", [[0, 1], [1, 0]]).tolist()
    [0.5, 0.5]
    """
    _choice(method, WEIGHTINGS, "weighting")
    matrix = _as_matrix(normalised_minmax)
    n_columns = matrix.shape[1]
    if method == "equal":
        return np.full(n_columns, 1 / n_columns)
    if method == "user":
        if user_weights is None:
            raise ParameterError("weighting 'user' needs weights (one per indicator)")
        return _check_weights(user_weights, n_columns)
    if method == "entropy":
        return entropy_weights(matrix)
    if method == "critic":
        return critic_weights(matrix)
    return pca_weights(matrix if raw is None else raw)


# ------------------------------------------------------------------------------ aggregate
def topsis(matrix, weights, benefit=None) -> np.ndarray:
    """TOPSIS closeness scores (Hwang & Yoon 1981), in [0, 1], higher = better.

    Vector normalisation ``r_ij = x_ij / sqrt(Σ_i x_ij²)``, weighted ``v = r·w``; the ideal
    takes the best value of each column (max for benefit, min for cost), the anti-ideal the
    worst; closeness ``C_i = d⁻_i / (d⁺_i + d⁻_i)`` with Euclidean distances.

    Parameters
    ----------
    matrix : array-like, units x criteria (non-negative raw values)
    weights : array-like, one per criterion (rescaled to sum to 1)
    benefit : array-like of bool, optional; default all True

    Examples
    --------
    >>> topsis([[17, 12], [10, 9], [8, 6]], [0.714, 0.286]).round(3).tolist()
    [1.0, 0.262, 0.0]
    """
    x = _as_matrix(matrix)
    w = _check_weights(weights, x.shape[1])
    benefit = np.ones(x.shape[1], bool) if benefit is None else np.asarray(benefit, bool)
    if benefit.shape != (x.shape[1],):
        raise DataError(f"benefit needs one flag per column ({x.shape[1]})")
    distance_to_best, distance_to_worst = _topsis_squared_gaps(x, benefit)
    d_best = np.sqrt(distance_to_best @ w**2)
    d_worst = np.sqrt(distance_to_worst @ w**2)
    return _closeness(d_best, d_worst)


def _topsis_squared_gaps(x: np.ndarray, benefit: np.ndarray):
    """Squared gaps of each unit to the best and the worst values (TOPSIS).

    Per unit and criterion, the squared gaps of the vector-normalised values to the best
    and the worst; weighted distances are then ``gaps @ w²`` (weights are non-negative, so
    weighting does not change which unit is best).
    """
    if (x < 0).any():
        raise DataError("TOPSIS needs non-negative values")
    norms = np.sqrt((x**2).sum(axis=0))
    if (norms == 0).any():
        raise DataError(f"column(s) {np.flatnonzero(norms == 0).tolist()} are all zero")
    r = x / norms
    best = np.where(benefit, r.max(axis=0), r.min(axis=0))
    worst = np.where(benefit, r.min(axis=0), r.max(axis=0))
    return (r - best) ** 2, (r - worst) ** 2


def _closeness(d_best, d_worst):
    total = d_best + d_worst
    # Every unit identical: all are as close to the ideal as they can be.
    return np.where(total > 0, d_worst / np.where(total > 0, total, 1.0), 1.0)


def aggregate(normalised, weights, method: str = "arithmetic") -> np.ndarray:
    """Weighted ``arithmetic`` mean or ``geometric`` mean (columns rescaled to [1, 100]).

    For TOPSIS use :func:`topsis` on the raw matrix.

    Parameters
    ----------
    normalised : array_like
        Units x indicators, higher is better.
    weights : array_like
        One weight per indicator (sums to 1).
    method : {"arithmetic", "geometric"}
        How the weighted indicators combine.

    Examples
    --------
    >>> aggregate([[0.0, 1.0], [1.0, 1.0]], [0.5, 0.5]).tolist()
    [0.5, 1.0]
    """
    x = _as_matrix(normalised)
    w = _check_weights(weights, x.shape[1])
    _choice(method, ("arithmetic", "geometric"), "aggregation for aggregate()")
    if method == "arithmetic":
        return x @ w
    return np.exp(np.log(_to_positive_scale(x)) @ w)


def rank_scores(scores, axis: int = 0) -> np.ndarray:
    """Ranks (1 = highest score) along ``axis``; ties broken by position.

    Parameters
    ----------
    scores : array_like
        Scores (higher is better).
    axis : int, default 0
        The axis along which units are ranked.

    Examples
    --------
    >>> rank_scores([0.2, 0.9, 0.5]).tolist()
    [3, 1, 2]
    """
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(-scores, axis=axis, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[axis] + 1).reshape(
        [-1 if a == axis else 1 for a in range(scores.ndim)]), axis=axis)
    return ranks


# ------------------------------------------------------------------------------ pipeline
@dataclass(frozen=True, repr=False)
class CompositeResult(ResultDisplay):
    """A composite index: its ranking, weights and normalised indicators.

    ``table``: id columns + ``score`` + ``rank``; ``weights``: per indicator;
    ``normalised``: the normalised indicators (higher = better).

    Parameters
    ----------
    table : DataFrame
        Id columns, ``score`` and ``rank``.
    weights : Series
        The weight of each indicator.
    normalised : DataFrame
        The normalised indicators (higher is better).

    """

    table: pd.DataFrame
    weights: pd.Series
    normalised: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ranking table (id columns, ``score``, ``rank``)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """The ranking, best first: id columns, ``score`` and ``rank``.

        Returns
        -------
        DataFrame
            :attr:`table` sorted by ``rank``, with a fresh index.
        """
        return self.table.sort_values("rank", kind="stable").reset_index(drop=True)


def _indicator_matrix(frame: pd.DataFrame, indicators) -> np.ndarray:
    indicators = indicator_columns(frame, indicators)
    values = frame[indicators].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        counts = dict(zip(indicators, bad.sum(axis=0).tolist(), strict=True))
        raise DataError(f"indicators have missing or non-numeric values: "
                         f"{ {k: v for k, v in counts.items() if v} }")
    return values


def composite_index(frame: pd.DataFrame, indicators, direction=None, *,
                    normalisation: str = "minmax", weighting: str = "equal",
                    aggregation: str = "arithmetic", weights=None, targets=None,
                    id_columns=None) -> CompositeResult:
    """Build a composite index: normalise -> weight -> aggregate -> rank.

    Parameters
    ----------
    frame : DataFrame, one row per unit (county)
    indicators : list of column names
    direction : None, str, dict or list
        ``benefit`` (more is better, default) or ``cost`` per indicator.
    normalisation, weighting, aggregation : str
        See the module docstring.
    weights : mapping or array, optional
        For ``weighting="user"`` (mapping indicator -> weight or one per indicator).
    targets : mapping or array, optional
        For ``normalisation="target"``.
    id_columns : list of str, optional
        Columns copied into the result table.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "cost": [3.0, 2.0, 1.0]})
    >>> composite_index(frame, ["x", "cost"], {"cost": "cost"}).table["rank"].tolist()
    [3, 2, 1]
    """
    indicators = list(indicators)
    _choice(normalisation, NORMALISATIONS, "normalisation")
    _choice(weighting, WEIGHTINGS, "weighting")
    _choice(aggregation, AGGREGATIONS, "aggregation")
    raw = _indicator_matrix(frame, indicators)
    benefit = benefit_mask(direction, indicators)
    user = _per_indicator(weights, indicators, "weights")
    target = _per_indicator(targets, indicators, "targets")
    normalised = normalise(raw, normalisation, benefit, target)
    w = compute_weights(weighting, normalise(raw, "minmax", benefit), raw, user)
    if aggregation == "topsis":
        score = topsis(raw, w, benefit)
    else:
        score = aggregate(normalised, w, aggregation)
    table = (frame[list(id_columns)].copy() if id_columns else pd.DataFrame(index=frame.index))
    table["score"] = score
    table["rank"] = rank_scores(score)
    return CompositeResult(table, pd.Series(w, index=indicators, name="weight"),
                           pd.DataFrame(normalised, index=frame.index, columns=indicators))


def _per_indicator(values, indicators, what):
    if values is None:
        return None
    if isinstance(values, dict):
        missing = [name for name in indicators if name not in values]
        if missing:
            raise ParameterError(f"{what} missing for: {', '.join(missing)}")
        return np.array([values[name] for name in indicators], dtype=float)
    return np.asarray(values, dtype=float)


# ------------------------------------------------------------------------------ uncertainty
@dataclass(frozen=True, repr=False)
class UncertaintyResult(ResultDisplay):
    """Monte-Carlo results.

    ``ranks``: one row per unit with ``nominal_rank, median_rank, rank_p05, rank_p95,
    mean_rank`` (plus id columns); ``sensitivity``: one row per factor with
    ``first_order`` (mean over units) and ``first_order_pooled``; ``draws``: the choices
    and weights of every draw; ``rank_matrix``: units x draws.

    Parameters
    ----------
    ranks : DataFrame
        One row per unit (nominal, median, 5 % and 95 % ranks, mean rank).
    sensitivity : DataFrame
        One row per factor (first-order indices).
    draws : DataFrame
        The choices and weights of every draw.
    rank_matrix : ndarray
        Units x draws.
    """

    ranks: pd.DataFrame
    sensitivity: pd.DataFrame
    draws: pd.DataFrame

    rank_matrix: np.ndarray = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The rank table (one row per unit)."""
        return self.ranks.copy()

    def summary(self) -> pd.DataFrame:
        """The units by median rank with their 90 % rank interval (a table to read).

        Returns
        -------
        DataFrame
            :attr:`ranks` sorted by ``median_rank`` (then ``nominal_rank``), fresh index.
        """
        order = [c for c in ("median_rank", "nominal_rank") if c in self.ranks]
        return self.ranks.sort_values(order, kind="stable").reset_index(drop=True)


def first_order_indices(rank_matrix, factor_codes, n_levels: int | None = None):
    """First-order sensitivity of each unit's rank to one discrete factor.

    ``S_i = Var_c(E[rank_i | factor = c]) / Var(rank_i)`` (population variances over the
    draws, each level weighted by its share of draws), computed for all units at once with
    matrix products. Returns ``(per_unit, mean_over_units, pooled)``: per-unit indices (NaN
    where a unit's rank never varies), their plain mean over units whose rank varies, and the
    pooled ratio ``Σ_i Var_c(E[rank_i|c]) / Σ_i Var(rank_i)`` (dominated by volatile units).

    Parameters
    ----------
    rank_matrix : array_like
        Units x draws.
    factor_codes : array_like of int
        The level of the factor in each draw (0 .. n_levels - 1).
    n_levels : int, optional
        The number of levels (default: the largest code + 1).

    Examples
    --------
    >>> ranks = np.array([[1, 2, 1, 2], [2, 1, 2, 1]])
    >>> first_order_indices(ranks, np.array([0, 1, 0, 1]))[1]   # the factor explains all
    1.0
    """
    ranks = np.asarray(rank_matrix, dtype=float)
    return _first_order(ranks, ranks.mean(axis=1), ranks.var(axis=1),
                        np.asarray(factor_codes, dtype=int), n_levels)


def _first_order(ranks, overall, total, codes, n_levels):
    """:func:`first_order_indices` with the per-unit mean and variance computed once."""
    n_levels = int(codes.max()) + 1 if n_levels is None else n_levels
    one_hot = np.zeros((codes.size, n_levels))
    one_hot[np.arange(codes.size), codes] = 1.0
    counts = one_hot.sum(axis=0)
    used = counts > 0
    share = counts[used] / codes.size
    conditional_mean = (ranks @ one_hot[:, used]) / counts[used]
    explained = ((conditional_mean - overall[:, None]) ** 2) @ share
    varies = total > 0
    per_unit = np.full(ranks.shape[0], np.nan)
    per_unit[varies] = explained[varies] / total[varies]
    mean_index = float(per_unit[varies].mean()) if varies.any() else 0.0
    pooled = float(explained.sum() / total.sum()) if total.sum() > 0 else 0.0
    return per_unit, mean_index, pooled


def uncertainty_analysis(frame: pd.DataFrame, indicators, direction=None, *,
                         n_draws: int = 1000, random_state: int | None = None,
                         normalisations=("minmax", "zscore", "rank"),
                         weightings=("equal", "entropy", "critic", "pca"),
                         aggregations=("arithmetic", "geometric", "topsis"),
                         weight_noise: float = 0.25, weights=None, targets=None,
                         nominal: dict | None = None, id_columns=None,
                         weight_bins: int = 10, seed: int | None = None) -> UncertaintyResult:
    """Monte-Carlo uncertainty and sensitivity analysis of the composite ranks.

    Each draw picks, uniformly at random, a normalisation, a weighting and an aggregation from
    the given lists, and multiplies the weighting's weights by independent factors
    ``U(1 − weight_noise, 1 + weight_noise)`` (then rescales them to sum to 1). Vectorised:
    normalised matrices and base weights are computed once per method, the draws' weights form
    one matrix, scores are matrix products, ranks come from ``argsort`` along the unit axis.

    Sensitivity (``sensitivity`` table): the first-order index of the rank to each factor,
    ``Var(E[rank | factor]) / Var(rank)``, per unit and then averaged over units whose rank
    varies (see :func:`first_order_indices`); for the continuous weight factors of each
    indicator (``weight:<indicator>``) the draws are grouped into ``weight_bins`` equal-count
    bins (a bin estimator, biased upwards by about ``(bins − 1) / n_draws``).

    Parameters
    ----------
    frame, indicators, direction, weights, targets, id_columns
        As in :func:`composite_index`.
    n_draws : int
        At least 1 (1,000 or more for published intervals).
    random_state : int, optional
        Seed of ``numpy.random.default_rng``; the same seed gives the same result (default
        :data:`edubalance.core.numeric.DEFAULT_RANDOM_STATE`). ``seed`` is its former name.
    normalisations, weightings, aggregations : sequences of str
        The alternatives drawn from (``target`` needs ``targets``; ``user`` needs ``weights``).
    weight_noise : float in [0, 1)
        Each draw multiplies the weights by factors ``U(1 - weight_noise, 1 + weight_noise)``.
    weights, targets : optional
        User weights (for the ``user`` weighting) and per-indicator targets (for the
        ``target`` normalisation).
    nominal : dict, optional
        ``normalisation``, ``weighting``, ``aggregation`` of the reference index whose ranks
        are reported as ``nominal_rank`` (default: the first entry of each list).
    id_columns : list of str, optional
        Columns of ``frame`` naming the units (kept in ``ranks``).
    weight_bins : int, default 10
        Equal-count bins of each continuous weight factor for its sensitivity index.
    seed : int, optional
        Former name of ``random_state`` (deprecated).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 1.0, 4.0, 3.0]})
    >>> result = uncertainty_analysis(frame, ["x", "y"], n_draws=50, random_state=1)
    >>> result.ranks["median_rank"].tolist()[2:]
    [1.0, 2.0]
    """
    indicators = list(indicators)
    seed = resolve_random_state(random_state, seed, where="uncertainty_analysis")
    if int(n_draws) != n_draws or n_draws < 1:
        raise ParameterError(f"n_draws must be a positive integer, not {n_draws}")
    if not 0 <= weight_noise < 1:
        raise ParameterError(f"weight_noise must lie in [0, 1), not {weight_noise}")
    normalisations = [_choice(m, NORMALISATIONS, "normalisation") for m in normalisations]
    weightings = [_choice(m, WEIGHTINGS, "weighting") for m in weightings]
    aggregations = [_choice(m, AGGREGATIONS, "aggregation") for m in aggregations]
    if not (normalisations and weightings and aggregations):
        raise ParameterError("each of normalisations, weightings and aggregations needs a choice")
    raw = _indicator_matrix(frame, indicators)
    benefit = benefit_mask(direction, indicators)
    user = _per_indicator(weights, indicators, "weights")
    target = _per_indicator(targets, indicators, "targets")
    draws = _simulate(raw, benefit, int(n_draws), seed, normalisations, weightings,
                      aggregations, weight_noise, user, target)
    rank_matrix, norm_code, weight_code, agg_code, noise, draw_weights = draws

    nominal = dict(nominal or {})
    reference = composite_index(
        frame, indicators, direction, normalisation=nominal.get("normalisation",
                                                                normalisations[0]),
        weighting=nominal.get("weighting", weightings[0]),
        aggregation=nominal.get("aggregation", aggregations[0]), weights=weights,
        targets=targets)
    quantiles = np.percentile(rank_matrix, [5, 50, 95], axis=1)
    table = (frame[list(id_columns)].reset_index(drop=True).copy() if id_columns
             else pd.DataFrame(index=range(raw.shape[0])))
    table["nominal_rank"] = reference.table["rank"].to_numpy()
    table["median_rank"] = quantiles[1]
    table["rank_p05"] = quantiles[0]
    table["rank_p95"] = quantiles[2]
    table["mean_rank"] = rank_matrix.mean(axis=1)

    factors = [("normalisation", norm_code, len(normalisations)),
               ("weighting", weight_code, len(weightings)),
               ("aggregation", agg_code, len(aggregations))]
    bins = max(1, min(int(weight_bins), n_draws))
    for j, name in enumerate(indicators):
        order = np.argsort(noise[:, j], kind="stable")
        codes = np.empty(n_draws, dtype=int)
        codes[order] = np.arange(n_draws) * bins // n_draws
        factors.append((f"weight:{name}", codes, bins))
    rows = []
    ranks_float = rank_matrix.astype(float)
    overall, total = ranks_float.mean(axis=1), ranks_float.var(axis=1)
    for name, codes, levels in factors:
        _, mean_index, pooled = _first_order(ranks_float, overall, total, codes, levels)
        rows.append({"factor": name, "n_levels": levels, "first_order": mean_index,
                     "first_order_pooled": pooled})
    sensitivity = pd.DataFrame(rows)

    draws = pd.DataFrame({
        "normalisation": np.array(normalisations, dtype=object)[norm_code],
        "weighting": np.array(weightings, dtype=object)[weight_code],
        "aggregation": np.array(aggregations, dtype=object)[agg_code],
    })
    for j, name in enumerate(indicators):
        draws[f"weight:{name}"] = draw_weights[:, j]
    return UncertaintyResult(table, sensitivity, draws, rank_matrix)


def _simulate(raw, benefit, n_draws, seed, normalisations, weightings, aggregations,
              weight_noise, user=None, target=None):
    """Draw choices and weights; return the units x draws rank matrix and the draws."""
    rng = np.random.default_rng(seed)

    # Everything that does not depend on the draw is computed once per method.
    minmax = normalise(raw, "minmax", benefit)
    normalised = {m: normalise(raw, m, benefit, target) for m in normalisations}
    log_positive = {m: np.log(_to_positive_scale(normalised[m])) for m in normalisations}
    base_weights = np.array([compute_weights(m, minmax, raw, user) for m in weightings])
    gaps = _topsis_squared_gaps(raw, benefit) if "topsis" in aggregations else None

    norm_code = rng.integers(len(normalisations), size=n_draws)
    weight_code = rng.integers(len(weightings), size=n_draws)
    agg_code = rng.integers(len(aggregations), size=n_draws)
    noise = rng.uniform(1 - weight_noise, 1 + weight_noise, size=(n_draws, raw.shape[1]))
    draw_weights = base_weights[weight_code] * noise
    draw_weights /= draw_weights.sum(axis=1, keepdims=True)

    scores = np.empty((raw.shape[0], n_draws))
    for a, aggregation in enumerate(aggregations):
        if aggregation == "topsis":
            # TOPSIS uses the raw matrix: one product for all its draws.
            chosen = agg_code == a
            w2 = (draw_weights[chosen] ** 2).T
            scores[:, chosen] = _closeness(np.sqrt(gaps[0] @ w2), np.sqrt(gaps[1] @ w2))
            continue
        for k, method in enumerate(normalisations):
            chosen = (agg_code == a) & (norm_code == k)
            matrix = normalised[method] if aggregation == "arithmetic" else log_positive[method]
            # Geometric scores stay on the log scale: exp() would not change any rank.
            scores[:, chosen] = matrix @ draw_weights[chosen].T
    rank_matrix = rank_scores(scores, axis=0)
    return rank_matrix, norm_code, weight_code, agg_code, noise, draw_weights
