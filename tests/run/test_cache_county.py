"""edubalance.run.cache.scored_county: one county's rows, read from the batch's entry.

What a county's report is built from must be what it is built from with the whole tables
(``scored_year``): the county's rows of ``schools``, ``indicators`` and ``compliance`` (same
values, dtypes, index and ``attrs``), every county's ``counties`` and ``cv``, and the same
report. Computed, from memory and from the files; a county whose rows are not where the
entry says, a damaged file and an unknown county all still give the right tables.
"""
from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from edubalance.core.scoring import find_county
from edubalance.report import county_report
from edubalance.run import cache
from paths import ROOT

SAMPLE = ROOT / "data" / "sample" / "schools.csv"


# Each test starts and ends with the package's in-memory scoring cache empty (conftest).
pytestmark = pytest.mark.usefixtures("fresh_cache_memory")


@pytest.fixture(scope="module")
def national_shaped(tmp_path_factory):
    """One year, 30 counties of ~20 schools, and one county's schools split in two places
    of the file (its rows are two runs, not one)."""
    from edubalance.io.sample import generate

    schools, _ = generate("national", seed=7, n_counties=30, schools_per_county=20.0)
    first = schools["county_code"].astype(str) == str(schools["county_code"].iloc[0])
    moved = schools[first].iloc[::2]
    schools = pd.concat([schools.drop(moved.index), moved], ignore_index=True)
    path = tmp_path_factory.mktemp("national") / "schools.csv"
    schools.to_csv(path, index=False)
    return path


def _whole(path, standard, monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return cache.scored_year(path, standard, 2017)


def _frames_equal(got, wanted, name):
    # DataFrame.equals (the labels, each column's dtype and values, NaN equal to NaN) is
    # ~10x quicker than assert_frame_equal, which runs when it finds a difference (to name
    # it) or where equals is looser: the axes' names, the categories' order.
    same = got.equals(wanted) and list(got.columns) == list(wanted.columns) \
        and got.index.names == wanted.index.names and got.columns.names == wanted.columns.names \
        and all(list(got[c].cat.categories) == list(wanted[c].cat.categories)
                for c in wanted.columns if isinstance(wanted[c].dtype, pd.CategoricalDtype))
    if not same:
        pd.testing.assert_frame_equal(got, wanted, check_exact=True, obj=name)
    assert got.dtypes.equals(wanted.dtypes), name
    assert type(got.index) is type(wanted.index), name
    assert got.attrs == wanted.attrs, name


def _assert_county(got, whole, county):
    """``got`` is ``whole`` cut to ``county`` as scored_county documents it."""
    schools, result = got
    code, _ = find_county(whole[0], county)

    def rows(frame):
        return frame[(frame["county_code"].astype(str) == code).to_numpy(dtype=bool)]

    _frames_equal(schools, rows(whole[0]), "schools")
    assert type(schools.attrs["load_report"]) is type(whole[0].attrs["load_report"])
    for field in dataclasses.fields(result):
        value, wanted = getattr(result, field.name), getattr(whole[1], field.name)
        if field.name in cache.COUNTY_TABLES:
            _frames_equal(value, rows(wanted), field.name)
        elif isinstance(wanted, pd.DataFrame):
            _frames_equal(value, wanted, field.name)
        else:
            assert value == wanted, field.name


def _assert_same_report(got, whole, county, path):
    mine = county_report.build(*got, county, 2017, data_path=str(path))
    expected = county_report.build(*whole, county, 2017, data_path=str(path))
    # as summary.json has it (NaN == NaN there; a NaN in a dict is not equal to another)
    assert json.dumps(mine.summary, sort_keys=True, default=str) == \
        json.dumps(expected.summary, sort_keys=True, default=str)
    assert mine.verdict_html == expected.verdict_html
    assert mine.methods == expected.methods and mine.n_counties == expected.n_counties
    for name, frame in expected.results.items():
        _frames_equal(mine.results[name], frame, name)
    for name, table in expected.tables.items():
        pd.testing.assert_frame_equal(mine.tables[name].frame, table.frame, check_exact=True)
    for name, table in expected.sheets.items():
        pd.testing.assert_frame_equal(mine.sheets[name].frame, table.frame, check_exact=True)


def _counties(path):
    frame = pd.read_csv(path, dtype={"county_code": str})
    pairs = frame[["county_code", "county_name"]].drop_duplicates()
    return list(pairs["county_name"]) + [int(pairs["county_code"].iloc[-1])]


@pytest.mark.parametrize("which,standard", [("sample", "basic-2012"),
                                            ("sample", "quality-2017"),
                                            ("national", "basic-2012")])
def test_every_county_read_from_the_entry_is_its_rows_of_the_whole_tables(
        which, standard, national_shaped, monkeypatch, tmp_path):
    path = SAMPLE if which == "sample" else national_shaped
    whole = _whole(path, standard, monkeypatch)
    folder = tmp_path / "cache"
    assert cache.prepare_entry(path, standard, 2017, {}, folder=folder)
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "_compute", lambda *a: pytest.fail("computed again"))
    for county in _counties(path):
        _assert_county(cache.scored_county(path, standard, 2017, county), whole, county)


@pytest.mark.parametrize("county", ["灵武市", "640202"])
def test_the_report_from_one_county_is_the_report_from_the_whole_tables(county, monkeypatch,
                                                                         tmp_path):
    whole = _whole(SAMPLE, "quality-2017", monkeypatch)
    assert cache.prepare_entry(SAMPLE, "quality-2017", 2017, {}, folder=tmp_path / "c")
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    _assert_same_report(cache.scored_county(SAMPLE, "quality-2017", 2017, county), whole,
                        county, SAMPLE)


def test_a_county_split_in_the_file_keeps_its_rows_order_and_index(national_shaped,
                                                                   monkeypatch, tmp_path):
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c")
    done = json.loads(next((tmp_path / "c").glob("*/done.json")).read_text(encoding="utf-8"))
    runs = done["county_rows"]["tables"]["schools"]
    code = str(whole[0]["county_code"].iloc[-1])
    assert runs["codes"].count(code) == 2  # the fixture's county is in two places
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    got = cache.scored_county(national_shaped, "basic-2012", 2017, code)
    assert not got[0].index.is_monotonic_increasing or len(got[0]) > 1
    assert list(got[0].index) == list(np.flatnonzero(whole[0]["county_code"] == code))
    _assert_county(got, whole, code)
    _assert_same_report(got, whole, code, national_shaped)


def test_computed_in_memory_and_without_a_cache_it_is_the_same(national_shaped, monkeypatch,
                                                               tmp_path):
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    county = _counties(national_shaped)[3]
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)  # no cache folder: computed here
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    first = cache.scored_county(national_shaped, "basic-2012", 2017, county)  # computes, stores
    _assert_county(first, whole, county)
    first[0].loc[:, "teachers"] = -1  # a job changing its tables changes nobody else's
    first[1].cv.loc[:, "cv"] = -1.0
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)  # from memory
    cache.clear_memory()
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)  # from the files
    again = cache.scored_county(national_shaped, "basic-2012", 2017, county)  # opened entry
    again[1].counties.loc[:, "passed"] = False
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)


def test_a_new_kernel_converts_only_the_small_tables(national_shaped, monkeypatch, tmp_path):
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c")
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    read = []
    original = cache._read_table
    monkeypatch.setattr(cache, "_read_table",
                        lambda path, sha: read.append(path.stem) or original(path, sha))
    schools, result = cache.scored_county(national_shaped, "basic-2012", 2017,
                                          _counties(national_shaped)[0])
    assert not set(read) & set(cache.COUNTY_TABLES)
    assert schools["county_code"].nunique() == 1 and len(result.counties) > 2


def test_rows_not_where_the_entry_says_are_never_used(national_shaped, monkeypatch, tmp_path):
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c")
    described = next((tmp_path / "c").glob("*/done.json"))
    done = json.loads(described.read_text(encoding="utf-8"))
    for runs in done["county_rows"]["tables"].values():  # every county pointed at another's
        runs["codes"] = runs["codes"][1:] + runs["codes"][:1]
    described.write_text(json.dumps(done), encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    for county in _counties(national_shaped)[:3]:
        _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                       county)


@pytest.mark.parametrize("damage", ["table", "rows"])
def test_a_damaged_entry_is_not_trusted(damage, national_shaped, monkeypatch, tmp_path):
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c")
    entry = next((tmp_path / "c").glob("*/done.json")).parent
    if damage == "table":
        data = bytearray((entry / "indicators.arrow").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (entry / "indicators.arrow").write_bytes(bytes(data))
    else:  # runs that do not cover the table
        done = json.loads((entry / "done.json").read_text(encoding="utf-8"))
        done["county_rows"]["tables"]["compliance"]["stops"][0] -= 1
        (entry / "done.json").write_text(json.dumps(done), encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    county = _counties(national_shaped)[1]
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)


def test_an_unknown_county_gets_the_whole_tables_and_the_report_names_it(monkeypatch,
                                                                         tmp_path):
    from edubalance.errors import ParameterError

    whole = _whole(SAMPLE, "basic-2012", monkeypatch)
    assert cache.prepare_entry(SAMPLE, "basic-2012", 2017, {}, folder=tmp_path / "c")
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    schools, result = cache.scored_county(SAMPLE, "basic-2012", 2017, "大武口")
    _frames_equal(schools, whole[0], "schools")
    _frames_equal(result.indicators, whole[1].indicators, "indicators")
    with pytest.raises(ParameterError, match="unknown county '大武口'; close matches: 大武口区"):
        county_report.build(schools, result, "大武口", 2017)


def test_the_batch_prepares_the_entry_of_a_notebook_reading_one_county():
    source = 'schools, result = eb.run.cache.scored_county(p, standard, year, county, o)'
    request = cache.scoring_request(source, {"data_path": str(SAMPLE), "standard": "basic-2012",
                                             "year": 2017, "county": "灵武市"}, {})
    assert request is not None and request[1:3] == ("basic-2012", 2017)
    notebook = (ROOT / "notebooks" / "county_scoring.ipynb").read_text(encoding="utf-8")
    assert "scored_county(" in notebook


def test_an_entry_without_county_rows_is_read_whole(national_shaped, monkeypatch, tmp_path):
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c")
    described = next((tmp_path / "c").glob("*/done.json"))
    done = json.loads(described.read_text(encoding="utf-8"))
    del done["county_rows"]  # as written by a table that is not one row per default index
    described.write_text(json.dumps(done), encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    monkeypatch.setattr(cache, "_compute", lambda *a: pytest.fail("computed again"))
    county = _counties(national_shaped)[2]
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)


def test_county_rows_are_runs_of_the_tables_rows():
    frame = pd.DataFrame({"county_code": ["1", "1", "2", "1", "3", "3"],
                          "county_name": ["甲", "甲", "乙", "甲", "丙", "丁"]})
    rows = cache._county_rows({"schools": frame, "indicators": frame.iloc[:3].copy()})
    assert rows["tables"]["schools"] == {
        "rows": 6, "codes": ["1", "2", "1", "3", "3"], "starts": [0, 2, 3, 4, 5],
        "stops": [2, 3, 4, 5, 6], "names": ["甲", "乙", "甲", "丙", "丁"]}
    assert rows["tables"]["indicators"]["codes"] == ["1", "2"]
    assert cache._county_rows({"schools": frame.iloc[::-1]}) is None  # not the default index
    blank = frame.assign(county_code=[None, "1", "2", "1", "3", "3"])
    assert cache._county_rows({"schools": blank}) is None


def test_the_frame_comparison_of_these_tests_finds_each_kind_of_difference():
    """_frames_equal takes DataFrame.equals' quick answer: a difference it is looser about
    (axes' names, column order, categories' order) must still fail the comparison."""
    frame = pd.DataFrame({"x": [1.0, np.nan], "c": pd.Categorical(["a", "b"]),
                          "s": pd.array(["u", "v"], dtype="string[pyarrow]")})
    _frames_equal(frame.copy(), frame, "same")
    for other in (frame.assign(x=[1.0, 2.0]), frame.assign(x=frame["x"].astype("float32")),
                  frame.assign(c=pd.Categorical(["a", "b"], categories=["b", "a"])),
                  frame.assign(s=pd.array(["u", "w"], dtype="string[pyarrow]")),
                  frame.rename_axis("row"), frame.rename_axis("column", axis=1),
                  frame[["c", "x", "s"]]):
        with pytest.raises(AssertionError):
            _frames_equal(other, frame, "different")


def test_a_county_is_read_checking_the_bytes_it_decodes_and_only_those(national_shaped,
                                                                       monkeypatch, tmp_path):
    """Issue 29: a new kernel checks its county's record batches (with the schema and the
    footer), not the whole 200 MB of a national entry; a damaged byte it decodes is never
    used (the entry is computed again), one it does not decode does not matter."""
    monkeypatch.setattr(cache, "CHUNK_ROWS", 32)  # many record batches in a small file
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c")
    entry = next((tmp_path / "c").glob("*/done.json")).parent
    done = json.loads((entry / "done.json").read_text(encoding="utf-8"))
    county = _counties(national_shaped)[10]
    code, _ = find_county(whole[0], county)
    described = done["tables"]["indicators"]
    starts = np.cumsum([0] + described["batch_rows"])
    mine = np.flatnonzero((whole[1].indicators["county_code"].astype(str) == code).to_numpy())
    used = set((np.searchsorted(starts, mine, side="right") - 1).tolist())
    path = entry / "indicators.arrow"
    segments = cache._segments(described, path.stat().st_size)
    other = next(i for i in range(1, len(segments) - 1) if i not in used)

    def damage(segment):
        data = bytearray(path.read_bytes())
        start, stop = segments[segment]
        data[(start + stop) // 2] ^= 0xFF
        path.write_bytes(bytes(data))

    damage(other)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "c"))
    calls = []
    original = cache._compute
    monkeypatch.setattr(cache, "_compute", lambda *a: calls.append(a) or original(*a))
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)
    assert calls == []  # read from the entry: the damaged batch is not this county's
    cache.clear_memory()
    damage(min(used))
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                   county)
    assert len(calls) == 1  # its own batch damaged: not trusted, computed again


def test_a_kernel_waits_for_the_batch_then_opens_the_entry_without_holding_the_lock(
        national_shaped, monkeypatch, tmp_path):
    """Issue 29: the workers' kernels wait on the entry's lock while the batch computes it;
    then each opens it at once (not in turn under the lock) and none computes it again."""
    import fcntl
    import threading
    import time

    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    folder = tmp_path / "c"
    key = cache.cache_key(national_shaped, "basic-2012", 2017, {})
    held = cache.lock_entry(folder, key)  # the batch, computing
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    computed, lock_free_at_open = [], []
    compute, open_source = cache._compute, cache._open_source

    def lock_is_free():
        with open(folder / f"{key}.lock", "a") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(other, fcntl.LOCK_UN)
            return True

    monkeypatch.setattr(cache, "_compute", lambda *a: computed.append(a) or compute(*a))
    monkeypatch.setattr(cache, "_open_source", lambda *a: lock_free_at_open.append(
        lock_is_free()) or open_source(*a))
    county = _counties(national_shaped)[4]
    got = []
    kernel = threading.Thread(target=lambda: got.append(
        cache.scored_county(national_shaped, "basic-2012", 2017, county)))
    kernel.start()
    time.sleep(0.3)
    assert not got and lock_free_at_open == [False]  # the entry missing: it waits
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder,
                               locked=held)
    kernel.join(60)
    assert len(computed) == 1  # by the batch only
    assert lock_free_at_open == [False, True]  # opened after the wait, the lock not held
    _assert_county(got[0], whole, county)


# ------------------------------------------------------------ an entry of some counties (issue 29)

def _entry_done(folder):
    return json.loads(next(folder.glob("*/done.json")).read_text(encoding="utf-8"))


def test_an_entry_of_some_counties_gives_their_rows_of_the_whole_tables(national_shaped,
                                                                       monkeypatch, tmp_path):
    """A batch of a few counties of a national file keeps only their rows of the tables with
    a row per school: each of them still gets what the whole tables give (values, dtypes,
    index in the whole table, attrs), and the same report; the split county too."""
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    names = _counties(national_shaped)
    split_code = names[-1]            # the county in two places of the file, by its code
    asked = [names[3], f" {names[7]} ", split_code]
    folder = tmp_path / "c"
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder,
                               counties=asked)
    done = _entry_done(folder)
    codes = {find_county(whole[0], county)[0] for county in asked}
    assert set(done["counties"]["codes"]) == codes
    assert done["counties"]["requested"] == sorted(str(c).strip() for c in asked)
    for name in cache.COUNTY_TABLES:
        runs = done["county_rows"]["tables"][name]
        frame = whole[0] if name == "schools" else getattr(whole[1], name)
        assert set(runs["codes"]) == codes and runs["whole_rows"] == len(frame)
        assert runs["rows"] == int(frame["county_code"].astype(str).isin(codes).sum())
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "_compute", lambda *a, **k: pytest.fail("computed again"))
    for county in asked:
        _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, county), whole,
                       county)
    got = cache.scored_county(national_shaped, "basic-2012", 2017, split_code)
    wanted = np.flatnonzero(whole[0]["county_code"].astype(str) == str(split_code))
    assert list(got[0].index) == list(wanted)
    _assert_same_report(got, whole, split_code, national_shaped)


def test_what_an_entry_of_some_counties_does_not_hold_is_computed_whole(national_shaped,
                                                                       monkeypatch, tmp_path):
    whole = _whole(national_shaped, "basic-2012", monkeypatch)
    names = _counties(national_shaped)
    folder = tmp_path / "c"
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder,
                               counties=names[:2])
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    other = names[5]
    _assert_county(cache.scored_county(national_shaped, "basic-2012", 2017, other), whole, other)
    assert "counties" not in _entry_done(folder)   # stored again, whole
    cache.clear_memory()
    shutil.rmtree(folder)
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder,
                               counties=names[:2])
    cache.clear_memory()
    schools, result = cache.scored_year(national_shaped, "basic-2012", 2017)  # whole year
    _frames_equal(schools, whole[0], "schools")
    for name in cache.COUNTY_TABLES[1:]:
        _frames_equal(getattr(result, name), getattr(whole[1], name), name)
    assert "counties" not in _entry_done(folder)


def test_a_stored_entry_is_kept_when_it_holds_the_counties_asked_for(national_shaped, tmp_path):
    names = _counties(national_shaped)
    folder = tmp_path / "c"

    def prepare(counties):
        return cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder,
                                   counties=counties)

    assert prepare(names[:3])
    assert not prepare([names[1]])          # held (as on --resume)
    assert prepare([names[1], names[4]])    # one more county: computed again
    assert _entry_done(folder)["counties"]["requested"] == sorted([names[1], names[4]])
    assert prepare(None)                    # every county asked for
    assert "counties" not in _entry_done(folder)
    assert not prepare([names[6]])          # a whole entry holds every county


@pytest.mark.parametrize("asked", ["unknown", "every"])
def test_counties_that_are_not_one_each_or_are_all_keep_every_row(asked, national_shaped,
                                                                  tmp_path):
    names = _counties(national_shaped)
    counties = [names[0], "大武口"] if asked == "unknown" else names
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=tmp_path / "c",
                               counties=counties)
    done = _entry_done(tmp_path / "c")
    assert "counties" not in done and "origins" not in done["county_rows"]["tables"]["schools"]


def test_a_county_is_resolved_against_every_county_of_the_file():
    schools = pd.DataFrame({"county_code": ["1", "2", "3", "4"],
                            "county_name": ["甲县", "乙县", "乙县", "4"]})
    assert cache._requested_codes(schools, ["甲县"]) == {"1"}
    assert cache._requested_codes(schools, ["2", "4"]) == {"2", "4"}   # codes first
    assert cache._requested_codes(schools, ["乙县"]) is None           # a name of two codes
    assert cache._requested_codes(schools, ["丙县"]) is None
    assert cache._requested_codes(schools, ["1", "2", "3", "4"]) is None   # every county
    assert cache._requested_codes(schools, None) is None
    for county in ("甲县", "2", "4"):   # as find_county resolves it
        assert cache._requested_codes(schools, [county]) == {find_county(schools, county)[0]}


def test_a_job_asks_for_its_county_when_the_notebook_reads_one_county():
    one = "eb.run.cache.scored_county(p, standard, year, county)"
    assert cache.requested_county(one, {"county": 640202}, {}) == 640202
    assert cache.requested_county(one, {}, {"county": "灵武市"}) == "灵武市"
    assert cache.requested_county(one, {"county": True}, {}) is None
    assert cache.requested_county(one, {}, {}) is None
    assert cache.requested_county(one + "\nscored_year(p, s, y)", {"county": "x"}, {}) is None
