"""edubalance.io.write: files written whole or not at all, tables that cannot run as
spreadsheet formulas, results as plain JSON."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edubalance.io.write import (
    atomic_target,
    atomic_write_text,
    neutralise_formulas,
    read_summary,
    to_jsonable,
    write_results,
)
from helpers import imported_by


def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe_numbers_do_not():
    frame = pd.DataFrame({"name": ["=1+1", "+86 10", "@SUM(A1)", "\tx", "灵武市", "-x"],
                          "value": [-3.5, 1.0, 2.0, 3.0, 4.0, 5.0]})
    out = neutralise_formulas(frame)
    assert out["name"].tolist() == ["'=1+1", "'+86 10", "'@SUM(A1)", "'\tx", "灵武市", "'-x"]
    assert out["value"].tolist() == frame["value"].tolist()
    assert frame["name"].iloc[0] == "=1+1"  # the frame given is not modified
    empty = pd.DataFrame({"name": pd.Series([], dtype="str")})
    assert neutralise_formulas(empty).empty


def test_column_names_that_a_spreadsheet_would_run_get_an_apostrophe_too():
    assert neutralise_formulas(pd.DataFrame({"=cmd": [1]})).columns.tolist() == ["'=cmd"]


def test_to_jsonable_gives_plain_json_types():
    value = {"cv": float("nan"), "n": np.int64(3), "ok": np.bool_(True), 2017: np.float32(0.5),
             "inf": math.inf, "na": pd.NA, "when": pd.Timestamp("2017-09-01"),
             "arr": np.array([1, 2]), "s": pd.Series([1.5, np.nan]), "path": Path("a/b")}
    plain = to_jsonable(value)
    assert plain == {"cv": None, "n": 3, "ok": True, "2017": 0.5, "inf": None, "na": None,
                     "when": "2017-09-01T00:00:00", "arr": [1, 2], "s": [1.5, None],
                     "path": "a/b"}
    json.dumps(plain, allow_nan=False)  # strict JSON


def test_a_file_is_replaced_whole_or_left_untouched(tmp_path):
    path = tmp_path / "summary.json"
    assert atomic_write_text(path, "第一\r\n") == path
    assert path.read_bytes() == "第一\r\n".encode()  # no newline translation
    with pytest.raises(RuntimeError):
        with atomic_target(path) as tmp:
            Path(tmp).write_text("half")
            raise RuntimeError("disk full")
    assert path.read_bytes() == "第一\r\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]  # no temporary left


def test_results_round_trip_through_their_folder(tmp_path):
    table = pd.DataFrame({"school": ["=x", "乙"], "cv": [0.5, np.nan]})
    written = write_results(tmp_path, summary={"cv": np.float64(0.25), "n": np.int64(2)},
                            tables={"schools": table})
    assert {"summary", "schools"} <= set(written)
    assert read_summary(tmp_path) == {"cv": 0.25, "n": 2}
    back = pd.read_csv(tmp_path / "schools.csv", encoding="utf-8-sig")
    assert back["school"].tolist() == ["'=x", "乙"]
    assert read_summary(tmp_path / "missing") is None


def test_exclusive_lock_makes_a_second_holder_wait(tmp_path):
    import threading
    import time

    from edubalance.io.write import exclusive_lock

    lock = tmp_path / "new folder" / "x.lock"   # the folder is made
    order = []
    inside = threading.Event()

    def first():
        with exclusive_lock(lock):
            inside.set()
            time.sleep(0.3)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    with exclusive_lock(lock):
        order.append("second in")
    thread.join()
    assert order == ["first out", "second in"] and lock.is_file()


def test_importing_the_writing_layer_imports_no_pandas():
    # A batch worker writes its reports with atomic_write_text: no pandas import for that.
    code = "from edubalance.io.write import atomic_write_text, atomic_target\n"
    assert imported_by(code, ("pandas", "numpy")) == []
