"""Composite index pieces against hand calculations, published examples and scikit-learn."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from edubalance.core import composite as c

# SciPy, scikit-learn and statsmodels are imported inside the tests that use them: every
# pytest-xdist worker imports every test module to collect it (about 2 s for these three).


# ----------------------------------------------------------------------------- normalisation
def test_normalisations_against_hand_values_and_scipy():
    from scipy import stats

    x = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0]])
    assert c.normalise(x, "minmax").tolist() == [[0, 0], [1 / 3, 1], [1, 0.5]]
    assert c.normalise(x, "minmax", [True, False])[:, 1].tolist() == [1, 0, 0.5]
    assert c.normalise(x, "zscore") == pytest.approx(stats.zscore(x, ddof=1))
    assert c.normalise(x, "zscore", [False, True])[:, 0] == pytest.approx(
        -stats.zscore(x[:, 0], ddof=1))
    assert c.normalise(x, "rank").tolist() == [[1 / 3, 1 / 3], [2 / 3, 1], [1, 2 / 3]]
    assert c.normalise(x, "target", [True, False], targets=[2, 20]).tolist() == [
        [0.5, 2.0], [1.0, 2 / 3], [2.0, 1.0]]


def test_normalise_rejects_bad_input():
    with pytest.raises(ValueError, match="constant"):
        c.normalise([[1, 2], [1, 3]], "minmax")
    with pytest.raises(ValueError, match="missing"):
        c.normalise([[1, np.nan], [2, 3]], "minmax")
    with pytest.raises(ValueError, match="targets"):
        c.normalise([[1, 2], [2, 3]], "target")
    with pytest.raises(ValueError, match="unknown normalisation"):
        c.normalise([[1, 2], [2, 3]], "softmax")


# ----------------------------------------------------------------------------- weights
def test_entropy_weights_hand_computed():
    matrix = [[1, 2], [2, 2], [3, 4]]
    # Column 1: p = (1/6, 1/3, 1/2); column 2: p = (1/4, 1/4, 1/2); e_j = H(p) / ln 3.
    e1 = -(1 / 6 * math.log(1 / 6) + 1 / 3 * math.log(1 / 3) + 0.5 * math.log(0.5)) / math.log(3)
    e2 = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    assert (e1, e2) == pytest.approx((0.92062, 0.946395), abs=2e-6)
    expected = np.array([1 - e1, 1 - e2]) / (2 - e1 - e2)
    weights = c.entropy_weights(matrix)
    assert weights == pytest.approx(expected, abs=1e-12)
    assert weights == pytest.approx([0.5969, 0.4031], abs=1e-4)
    assert weights.sum() == pytest.approx(1.0)
    assert c.entropy_weights([[1, 1], [1, 3]]) == pytest.approx([0.0, 1.0])
    with pytest.raises(ValueError, match="uniform"):
        c.entropy_weights([[1, 2], [1, 2]])
    with pytest.raises(ValueError, match="non-negative"):
        c.entropy_weights([[-1, 2], [1, 2]])


def test_critic_weights_hand_computed():
    # sd = 0.5 for every column; r12 = 0.5, r13 = -0.5, r23 = -1
    # conflict = (2, 2.5, 3.5) -> weights (2, 2.5, 3.5) / 8
    weights = c.critic_weights([[0, 0, 1], [0.5, 1, 0], [1, 0.5, 0.5]])
    assert weights == pytest.approx([0.25, 0.3125, 0.4375])


def test_pca_weights_against_scikit_learn():
    from scipy import stats
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(5)
    base = rng.normal(size=(200, 2))
    matrix = np.column_stack([base[:, 0], base[:, 0] + 0.3 * rng.normal(size=200),
                              base[:, 1], base[:, 1] + rng.normal(size=200),
                              rng.normal(size=200)])
    z = stats.zscore(matrix, ddof=1)
    pca = PCA().fit(z)
    kept = pca.explained_variance_ > 1
    expected = (pca.components_[kept] ** 2).T @ pca.explained_variance_[kept]
    assert c.pca_weights(matrix) == pytest.approx(expected / expected.sum(), rel=1e-9)
    assert kept.sum() >= 2


# ----------------------------------------------------------------------------- TOPSIS
def test_topsis_against_a_published_weighted_normalised_matrix():
    # Sennaroğlu, Decision Analysis lecture (2009): x = (17,12), (10,9), (8,6), weights
    # 0.714 / 0.286; published weighted normalised matrix V:
    v = np.array([[0.5703, 0.2124], [0.3355, 0.1593], [0.2684, 0.1062]])
    best, worst = v.max(axis=0), v.min(axis=0)
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    published_closeness = d_worst / (d_best + d_worst)
    scores = c.topsis([[17, 12], [10, 9], [8, 6]], [0.714, 0.286])
    assert scores == pytest.approx(published_closeness, abs=2e-4)
    assert scores[1] == pytest.approx(0.262, abs=1e-3)


def test_topsis_with_a_cost_criterion_against_published_ideal_solutions():
    # R package MCDA, TOPSIS example (Corsa, Clio, Fiesta): price is a cost criterion, and the
    # documented positive / negative ideal solutions are given to nine digits.
    table = np.array([[5490, 51.4, 8.5, 285], [6500, 70.6, 7, 288], [6489, 54.3, 7.5, 290]])
    weights = np.array([0.35, 0.25, 0.25, 0.15])
    ideal = np.array([0.179573776, 0.171636015, 0.159499658, 0.087302767])
    anti_ideal = np.array([0.212610118, 0.124958799, 0.131352659, 0.085797547])
    v = table / np.sqrt((table**2).sum(axis=0)) * weights
    d_best = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - anti_ideal) ** 2).sum(axis=1))
    scores = c.topsis(table, weights, benefit=[False, True, True, True])
    assert scores == pytest.approx(d_worst / (d_best + d_worst), abs=1e-8)
    assert c.topsis(table, weights * 7, [False, True, True, True]) == pytest.approx(scores)


# ----------------------------------------------------------------------------- pipeline
@pytest.fixture
def counties():
    rng = np.random.default_rng(2017)
    frame = pd.DataFrame(rng.gamma(4, 1, size=(30, 5)), columns=list("abcde"))
    frame.insert(0, "county_name", [f"县{i}" for i in range(30)])
    # County 7 dominates every indicator.
    frame.loc[7, list("abcde")] = frame[list("abcde")].max() * 1.2
    return frame


@pytest.mark.parametrize("normalisation", ["minmax", "zscore", "rank"])
@pytest.mark.parametrize("weighting", ["equal", "entropy", "critic", "pca"])
@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric", "topsis"])
def test_dominating_county_ranks_first_under_every_method(counties, normalisation, weighting,
                                                          aggregation):
    result = c.composite_index(counties, list("abcde"), normalisation=normalisation,
                               weighting=weighting, aggregation=aggregation,
                               id_columns=["county_name"])
    assert result.table.loc[7, "rank"] == 1
    assert sorted(result.table["rank"]) == list(range(1, 31))
    assert result.weights.sum() == pytest.approx(1.0)


def test_arithmetic_index_by_hand_with_a_cost_indicator():
    frame = pd.DataFrame({"x": [1.0, 2.0, 5.0], "price": [10.0, 30.0, 20.0]})
    result = c.composite_index(frame, ["x", "price"], {"price": "cost"}, weighting="user",
                               weights={"x": 3, "price": 1})
    # min-max: x -> 0, .25, 1; price (cost) -> 1, 0, .5; weights .75 / .25
    assert result.table["score"].tolist() == pytest.approx([0.25, 0.1875, 0.875])
    assert result.table["rank"].tolist() == [2, 3, 1]
    geometric = c.aggregate([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], [0.5, 0.5], "geometric")
    # columns rescaled to [1, 100]: (1, 100), (100, 1), (50.5, 50.5)
    assert geometric == pytest.approx([10.0, 10.0, 50.5])


def test_pipeline_rejects_unknown_choices_and_missing_columns(counties):
    with pytest.raises(ValueError, match="unknown aggregation"):
        c.composite_index(counties, ["a", "b"], aggregation="median")
    with pytest.raises(ValueError, match="not in the frame"):
        c.composite_index(counties, ["a", "zz"])
    with pytest.raises(ValueError, match="'benefit' or 'cost'"):
        c.composite_index(counties, ["a", "b"], {"a": "up"})
    with pytest.raises(ValueError, match="needs weights"):
        c.composite_index(counties, ["a", "b"], weighting="user")


# ----------------------------------------------------------------------------- Monte-Carlo
def test_monte_carlo_is_deterministic_for_a_seed(counties):
    first = c.uncertainty_analysis(counties, list("abcde"), n_draws=200, random_state=3)
    again = c.uncertainty_analysis(counties, list("abcde"), n_draws=200, random_state=3)
    other = c.uncertainty_analysis(counties, list("abcde"), n_draws=200, random_state=4)
    pd.testing.assert_frame_equal(first.ranks, again.ranks)
    pd.testing.assert_frame_equal(first.sensitivity, again.sensitivity)
    assert not np.array_equal(first.rank_matrix, other.rank_matrix)


def test_monte_carlo_intervals_ranks_and_dominating_unit(counties):
    result = c.uncertainty_analysis(counties, list("abcde"), n_draws=1000, random_state=2017,
                                    id_columns=["county_name"])
    ranks = result.ranks
    assert len(ranks) == 30 and ranks["county_name"].tolist() == counties["county_name"].tolist()
    assert (ranks["rank_p05"] <= ranks["median_rank"]).all()
    assert (ranks["median_rank"] <= ranks["rank_p95"]).all()
    assert (result.rank_matrix[7] == 1).all()
    assert ranks.loc[7, ["nominal_rank", "median_rank", "rank_p05", "rank_p95"]].tolist() == [
        1, 1, 1, 1]
    # Every draw is a permutation of 1..n.
    assert (np.sort(result.rank_matrix, axis=0) == np.arange(1, 31)[:, None]).all()
    assert set(result.draws["aggregation"]) == {"arithmetic", "geometric", "topsis"}
    assert result.draws.filter(like="weight:").sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert result.sensitivity["first_order"].between(0, 1).all()
    assert set(result.sensitivity["factor"]) >= {"normalisation", "weighting", "aggregation",
                                                  "weight:a"}


def test_monte_carlo_draws_agree_with_the_single_index(counties):
    """A draw without weight noise gives exactly the ranks of composite_index."""
    result = c.uncertainty_analysis(counties, list("abcde"), n_draws=40, random_state=9,
                                    weight_noise=0.0)
    for draw in (0, 1, 2, 3):
        choice = result.draws.iloc[draw]
        single = c.composite_index(counties, list("abcde"),
                                   normalisation=choice["normalisation"],
                                   weighting=choice["weighting"],
                                   aggregation=choice["aggregation"])
        assert result.rank_matrix[:, draw].tolist() == single.table["rank"].tolist()


def test_a_fixed_choice_has_zero_first_order_index(counties):
    result = c.uncertainty_analysis(counties, list("abcde"), n_draws=300, random_state=1,
                                    normalisations=["minmax"], weightings=["equal", "entropy"],
                                    aggregations=["arithmetic"], weight_noise=0.0)
    sensitivity = result.sensitivity.set_index("factor")["first_order"]
    assert sensitivity["normalisation"] == 0.0 and sensitivity["aggregation"] == 0.0
    # Only the weighting varies (no noise): it explains all the variance of every rank.
    assert sensitivity["weighting"] == pytest.approx(1.0)


def test_first_order_indices_against_a_pandas_groupby_computation():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, 400)
    ranks = rng.integers(1, 10, size=(6, 400)) + 3 * codes
    per_unit, mean_index, pooled = c.first_order_indices(ranks, codes)
    expected = []
    for row in ranks:
        frame = pd.DataFrame({"rank": row, "code": codes})
        means = frame.groupby("code")["rank"].transform("mean")
        expected.append(np.var(means) / np.var(row))
    assert per_unit == pytest.approx(expected)
    assert mean_index == pytest.approx(np.mean(expected))
    assert 0 < pooled < 1


def test_thousand_draws_for_a_national_sized_matrix():
    # Its timing is measured in benchmarks/bench_composite.py, not asserted here.
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.lognormal(0, 0.4, size=(2850, 7)), columns=list("abcdefg"))
    result = c.uncertainty_analysis(frame, list("abcdefg"), n_draws=1000, random_state=1)
    assert result.rank_matrix.shape == (2850, 1000)
    assert (np.sort(result.rank_matrix[:, 0]) == np.arange(1, 2851)).all()


def test_results_show_a_short_repr_and_a_ranking_table(counties):
    result = c.composite_index(counties, list("abcde"), id_columns=["county_name"])
    assert repr(result) == "CompositeResult(table=30x3, weights=series(5), normalised=30x5)"
    summary = result.summary()
    assert summary["rank"].tolist() == list(range(1, 31))
    assert summary.loc[0, "county_name"] == counties.loc[7, "county_name"]  # the dominating one
    assert "<table" in result._repr_html_()
    ranks = c.uncertainty_analysis(counties, list("abcde"), n_draws=50, random_state=3)
    assert "rank_matrix" not in repr(ranks) and repr(ranks).startswith("UncertaintyResult(ranks=30x")
    assert ranks.summary()["median_rank"].is_monotonic_increasing


def test_an_unknown_indicator_gets_the_closest_column_as_a_hint(counties):
    with pytest.raises(ValueError, match=r"not in the frame: bb; did you mean b\?"):
        c.composite_index(counties, ["a", "bb"])
