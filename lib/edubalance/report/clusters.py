"""Clusters in words: their names, descriptions and the tables a person reads.

The clustering itself (:mod:`edubalance.analysis.clustering`) returns data: labels, profiles
(``z`` per cluster and feature) and :func:`~edubalance.analysis.clustering.models.cluster_traits`
(each cluster's strongest features). This module turns them into text in ``lang``:

- :func:`cluster_name` / :func:`cluster_names` - the one name of a cluster in the package
  (第1类 / cluster 1), used by the figures, the slides and the notebooks
- :func:`describe_clusters` - ``生均图书册数偏高、…`` / ``high sports space, low teachers``
- :func:`cluster_summary` - size, share, description and stability per cluster
- :func:`cluster_table` - the presentation's groups of counties: name, profile, members
- :func:`analysis_summary` / :func:`analysis_tables` - what the clustering notebook writes:
  the analysis's data with the names and descriptions added

Examples
--------
>>> cluster_name(0), cluster_names([1, 2], lang="en")
('第1类', ['cluster 2', 'cluster 3'])
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..analysis.clustering.data import FEATURE_LABELS
from ..analysis.clustering.models import cluster_traits
from .display import bare_label, short_label, variable_label
from .i18n import check_lang, text

__all__ = ["cluster_name", "cluster_names", "describe_clusters", "cluster_summary",
           "cluster_table", "analysis_summary", "analysis_tables"]


def cluster_name(cluster: int, lang: str = "zh") -> str:
    """The readable name of cluster ``cluster`` (0-based): ``第1类`` / ``cluster 1``.

    The one cluster name of the package: the clustering figures, reports and slides all use it.

    Parameters
    ----------
    cluster : int
        The cluster number, from 0.
    lang : {"zh", "en"}
        Language of the name.

    Returns
    -------
    str

    Examples
    --------
    >>> cluster_name(0), cluster_name(2, lang="en")
    ('第1类', 'cluster 3')
    """
    return text("cluster.name", lang, number=int(cluster) + 1)


def cluster_names(clusters, lang: str = "zh") -> list[str]:
    """:func:`cluster_name` of each cluster.

    Parameters
    ----------
    clusters : iterable of int
        Cluster numbers, from 0.
    lang : {"zh", "en"}
        Language of the names.

    Returns
    -------
    list of str
    """
    return [cluster_name(c, lang) for c in clusters]


def describe_clusters(profiles: pd.DataFrame, threshold: float = 0.5, max_terms: int = 3,
                      labels: dict[str, str] | None = None, *, lang: str = "en") -> pd.Series:
    """A short description per cluster from its largest ``|z|``: ``"high space, low teachers"``.

    Features with ``|z| >= threshold`` are named, largest first, at most ``max_terms``
    (:func:`~edubalance.analysis.clustering.models.cluster_traits`). ``lang="zh"`` writes it
    in Chinese with the features' labels (``生均图书册数偏高、…``); English is the default here
    because descriptions were English before ``lang`` existed.

    Parameters
    ----------
    profiles : DataFrame
        ``cluster, feature, z`` (:func:`~edubalance.analysis.clustering.models.cluster_profiles`).
    threshold : float
        Smallest ``|z|`` that describes a cluster.
    max_terms : int
        Features named per cluster, at most.
    labels : dict, optional
        Feature -> the word to use, overriding the default ones.
    lang : {"zh", "en"}
        Language of the descriptions.

    Returns
    -------
    Series
        ``description`` by cluster.

    Examples
    --------
    >>> p = pd.DataFrame({"cluster": [0, 0], "feature": ["teachers_per_100_students",
    ...                   "sports_area_per_student"], "z": [-0.8, 1.2]})
    >>> describe_clusters(p).tolist()
    ['high sports space, low teachers']
    >>> describe_clusters(p, lang="zh").tolist()
    ['生均体育运动场馆面积偏高、每百名学生拥有专任教师数偏低']
    """
    check_lang(lang)
    if lang == "zh":
        names = {f: short_label(variable_label(f, "zh")) for f in profiles["feature"].unique()}
    else:
        names = {f: FEATURE_LABELS.get(f, str(f).replace("_", " "))
                 for f in profiles["feature"].unique()}
    names.update(labels or {})
    traits = cluster_traits(profiles, threshold, max_terms)
    descriptions = {}
    for cluster in pd.unique(profiles["cluster"]):
        strong = traits[traits["cluster"] == cluster]
        terms = [text("cluster.describe.high" if z > 0 else "cluster.describe.low", lang,
                      feature=names[feature])
                 for feature, z in zip(strong["feature"], strong["z"], strict=True)]
        descriptions[cluster] = (text("domain.list_join", lang).join(terms) if terms
                                 else text("cluster.describe.average", lang))
    series = pd.Series(descriptions, name="description").sort_index()
    series.index.name = "cluster"
    return series


def cluster_summary(fit, profiles: pd.DataFrame, stability=None, *,
                    lang: str = "en") -> pd.DataFrame:
    """One row per cluster: size, share, description (in ``lang``) and (if given) stability.

    Parameters
    ----------
    fit : ClusterFit
        :func:`~edubalance.analysis.clustering.models.fit_clusters`.
    profiles : DataFrame
        :func:`~edubalance.analysis.clustering.models.cluster_profiles` of the fit.
    stability : Stability, optional
        :func:`~edubalance.analysis.clustering.models.bootstrap_stability` of the fit.
    lang : {"zh", "en"}
        Language of the descriptions.

    Returns
    -------
    DataFrame
        ``cluster, size, share, description`` (and ``jaccard_mean, dissolved_share``).
    """
    table = pd.DataFrame({"cluster": np.arange(fit.k), "size": fit.sizes,
                          "share": fit.sizes / fit.sizes.sum()})
    table["description"] = table["cluster"].map(describe_clusters(profiles, lang=lang))
    if stability is not None:
        table = table.merge(stability.per_cluster[["cluster", "jaccard_mean",
                                                   "dissolved_share"]], on="cluster")
    return table


def cluster_table(labels, ids, profiles: pd.DataFrame, *, lang: str = "zh",
                  threshold: float = 0.5, max_terms: int = 3) -> pd.DataFrame:
    """One row per group of counties: name, size, share, profile in words, members.

    Parameters
    ----------
    labels : array-like of int
        Cluster of each unit (0-based), as ``ClusterFit.labels``.
    ids : array-like of str
        Unit names in the same order (e.g. county names).
    profiles : DataFrame
        ``cluster, feature, z`` per cluster and feature
        (``eb.analysis.clustering.models.cluster_profiles``).
    lang : {"zh", "en"}
        Language of the names and profiles.
    threshold, max_terms : float, int
        Features with ``|z| >= threshold`` describe a group, largest first, at most
        ``max_terms``.

    Returns
    -------
    DataFrame
        ``cluster, name, size, share, profile, members``; ``profile`` names features by their
        labels (:func:`edubalance.report.display.bare_label`), ``members`` joins the unit names with ``、`` (zh) or
        ``", "`` (en).

    Examples
    --------
    >>> profiles = pd.DataFrame({"cluster": [0, 0, 1, 1],
    ...                          "feature": ["gdp_per_capita_kcny", "urbanisation_pct"] * 2,
    ...                          "z": [1.2, 0.1, -0.9, 0.0]})
    >>> table = cluster_table([0, 1, 1], ["甲县", "乙县", "丙县"], profiles)
    >>> table[["name", "size", "profile", "members"]].values.tolist()
    [['第1类', 1, '人均GDP较高', '甲县'], ['第2类', 2, '人均GDP较低', '乙县、丙县']]
    """
    check_lang(lang)
    labels = np.asarray(labels, dtype=int)
    ids = pd.Series(np.asarray(ids), dtype=object).astype(str)
    if len(ids) != len(labels):
        raise ValueError(f"{len(ids)} ids for {len(labels)} cluster labels")
    separator = text("slides.list_separator", lang)
    traits = cluster_traits(profiles, threshold, max_terms)
    rows = []
    for cluster in sorted(set(labels.tolist())):
        strong = traits[traits["cluster"] == cluster]
        terms = [text("slides.cluster.high" if z > 0 else "slides.cluster.low", lang,
                      feature=bare_label(feature, lang))
                 for feature, z in zip(strong["feature"], strong["z"], strict=True)]
        members = ids[labels == cluster].tolist()
        rows.append({"cluster": cluster, "name": cluster_name(cluster, lang),
                     "size": len(members), "share": len(members) / len(labels),
                     "profile": separator.join(terms) if terms
                     else text("slides.cluster.average", lang),
                     "members": separator.join(members)})
    return pd.DataFrame(rows, columns=["cluster", "name", "size", "share", "profile", "members"])


def _named_clusters(analysis, lang: str) -> pd.DataFrame:
    """``analysis.clusters`` with each cluster's name, description and members in ``lang``."""
    clusters = analysis.clusters.copy()
    descriptions = describe_clusters(analysis.profiles, lang=lang)
    clusters.insert(1, "cluster_name", cluster_names(clusters["cluster"], lang))
    clusters.insert(4, "description", clusters["cluster"].map(descriptions))
    members = analysis.assignments.groupby("cluster")[analysis.id_column].agg(
        lambda names: text("domain.list_join", lang).join(map(str, names)))
    clusters["members"] = clusters["cluster"].map(members)
    return clusters


def analysis_summary(analysis, data_path: str | None = None, *,
                     lang: str | None = None) -> dict[str, Any]:
    """``summary.json`` of the clustering notebook: the analysis's data (``to_dict``), with words.

    Parameters
    ----------
    analysis : ClusteringAnalysis
        :func:`edubalance.analysis.clustering.analysis.run_clustering`.
    data_path : str, optional
        The data file, recorded in the summary.
    lang : {"zh", "en"}, optional
        Language of the names and descriptions (default: the analysis's ``lang``).

    Returns
    -------
    dict
        ``analysis.to_dict(data_path)`` plus ``descriptions`` and ``cluster_names`` (one per
        cluster, in order).
    """
    lang = check_lang(lang or analysis.lang)
    return {**analysis.to_dict(data_path),
            "descriptions": describe_clusters(analysis.profiles, lang=lang).tolist(),
            "cluster_names": cluster_names(range(analysis.k), lang)}


def analysis_tables(analysis, *, lang: str | None = None) -> dict[str, pd.DataFrame]:
    """The clustering notebook's tables, by file stem: the analysis's data, with words.

    Parameters
    ----------
    analysis : ClusteringAnalysis
        :func:`edubalance.analysis.clustering.analysis.run_clustering`.
    lang : {"zh", "en"}, optional
        Language of the names and descriptions (default: the analysis's ``lang``).

    Returns
    -------
    dict of DataFrame
        ``analysis.tables()`` with ``description`` added to ``profiles`` and ``clusters``
        given each cluster's name, description and members (:func:`describe_clusters`).
    """
    lang = check_lang(lang or analysis.lang)
    tables = analysis.tables()
    descriptions = describe_clusters(analysis.profiles, lang=lang)
    tables["profiles"] = tables["profiles"].assign(
        description=lambda t: t["cluster"].map(descriptions))
    tables["clusters"] = _named_clusters(analysis, lang).reset_index(drop=True)
    return tables
