"""edubalance.run.cache hands each job copies that share memory until written (copy-on-write):
whatever a job does to its tables, the next job of the same warm kernel sees the original."""
from __future__ import annotations

import pandas as pd
import pytest

from edubalance.run import cache
from helpers import valid_schools


@pytest.fixture
def cached(tmp_path, monkeypatch):
    path = tmp_path / "schools.csv"
    valid_schools().to_csv(path, index=False)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cache.clear_memory()
    yield path
    cache.clear_memory()


def test_every_kind_of_change_stays_in_the_job_that_made_it(cached):
    schools, result = cache.scored_year(cached, "basic-2012", 2017)
    original_schools = schools.copy(deep=True)
    original_cv = result.cv.copy(deep=True)
    original_indicators = result.indicators.copy(deep=True)
    schools["added"] = 1                                   # a new column
    schools.iloc[0, schools.columns.get_loc("students_primary")] = -5   # one cell
    del schools["teachers"]                                # a dropped column
    result.cv.loc[:, "cv"] = 9.0                           # a whole column through .loc
    result.indicators.loc[:, "school_name"] = "x"          # a text column
    result.indicators.index = range(1, len(result.indicators) + 1)   # the index
    again_schools, again = cache.scored_year(cached, "basic-2012", 2017)   # from memory
    pd.testing.assert_frame_equal(again_schools, original_schools)
    pd.testing.assert_frame_equal(again.cv, original_cv)
    pd.testing.assert_frame_equal(again.indicators, original_indicators)


def test_a_job_cannot_write_through_numpy_views(cached):
    schools, _ = cache.scored_year(cached, "basic-2012", 2017)
    values = schools["books"].to_numpy()
    if values.flags.writeable:   # pandas without copy-on-write: a deep copy was handed out
        values[:] = -1
    again, _ = cache.scored_year(cached, "basic-2012", 2017)
    assert (again["books"] >= 0).all()
