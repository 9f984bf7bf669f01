"""edubalance.io.units: the units a header may carry per column, and their factors."""
from __future__ import annotations

import pytest

from edubalance.io import units


@pytest.mark.parametrize(("column", "unit", "factor"), [
    ("equipment_value_cny", "元", 1.0), ("equipment_value_cny", "万元", 10_000.0),
    ("equipment_value_cny", "亿元", 100_000_000.0), ("teaching_area_m2", "㎡", 1.0),
    ("sports_area_m2", "万平方米", 10_000.0), ("books", "千册", 1000.0), ("books", "本", 1.0),
    ("teachers", "名", 1.0), ("classes_junior", "班", 1.0)])
def test_factor_converts_to_the_canonical_unit(column, unit, factor):
    assert units.factor(column, unit) == factor


def test_a_unit_of_another_column_or_an_unknown_column_has_no_factor():
    assert units.factor("teaching_area_m2", "亩") is None
    assert units.factor("equipment_value_cny", "美元") is None
    assert units.factor("books", "万元") is None
    assert units.factor("school_name", "元") is None


def test_units_are_compared_as_headers_are_normalised():
    # full-width letters and surrounding spaces, as bureau forms write them
    assert units.factor("teaching_area_m2", " ｍ2 ") == 1.0


def test_accepted_and_canonical_units():
    assert units.accepted("books") == ["册", "本", "千册", "万册"]
    assert units.canonical_unit("equipment_value_cny") == "元"
    assert units.canonical_unit("sports_area_m2") == units.canonical_unit("teaching_area_m2")
    assert units.accepted("school_name") == [] and units.canonical_unit("school_name") is None
    assert units.UNITS_FILE.is_file()
