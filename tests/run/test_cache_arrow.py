"""edubalance.run.cache's Arrow entries: what a job reads is what it would have computed.

The batch stores the shared scoring as Arrow IPC files (uncompressed) that each job memory-maps; these
tests compare every table (and the loader's ``attrs``) read back from such an entry with the
uncached computation, on the sample file and on a small file shaped like the national one
(one year, many counties), and check the key and the refusals.
"""
from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

from edubalance.errors import DataError
from edubalance.run import cache
from paths import ROOT

SAMPLE = ROOT / "data" / "sample" / "schools.csv"


# Each test starts and ends with the package's in-memory scoring cache empty (conftest).
pytestmark = pytest.mark.usefixtures("fresh_cache_memory")


@pytest.fixture(scope="module")
def national_shaped(tmp_path_factory):
    """A national-scale file in miniature: one year, 40 counties, ~25 schools each."""
    from edubalance.io.sample import generate

    schools, _ = generate("national", seed=5, n_counties=40, schools_per_county=25.0)
    path = tmp_path_factory.mktemp("national") / "schools.csv"
    schools.to_csv(path, index=False)
    return path


def _uncached(path, standard, year, monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return cache.scored_year(path, standard, year)


def _assert_identical(got, expected):
    schools, result = got
    pd.testing.assert_frame_equal(schools, expected[0], check_exact=True)
    assert schools.attrs == expected[0].attrs
    assert type(schools.attrs["load_report"]) is type(expected[0].attrs["load_report"])
    for field in dataclasses.fields(result):
        value, wanted = getattr(result, field.name), getattr(expected[1], field.name)
        if isinstance(wanted, pd.DataFrame):
            pd.testing.assert_frame_equal(value, wanted, check_exact=True)
            assert value.dtypes.equals(wanted.dtypes), field.name
        else:
            assert value == wanted, field.name


@pytest.mark.parametrize("which,standard", [("sample", "basic-2012"),
                                            ("sample", "quality-2017"),
                                            ("national", "basic-2012"),
                                            ("national", "quality-2017")])
def test_an_entry_read_from_disk_is_the_computed_result(which, standard, national_shaped,
                                                        monkeypatch, tmp_path):
    path = SAMPLE if which == "sample" else national_shaped
    expected = _uncached(path, standard, 2017, monkeypatch)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    _assert_identical(cache.scored_year(path, standard, 2017), expected)  # computed, stored
    entry = next((tmp_path / "cache").glob("*/done.json")).parent
    assert sorted(p.suffix for p in entry.iterdir()) == [".arrow"] * 7 + [".json"]
    cache.clear_memory()
    calls = []
    monkeypatch.setattr(cache, "_compute", lambda *a: calls.append(a))
    _assert_identical(cache.scored_year(path, standard, 2017), expected)  # from the files
    assert calls == []


def test_the_batch_prepares_the_entry_the_jobs_read(national_shaped, monkeypatch, tmp_path):
    expected = _uncached(national_shaped, "basic-2012", 2017, monkeypatch)
    folder = tmp_path / "cache"
    assert cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder)
    assert not cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder)
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(cache, "_compute", lambda *a: pytest.fail("computed again"))
    _assert_identical(cache.scored_year(national_shaped, "basic-2012", 2017), expected)


def test_entries_are_uncompressed_arrow_files_read_without_a_copy(national_shaped, tmp_path):
    """Issue 29: LZ4 cost the batch's critical path more to write than it saved; an
    uncompressed file is memory-mapped and its record batches used in place."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    folder = tmp_path / "cache"
    cache.prepare_entry(national_shaped, "basic-2012", 2017, {}, folder=folder)
    entry = next(folder.glob("*/done.json")).parent
    before = pa.total_allocated_bytes()
    with pa.memory_map(str(entry / "indicators.arrow")) as source:
        table = ipc.open_file(source).read_all()
        assert pa.total_allocated_bytes() == before  # no buffer decompressed or copied
        assert entry.joinpath("indicators.arrow").stat().st_size >= table.nbytes


def test_key_is_the_content_not_the_path_and_covers_the_code(national_shaped, tmp_path,
                                                             monkeypatch):
    copy = tmp_path / "elsewhere.csv"
    shutil.copyfile(national_shaped, copy)
    key = cache.cache_key(national_shaped, "basic-2012", 2017)
    assert cache.cache_key(copy, "basic-2012", 2017) == key  # same bytes, same entry
    copy.write_bytes(national_shaped.read_bytes().replace(b",2017,", b",2016,", 1))
    assert cache.cache_key(copy, "basic-2012", 2017) != key
    assert cache.cache_key(national_shaped, "basic-2012", 2017, {"allow": ["teachers"]}) != key
    monkeypatch.setattr(cache, "_CODE", ["another version of the package's code"])
    assert cache.cache_key(national_shaped, "basic-2012", 2017) != key


def test_a_table_the_arrow_round_trip_would_change_is_not_stored(tmp_path):
    mixed = pd.DataFrame({"a": pd.Series([1, "x"], dtype=object)})
    with pytest.raises(cache._NotCacheable):
        cache._arrow_table(mixed)
    texts = pd.DataFrame({"a": pd.Series(["x", "y"], dtype=object)})  # back as str, not object
    with pytest.raises(cache._NotCacheable, match="round trip"):
        cache._arrow_table(texts)
    ok = pd.DataFrame({"a": [1.5, float("nan")], "b": pd.array([True, None], dtype="boolean")})
    written = cache._write_table(ok, tmp_path, "ok")
    back = cache._read_table(tmp_path / written["file"], written)
    pd.testing.assert_frame_equal(back, ok, check_exact=True)
    other = dict(written, sha256=["0" * 64] * len(written["sha256"]))
    assert cache._read_table(tmp_path / written["file"], other) is None  # other bytes


def test_a_bad_file_names_file_row_and_column_and_leaves_no_entry(national_shaped, tmp_path,
                                                                  monkeypatch):
    frame = pd.read_csv(national_shaped, dtype=str, keep_default_na=False)
    frame.loc[6, "teachers"] = "many"
    bad = tmp_path / "bad_schools.csv"
    frame.to_csv(bad, index=False)
    folder = tmp_path / "cache"
    assert not cache.prepare_entry(bad, "basic-2012", 2017, {}, folder=folder)  # job says why
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    with pytest.raises(DataError) as error:
        cache.scored_year(bad, "basic-2012", 2017)
    message = str(error.value)
    assert "bad_schools.csv" in message and "row 8" in message and "teachers" in message
    assert not list(folder.glob("*/done.json")) and not list(folder.glob(".tmp-*"))


def test_exact_types_are_checked_on_their_dtypes_and_come_back_bit_for_bit(tmp_path,
                                                                          monkeypatch):
    import numpy as np

    frame = pd.DataFrame({
        "f": [1.5, float("nan"), -0.0, float("inf")], "i": np.array([1, -2, 3, 2**62]),
        "b": [True, False, True, False],
        "nb": pd.array([True, None, False, None], dtype="boolean"),
        "s": pd.Series(["甲", None, "", "x"], dtype="str")})
    assert cache._exact_in_arrow(frame)
    monkeypatch.setattr(cache, "_to_pandas", lambda table: pytest.fail("converted in full"))
    written = cache._write_table(frame, tmp_path, "t")
    monkeypatch.undo()
    back = cache._read_table(tmp_path / written["file"], written)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert np.signbit(back["f"].to_numpy()[2]) and back["s"].isna().tolist() == [
        False, True, False, False]
    # Anything else is converted back and compared in full.
    for other in (frame.set_axis([3, 1, 2, 0]), frame.astype({"i": "Int64"}),
                  frame.astype({"s": object}), frame.rename(columns={"f": 0})):
        assert not cache._exact_in_arrow(other)


def test_an_entry_that_cannot_be_written_is_only_not_cached(national_shaped, tmp_path,
                                                            monkeypatch):
    import pyarrow as pa
    import pyarrow.ipc as ipc

    expected = _uncached(national_shaped, "basic-2012", 2017, monkeypatch)

    def refuse(*args, **kwargs):
        raise pa.ArrowInvalid("cannot write")

    monkeypatch.setattr(ipc, "new_file", refuse)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    _assert_identical(cache.scored_year(national_shaped, "basic-2012", 2017), expected)
    assert not list((tmp_path / "cache").glob("*/done.json"))
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_each_record_batch_is_decoded_from_the_segment_its_digest_covers(tmp_path,
                                                                         monkeypatch):
    """A county's job checks the segments it decodes (schema, footer, its batches) only:
    decoding batch ``i`` must read no byte outside them."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.ipc as ipc

    monkeypatch.setattr(cache, "CHUNK_ROWS", 64)
    frame = pd.DataFrame({"x": np.arange(300) * 1.5,
                          "s": pd.Series([f"学校{i}" for i in range(300)], dtype="str")})
    written = cache._write_table(frame, tmp_path, "t")
    assert written["batch_rows"] == [64, 64, 64, 64, 44]
    data = (tmp_path / "t.arrow").read_bytes()
    segments = cache._segments(written, len(data))
    assert segments[0][0] == 0 and segments[-1][1] == len(data) and len(segments) == 6
    assert all(a[1] == b[0] for a, b in zip(segments[:-1], segments[1:], strict=True))  # the whole file, once
    for i in range(5):
        kept = bytearray(len(data))  # zeros but for the segments checked for batch i
        for j in {0, i, len(segments) - 1}:
            start, stop = segments[j]
            kept[start:stop] = data[start:stop]
        batch = ipc.open_file(pa.py_buffer(bytes(kept))).get_batch(i)
        expected = pa.Table.from_pandas(frame.iloc[64 * i:64 * (i + 1)].reset_index(drop=True))
        assert batch.to_pandas().equals(expected.to_pandas())
        assert cache._intact(kept, written, [i]) and not cache._intact(kept, written, [i + 1]) \
            if i < 4 else cache._intact(kept, written, [i])
    assert cache._intact(data, written) and not cache._intact(data[:-1], written)
    assert not cache._intact(data, {**written, "ends": written["ends"][::-1]})


def test_files_written_and_hashed_beside_the_conversion_are_those_written_directly(tmp_path):
    """The batch writes and hashes each file in other threads while it converts the next."""
    from concurrent.futures import ThreadPoolExecutor

    frame = pd.DataFrame({"x": [1.5, 2.0] * 3000, "s": pd.Series(["甲", "b"] * 3000, dtype="str")})
    direct = cache._write_table(frame, tmp_path, "direct")
    with ThreadPoolExecutor(2) as writing:
        threaded = cache._write_table(frame, tmp_path, "threaded", writing).result()
    assert threaded == {**direct, "file": "threaded.arrow"}
    assert len(threaded["sha256"]) == len(direct["batch_rows"]) + 1
    assert (tmp_path / "threaded.arrow").read_bytes() == (tmp_path / "direct.arrow").read_bytes()
    assert cache._read_table(tmp_path / "threaded.arrow", threaded).equals(frame)
