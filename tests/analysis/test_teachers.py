"""edubalance.analysis.teachers: structure per school and county, indicators, discrepancies."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.analysis import teachers
from edubalance.errors import DataError

NON_TEACHING = ("工勤", "后勤", "会计", "出纳", "门卫", "保安", "炊事", "厨师", "司机", "校医", "保育", "宿管")


@pytest.fixture(scope="module")
def sample(sample_dir):
    roster = eb.io.load.load_teachers(sample_dir / "teachers_county.csv")
    schools = eb.io.load.load_schools(sample_dir / "schools.csv")
    return roster, schools


def _loop_counts(roster):
    """Per school, by a plain loop over roster rows with literal string tests."""
    out = {}
    for row in roster.itertuples(index=False):
        counts = out.setdefault(row.school_id, {"teachers": 0, "staff": 0, "postgraduate": 0,
                                                "bachelor": 0, "senior": 0, "none": 0,
                                                "cross": 0, "music": 0})
        if any(word in row.任职岗位 for word in NON_TEACHING):
            counts["staff"] += 1
            continue
        counts["teachers"] += 1
        counts["postgraduate"] += row.学历 in ("硕士", "博士", "研究生")
        counts["bachelor"] += row.学历 == "本科"
        counts["senior"] += row.职称 in ("高级", "正高级")
        counts["none"] += row.职称 in ("",)
        cross = "兼职" in row.备注
        counts["cross"] += cross
        counts["music"] += (row.任职岗位 == "音乐") and not cross
    return pd.DataFrame(out).T


def test_school_table_matches_a_plain_loop(sample):
    roster, schools = sample
    result = teachers.teacher_structure(roster, schools)
    table = result.to_frame().set_index("school_id")
    loop = _loop_counts(roster.fillna(""))
    assert len(table) == len(loop) == 117
    for ours, theirs in [("teachers", "teachers"), ("staff_not_teaching", "staff"),
                         ("teachers_postgraduate", "postgraduate"),
                         ("teachers_bachelor", "bachelor"), ("teachers_title_senior", "senior"),
                         ("teachers_title_none", "none"), ("teachers_cross_subject", "cross"),
                         ("teachers_music", "music")]:
        assert (table[ours] == loop.loc[table.index, theirs].astype(int)).all(), ours
    # Bands partition the teachers.
    assert (table[list(teachers.DEGREE_BANDS)].sum(axis=1) == table["teachers"]).all()
    assert (table[list(teachers.TITLE_BANDS)].sum(axis=1) == table["teachers"]).all()
    ages = [*eb.io.roster.AGE_BANDS, "teachers_age_unknown"]
    assert (table[ages].sum(axis=1) == table["teachers"]).all()
    # The simulated roster was drawn to agree with the school table: no discrepancy.
    assert result.discrepancies.empty
    latest = schools[schools["year"] == 2017].set_index("school_id")
    assert (table["teachers"] == latest.loc[table.index, "teachers"]).all()
    # Per section, as the scoring computes them from the school table (whose teachers the
    # roster agrees with): a combined school's junior indicator uses its junior pupils only.
    sections = eb.core.indicators.compute_indicators(
        latest.loc[table.index].reset_index()).set_index(["school_id", "level"])
    for level in ("primary", "junior"):
        mine = table[f"teachers_per_100_students_{level}"].dropna()
        expected = sections.xs(level, level="level").loc[mine.index, "teachers_per_100_students"]
        np.testing.assert_allclose(mine, expected, rtol=1e-12)
    combined = latest.loc[table.index, "school_type"].isin(["nine_year", "complete_middle"])
    assert table.loc[combined[combined].index, "teachers_per_100_students_junior"].notna().all()


def test_county_sums_and_shortages(sample):
    roster, schools = sample
    result = teachers.teacher_structure(roster, schools)
    per_school = result.schools
    counties = result.counties.set_index("county_name")
    assert set(counties.index) == {"大武口区", "西吉县"}
    for name, part in per_school.groupby("county_name"):
        assert counties.loc[name, "teachers"] == part["teachers"].sum()
        assert counties.loc[name, "schools_without_music"] == (part["teachers_music"] == 0).sum()
        lacking = part["missing_subjects"].str.contains("音乐")
        assert lacking.sum() == counties.loc[name, "schools_without_music"]
        assert counties.loc[name, "schools_with_shortage"] == (part["missing_subjects"] != "").sum()
        assert counties.loc[name, "cross_subject_share"] == pytest.approx(
            part["teachers_cross_subject"].sum() / part["teachers"].sum())


def test_discrepancies_name_school_column_and_values(sample):
    roster, schools = sample
    latest = schools[schools["year"] == 2017].copy()
    ids = teachers.school_teachers(roster)["school_id"].tolist()
    latest.loc[latest["school_id"] == ids[0], "teachers"] += 3
    latest.loc[latest["school_id"] == ids[1], "teachers_backbone"] -= 1
    latest = latest[latest["school_id"] != ids[2]]
    found = teachers.teacher_structure(roster, latest).discrepancies
    rows = {(r.school_id, r.status, r.column): r.difference for r in found.itertuples()}
    assert rows[(ids[0], "differs", "teachers")] == -3
    assert rows[(ids[1], "differs", "teachers_backbone")] == 1
    assert (ids[2], "roster_only", "teachers") in rows
    assert len(found) == 3


def test_table_only_schools_and_no_school_table():
    schools = pd.DataFrame({"county_code": "1", "school_id": ["a", "b"], "teachers": [1, 2],
                            "teachers_above_degree": [1, 1], "teachers_mid_title": [0, 1],
                            "teachers_backbone": [0, 0], "teachers_pe_arts": [0, 1],
                            "students_primary": [20, 30], "students_junior": [0, 0],
                            "school_type": "primary"})
    roster = pd.DataFrame({"county_code": "1", "school_id": ["a"], "学历": ["本科"], "职称": [""],
                           "任职岗位": ["语文"], "出生年月": ["1980.01"], "备注": [""]})
    found = teachers.teacher_structure(roster, schools, reference_year=2017)
    assert found.discrepancies[["school_id", "status"]].values.tolist() == [["b", "table_only"]]
    assert found.indicators["teachers_per_100_students"].tolist() == [5.0]
    alone = teachers.teacher_structure(roster, reference_year=2017)
    assert alone.discrepancies is None and alone.indicators is None
    assert alone.to_frame()["missing_subjects"].iloc[0] == "音乐、体育、美术、英语、信息技术"
    assert alone.to_frame()["n_missing_subjects"].iloc[0] == 5


def test_errors():
    with pytest.raises(DataError, match="empty"):
        teachers.teacher_structure(pd.DataFrame())
    with pytest.raises(DataError, match="lacks column"):
        teachers.compare_with_schools(pd.DataFrame({"school_id": []}), pd.DataFrame({"x": []}))
    roster = pd.DataFrame({"school_id": ["a"], "学历": ["本科"], "职称": [""], "任职岗位": ["语文"],
                           "出生年月": ["1980.01"], "year": [2017]})
    with pytest.raises(DataError, match="no rows for the roster's year 2017"):
        teachers.teacher_structure(roster, pd.DataFrame({"school_id": ["a"], "year": [2016]}))


def test_figures_take_an_axes(sample):
    import matplotlib.pyplot as plt

    roster, _ = sample
    counties = teachers.county_teachers(teachers.school_teachers(roster))
    eb.report.plotting.use_style()
    fig, (left, right) = plt.subplots(1, 2)
    with eb.report.plotting.missing_glyphs_as_errors():
        assert eb.report.figures.teachers.plot_age_structure(counties, ax=left) is left
        assert eb.report.figures.teachers.plot_shortage(counties, ax=right, lang="en") is right
    assert len(right.patches) == 2 * 5
    plt.close(fig)


def test_per_100_indicators_of_a_complete_middle_school_use_its_junior_pupils():
    """Issue 27: a 完全中学's junior indicators were computed over junior + senior pupils."""
    table = pd.DataFrame({"school_id": ["m"], "teachers": [110], "teachers_above_degree": [0],
                          "teachers_mid_title": [0], "teachers_backbone": [0],
                          "teachers_pe_arts": [0]})
    schools = pd.DataFrame({"school_id": ["m"], "school_type": ["complete_middle"],
                            "students_primary": [0], "students_junior": [500],
                            "students_senior": [500]})
    found = teachers.teacher_indicators(table, schools)
    # Junior share of teachers: 500 / (500 + 1.2 * 500) = 1/2.2 -> 50 teachers for 500 pupils.
    assert found["level"].tolist() == ["junior"]
    assert found["teachers_per_100_students"].iloc[0] == pytest.approx(10.0)


def test_teacher_shares_divide_by_teachers_and_are_missing_without_teachers():
    table = pd.DataFrame({"teachers": [10, 0], "teachers_cross_subject": [2, 0],
                          "teachers_above_degree": [5, 0], "teachers_mid_title": [1, 0],
                          "teachers_age_50_plus": [4, 0]})
    teachers._add_shares(table)
    assert list(table.columns[-4:]) == ["cross_subject_share", "above_degree_share",
                                        "mid_title_share", "age_50_plus_share"]
    assert table.iloc[0, -4:].tolist() == [0.2, 0.5, 0.1, 0.4]
    assert table.iloc[1, -4:].isna().all()
