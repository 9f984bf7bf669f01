"""edubalance.core.numeric.reason_numbers: one county's text is format_against_limit's."""
from __future__ import annotations

import numpy as np
import pytest

from edubalance.core.numeric import format_against_limit, reason_numbers


def _one_by_one(values, limits, digits):
    """The definition: format_against_limit per value, trailing zeros dropped."""
    values = np.asarray(values, dtype=float)
    limits = np.broadcast_to(np.asarray(limits, dtype=float), values.shape)
    texts = [format_against_limit(v, lim, digits) for v, lim in zip(values.ravel(),
                                                                    limits.ravel(),
                                                                    strict=True)]
    return [t.rstrip("0").rstrip(".") if "." in t else t for t in texts]


EDGES = [0.5000000000000001, 0.5, 0.4999999, 0.45012, 49.996, 50.0, 84.954, 85 - 1e-12,
         -0.0, -1e-9, 1e20, 2.675, 0.125, float("nan"), float("inf"), -float("inf")]


@pytest.mark.parametrize("digits", [1, 2, 3])
@pytest.mark.parametrize("limit", [0.5, 0.45, 50.0, 85.0, float("nan"), float("inf")])
def test_same_texts_as_one_value_at_a_time(digits, limit):
    rng = np.random.default_rng(digits)
    near = limit + rng.normal(0, 1e-3, 300) if np.isfinite(limit) else rng.random(300)
    values = np.concatenate([EDGES, near, np.round(rng.random(300) * 100, 3)])
    assert reason_numbers(values, limit, digits).tolist() == _one_by_one(values, limit, digits)


def test_per_value_limits_and_shapes():
    rng = np.random.default_rng(0)
    values, limits = rng.random((40, 3)), rng.random((40, 1))
    got = reason_numbers(values, limits, 2)
    assert got.shape == (40, 3) and got.dtype == object
    assert got.ravel().tolist() == _one_by_one(values, limits, 2)
    assert reason_numbers([], 0.5, 3).tolist() == []


def test_known_texts():
    assert reason_numbers([0.6, 84.954, 80.0, float("nan"), 0.5000000000000001],
                          [0.55, 85, 85, 1, 0.5], 1).tolist() == \
        ["0.6", "84.95", "80", "—", "0.5"]
