"""Gap to standard and the greedy CV upgrade plan, against hand calculations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from edubalance.core import gaps, scoring
from tests.core.test_scoring import EVEN, hand_cv, quality_school, school


def test_school_gap_amounts_by_hand():
    # 200 primary pupils in 4 classes (50 per class > 45); 5 m2 sports per pupil (threshold
    # 7.5); 1 multimedia classroom per 100 pupils (2.3); 0.5 backbone teachers per 100 (1.0).
    frame = pd.DataFrame([quality_school("A", {"sports_area_m2": 5 / 7.5,
                                               "multimedia_classrooms": 1 / 2.3,
                                               "teachers_backbone": 0.5},
                                         students=200, classes=4)])
    result = scoring.score(frame, "quality-2017")
    assert not result.compliance["passed"].iloc[0]
    table = gaps.school_gaps(result).set_index("resource")
    assert table.loc["sports_area_m2", "amount"] == pytest.approx((7.5 - 5) * 200)      # 500 m2
    assert table.loc["sports_area_m2", "unit"] == "m²"
    # (2.3 - 1) * 200 / 100 = 2.6 classrooms -> 3; (1.0 - 0.5) * 200 / 100 = 1 teacher.
    assert table.loc["multimedia_classrooms", "amount"] == 3
    assert table.loc["teachers_backbone", "amount"] == 1
    # ceil(200 / 45) - 4 = 1 more class.
    assert table.loc["classes", "amount"] == 1
    assert set(table.index) == {"sports_area_m2", "multimedia_classrooms", "teachers_backbone",
                                "classes"}


def test_passing_schools_have_no_gap_and_totals_add_up():
    frame = pd.DataFrame([
        quality_school("ok"),
        quality_school("x", {"equipment_value_cny": 0.5}, students=300),
        quality_school("y", {"equipment_value_cny": 0.25}, students=100),
    ])
    result = scoring.score(frame, "quality-2017")
    table = gaps.school_gaps(result, county_code="640202", year=2017)
    assert set(table["school_id"]) == {"x", "y"}
    equipment = table[table["resource"] == "equipment_value_cny"]
    # (2000 - 1000) * 300 + (2000 - 500) * 100 yuan
    totals = gaps.county_gap_totals(table).set_index("resource")
    assert totals.loc["equipment_value_cny", "amount"] == pytest.approx(300000 + 150000)
    assert totals.loc["equipment_value_cny", "schools"] == 2
    assert equipment["amount"].sum() == pytest.approx(450000)
    assert gaps.school_gaps(result, county_code="999999").empty
    assert gaps.school_gaps(scoring.score(frame, "basic-2012")).empty  # no school thresholds


def test_greedy_plan_raises_lowest_school_of_worst_indicator():
    # Sports per pupil 1, 10, 10 (x threshold 7.5 scaled away) with 100, 100, 200 pupils.
    students, sports = [100, 100, 200], [1.0, 10.0, 10.0]
    frame = pd.DataFrame([quality_school(str(i), students=p) for i, p in enumerate(students)])
    frame["sports_area_m2"] = [s * p for s, p in zip(sports, students, strict=True)]
    result = scoring.score(frame, "quality-2017")
    before = hand_cv(sports, students)
    assert before == pytest.approx(0.503, abs=1e-3) and before > 0.5
    plan = gaps.cv_upgrade_plan(result)
    assert len(plan.steps) == 1
    step = plan.steps.iloc[0]
    mean = sum(s * p for s, p in zip(sports, students, strict=True)) / sum(students)     # 7.75
    assert step["school_id"] == "0" and step["indicator"] == "sports_area_per_student"
    assert step["value_after"] == pytest.approx(mean)
    assert step["amount"] == pytest.approx((mean - 1.0) * 100)               # 675 m2
    assert step["cv_before"] == pytest.approx(before)
    assert step["cv_after"] == pytest.approx(hand_cv([mean, 10, 10], students))
    county = plan.counties.iloc[0]
    assert county["reached"] and county["steps"] == 1
    assert plan.totals.set_index("resource").loc["sports_area_m2", "amount"] == pytest.approx(675)
    assert repr(plan).startswith("UpgradePlan(steps=1x") and "counties=1x" in repr(plan)
    assert plan.summary()["reached"].tolist() == [True]


def test_greedy_plan_for_the_composite_rule_reaches_the_limit():
    # Junior, per-pupil 0.1, 0.9, 0.5 x EVEN: every CV = sqrt(0.32/3) / 0.5 = 0.653 > 0.55.
    scale = lambda f: {k: v * f for k, v in EVEN.items()}  # noqa: E731
    frame = pd.DataFrame([school("a", 400, "junior", **scale(0.1)),
                          school("b", 400, "junior", **scale(0.9)),
                          school("c", 400, "junior", **scale(0.5))])
    result = scoring.score(frame, "basic-2012")
    assert not result.counties["passed"].iloc[0]
    plan = gaps.cv_upgrade_plan(result)
    county = plan.counties.iloc[0]
    assert county["composite_before"] == pytest.approx(math.sqrt(0.32 / 3) / 0.5)
    assert county["reached"] and county["composite_after"] <= 0.55 < county["composite_before"]
    # Every step lowers the CV of the indicator it upgrades.
    assert (plan.steps["cv_after"] < plan.steps["cv_before"]).all()
    # Countable resources are whole units; teachers are charged per 100 pupils.
    teachers = plan.steps[plan.steps["resource"] == "teachers"]
    assert (teachers["amount"] == teachers["amount"].round()).all()
    first = plan.steps.iloc[0]
    assert first["school_id"] == "a"                      # the lowest school is raised first
    expected = (first["value_after"] - first["value_before"]) * 400
    if first["resource"] in gaps.COUNTABLE_RESOURCES:
        expected = math.ceil(round(expected / 100, 6))
    assert first["amount"] == pytest.approx(expected)


def test_plan_is_empty_when_nothing_fails_and_validates_max_steps():
    frame = pd.DataFrame([quality_school("A"), quality_school("B")])
    result = scoring.score(frame, "quality-2017")
    plan = gaps.cv_upgrade_plan(result)
    assert plan.steps.empty and plan.counties.empty
    assert gaps.cv_upgrade_plan(scoring.score(frame, "ningxia-2010")).steps.empty
    with pytest.raises(ValueError, match="max_steps"):
        gaps.cv_upgrade_plan(result, max_steps=0)


def test_selected_rows_of_a_county_and_year():
    indicators = pd.DataFrame({"county_code": ["640104", "640104", "640105"],
                               "year": [2016, 2017, 2017]})
    assert gaps._selected(indicators).tolist() == [True, True, True]
    assert gaps._selected(indicators, 640104).tolist() == [True, True, False]
    assert gaps._selected(indicators, year="2017").tolist() == [False, True, True]
    assert gaps._selected(indicators, "640104", 2017).tolist() == [False, True, False]
    assert isinstance(gaps._selected(indicators.iloc[:0]), np.ndarray)
