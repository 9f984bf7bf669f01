"""edubalance.io.clean: cells cleaned one way for every loader (spaces, numbers written as text,
codes as text, vocabularies), each conversion noted with its rows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from edubalance.io.clean import (
    blank_mask,
    clean_ids,
    is_text,
    map_vocabulary,
    parse_numbers,
    rows_text,
    strip_cells,
)


def test_rows_text_lists_the_first_lines_then_how_many_more():
    assert rows_text(np.array([3, 4, 9])) == "3, 4, 9"
    assert rows_text(np.arange(1, 13), limit=3) == "1, 2, 3 and 9 more"


def test_is_text():
    assert is_text(pd.Series(["a"])) and is_text(pd.Series([None, "b"]))
    assert not is_text(pd.Series([1.5])) and not is_text(pd.Series([True]))
    assert not is_text(pd.Series(pd.to_datetime(["2017-09-01"])))


def test_surrounding_spaces_ascii_and_full_width_are_removed_and_counted():
    frame = pd.DataFrame({"name": [" 甲小学", "乙小学\u3000", None], "n": [1, 2, 3]})
    notes: list[str] = []
    out = strip_cells(frame, notes)
    assert out["name"].tolist() == ["甲小学", "乙小学", ""]
    assert out["n"].tolist() == [1, 2, 3]
    assert notes == ["removed surrounding spaces in 2 cell(s)"]
    assert frame["name"].iloc[0] == " 甲小学"  # not modified


def test_blank_rows_are_blank_in_every_column_given():
    frame = pd.DataFrame({"a": ["x", "", None, ""], "b": [1.0, np.nan, np.nan, 2.0]})
    assert blank_mask(frame, ["a", "b"]).tolist() == [False, True, True, False]
    assert blank_mask(frame, ["a"]).tolist() == [False, True, True, True]


def test_numbers_written_as_text_are_read_and_each_conversion_noted():
    cells = pd.Series(["12", "１２", "1,234", "", "abc", "inf", "nan", "1_000", None])
    notes: list[str] = []
    values, blank, bad = parse_numbers(cells, "books", "图书", notes)
    assert values.iloc[:3].tolist() == [12.0, 12.0, 1234.0]
    assert blank.tolist() == [False, False, False, True, False, False, False, False, True]
    assert bad.tolist() == [False, False, False, False, True, True, True, True, False]
    assert notes == ["column '图书' (books): converted full-width digits in 1 cell(s): rows 1",
                     "column '图书' (books): removed thousands separators in 1 cell(s): rows 2"]


def test_number_columns_pass_through_and_infinities_are_bad():
    values, blank, bad = parse_numbers(pd.Series([1.5, np.nan, np.inf]), "x", "x", [])
    assert blank.tolist() == [False, True, False] and bad.tolist() == [False, False, True]
    ints = pd.Series([1, 2], dtype="int64")
    values, blank, bad = parse_numbers(ints, "x", "x", [])
    assert values.tolist() == [1, 2] and not blank.any() and not bad.any()


def test_codes_are_text_with_full_width_digits_made_ascii():
    notes: list[str] = []
    assert clean_ids(pd.Series(["０４０２０２", "640181"]), "county_code", "县代码",
                     notes).tolist() == ["040202", "640181"]
    assert notes == ["column '县代码' (county_code): converted full-width characters in 1 "
                     "cell(s): rows 0"]
    notes.clear()
    assert clean_ids(pd.Series([640181.0, 40202.0]), "county_code", "县代码",
                     notes).tolist() == ["640181", "40202"]
    assert "stored as numbers" in notes[0]


def test_vocabulary_cells_map_to_canonical_values_unknown_to_missing():
    out = map_vocabulary(pd.Series(["小学", " Primary ", "初中", "大学", None]),
                         {"小学": "primary", "初中": "junior"}, ["primary", "junior"])
    assert out.iloc[:3].tolist() == ["primary", "primary", "junior"]
    assert out.iloc[3:].isna().all()
