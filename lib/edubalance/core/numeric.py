"""The numeric core shared by the domain modules: the official weighted CV and weighted quantiles.

One formula, one implementation. :mod:`edubalance.core.disparity`, :mod:`edubalance.core.scoring` and
:mod:`edubalance.core.gaps` all compute the official coefficient of variation here (DOMAIN §3)::

    X̄ = Σ Pᵢ Xᵢ / N,   S = sqrt( Σ (Pᵢ / N) (Xᵢ − X̄)² ),   CV = S / X̄

(enrolment-weighted, population form; ``weights=None`` gives every school the same weight).

Rules for bad input, stated once
--------------------------------
- **Negative values** (resources per pupil cannot be negative): :class:`DataError`.
- **Negative weights** (enrolment cannot be negative): :class:`DataError`; never dropped.
- **Infinite values or weights**: :class:`DataError`. A caller that gives ``inf`` a meaning
  (scoring: a ratio over zero computers is undefined) turns it into NaN *before* calling.
- **Missing values (NaN)**: the scalar :func:`weighted_cv` raises :class:`DataError`; the grouped
  :func:`grouped_weighted_cv` skips the row (its pupils do not count), and says how many rows it
  skipped in :attr:`GroupedCV.n_missing`. Missing weights are an error in both.
- **Schools with zero weight** (no pupils) contribute nothing.
- **A zero mean** (all values zero, or no pupils left in a group): the scalar function raises;
  the grouped function gives NaN for that group (``GroupedCV.weight`` says whether any pupils
  were left).

Weighted quantiles are the inverted-CDF quantiles of the pupil-level distribution:
``numpy.quantile(values, q, weights=weights, method="inverted_cdf")`` (NumPy >= 2).

Examples
--------
>>> books = [279, 137, 935, 160, 402]; students = [45, 37, 89, 76, 55]
>>> round(weighted_cv([b / s for b, s in zip(books, students)], students), 3)
0.515
>>> weighted_quantile([1, 2, 3], 0.5, weights=[1, 1, 2])
2.0
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..io.number_text import MISSING, plain_number

__all__ = ["QUANTILE_METHOD", "DEFAULT_RANDOM_STATE", "LIMIT_RTOL", "at_most", "at_least",
           "digits_apart", "format_against_limit", "reason_numbers", "check_values", "weighted_cv",
           "GroupedCV", "grouped_weighted_cv", "weighted_quantile", "resolve_random_state"]

QUANTILE_METHOD = "inverted_cdf"
"""Name (as in ``numpy.quantile``) of the quantile definition on the expanded distribution."""

DEFAULT_RANDOM_STATE = 0
"""The one default seed of every function that takes ``random_state``."""


LIMIT_RTOL = 1e-9
"""Relative tolerance of every comparison with a limit of a standard.

A value equal to its limit up to floating-point error meets it: the CV of teaching areas
1,501 and 4,503 m² for 300 pupils each is exactly 0.5 on paper but 0.5000000000000001 in
binary floating point, and a standard's "<= 0.50" must accept it. 1e-9 is far below any
difference the official figures can express (CVs to 3 decimals, scores to 2)."""


def _close(values, limit) -> np.ndarray:
    values, limit = np.asarray(values, dtype=float), np.asarray(limit, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.abs(values - limit) <= LIMIT_RTOL * np.maximum(np.abs(limit), 1e-300)


def at_most(values, limit) -> np.ndarray:
    """``values <= limit`` with :data:`LIMIT_RTOL` (NaN never meets a limit).

    Parameters
    ----------
    values, limit : array_like
        Broadcast against each other.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> cv = float(np.std([1501 / 300, 4503 / 300]) / np.mean([1501 / 300, 4503 / 300]))
    >>> cv > 0.5, bool(at_most(cv, 0.5)), bool(at_most(0.5001, 0.5))
    (True, True, False)
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return (values <= limit) | _close(values, limit)


def at_least(values, limit) -> np.ndarray:
    """``values >= limit`` with :data:`LIMIT_RTOL` (NaN never meets a limit).

    Parameters
    ----------
    values, limit : array_like
        Broadcast against each other.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> at_least([84.954, 85 - 1e-12, 85.0], 85).tolist()
    [False, True, True]
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return (values >= limit) | _close(values, limit)


def digits_apart(value: float, limit: float, digits: int, *, max_digits: int = 8) -> int:
    """Return the fewest decimals (at least ``digits``) that tell ``value`` from ``limit``.

    When the two differ beyond :data:`LIMIT_RTOL` the value is shown apart from its limit
    (84.954 against 85 is "84.95", never "85.0"); ``digits`` when they are equal or either is
    not finite.

    Parameters
    ----------
    value, limit : float
        The number shown and the limit it is compared with.
    digits : int
        The decimals used when they suffice.
    max_digits : int, default 8
        The most decimals returned.

    Returns
    -------
    int

    Examples
    --------
    >>> digits_apart(84.954, 85, 1), digits_apart(0.4504, 0.45, 2), digits_apart(86.2, 85, 1)
    (2, 4, 1)
    """
    value, limit = float(value), float(limit)
    if not (np.isfinite(value) and np.isfinite(limit)) or bool(_close(value, limit)):
        return digits
    return _digits_apart(value, limit, digits, max_digits)


def _digits_apart(value: float, limit: float, digits: int, max_digits: int = 8) -> int:
    """:func:`digits_apart` of two finite floats that differ beyond :data:`LIMIT_RTOL`."""
    for shown in range(digits, max_digits + 1):
        if round(value, shown) != round(limit, shown):
            # Rounding must not carry the value across the limit either (49.996 -> 50.00).
            if (round(value, shown) > limit) == (value > limit) or round(value, shown) == value:
                return shown
    return max_digits


def format_against_limit(value, limit, digits: int = 2) -> str:
    """Format ``value`` with enough decimals to tell it from ``limit``.

    At least ``digits`` decimals (see :func:`digits_apart`); "—" for a missing value.

    Parameters
    ----------
    value : float or None
        The number to show.
    limit : float or None
        The limit it is compared with (None: plain ``digits`` decimals).
    digits : int, default 2
        The decimals used when they suffice.

    Returns
    -------
    str

    Examples
    --------
    >>> format_against_limit(84.954, 85, 1), format_against_limit(0.5000000000000001, 0.5, 3)
    ('84.95', '0.500')
    >>> format_against_limit(0.45012, 0.45, 2), format_against_limit(float("nan"), 1)
    ('0.4501', '—')
    """
    try:
        value = float(value)
    except (TypeError, ValueError):
        return MISSING
    if not np.isfinite(value):
        return MISSING
    shown = digits_apart(value, float(limit) if limit is not None else np.nan, digits)
    return plain_number(value, shown, grouping=False)


def reason_numbers(values, limits, digits: int) -> np.ndarray:
    """Format each value against its limit, as the reasons a rule failed show numbers.

    :func:`format_against_limit` without trailing zeros (0.6, not 0.600), e.g. in
    ``composite CV 0.6 > 0.55`` or ``83.2 < 95``.

    Parameters
    ----------
    values, limits : array_like
        Broadcast against each other.
    digits : int
        The decimals used when they suffice.

    Returns
    -------
    ndarray of str (object)

    Examples
    --------
    >>> reason_numbers([0.6, 84.954, 80.0], [0.55, 85, 85], 1).tolist()
    ['0.6', '84.95', '80']
    """
    values = np.asarray(values, dtype=float)
    limits = np.broadcast_to(np.asarray(limits, dtype=float), values.shape)
    out = np.full(values.shape, MISSING, dtype=object)
    finite = np.isfinite(values)
    # format_against_limit for every county of a national file: the checks as arrays, and
    # only the search for more decimals (a value apart from a finite limit) and the text
    # itself per value, on plain floats.
    apart = finite & np.isfinite(limits) & ~_close(values, limits)
    digits = int(digits)
    shown = np.full(values.shape, digits, dtype=np.int64)
    where = np.flatnonzero(apart)
    shown.flat[where] = [_digits_apart(v, lim, digits)
                         for v, lim in zip(values.flat[where].tolist(),
                                           limits.flat[where].tolist(), strict=True)]
    where = np.flatnonzero(finite)
    out.flat[where] = [_reason_text(v, d) for v, d in zip(values.flat[where].tolist(),
                                                          shown.flat[where].tolist(),
                                                          strict=True)]
    return out


def _reason_text(value: float, digits: int) -> str:
    """``plain_number(value, digits, grouping=False)`` without trailing zeros."""
    text = plain_number(value, digits, grouping=False)
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_values(values, weights=None, *, allow_negative: bool = False,
                 allow_nan: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Values and weights as float arrays, after the checks stated in the module docstring.

    Parameters
    ----------
    values : array_like
        The values.
    weights : array_like, optional
        One weight per value (default: all 1).
    allow_negative : bool, default False
        Accept negative values.
    allow_nan : bool, default False
        Accept missing values (NaN).

    Raises
    ------
    DataError
        Empty input, lengths that differ, NaN (unless ``allow_nan``; weights never), infinite
        numbers, negative values (unless ``allow_negative``) or weights.

    Examples
    --------
    >>> check_values([1, 2], [3, 4])[1].tolist()
    [3.0, 4.0]
    >>> check_values([-5, -20])
    Traceback (most recent call last):
    ...
    edubalance.errors.DataError: values must be non-negative (resources per pupil cannot be negative); found -20
    """
    x = np.asarray(values, dtype=float)
    x = x.ravel() if x.ndim <= 1 else x
    if weights is None:
        w = np.ones(len(x))
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape[0] != len(x):
            raise DataError(f"values and weights differ in length: {len(x)} vs {w.size}")
    if x.size == 0:
        raise DataError("no values given")
    if np.isnan(w).any():
        raise DataError("weights contain NaN; every school needs its enrolment")
    if not allow_nan and np.isnan(x).any():
        raise DataError("values contain NaN; drop or impute them first")
    if np.isinf(x).any() or np.isinf(w).any():
        raise DataError("values or weights contain infinite numbers")
    if (w < 0).any():
        raise DataError(f"weights must be non-negative (enrolment); found {w[w < 0].min():g}")
    if not allow_negative and (x < 0).any():
        raise DataError("values must be non-negative (resources per pupil cannot be "
                        f"negative); found {np.nanmin(x):g}")
    return x, w


def weighted_cv(values, weights=None) -> float:
    """Official coefficient of variation (enrolment-weighted, population form).

    Parameters
    ----------
    values : array-like
        Indicator value per school (per student or per 100 students), non-negative.
    weights : array-like, optional
        Enrolment per school; ``None`` gives the unweighted population CV.

    Returns
    -------
    float
        0.0 for a single school or all-equal values.

    Raises
    ------
    DataError (a ValueError)
        On NaN, infinite or negative numbers, empty input, no pupils, or a zero mean.

    Examples
    --------
    >>> weighted_cv([1.0, 3.0], [1, 1])
    0.5
    """
    x, w = check_values(values, weights)
    if w.sum() <= 0:
        raise DataError("weights sum to zero (no pupils)")
    result = grouped_weighted_cv(x, np.zeros(x.size, dtype=np.int64), weights=w, n_groups=1)
    if not result.mean[0] > 0:
        raise DataError("mean is zero: the coefficient of variation is undefined")
    return float(result.cv[0])


@dataclass(frozen=True)
class GroupedCV:
    """Result of :func:`grouped_weighted_cv`; arrays have one entry (row) per group.

    ``cv`` and ``mean`` have the shape ``(n_groups,)`` for 1-D values and
    ``(n_groups, n_columns)`` for a matrix; ``weight`` is the pupils counted per group (and
    column), ``n_missing`` the rows skipped for a missing value per group (and column).

    Parameters
    ----------
    cv, mean, weight, n_missing : ndarray
        One entry (row) per group, as described above.
    """

    cv: np.ndarray
    mean: np.ndarray
    weight: np.ndarray
    n_missing: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per group (1-D values only): ``cv, mean, weight, n_missing``."""
        if np.ndim(self.cv) != 1:
            raise ValueError("to_frame() needs 1-D values; take a column first")
        return pd.DataFrame({"cv": self.cv, "mean": self.mean, "weight": self.weight,
                             "n_missing": self.n_missing})


def grouped_weighted_cv(values, codes, *, weights=None, n_groups: int | None = None) -> GroupedCV:
    """Official CV per group, vectorised over groups (and over columns of a matrix).

    Parameters
    ----------
    values : array-like, shape (n,) or (n, m)
        Values per row; NaN rows are skipped (per column) and counted in ``n_missing``.
    codes : array-like of int, shape (n,)
        Group code per row, ``0 .. n_groups - 1``.
    weights : array-like, shape (n,), optional
        Enrolment per row (``None``: every row weighs 1).
    n_groups : int, optional
        Number of groups (default ``max(codes) + 1``); groups without rows get NaN.

    Returns
    -------
    GroupedCV
        A group whose pupils all lack a value, or whose mean is zero, gets ``cv = NaN``.
        A group whose values are all equal gets exactly 0.

    Raises
    ------
    DataError
        Negative or infinite values, negative, infinite or missing weights (see the module
        docstring): never silently dropped.

    Examples
    --------
    >>> x = [279/45, 137/37, 935/89, 160/76, 402/55, 2.0, 2.0]
    >>> n = [45, 37, 89, 76, 55, 10, 30]
    >>> result = grouped_weighted_cv(x, [0, 0, 0, 0, 0, 1, 1], weights=n)
    >>> result.cv.round(3).tolist()
    [0.515, 0.0]
    """
    matrix = np.asarray(values, dtype=float)
    one_dimensional = matrix.ndim == 1
    matrix = matrix.reshape(len(matrix), -1)
    codes = np.asarray(codes, dtype=np.int64).ravel()
    if codes.size != matrix.shape[0]:
        raise DataError(f"values and group codes differ in length: {matrix.shape[0]} vs "
                        f"{codes.size}")
    if matrix.size:
        check_values(matrix, weights, allow_nan=True)
    w = np.ones(codes.size) if weights is None else np.asarray(weights, dtype=float).ravel()
    if n_groups is None:
        n_groups = int(codes.max()) + 1 if codes.size else 0
    m = matrix.shape[1]
    shape = (n_groups, m)
    weight, mean, variance = np.empty(shape), np.empty(shape), np.empty(shape)
    n_missing = np.zeros(shape, dtype=np.int64)
    all_weight = np.bincount(codes, weights=w, minlength=n_groups)
    # Column by column (contiguous columns), two passes each: the weighted mean, then the
    # weighted squared deviations from it (exact 0 for equal values, no cancellation).
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, x in enumerate(np.asfortranarray(matrix).T):
            missing = np.isnan(x)
            if missing.any():
                wx = np.where(missing, 0.0, w)
                x = np.where(missing, 0.0, x)
                weight[:, j] = np.bincount(codes, weights=wx, minlength=n_groups)
                n_missing[:, j] = np.bincount(codes, weights=missing, minlength=n_groups)
            else:
                wx = w
                weight[:, j] = all_weight
            mean[:, j] = np.bincount(codes, weights=wx * x, minlength=n_groups) / weight[:, j]
            deviation = x - mean[codes, j]
            variance[:, j] = np.bincount(codes, weights=wx * deviation * deviation,
                                         minlength=n_groups) / weight[:, j]
        cv = np.sqrt(variance) / np.where(mean > 0, mean, np.nan)
    cv = np.where(variance == 0, np.where(mean > 0, 0.0, np.nan), cv)
    if one_dimensional:
        cv, mean, weight, n_missing = cv[:, 0], mean[:, 0], weight[:, 0], n_missing[:, 0]
    return GroupedCV(cv=cv, mean=mean, weight=weight, n_missing=n_missing)


def weighted_quantile(values, q, *, weights=None) -> float:
    """Quantile of the enrolment-expanded distribution (inverted CDF, no interpolation).

    ``Q(q)`` is the smallest school value ``x`` such that at least a share ``q`` of pupils
    attend schools with a value ``<= x``: ``numpy.quantile(values, q, weights=weights,
    method="inverted_cdf")``; for integer weights the same as on records repeated by weight.
    Schools with zero weight do not count. Values may be negative here (a quantile is defined
    for any numbers).

    Parameters
    ----------
    values : array_like
        One value per school.
    q : float
        The share of pupils, 0 to 1.
    weights : array_like, optional
        Pupils per school (default: every school the same).

    Examples
    --------
    >>> weighted_quantile([1, 2, 3, 4], 0.5, weights=[2, 0, 1, 1])
    1.0
    """
    if not 0 <= q <= 1:
        raise DataError(f"q must lie in [0, 1], not {q}")
    x, w = check_values(values, weights, allow_negative=True)
    keep = w > 0
    if not keep.any():
        raise DataError("weights sum to zero (no pupils)")
    return float(np.quantile(x[keep], q, weights=w[keep], method=QUANTILE_METHOD))


def resolve_random_state(random_state, seed=None, *, where: str = "") -> int:
    """The seed to use: ``random_state``, or the former keyword ``seed`` (deprecated).

    Parameters
    ----------
    random_state : int or None
        The seed asked for (None: :data:`DEFAULT_RANDOM_STATE`).
    seed : int, optional
        The former keyword (deprecated; a DeprecationWarning).
    where : str
        The caller, named in the warning.

    Examples
    --------
    >>> resolve_random_state(None)
    0
    >>> resolve_random_state(5)
    5
    """
    if seed is not None:
        warnings.warn(f"{where or 'this function'}: `seed` is renamed `random_state`",
                      DeprecationWarning, stacklevel=3)
        if random_state is not None and random_state != seed:
            raise ValueError("give random_state or seed, not both")
        random_state = seed
    return DEFAULT_RANDOM_STATE if random_state is None else int(random_state)
