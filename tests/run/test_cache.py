"""edubalance.run.cache.scored_year: the batch's shared work, cached by content, safe to share."""
from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from edubalance.core.scoring import score
from edubalance.run import cache
from helpers import imported_by, valid_schools


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "schools.csv"
    valid_schools().to_csv(path, index=False)
    return path


# Each test starts and ends with the package's in-memory scoring cache empty (conftest).
pytestmark = pytest.mark.usefixtures("fresh_cache_memory")


def assert_same(got, expected):
    schools, result = got
    pd.testing.assert_frame_equal(schools, expected[0])
    for name in ("indicators", "cv", "compliance", "counties"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(expected[1], name))
    assert result.standard.name == expected[1].standard.name


def test_without_cache_dir_computes_directly(data, monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    schools = cache.load_schools_with_options(data)
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
    assert (entry / "schools.arrow").is_file()  # Arrow where the round trip is exact
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


def test_cache_holds_no_pickle_and_recomputes_a_tampered_or_corrupt_entry(data, monkeypatch,
                                                                          tmp_path):
    import pickle

    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    expected = cache.scored_year(data, "basic-2012", 2017)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cache.scored_year(data, "basic-2012", 2017)
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".arrow", ".json", ".lock"}
    assert not [p for p in files if p.read_bytes()[:1] == b"\x80"]  # no pickle stream
    entry = next((tmp_path / "cache").glob("*/done.json")).parent

    def refuse(*args, **kwargs):
        raise AssertionError("the cache unpickled something")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pd, "read_pickle", refuse)
    calls = []
    original = cache._compute
    monkeypatch.setattr(cache, "_compute", lambda *a: calls.append(a) or original(*a))

    cache.clear_memory()  # untouched files: read back, not computed
    assert_same(cache.scored_year(data, "basic-2012", 2017), expected)
    assert calls == []
    # Tampered: a valid Arrow file with other numbers -> not trusted, computed again.
    cv = pd.read_feather(entry / "cv.arrow")
    cv["cv"] = 0.0
    cv.to_feather(entry / "cv.arrow")
    cache.clear_memory()
    assert_same(cache.scored_year(data, "basic-2012", 2017), expected)
    assert len(calls) == 1
    # Corrupt: a truncated table, then a description that is not JSON.
    cache.clear_memory()
    data_bytes = (entry / "counties.arrow").read_bytes()
    (entry / "counties.arrow").write_bytes(data_bytes[: len(data_bytes) // 2])
    assert_same(cache.scored_year(data, "basic-2012", 2017), expected)
    cache.clear_memory()
    (entry / "done.json").write_text("{not json", encoding="utf-8")
    assert_same(cache.scored_year(data, "basic-2012", 2017), expected)
    assert len(calls) == 3
    cache.clear_memory()  # each recomputation wrote a good entry again
    assert_same(cache.scored_year(data, "basic-2012", 2017), expected)
    assert len(calls) == 3


def test_a_year_the_data_lack_is_named(tmp_path, monkeypatch):
    """Issue 30: not 'no school sections with pupils to score'."""
    from edubalance.errors import DataError
    from edubalance.run.cache import scored_year
    from helpers import valid_schools

    monkeypatch.delenv("EDUBALANCE_CACHE_DIR", raising=False)
    path = tmp_path / "schools.csv"
    valid_schools().to_csv(path, index=False)
    with pytest.raises(DataError, match="no schools for year 2030; the data have year 2017"):
        scored_year(path, "basic-2012", 2030)


# --------------------------------------------------------------------------- before the jobs

SCORING = Path(__file__).resolve().parents[2] / "notebooks" / "county_scoring.ipynb"


def _notebook_reads(parameters: dict) -> tuple:
    """What the county scoring notebook's own lines pass to scored_year for ``parameters``
    (its defaults, then these), executed with a scored_year that records its arguments
    (scored_county's: those of the scored_year it reads, without the county)."""
    import json

    from edubalance.run.params import notebook_parameters

    source = "\n".join("".join(cell["source"]) for cell in json.loads(
        SCORING.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code")
    start = source.index("load_options = ")
    end = source.index("\n# Evidence", start)
    calls = []
    namespace = {name: p["default"] for name, p in notebook_parameters(SCORING).items()}
    namespace.update(parameters)

    class FakeEb:
        class run:
            notebook = __import__("edubalance.run.notebook", fromlist=["x"])

            class cache:
                @staticmethod
                def scored_year(*args):
                    calls.append(args)
                    return None, None

                @staticmethod
                def scored_county(path, standard, year, county, *options):
                    calls.append((path, standard, year, *options))  # scored_year's key
                    return None, None

    namespace["eb"] = FakeEb
    exec(source[start:end], namespace)
    (call,) = calls
    return call


@pytest.mark.parametrize("extra", [{}, {"county_code": 640202, "allow": ["teachers"]}])
def test_the_batch_computes_the_entry_the_notebook_reads(data, monkeypatch, tmp_path, extra):
    from edubalance.run.plan import plan_jobs
    from edubalance.run.runner import _SharedScoring

    monkeypatch.chdir(tmp_path)
    parameters = {"data_path": data.name, "standard": "basic-2012", "year": 2017, **extra}
    jobs = plan_jobs([{"notebook": str(SCORING), "parameters": parameters,
                       "grid": {"county": ["a", "b", "c"]}}])
    specs = [{"index": i} for i in range(len(jobs))]
    folder = tmp_path / "cache"
    shared = _SharedScoring(jobs, specs, str(folder))
    shared.start()
    shared.join()
    assert len(shared.requests) == 1     # three jobs, one scoring
    assert shared.requests[0][-1] == ["a", "b", "c"]   # each reads its county only
    assert shared.computed == 1
    (entry,) = [p for p in folder.iterdir() if p.is_dir()]
    # The notebook's own call finds it: nothing is computed in the job.
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "_compute", lambda *a, **k: pytest.fail("computed in the job"))
    args = _notebook_reads({**parameters, "county": "a"})
    assert cache.cache_key(*args) == entry.name
    cache.scored_year(*args)
    # --resume (a new batch into the same folder): the entry is reused, not computed again.
    stamp = (entry / "done.json").stat().st_mtime_ns
    again = _SharedScoring(jobs, specs, str(folder))
    again.start()
    again.join()
    assert again.computed == 0 and (entry / "done.json").stat().st_mtime_ns == stamp


def test_the_loaded_table_is_written_while_the_year_is_scored(data, monkeypatch, tmp_path):
    """Issue 29: the school table's file is written (by the writing threads) while the scoring
    runs, not after it; the entry is the same as one written after."""
    import time

    from edubalance.core import scoring

    folder = tmp_path / "cache"
    original, seen = scoring.score, []

    def scoring_while_schools_written(*args, **kwargs):
        deadline = time.monotonic() + 10
        while not list(folder.glob(".tmp-*/schools.arrow")) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(bool(list(folder.glob(".tmp-*/schools.arrow"))))
        return original(*args, **kwargs)

    monkeypatch.setattr(scoring, "score", scoring_while_schools_written)
    assert cache.prepare_entry(data, "basic-2012", 2017, folder=folder)
    assert seen == [True]
    assert not list(folder.glob(".tmp-*"))
    monkeypatch.setattr(scoring, "score", original)
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    schools = cache.load_schools_with_options(data)
    assert_same(cache.scored_year(data, "basic-2012", 2017),
                (schools, score(schools[schools["year"] == 2017], "basic-2012")))


def test_a_scoring_that_fails_leaves_no_half_written_entry(data, monkeypatch, tmp_path):
    from edubalance.core import scoring

    def failing(*args, **kwargs):
        raise RuntimeError("scoring failed")

    folder = tmp_path / "cache"
    monkeypatch.setattr(scoring, "score", failing)
    assert cache.prepare_entry(data, "basic-2012", 2017, folder=folder) is False
    assert [p.name for p in folder.iterdir() if p.is_dir()] == []   # no entry, no .tmp-*
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    with pytest.raises(RuntimeError, match="scoring failed"):   # the job says what is wrong
        cache.scored_year(data, "basic-2012", 2017)
    assert [p.name for p in folder.iterdir() if p.is_dir()] == []


def test_no_request_for_a_notebook_that_reads_no_scoring(data):
    assert cache.scoring_request('{"cells": []}', {"data_path": str(data), "standard": "basic-2012",
                                                   "year": 2017}, {}) is None
    text = "eb.run.cache.scored_year("
    assert cache.scoring_request(text, {"data_path": str(data)}, {}) is None  # no year
    assert cache.scoring_request(text, {"data_path": "missing.csv", "standard": "basic-2012",
                                        "year": 2017}, {}) is None


def test_the_runner_reaches_its_workers_without_importing_pandas_or_nbformat(tmp_path):
    """Before the workers start, the runner plans and checks the jobs and sets up the shared
    scoring: pandas (run.cache) is imported by the scoring thread and nbformat (its schema
    validator) not at all, each a second and more of a loaded machine's batch start."""

    code = (
        "import sys\n"
        "from edubalance.run import engines, runner\n"
        "from edubalance.run.plan import plan_jobs, validate_jobs\n"
        f"jobs = plan_jobs([{{'notebook': {str(SCORING)!r}, 'parameters': {{'year': 2017}},"
        " 'grid': {'county': ['a', 'b']}}])\n"
        "validate_jobs(jobs)\n"
        "runner._SharedScoring(jobs, [{'index': 0}, {'index': 1}], 'cache')\n"
        "engines.batch_submodules([str(job.notebook) for job in jobs])\n")
    assert imported_by(code, ("pandas", "nbformat"), cwd=tmp_path) == []
