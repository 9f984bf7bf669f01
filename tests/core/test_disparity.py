"""Inequality measures against hand calculations, brute-force references and expanded records."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edubalance.core import disparity as d

# ----------------------------------------------------------------------------- references
# Brute-force definitions on unit (pupil) records, written independently of the module.


def gini_reference(x):
    x = np.asarray(x, float)
    return np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean())


def theil_reference(x):
    x = np.asarray(x, float)
    r = x / x.mean()
    return float(np.mean([v * math.log(v) if v > 0 else 0.0 for v in r]))


def atkinson_reference(x, epsilon):
    x = np.asarray(x, float)
    if epsilon == 1:
        ede = math.exp(np.mean(np.log(x)))
    else:
        ede = np.mean(x ** (1 - epsilon)) ** (1 / (1 - epsilon))
    return 1 - ede / x.mean()


def quantile_reference(x, p):
    return float(np.quantile(np.asarray(x, float), p, method="inverted_cdf"))


def mcloone_reference(x):
    x = np.sort(np.asarray(x, float))
    median = quantile_reference(x, 0.5)
    below = x[x < median]
    return 1.0 if below.size == 0 else below.sum() / (median * below.size)


# ----------------------------------------------------------------------------- hand values
def test_weighted_cv_keeps_the_official_worked_check():
    books, students = [279, 137, 935, 160, 402], [45, 37, 89, 76, 55]
    values = [b / s for b, s in zip(books, students, strict=True)]
    assert d.weighted_cv(values, students) == pytest.approx(0.515, abs=5e-4)
    assert d.weighted_cv(values) == pytest.approx(0.489, abs=5e-4)


def test_gini_hand_values():
    assert d.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    # [1, 2, 3, 4]: Σ|xi - xj| over ordered pairs = 20, 2 n² μ = 80.
    assert d.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert d.gini([7.5]) == 0.0
    assert d.gini([3, 3, 3]) == pytest.approx(0.0)


def test_gini_is_one_minus_twice_the_area_under_the_lorenz_curve():
    rng = np.random.default_rng(3)
    x, w = rng.gamma(2, 3, 40), rng.integers(1, 500, 40)
    curve = d.lorenz_curve(x, weights=w)
    area = np.trapezoid(curve["resource_share"], curve["pupil_share"])
    assert d.gini(x, weights=w) == pytest.approx(1 - 2 * area, rel=1e-9)
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]


def test_theil_hand_values_and_zero_convention():
    # [1, 3]: μ = 2, T = ½(½ ln ½ + 3/2 ln 3/2)
    assert d.theil([1, 3]).total == pytest.approx(0.5 * (0.5 * math.log(0.5)
                                                         + 1.5 * math.log(1.5)))
    assert d.theil([4, 4, 4, 4]).total == pytest.approx(0.0, abs=1e-15)
    # 0·ln 0 = 0: one school holds everything -> T = ln n.
    assert d.theil([0, 0, 0, 1]).total == pytest.approx(math.log(4))


def test_theil_decomposition_hand_values():
    values, groups = [1, 1, 2, 4], ["a", "a", "b", "b"]
    result = d.theil(values, groups=groups)
    # μ = 2; group a: μ=1, share 2/8, T=0; group b: μ=3, share 6/8, T=½(⅔ln⅔ + 4/3 ln 4/3)
    between = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    within = 0.75 * 0.5 * (2 / 3 * math.log(2 / 3) + 4 / 3 * math.log(4 / 3))
    assert result.between == pytest.approx(between)
    assert result.within == pytest.approx(within)
    assert result.between + result.within == pytest.approx(result.total, abs=1e-12)
    assert result.groups["resource_share"].sum() == pytest.approx(1.0)


def test_theil_without_groups_has_no_between_part():
    result = d.theil([1, 2, 5])
    assert result.between == 0.0 and result.within == result.total


def test_atkinson_known_values():
    assert d.atkinson([1, 4], epsilon=1) == pytest.approx(0.2)     # geometric mean 2
    assert d.atkinson([1, 4], epsilon=0.5) == pytest.approx(0.1)   # ((1 + 2) / 2)² = 2.25
    assert d.atkinson([1, 4], epsilon=2) == pytest.approx(0.36)    # harmonic mean 1.6
    assert d.atkinson([1, 4], epsilon=0) == pytest.approx(0.0)
    assert d.atkinson([0, 0, 0, 1], epsilon=0.5) == pytest.approx(0.75)


def test_atkinson_zero_values_with_epsilon_at_least_one_is_an_error():
    with pytest.raises(ValueError, match="epsilon"):
        d.atkinson([0, 1, 2], epsilon=1)
    with pytest.raises(ValueError, match="epsilon"):
        d.atkinson([0, 1, 2], epsilon=2)
    with pytest.raises(ValueError, match="epsilon"):
        d.atkinson([1, 2], epsilon=-0.5)


def test_mcloone_hand_values():
    assert d.mcloone([1, 2, 3, 4, 5]) == pytest.approx(0.5)   # (1 + 2) / (2 × 3)
    # Expanded [1, 2, 2, 3, 3, 3]: median 2 (3 of 6 pupils at <= 2); one pupil below: 1 / 2.
    assert d.mcloone([1, 2, 3], weights=[1, 2, 3]) == pytest.approx(1 / 2)
    assert d.mcloone([5, 5, 5]) == 1.0
    assert d.mcloone([9]) == 1.0


def test_ratios_hand_values():
    assert d.range_ratio([2, 3, 8]) == pytest.approx(4.0)
    assert d.range_ratio([2, 3, 8], weights=[5, 5, 0]) == pytest.approx(1.5)
    assert d.range_ratio([0, 3]) == math.inf
    assert d.p90_p10(list(range(1, 11))) == pytest.approx(9.0)
    assert d.federal_range_ratio(list(range(1, 21))) == pytest.approx(18.0)
    assert d.p90_p10([0, 0, 5]) == math.inf


def test_weighted_quantile_matches_numpy_inverted_cdf_on_expanded_records():
    rng = np.random.default_rng(11)
    x, w = rng.normal(10, 3, 25), rng.integers(1, 30, 25)
    expanded = np.repeat(x, w)
    for p in (0.0, 0.05, 0.1, 0.25, 0.5, 0.9, 0.95, 1.0):
        assert d.weighted_quantile(x, p, weights=w) == quantile_reference(expanded, p)


@pytest.mark.parametrize("bad, message", [
    ([1.0, float("nan")], "NaN"),
    ([0, 0, 0], "zero"),
    ([1, -2], "negative"),
    ([], "no values"),
])
def test_invalid_input_raises_a_clear_error(bad, message):
    for measure in (d.gini, d.mcloone, d.range_ratio, d.p90_p10, d.federal_range_ratio,
                    lambda v: d.theil(v).total, d.atkinson):
        with pytest.raises(ValueError, match=message):
            measure(bad)


def test_single_school_and_equal_values_have_documented_results():
    for values, weights in (([4.2], [300]), ([2.0, 2.0, 2.0], [10, 20, 30])):
        assert d.gini(values, weights=weights) == pytest.approx(0.0)
        assert d.theil(values, weights=weights).total == pytest.approx(0.0, abs=1e-15)
        assert d.atkinson(values, 0.5, weights=weights) == pytest.approx(0.0, abs=1e-12)
        assert d.atkinson(values, 1, weights=weights) == pytest.approx(0.0, abs=1e-12)
        assert d.mcloone(values, weights=weights) == 1.0
        assert d.range_ratio(values, weights=weights) == 1.0
        assert d.p90_p10(values, weights=weights) == 1.0
        assert d.federal_range_ratio(values, weights=weights) == 0.0


# ----------------------------------------------------------------------------- weighted == expanded
schools = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 6)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(schools)
def test_every_measure_equals_its_value_on_records_expanded_by_weight(rows):
    values = np.array([v for v, _ in rows], float) / 4
    weights = np.array([w for _, w in rows])
    if values.sum() == 0:
        values[0] = 1.0
    expanded = np.repeat(values, weights)
    assert d.gini(values, weights=weights) == pytest.approx(d.gini(expanded), abs=1e-12)
    assert d.gini(values, weights=weights) == pytest.approx(gini_reference(expanded), abs=1e-12)
    assert d.theil(values, weights=weights).total == pytest.approx(theil_reference(expanded), abs=1e-12)
    assert d.atkinson(values, 0.5, weights=weights) == pytest.approx(
        atkinson_reference(expanded, 0.5), abs=1e-12)
    assert d.mcloone(values, weights=weights) == pytest.approx(mcloone_reference(expanded), abs=1e-12)
    assert d.mcloone(values, weights=weights) == pytest.approx(d.mcloone(expanded), abs=1e-12)
    assert d.weighted_cv(values, weights) == pytest.approx(
        expanded.std() / expanded.mean(), abs=1e-12)
    assert d.range_ratio(values, weights=weights) == d.range_ratio(expanded)
    for p in (0.05, 0.1, 0.5, 0.9, 0.95):
        assert d.weighted_quantile(values, p, weights=weights) == quantile_reference(expanded, p)
    p5, p95 = quantile_reference(expanded, 0.05), quantile_reference(expanded, 0.95)
    expected = math.inf if p5 == 0 else (p95 - p5) / p5
    assert d.federal_range_ratio(values, weights=weights) == pytest.approx(expected)
    p10, p90 = quantile_reference(expanded, 0.1), quantile_reference(expanded, 0.9)
    assert d.p90_p10(values, weights=weights) == pytest.approx(math.inf if p10 == 0 else p90 / p10)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 40), st.integers(1, 6), st.sampled_from("urt")),
                min_size=1, max_size=12),
       st.sampled_from([1.0, 2.0]))
def test_decomposition_and_high_epsilon_on_expanded_records(rows, epsilon):
    values = np.array([v for v, _, _ in rows], float)
    weights = np.array([w for _, w, _ in rows])
    groups = [g for _, _, g in rows]
    expanded = np.repeat(values, weights)
    result = d.theil(values, weights=weights, groups=groups)
    expanded_result = d.theil(expanded, groups=np.repeat(groups, weights))
    assert result.between + result.within == pytest.approx(result.total, abs=1e-12)
    assert result.between == pytest.approx(expanded_result.between, abs=1e-12)
    assert result.within == pytest.approx(expanded_result.within, abs=1e-12)
    assert d.atkinson(values, epsilon, weights=weights) == pytest.approx(
        atkinson_reference(expanded, epsilon), abs=1e-12)


# ----------------------------------------------------------------------------- summary
@pytest.fixture
def school_frame():
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame({
        "county": rng.choice(["甲县", "乙县", "丙县", "丁县"], n),
        "urban_rural": rng.choice(["urban", "town", "rural"], n),
        "value": rng.gamma(3, 2, n).round(2),
        "students": rng.integers(0, 900, n),
    })
    frame.loc[frame.index[:5], "value"] = 0.0
    return frame


def test_summary_matches_the_scalar_functions_in_every_group(school_frame):
    table = d.summary(school_frame, "value", "students", "county", decompose_by="urban_rural")
    assert list(table["county"]) == sorted(school_frame["county"].unique())
    for _, row in table.iterrows():
        part = school_frame[school_frame["county"] == row["county"]]
        x, w = part["value"], part["students"]
        assert row["n_schools"] == int((w > 0).sum())
        assert row["students"] == w.sum()
        assert row["mean"] == pytest.approx((x * w).sum() / w.sum())
        assert row["cv"] == pytest.approx(d.weighted_cv(x, w))
        assert row["gini"] == pytest.approx(d.gini(x, weights=w))
        decomposition = d.theil(x, weights=w, groups=part["urban_rural"])
        assert row["theil"] == pytest.approx(decomposition.total)
        assert row["theil_between"] == pytest.approx(decomposition.between)
        assert row["theil_within"] == pytest.approx(decomposition.within)
        assert row["atkinson"] == pytest.approx(d.atkinson(x, 0.5, weights=w))
        assert row["mcloone"] == pytest.approx(d.mcloone(x, weights=w))
        assert row["range_ratio"] == pytest.approx(d.range_ratio(x, weights=w))
        assert row["p90_p10"] == pytest.approx(d.p90_p10(x, weights=w))
        assert row["federal_range_ratio"] == pytest.approx(d.federal_range_ratio(x, weights=w))
    cv = d.grouped_weighted_cv(school_frame, "value", "students", "county")
    assert table.set_index("county")["cv"].to_numpy() == pytest.approx(cv.to_numpy())


def test_summary_with_several_keys_and_undefined_groups_is_explicit():
    frame = pd.DataFrame({"county": ["a"] * 4 + ["b"] * 2, "level": ["junior"] * 6,
                          "x": [0, 0, 0, 1, 0, 0], "n": [1, 1, 1, 1, 10, 20]})
    table = d.summary(frame, "x", "n", ["county", "level"], epsilon=1.0)
    assert list(table.columns[:2]) == ["county", "level"]
    a, b = table.iloc[0], table.iloc[1]
    assert a["gini"] == pytest.approx(0.75)
    assert math.isnan(a["atkinson"]) and "atkinson undefined" in a["note"]
    assert math.isnan(b["gini"]) and b["note"] == "all values zero"
    assert b["students"] == 30


def test_summary_refuses_missing_values_unless_asked_to_drop(school_frame):
    school_frame.loc[school_frame.index[10], ["value", "students"]] = [np.nan, 50]
    with pytest.raises(ValueError, match="dropna"):
        d.summary(school_frame, "value", "students", "county")
    table = d.summary(school_frame, "value", "students", "county", dropna=True)
    assert table["gini"].notna().all()
    with pytest.raises(ValueError, match="not in the frame: valeu; did you mean value"):
        d.summary(school_frame, "valeu", "students", "county")
    with pytest.raises(ValueError, match="not in the frame"):
        d.summary(school_frame, "nope", "students", "county")


def test_indicator_summary_stacks_indicators_and_whole_frame_groups(school_frame):
    school_frame["other"] = school_frame["value"] ** 0.5
    table = d.indicator_summary(school_frame, ["value", "other"], "students", "county",
                                decompose_by="urban_rural")
    assert list(table.columns[:2]) == ["county", "indicator"]
    assert len(table) == 2 * school_frame["county"].nunique()
    for name in ("value", "other"):
        direct = d.summary(school_frame, name, "students", "county", decompose_by="urban_rural")
        stacked = table[table["indicator"] == name].drop(columns="indicator")
        pd.testing.assert_frame_equal(stacked.reset_index(drop=True), direct)
    whole = d.indicator_summary(school_frame, ["value"], "students", None,
                                decompose_by="urban_rural")
    assert whole["indicator"].tolist() == ["value"]
    x, w = school_frame["value"], school_frame["students"]
    assert whole.loc[0, "gini"] == pytest.approx(d.gini(x, weights=w))
    assert whole.loc[0, "theil_between"] == pytest.approx(
        d.theil(x, weights=w, groups=school_frame["urban_rural"]).between)
    assert whole.loc[0, "mean"] == pytest.approx((x * w).sum() / w.sum())


# ------------------------------------------------------------------ issue 14: numeric edge cases

def test_weighted_cv_rejects_negative_values_instead_of_a_negative_cv():
    from edubalance.errors import DataError

    with pytest.raises(DataError, match="non-negative"):
        d.weighted_cv([-5, -20])
    with pytest.raises(DataError, match="non-negative"):
        d.weighted_cv([3, -1], [10, 10])


def test_weighted_cv_rejects_infinite_values_with_a_value_error():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no RuntimeWarning and NaN: a clear error
        with pytest.raises(ValueError, match="infinite"):
            d.weighted_cv([1.0, math.inf])
        with pytest.raises(ValueError, match="infinite"):
            d.weighted_cv([1.0, 2.0], [1.0, math.inf])


def test_grouped_weighted_cv_does_not_drop_negative_weights():
    frame = pd.DataFrame({"county": ["a", "a", "b", "b"], "x": [1.0, 3.0, 2.0, 4.0],
                          "n": [10, 10, -5, 20]})
    with pytest.raises(ValueError, match="negative"):
        d.grouped_weighted_cv(frame, "x", "n", "county")


def test_grouped_weighted_cv_keeps_a_group_without_pupils():
    frame = pd.DataFrame({"county": ["a", "a", "b"], "x": [1.0, 3.0, 2.0], "n": [1, 1, 0]})
    cv = d.grouped_weighted_cv(frame, "x", "n", "county")
    assert cv.index.tolist() == ["a", "b"]
    assert cv["a"] == pytest.approx(0.5) and math.isnan(cv["b"])


def test_summary_reports_a_group_whose_schools_have_no_pupils():
    frame = pd.DataFrame({"county": ["a", "a", "b", "b", "c"], "x": [1.0, 3.0, 2.0, 5.0, 4.0],
                          "n": [10, 30, 0, 0, 5]})
    table = d.summary(frame, "x", "n", "county")
    assert table["county"].tolist() == ["a", "b", "c"]
    b = table.set_index("county").loc["b"]
    assert b["n_schools"] == 0 and b["students"] == 0 and b["note"] == "no pupils"
    assert math.isnan(b["cv"]) and math.isnan(b["gini"])
    a = table.set_index("county").loc["a"]
    assert a["cv"] == pytest.approx(d.weighted_cv([1.0, 3.0], [10, 30]))
    # A group whose pupils all lack a value, dropped on request, is reported too.
    frame.loc[4, "x"] = np.nan
    table = d.summary(frame, "x", "n", "county", dropna=True)
    assert table.set_index("county").loc["c", "note"] == "no values"
