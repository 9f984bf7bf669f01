"""The simulated sample data: deterministic, complete, calibrated, and true to its model."""
import numpy as np
import pandas as pd
import pytest

import edubalance as eb
from edubalance.schema import SCHOOL_COLUMNS


@pytest.fixture(scope="module")
def province():
    return eb.io.sample.generate("province", seed=2017)


def test_same_seed_same_data_and_other_seed_differs():
    a_schools, a_counties = eb.io.sample.generate("province", seed=7, years=[2016, 2017])
    b_schools, b_counties = eb.io.sample.generate("province", seed=7, years=[2016, 2017])
    pd.testing.assert_frame_equal(a_schools, b_schools)
    pd.testing.assert_frame_equal(a_counties, b_counties)
    c_schools, _ = eb.io.sample.generate("province", seed=8, years=[2016, 2017])
    assert not a_schools["students_primary"].equals(c_schools["students_primary"])


def test_the_22_ningxia_counties_of_seed_001_are_present(province):
    schools, counties = province
    expected = {"大武口区", "灵武市", "青铜峡市", "贺兰县", "利通区", "彭阳县", "永宁县", "平罗县", "中宁县",
                "兴庆区", "金凤区", "惠农区", "西夏区", "沙坡头区", "红寺堡区", "盐池县", "原州区", "隆德县",
                "泾源县", "海原县", "同心县", "西吉县"}
    assert set(schools["county_name"]) == expected
    assert set(counties["county_name"]) == expected
    assert schools["county_code"].str.fullmatch(r"64\d{4}").all()
    assert sorted(schools["year"].unique()) == list(range(2010, 2018))
    assessed = counties.drop_duplicates("county_name").set_index("county_name")["year_basic_balance"]
    assert assessed["大武口区"] == 2010 and assessed["西吉县"] == 2017 and assessed["泾源县"] == 2016


def test_canonical_columns_and_plausible_values(province):
    schools, _ = province
    assert list(schools.columns[: len(SCHOOL_COLUMNS)]) == SCHOOL_COLUMNS
    assert not schools["school_id"].duplicated().any() or \
        not schools.duplicated(["county_code", "year", "school_id"]).any()
    students = schools["students_primary"] + schools["students_junior"]
    assert (students > 0).all()
    assert (schools["teachers"] <= students).all()
    for column in ["teachers_above_degree", "teachers_mid_title", "teachers_backbone", "teachers_pe_arts"]:
        assert (schools[column] <= schools["teachers"]).all()
    assert set(schools["school_type"]) == {"primary", "junior", "nine_year"}
    assert set(schools["urban_rural"]) == {"urban", "town", "rural"}
    primary = schools["school_type"] == "primary"
    assert (schools.loc[primary, "students_junior"] == 0).all()


def test_calibrated_on_seed_002(province):
    # Seed 002 (岳阳县): ~100 schools, ~35k primary and ~18k junior students,
    # 16.3 primary and 10.4 junior students per teacher, ~20 students per computer.
    schools, _ = province
    latest = schools[schools["year"] == 2017]
    per_county = latest.groupby("county_code").agg(
        schools=("school_id", "size"), primary=("students_primary", "sum"),
        junior=("students_junior", "sum"), computers=("computers", "sum"))
    assert 40 <= per_county["schools"].median() <= 110
    assert 20_000 <= per_county["primary"].median() <= 50_000
    assert 8_000 <= per_county["junior"].median() <= 30_000
    students_per_computer = (per_county["primary"] + per_county["junior"]).sum() / per_county["computers"].sum()
    assert 12 <= students_per_computer <= 25


@pytest.mark.slow  # 200,000 schools
def test_national_scale_size():
    schools, counties = eb.io.sample.generate("national", seed=1)
    assert 2800 <= counties["county_code"].nunique() <= 2900
    assert 190_000 <= len(schools) <= 210_000
    assert not schools.duplicated(["county_code", "school_id"]).any()
    assert set(schools["school_type"]) == set(eb.schema.SCORED_SCHOOL_TYPES)


def test_county_inputs_agree_with_the_school_table(province):
    schools, counties = province
    one = schools[(schools["county_code"] == "640202") & (schools["year"] == 2015)]
    row = counties[(counties["county_code"] == "640202") & (counties["year"] == 2015)].iloc[0]
    students = (one["students_primary"] + one["students_junior"]).sum()
    assert row["teachers_per_100_students"] == pytest.approx(100 * one["teachers"].sum() / students, abs=1e-4)
    assert row["books_per_student"] == pytest.approx(one["books"].sum() / students, abs=1e-4)


def test_outcomes_follow_the_documented_model(province):
    # With the true coefficients removed, what is left must be county + year effects + noise:
    # a two-way within transformation leaves residuals with the documented noise SD.
    _, counties = province
    for outcome, effects in eb.io.sample.TRUE_EFFECTS.items():
        rest = counties[outcome] - sum(coef * counties[col] for col, coef in effects.items())
        within = (rest - rest.groupby(counties["county_code"]).transform("mean")
                  - rest.groupby(counties["year"]).transform("mean") + rest.mean())
        n_counties, n_years = counties["county_code"].nunique(), counties["year"].nunique()
        dof = (n_counties - 1) * (n_years - 1)
        sd = np.sqrt((within**2).sum() / dof)
        assert sd == pytest.approx(eb.io.sample.OUTCOME_NOISE_SD[outcome], rel=0.15)


def test_cli_writes_files(tmp_path):
    from edubalance.cli import main

    assert main(["sample", "--scale", "province", "--seed", "3", "--years", "2017",
                 "--out", str(tmp_path)]) == 0
    schools = pd.read_csv(tmp_path / "schools.csv", dtype={"county_code": str, "school_id": str})
    assert schools["county_name"].nunique() == 22
    assert (tmp_path / "counties.csv").exists()
    assert main(["sample", "--scale", "province", "--seed", "3", "--years", "2017",
                 "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    assert pd.api.types.is_string_dtype(pd.read_parquet(tmp_path / "pq" / "schools.parquet")["county_code"])


def test_shipped_sample_is_what_the_generator_makes(sample_dir):
    shipped = pd.read_csv(sample_dir / "schools.csv", dtype={"county_code": str, "school_id": str})
    schools, _ = eb.io.sample.generate("province", seed=2017)
    assert len(shipped) == len(schools)
    assert shipped["teachers"].sum() == schools["teachers"].sum()


def test_shipped_roster_agrees_with_the_schools_it_covers(sample_dir):
    from edubalance.io import load as data
    from edubalance.io import roster

    teachers = data.load_teachers(sample_dir / "teachers.csv")
    schools = data.load_schools(sample_dir / "schools.csv")
    schools = schools[schools["year"] == schools["year"].max()]
    counts = roster.roster_to_school_counts(teachers, schools).set_index("school_id")
    assert len(counts) >= 3
    columns = ["teachers", "teachers_above_degree", "teachers_mid_title", "teachers_backbone",
               "teachers_pe_arts"]
    expected = schools.set_index("school_id").loc[counts.index, columns]
    assert (counts[columns] == expected).all().all()


def test_shipped_form_workbook_holds_the_same_schools_as_the_csv(sample_dir):
    from edubalance.io import load as data

    form = data.load_schools(sample_dir / "schools_form.xlsx")
    schools = data.load_schools(sample_dir / "schools.csv")
    expected = schools[(schools["county_name"] == eb.io.sample.FORM_COUNTY)
                       & (schools["year"] == schools["year"].max())].reset_index(drop=True)
    pd.testing.assert_frame_equal(form[expected.columns].reset_index(drop=True), expected,
                                  check_dtype=False)


def test_shipped_county_roster_covers_every_school_of_its_counties(sample_dir):
    from edubalance.io import load as data
    from edubalance.io import roster

    teachers = data.load_teachers(sample_dir / "teachers_county.csv")
    schools = data.load_schools(sample_dir / "schools.csv")
    latest = schools[(schools["year"] == schools["year"].max())
                     & schools["county_name"].isin(eb.io.sample.ROSTER_COUNTIES)]
    counts = roster.roster_to_school_counts(teachers, latest).set_index("school_id")
    assert set(counts.index) == set(latest["school_id"]) and len(counts) > 100
    columns = ["teachers", "teachers_above_degree", "teachers_mid_title", "teachers_backbone",
               "teachers_pe_arts"]
    expected = latest.set_index("school_id").loc[counts.index, columns]
    assert (counts[columns] == expected).all().all()
    assert (counts["staff_not_teaching"] == -(-expected["teachers"] // 15)).all()
    assert teachers["姓名"].str.contains("某").all()


def test_assessment_panel_follows_its_documented_model(sample_dir):
    shipped = pd.read_csv(sample_dir / "assessment_panel.csv", dtype={"county_code": str})
    panel = eb.io.sample.generate_assessment_panel(2017)
    pd.testing.assert_frame_equal(shipped, panel, check_dtype=False)
    assert panel["year"].min() == eb.io.sample.ASSESSMENT_YEARS[0] and panel["year"].max() == 2017
    event = panel["year"] - panel["year_basic_balance"]
    expected = np.where(event >= 0, 1.0 + 0.6 * event, 0.0)
    np.testing.assert_allclose(panel["true_effect"], expected)
    assert (panel["treated"] == (event >= 0)).all()
    # Net of the true effect, county + year effects + N(0, 1) noise remain.
    rest = panel["mean_exam_score"] - panel["true_effect"]
    within = (rest - rest.groupby(panel["county_code"]).transform("mean")
              - rest.groupby(panel["year"]).transform("mean") + rest.mean())
    dof = (22 - 1) * (panel["year"].nunique() - 1)
    assert np.sqrt((within**2).sum() / dof) == pytest.approx(1.0, rel=0.15)


def test_every_shipped_csv_is_byte_identical_to_the_generator(sample_dir, tmp_path):
    written = eb.io.sample.write_sample(tmp_path, "province", seed=2017)
    csvs = sorted(p.name for p in written.values() if p.suffix == ".csv")
    assert csvs == ["assessment_panel.csv", "counties.csv", "schools.csv", "teachers.csv",
                    "teachers_county.csv"]
    for name in csvs:
        assert (tmp_path / name).read_bytes() == (sample_dir / name).read_bytes(), name
