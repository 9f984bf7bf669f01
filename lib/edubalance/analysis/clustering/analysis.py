"""The whole county-clustering analysis of ``notebooks/county_clustering.ipynb``, as one call.

The notebook checks its parameters (:data:`PARAMETERS` for the types, :func:`check_clustering_parameters`
for the values, before any work), calls :func:`run_clustering` and shows the result; tests and
scripts call the same two functions without a kernel. Results files keep the contract names
(``assignments.csv`` with ``<id_column>, cluster``, ``k_selection.csv``, ``profiles.csv``,
``stability.csv``, ``summary.json`` with ``k, method, total_within_ss, silhouette``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> units = pd.DataFrame({"county": [f"县{i}" for i in range(12)],
...                       "x": np.r_[rng.normal(0, 1, 6), rng.normal(9, 1, 6)],
...                       "y": np.r_[rng.normal(0, 1, 6), rng.normal(9, 1, 6)]})
>>> result = run_clustering(units, id_column="county", k=2, k_range=[2, 4], n_bootstrap=5)
>>> result.fit.sizes.tolist(), result.to_dict()["k"]
([6, 6], 2)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from ..._compat import moved_names as _moved_names
from ...core.numeric import resolve_random_state
from ...core.results import ResultDisplay
from ...errors import ParameterError
from ...schema import check_lang
from . import models as cl

__all__ = ["PARAMETERS", "check_clustering_parameters", "ClusteringAnalysis", "run_clustering"]

# Renamed (issue 28): run.notebook.check_notebook_parameters checks a notebook's globals.
__getattr__ = _moved_names(__name__, {"check_parameters": f"{__name__}:check_clustering_parameters"})

PARAMETERS = {
    "data_path": str, "id_column": str, "features": list, "k": (int, str), "k_range": list,
    "method": str, "standardize": bool, "n_bootstrap": int, "seed": int, "output_dir": str,
    "year": (int, type(None)), "log_features": list, "missing": str, "lang": str,
}
"""Types of the notebook's parameters (for ``eb.run.notebook.check_notebook_parameters``)."""


def check_clustering_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check the values of the notebook's parameters (types: :data:`PARAMETERS`).

    Everything that can be decided without the data: the method, ``k`` (an integer >= 2 or
    ``"auto"``), the shape of ``k_range``, ``n_bootstrap``, the missing-value policy, the
    feature lists, ``output_dir`` and ``lang``. Checks against the number of units
    (``k <= n - 1``) happen in :func:`run_clustering`.

    Parameters
    ----------
    params : mapping
        The notebook's parameters, by name.

    Returns
    -------
    dict
        The parameters, with ``k_range`` as a tuple.

    Raises
    ------
    ParameterError
        Naming the parameter and the allowed values.

    Examples
    --------
    >>> check_clustering_parameters({"method": "kmeans", "k": "auto", "k_range": [2, 6],
    ...                   "n_bootstrap": 10})["k_range"]
    (2, 6)
    >>> check_clustering_parameters({"method": "dbscan"})
    Traceback (most recent call last):
    ...
    edubalance.errors.ParameterError: method must be one of ('kmeans', 'ward', 'gmm'), not 'dbscan'
    """
    checked = dict(params)
    method = checked.get("method", "kmeans")
    if method not in cl.METHODS:
        raise ParameterError(f"method must be one of {cl.METHODS}, not {method!r}")
    k = checked.get("k", "auto")
    if isinstance(k, str) and k != "auto":
        raise ParameterError(f'k must be an integer or "auto", not {k!r}')
    if isinstance(k, bool) or (not isinstance(k, str) and (not isinstance(k, int) or k < 2)):
        raise ParameterError(f"k must be at least 2, not {k!r}")
    checked["k_range"] = cl.check_k_range(checked.get("k_range", [2, 10]))
    n_bootstrap = checked.get("n_bootstrap", 100)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 1:
        raise ParameterError(f"n_bootstrap must be at least 1, not {n_bootstrap!r}")
    missing = checked.get("missing", "drop")
    if missing not in cl.MISSING_POLICIES:
        raise ParameterError(f"missing must be one of {', '.join(cl.MISSING_POLICIES)}, "
                             f"not {missing!r}")
    names = list(checked.get("features") or []) + list(checked.get("log_features") or [])
    if not all(isinstance(name, str) for name in names):
        raise ParameterError("features and log_features must be lists of column names")
    if "output_dir" in checked and not str(checked["output_dir"]).strip():
        raise ParameterError("output_dir must not be empty")
    check_lang(checked.get("lang", "zh"))
    return checked


@dataclass(frozen=True, repr=False)
class ClusteringAnalysis(ResultDisplay):
    """Everything the notebook shows and writes, from :func:`run_clustering`: data only.

    The words (cluster names, descriptions, members) are added by
    :mod:`edubalance.report.clusters`.

    Parameters
    ----------
    id_column, method : str
        The column naming the units; the clustering method.
    k_parameter : int or str
        ``k`` as given (``"auto"`` or a number).
    k_range : (int, int)
        The k compared.
    year : int or None
        The year kept.
    has_year : bool
        Whether the table had a year column.
    random_state : int
        The seed.
    standardize : bool
        Whether the z-scores were clustered.
    units : DataFrame
        The units clustered (the year kept).
    prepared : PreparedFeatures
        The features.
    selection : KSelection
        The choice of k.
    fit : ClusterFit
        The clustering.
    silhouette : float
        Mean silhouette width.
    stability : Stability
        Bootstrap stability.
    profiles : DataFrame
        Per cluster and feature: mean, median, z (:func:`~.models.cluster_profiles`).
    traits : DataFrame
        Each cluster's strongest features (:func:`~.models.cluster_traits`).
    clusters : DataFrame
        ``cluster, size, share, jaccard_mean, dissolved_share``.
    by_prefecture : DataFrame or None
        Units per prefecture and cluster, when the table names prefectures.
    lang : {"zh", "en"}
        The language asked for the report of the analysis.
    """

    id_column: str
    method: str
    k_parameter: Any
    k_range: tuple[int, int]
    year: int | None
    has_year: bool
    random_state: int
    standardize: bool
    units: pd.DataFrame
    prepared: cl.PreparedFeatures
    selection: cl.KSelection
    fit: cl.ClusterFit
    silhouette: float
    stability: cl.Stability
    profiles: pd.DataFrame
    traits: pd.DataFrame
    clusters: pd.DataFrame
    by_prefecture: pd.DataFrame | None
    lang: str

    @property
    def k(self) -> int:
        """The number of clusters fitted."""
        return self.fit.k

    @property
    def descriptions(self) -> pd.Series:
        """Deprecated: :func:`edubalance.report.clusters.describe_clusters` of the profiles.

        Words belong to the report layer (issue 28), which this module may not import; the
        report function is looked up by name when this is read.
        """
        import importlib
        import warnings

        warnings.warn("ClusteringAnalysis.descriptions moved to "
                      "edubalance.report.clusters.describe_clusters(analysis.profiles, lang=...)",
                      DeprecationWarning, stacklevel=2)
        describe = importlib.import_module("edubalance.report.clusters").describe_clusters
        return describe(self.profiles, lang=self.lang)

    @property
    def assignments(self) -> pd.DataFrame:
        """``<id_column>, cluster`` (clusters numbered from 0, largest first).

        Data, so an attribute like ``profiles`` and ``stability``.
        """
        return self.fit.assignments(self.id_column)

    def to_frame(self) -> pd.DataFrame:
        """The assignments (``assignments.csv``)."""
        return self.assignments

    def summary(self) -> pd.DataFrame:
        """One row per cluster: its size, share and stability (a table to read).

        Returns
        -------
        DataFrame
            :attr:`clusters` (``cluster, size, share, jaccard_mean, dissolved_share``), fresh
            index.
        """
        return self.clusters.reset_index(drop=True)

    def to_dict(self, data_path: str | None = None) -> dict[str, Any]:
        """The data of ``summary.json`` (what :meth:`summary` returned before issue 28).

        :func:`edubalance.report.clusters.analysis_summary` adds the clusters' names and
        descriptions.

        Parameters
        ----------
        data_path : str, optional
            The data file, recorded as ``data_path``.

        Returns
        -------
        dict
        """
        return {
            "k": self.fit.k, "method": self.method,
            "total_within_ss": self.fit.total_within_ss, "silhouette": self.silhouette,
            "k_parameter": self.k_parameter, "k_recommended": self.selection.recommended_k,
            "k_criterion": self.selection.criterion, "k_rule": self.selection.rule,
            "k_recommendations": self.selection.recommendations,
            "k_range": list(self.k_range), "n_units": len(self.prepared.ids),
            "id_column": self.id_column, "year": self.year if self.has_year else None,
            "features": self.prepared.features, "log_features": self.prepared.log_features,
            "standardize": self.standardize,
            "within_ss_clustering_scale": self.fit.within_ss_clustering_scale,
            "cluster_sizes": self.fit.sizes,
            "n_bootstrap": self.stability.n_bootstrap,
            "bootstrap_ari_mean": self.stability.ari_mean,
            "jaccard_mean": self.stability.per_cluster["jaccard_mean"].tolist(),
            "dropped_units": self.prepared.dropped[self.id_column].tolist()
            if self.id_column in self.prepared.dropped else [],
            "seed": self.random_state, "lang": self.lang, "data_path": data_path,
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The results tables, by file stem."""
        tables = {"assignments": self.assignments, "k_selection": self.selection.table,
                  "profiles": self.profiles, "stability": self.stability.per_cluster,
                  "clusters": self.clusters.reset_index(drop=True)}
        if self.by_prefecture is not None:
            tables["by_prefecture"] = self.by_prefecture.reset_index()
        return tables


def run_clustering(units: pd.DataFrame, *, id_column: str, features=(), k="auto",
                   k_range=(2, 10), method: str = "kmeans", standardize: bool = True,
                   n_bootstrap: int = 100, random_state: int | None = None, year=None,
                   log_features=(), missing: str = "drop", lang: str = "zh",
                   seed: int | None = None) -> ClusteringAnalysis:
    """Cluster the units of ``units`` (one row per unit, or a panel with ``year`` set).

    Steps: keep ``year`` (when the table has a year column), check the ids, prepare the
    features (log, missing values, z-scores with ddof=1), choose k over ``k_range`` (gap
    statistic; all five criteria reported), fit ``method`` with k (``"auto"``: the
    recommended k), mean silhouette, bootstrap stability, profiles and each cluster's
    strongest features (``traits``), and a cross-table by ``prefecture`` when there is one.
    The result is data; :mod:`edubalance.report.clusters` names and describes the clusters in
    ``lang`` (:func:`~edubalance.report.clusters.analysis_summary`,
    :func:`~edubalance.report.clusters.analysis_tables`).

    Parameters
    ----------
    units : DataFrame
        One row per unit (or a panel, with ``year``).
    id_column : str
        The column naming the units.
    features : sequence of str
        The features (empty: every numeric column).
    k : int or "auto"
        The number of clusters, or the recommended one.
    k_range : (int, int)
        The k compared when choosing.
    method : {"kmeans", "ward", "gmm"}
        The clustering method.
    standardize : bool
        Cluster z-scores (else the raw values).
    n_bootstrap : int
        Bootstrap resamples of the stability analysis.
    random_state, seed : int, optional
        The seed (``seed`` is the former name).
    year : int, optional
        The year kept from a panel.
    log_features : sequence of str
        Features log-transformed first.
    missing : str
        What to do with missing values (:data:`~edubalance.analysis.clustering.data.MISSING_POLICIES`).
    lang : {"zh", "en"}
        The language the report of this analysis is to be written in (kept in ``lang``).

    Returns
    -------
    ClusteringAnalysis
    """
    random_state = resolve_random_state(random_state, seed, where="run_clustering")
    params = check_clustering_parameters({"method": method, "k": k, "k_range": list(k_range),
                               "n_bootstrap": n_bootstrap, "missing": missing,
                               "features": list(features or []),
                               "log_features": list(log_features or []), "lang": lang})
    frame = cl.filter_year(units, year)
    cl.check_unique_ids(frame, id_column)
    prepared = cl.prepare_features(frame, list(features or []), id_column,
                                   log_features=list(log_features or []),
                                   standardize_features=standardize, missing=missing)
    n = len(prepared.ids)
    k_min, k_max = cl.validate_k_range(list(params["k_range"]), n)
    if isinstance(k, int) and k > n - 1:
        raise ParameterError(f"k={k} must be at most n - 1 = {n - 1}")
    selection = cl.choose_k(prepared, (k_min, k_max), method, random_state=random_state)
    chosen_k = selection.recommended_k if k == "auto" else k
    fit = cl.fit_clusters(prepared, chosen_k, method, random_state=random_state)
    silhouette = cl.mean_silhouette(prepared, fit.labels, random_state=random_state)
    stability = cl.bootstrap_stability(prepared, fit.labels, method, n_bootstrap,
                                       random_state=random_state)
    profiles = cl.cluster_profiles(prepared.original, fit.labels, prepared.standardized)
    clusters = pd.DataFrame({"cluster": range(fit.k), "size": fit.sizes,
                             "share": fit.sizes / fit.sizes.sum()}).merge(
        stability.per_cluster[["cluster", "jaccard_mean", "dissolved_share"]], on="cluster")
    kept = frame.set_index(id_column).loc[prepared.ids].reset_index()
    by_prefecture = (cl.crosstab_clusters(kept, fit.labels, "prefecture")
                     if "prefecture" in kept.columns else None)
    return ClusteringAnalysis(
        id_column=id_column, method=method, k_parameter=k, k_range=(k_min, k_max),
        year=year, has_year="year" in units.columns, random_state=random_state,
        standardize=bool(standardize), units=frame, prepared=prepared, selection=selection,
        fit=fit, silhouette=silhouette, stability=stability, profiles=profiles,
        traits=cl.cluster_traits(profiles), clusters=clusters, by_prefecture=by_prefecture,
        lang=lang)
