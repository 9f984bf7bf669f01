"""edubalance.io.rows: the rows of a bureau form that are not schools (totals, notes, footers),
found by their numbers and labels, and described for the load report."""
from __future__ import annotations

import numpy as np
import pandas as pd

from edubalance.io.rows import RowNumbers, content_totals, note_rows, numeric_matrix, row_texts

COLUMNS = ["teachers", "books", "computers"]


def test_numeric_matrix_reads_full_width_digits_and_thousands_separators():
    frame = pd.DataFrame({"teachers": ["１２", "3,400", "", "abc"],
                          "books": [1.5, None, 2.0, 3.0],
                          "computers": [True, False, True, False]})
    x = numeric_matrix(frame, COLUMNS)
    assert x.shape == (4, 3)
    np.testing.assert_array_equal(x[:, 0], [12.0, 3400.0, np.nan, np.nan])
    np.testing.assert_array_equal(x[:, 1], [1.5, np.nan, 2.0, 3.0])
    assert np.isnan(x[:, 2]).all()  # a boolean column is no count


def test_a_row_holding_the_sums_of_the_rows_above_is_a_total():
    frame = pd.DataFrame({"school_type": ["primary"] * 4,
                          "teachers": [10, 20, 5, 35], "books": [100, 200, 50, 350],
                          "computers": [1, 2, 3, 6]})
    assert content_totals(frame, COLUMNS, None).tolist() == [False, False, False, True]
    # Not a total when one column does not add up.
    frame.loc[3, "computers"] = 7
    assert not content_totals(frame, COLUMNS, None).any()


def test_a_labelled_total_may_sum_a_single_row_an_unlabelled_one_not():
    frame = pd.DataFrame({"teachers": [10, 10], "books": [100, 100], "computers": [4, 4]})
    assert not content_totals(frame, COLUMNS, None).any()
    labelled = np.array([False, True])
    assert content_totals(frame, COLUMNS, None, labelled=labelled).tolist() == [False, True]


def test_notes_and_footers_are_text_rows_with_a_label_and_no_number():
    raw = pd.DataFrame({"school_name": ["甲小学", "注：数据截至9月", "填表人：张三", "说明文字",
                                        "审核人：李四"],
                        "teachers": ["12", None, None, None, "5"]})
    assert note_rows(raw, ["teachers"]).tolist() == [False, True, True, False, False]
    x = numeric_matrix(raw, ["teachers"])
    assert note_rows(raw, ["teachers"], x).tolist() == [False, True, True, False, False]


def test_row_texts_join_the_non_blank_cells_of_each_row():
    raw = pd.DataFrame({"a": ["合计", "甲", None], "b": ["", "12", "注：x"]})
    assert row_texts(raw, np.array([True, False, True])) == ("合计", "注：x")


def test_row_numbers_gather_each_rows_cells_column_by_column():
    frame = pd.DataFrame({"teachers": ["１２", "", "abc", "-3"],
                          "books": [1.5, np.nan, np.inf, 2.0],
                          "computers": [True, False, True, False]})
    numbers = RowNumbers(frame, COLUMNS + ["not_there"])
    assert numbers.columns == COLUMNS
    # By hand: weights 1, 1.618..., 2.236...; blank, text and infinite cells count 0.
    np.testing.assert_allclose(numbers.projected, [12 + 1.5 * 1.6180339887, 0, 0,
                                                   -3 + 2 * 1.6180339887])
    assert numbers.filled.tolist() == [2, 0, 0, 2]           # finite cells
    np.testing.assert_array_equal(numbers.largest, [12.0, 0.0, 0.0, 2.0])
    # An infinite cell is a number (an error reported elsewhere), not a blank row.
    assert numbers.numberless.tolist() == [False, True, False, False]
    np.testing.assert_array_equal(numbers.matrix(), numeric_matrix(frame, COLUMNS))


def test_row_numbers_leave_the_frames_own_columns_as_they_were():
    frame = pd.DataFrame({"teachers": [1.0, np.nan, 3.0], "books": [np.inf, 2.0, 3.0],
                          "computers": [1.0, 2.0, 3.0]})
    before = frame.copy()
    RowNumbers(frame, COLUMNS)
    pd.testing.assert_frame_equal(frame, before)


def test_totals_found_from_row_numbers_as_from_the_matrix():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, size=(30, 3)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    values[9] = np.nansum(values[:9], axis=0)        # a total of the rows above
    values[20] = np.nansum(values[10:20], axis=0)    # a total since the previous total
    frame = pd.DataFrame(values, columns=COLUMNS)
    numbers = RowNumbers(frame, COLUMNS)
    found = content_totals(frame, COLUMNS, None, numbers=numbers)
    assert found.tolist() == content_totals(frame, COLUMNS, None,
                                            x=numeric_matrix(frame, COLUMNS)).tolist()
    assert found[9] and found[20]
    assert (note_rows(frame.astype(str), COLUMNS, numberless=numbers.numberless)
            == note_rows(frame.astype(str), COLUMNS, x=numeric_matrix(frame, COLUMNS))).all()
