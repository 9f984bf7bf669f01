"""Teacher roster (表三) -> school counts, hand-checked; simulated rosters; roster files."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from edubalance import schema
from edubalance.io import load as data
from edubalance.io import roster

COLUMNS = ["school_id", "姓名", "出生年月", "学历", "教师资格", "职称", "任职岗位", "备注"]
ROWS = [
    # school 001 (primary)
    ("001", "王某华", "1972.01", "专科", "小学", "一级", "体育", "县级骨干"),
    ("001", "李某明", "1990.08.04", "本科", "初级中学", "二级", "英语", "2014特岗"),
    ("001", "张某丽", "1987.10", "中师", "小学", "小学高级", "音乐", "2015特岗(兼职)"),
    ("001", "赵某军", "1967.05", "高中", "", "", "会计", ""),
    ("001", "陈某燕", "1967.12", "大专", "小学", "小学一级", "美术", "校级骨干"),
    # school 002 (junior)
    ("002", "刘某强", "1980.03", "专科", "初级中学", "中学一级", "数学", "市级骨干"),
    ("002", "杨某敏", "1995.1", "硕士", "高级中学", "", "信息技术", "片区骨干"),
    ("002", "黄某磊", "1962.07", "本科", "初级中学", "正高级", "音乐", "区级骨干"),
    ("002", "周某霞", "1988.02", "本科", "初级中学", "三级", "体育", ""),
]
# Counted by hand from ROWS at reference year 2017 (see each teacher's comment in the module
# docstring rules): 001 has 4 teachers + 1 accountant; 002 has 4 teachers.
EXPECTED = {
    "001": dict(teachers=4, teachers_above_degree=3, teachers_mid_title=2, teachers_backbone=1,
                teachers_pe_arts=2, teachers_age_under_30=1, teachers_age_30_39=1,
                teachers_age_40_49=1, teachers_age_50_plus=1, teachers_age_unknown=0,
                teachers_music=0, teachers_pe=1, teachers_art=1, teachers_english=1,
                teachers_it=0, staff_not_teaching=1, staff_support=0, staff_admin=1,
                staff_service=0, staff_other=0, missing_subjects="音乐、信息技术"),
    "002": dict(teachers=4, teachers_above_degree=3, teachers_mid_title=2, teachers_backbone=2,
                teachers_pe_arts=2, teachers_age_under_30=2, teachers_age_30_39=1,
                teachers_age_40_49=0, teachers_age_50_plus=1, teachers_age_unknown=0,
                teachers_music=1, teachers_pe=1, teachers_art=0, teachers_english=0,
                teachers_it=1, staff_not_teaching=0, staff_support=0, staff_admin=0,
                staff_service=0, staff_other=0, missing_subjects="美术、英语"),
}


def hand_roster() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def test_hand_built_roster_gives_hand_counted_numbers():
    counts = roster.roster_to_school_counts(hand_roster(), {"001": "primary", "002": "初中"},
                                            reference_year=2017)
    assert counts["school_id"].tolist() == ["001", "002"]
    assert counts.columns.tolist() == ["school_id", *roster.COUNT_COLUMNS, "missing_subjects"]
    for _, row in counts.iterrows():
        assert row.drop("school_id").to_dict() == EXPECTED[row["school_id"]]


def test_cross_subject_teachers_counted_on_request():
    counts = roster.roster_to_school_counts(hand_roster(), reference_year=2017,
                                            count_cross_subject=True)
    first = counts.iloc[0]
    assert first["teachers_pe_arts"] == 3 and first["teachers_music"] == 1
    assert first["missing_subjects"] == "信息技术"


def test_required_degree_depends_on_level():
    frame = pd.DataFrame({"school_id": ["p", "j", "n", "n"], "出生年月": "1980.01",
                          "学历": ["专科", "专科", "专科", "专科"],
                          "教师资格": ["初级中学", "小学", "小学", "初级中学"],
                          "职称": "", "任职岗位": "语文"})
    levels = {"p": "primary", "j": "junior", "n": "nine_year"}
    counts = roster.roster_to_school_counts(frame, levels, reference_year=2017)
    # primary school: 专科 is above the required 中专 whatever the certificate; junior school:
    # 本科 needed; nine-year school: the certificate decides per teacher.
    assert counts.set_index("school_id")["teachers_above_degree"].to_dict() == \
        {"p": 1, "j": 0, "n": 1}
    by_certificate = roster.roster_to_school_counts(frame, reference_year=2017)
    assert by_certificate["teachers_above_degree"].tolist() == [0, 1, 1]


def test_level_from_a_schools_frame():
    schools = pd.DataFrame({"school_id": ["001", "002"], "school_type": ["primary", "junior"]})
    counts = roster.roster_to_school_counts(hand_roster(), schools, reference_year=2017)
    assert counts["teachers_above_degree"].tolist() == [3, 3]


@pytest.mark.parametrize("title, rank", [
    ("正高级", 5), ("正高级教师", 5), ("高级", 4), ("副高级", 4), ("中学高级教师", 4), ("特级教师", 4),
    ("一级", 3), ("一级教师", 3), ("中级", 3), ("中学一级", 3), ("小学高级", 3), ("小学高级教师", 3),
    ("二级", 2), ("初级", 2), ("中学二级", 2), ("小学一级", 2), ("三级", 1), ("小学二级", 1),
    ("", 0), ("无", 0), ("未定级", 0), (" 一 级 ", 3),
])
def test_title_ranks(title, rank):
    assert roster.title_rank(pd.Series([title])).iloc[0] == rank
    assert (rank >= roster.MID_TITLE_RANK) == (title.replace(" ", "") in {
        "正高级", "正高级教师", "高级", "副高级", "中学高级教师", "特级教师", "一级", "一级教师", "中级",
        "中学一级", "小学高级", "小学高级教师"})


@pytest.mark.parametrize("remark, counted", [
    ("县级骨干", True), ("县骨干教师", True), ("区级骨干", True), ("市级骨干", True),
    ("省级骨干", True), ("自治区级骨干", True), ("国家级骨干教师", True), ("县级学科带头人", True),
    ("2015特岗 市级骨干", True), ("校级骨干", False), ("乡镇级骨干", False), ("片区骨干", False),
    ("学区骨干", False), ("骨干", False), ("特岗", False), ("", False),
])
def test_backbone_levels(remark, counted):
    frame = pd.DataFrame({"school_id": ["1"], "出生年月": ["1980.01"], "学历": ["本科"],
                          "职称": [""], "任职岗位": ["语文"], "备注": [remark]})
    counts = roster.roster_to_school_counts(frame, reference_year=2017)
    assert counts["teachers_backbone"].iloc[0] == int(counted)


def test_birth_dates_and_age_band_edges():
    births = pd.Series(["1988.01", "1987.12.31", "1978", "1968-05-01", "1967年3月", "１９９０．０１"])
    parsed = roster.parse_birth(births)
    assert parsed["year"].tolist() == [1988, 1987, 1978, 1968, 1967, 1990]
    frame = pd.DataFrame({"school_id": "1", "出生年月": births, "学历": "本科", "职称": "",
                          "任职岗位": "语文"})
    counts = roster.roster_to_school_counts(frame, reference_year=2017).iloc[0]
    # ages 29, 30, 39, 49, 50, 27
    assert (counts["teachers_age_under_30"], counts["teachers_age_30_39"],
            counts["teachers_age_40_49"], counts["teachers_age_50_plus"]) == (2, 2, 1, 1)


def test_reference_year_from_year_column_and_required_otherwise():
    frame = hand_roster().assign(year=2027)
    counts = roster.roster_to_school_counts(frame)
    assert counts["teachers_age_under_30"].tolist() == [0, 0]  # everyone ten years older
    with pytest.raises(ValueError, match="reference_year is required"):
        roster.roster_to_school_counts(hand_roster())


def test_bad_roster_values_raise():
    with pytest.raises(ValueError, match="unknown degree.*'大学肄业' \\(school 002\\)"):
        roster.roster_to_school_counts(hand_roster().assign(
            学历=["本科"] * 8 + ["大学肄业"]), reference_year=2017)
    with pytest.raises(ValueError, match="lacks column\\(s\\): 职称"):
        roster.roster_to_school_counts(hand_roster().drop(columns="职称"), reference_year=2017)


# ------------------------------------------------------------------------------ simulation
def schools_frame() -> pd.DataFrame:
    rows = []
    for i, (kind, teachers) in enumerate([("primary", 12), ("junior", 20), ("nine_year", 25),
                                          ("primary", 6), ("junior", 9), ("primary", 40),
                                          ("nine_year", 8), ("primary", 15)]):
        rows.append(dict(county_code="040202", county_name="大武口区", year=2017,
                         school_id=f"00{i}", school_name=f"第{i}学校", school_type=kind,
                         students_primary=0 if kind == "junior" else 200,
                         students_junior=0 if kind == "primary" else 150, teachers=teachers,
                         teachers_above_degree=teachers - 1, teachers_mid_title=teachers // 2,
                         teachers_backbone=teachers // 5, teachers_pe_arts=min(3, teachers)))
    return pd.DataFrame(rows)


TEACHER_COUNTS = ["teachers", "teachers_above_degree", "teachers_mid_title",
                  "teachers_backbone", "teachers_pe_arts"]


@pytest.mark.parametrize("seed", [0, 1, 2017])
def test_simulated_roster_gives_back_the_schools_counts(seed):
    schools = schools_frame()
    simulated = roster.simulate_roster(schools, seed=seed, n_schools=4)
    assert simulated["school_id"].nunique() == 4
    assert simulated.columns.tolist() == ["county_code", "county_name", "year", "school_id",
                                          "school_name", *schema.ROSTER_COLUMNS]
    assert simulated["姓名"].str.contains("某").all()
    counts = roster.roster_to_school_counts(simulated, schools, reference_year=2017)
    expected = schools.set_index("school_id").loc[counts["school_id"], TEACHER_COUNTS]
    assert counts[TEACHER_COUNTS].to_numpy().tolist() == expected.to_numpy().tolist()
    # The certificate rule agrees for simulated primary/junior schools too.
    by_certificate = roster.roster_to_school_counts(simulated)
    assert by_certificate[TEACHER_COUNTS].to_numpy().tolist() == expected.to_numpy().tolist()


def test_simulated_roster_is_deterministic():
    schools = schools_frame()
    first = roster.simulate_roster(schools, seed=5)
    pd.testing.assert_frame_equal(first, roster.simulate_roster(schools, seed=5))
    assert not first.equals(roster.simulate_roster(schools, seed=6))


def test_simulated_roster_for_combined_schools_only():
    schools = schools_frame()
    combined = schools[schools["school_type"] == "nine_year"]
    simulated = roster.simulate_roster(combined, seed=3, n_schools=2)
    counts = roster.roster_to_school_counts(simulated, combined, reference_year=2017)
    expected = combined.set_index("school_id").loc[counts["school_id"], TEACHER_COUNTS]
    assert counts[TEACHER_COUNTS].to_numpy().tolist() == expected.to_numpy().tolist()


def test_simulate_roster_rejects_bad_input():
    with pytest.raises(ValueError, match="n_schools"):
        roster.simulate_roster(schools_frame(), seed=1, n_schools=0)
    with pytest.raises(ValueError, match="teachers_backbone"):
        roster.simulate_roster(schools_frame().assign(teachers_backbone=99), seed=1)
    with pytest.raises(ValueError, match="lacks column"):
        roster.simulate_roster(schools_frame().drop(columns="teachers_pe_arts"), seed=1)


def test_simulated_roster_round_trips_through_a_csv_file(tmp_path):
    schools = schools_frame()
    simulated = roster.simulate_roster(schools, seed=11)
    path = tmp_path / "teachers.csv"
    simulated.to_csv(path, index=False)
    loaded = data.load_teachers(path)
    assert loaded["school_id"].tolist() == simulated["school_id"].tolist()  # zeros kept
    assert loaded.columns.tolist() == simulated.columns.tolist()
    counts = roster.roster_to_school_counts(loaded, schools)
    expected = schools.set_index("school_id").loc[counts["school_id"], TEACHER_COUNTS]
    assert counts[TEACHER_COUNTS].to_numpy().tolist() == expected.to_numpy().tolist()


# ------------------------------------------------------------------------------ roster files
def test_roster_form_with_title_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表三"
    sheet.append(["宁夏回族自治区义务教育均衡发展督导评估用表 表三(1)"])
    sheet.append(["红梧完小教职工花名册"])
    sheet.append(["序号", "学校代码", *schema.ROSTER_COLUMNS])
    sheet.append([1, "0012", "田某华", "1972.01", "男", "汉", "宁夏中宁", "专科", "小学", "一级",
                  "思品", ""])
    sheet.append([2, "0012", "李某", "1984.08", "女", "汉", "宁夏中宁", "本科", "初级中学", "二级",
                  "英语", "市级骨干"])
    sheet.append([None, "合计", None, None, None, None, None, None, None, None, None, None])
    path = tmp_path / "teachers.xlsx"
    book.save(path)
    loaded = data.load_teachers(path)
    assert loaded.columns.tolist() == ["school_id", *schema.ROSTER_COLUMNS]
    assert loaded["school_id"].tolist() == ["0012", "0012"]
    assert any("totals row" in note for note in loaded.attrs["cleaning_log"])
    counts = roster.roster_to_school_counts(loaded, {"0012": "小学"}, reference_year=2015)
    # 2015, a primary school: the bare 一级 is 小学一级 (初级), not 中级 (issue 27).
    assert counts[["teachers", "teachers_above_degree", "teachers_mid_title",
                   "teachers_backbone"]].iloc[0].tolist() == [2, 2, 0, 1]
    unified = roster.roster_to_school_counts(loaded, {"0012": "小学"}, reference_year=2015,
                                             title_reform_year=2015)
    assert unified["teachers_mid_title"].iloc[0] == 1

    sheet.cell(row=5, column=8, value="大学肄业")
    book.save(path)
    with pytest.raises(data.DataError, match=r"row 5, column '学历', school 0012: unknown degree"):
        data.load_teachers(path)


def test_roster_missing_columns_listed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("学校代码,姓名,性别\n001,王某,男\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="missing required columns: 出生年月, 学历, 职称, 任职岗位"):
        data.load_teachers(path)


# --------------------------------------------------------------------------- issue 27
# A primary school's roster as the form has it: 9 staff, of whom 6 teach a subject.
PRIMARY_STAFF = [
    # 姓名, 学历, 职称, 任职岗位
    ("甲某", "本科", "高级", "语文"),           # 2014: 小学高级 = 中级; 2018: 高级 = 副高
    ("乙某", "专科", "一级", "数学"),           # 2014: 小学一级 = 初级; 2018: 一级 = 中级
    ("丙某", "专科", "二级", "英语"),           # 初级 either way
    ("丁某", "本科", "小学高级", "体育"),        # explicit: 中级 in any year
    ("戊某", "中师", "", "音乐"),
    ("己某", "本科", "中学一级", "校长兼数学"),    # explicit 中学一级 = 中级; teaches
    ("庚某", "专科", "一级", "实验员"),          # 教辅
    ("辛某", "专科", "二级", "图书管理员"),       # 教辅
    ("壬某", "本科", "高级", "校长"),           # administrative, no subject
]


def _primary_roster(year):
    return pd.DataFrame([{"school_id": "p1", "school_name": "城关第二小学", "year": year,
                          "姓名": name, "出生年月": "1980.01", "学历": degree, "教师资格": "小学", "职称": title,
                          "任职岗位": post, "备注": ""} for name, degree, title, post in PRIMARY_STAFF])


def test_2014_primary_roster_reads_the_old_primary_series_and_counts_only_subject_teachers():
    counts = roster.roster_to_school_counts(_primary_roster(2014)).iloc[0]
    assert counts["teachers"] == 6
    assert counts["teachers_mid_title"] == 3          # 甲 高级 (=小学高级), 丁 小学高级, 己 中学一级
    assert (counts["staff_support"], counts["staff_admin"], counts["staff_service"],
            counts["staff_other"], counts["staff_not_teaching"]) == (2, 1, 0, 0, 3)


def test_2014_counts_exactly_the_issue_case():
    # The issue's example: 9 staff, 6 teachers, 2 with an intermediate title or above. Here
    # 甲 (高级 = 小学高级) and 丁 (小学高级) are 中级; 己's 中学一级 would make a third, so the
    # issue's roster has her as 二级.
    frame = _primary_roster(2014)
    frame.loc[frame["姓名"] == "己某", "职称"] = "二级"
    counts = roster.roster_to_school_counts(frame).iloc[0]
    assert (counts["teachers"], counts["teachers_mid_title"]) == (6, 2)


def test_2018_primary_roster_reads_the_unified_series():
    from edubalance.analysis import teachers

    table = teachers.school_teachers(_primary_roster(2018)).iloc[0]
    assert table["teachers"] == 6
    # 甲 高级 = 副高; 乙 一级 = 中级; 丁 小学高级 = 中级; 己 中学一级 = 中级.
    assert table["teachers_mid_title"] == 4
    assert table["teachers_title_senior"] == 1
    old = teachers.school_teachers(_primary_roster(2014)).iloc[0]
    assert (old["teachers_mid_title"], old["teachers_title_senior"]) == (3, 0)
    assert old["teachers_title_mid"] == 3 and old["teachers_title_junior"] == 2


def test_title_reform_year_moves_the_switch():
    frame = _primary_roster(2016)
    assert roster.roster_to_school_counts(frame)["teachers_mid_title"].iloc[0] == 4
    assert roster.roster_to_school_counts(frame, title_reform_year=2017)[
        "teachers_mid_title"].iloc[0] == 3


def test_junior_school_bare_titles_read_as_the_middle_school_series_in_any_year():
    frame = _primary_roster(2014).assign(school_name="城关初级中学", 教师资格="初级中学")
    # 高级 = 中学高级 = 副高; 一级 = 中学一级 = 中级: 甲, 乙, 丁, 己.
    assert roster.roster_to_school_counts(frame)["teachers_mid_title"].iloc[0] == 4


def test_level_from_the_schools_file_before_the_name():
    frame = _primary_roster(2014)
    as_junior = roster.roster_to_school_counts(frame, {"p1": "junior"})
    assert as_junior["teachers_mid_title"].iloc[0] == 4


@pytest.mark.parametrize("post, kind", [
    ("语文", "teacher"), ("道德与法治", "teacher"), ("校长兼数学", "teacher"), ("班主任", "teacher"),
    ("实验员", "staff_support"), ("图书管理员", "staff_support"), ("校医", "staff_support"),
    ("校长", "staff_admin"), ("教导主任", "staff_admin"), ("会计", "staff_admin"),
    ("门卫", "staff_service"), ("炊事员", "staff_service"), ("工勤", "staff_service"),
    ("宿管", "staff_service"), ("科研", "staff_other"),
])
def test_post_kinds(post, kind):
    assert roster.post_kinds(pd.Series([post])).iloc[0] == kind
