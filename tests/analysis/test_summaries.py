"""Province-wide summaries (edubalance.analysis.summaries), each checked against an independent count."""
import numpy as np
import pandas as pd
import pytest

import edubalance as eb


@pytest.fixture(scope="module")
def schools(sample_dir):
    return pd.read_csv(sample_dir / "schools.csv",
                       dtype={"county_code": str, "school_id": str})


def test_passing_by_year_counts_counties_passing_every_level():
    from types import SimpleNamespace

    counties = pd.DataFrame({
        "county_code": ["1", "1", "2", "2", "1", "1", "2"],
        "year": [2016, 2016, 2016, 2016, 2017, 2017, 2017],
        "level": ["primary", "junior"] * 3 + ["primary"],
        "passed": [True, True, True, False, True, pd.NA, True],
    })
    table = eb.analysis.summaries.passing_by_year({"x": SimpleNamespace(counties=counties)})
    # 2016: county 1 passes both levels, county 2 fails junior; 2017: NA counts as not passed.
    assert table[["year", "counties_passed", "counties"]].values.tolist() == [[2016, 1, 2],
                                                                              [2017, 1, 2]]


def test_threshold_shares_match_a_direct_count(schools):
    result = eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017")
    shares = eb.analysis.summaries.threshold_shares(result, 2017).set_index(["level", "item"])
    # Independent count on plain primary schools is not the same population (nine-year schools
    # are split), so count on the per-section values against the published thresholds instead.
    sections = eb.core.indicators.compute_indicators(schools[schools["year"] == 2017])
    primary = sections[sections["level"] == "primary"]
    expected = (primary["sports_area_per_student"] >= 7.5).mean()
    assert shares.loc[("primary", "sports_area_per_student"), "share_meeting"] == \
        pytest.approx(expected, abs=1e-12)
    assert shares.loc[("junior", "sports_area_per_student"), "threshold"] == 10.2
    assert len(shares) == 14


def test_rule_failures_and_standards_table(schools):
    result = eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017")
    failures = eb.analysis.summaries.rule_failures(result, 2017)
    counties = result.counties
    direct = int((counties.loc[counties["level"] == "junior", "rule_indicator_cv"]
                  == "failed").sum())
    row = failures[(failures["rule"] == "indicator_cv") & (failures["level"] == "junior")]
    assert row["failed"].item() == direct
    assert (failures[["failed", "passed", "not_assessed"]].sum(axis=1) == 22).all()
    table = eb.analysis.summaries.standards_table()
    assert len(table) == 15  # 8 basic-2012 items + 7 quality-2017 items
    assert table.loc[table["item"] == "equipment_value_per_student", "junior"].dropna().tolist() \
        == [2500.0]


def test_resources_needed_sums_the_county_totals(schools):
    result = eb.core.scoring.score(schools[schools["year"] == 2017], "quality-2017")
    totals = eb.core.gaps.county_gap_totals(eb.core.gaps.school_gaps(result, year=2017))
    needed = eb.analysis.summaries.resources_needed(totals).set_index(["level", "resource"])
    for (level, resource), part in totals.groupby(["level", "resource"]):
        assert needed.loc[(level, resource), "amount"] == pytest.approx(part["amount"].sum())
        assert needed.loc[(level, resource), "schools"] == part["schools"].sum()
    assert eb.analysis.summaries.resources_needed(totals.iloc[:0]).empty


def test_resources_for_people_converts_money_and_labels_rows():
    needed = pd.DataFrame({"level": ["primary", "junior", "junior"],
                           "resource": ["equipment_value_cny", "equipment_value_cny", "classes"],
                           "unit": ["元", "元", "个"], "amount": [1_234_567.0, 50_000.0, 7.0],
                           "schools": [3, 1, 2]})
    shown = eb.report.display.resources_for_people(needed, lang="en")
    assert shown.columns.tolist() == ["resource", "primary", "junior"]
    assert shown.values.tolist() == [["teaching equipment value (10,000 CNY)", "123.5", "5"],
                                     ["classes", "–", "7"]]


def test_cluster_table_names_groups_and_lists_members():
    profiles = pd.DataFrame({
        "cluster": [0, 0, 1, 1, 2, 2],
        "feature": ["spending_per_student_kcny", "books_per_student"] * 3,
        "z": [0.2, -1.5, 0.9, 0.7, 0.1, 0.0]})
    labels = np.array([1, 0, 1, 2, 1])
    table = eb.report.clusters.cluster_table(labels, ["甲", "乙", "丙", "丁", "戊"], profiles)
    assert table["name"].tolist() == ["第1类", "第2类", "第3类"]
    assert table["size"].tolist() == [1, 3, 1]
    assert table["share"].tolist() == pytest.approx([0.2, 0.6, 0.2])
    assert table["members"].tolist() == ["乙", "甲、丙、戊", "丁"]
    assert table["profile"].tolist() == ["生均图书册数较低", "生均教育经费较高、生均图书册数较高",
                                         "接近全省平均"]
    english = eb.report.clusters.cluster_table(labels, list("abcde"), profiles, lang="en")
    assert english["profile"].iloc[0] == "low library books per pupil"
    assert "_" not in " ".join(english["profile"])
    with pytest.raises(ValueError, match="ids for"):
        eb.report.clusters.cluster_table(labels, ["甲"], profiles)
