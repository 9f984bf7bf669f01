"""edubalance.analysis.clustering.models against independent references (R's scale, scikit-learn, hand sums)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edubalance.analysis.clustering import models as cl

# SciPy, scikit-learn and statsmodels are imported inside the tests that use them: every
# pytest-xdist worker imports every test module to collect it (about 2 s for these three).


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    data = load_iris()
    return data.data, data.target


def separated_blobs(k, n=150, p=2, seed=0):
    from sklearn.datasets import make_blobs

    angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
    centres = np.zeros((k, p))
    centres[:, 0], centres[:, 1] = 12 * np.cos(angles), 12 * np.sin(angles)
    return make_blobs(n, p, centers=centres, cluster_std=1.0, random_state=seed)


# ------------------------------------------------------------------ standardisation


# ------------------------------------------------------------------ features, reading


# ------------------------------------------------------------------ fitting

def test_kmeans_on_iris_matches_published_agreement(iris):
    # k-means (k=3) on iris agrees with the species at ARI 0.620 on standardised data and
    # 0.730 on the raw measurements (the well-known values; e.g. scikit-learn's examples).
    from sklearn.metrics import adjusted_rand_score

    x, species = iris
    z, _, _ = cl.standardize(x)
    standardized = cl.fit_clusters(z, 3, "kmeans", random_state=0)
    raw = cl.fit_clusters(x, 3, "kmeans", random_state=0)
    assert adjusted_rand_score(species, standardized.labels) == pytest.approx(0.6201, abs=0.001)
    assert adjusted_rand_score(species, raw.labels) == pytest.approx(0.7302, abs=0.001)


def test_within_ss_and_centres_match_scikit_learn(iris):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    x, _ = iris
    z, _, _ = cl.standardize(x)
    fit = cl.fit_clusters(z, 3, "kmeans", random_state=0)
    reference = KMeans(3, n_init=10, random_state=0).fit(z)
    assert fit.total_within_ss == pytest.approx(reference.inertia_, rel=1e-9)
    # same partition, renumbered by size
    assert adjusted_rand_score(reference.labels_, fit.labels) == 1.0
    assert np.bincount(fit.labels).tolist() == sorted(np.bincount(reference.labels_),
                                                      reverse=True)
    np.testing.assert_allclose(np.sort(fit.centres_standardized.to_numpy(), axis=0),
                               np.sort(reference.cluster_centers_, axis=0), atol=1e-9)


def test_centres_on_both_scales_with_prepared_features(iris):
    x, _ = iris
    frame = pd.DataFrame(x, columns=["sl", "sw", "pl", "pw"]).assign(
        flower=[f"f{i}" for i in range(len(x))])
    prepared = cl.prepare_features(frame, [], "flower")
    fit = cl.fit_clusters(prepared, 3, "ward")
    by_hand = frame.groupby(fit.labels)[["sl", "sw", "pl", "pw"]].mean()
    np.testing.assert_allclose(fit.centres_original.to_numpy(), by_hand.to_numpy())
    # standardised centre = (original centre - mean) / sd for untransformed features
    np.testing.assert_allclose(fit.centres_standardized.to_numpy(),
                               ((by_hand - frame[by_hand.columns].mean())
                                / frame[by_hand.columns].std(ddof=1)).to_numpy())
    assignments = fit.assignments()
    assert list(assignments.columns) == ["flower", "cluster"]
    assert assignments["flower"].tolist() == frame["flower"].tolist()


def test_ward_matches_scipy_and_total_within_ss_is_standardised():
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import adjusted_rand_score

    x, _ = separated_blobs(3, n=60)
    x[:, 1] *= 100  # different units: raw clustering would differ
    frame = pd.DataFrame(x, columns=["a", "b"])
    prepared = cl.prepare_features(frame, [], None, standardize_features=False)
    fit = cl.fit_clusters(prepared, 3, "ward")
    reference = fcluster(linkage(x, "ward"), 3, "maxclust")
    assert adjusted_rand_score(reference, fit.labels) == 1.0
    z = prepared.standardized.to_numpy()
    assert fit.total_within_ss == pytest.approx(cl.within_ss(z, fit.labels))
    assert fit.within_ss_clustering_scale == pytest.approx(cl.within_ss(x, fit.labels))


def test_within_ss_by_hand():
    x = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 1.0], [10.0, 3.0], [10.0, 5.0]])
    # cluster a: mean (1, 0): 1 + 1; cluster b: mean (10, 3): 4 + 0 + 4
    assert cl.within_ss(x, ["a", "a", "b", "b", "b"]) == pytest.approx(10.0)


@pytest.mark.parametrize("method", cl.METHODS)
def test_each_method_recovers_separated_blobs(method):
    from sklearn.metrics import adjusted_rand_score

    x, truth = separated_blobs(4, n=120)
    fit = cl.fit_clusters(x, 4, method, random_state=3)
    assert adjusted_rand_score(truth, fit.labels) == 1.0
    assert fit.labels.min() == 0 and fit.labels.max() == 3
    assert list(fit.sizes) == sorted(fit.sizes, reverse=True)


def test_fit_clusters_validates():
    x, _ = separated_blobs(3, n=30)
    with pytest.raises(ValueError, match="method="):
        cl.fit_clusters(x, 3, "dbscan")
    with pytest.raises(ValueError, match="between 2 and n - 1"):
        cl.fit_clusters(x, 30, "kmeans")
    with pytest.raises(ValueError, match="between 2 and n - 1"):
        cl.fit_clusters(x, 1, "kmeans")


def test_determinism_for_a_seed():
    from sklearn.datasets import make_blobs

    x, _ = make_blobs(200, 4, centers=4, cluster_std=3.0, random_state=5)
    runs = []
    for _ in range(2):
        selection = cl.choose_k(x, (2, 6), "kmeans", random_state=11, n_references=5)
        fit = cl.fit_clusters(x, 4, "gmm", random_state=11)
        stability = cl.bootstrap_stability(x, fit.labels, "gmm", n_bootstrap=10, random_state=11)
        runs.append((selection, fit, stability))
    (s1, f1, b1), (s2, f2, b2) = runs
    pd.testing.assert_frame_equal(s1.table, s2.table)
    np.testing.assert_array_equal(f1.labels, f2.labels)
    pd.testing.assert_frame_equal(b1.per_run, b2.per_run)


# ------------------------------------------------------------------ choosing k

@pytest.mark.parametrize("true_k", [3, 4])
def test_gap_statistic_finds_true_k(true_k):
    from sklearn.datasets import make_blobs

    x, _ = make_blobs(200, 2, centers=true_k, cluster_std=0.6, center_box=(-15, 15),
                      random_state=7)
    selection = cl.choose_k(x, (2, 7), "kmeans", random_state=0, n_references=10)
    assert selection.criterion == "gap" and "Tibshirani" in selection.rule
    assert selection.recommended_k == true_k
    assert selection.recommendations["silhouette"] == true_k
    table = selection.table.set_index("k")
    assert table.loc[true_k, "gap_rule_met"]
    assert not table.loc[2:true_k - 1, "gap_rule_met"].any()
    # s_k = sd_k * sqrt(1 + 1/B) is positive; Gap(k) = E log W* - log W
    assert (table["gap_se"] > 0).all()
    np.testing.assert_allclose(table["gap"], table["expected_log_w"] - np.log(
        table["total_within_ss"]))


def test_choose_k_indices_match_scikit_learn():
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    x, _ = separated_blobs(3, n=90)
    table = cl.choose_k(x, (2, 4), "ward", n_references=3).table.set_index("k")
    for k in (2, 3, 4):
        labels = fcluster(linkage(x, "ward"), k, "maxclust")
        assert table.loc[k, "silhouette"] == pytest.approx(silhouette_score(x, labels))
        assert table.loc[k, "calinski_harabasz"] == pytest.approx(
            calinski_harabasz_score(x, labels))
        assert table.loc[k, "davies_bouldin"] == pytest.approx(davies_bouldin_score(x, labels))


def test_silhouette_subsample_is_reported():
    x, _ = separated_blobs(3, n=300)
    selection = cl.choose_k(x, (2, 4), "kmeans", n_references=3, silhouette_max_full=100,
                            silhouette_sample_size=120)
    assert "subsample of 120 of 300" in selection.silhouette_note
    assert selection.table.loc[selection.table["k"] == 3, "silhouette"].item() > 0.8


def test_gap_rule_by_hand():
    assert cl.gap_statistic_choice([2, 3, 4], [0.5, 0.52, 0.53], [0.05] * 3) == (2, True)
    assert cl.gap_statistic_choice([2, 3, 4], [0.2, 0.5, 0.52], [0.05] * 3) == (3, True)
    assert cl.gap_statistic_choice([2, 3, 4], [0.1, 0.3, 0.6], [0.01] * 3) == (4, False)


def test_other_criteria_and_validation():
    x, _ = separated_blobs(3, n=90)
    for criterion in cl.CRITERIA:
        selection = cl.choose_k(x, (2, 6), "kmeans", n_references=3, criterion=criterion)
        assert selection.recommended_k == 3, criterion
    with pytest.raises(ValueError, match="criterion"):
        cl.choose_k(x, (2, 6), criterion="bic")
    with pytest.raises(ValueError, match="k_range"):
        cl.choose_k(x, (2, 90))


# ------------------------------------------------------------------ stability

def test_jaccard_is_one_for_separated_blobs():
    x, _ = separated_blobs(3, n=90)
    fit = cl.fit_clusters(x, 3, "kmeans", random_state=0)
    stability = cl.bootstrap_stability(x, fit.labels, "kmeans", n_bootstrap=20, random_state=1)
    np.testing.assert_allclose(stability.per_cluster["jaccard_mean"], 1.0)
    assert stability.ari_mean == pytest.approx(1.0)
    np.testing.assert_allclose(stability.point_stability, 1.0)
    assert (stability.per_cluster["dissolved_share"] == 0).all()


def test_jaccard_is_lower_for_one_random_blob():
    x = np.random.default_rng(4).normal(size=(90, 2))
    fit = cl.fit_clusters(x, 3, "kmeans", random_state=0)
    stability = cl.bootstrap_stability(x, fit.labels, "kmeans", n_bootstrap=20, random_state=1)
    assert stability.per_cluster["jaccard_mean"].max() < 0.9
    assert stability.ari_mean < 0.8


def test_jaccard_matches_a_set_based_clusterboot():
    # Independent reimplementation with Python sets, Ward (deterministic), the same draws.
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.datasets import make_blobs

    x, _ = make_blobs(40, 2, centers=3, cluster_std=2.5, random_state=2)
    fit = cl.fit_clusters(x, 3, "ward")
    stability = cl.bootstrap_stability(x, fit.labels, "ward", n_bootstrap=5, random_state=9)
    draws = np.random.default_rng(9).integers(0, len(x), size=(5, len(x)))
    expected = np.zeros((5, 3))
    for run, draw in enumerate(draws):
        boot = fcluster(linkage(x[draw], "ward"), 3, "maxclust")
        boot_sets = {}
        for unit, label in zip(draw, boot, strict=True):
            boot_sets.setdefault(label, set()).add(unit)
        for c in range(3):
            original = {u for u in set(draw) if fit.labels[u] == c}
            expected[run, c] = max(len(original & b) / len(original | b)
                                   for b in boot_sets.values())
    np.testing.assert_allclose(stability.per_run[["jaccard_0", "jaccard_1", "jaccard_2"]],
                               expected)
    np.testing.assert_allclose(stability.per_cluster["jaccard_mean"], expected.mean(axis=0))


def test_bootstrap_validates():
    x, _ = separated_blobs(3, n=30)
    with pytest.raises(ValueError, match="n_bootstrap"):
        cl.bootstrap_stability(x, np.zeros(30, int), n_bootstrap=0)
    with pytest.raises(ValueError, match="labels has 3 entries"):
        cl.bootstrap_stability(x, [0, 1, 1])


# ------------------------------------------------------------------ profiles

def test_profiles_by_hand_and_description():
    frame = pd.DataFrame({"teachers_per_100_students": [6.0, 7.0, 9.0, 10.0],
                          "sports_area_per_student": [12.0, 10.0, 3.0, 2.0]})
    profiles = cl.cluster_profiles(frame, [0, 0, 1, 1])
    row = profiles.set_index(["cluster", "feature"]).loc[(0, "teachers_per_100_students")]
    sd = np.std([6, 7, 9, 10], ddof=1)
    assert row["mean"] == 6.5 and row["median"] == 6.5 and row["size"] == 2
    assert row["z"] == pytest.approx((6.5 - 8.0) / sd)
    traits = cl.cluster_traits(profiles)
    # The strongest features, largest |z| first: 0.85 before 0.82 in cluster 1.
    assert traits[["cluster", "feature"]].values.tolist() == [
        [0, "sports_area_per_student"], [0, "teachers_per_100_students"],
        [1, "sports_area_per_student"], [1, "teachers_per_100_students"]]
    assert (traits["z"].abs() >= 0.5).all()
    assert cl.cluster_traits(profiles, max_terms=1)["feature"].tolist() == [
        "sports_area_per_student"] * 2
    assert cl.cluster_traits(profiles.assign(z=0.1)).empty


def test_cluster_summary_and_crosstab():
    from edubalance.report import clusters as eb_clusters

    x, _ = separated_blobs(3, n=30)
    frame = pd.DataFrame(x, columns=["a", "b"]).assign(prefecture=["银川市", "吴忠市"] * 15)
    prepared = cl.prepare_features(frame, ["a", "b"])
    fit = cl.fit_clusters(prepared, 3)
    profiles = cl.cluster_profiles(prepared.original, fit.labels, prepared.standardized)
    stability = cl.bootstrap_stability(prepared, fit.labels, n_bootstrap=5)
    summary = eb_clusters.cluster_summary(fit, profiles, stability)
    assert summary["size"].sum() == 30 and summary["share"].sum() == pytest.approx(1.0)
    assert {"description", "jaccard_mean"} <= set(summary.columns)
    table = cl.crosstab_clusters(frame, fit.labels, "prefecture")
    assert table.loc["total", "total"] == 30
    np.testing.assert_allclose(profiles["centre_standardized"],
                               fit.centres_standardized.stack().to_numpy())


def test_seed_is_still_accepted_as_the_former_name_of_random_state():
    x, _ = separated_blobs(3, n=60)
    with pytest.warns(DeprecationWarning, match="random_state"):
        old = cl.fit_clusters(x, 3, seed=4)
    new = cl.fit_clusters(x, 3, random_state=4)
    assert (old.labels == new.labels).all() and old.seed == 4
