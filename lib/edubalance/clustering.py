"""Group counties (or any units) by their resource profile.

The steps, each a function, in the order a notebook calls them::

    load_table / filter_year / check_unique_ids     read one row per unit
    select_features / prepare_features              choose features, log-transform, impute
                                                    or drop missing values, standardise
    choose_k                                        silhouette, Calinski-Harabasz, Davies-Bouldin,
                                                    elbow and gap statistic over a range of k
    fit_clusters                                    k-means, Ward or Gaussian mixture, one interface
    bootstrap_stability                             clusterboot-style Jaccard per cluster, ARI
    cluster_profiles / describe_clusters            per-cluster means, medians, z and a description
    pca_biplot_data and plot_*                      figures for the notebook

Standardisation uses ``ddof=1`` so that z-scores equal R's ``scale()``. Cluster numbers are
0..k-1, ordered by size (largest first; ties by the first standardised centre), so that the
same data and seed always give the same numbering.

Examples
--------
>>> import numpy as np
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(200, 3, centers=3, cluster_std=0.5, random_state=1)
>>> fit = fit_clusters(X, 3, method="kmeans", seed=0)
>>> np.bincount(fit.labels).tolist()
[67, 67, 66]
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = [
    "METHODS", "CRITERIA", "SAMPLE_RESOURCE_FEATURES", "FEATURE_LABELS",
    "PreparedFeatures", "ClusterFit", "KSelection", "Stability",
    "load_table", "filter_year", "check_unique_ids", "validate_k_range",
    "select_features", "skewed_features", "standardize", "prepare_features",
    "within_ss", "mean_silhouette", "fit_clusters", "choose_k", "gap_statistic_choice",
    "bootstrap_stability",
    "cluster_profiles", "describe_clusters", "cluster_summary", "crosstab_clusters",
    "pca_biplot_data", "plot_k_selection", "plot_pca_biplot", "plot_profile_heatmap",
    "plot_stability",
]

METHODS = ("kmeans", "ward", "gmm")
CRITERIA = ("gap", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow")

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

_MISSING_POLICIES = ("drop", "median", "mean", "error")
# Columns that identify a row or a time point rather than measure a resource.
_ID_LIKE = re.compile(r"(^|_)(year|code|id)(_|$)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Reading one row per unit
# --------------------------------------------------------------------------------------------

def load_table(path) -> pd.DataFrame:
    """Read a table of one row per unit: ``.csv``/``.txt``, ``.xlsx``/``.xls``, ``.parquet``.

    A CSV with county columns (``county_code``, ``county_name``, ``year``) goes through
    ``edubalance.data.load_counties`` (validated, Chinese headers recognised); any other table
    through ``edubalance.data.read_table`` (id-like columns such as ``county_code`` kept as
    text so leading zeros survive).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "units.csv")
    >>> _ = open(path, "w", encoding="utf-8").write("unit,x\\na,1\\nb,2\\n")
    >>> load_table(path)["x"].tolist()
    [1, 2]
    """
    from .data import load_counties, read_table

    path = Path(path)
    if path.suffix.lower() == ".csv" and path.exists():
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        if {"county_code", "county_name", "year"} <= set(header):
            return load_counties(path)
    return read_table(path)


def filter_year(frame: pd.DataFrame, year, year_column: str = "year") -> pd.DataFrame:
    """Keep the rows of one ``year`` when the table has a year column; ``None`` keeps all.

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
        raise ValueError(f"no rows with {year_column} == {year}; available years: {available}")
    return kept.reset_index(drop=True)


def check_unique_ids(frame: pd.DataFrame, id_column: str) -> None:
    """Raise ``ValueError`` unless ``id_column`` exists and names each row once.

    Examples
    --------
    >>> check_unique_ids(pd.DataFrame({"county_name": ["a", "a"]}), "county_name")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: id_column 'county_name' is not unique: 'a' (2 rows); ... set `year` ...
    """
    if id_column not in frame.columns:
        raise ValueError(f"id_column {id_column!r} not in the table; columns: "
                         f"{', '.join(map(str, frame.columns))}")
    ids = frame[id_column]
    if ids.isna().any():
        rows = (np.flatnonzero(ids.isna().to_numpy()) + 2).tolist()[:5]
        raise ValueError(f"id_column {id_column!r} is blank in row(s) {rows}")
    counts = ids.value_counts()
    duplicated = counts[counts > 1]
    if len(duplicated):
        listed = ", ".join(f"{name!r} ({n} rows)" for name, n in duplicated.head(5).items())
        raise ValueError(f"id_column {id_column!r} is not unique: {listed}; the table must have "
                         "one row per unit - for a county x year panel set `year` to pick one year")


def validate_k_range(k_range, n_units: int) -> tuple[int, int]:
    """Check ``[k_min, k_max]`` against the number of units; return it as a tuple.

    Silhouette and the other indices need ``2 <= k <= n - 1``.

    Examples
    --------
    >>> validate_k_range([2, 6], 22)
    (2, 6)
    >>> validate_k_range([2, 30], 22)
    Traceback (most recent call last):
    ...
    ValueError: k_range [2, 30]: k_max must be at most n - 1 = 21 (22 units)
    """
    if (not isinstance(k_range, (list, tuple)) or len(k_range) != 2
            or not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                       for k in k_range)):
        raise ValueError(f"k_range must be two integers [k_min, k_max], not {k_range!r}")
    k_min, k_max = int(k_range[0]), int(k_range[1])
    if k_min < 2 or k_max < k_min:
        raise ValueError(f"k_range [{k_min}, {k_max}]: need 2 <= k_min <= k_max")
    if k_max > n_units - 1:
        raise ValueError(f"k_range [{k_min}, {k_max}]: k_max must be at most n - 1 = "
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
            raise ValueError(f"features listed twice: {features}")
        unknown = [f for f in features if f not in frame.columns]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; columns: "
                             f"{', '.join(map(str, frame.columns))}")
        not_numeric = [f for f in features if not pd.api.types.is_numeric_dtype(frame[f])
                       or pd.api.types.is_bool_dtype(frame[f])]
        if not_numeric:
            raise ValueError(f"feature(s) {not_numeric} are not numeric")
        return features
    # Constant columns (e.g. a 0/1 flag every unit has reached) carry no information and
    # cannot be standardised, so the default leaves them out.
    chosen = [c for c in frame.columns
              if c != id_column and pd.api.types.is_numeric_dtype(frame[c])
              and not pd.api.types.is_bool_dtype(frame[c]) and not _ID_LIKE.search(str(c))
              and frame[c].nunique(dropna=True) > 1]
    if not chosen:
        raise ValueError("no numeric feature columns found (besides id/year-like columns)")
    return chosen


def skewed_features(frame: pd.DataFrame, features, threshold: float = 1.0) -> list[str]:
    """Features whose sample skewness exceeds ``threshold`` and that are non-negative.

    A helper for choosing ``log_features``; nothing is transformed unless asked.

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
        raise ValueError("standardize needs a 2-D table with at least two rows")
    if np.isnan(matrix).any():
        raise ValueError("standardize got missing values; drop or impute them first")
    center = matrix.mean(axis=0)
    scale = matrix.std(axis=0, ddof=ddof)
    constant = np.flatnonzero(~(scale > 0))
    if constant.size:
        names = [values.columns[i] for i in constant] if is_frame else constant.tolist()
        raise ValueError(f"feature(s) {names} are constant and cannot be standardised; "
                         "leave them out of `features`")
    z = (matrix - center) / scale
    if is_frame:
        return (pd.DataFrame(z, index=values.index, columns=values.columns),
                pd.Series(center, index=values.columns), pd.Series(scale, index=values.columns))
    return z, center, scale


@dataclass
class PreparedFeatures:
    """Features ready for clustering, with everything needed to go back to the data.

    ``original`` holds the values on the original scale (after imputation), ``transformed``
    after the requested log transforms, ``standardized`` the z-scores (ddof=1) of
    ``transformed``. ``matrix`` is what the clustering sees: the z-scores when
    ``standardize`` was requested, else ``transformed``. All frames are indexed by id.
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
        return list(self.original.columns)

    @property
    def ids(self) -> pd.Index:
        return self.original.index

    @property
    def matrix(self) -> np.ndarray:
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
    if missing not in _MISSING_POLICIES:
        raise ValueError(f"missing={missing!r}; choose one of {', '.join(_MISSING_POLICIES)}")
    features = select_features(frame, features, id_column)
    log_features = list(log_features or [])
    unknown = [f for f in log_features if f not in features]
    if unknown:
        raise ValueError(f"log_features {unknown} are not among the features {features}")
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
            raise ValueError(f"missing values in {int(first.sum())} unit(s), e.g. "
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
        raise ValueError(f"only {len(values)} unit(s) left after handling missing values; "
                         "need at least 3 to cluster")
    transformed = values.copy()
    for feature in log_features:
        if (transformed[feature] <= -1).any():
            raise ValueError(f"log_features: {feature} has values <= -1; log1p is undefined")
        transformed[feature] = np.log1p(transformed[feature])
    standardized, center, scale = standardize(transformed)
    return PreparedFeatures(values, transformed, standardized, center, scale,
                            bool(standardize_features), log_features, dropped, imputed)


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------

def _one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return (labels[:, None] == np.arange(k)[None, :]).astype(float)


def _group_means(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    onehot = _one_hot(labels, k)
    counts = onehot.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (onehot.T @ X) / counts[:, None]


def within_ss(X, labels) -> float:
    """Total within-cluster sum of squared distances to the cluster means.

    Examples
    --------
    >>> within_ss(np.array([[0.0], [2.0], [10.0]]), np.array([0, 0, 1]))
    2.0
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    _, codes = np.unique(labels, return_inverse=True)
    means = _group_means(X, codes, codes.max() + 1)
    return float(((X - means[codes]) ** 2).sum())


def _order_labels(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 by size (largest first), ties by first centre coordinate."""
    present, codes = np.unique(labels, return_inverse=True)
    k = present.size
    sizes = np.bincount(codes, minlength=k)
    first_centre = _group_means(X[:, :1], codes, k)[:, 0]
    order = np.lexsort((first_centre, -sizes))
    new_number = np.empty(k, dtype=int)
    new_number[order] = np.arange(k)
    return new_number[codes]


def _single_threaded(func):
    # Many small fits: OpenMP/BLAS threads cost more than they save, and on a busy shared
    # machine their spin-waiting makes k-means many times slower. One thread per process.
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return func(*args, **kwargs)

    return wrapper


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method={method!r}; choose one of {', '.join(METHODS)}")


def _raw_labels(X: np.ndarray, ks, method: str, seed: int, n_init: int,
                covariance_type: str = "diag") -> dict[int, np.ndarray]:
    """Cluster labels for each k in ``ks`` (Ward builds one tree and cuts it at every k)."""
    ks = [int(k) for k in ks]
    if method == "ward":
        from scipy.cluster.hierarchy import fcluster, linkage

        tree = linkage(X, method="ward")
        return {k: fcluster(tree, k, criterion="maxclust") - 1 for k in ks}
    if method == "kmeans":
        from sklearn.cluster import KMeans

        return {k: KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(X)
                for k in ks}
    from sklearn.mixture import GaussianMixture

    return {k: GaussianMixture(n_components=k, covariance_type=covariance_type,
                               n_init=n_init, random_state=seed).fit(X).predict(X)
            for k in ks}


@dataclass
class ClusterFit:
    """One clustering: labels 0..k-1 (ordered by size), centres, within-cluster SS.

    ``total_within_ss`` is on the standardised scale (z-scores, ddof=1) whatever the scale
    clustered on; ``within_ss_clustering_scale`` is on the clustering scale.
    """

    labels: np.ndarray
    k: int
    method: str
    seed: int
    centres_standardized: pd.DataFrame
    centres_original: pd.DataFrame
    sizes: np.ndarray
    total_within_ss: float
    within_ss_clustering_scale: float
    ids: pd.Index = field(default=None)

    def assignments(self, id_column: str | None = None) -> pd.DataFrame:
        """Table ``<id_column>, cluster`` in the data's row order."""
        name = id_column or (self.ids.name if self.ids is not None else None) or "row"
        ids = self.ids if self.ids is not None else pd.RangeIndex(len(self.labels))
        return pd.DataFrame({name: np.asarray(ids), "cluster": self.labels})


def _matrices(data):
    """(clustering matrix, z-scores, original-scale frame, feature names, ids) of the input."""
    if isinstance(data, PreparedFeatures):
        return (data.matrix, data.standardized.to_numpy(float), data.original, data.features,
                data.ids)
    if isinstance(data, pd.DataFrame):
        X = data.to_numpy(dtype=float)
        return X, X, data, list(map(str, data.columns)), data.index
    X = np.asarray(data, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be a 2-D array")
    names = [f"x{j}" for j in range(X.shape[1])]
    return X, X, pd.DataFrame(X, columns=names), names, None


@_single_threaded
def fit_clusters(data, k: int, method: str = "kmeans", seed: int = 0, n_init: int = 10,
                 covariance_type: str = "diag") -> ClusterFit:
    """Cluster the units into ``k`` groups with k-means, Ward or a Gaussian mixture.

    Parameters
    ----------
    data : PreparedFeatures, DataFrame or 2-D array
        With :class:`PreparedFeatures` the clustering runs on its ``matrix`` and the centres
        on the original scale are the cluster means of its ``original`` values; a plain
        array/frame is taken as already on the scale to cluster.
    k : int
        Number of clusters, ``2 <= k <= n - 1``.
    method : {"kmeans", "ward", "gmm"}
        k-means (scikit-learn, k-means++ with ``n_init`` seeded restarts), Ward hierarchical
        clustering (scipy; deterministic) or a Gaussian mixture (scikit-learn, EM,
        ``covariance_type`` "diag" by default because counties per cluster are few
        compared with the number of features, which makes full covariances singular).
    seed : int
    n_init : int
        Restarts for k-means and the mixture.

    Returns
    -------
    ClusterFit

    Examples
    --------
    >>> X = np.array([[0.0, 0], [0, 1], [10, 0], [10, 1], [10, 2]])
    >>> fit = fit_clusters(X, 2, "ward")
    >>> fit.labels.tolist(), fit.total_within_ss
    ([1, 1, 0, 0, 0], 2.5)
    """
    _check_method(method)
    X, Z, original, names, ids = _matrices(data)
    n = X.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= n - 1:
        raise ValueError(f"k={k!r} must be an integer between 2 and n - 1 = {n - 1}")
    labels = _order_labels(X, _raw_labels(X, [k], method, seed, n_init, covariance_type)[k])
    k_found = int(labels.max()) + 1
    cluster_index = pd.RangeIndex(k_found, name="cluster")
    centres_z = pd.DataFrame(_group_means(Z, labels, k_found), index=cluster_index, columns=names)
    centres_original = (pd.DataFrame(original.to_numpy(float), columns=names)
                        .groupby(labels).mean().rename_axis("cluster"))
    return ClusterFit(labels=labels, k=k_found, method=method, seed=seed,
                      centres_standardized=centres_z, centres_original=centres_original,
                      sizes=np.bincount(labels, minlength=k_found),
                      total_within_ss=within_ss(Z, labels),
                      within_ss_clustering_scale=within_ss(X, labels), ids=ids)


# --------------------------------------------------------------------------------------------
# Choosing k
# --------------------------------------------------------------------------------------------

@dataclass
class KSelection:
    """Indices per k (``table``), the recommended k and the rule that chose it."""

    table: pd.DataFrame
    recommended_k: int
    criterion: str
    rule: str
    recommendations: dict[str, int]
    silhouette_note: str


_RULES = {
    "gap": "gap statistic: smallest k with Gap(k) >= Gap(k+1) - s(k+1) "
           "(Tibshirani, Walther & Hastie 2001; uniform reference over the data's box)",
    "silhouette": "largest mean silhouette width",
    "calinski_harabasz": "largest Calinski-Harabasz index",
    "davies_bouldin": "smallest Davies-Bouldin index",
    "elbow": "elbow of within-cluster SS: k farthest below the straight line from k_min to k_max",
}


def gap_statistic_choice(ks, gap, gap_se) -> tuple[int, bool]:
    """Tibshirani's rule: the smallest k with ``Gap(k) >= Gap(k+1) - s(k+1)``.

    ``ks`` must be consecutive. Returns ``(k, rule_met)``; when no k meets the rule the
    largest k is returned with ``rule_met=False``.

    Examples
    --------
    >>> gap_statistic_choice([2, 3, 4], [0.2, 0.5, 0.52], [0.05, 0.05, 0.05])
    (3, True)
    """
    ks, gap, gap_se = (np.asarray(a, dtype=float) for a in (ks, gap, gap_se))
    met = gap[:-1] >= gap[1:] - gap_se[1:]
    if met.any():
        return int(ks[np.argmax(met)]), True
    return int(ks[-1]), False


def _elbow(ks: np.ndarray, wss: np.ndarray) -> int:
    # Distance below the chord from the first to the last point, both axes scaled to [0, 1].
    if ks.size < 3:
        return int(ks[0])
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    span = wss[0] - wss[-1]
    y = (wss - wss[-1]) / span if span > 0 else np.zeros_like(wss)
    return int(ks[np.argmax((1 - x) - y)])


def _silhouette_setup(X: np.ndarray, rng, max_full: int, sample_size: int):
    from sklearn.metrics import pairwise_distances

    n = X.shape[0]
    if n <= max_full:
        return np.arange(n), pairwise_distances(X), f"silhouette on all {n} units"
    rows = np.sort(rng.choice(n, size=sample_size, replace=False))
    return (rows, pairwise_distances(X[rows]),
            f"silhouette on a seeded random subsample of {sample_size} of {n} units")


@_single_threaded
def choose_k(data, k_range=(2, 10), method: str = "kmeans", seed: int = 0, n_init: int = 4,
             n_references: int = 10, criterion: str = "gap", covariance_type: str = "diag",
             silhouette_max_full: int = 3000, silhouette_sample_size: int = 2000) -> KSelection:
    """Compare k over ``k_range`` with five criteria and recommend one k.

    For every k: total within-cluster SS (elbow), mean silhouette width, Calinski-Harabasz,
    Davies-Bouldin, and the gap statistic ``Gap(k) = mean_b log W*_kb - log W_k`` with
    ``n_references`` data sets drawn uniformly over the bounding box of the clustering
    matrix, clustered the same way; ``s_k = sd_k * sqrt(1 + 1/B)`` (sd with ddof=0, as in
    the paper).

    Work is shared across k: the distance matrix for silhouettes is computed once (on a
    seeded subsample of ``silhouette_sample_size`` units when there are more than
    ``silhouette_max_full``), the reference data sets are drawn once, and Ward builds one
    tree per data set and cuts it at every k.

    Parameters
    ----------
    data : PreparedFeatures, DataFrame or 2-D array
    k_range : [k_min, k_max]
    method : {"kmeans", "ward", "gmm"}
    criterion : {"gap", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow"}
        Which criterion's choice becomes ``recommended_k``; all are in ``recommendations``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(150, 2, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    >>> choose_k(X, (2, 5), seed=1).recommended_k
    3
    """
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    _check_method(method)
    if criterion not in CRITERIA:
        raise ValueError(f"criterion={criterion!r}; choose one of {', '.join(CRITERIA)}")
    if n_references < 2:
        raise ValueError("n_references must be at least 2 for the gap statistic's sd")
    X, _, _, _, _ = _matrices(data)
    k_min, k_max = validate_k_range(list(k_range), X.shape[0])
    ks = np.arange(k_min, k_max + 1)
    rng = np.random.default_rng(seed)
    fit_seeds = rng.integers(0, 2**31 - 1, size=n_references + 1)

    labels_by_k = _raw_labels(X, ks, method, int(fit_seeds[0]), n_init, covariance_type)
    sil_rows, distances, sil_note = _silhouette_setup(X, rng, silhouette_max_full,
                                                      silhouette_sample_size)
    rows = []
    for k in ks:
        labels = labels_by_k[k]
        found = np.unique(labels).size
        sil_labels = labels[sil_rows]
        ok = found >= 2
        rows.append({
            "k": int(k), "clusters_found": found, "total_within_ss": within_ss(X, labels),
            "silhouette": (silhouette_score(distances, sil_labels, metric="precomputed")
                           if ok and 2 <= np.unique(sil_labels).size < sil_rows.size
                           else np.nan),
            "calinski_harabasz": calinski_harabasz_score(X, labels) if ok else np.nan,
            "davies_bouldin": davies_bouldin_score(X, labels) if ok else np.nan,
        })
    table = pd.DataFrame(rows)

    low, high = X.min(axis=0), X.max(axis=0)
    log_w_ref = np.empty((n_references, ks.size))
    for b in range(n_references):
        reference = rng.uniform(low, high, size=X.shape)
        ref_labels = _raw_labels(reference, ks, method, int(fit_seeds[b + 1]), n_init,
                                 covariance_type)
        log_w_ref[b] = [np.log(within_ss(reference, ref_labels[k])) for k in ks]
    table["log_w"] = np.log(table["total_within_ss"].to_numpy())
    table["expected_log_w"] = log_w_ref.mean(axis=0)
    table["gap"] = table["expected_log_w"] - table["log_w"]
    table["gap_se"] = log_w_ref.std(axis=0, ddof=0) * np.sqrt(1 + 1 / n_references)

    gap_k, gap_met = gap_statistic_choice(ks, table["gap"], table["gap_se"])
    recommendations = {
        "gap": gap_k,
        "silhouette": int(ks[np.nanargmax(table["silhouette"])])
        if table["silhouette"].notna().any() else gap_k,
        "calinski_harabasz": int(ks[np.nanargmax(table["calinski_harabasz"])]),
        "davies_bouldin": int(ks[np.nanargmin(table["davies_bouldin"])]),
        "elbow": _elbow(ks.astype(float), table["total_within_ss"].to_numpy()),
    }
    table["gap_rule_met"] = [bool(g >= g1 - s1) for g, g1, s1 in
                             zip(table["gap"], table["gap"].shift(-1).fillna(np.inf),
                                 table["gap_se"].shift(-1).fillna(0))]
    table.loc[table.index[-1], "gap_rule_met"] = False
    rule = _RULES[criterion]
    if criterion == "gap" and not gap_met:
        rule += f"; no k in [{k_min}, {k_max - 1}] met the rule, so the largest k is used"
    return KSelection(table=table, recommended_k=recommendations[criterion],
                      criterion=criterion, rule=rule, recommendations=recommendations,
                      silhouette_note=sil_note)


def mean_silhouette(data, labels, seed: int = 0, max_full: int = 3000,
                    sample_size: int = 2000) -> float:
    """Mean silhouette width of ``labels`` on the clustering matrix of ``data``.

    All units up to ``max_full``; above that a seeded random subsample of ``sample_size``
    (the full computation is quadratic in the number of units). NaN for a single cluster.

    Examples
    --------
    >>> # by hand: (1 - 1/10.5 + 1 - 1/9.5) / 2
    >>> round(mean_silhouette(np.array([[0.0], [1.0], [10.0], [11.0]]), [0, 0, 1, 1]), 4)
    0.8997
    """
    from sklearn.metrics import silhouette_score

    X, _, _, _, _ = _matrices(data)
    labels = np.asarray(labels)
    rows, distances, _ = _silhouette_setup(X, np.random.default_rng(seed), max_full,
                                           sample_size)
    sampled = labels[rows]
    if not 2 <= np.unique(sampled).size < rows.size:
        return float("nan")
    return float(silhouette_score(distances, sampled, metric="precomputed"))


# --------------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------------

@dataclass
class Stability:
    """Bootstrap stability of a clustering (Hennig's clusterboot, nonparametric bootstrap).

    ``per_cluster``: ``cluster, size, jaccard_mean, jaccard_sd, jaccard_min,
    dissolved_share`` (runs with Jaccard <= 0.5), ``recovered_share`` (>= 0.75), ``runs``
    (runs in which the cluster had sampled points). ``per_run``: ``run, ari,
    n_unique`` and ``jaccard_<c>``. ``point_stability``: per unit, the share of the runs
    that sampled it in which it fell in the bootstrap cluster matched (Hungarian algorithm)
    to its own cluster.
    """

    per_cluster: pd.DataFrame
    per_run: pd.DataFrame
    point_stability: np.ndarray
    ari_mean: float
    ari_sd: float
    n_bootstrap: int


def _contingency(a: np.ndarray, b: np.ndarray, ka: int, kb: int) -> np.ndarray:
    return np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb)


@_single_threaded
def bootstrap_stability(data, labels, method: str = "kmeans", n_bootstrap: int = 100,
                        seed: int = 0, n_init: int = 3,
                        covariance_type: str = "diag") -> Stability:
    """Resample units with replacement, recluster, and compare with the original clusters.

    As in Hennig's ``fpc::clusterboot``: in each run the data are resampled (n draws with
    replacement) and clustered again with the same method and k; for every original cluster,
    restricted to the units drawn, the Jaccard similarity with each bootstrap cluster is
    computed and the maximum kept; ``jaccard_mean`` averages it over runs. The adjusted Rand
    index compares the bootstrap clustering with the original one on the units drawn.
    Bootstrap clusters are matched to the original ones with the Hungarian algorithm
    (``scipy.optimize.linear_sum_assignment`` on the overlap counts) for ``point_stability``.

    Parameters
    ----------
    data : PreparedFeatures, DataFrame or 2-D array
        The same input given to :func:`fit_clusters`.
    labels : array of int
        The original clusters, 0..k-1.
    n_bootstrap : int
    seed : int
    n_init : int
        Restarts per bootstrap fit (k-means, mixture).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(90, 2, centers=[[0, 0], [20, 0], [0, 20]], random_state=0)
    >>> fit = fit_clusters(X, 3, seed=0)
    >>> bootstrap_stability(X, fit.labels, n_bootstrap=10).per_cluster["jaccard_mean"].tolist()
    [1.0, 1.0, 1.0]
    """
    from sklearn.metrics import adjusted_rand_score

    _check_method(method)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) \
            or n_bootstrap < 1:
        raise ValueError(f"n_bootstrap={n_bootstrap!r} must be a positive integer")
    X, _, _, _, _ = _matrices(data)
    labels = np.asarray(labels, dtype=int)
    n = X.shape[0]
    if labels.shape != (n,):
        raise ValueError(f"labels has {labels.size} entries for {n} units")
    k = int(labels.max()) + 1
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_bootstrap, n))
    fit_seeds = rng.integers(0, 2**31 - 1, size=n_bootstrap)

    jaccard = np.full((n_bootstrap, k), np.nan)
    ari = np.full(n_bootstrap, np.nan)
    n_unique = np.zeros(n_bootstrap, dtype=int)
    matched_same = np.zeros(n)
    times_drawn = np.zeros(n)
    for run in range(n_bootstrap):
        draw = draws[run]
        boot = _raw_labels(X[draw], [k], method, int(fit_seeds[run]), n_init,
                           covariance_type)[k]
        # A unit drawn twice gets one label (duplicates share coordinates); keep its first.
        units, first = np.unique(draw, return_index=True)
        boot_unique = boot[first]
        orig_unique = labels[units]
        _, boot_codes = np.unique(boot_unique, return_inverse=True)
        kb = int(boot_codes.max()) + 1
        overlap = _contingency(orig_unique, boot_codes, k, kb)
        size_orig = overlap.sum(axis=1, keepdims=True)
        size_boot = overlap.sum(axis=0, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            similarity = overlap / (size_orig + size_boot - overlap)
        best = similarity.max(axis=1)
        jaccard[run] = np.where(size_orig[:, 0] > 0, best, np.nan)
        ari[run] = adjusted_rand_score(orig_unique, boot_codes)
        n_unique[run] = units.size
        rows, cols = linear_sum_assignment(-overlap)
        matched = np.full(kb, -1)
        matched[cols] = rows
        matched_same[units] += matched[boot_codes] == orig_unique
        times_drawn[units] += 1

    sizes = np.bincount(labels, minlength=k)
    runs = (~np.isnan(jaccard)).sum(axis=0)
    with np.errstate(invalid="ignore"):
        per_cluster = pd.DataFrame({
            "cluster": np.arange(k), "size": sizes,
            "jaccard_mean": np.nanmean(jaccard, axis=0),
            "jaccard_sd": np.nanstd(jaccard, axis=0, ddof=1) if n_bootstrap > 1 else np.nan,
            "jaccard_min": np.nanmin(jaccard, axis=0),
            "dissolved_share": np.nansum(jaccard <= 0.5, axis=0) / runs,
            "recovered_share": np.nansum(jaccard >= 0.75, axis=0) / runs,
            "runs": runs,
        })
        point_stability = np.where(times_drawn > 0, matched_same / times_drawn, np.nan)
    per_run = pd.DataFrame({"run": np.arange(n_bootstrap), "ari": ari, "n_unique": n_unique})
    for c in range(k):
        per_run[f"jaccard_{c}"] = jaccard[:, c]
    return Stability(per_cluster=per_cluster, per_run=per_run, point_stability=point_stability,
                     ari_mean=float(np.mean(ari)),
                     ari_sd=float(np.std(ari, ddof=1)) if n_bootstrap > 1 else float("nan"),
                     n_bootstrap=int(n_bootstrap))


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------

def cluster_profiles(original: pd.DataFrame, labels, standardized: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """Per cluster and feature: size, mean, median, overall mean and sd, and z.

    ``z = (cluster mean - overall mean) / overall sd`` on the original scale (sd with
    ddof=1). With ``standardized`` the cluster centre on the clustering's z-scale is added
    (``centre_standardized``; differs from ``z`` for log-transformed features).

    Returns
    -------
    DataFrame
        One row per cluster x feature: ``cluster, size, share, feature, mean, median,
        overall_mean, overall_sd, z`` (and ``centre_standardized``).

    Examples
    --------
    >>> f = pd.DataFrame({"x": [1.0, 3.0, 10.0, 12.0]})
    >>> cluster_profiles(f, [0, 0, 1, 1])[["cluster", "mean", "z"]].round(3).values.tolist()
    [[0.0, 2.0, -0.845], [1.0, 11.0, 0.845]]
    """
    labels = np.asarray(labels, dtype=int)
    values = original.reset_index(drop=True)
    if len(values) != labels.size:
        raise ValueError(f"labels has {labels.size} entries for {len(values)} units")
    grouped = values.groupby(labels)
    means = grouped.mean().rename_axis("cluster")
    medians = grouped.median().rename_axis("cluster")
    overall_mean, overall_sd = values.mean(), values.std(ddof=1)
    sizes = pd.Series(np.bincount(labels), name="size").rename_axis("cluster")
    long = (means.stack().rename("mean").to_frame()
            .join(medians.stack().rename("median")))
    long.index.names = ["cluster", "feature"]
    long = long.reset_index()
    long["size"] = long["cluster"].map(sizes)
    long["share"] = long["size"] / labels.size
    long["overall_mean"] = long["feature"].map(overall_mean)
    long["overall_sd"] = long["feature"].map(overall_sd)
    long["z"] = (long["mean"] - long["overall_mean"]) / long["overall_sd"]
    columns = ["cluster", "size", "share", "feature", "mean", "median", "overall_mean",
               "overall_sd", "z"]
    if standardized is not None:
        centres = (standardized.reset_index(drop=True).groupby(labels).mean().stack())
        centres.index.names = ["cluster", "feature"]
        long = long.merge(centres.rename("centre_standardized").reset_index(),
                          on=["cluster", "feature"], how="left")
        columns.append("centre_standardized")
    order = {f: i for i, f in enumerate(values.columns)}
    long = long.assign(_order=long["feature"].map(order)).sort_values(["cluster", "_order"])
    return long[columns].reset_index(drop=True)


def describe_clusters(profiles: pd.DataFrame, threshold: float = 0.5, max_terms: int = 3,
                      labels: dict[str, str] | None = None) -> pd.Series:
    """A short description per cluster from its largest |z|: ``"high space, low teachers"``.

    Features with ``|z| >= threshold`` are named, largest first, at most ``max_terms``.

    Examples
    --------
    >>> p = pd.DataFrame({"cluster": [0, 0], "feature": ["teachers_per_100_students",
    ...                   "sports_area_per_student"], "z": [-0.8, 1.2]})
    >>> describe_clusters(p).tolist()
    ['high sports space, low teachers']
    """
    names = {**FEATURE_LABELS, **(labels or {})}

    def describe(group: pd.DataFrame) -> str:
        strong = group.loc[group["z"].abs() >= threshold]
        strong = strong.reindex(strong["z"].abs().sort_values(ascending=False,
                                                              kind="stable").index)
        terms = [f"{'high' if z > 0 else 'low'} "
                 f"{names.get(feature, str(feature).replace('_', ' '))}"
                 for feature, z in zip(strong["feature"], strong["z"])][:max_terms]
        return ", ".join(terms) if terms else "close to average"

    return (profiles.groupby("cluster")[["feature", "z"]].apply(describe)
            .rename("description"))


def cluster_summary(fit: ClusterFit, profiles: pd.DataFrame, stability: Stability | None = None,
                    ) -> pd.DataFrame:
    """One row per cluster: size, share, description and (if given) stability."""
    table = pd.DataFrame({"cluster": np.arange(fit.k), "size": fit.sizes,
                          "share": fit.sizes / fit.sizes.sum()})
    table["description"] = table["cluster"].map(describe_clusters(profiles))
    if stability is not None:
        table = table.merge(stability.per_cluster[["cluster", "jaccard_mean",
                                                   "dissolved_share"]], on="cluster")
    return table


def crosstab_clusters(frame: pd.DataFrame, labels, column: str) -> pd.DataFrame:
    """Units per value of ``column`` (e.g. ``prefecture``) and cluster, with totals.

    Examples
    --------
    >>> f = pd.DataFrame({"prefecture": ["银川市", "银川市", "吴忠市"]})
    >>> crosstab_clusters(f, [0, 1, 1], "prefecture").loc["银川市"].tolist()
    [1, 1, 2]
    """
    if column not in frame.columns:
        raise ValueError(f"column {column!r} not in the table")
    table = pd.crosstab(frame[column].to_numpy(), np.asarray(labels), margins=True,
                        margins_name="total")
    table.index.name, table.columns.name = column, "cluster"
    return table


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

def pca_biplot_data(standardized, n_components: int = 2):
    """PCA of the z-scores: ``(scores, loadings, explained_variance_ratio)``.

    ``loadings`` are the component vectors scaled by the square root of their variance
    (correlations with the components for standardised data).

    Examples
    --------
    >>> z = standardize(np.array([[1.0, 2], [2, 4.5], [3, 5.5], [4, 8]]))[0]
    >>> scores, loadings, explained = pca_biplot_data(z)
    >>> scores.shape, round(float(explained[0]), 3)
    ((4, 2), 0.994)
    """
    from sklearn.decomposition import PCA

    Z = np.asarray(standardized, dtype=float)
    pca = PCA(n_components=min(n_components, *Z.shape)).fit(Z)
    loadings = pca.components_.T * np.sqrt(pca.explained_variance_)
    return pca.transform(Z), loadings, pca.explained_variance_ratio_


def plot_k_selection(selection: KSelection):
    """Five small panels: within-SS, silhouette, Calinski-Harabasz, Davies-Bouldin, gap."""
    import matplotlib.pyplot as plt

    table = selection.table
    panels = [("total_within_ss", "within-cluster SS (elbow)"), ("silhouette", "silhouette"),
              ("calinski_harabasz", "Calinski-Harabasz"), ("davies_bouldin", "Davies-Bouldin"),
              ("gap", "gap statistic (± s_k)")]
    fig, axes = plt.subplots(1, len(panels), figsize=(16, 3.4))
    for ax, (column, title) in zip(axes, panels):
        if column == "gap":
            ax.errorbar(table["k"], table["gap"], yerr=table["gap_se"], marker="o", capsize=3)
        else:
            ax.plot(table["k"], table[column], marker="o")
        ax.axvline(selection.recommended_k, color="0.5", linestyle="--", linewidth=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("k")
        ax.set_xticks(table["k"])
    fig.suptitle(f"Choosing k: recommended k = {selection.recommended_k} ({selection.criterion})",
                 fontsize=11)
    fig.tight_layout()
    return fig


def plot_pca_biplot(prepared: PreparedFeatures, labels, names=None, max_names: int = 60):
    """Units on the first two principal components, coloured by cluster, with loadings."""
    import matplotlib.pyplot as plt

    from .plotting import PALETTE

    scores, loadings, explained = pca_biplot_data(prepared.standardized)
    labels = np.asarray(labels, dtype=int)
    names = list(prepared.ids if names is None else names)
    fig, ax = plt.subplots(figsize=(9, 7))
    for c in np.unique(labels):
        rows = labels == c
        ax.scatter(scores[rows, 0], scores[rows, 1], s=30, color=PALETTE[c % len(PALETTE)],
                   label=f"cluster {c}", alpha=0.85)
    if len(names) <= max_names:
        for (x, y), name in zip(scores[:, :2], names):
            ax.annotate(str(name), (x, y), fontsize=8, xytext=(3, 3),
                        textcoords="offset points")
    reach = np.abs(scores[:, :2]).max() / max(np.abs(loadings[:, :2]).max(), 1e-12) * 0.7
    for (lx, ly), feature in zip(loadings[:, :2], prepared.features):
        ax.arrow(0, 0, lx * reach, ly * reach, color="0.35", width=0.003,
                 head_width=0.06, length_includes_head=True)
        ax.text(lx * reach * 1.08, ly * reach * 1.08, FEATURE_LABELS.get(feature, feature),
                fontsize=8, color="0.25", ha="center")
    ax.set_xlabel(f"PC1 ({explained[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({explained[1]:.0%} of variance)" if explained.size > 1 else "PC2")
    ax.set_title("PCA biplot of the standardised features")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def plot_profile_heatmap(profiles: pd.DataFrame):
    """Heatmap of z (cluster mean vs overall mean, in overall sd) per cluster and feature."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    grid = profiles.pivot(index="cluster", columns="feature", values="z")
    grid = grid[list(dict.fromkeys(profiles["feature"]))]
    sizes = profiles.groupby("cluster")["size"].first()
    grid.index = [f"{c} (n={sizes[c]})" for c in grid.index]
    grid.columns = [FEATURE_LABELS.get(f, f) for f in grid.columns]
    fig, ax = plt.subplots(figsize=(1.0 * grid.shape[1] + 3, 0.6 * grid.shape[0] + 2))
    limit = max(1.0, float(np.nanmax(np.abs(grid.to_numpy()))))
    sns.heatmap(grid, ax=ax, cmap="RdBu_r", center=0, vmin=-limit, vmax=limit, annot=True,
                fmt=".1f", cbar_kws={"label": "z vs overall mean"})
    ax.set_xlabel("")
    ax.set_ylabel("cluster")
    ax.set_title("Cluster profiles (z of the cluster mean)")
    fig.tight_layout()
    return fig


def plot_stability(stability: Stability):
    """Mean bootstrap Jaccard per cluster with its sd, and Hennig's 0.6 / 0.75 guide lines."""
    import matplotlib.pyplot as plt

    table = stability.per_cluster
    fig, ax = plt.subplots(figsize=(max(4, 0.8 * len(table) + 2), 3.5))
    ax.bar(table["cluster"].astype(str), table["jaccard_mean"], yerr=table["jaccard_sd"],
           capsize=3, color="#1b6ca8")
    for level, text in ((0.6, "0.6 unstable below"), (0.75, "0.75 stable above")):
        ax.axhline(level, color="0.5", linestyle="--", linewidth=1)
        ax.text(len(table) - 0.5, level, text, fontsize=8, ha="right", va="bottom")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("cluster")
    ax.set_ylabel("mean Jaccard")
    ax.set_title(f"Bootstrap stability ({stability.n_bootstrap} resamples; "
                 f"mean ARI {stability.ari_mean:.2f})")
    fig.tight_layout()
    return fig
