"""edubalance.report.clusters: clusters in words, from the data the clustering returns."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis.clustering import analysis as ca
from edubalance.analysis.clustering import models as cl
from edubalance.report import clusters


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(0)
    units = pd.DataFrame({"county": [f"县{i}" for i in range(12)],
                          "books_per_student": np.r_[rng.normal(0, 1, 6), rng.normal(9, 1, 6)],
                          "urbanisation_pct": np.r_[rng.normal(0, 1, 6), rng.normal(9, 1, 6)]})
    return ca.run_clustering(units, id_column="county", k=2, k_range=[2, 4], n_bootstrap=5,
                             random_state=1)


def test_one_cluster_name_everywhere():
    # Formerly two definitions (第1类 and 第1组); the former places now serve the one in report.
    assert clusters.cluster_name(0) == "第1类" and clusters.cluster_name(1, "en") == "cluster 2"
    assert eb.report.figures.clustering.cluster_name is clusters.cluster_name
    for module in (eb.analysis.summaries, cl):
        with pytest.warns(DeprecationWarning, match="report.clusters.cluster_name"):
            assert module.cluster_name is clusters.cluster_name


def test_describe_clusters_in_both_languages():
    profiles = pd.DataFrame({"cluster": [0, 0, 1, 1],
                             "feature": ["teachers_per_100_students", "sports_area_per_student"] * 2,
                             "z": [-0.8, 1.2, 0.82, -0.85]})
    assert clusters.describe_clusters(profiles).tolist() == [
        "high sports space, low teachers", "low sports space, high teachers"]
    chinese = clusters.describe_clusters(profiles, lang="zh")
    assert chinese[0] == "生均体育运动场馆面积偏高、每百名学生拥有专任教师数偏低"
    assert clusters.describe_clusters(profiles.assign(z=0.1), lang="zh").tolist() == [
        "接近平均水平"] * 2
    assert clusters.describe_clusters(profiles, labels={"teachers_per_100_students": "T"})[0] \
        == "high sports space, low T"
    with pytest.warns(DeprecationWarning, match="report.clusters.describe_clusters"):
        assert cl.describe_clusters is clusters.describe_clusters


def test_the_analysis_is_data_and_report_adds_the_words(result):
    # The result holds no text: sizes, shares, stability and the strongest features.
    assert list(result.clusters.columns) == ["cluster", "size", "share", "jaccard_mean",
                                             "dissolved_share"]
    assert list(result.traits.columns) == ["cluster", "feature", "z"]
    assert "description" not in result.profiles and "descriptions" not in result.to_dict()
    summary = clusters.analysis_summary(result, "x.csv")
    assert summary["cluster_names"] == ["第1类", "第2类"] and summary["data_path"] == "x.csv"
    assert all("偏" in d for d in summary["descriptions"])
    english = clusters.analysis_summary(result, lang="en")
    assert english["cluster_names"] == ["cluster 1", "cluster 2"]
    tables = clusters.analysis_tables(result)
    named = tables["clusters"]
    assert list(named.columns) == ["cluster", "cluster_name", "size", "share", "description",
                                   "jaccard_mean", "dissolved_share", "members"]
    assert sorted("、".join(named["members"]).split("、")) == sorted(f"县{i}" for i in range(12))
    assert tables["profiles"]["description"].notna().all()


def test_descriptions_of_the_analysis_are_a_deprecated_view(result):
    with pytest.warns(DeprecationWarning, match="describe_clusters"):
        descriptions = result.descriptions
    assert descriptions.tolist() == clusters.describe_clusters(result.profiles, lang="zh").tolist()


def test_cluster_summary_has_words_and_stability(result):
    table = clusters.cluster_summary(result.fit, result.profiles, result.stability, lang="zh")
    assert table["size"].sum() == 12 and {"description", "jaccard_mean"} <= set(table.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            cl.no_such_name  # noqa: B018


def test_lang_is_checked_below_the_report_layer():
    assert eb.report.i18n.check_lang is eb.schema.check_lang
    with pytest.raises(eb.errors.ParameterError, match="not supported"):
        ca.check_clustering_parameters({"lang": "fr"})
