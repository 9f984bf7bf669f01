"""edubalance.core.numeric: comparisons with a limit, numbers shown against a limit, the
checks on values and weights, the official weighted CV (per group too), weighted quantiles."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from edubalance.core import numeric
from edubalance.errors import DataError


def test_a_value_within_rounding_error_of_its_limit_meets_it():
    # 1501 and 4503 m2 for 300 pupils each: CV 0.5 on paper, 0.5000000000000001 in binary
    per_pupil = np.array([1501 / 300, 4503 / 300])
    cv = per_pupil.std() / per_pupil.mean()
    assert cv > 0.5
    assert numeric.at_most(cv, 0.5) and not numeric.at_most(0.5001, 0.5)
    assert numeric.at_least([84.99, 85 - 1e-12, 85.0, np.nan], 85).tolist() == \
        [False, True, True, False]
    assert numeric.at_most([np.nan, 0.4], [0.5, 0.5]).tolist() == [False, True]


@pytest.mark.parametrize(("value", "limit", "digits", "shown"), [
    (84.954, 85, 1, "84.95"),       # "85.0" would read as meeting the limit
    (0.45012, 0.45, 2, "0.4501"),
    (86.2, 85, 1, "86.2"),
    (0.5000000000000001, 0.5, 3, "0.500"),  # equal up to rounding error: plain digits
    (49.996, 50, 2, "49.996"),      # 50.00 would carry the value across its limit
    (float("nan"), 1, 2, "—"),
    (None, 1, 2, "—"),
])
def test_format_against_limit_never_shows_a_value_as_its_limit(value, limit, digits, shown):
    assert numeric.format_against_limit(value, limit, digits) == shown


def test_digits_apart_and_reason_numbers():
    assert numeric.digits_apart(84.954, 85, 1) == 2
    assert numeric.digits_apart(1.0, 1.0, 3) == 3
    assert numeric.digits_apart(float("inf"), 1.0, 2) == 2
    assert numeric.digits_apart(1 + 1e-7, 1.0, 1, max_digits=4) == 4
    assert numeric.reason_numbers([0.6, 84.954, 80.0], [0.55, 85, 85], 1).tolist() == \
        ["0.6", "84.95", "80"]


def test_check_values_returns_floats_and_refuses_what_cannot_be_weighed():
    x, w = numeric.check_values([1, 2, 3])
    assert x.dtype == float and w.tolist() == [1.0, 1.0, 1.0]
    assert numeric.check_values([-1.0, 2.0], allow_negative=True)[0].tolist() == [-1.0, 2.0]
    assert np.isnan(numeric.check_values([np.nan, 1.0], allow_nan=True)[0][0])
    for values, weights, message in [([], None, "no values"),
                                     ([1, 2], [1], "differ in length"),
                                     ([1, np.nan], None, "NaN"),
                                     ([1, 2], [1, np.nan], "enrolment"),
                                     ([1, np.inf], None, "infinite"),
                                     ([1, 2], [1, -1], "weights must be non-negative"),
                                     ([1, -2], None, "found -2")]:
        with pytest.raises(DataError, match=message):
            numeric.check_values(values, weights)


def test_weighted_cv_by_hand():
    # values 2 and 6, 100 and 300 pupils: mean 5, variance (100*9 + 300*1)/400 = 3
    assert numeric.weighted_cv([2.0, 6.0], [100, 300]) == pytest.approx(math.sqrt(3) / 5)
    assert numeric.weighted_cv([1.0, 3.0]) == 0.5
    assert numeric.weighted_cv([7.0]) == 0.0
    assert numeric.weighted_cv([4.0, 4.0, 4.0], [1, 2, 3]) == 0.0
    with pytest.raises(DataError, match="no pupils"):
        numeric.weighted_cv([1.0, 2.0], [0, 0])
    with pytest.raises(DataError, match="mean is zero"):
        numeric.weighted_cv([0.0, 0.0])


def test_grouped_cv_to_frame_one_row_per_group():
    result = numeric.grouped_weighted_cv([1.0, 3.0, 5.0, np.nan], [0, 0, 1, 1],
                                         weights=[1, 1, 2, 2])
    frame = result.to_frame()
    assert frame.columns.tolist() == ["cv", "mean", "weight", "n_missing"]
    assert frame["cv"].tolist() == [0.5, 0.0]
    assert frame["mean"].tolist() == [2.0, 5.0]
    assert frame["weight"].tolist() == [2.0, 2.0] and frame["n_missing"].tolist() == [0, 1]
    with pytest.raises(ValueError, match="1-D"):
        numeric.grouped_weighted_cv(np.ones((2, 2)), [0, 1]).to_frame()


def test_weighted_quantile_is_the_quantile_of_pupils():
    # 2 pupils at 1, 1 pupil at 3, 1 at 4: the median pupil (2nd of 4) is at 1
    assert numeric.weighted_quantile([1, 2, 3, 4], 0.5, weights=[2, 0, 1, 1]) == 1.0
    records = np.repeat([10.0, 20.0, 30.0], [3, 1, 6])
    for q in (0.1, 0.3, 0.35, 0.5, 0.9, 1.0):
        expected = np.sort(records)[max(math.ceil(q * records.size) - 1, 0)]
        assert numeric.weighted_quantile([10, 20, 30], q, weights=[3, 1, 6]) == expected
    assert numeric.weighted_quantile([-3.0, 5.0], 0.0) == -3.0
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        numeric.weighted_quantile([1, 2], 1.5)


def test_resolve_random_state_and_the_former_seed_keyword():
    assert numeric.resolve_random_state(None) == numeric.DEFAULT_RANDOM_STATE == 0
    assert numeric.resolve_random_state(7) == 7
    with pytest.warns(DeprecationWarning, match="f: `seed` is renamed `random_state`"):
        assert numeric.resolve_random_state(None, seed=3, where="f") == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="not both"):
            numeric.resolve_random_state(1, seed=2)


def test_numeric_core_grouped_cv_matches_the_scalar_cv_per_group_and_column():
    rng = np.random.default_rng(3)
    values = rng.gamma(2.0, 3.0, size=(60, 3))
    values[5, 1] = np.nan
    weights = rng.integers(1, 500, 60).astype(float)
    codes = rng.integers(0, 4, 60)
    result = numeric.grouped_weighted_cv(values, codes, weights=weights, n_groups=5)
    for g in range(4):
        for j in range(3):
            rows = (codes == g) & ~np.isnan(values[:, j])
            x, w = values[rows, j], weights[rows]
            mean = np.sum(w * x) / w.sum()
            expected = math.sqrt(np.sum(w / w.sum() * (x - mean) ** 2)) / mean
            assert result.cv[g, j] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(result.cv[4]).all() and (result.weight[4] == 0).all()
    assert result.n_missing[codes[5], 1] == 1
