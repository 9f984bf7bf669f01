"""edubalance.errors: one error family, problems that say where they are, "did you mean"."""
from __future__ import annotations

import pickle

import pytest

from edubalance.errors import (
    DataError,
    EdubalanceError,
    ParameterError,
    Problem,
    StandardError,
    did_you_mean,
)


def test_every_error_is_a_value_error_of_the_package():
    for cls in (DataError, ParameterError, StandardError):
        assert issubclass(cls, EdubalanceError) and issubclass(cls, ValueError)
    with pytest.raises(ValueError):
        raise ParameterError("x")


def test_a_problem_names_file_sheet_row_header_column_and_school_in_that_order():
    problem = Problem("学校.xlsx", "not a number", sheet="表一", row=7, column="books",
                      header="图书册数", value="十二", school_id="0042")
    assert problem.location() == ("学校.xlsx, sheet '表一', row 7, column '图书册数 (books)', "
                                  "school 0042")
    assert problem.location(with_file=False) == "row 7, column '图书册数 (books)', school 0042"
    assert str(problem) == ("学校.xlsx, sheet '表一', row 7, column '图书册数 (books)', "
                            "school 0042: not a number (value '十二')")
    assert problem.to_dict()["header"] == "图书册数"


def test_a_header_equal_to_the_column_is_not_repeated_and_long_values_are_cut():
    assert Problem("a.csv", "m", column="books", header="books").location() == \
        "a.csv, column 'books'"
    assert Problem("", "bare").describe() == "bare"
    long = Problem("", "too long", value="x" * 100).describe()
    assert long == f"too long (value '{'x' * 57}...')"


def test_data_error_names_the_file_once_and_counts_what_it_did_not_list():
    problems = [Problem("a.csv", "negative", row=2, column="books", value=-1),
                Problem("a.csv", "missing", row=3, column="teachers")]
    error = DataError(problems, total=5)
    assert str(error).splitlines() == ["a.csv: 5 problems",
                                       "  - row 2, column 'books': negative (value '-1')",
                                       "  - row 3, column 'teachers': missing",
                                       "  ... and 3 more"]
    assert error.total == 5 and error.problems == problems


def test_data_error_over_several_files_names_each_and_a_total_below_the_list_is_raised():
    error = DataError([Problem("a.csv", "x", row=1), Problem("b.csv", "y", row=1)], total=1)
    assert error.total == 2
    assert str(error).splitlines() == ["2 problems", "  - a.csv, row 1: x", "  - b.csv, row 1: y"]


def test_a_plain_message_is_one_problem_and_errors_survive_pickling():
    plain = DataError("cannot read the file")
    assert str(plain) == "cannot read the file" and [p.message for p in plain.problems] == \
        ["cannot read the file"]
    assert str(DataError()) == "invalid data"
    listed = DataError([Problem("a.csv", "bad", row=4)], total=9)
    for error in (plain, listed):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is DataError and str(copy) == str(error)
        assert copy.problems == error.problems and copy.total == error.total


def test_did_you_mean_offers_at_most_three_close_names_without_case_or_spaces():
    assert did_you_mean("Books ", ["books", "teachers"]) == "; did you mean books?"
    assert did_you_mean(["bookz", "teacher"], ["books", "teachers", "computers"]) == \
        "; did you mean books, teachers?"
    many = did_you_mean("abcd", ["abce", "abcf", "abcg", "abch"])
    assert many.count(",") == 2  # three suggestions
    assert did_you_mean("qqq", ["books"]) == ""


def test_did_you_mean_maps_aliases_to_the_name_to_suggest():
    # 小学 is close to 小学校 (an alias), and the hint names the level it stands for
    assert did_you_mean("小学校", {"小学": "primary", "初中": "junior"}) == \
        "; did you mean primary?"
    assert did_you_mean("books", ["bookz"], cutoff=0.99) == ""
