"""edubalance.io.plausibility: the plausibility rules as data (plausibility.yaml), their ids,
and the loaders' ``allow`` parameter checked against them."""
from __future__ import annotations

import pytest

from edubalance.errors import ParameterError
from edubalance.io import plausibility


def test_rule_ids_name_each_rule_and_each_bound_per_student_and_per_school():
    ids = plausibility.rule_ids()
    assert {"year_range", "county_code_format", "school_id_format",
            "books_per_student", "teaching_area_m2_per_student",
            "students_total_per_school"} <= ids
    table = plausibility.rules()
    assert table["year_range"] == {"column": "year", "min": 1990, "max": 2035}
    assert table["per_student"]["books"] == {"min": 0.1, "max": 1000}
    assert len(ids) == len(set(ids))


def test_allow_takes_rule_ids_columns_or_all():
    assert plausibility.normalise_allow(None) == frozenset()
    assert plausibility.normalise_allow("all") == frozenset({"all"})
    assert plausibility.normalise_allow(["books_per_student", "books"]) == \
        frozenset({"books_per_student", "books"})


def test_an_unknown_name_in_allow_is_a_parameter_error_listing_the_rules():
    with pytest.raises(ParameterError, match=r"unknown plausibility rule\(s\) bookz.*year_range"):
        plausibility.normalise_allow(["bookz"])
