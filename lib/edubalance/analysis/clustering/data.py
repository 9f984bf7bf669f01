"""Clustering input: one row per unit, feature choice, missing values, standardisation.

The first steps of :mod:`edubalance.analysis.clustering.models` (which re-exports every name here)::

    load_unit_table / filter_year / check_unique_ids     read one row per unit
    select_features / prepare_features              choose features, log-transform, impute
                                                    or drop missing values, standardise

Standardisation uses ``ddof=1`` so that z-scores equal R's ``scale()``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..._compat import moved_names as _moved_names
from ...errors import DataError, ParameterError

__all__ = ["SAMPLE_RESOURCE_FEATURES", "FEATURE_LABELS", "MISSING_POLICIES", "PreparedFeatures",
           "load_unit_table", "filter_year", "check_unique_ids", "check_k_range", "validate_k_range",
           "select_features", "skewed_features", "standardize", "prepare_features"]

# Renamed (issue 28): eb.data.load_table, a contract name, reads the official forms.
__getattr__ = _moved_names(__name__, {"load_table": f"{__name__}:load_unit_table"})

SAMPLE_RESOURCE_FEATURES = [
    "spending_per_student_kcny", "gdp_per_capita_kcny", "urbanisation_pct",
    "teachers_per_100_students", "teaching_area_per_student", "sports_area_per_student",
    "equipment_value_per_student", "computers_per_100_students", "books_per_student",
]
"""The resource inputs of ``data/sample/counties.csv`` (the notebook's default features)."""

FEATURE_LABELS = {
    "spending_per_student_kcny": "spending",
    "gdp_per_capita_kcny": "GDP",
    "urbanisation_pct": "urbanisation",
    "teachers_per_100_students": "teachers",
    "teaching_area_per_student": "teaching space",
    "sports_area_per_student": "sports space",
    "equipment_value_per_student": "equipment",
    "computers_per_100_students": "computers",
    "books_per_student": "books",
}
"""Short English names used in generated cluster descriptions."""

MISSING_POLICIES = ("drop", "median", "mean", "error")
# Columns that identify a row or a time point rather than measure a resource.
_ID_LIKE = re.compile(r"(^|_)(year|code|id)(_|$)", re.IGNORECASE)



# --------------------------------------------------------------------------------------------
# Reading one row per unit
# --------------------------------------------------------------------------------------------

def load_unit_table(path) -> pd.DataFrame:
    r"""Read a table of one row per unit: ``.csv``/``.txt``, ``.xlsx``/``.xls``, ``.parquet``.

    A CSV with county columns (``county_code``, ``county_name``, ``year``) goes through
    ``edubalance.io.load.load_counties`` (validated, Chinese headers recognised); any other table
    through ``edubalance.io.load.read_table`` (id-like columns such as ``county_code`` kept as
    text so leading zeros survive).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "units.csv")
    >>> _ = open(path, "w", encoding="utf-8").write("unit,x\na,1\nb,2\n")
    >>> load_unit_table(path)["x"].tolist()
    [1, 2]
    """
    from ...io.load import load_counties, read_table

    path = Path(path)
    if path.suffix.lower() == ".csv" and path.exists():
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        if {"county_code", "county_name", "year"} <= set(header):
            return load_counties(path)
    return read_table(path)


def filter_year(frame: pd.DataFrame, year, year_column: str = "year") -> pd.DataFrame:
    """Keep the rows of one ``year`` when the table has a year column; ``None`` keeps all.

    Parameters
    ----------
    frame : DataFrame
        One row per unit (and year).
    year : int or None
        The year kept.
    year_column : str
        The column holding the year.

    Returns
    -------
    DataFrame

    Raises
    ------
    DataError
        When no row has that year (naming the years there are).

    Examples
    --------
    >>> f = pd.DataFrame({"county_name": ["a", "a", "b"], "year": [2016, 2017, 2017]})
    >>> filter_year(f, 2017)["county_name"].tolist()
    ['a', 'b']
    """
    if year is None or year_column not in frame.columns:
        return frame
    years = pd.to_numeric(frame[year_column], errors="coerce")
    kept = frame.loc[years == year]
    if kept.empty:
        available = sorted(pd.unique(years.dropna()).astype(int).tolist())
        raise DataError(f"no rows with {year_column} == {year}; available years: {available}")
    return kept.reset_index(drop=True)


def check_unique_ids(frame: pd.DataFrame, id_column: str) -> None:
    """Raise :class:`DataError` (a ValueError) unless ``id_column`` exists and names each row once.

    Parameters
    ----------
    frame : DataFrame
        One row per unit.
    id_column : str
        The column naming the units.

    Examples
    --------
    >>> check_unique_ids(pd.DataFrame({"county_name": ["a", "a"]}), "county_name")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    edubalance.errors.DataError: id_column 'county_name' is not unique: 'a' (2 rows); ... set `year` ...
    """
    if id_column not in frame.columns:
        raise ParameterError(f"id_column {id_column!r} not in the table; columns: "
                         f"{', '.join(map(str, frame.columns))}")
    ids = frame[id_column]
    if ids.isna().any():
        rows = (np.flatnonzero(ids.isna().to_numpy()) + 2).tolist()[:5]
        raise DataError(f"id_column {id_column!r} is blank in row(s) {rows}")
    counts = ids.value_counts()
    duplicated = counts[counts > 1]
    if len(duplicated):
        listed = ", ".join(f"{name!r} ({n} rows)" for name, n in duplicated.head(5).items())
        raise DataError(f"id_column {id_column!r} is not unique: {listed}; the table must have "
                         "one row per unit - for a county x year panel set `year` to pick one year")


def check_k_range(k_range) -> tuple[int, int]:
    """Check the shape of ``[k_min, k_max]`` (two integers, ``2 <= k_min <= k_max``).

    :func:`validate_k_range` also checks it against the number of units.

    Parameters
    ----------
    k_range : list or tuple of two int
        ``[k_min, k_max]``.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> check_k_range([2, 10])
    (2, 10)
    """
    if (not isinstance(k_range, (list, tuple)) or len(k_range) != 2
            or not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                       for k in k_range)):
        raise ParameterError(f"k_range must be two integers [k_min, k_max], not {k_range!r}")
    k_min, k_max = int(k_range[0]), int(k_range[1])
    if k_min < 2 or k_max < k_min:
        raise ParameterError(f"k_range [{k_min}, {k_max}]: need 2 <= k_min <= k_max")
    return k_min, k_max


def validate_k_range(k_range, n_units: int) -> tuple[int, int]:
    """Check ``[k_min, k_max]`` against the number of units; return it as a tuple.

    Silhouette and the other indices need ``2 <= k <= n - 1``.

    Parameters
    ----------
    k_range : list or tuple of two int
        ``[k_min, k_max]``.
    n_units : int
        The number of units clustered.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> validate_k_range([2, 6], 22)
    (2, 6)
    >>> validate_k_range([2, 30], 22)
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: k_range [2, 30]: k_max must be at most n - 1 = 21 (22 units)
    """
    k_min, k_max = check_k_range(k_range)
    if k_max > n_units - 1:
        raise ParameterError(f"k_range [{k_min}, {k_max}]: k_max must be at most n - 1 = "
                         f"{n_units - 1} ({n_units} units)")
    return k_min, k_max


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------

def select_features(frame: pd.DataFrame, features=None, id_column: str | None = None) -> list[str]:
    """The feature columns to cluster on.

    An empty list (or ``None``) means every non-constant numeric column except ``id_column``
    and id/year-like columns (names with a ``year``, ``code`` or ``id`` word, e.g.
    ``county_code``, ``year``, ``year_basic_balance``). Named features must exist and be numeric.

    Parameters
    ----------
    frame : DataFrame
        One row per unit.
    features : list of str, optional
        The features asked for (empty or None: every usable numeric column).
    id_column : str, optional
        The column naming the units (never a feature).

    Returns
    -------
    list of str

    Examples
    --------
    >>> f = pd.DataFrame({"county_code": ["1", "2"], "year": [2017, 2017], "x": [1.0, 2.0],
    ...                   "y": [2, 5], "flag": [1, 1]})
    >>> select_features(f)
    ['x', 'y']
    """
    if features:
        features = list(features)
        if len(set(features)) != len(features):
            raise ParameterError(f"features listed twice: {features}")
        unknown = [f for f in features if f not in frame.columns]
        if unknown:
            raise ParameterError(f"unknown feature(s) {unknown}; columns: "
                             f"{', '.join(map(str, frame.columns))}")
        not_numeric = [f for f in features if not pd.api.types.is_numeric_dtype(frame[f])
                       or pd.api.types.is_bool_dtype(frame[f])]
        if not_numeric:
            raise DataError(f"feature(s) {not_numeric} are not numeric")
        return features
    # Constant columns (e.g. a 0/1 flag every unit has reached) carry no information and
    # cannot be standardised, so the default leaves them out.
    chosen = [c for c in frame.columns
              if c != id_column and pd.api.types.is_numeric_dtype(frame[c])
              and not pd.api.types.is_bool_dtype(frame[c]) and not _ID_LIKE.search(str(c))
              and frame[c].nunique(dropna=True) > 1]
    if not chosen:
        raise DataError("no numeric feature columns found (besides id/year-like columns)")
    return chosen


def skewed_features(frame: pd.DataFrame, features, threshold: float = 1.0) -> list[str]:
    """Features whose sample skewness exceeds ``threshold`` and that are non-negative.

    A helper for choosing ``log_features``; nothing is transformed unless asked.

    Parameters
    ----------
    frame : DataFrame
        One row per unit.
    features : sequence of str
        The features looked at.
    threshold : float
        Sample skewness above which a feature is listed.

    Returns
    -------
    list of str

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1, 1, 1, 2, 50.0], "b": [1, 2, 3, 4, 5.0]})
    >>> skewed_features(f, ["a", "b"])
    ['a']
    """
    values = frame[list(features)]
    skew = values.skew()
    return [f for f in features if skew[f] > threshold and (values[f].dropna() >= 0).all()]


def standardize(values, ddof: int = 1):
    """Centre and scale each column: ``(x - mean) / sd`` with ``sd`` using ``ddof`` (R ``scale``).

    Parameters
    ----------
    values : DataFrame or 2-D array
    ddof : int
        1 (default) matches R's ``scale()``.

    Returns
    -------
    (standardized, center, scale)
        Same type as the input for ``standardized``; ``center`` and ``scale`` are arrays (or
        Series for a DataFrame).

    Examples
    --------
    >>> z, center, scale = standardize(np.array([[1.0], [2.0], [3.0]]))
    >>> z.ravel().tolist(), float(scale[0])
    ([-1.0, 0.0, 1.0], 1.0)
    """
    is_frame = isinstance(values, pd.DataFrame)
    matrix = values.to_numpy(dtype=float) if is_frame else np.asarray(values, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] < 2:
        raise DataError("standardize needs a 2-D table with at least two rows")
    if np.isnan(matrix).any():
        raise DataError("standardize got missing values; drop or impute them first")
    center = matrix.mean(axis=0)
    scale = matrix.std(axis=0, ddof=ddof)
    constant = np.flatnonzero(~(scale > 0))
    if constant.size:
        names = [values.columns[i] for i in constant] if is_frame else constant.tolist()
        raise DataError(f"feature(s) {names} are constant and cannot be standardised; "
                         "leave them out of `features`")
    z = (matrix - center) / scale
    if is_frame:
        return (pd.DataFrame(z, index=values.index, columns=values.columns),
                pd.Series(center, index=values.columns), pd.Series(scale, index=values.columns))
    return z, center, scale


@dataclass(frozen=True)
class PreparedFeatures:
    """Features ready for clustering, with everything needed to go back to the data.

    ``original`` holds the values on the original scale (after imputation), ``transformed``
    after the requested log transforms, ``standardized`` the z-scores (ddof=1) of
    ``transformed``. ``matrix`` is what the clustering sees: the z-scores when
    ``standardize`` was requested, else ``transformed``. All frames are indexed by id.

    Parameters
    ----------
    original, transformed, standardized : DataFrame
        The values on the original scale, after the log transforms, and their z-scores.
    center, scale : Series
        Mean and sd (ddof=1) of ``transformed``.
    standardize : bool
        Whether the clustering sees the z-scores.
    log_features : list of str
        The features log-transformed.
    dropped : DataFrame
        The units left out for missing values.
    imputed : Series
        Values imputed per feature.
    """

    original: pd.DataFrame
    transformed: pd.DataFrame
    standardized: pd.DataFrame
    center: pd.Series
    scale: pd.Series
    standardize: bool
    log_features: list[str]
    dropped: pd.DataFrame
    imputed: pd.Series

    @property
    def features(self) -> list[str]:
        """The features kept, in order (the columns of ``original``)."""
        return list(self.original.columns)

    @property
    def ids(self) -> pd.Index:
        """The units kept, in order (the index of ``original``)."""
        return self.original.index

    @property
    def matrix(self) -> np.ndarray:
        """What is clustered: the z-scores when ``standardize``, else the transformed values."""
        return (self.standardized if self.standardize else self.transformed).to_numpy(float)

    def report(self) -> str:
        """One line on what was done to the data (for the notebook)."""
        parts = [f"{len(self.original)} units x {len(self.features)} features"]
        if len(self.dropped):
            parts.append(f"dropped {len(self.dropped)} unit(s) with missing values")
        if self.imputed.sum():
            parts.append(f"imputed {int(self.imputed.sum())} missing value(s)")
        if self.log_features:
            parts.append(f"log1p of {', '.join(self.log_features)}")
        parts.append("standardised (ddof=1)" if self.standardize else "not standardised")
        return "; ".join(parts)


def prepare_features(frame: pd.DataFrame, features=None, id_column: str | None = None,
                     log_features=(), standardize_features: bool = True,
                     missing: str = "drop") -> PreparedFeatures:
    """Choose features, handle missing values, log-transform on request and standardise.

    Parameters
    ----------
    frame : DataFrame
        One row per unit.
    features : list of str, optional
        Empty or ``None``: see :func:`select_features`.
    id_column : str, optional
        Column naming the units (must be unique); the row number when ``None``.
    log_features : list of str
        Features to transform with ``log1p`` (for right-skewed, non-negative values).
    standardize_features : bool
        Cluster on z-scores (recommended when features have different units). z-scores are
        computed either way, for reporting within-cluster sums of squares on one scale.
    missing : {"drop", "median", "mean", "error"}
        Units with a missing feature are dropped (and listed in ``dropped``), or the value is
        imputed with the feature's median/mean, or an error is raised.

    Examples
    --------
    >>> f = pd.DataFrame({"name": list("abcd"), "x": [1.0, 2.0, None, 3.0], "y": [1, 4, 2, 9]})
    >>> prepared = prepare_features(f, ["x", "y"], "name")
    >>> prepared.dropped["name"].tolist(), prepared.ids.tolist()
    (['c'], ['a', 'b', 'd'])
    """
    if missing not in MISSING_POLICIES:
        raise ParameterError(f"missing={missing!r}; choose one of {', '.join(MISSING_POLICIES)}")
    features = select_features(frame, features, id_column)
    log_features = list(log_features or [])
    unknown = [f for f in log_features if f not in features]
    if unknown:
        raise ParameterError(f"log_features {unknown} are not among the features {features}")
    if id_column is not None:
        check_unique_ids(frame, id_column)
        index = pd.Index(frame[id_column].to_numpy(), name=id_column)
    else:
        index = pd.RangeIndex(len(frame), name="row")
    values = pd.DataFrame(frame[features].to_numpy(dtype=float), index=index, columns=features)
    values = values.replace([np.inf, -np.inf], np.nan)
    is_missing = values.isna()
    dropped = pd.DataFrame({index.name: pd.Series([], dtype=object),
                            "missing_features": pd.Series([], dtype=object)})
    imputed = pd.Series(0, index=features, dtype=int)
    if is_missing.to_numpy().any():
        if missing == "error":
            first = is_missing.any(axis=1)
            raise DataError(f"missing values in {int(first.sum())} unit(s), e.g. "
                             f"{list(values.index[first][:5])}; set missing='drop' or impute")
        if missing == "drop":
            rows = is_missing.any(axis=1)
            dropped = pd.DataFrame({
                index.name: values.index[rows],
                "missing_features": [", ".join(c for c in features if is_missing.at[i, c])
                                     for i in values.index[rows]],
            })
            values = values.loc[~rows]
        else:
            fill = values.median() if missing == "median" else values.mean()
            imputed = is_missing.sum().astype(int)
            values = values.fillna(fill)
    if len(values) < 3:
        raise DataError(f"only {len(values)} unit(s) left after handling missing values; "
                         "need at least 3 to cluster")
    transformed = values.copy()
    for feature in log_features:
        if (transformed[feature] <= -1).any():
            raise DataError(f"log_features: {feature} has values <= -1; log1p is undefined")
        transformed[feature] = np.log1p(transformed[feature])
    standardized, center, scale = standardize(transformed)
    return PreparedFeatures(values, transformed, standardized, center, scale,
                            bool(standardize_features), log_features, dropped, imputed)
