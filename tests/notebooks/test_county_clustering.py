"""notebooks/county_clustering.ipynb run by papermill on the sample counties."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import execute_notebook_once

# SciPy, scikit-learn and statsmodels are imported inside the tests that use them: every
# pytest-xdist worker imports every test module to collect it (about 2 s for these three).

pytestmark = pytest.mark.notebooks
N_BOOTSTRAP = 30

RESOURCE_FEATURES = [
    "spending_per_student_kcny", "gdp_per_capita_kcny", "urbanisation_pct",
    "teachers_per_100_students", "teaching_area_per_student", "sports_area_per_student",
    "equipment_value_per_student", "computers_per_100_students", "books_per_student",
]


@pytest.fixture(scope="module")
def counties_2017(sample_dir):
    frame = pd.read_csv(sample_dir / "counties.csv", dtype={"county_code": str})
    return frame[frame["year"] == 2017].reset_index(drop=True)


def read_outputs(output_dir):
    summary = json.loads((output_dir / "summary.json").read_text(encoding="utf-8"))
    tables = {stem: pd.read_csv(output_dir / f"{stem}.csv", encoding="utf-8-sig",
                                dtype={"county_code": str})
              for stem in ("assignments", "k_selection", "profiles", "stability")}
    return summary, tables


def standardised(frame, features):
    values = frame[features].astype(float)
    return (values - values.mean()) / values.std(ddof=1)


def within_ss_by_hand(z, clusters):
    return float(((z - z.groupby(clusters).transform("mean")) ** 2).to_numpy().sum())


def test_default_run_on_sample(tmp_path, counties_2017):
    # Defaults but a smaller stability bootstrap (the runs it counts are checked below).
    from sklearn.metrics import silhouette_score

    output_dir = execute_notebook_once("county_clustering", tmp_path, n_bootstrap=N_BOOTSTRAP)
    summary, tables = read_outputs(output_dir)
    assignments = tables["assignments"]

    assert list(assignments.columns) == ["county_name", "cluster"]
    assert sorted(assignments["county_name"]) == sorted(counties_2017["county_name"])
    assert assignments["county_name"].is_unique and len(assignments) == 22
    k = summary["k"]
    assert summary["method"] == "kmeans" and summary["features"] == RESOURCE_FEATURES
    assert sorted(assignments["cluster"].unique()) == list(range(k))
    # k = "auto": the gap rule applied to the written k_selection table gives the same k
    selection = tables["k_selection"]
    assert selection["k"].tolist() == list(range(2, 11))
    gap, se = selection["gap"].to_numpy(), selection["gap_se"].to_numpy()
    met = np.flatnonzero(gap[:-1] >= gap[1:] - se[1:])
    assert k == (selection["k"][met[0]] if met.size else 10) == summary["k_recommended"]

    # total_within_ss and silhouette recomputed from the assignments on the z-scores (ddof=1)
    merged = counties_2017.merge(assignments, on="county_name")
    z = standardised(merged, RESOURCE_FEATURES)
    assert summary["total_within_ss"] == pytest.approx(within_ss_by_hand(z, merged["cluster"]),
                                                       rel=1e-9)
    assert summary["silhouette"] == pytest.approx(silhouette_score(z, merged["cluster"]),
                                                  rel=1e-9)

    profiles = tables["profiles"]
    assert len(profiles) == k * len(RESOURCE_FEATURES)
    books = profiles[profiles["feature"] == "books_per_student"].set_index("cluster")
    by_hand = merged.groupby("cluster")["books_per_student"]
    np.testing.assert_allclose(books["mean"], by_hand.mean())
    np.testing.assert_allclose(books["median"], by_hand.median())
    np.testing.assert_allclose(books["size"], by_hand.size())
    assert books["description"].notna().all()

    stability = tables["stability"]
    assert stability["cluster"].tolist() == list(range(k))
    assert stability["jaccard_mean"].between(0, 1).all()
    assert stability["runs"].max() == N_BOOTSTRAP == summary["n_bootstrap"]
    for figure in ("k_selection", "pca_biplot", "profile_heatmap", "stability"):
        assert (output_dir / f"{figure}.png").stat().st_size > 10_000
    by_prefecture = pd.read_csv(output_dir / "by_prefecture.csv", encoding="utf-8-sig")
    assert by_prefecture.set_index("prefecture").loc["total", "total"] == 22
    # Chinese by default: cluster names and descriptions in the summary.
    assert summary["lang"] == "zh"
    assert summary["cluster_names"] == [f"第{c + 1}类" for c in range(k)]
    assert all(("偏高" in d or "偏低" in d or d == "接近平均水平")
               for d in summary["descriptions"])


def test_ward_fixed_k_on_all_numeric_columns(tmp_path, sample_dir, counties_2017):
    # The notebook's analysis, called as the notebook calls it, written by the same helper
    # (no second kernel: the notebook itself runs once, above).
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import adjusted_rand_score

    import edubalance as eb

    table = eb.analysis.clustering.models.load_unit_table(sample_dir / "counties.csv")
    analysis = eb.analysis.clustering.analysis.run_clustering(
        table, id_column="county_code", features=[], k=3, k_range=[2, 5], method="ward",
        n_bootstrap=100, random_state=2017, year=2017)
    output_dir = tmp_path / "ward"
    eb.run.notebook.write_results(output_dir, summary=analysis.to_dict(),
                              tables=analysis.tables())
    summary, tables = read_outputs(output_dir)
    expected_features = [c for c in counties_2017.select_dtypes("number").columns
                         if c not in ("year", "year_basic_balance")
                         and counties_2017[c].nunique() > 1]
    assert "basic_balance_reached" not in expected_features  # all 1 in 2017: constant
    assert summary["features"] == expected_features
    assert summary["k"] == 3 and summary["method"] == "ward"
    assignments = tables["assignments"]
    assert list(assignments.columns) == ["county_code", "cluster"]
    merged = counties_2017.merge(assignments, on="county_code")
    z = standardised(merged, expected_features)
    reference = fcluster(linkage(z.to_numpy(), "ward"), 3, "maxclust")
    assert adjusted_rand_score(reference, merged["cluster"]) == 1.0
    assert summary["total_within_ss"] == pytest.approx(within_ss_by_hand(z, merged["cluster"]),
                                                       rel=1e-9)
    assert tables["k_selection"]["k"].tolist() == [2, 3, 4, 5]
