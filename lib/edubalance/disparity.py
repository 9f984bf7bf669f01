"""Disparity (inequality) measures for school resources.

All measures accept enrolment weights: a school with 800 students counts as 800 pupils,
so a weighted result equals the result on unit records expanded by weight.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def _as_arrays(values, weights):
    x = np.asarray(values, dtype=float).ravel()
    if weights is None:
        w = np.ones_like(x)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape != x.shape:
            raise ValueError(f"values and weights differ in length: {x.size} vs {w.size}")
    if x.size == 0:
        raise ValueError("no values given")
    if np.isnan(x).any() or np.isnan(w).any():
        raise ValueError("values or weights contain NaN; drop or impute them first")
    if (w < 0).any():
        raise ValueError("weights must be non-negative")
    if w.sum() <= 0:
        raise ValueError("weights sum to zero")
    return x, w


def weighted_cv(values, weights=None) -> float:
    """Official coefficient of variation (enrolment-weighted, population form).

    ``X̄ = Σ Pᵢ Xᵢ / N``, ``S = sqrt(Σ (Pᵢ/N)(Xᵢ − X̄)²)``, ``CV = S / X̄`` (DOMAIN §3).
    With ``weights=None`` every school weighs the same (unweighted population CV).

    Parameters
    ----------
    values : array-like
        Indicator value per school (per student or per 100 students).
    weights : array-like, optional
        Enrolment per school.

    Returns
    -------
    float
        0.0 for a single school or all-equal values.

    Raises
    ------
    ValueError
        On NaN, negative weights, empty input or a zero mean (the CV is undefined).

    Examples
    --------
    >>> books = [279, 137, 935, 160, 402]; students = [45, 37, 89, 76, 55]
    >>> round(weighted_cv([b / s for b, s in zip(books, students)], students), 3)
    0.515
    """
    x, w = _as_arrays(values, weights)
    share = w / w.sum()
    mean = float(np.sum(share * x))
    if mean == 0:
        raise ValueError("mean is zero: the coefficient of variation is undefined")
    sd = float(np.sqrt(np.sum(share * (x - mean) ** 2)))
    return sd / mean


def grouped_weighted_cv(frame: pd.DataFrame, value: str, weight: str | None, by) -> pd.Series:
    """Official CV of ``value`` within each group of ``by``, vectorised over groups.

    Rows with NaN value or zero weight are ignored; a group whose weighted mean is zero gets NaN.

    Examples
    --------
    >>> df = pd.DataFrame({"county": ["a"] * 5, "x": [279/45, 137/37, 935/89, 160/76, 402/55],
    ...                    "n": [45, 37, 89, 76, 55]})
    >>> round(grouped_weighted_cv(df, "x", "n", "county").loc["a"], 3)
    0.515
    """
    x = frame[value].astype(float)
    w = frame[weight].astype(float) if weight is not None else pd.Series(1.0, index=frame.index)
    keep = x.notna() & (w > 0)
    x, w = x[keep], w[keep]
    keys = [frame.loc[keep, b] for b in ([by] if isinstance(by, str) else list(by))]
    tmp = pd.DataFrame({"w": w, "wx": w * x, "wxx": w * x * x})
    sums = tmp.groupby(keys, sort=True, observed=True).sum()
    mean = sums["wx"] / sums["w"]
    # E[x²] − mean² can go slightly negative from rounding; clip before the square root.
    variance = (sums["wxx"] / sums["w"] - mean**2).clip(lower=0)
    cv = np.sqrt(variance) / mean.where(mean != 0)
    return cv.rename("cv")
