"""Per-section indicators and the split of combined schools, against hand calculations."""
from __future__ import annotations

import pandas as pd
import pytest

from edubalance import schema
from edubalance.core import indicators

CONTRACT_COLUMNS = [
    "county_code", "county_name", "year", "school_id", "school_name", "school_type",
    "urban_rural", "level", "students", "classes",
    "teaching_area_per_student", "sports_area_per_student", "equipment_value_per_student",
    "computers_per_100_students", "books_per_student", "teachers_per_100_students",
    "above_degree_teachers_per_100_students", "mid_title_teachers_per_100_students",
    "backbone_teachers_per_100_students", "pe_arts_teachers_per_100_students",
    "multimedia_classrooms_per_100_students",
]


def school(school_id, school_type="primary", primary=0, junior=0, **resources):
    row = dict(county_code="640202", county_name="大武口区", year=2017, school_id=school_id,
               school_name=f"学校{school_id}", school_type=school_type, urban_rural="urban",
               students_primary=primary, students_junior=junior,
               classes_primary=primary // 40, classes_junior=junior // 40)
    row.update({column: 0 for column in schema.RESOURCE_COLUMNS})
    row.update(resources)
    return row


def test_plain_primary_school_every_indicator_by_hand():
    frame = pd.DataFrame([school(
        "a", primary=200, teachers=12, teachers_above_degree=10, teachers_mid_title=6,
        teachers_backbone=2, teachers_pe_arts=3, teaching_area_m2=900, sports_area_m2=1600,
        equipment_value_cny=400000, computers=20, multimedia_classrooms=5, books=4000)])
    row = indicators.compute_indicators(frame).iloc[0]
    expected = {
        "teaching_area_per_student": 900 / 200, "sports_area_per_student": 1600 / 200,
        "equipment_value_per_student": 400000 / 200, "computers_per_100_students": 10.0,
        "books_per_student": 20.0, "teachers_per_100_students": 6.0,
        "above_degree_teachers_per_100_students": 5.0,
        "mid_title_teachers_per_100_students": 3.0, "backbone_teachers_per_100_students": 1.0,
        "pe_arts_teachers_per_100_students": 1.5, "multimedia_classrooms_per_100_students": 2.5,
    }
    for name, value in expected.items():
        assert row[name] == pytest.approx(value), name
    assert (row["level"], row["students"], row["classes"]) == ("primary", 200, 5)


def test_output_columns_follow_the_contract():
    frame = pd.DataFrame([school("a", primary=100, teachers=5)])
    assert list(indicators.compute_indicators(frame).columns) == CONTRACT_COLUMNS
    assert list(indicators.INDICATORS) == CONTRACT_COLUMNS[10:]
    assert indicators.INDICATORS["computers_per_100_students"].multiplier == 100


def test_nine_year_split_uses_1_to_1_1_weights():
    # 600 primary, 400 junior pupils: weighted enrolment 600 + 1.1*400 = 1040.
    frame = pd.DataFrame([school("b", "nine_year", primary=600, junior=400, teachers=104,
                                 teaching_area_m2=10400, books=31200)])
    out = indicators.compute_indicators(frame).set_index("level")
    # primary share 600/1040: 60 teachers, 6000 m2, 18000 books; junior 44, 4400, 13200.
    assert out.loc["primary", "teachers_per_100_students"] == pytest.approx(100 * 60 / 600)
    assert out.loc["junior", "teachers_per_100_students"] == pytest.approx(100 * 44 / 400)
    assert out.loc["primary", "teaching_area_per_student"] == pytest.approx(6000 / 600)
    assert out.loc["junior", "teaching_area_per_student"] == pytest.approx(4400 / 400)
    assert out.loc["junior", "books_per_student"] == pytest.approx(13200 / 400)
    assert out.loc["junior", "classes"] == 10 and out.loc["primary", "classes"] == 15


def test_split_shares_add_up_to_the_whole_school():
    frame = pd.DataFrame([school("b", "nine_year", primary=517, junior=283, teachers=77,
                                 sports_area_m2=12345.6)])
    sections = indicators.split_sections(frame)
    assert sections["teachers"].sum() == pytest.approx(77)
    assert sections["sports_area_m2"].sum() == pytest.approx(12345.6)
    assert (sections["school_students"] == 800).all()


def test_complete_middle_and_twelve_year_drop_the_senior_section():
    rows = [school("c", "complete_middle", junior=300, teachers=54),
            school("d", "twelve_year", primary=100, junior=100, teachers=342)]
    frame = pd.DataFrame(rows)
    frame["students_senior"] = [200, 100]
    out = indicators.compute_indicators(frame)
    assert out[["school_id", "level"]].values.tolist() == [
        ["c", "junior"], ["d", "primary"], ["d", "junior"]]
    # complete middle: junior share 300 / (300 + 1.2*200) = 300/540 -> 30 teachers.
    assert out.iloc[0]["teachers_per_100_students"] == pytest.approx(100 * 30 / 300)
    # twelve-year: 100 + 1.1*100 + 1.32*100 = 342 -> 100 primary, 110 junior teachers.
    assert out.iloc[1]["teachers_per_100_students"] == pytest.approx(100.0)
    assert out.iloc[2]["teachers_per_100_students"] == pytest.approx(110.0)
    # Without the optional senior column the junior section keeps everything.
    no_senior = indicators.compute_indicators(pd.DataFrame(rows[:1]))
    assert no_senior.iloc[0]["teachers_per_100_students"] == pytest.approx(100 * 54 / 300)


def test_rows_keep_school_order_primary_first_and_skip_empty_sections():
    frame = pd.DataFrame([school("z", "junior", junior=120, teachers=9),
                          school("y", "nine_year", primary=90, junior=60, teachers=12),
                          school("x", "primary", primary=0, teachers=1),
                          school("w", "primary", primary=50, teachers=3)])
    out = indicators.compute_indicators(frame)
    assert out[["school_id", "level"]].values.tolist() == [
        ["z", "junior"], ["y", "primary"], ["y", "junior"], ["w", "primary"]]


def test_bad_input_is_rejected_with_a_clear_message():
    frame = pd.DataFrame([school("a", primary=100)])
    with pytest.raises(ValueError, match="lacks column.*books"):
        indicators.compute_indicators(frame.drop(columns="books"))
    with pytest.raises(ValueError, match=r"lacks column\(s\): books; did you mean book\?"):
        indicators.compute_indicators(frame.rename(columns={"books": "book"}))
    with pytest.raises(ValueError, match="negative enrolments"):
        indicators.compute_indicators(frame.assign(students_primary=-5))
    with pytest.raises(ValueError, match="DataFrame"):
        indicators.compute_indicators([1, 2])
