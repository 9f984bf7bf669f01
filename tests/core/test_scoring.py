"""Scoring against hand calculations: CVs, composite, school rules, county verdicts."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance import schema
from edubalance.core import scoring

# Per-pupil resources of an "even" school (every indicator present, every CV zero when all
# schools are even); multiplied by enrolment to get the school's counts.
EVEN = dict(teachers=0.08, teachers_above_degree=0.06, teachers_mid_title=0.04,
            teachers_backbone=0.015, teachers_pe_arts=0.012, teaching_area_m2=6.0,
            sports_area_m2=11.0, equipment_value_cny=3000.0, computers=0.12,
            multimedia_classrooms=0.03, books=30.0)


def school(school_id, students, level="primary", county=("640202", "大武口区"), classes=None,
           school_type=None, **per_pupil):
    """A one-level school: ``per_pupil`` overrides EVEN (resources per pupil)."""
    rates = {**EVEN, **per_pupil}
    row = dict(county_code=county[0], county_name=county[1], year=2017, school_id=school_id,
               school_name=f"{county[1]}第{school_id}校", school_type=school_type or level,
               urban_rural="rural", students_primary=0, students_junior=0, classes_primary=0,
               classes_junior=0)
    row[f"students_{level}"] = students
    row[f"classes_{level}"] = classes if classes is not None else max(1, students // 40)
    row.update({column: rates[column] * students for column in schema.RESOURCE_COLUMNS})
    return row


def hand_cv(values, weights):
    """DOMAIN §3 in plain arithmetic."""
    n = sum(weights)
    mean = sum(w * x for w, x in zip(weights, values, strict=True)) / n
    sd = math.sqrt(sum(w / n * (x - mean) ** 2 for w, x in zip(weights, values, strict=True)))
    return sd / mean


# --------------------------------------------------------------------- the worked example

def test_domain_worked_example_books_cv():
    students = [45, 37, 89, 76, 55]
    books = [279, 137, 935, 160, 402]
    frame = pd.DataFrame([school(str(i), p) for i, p in enumerate(students)])
    frame["books"] = books
    result = scoring.score(frame, "basic-2012")
    cv = result.cv.set_index("indicator")["cv"]
    per_pupil = [b / p for b, p in zip(books, students, strict=True)]
    mean = sum(per_pupil) / 5
    unweighted = math.sqrt(sum((x - mean) ** 2 for x in per_pupil) / 5) / mean
    sample_form = math.sqrt(sum((x - mean) ** 2 for x in per_pupil) / 4) / mean
    assert cv["books_per_student"] == pytest.approx(0.515, abs=5e-4)
    assert cv["books_per_student"] == pytest.approx(hand_cv(per_pupil, students), rel=1e-12)
    assert unweighted == pytest.approx(0.489, abs=5e-4)     # what it must not be
    assert sample_form == pytest.approx(0.546, abs=5e-4)    # nor this
    # The other seven indicators are even: composite = books CV / 8.
    assert result.counties["composite_cv"].iloc[0] == pytest.approx(cv["books_per_student"] / 8)


# --------------------------------------------------------------------- basic-2012

def tiny_county():
    return pd.DataFrame([
        school("1", 300, teaching_area_m2=4.0, sports_area_m2=6.0, books=20.0, computers=0.05,
               teachers=0.07, teachers_above_degree=0.05, teachers_mid_title=0.02,
               equipment_value_cny=1500.0),
        school("2", 500, teaching_area_m2=7.0, sports_area_m2=12.0, books=35.0, computers=0.15,
               teachers=0.09, teachers_above_degree=0.08, teachers_mid_title=0.05,
               equipment_value_cny=3500.0),
        school("3", 200, teaching_area_m2=5.5, sports_area_m2=9.0, books=28.0, computers=0.10,
               teachers=0.06, teachers_above_degree=0.06, teachers_mid_title=0.03,
               equipment_value_cny=2500.0),
    ])


def test_every_basic_indicator_cv_and_the_composite_by_hand():
    frame = tiny_county()
    result = scoring.score(frame, "basic-2012")
    weights = [300, 500, 200]
    columns = {"teaching_area_per_student": ("teaching_area_m2", 1),
               "sports_area_per_student": ("sports_area_m2", 1),
               "equipment_value_per_student": ("equipment_value_cny", 1),
               "computers_per_100_students": ("computers", 100),
               "books_per_student": ("books", 1), "teachers_per_100_students": ("teachers", 100),
               "above_degree_teachers_per_100_students": ("teachers_above_degree", 100),
               "mid_title_teachers_per_100_students": ("teachers_mid_title", 100)}
    got = result.cv.set_index("indicator")["cv"]
    expected = {}
    for name, (column, multiplier) in columns.items():
        values = [multiplier * r / p for r, p in zip(frame[column], weights, strict=True)]
        expected[name] = hand_cv(values, weights)
        assert got[name] == pytest.approx(expected[name], rel=1e-9), name
    assert list(got.index) == list(columns)
    composite = sum(expected.values()) / 8
    row = result.counties.iloc[0]
    assert row["composite_cv"] == pytest.approx(composite, rel=1e-9)
    assert bool(row["passed"]) == (composite <= 0.65)
    assert list(result.counties.columns[:6]) == ["county_code", "county_name", "year", "level",
                                                 "composite_cv", "passed"]
    assert set(result.cv.columns) >= {"county_code", "county_name", "year", "level", "indicator",
                                      "cv", "threshold", "passed"}


def spread_county(level, low, high, county=("640202", "大武口区")):
    """Two equal schools whose every per-pupil resource is `low` vs `high` times EVEN:
    every CV = (high - low) / (high + low)."""
    scale = lambda f: {k: v * f for k, v in EVEN.items()}  # noqa: E731
    return [school("a" + level, 400, level, county, **scale(low)),
            school("b" + level, 400, level, county, **scale(high))]


def test_composite_limit_branches_per_level():
    # CV 0.6 on all eight: passes 0.65 for primary, fails 0.55 for junior.
    frame = pd.DataFrame(spread_county("primary", 0.2, 0.8) + spread_county("junior", 0.2, 0.8))
    result = scoring.score(frame, "basic-2012")
    counties = result.counties.set_index("level")
    assert counties.loc["primary", "composite_cv"] == pytest.approx(0.6)
    assert counties.loc["junior", "composite_cv"] == pytest.approx(0.6)
    assert counties.loc["primary", "passed"] and not counties.loc["junior", "passed"]
    assert counties.loc["junior", "rule_composite_cv"] == "failed"
    assert "composite CV 0.6 > 0.55" in counties.loc["junior", "failed_rules"]
    assert counties.loc["primary", "failed_rules"] == ""
    # Per-indicator rows show the limit for reference but do not decide.
    assert not result.cv["binding"].any()
    summary = scoring.county_summary(result, "大武口区", 2017)
    assert summary["levels"]["junior"]["failed_rules"] == ["composite_cv"]
    # No evidence given: the two evidence items are open, the precondition is taken as given.
    assert summary["levels"]["primary"]["not_assessed"] == [
        "government_work_score", "satisfaction_pct"]
    assert summary["assumed"] == ["provincial_running_standard"]
    assert summary["passed"] is False
    assert summary["levels"]["primary"]["verdict"] == "incomplete"
    assert summary["levels"]["junior"]["verdict"] == summary["verdict"] == "fail"


def test_evidence_decides_the_other_rules_when_supplied():
    frame = tiny_county()
    evidence = pd.DataFrame({"county_code": ["640202"], "year": [2017],
                             "government_work_score": [90.0], "satisfaction_pct": [80.0]})
    result = scoring.score(frame, "basic-2012", evidence=evidence)
    row = result.counties.iloc[0]
    status = result.evidence.set_index("item")["status"]
    assert status["government_work_score"] == "passed"
    assert status["satisfaction_pct"] == "failed"
    assert status["provincial_running_standard"] == "assumed"
    assert not row["passed"] and row["verdict"] == "fail"
    assert "satisfaction_pct: 80 < 85" in row["failed_rules"]
    assert row["evidence_failed"] == "satisfaction_pct"
    assert row["not_assessed"] == ""
    with pytest.raises(ValueError, match="county_code and year"):
        scoring.score(frame, "basic-2012", evidence=pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------- quality-2017

PRIMARY_THRESHOLDS = dict(teachers_above_degree=0.042, teachers_backbone=0.010,
                          teachers_pe_arts=0.009, teaching_area_m2=4.5, sports_area_m2=7.5,
                          equipment_value_cny=2000.0, multimedia_classrooms=0.023)


def quality_school(school_id, factors=None, students=1000, **kw):
    """Every quality-2017 resource at 1.2 x threshold unless ``factors`` says otherwise."""
    factors = factors or {}
    rates = {k: v * factors.get(k, 1.2) for k, v in PRIMARY_THRESHOLDS.items()}
    return school(school_id, students, **rates, **kw)


def test_six_of_seven_and_85_percent_rule():
    frame = pd.DataFrame([
        quality_school("A"),                                       # meets all 7
        quality_school("B", {"sports_area_m2": 0.90}),             # 6 of 7, unmet at 90%
        quality_school("C", {"sports_area_m2": 0.80}),             # 6 of 7, unmet at 80%
        quality_school("D", {"sports_area_m2": 0.95, "teaching_area_m2": 0.95}),  # 5 of 7
    ])
    result = scoring.score(frame, "quality-2017")
    comp = result.compliance.set_index("school_id")
    assert comp["indicators_met"].tolist() == [7, 6, 6, 5]
    assert comp["meets_min_indicators"].tolist() == [True, True, True, False]
    assert comp["unmet_within_share"].tolist() == [True, True, False, True]
    assert comp["passed"].tolist() == [True, True, False, False]
    assert comp.loc["C", "lowest_pct_unmet"] == pytest.approx(80.0)
    assert "below 85% of threshold: sports_area_per_student" in comp.loc["C", "failed_reasons"]
    assert "meets 5 of 7 (needs 6)" in comp.loc["D", "failed_reasons"]
    assert comp.loc["A", "failed_reasons"] == ""
    ind = result.indicators.set_index("school_id")
    assert ind.loc["B", "sports_area_per_student_pct_of_threshold"] == pytest.approx(90.0)
    assert ind.loc["B", "sports_area_per_student_threshold"] == 7.5
    assert not ind.loc["B", "sports_area_per_student_met"]
    county = result.counties.iloc[0]
    assert county["school_indicators_failing_schools"] == 2
    assert county["rule_school_indicators"] == "failed"
    assert np.isnan(county["composite_cv"])


def test_each_indicator_cv_limit():
    # Sports area 2.0 vs 0.5 x threshold on equal enrolments: CV = 1.5 / 2.5 = 0.6 > 0.5.
    frame = pd.DataFrame([quality_school("A", {"sports_area_m2": 2.0}),
                          quality_school("B", {"sports_area_m2": 0.5})])
    result = scoring.score(frame, "quality-2017")
    cv = result.cv.set_index("indicator")
    assert cv.loc["sports_area_per_student", "cv"] == pytest.approx(0.6)
    assert not cv.loc["sports_area_per_student", "passed"]
    assert cv.loc["teaching_area_per_student", "cv"] == pytest.approx(0.0, abs=1e-12)
    assert cv["binding"].all() and (cv["threshold"] == 0.5).all()
    county = result.counties.iloc[0]
    assert county["rule_indicator_cv"] == "failed"
    assert "sports_area_per_student CV 0.6 > 0.5" in county["failed_rules"]


def test_school_size_and_class_size():
    nine_year = quality_school("N", students=1300, classes=29)        # 1300 + 1100 = 2400
    nine_year.update(school_type="nine_year", students_junior=1100, classes_junior=22)
    frame = pd.DataFrame([
        nine_year,
        quality_school("P", students=2100, classes=42),                  # 2100 > 2000, 50 > 45
        quality_school("Q", students=900, classes=20),                   # 45 per class: ok
    ])
    result = scoring.score(frame, "quality-2017")
    comp = result.compliance.set_index(["school_id", "level"])
    assert comp.loc[("N", "primary"), "school_size_limit"] == 2500
    assert comp.loc[("N", "primary"), "school_size_ok"]
    assert comp.loc[("N", "junior"), "class_size"] == pytest.approx(50.0)
    # Averages only: an average within the limit says nothing of every class (not assessed),
    # an average above it means some class is above it (failed).
    assert pd.isna(comp.loc[("N", "junior"), "class_size_ok"])          # junior limit 50
    assert comp.loc[("N", "primary"), "class_size"] == pytest.approx(1300 / 29)
    assert not comp.loc[("P", "primary"), "school_size_ok"]
    assert not comp.loc[("P", "primary"), "class_size_ok"]
    assert pd.isna(comp.loc[("Q", "primary"), "class_size_ok"])
    assert "school_size" in comp.loc[("P", "primary"), "failed_reasons"]
    assert "class_size: a class above 45" in comp.loc[("P", "primary"), "failed_reasons"]
    counties = result.counties.set_index("level")
    assert counties.loc["primary", "rule_school_size"] == "failed"
    assert counties.loc["primary", "class_size_failing_schools"] == 1
    assert counties.loc["junior", "rule_school_size"] == "passed"
    assert counties.loc["junior", "rule_class_size"] == "not_assessed"
    assert counties.loc["junior", "class_size_unassessed_schools"] == 1
    assert "average class size only" in counties.loc["junior", "reason_class_size"]


# --------------------------------------------------------------------- ningxia-2010

def test_ningxia_points_score_and_bands_by_hand():
    # Per pupil: teaching 4.5 (target 4.5), books 10 (15), 5 computers per 100 -> 20 pupils
    # per computer (10), degree share 0.6 (0.8), title share 0.25 (0.5), backbone 0.2 (0.1),
    # class size 50 (45). Points 15/10/10/15/10/10/10 (total 80).
    frame = pd.DataFrame([school("1", 400, classes=8, teaching_area_m2=4.5, books=10.0,
                                 computers=0.05, teachers=0.08, teachers_above_degree=0.048,
                                 teachers_mid_title=0.02, teachers_backbone=0.016)])
    result = scoring.score(frame, "ningxia-2010")
    earned = 15 * 1 + 10 * 10 / 15 + 10 * 10 / 20 + 15 * 0.6 / 0.8 + 10 * 0.5 + 10 * 1 + 10 * 45 / 50
    expected = 100 * earned / 80
    assert result.compliance["score"].iloc[0] == pytest.approx(expected)
    county = result.counties.iloc[0]
    assert county["score"] == pytest.approx(expected)      # one school: its own score
    assert 75 <= expected < 85 and county["band"] == "preliminary_balance"
    assert not county["passed"] and county["rule_points_score"] == "failed"
    summary = scoring.county_summary(result, "640202", 2017)
    assert summary["levels"]["primary"]["band"] == "preliminary_balance"
    # The score rests on assumed points: never the official verdict without the real total.
    assert "ningxia_total_score" in summary["levels"]["primary"]["not_assessed"]
    assert summary["verdict"] == "incomplete" and "assumed_points" in summary["assumed"]


# --------------------------------------------------------------------- all counties at once

def test_vectorised_scoring_equals_one_county_at_a_time():
    frames = [pd.DataFrame(spread_county(level, low, high, county))
              for county, (low, high) in {("1", "甲县"): (0.5, 1.0), ("2", "乙县"): (0.3, 1.2),
                                           ("3", "丙县"): (0.9, 1.0)}.items()
              for level in ("primary", "junior")]
    frames.append(pd.DataFrame([quality_school("X", {"sports_area_m2": 0.8},
                                               county=("2", "乙县"))]))
    everything = pd.concat(frames, ignore_index=True)
    for name in ("basic-2012", "quality-2017", "ningxia-2010"):
        together = scoring.score(everything, name)
        for code in ("1", "2", "3"):
            alone = scoring.score(everything[everything["county_code"] == code], name)
            mine = together.counties[together.counties["county_code"] == code]
            pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone.counties,
                                          check_dtype=False)
            mine_cv = together.cv[together.cv["county_code"] == code].reset_index(drop=True)
            pd.testing.assert_frame_equal(mine_cv, alone.cv, check_dtype=False)


# --------------------------------------------------------------------- county lookup

def test_find_county_by_code_name_and_close_matches():
    frame = pd.DataFrame({"county_code": ["640202", "640181", "640205"],
                          "county_name": ["大武口区", "灵武市", "惠农区"]})
    assert scoring.find_county(frame, "640202") == ("640202", "大武口区")
    assert scoring.find_county(frame, 640181) == ("640181", "灵武市")
    assert scoring.find_county(frame, " 惠农区 ") == ("640205", "惠农区")
    with pytest.raises(ValueError, match=r"unknown county '大武口'; close matches: 大武口区 \(640202\)"):
        scoring.find_county(frame, "大武口")
    with pytest.raises(ValueError, match="close matches: 灵武市"):
        scoring.find_county(frame, "灵武县")
    twins = pd.DataFrame({"county_code": ["1", "2"], "county_name": ["城关区", "城关区"]})
    with pytest.raises(ValueError, match="shared by codes 1, 2"):
        scoring.find_county(twins, "城关区")


def test_county_summary_is_json_ready_and_rejects_missing_year():
    result = scoring.score(tiny_county(), "quality-2017")
    summary = scoring.county_summary(result, "大武口区", 2017)
    assert set(summary) >= {"county", "year", "standard", "levels"}
    level = summary["levels"]["primary"]
    assert set(level) >= {"composite_cv", "passed", "failed_rules", "not_assessed"}
    assert level["passed"] == (level["failed_rules"] == [])
    assert set(level["failed_rules"]) <= set(level["reasons"])
    from edubalance.run.notebook import to_jsonable
    assert to_jsonable(summary)["levels"]["primary"]["composite_cv"] is None
    text = scoring.summary_markdown(summary)
    assert "大武口区" in text and "failed" in text
    with pytest.raises(ValueError, match="years present: \\[2017\\]"):
        scoring.county_summary(result, "大武口区", 2016)


# --------------------------------------------------------------------- issue 14 / issue 12

def test_county_summary_says_when_a_level_has_no_schools():
    frame = pd.DataFrame([school("a", 300), school("b", 500)])    # primary schools only
    summary = scoring.county_summary(scoring.score(frame, "quality-2017"), "大武口区", 2017)
    assert list(summary["levels"]) == ["primary"]
    assert summary["levels_missing"] == ["junior"]
    assert "junior" in summary["note"] and "primary" in summary["note"]
    assert "junior" in scoring.summary_markdown(summary)
    both = pd.DataFrame([school("a", 300), school("b", 500, level="junior")])
    full = scoring.county_summary(scoring.score(both, "quality-2017"), "大武口区", 2017)
    assert full["levels_missing"] == [] and full["note"] == ""


def test_rule_reasons_are_structured_columns_not_parsed_text():
    frame = pd.DataFrame([school("a", 300), school("b", 500, sports_area_m2=2.0)])
    counties = scoring.score(frame, "quality-2017").counties
    row = counties.iloc[0]
    assert row["rule_indicator_cv"] == scoring.FAILED
    assert row["reason_indicator_cv"].startswith("sports_area_per_student CV ")
    assert f"indicator_cv: {row['reason_indicator_cv']}" in row["failed_rules"]


def test_gaps_uses_no_private_names_of_scoring():
    import ast
    import inspect

    from edubalance.core import gaps

    tree = ast.parse(inspect.getsource(gaps))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]
    assert imported and not [name for name in imported if name.startswith("_")]


@pytest.mark.parametrize("bad, message", [(float("nan"), "blank"), (float("inf"), "infinite"),
                                          (-40.0, "negative")])
def test_score_rejects_blank_infinite_and_negative_values_named_by_row(bad, message):
    # Issue 13: score() called without the loader used such values silently.
    from helpers import valid_schools

    schools = valid_schools()
    schools["books"] = schools["books"].astype(float)
    schools.loc[1, "books"] = bad
    with pytest.raises(eb.io.load.DataError) as error:
        eb.core.scoring.score(schools, "basic-2012")
    text = str(error.value)
    assert message in text and "row 3" in text and "'books'" in text and "school 002" in text


def test_result_repr_is_short_and_summary_is_a_table():
    result = scoring.score(tiny_county(), "basic-2012")
    text = repr(result)
    assert text.startswith("ScoringResult(standard='basic-2012', counties=1, years=[2017]")
    assert len(text) < 200 and "DataFrame" not in text
    assert list(result.summary().columns[:3]) == ["county_name", "year", "level"]
    assert "<table" in result._repr_html_()


def test_reasons_are_formatted_for_the_counties_whose_rule_failed_only(monkeypatch):
    """Issue 29: a reason's numbers are formatted one Python call per value; at national
    scale only the counties whose rule failed get one (728 of 5,700 county-levels)."""
    from edubalance.io.number_text import plain_numbers

    poor = {column: rate / 20 for column, rate in EVEN.items()}
    frame = pd.DataFrame([school("a", 300), school("b", 500),
                          school("c", 300, county=("640205", "惠农区"), **poor),
                          school("d", 500, county=("640205", "惠农区"))])
    formatted = []
    original = scoring.reason_numbers
    monkeypatch.setattr(scoring, "reason_numbers", lambda values, limits, digits: (
        formatted.append(np.size(values)) or original(values, limits, digits)))
    counties = scoring.score(frame, "basic-2012").counties.set_index("county_code")
    even, uneven = counties.loc["640202"], counties.loc["640205"]
    limit = scoring.load_standard("basic-2012").rule("composite_cv").params["limit"]["primary"]
    assert even["rule_composite_cv"] == scoring.PASSED and even["reason_composite_cv"] == ""
    assert uneven["rule_composite_cv"] == scoring.FAILED
    assert uneven["composite_cv"] > limit
    assert uneven["reason_composite_cv"] == (
        "composite CV " + original([uneven["composite_cv"]], [limit], 3)[0] + " > "
        + plain_numbers([limit], 2)[0])
    assert formatted == [1]  # the failing county's value, not both counties'
