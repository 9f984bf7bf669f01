"""edubalance.cache.scored_year: the batch's shared work, cached by content, safe to share."""
from __future__ import annotations

import threading

import pandas as pd
import pytest

from edubalance import cache
from edubalance.scoring import score
from helpers import valid_schools


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "schools.csv"
    valid_schools().to_csv(path, index=False)
    return path


@pytest.fixture(autouse=True)
def fresh_memory():
    cache.clear_memory()
    yield
    cache.clear_memory()


def assert_same(got, expected):
    schools, result = got
    pd.testing.assert_frame_equal(schools, expected[0])
    for name in ("indicators", "cv", "compliance", "counties"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(expected[1], name))
    assert result.standard.name == expected[1].standard.name


def test_without_cache_dir_computes_directly(data, monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    schools = cache.load_schools(data)
    expected = (schools, score(schools[schools["year"] == 2017], "basic-2012"))
    assert_same(cache.scored_year(data, "basic-2012", 2017), expected)
    assert not any(tmp_path.glob("**/done.json"))


def test_cached_results_equal_computed_ones_and_are_copies(data, monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    expected = cache.scored_year(data, "quality-2017", 2017)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    first = cache.scored_year(data, "quality-2017", 2017)
    assert_same(first, expected)
    entry = next((tmp_path / "cache").glob("*/done.json")).parent
    assert (entry / "schools.parquet").is_file()  # Parquet where the round trip is exact
    first[0].loc[:, "teachers"] = -1  # a job changing its tables changes nobody else's
    first[1].cv.loc[:, "cv"] = -1.0
    assert_same(cache.scored_year(data, "quality-2017", 2017), expected)  # from memory
    cache.clear_memory()
    assert_same(cache.scored_year(data, "quality-2017", 2017), expected)  # from disk
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_key_follows_content_standard_and_year(data, tmp_path):
    key = cache.cache_key(data, "basic-2012", 2017)
    assert cache.cache_key(data, "basic-2012", 2016) != key
    assert cache.cache_key(data, "quality-2017", 2017) != key
    frame = valid_schools()
    frame.loc[0, "teachers"] = 21
    frame.to_csv(data, index=False)
    assert cache.cache_key(data, "basic-2012", 2017) != key


def test_concurrent_workers_compute_once(data, monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    calls = []
    original = cache._compute

    def counting(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(cache, "_compute", counting)
    results = []

    def worker():
        results.append(cache.scored_year(data, "basic-2012", 2017))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 3
    for result in results[1:]:
        assert_same(result, results[0])
