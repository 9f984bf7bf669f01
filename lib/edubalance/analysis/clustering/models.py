"""Group counties (or any units) by their resource profile.

The steps, each a function, in the order a notebook calls them::

    load_unit_table / filter_year / check_unique_ids     read one row per unit
    select_features / prepare_features              choose features, log-transform, impute
                                                    or drop missing values, standardise
    choose_k                                        silhouette, Calinski-Harabasz, Davies-Bouldin,
                                                    elbow and gap statistic over a range of k
    fit_clusters                                    k-means, Ward or Gaussian mixture, one interface
    bootstrap_stability                             clusterboot-style Jaccard per cluster, ARI
    cluster_profiles / cluster_traits               per-cluster means, medians, z and the
                                                    strongest features
    pca_biplot_data                                 the principal components of a biplot

The reading and feature steps live in :mod:`edubalance.analysis.clustering.data` (their names
are re-exported here) and the notebook's whole analysis in
:mod:`edubalance.analysis.clustering.analysis`. What a person reads is in report: the figures in
:mod:`edubalance.report.figures.clustering`, names and descriptions in
:mod:`edubalance.report.clusters` (the former names here still work, with a warning).

Standardisation uses ``ddof=1`` so that z-scores equal R's ``scale()``. Cluster numbers are
0..k-1, ordered by size (largest first; ties by the first standardised centre), so that the
same data and seed always give the same numbering.

Examples
--------
>>> import numpy as np
>>> from sklearn.datasets import make_blobs
>>> X, _ = make_blobs(200, 3, centers=3, cluster_std=0.5, random_state=1)
>>> fit = fit_clusters(X, 3, method="kmeans", random_state=0)
>>> np.bincount(fit.labels).tolist()
[67, 67, 66]
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..._compat import moved_names as _moved_names
from ...core.numeric import resolve_random_state
from ...core.results import ResultDisplay
from ...errors import DataError, ParameterError
from .data import (
    FEATURE_LABELS,
    MISSING_POLICIES,
    SAMPLE_RESOURCE_FEATURES,
    PreparedFeatures,
    check_k_range,
    check_unique_ids,
    filter_year,
    load_unit_table,
    prepare_features,
    select_features,
    skewed_features,
    standardize,
    validate_k_range,
)

__all__ = [
    "METHODS", "CRITERIA", "SAMPLE_RESOURCE_FEATURES", "FEATURE_LABELS",
    "PreparedFeatures", "ClusterFit", "KSelection", "Stability",
    "MISSING_POLICIES", "load_unit_table", "filter_year", "check_unique_ids", "check_k_range",
    "validate_k_range",
    "select_features", "skewed_features", "standardize", "prepare_features",
    "within_ss", "mean_silhouette", "fit_clusters", "choose_k", "gap_statistic_choice",
    "bootstrap_stability",
    "cluster_profiles", "cluster_traits", "crosstab_clusters", "pca_biplot_data",
]

# Figures and words moved to report (issue 28): the layers forbid importing them here, so the
# former names are served on access, with a DeprecationWarning.
__getattr__ = _moved_names(__name__, {
    "plot_k_selection": "edubalance.report.figures.clustering:plot_k_selection:_k_selection_panels",
    "pca_biplot": "edubalance.report.figures.clustering:plot_pca_biplot",
    "plot_pca_biplot": "edubalance.report.figures.clustering:plot_pca_biplot:_pca_biplot_figure",
    "plot_profile_heatmap": "edubalance.report.figures.clustering:plot_profile_heatmap",
    "plot_stability": "edubalance.report.figures.clustering:plot_stability",
    "cluster_name": "edubalance.report.clusters:cluster_name",
    "cluster_names": "edubalance.report.clusters:cluster_names",
    "describe_clusters": "edubalance.report.clusters:describe_clusters",
    "cluster_summary": "edubalance.report.clusters:cluster_summary",
    # renamed: eb.data.load_table (a contract name) reads the schools/counties forms
    "load_table": "edubalance.analysis.clustering.data:load_unit_table",
})

METHODS = ("kmeans", "ward", "gmm")
CRITERIA = ("gap", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow")

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

    Parameters
    ----------
    X : array-like
        Units x features.
    labels : array-like
        The cluster of each unit.

    Returns
    -------
    float

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
        raise ParameterError(f"method={method!r}; choose one of {', '.join(METHODS)}")


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


@dataclass(frozen=True, repr=False)
class ClusterFit(ResultDisplay):
    """One clustering: labels 0..k-1 (ordered by size), centres, within-cluster SS.

    ``total_within_ss`` is on the standardised scale (z-scores, ddof=1) whatever the scale
    clustered on; ``within_ss_clustering_scale`` is on the clustering scale.

    Parameters
    ----------
    labels : ndarray of int
        The cluster of each unit, 0..k-1.
    k : int
        The number of clusters found.
    method : str
        ``kmeans``, ``ward`` or ``gmm``.
    seed : int
        The random state used.
    centres_standardized, centres_original : DataFrame
        Cluster means on the z-scale and on the original scale (cluster x feature).
    sizes : ndarray of int
        Units per cluster.
    total_within_ss, within_ss_clustering_scale : float
        Within-cluster sums of squares on the z-scale and on the clustering scale.
    ids : Index, optional
        The units' ids, in the data's order.
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
        """Table ``<id_column>, cluster`` in the data's row order.

        Parameters
        ----------
        id_column : str, optional
            Header of the ids (default: the ids' name, else ``row``).

        Returns
        -------
        DataFrame
        """
        name = id_column or (self.ids.name if self.ids is not None else None) or "row"
        ids = self.ids if self.ids is not None else pd.RangeIndex(len(self.labels))
        return pd.DataFrame({name: np.asarray(ids), "cluster": self.labels})

    def to_frame(self) -> pd.DataFrame:
        """The assignments (``<id>, cluster``)."""
        return self.assignments()


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
        raise DataError("X must be a 2-D array")
    names = [f"x{j}" for j in range(X.shape[1])]
    return X, X, pd.DataFrame(X, columns=names), names, None


@_single_threaded
def fit_clusters(data, k: int, method: str = "kmeans", random_state: int | None = None,
                 n_init: int = 10, covariance_type: str = "diag", *,
                 seed: int | None = None) -> ClusterFit:
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
    random_state : int, optional
        Seed (default :data:`edubalance.core.numeric.DEFAULT_RANDOM_STATE`); ``seed`` is its
        former name.
    n_init : int
        Restarts for k-means and the mixture.
    covariance_type : str
        Covariance of the Gaussian mixture.
    seed : int, optional
        Former name of ``random_state``.

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
    seed = resolve_random_state(random_state, seed, where="fit_clusters")
    X, Z, original, names, ids = _matrices(data)
    n = X.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= n - 1:
        raise ParameterError(f"k={k!r} must be an integer between 2 and n - 1 = {n - 1}")
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

@dataclass(frozen=True, repr=False)
class KSelection(ResultDisplay):
    """Indices per k (``table``), the recommended k and the rule that chose it.

    Parameters
    ----------
    table : DataFrame
        One row per k: the five criteria.
    recommended_k : int
        The k chosen by ``criterion``.
    criterion : str
        The criterion that chose it.
    rule : str
        The rule, in words.
    recommendations : dict
        The k each criterion chooses.
    silhouette_note : str
        How silhouettes were computed (all units or a subsample).
    """

    def to_frame(self) -> pd.DataFrame:
        """The indices per k."""
        return self.table.copy()

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

    Parameters
    ----------
    ks : array-like of int
        Consecutive k.
    gap, gap_se : array-like of float
        The gap statistic of each k and its standard error.

    Returns
    -------
    (int, bool)

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
def choose_k(data, k_range=(2, 10), method: str = "kmeans", random_state: int | None = None,
             n_init: int = 4, n_references: int = 10, criterion: str = "gap",
             covariance_type: str = "diag", silhouette_max_full: int = 3000,
             silhouette_sample_size: int = 2000, *, seed: int | None = None) -> KSelection:
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
        The units (as :func:`fit_clusters`).
    k_range : [k_min, k_max]
        The k compared.
    method : {"kmeans", "ward", "gmm"}
        The clustering method.
    random_state : int, optional
        Seed (``seed`` is its former name).
    n_init : int
        Restarts per fit (k-means, mixture).
    n_references : int
        Uniform reference data sets of the gap statistic (at least 2).
    criterion : {"gap", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow"}
        Which criterion's choice becomes ``recommended_k``; all are in ``recommendations``.
    covariance_type : str
        Covariance of the Gaussian mixture (``diag`` by default).
    silhouette_max_full, silhouette_sample_size : int
        Silhouettes on every unit up to ``silhouette_max_full`` units, else on a seeded
        subsample of ``silhouette_sample_size``.
    seed : int, optional
        Former name of ``random_state``.

    Returns
    -------
    KSelection

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(150, 2, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    >>> choose_k(X, (2, 5), random_state=1).recommended_k
    3
    """
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    _check_method(method)
    seed = resolve_random_state(random_state, seed, where="choose_k")
    if criterion not in CRITERIA:
        raise ParameterError(f"criterion={criterion!r}; choose one of {', '.join(CRITERIA)}")
    if n_references < 2:
        raise ParameterError("n_references must be at least 2 for the gap statistic's sd")
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
                                 table["gap_se"].shift(-1).fillna(0), strict=True)]
    table.loc[table.index[-1], "gap_rule_met"] = False
    rule = _RULES[criterion]
    if criterion == "gap" and not gap_met:
        rule += f"; no k in [{k_min}, {k_max - 1}] met the rule, so the largest k is used"
    return KSelection(table=table, recommended_k=recommendations[criterion],
                      criterion=criterion, rule=rule, recommendations=recommendations,
                      silhouette_note=sil_note)


def mean_silhouette(data, labels, random_state: int | None = None, max_full: int = 3000,
                    sample_size: int = 2000, *, seed: int | None = None) -> float:
    """Mean silhouette width of ``labels`` on the clustering matrix of ``data``.

    All units up to ``max_full``; above that a seeded random subsample of ``sample_size``
    (the full computation is quadratic in the number of units). NaN for a single cluster.

    Parameters
    ----------
    data : PreparedFeatures, DataFrame or 2-D array
        The units (as :func:`fit_clusters`).
    labels : array-like of int
        The cluster of each unit.
    random_state : int, optional
        Seed of the subsample (``seed`` is its former name).
    max_full, sample_size : int
        Every unit up to ``max_full`` units, else a subsample of ``sample_size``.
    seed : int, optional
        Former name of ``random_state``.

    Returns
    -------
    float

    Examples
    --------
    >>> # by hand: (1 - 1/10.5 + 1 - 1/9.5) / 2
    >>> round(mean_silhouette(np.array([[0.0], [1.0], [10.0], [11.0]]), [0, 0, 1, 1]), 4)
    0.8997
    """
    from sklearn.metrics import silhouette_score

    seed = resolve_random_state(random_state, seed, where="mean_silhouette")
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

@dataclass(frozen=True, repr=False)
class Stability(ResultDisplay):
    """Bootstrap stability of a clustering (Hennig's clusterboot, nonparametric bootstrap).

    ``per_cluster``: ``cluster, size, jaccard_mean, jaccard_sd, jaccard_min,
    dissolved_share`` (runs with Jaccard <= 0.5), ``recovered_share`` (>= 0.75), ``runs``
    (runs in which the cluster had sampled points). ``per_run``: ``run, ari,
    n_unique`` and ``jaccard_<c>``. ``point_stability``: per unit, the share of the runs
    that sampled it in which it fell in the bootstrap cluster matched (Hungarian algorithm)
    to its own cluster.

    Parameters
    ----------
    per_cluster, per_run : DataFrame
        As above.
    point_stability : ndarray
        As above.
    ari_mean, ari_sd : float
        Mean and sd of the adjusted Rand index over runs.
    n_bootstrap : int
        The number of runs.
    """

    per_cluster: pd.DataFrame
    per_run: pd.DataFrame
    point_stability: np.ndarray
    ari_mean: float
    ari_sd: float
    n_bootstrap: int

    def to_frame(self) -> pd.DataFrame:
        """Stability per cluster."""
        return self.per_cluster.copy()


def _contingency(a: np.ndarray, b: np.ndarray, ka: int, kb: int) -> np.ndarray:
    return np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb)


@_single_threaded
def bootstrap_stability(data, labels, method: str = "kmeans", n_bootstrap: int = 100,
                        random_state: int | None = None, n_init: int = 3,
                        covariance_type: str = "diag", *,
                        seed: int | None = None) -> Stability:
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
    method : {"kmeans", "ward", "gmm"}
        The method that gave ``labels``.
    n_bootstrap : int
        Bootstrap runs.
    random_state : int, optional
        Seed (``seed`` is its former name).
    n_init : int
        Restarts per bootstrap fit (k-means, mixture).
    covariance_type : str
        Covariance of the Gaussian mixture.
    seed : int, optional
        Former name of ``random_state``.

    Returns
    -------
    Stability

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(90, 2, centers=[[0, 0], [20, 0], [0, 20]], random_state=0)
    >>> fit = fit_clusters(X, 3, random_state=0)
    >>> bootstrap_stability(X, fit.labels, n_bootstrap=10).per_cluster["jaccard_mean"].tolist()
    [1.0, 1.0, 1.0]
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    _check_method(method)
    seed = resolve_random_state(random_state, seed, where="bootstrap_stability")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) \
            or n_bootstrap < 1:
        raise ParameterError(f"n_bootstrap={n_bootstrap!r} must be a positive integer")
    X, _, _, _, _ = _matrices(data)
    labels = np.asarray(labels, dtype=int)
    n = X.shape[0]
    if labels.shape != (n,):
        raise DataError(f"labels has {labels.size} entries for {n} units")
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

    Parameters
    ----------
    original : DataFrame
        Units x features on the original scale.
    labels : array-like of int
        The cluster of each unit.
    standardized : DataFrame, optional
        The same units' z-scores.

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
        raise DataError(f"labels has {labels.size} entries for {len(values)} units")
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


def cluster_traits(profiles: pd.DataFrame, threshold: float = 0.5,
                   max_terms: int = 3) -> pd.DataFrame:
    """Each cluster's strongest features: ``|z| >= threshold``, largest first, ``max_terms``.

    The data behind a cluster's description (:func:`edubalance.report.clusters.describe_clusters`
    puts it in words).

    Parameters
    ----------
    profiles : DataFrame
        ``cluster, feature, z`` (:func:`cluster_profiles`).
    threshold : float
        Smallest ``|z|`` kept.
    max_terms : int
        Features kept per cluster, at most.

    Returns
    -------
    DataFrame
        ``cluster, feature, z``, by cluster (in the order of ``profiles``), then ``|z|``
        descending (ties in the order of ``profiles``).

    Examples
    --------
    >>> p = pd.DataFrame({"cluster": [0, 0, 0, 1], "feature": ["a", "b", "c", "a"],
    ...                   "z": [-0.8, 1.2, 0.1, 0.2]})
    >>> cluster_traits(p).values.tolist()
    [[0, 'b', 1.2], [0, 'a', -0.8]]
    """
    parts = []
    for _cluster, group in profiles.groupby("cluster", sort=False):
        strong = group.loc[group["z"].abs() >= threshold]
        strong = strong.reindex(strong["z"].abs().sort_values(ascending=False,
                                                              kind="stable").index)
        parts.append(strong[["cluster", "feature", "z"]].iloc[:max_terms])
    if not parts:
        return pd.DataFrame(columns=["cluster", "feature", "z"])
    return pd.concat(parts).reset_index(drop=True)


def pca_biplot_data(standardized, n_components: int = 2):
    """PCA of the z-scores: ``(scores, loadings, explained_variance_ratio)``.

    ``loadings`` are the component vectors scaled by the square root of their variance
    (correlations with the components for standardised data).

    Parameters
    ----------
    standardized : array-like
        Units x features, z-scores (``PreparedFeatures.standardized``).
    n_components : int
        Components kept (at most the smaller dimension of the data).

    Returns
    -------
    tuple of ndarray
        ``scores`` (units x components), ``loadings`` (features x components) and the share
        of variance each component explains.

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


def crosstab_clusters(frame: pd.DataFrame, labels, column: str) -> pd.DataFrame:
    """Units per value of ``column`` (e.g. ``prefecture``) and cluster, with totals.

    Parameters
    ----------
    frame : DataFrame
        The units, in the order of ``labels``.
    labels : array-like of int
        The cluster of each unit.
    column : str
        The column counted by.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> f = pd.DataFrame({"prefecture": ["银川市", "银川市", "吴忠市"]})
    >>> crosstab_clusters(f, [0, 1, 1], "prefecture").loc["银川市"].tolist()
    [1, 1, 2]
    """
    if column not in frame.columns:
        raise DataError(f"column {column!r} not in the table")
    table = pd.crosstab(frame[column].to_numpy(), np.asarray(labels), margins=True,
                        margins_name="total")
    table.index.name, table.columns.name = column, "cluster"
    return table
